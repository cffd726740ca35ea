"""The reference data pack: packed values equal the raw CSVs, stations sit in their districts,
boundaries carry the documented areas, the long frame holds every non-missing value."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, shape

from citytwin import datasets
from citytwin.datasets._area import polygon_area_km2
from citytwin.errors import BadInputError, NotFoundError

REPO = Path(__file__).parents[2]
SHARED_DATA = Path(__file__).parents[2].parent / "shared" / "data"
needs_shared = pytest.mark.skipif(
    not SHARED_DATA.is_dir(), reason=f"raw source data not present at {SHARED_DATA} (../shared/data)"
)

PRSA_VALUES = ["PM2.5", "PM10", "SO2", "NO2", "CO", "O3", "TEMP", "PRES", "DEWP", "RAIN", "WSPM"]
KDD_VALUES = ["PM2.5", "PM10", "NO2", "CO", "O3", "SO2"]

#: area_km2 of each polygon as documented in shared/data/boundaries/SOURCE.md (geodesic, GRS80)
SOURCE_AREAS_KM2 = {
    "110101": 41.65, "110102": 50.14, "110105": 464.11, "110106": 306.83, "110107": 83.13,
    "110108": 429.89, "110109": 1450.24, "110111": 2000.80, "110112": 919.33, "110113": 1013.76,
    "110114": 1344.76, "110115": 1036.20, "110116": 2124.08, "110117": 944.31, "110118": 2201.31,
    "110119": 2010.88, "131082": 633.34, "131028": 174.65, "131024": 434.37,
}  # fmt: skip
#: official administrative areas quoted in the same SOURCE.md [km²]; the coarse source geometry
#: is within about 5 % of them (Xianghe 5.2 % under)
OFFICIAL_AREAS_KM2 = {"110112": 906, "131082": 643, "131028": 176, "131024": 458}


@pytest.fixture(scope="module")
def prsa() -> pd.DataFrame:
    return datasets.observations("prsa")


@pytest.fixture(scope="module")
def kdd() -> pd.DataFrame:
    return datasets.observations("kdd2018")


@pytest.fixture(scope="module")
def stations() -> pd.DataFrame:
    return datasets.stations()


@pytest.fixture(scope="module")
def boundaries() -> dict:
    return datasets.boundaries()


def _same_values(packed: pd.Series, raw: pd.Series) -> bool:
    a, b = packed.to_numpy(dtype="float64"), raw.to_numpy(dtype="float64")
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))


# ---------------------------------------------------------------- (a) packed == raw CSV


@needs_shared
def test_prsa_equals_raw_csv_value_for_value(prsa, stations):
    files = sorted((SHARED_DATA / "air" / "prsa").glob("PRSA_Data_*.csv.gz"))
    assert len(files) == 12
    by_name = dict(zip(stations["prsa_station"], stations["station_id"], strict=True))
    for path in files:
        raw = pd.read_csv(path)
        station_id = by_name[raw["station"].iloc[0]]
        packed = prsa[prsa["station_id"] == station_id].reset_index(drop=True)
        assert len(packed) == len(raw) == 35_064, path.name
        beijing = pd.to_datetime(raw[["year", "month", "day", "hour"]]).dt.tz_localize("Asia/Shanghai")
        expected_utc = beijing.dt.tz_convert("UTC")
        assert (packed["observed_at"].to_numpy() == expected_utc.to_numpy()).all(), path.name
        assert packed["observed_at"].iloc[0] == pd.Timestamp("2013-02-28 16:00", tz="UTC")
        for column in PRSA_VALUES:
            assert packed[column].notna().sum() == raw[column].notna().sum(), (path.name, column)
            assert _same_values(packed[column], raw[column]), (path.name, column)
        assert packed["wd"].fillna("<NA>").tolist() == raw["wd"].fillna("<NA>").tolist(), path.name


@needs_shared
def test_kdd2018_equals_raw_csvs_official_file_wins_overlap(kdd):
    d = SHARED_DATA / "air" / "kdd2018"
    api = pd.read_csv(d / "beijing_aq_api_20180331_20180531.csv.gz").rename(
        columns={"station_id": "stationId", "time": "utc_time", "PM25_Concentration": "PM2.5"}
        | {f"{c}_Concentration": c for c in KDD_VALUES if c != "PM2.5"}
    )
    parts = [
        pd.read_csv(d / "beijing_201801_aq_partial_from_B04902039.csv.gz"),
        pd.read_csv(d / "beijing_201802_201803_aq.csv.gz"),
        api[["stationId", "utc_time", *KDD_VALUES]],
    ]
    raw = pd.concat(parts, ignore_index=True)
    duplicated = raw.duplicated(["stationId", "utc_time"], keep="first")
    assert duplicated.sum() == 315  # 2018-03-31 07:00-15:00 UTC x 35 stations, from the API file
    assert (duplicated.iloc[: len(parts[0]) + len(parts[1])] == 0).all()
    raw = raw[~duplicated]
    raw = raw.assign(
        station_id=raw["stationId"]
        .str.removesuffix("_aq")
        .replace({"pingchang": "changping", "yanqin": "yanqing"}),
        observed_at=pd.to_datetime(raw["utc_time"]).dt.tz_localize("UTC"),
    ).sort_values(["station_id", "observed_at"], ignore_index=True)
    assert len(kdd) == len(raw) == 123_445
    assert kdd["station_id"].tolist() == raw["station_id"].tolist()
    assert (kdd["observed_at"].to_numpy() == raw["observed_at"].to_numpy()).all()
    for station_id, packed in kdd.groupby("station_id"):
        source = raw[raw["station_id"] == station_id]
        for column in KDD_VALUES:
            assert packed[column].notna().sum() == source[column].notna().sum(), (station_id, column)
            assert _same_values(packed[column], source[column]), (station_id, column)


@needs_shared
def test_build_is_deterministic_and_pack_is_current(tmp_path):
    script = REPO / "scripts" / "build_reference_pack.py"
    subprocess.run(
        [sys.executable, str(script), "--shared", str(SHARED_DATA.parent), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for name in ("boundaries.geojson", "stations.parquet", "observations_prsa.parquet",
                 "observations_kdd2018.parquet"):  # fmt: skip
        assert (tmp_path / name).read_bytes() == datasets.data_file(name).read_bytes(), name


# ---------------------------------------------------------------- (b) stations


def test_stations_fall_inside_their_jurisdiction(stations, boundaries):
    polygons = {f["properties"]["adcode"]: shape(f["geometry"]) for f in boundaries["features"]}
    assert len(stations) == 35
    assert stations["station_id"].is_unique
    for row in stations.itertuples():
        assert polygons[row.jurisdiction].contains(Point(row.lon, row.lat)), row.station_id
        others = [
            code
            for code, p in polygons.items()
            if code != row.jurisdiction and p.contains(Point(row.lon, row.lat))
        ]
        assert others == [], row.station_id


def test_tongzhou_stations_and_prsa_merge(stations):
    s = stations.set_index("station_id")
    assert s.loc["tongzhou", "jurisdiction"] == "110112"
    assert s.loc["yongledian", "jurisdiction"] == "110112"
    assert (stations["jurisdiction"] == "110112").sum() == 2
    assert (stations["datasets"] == "prsa,kdd2018").sum() == 12
    assert s.loc["changping", "kdd_station_id"] == "pingchang_aq"
    assert s.loc["changping", "datasets"] == "prsa,kdd2018"
    assert s.loc["dongsi", "name_zh"] == "东四"


# ---------------------------------------------------------------- (c) boundaries


def test_boundaries_adcodes_parents_and_areas(boundaries):
    props = {f["properties"]["adcode"]: f["properties"] for f in boundaries["features"]}
    assert set(props) == set(SOURCE_AREAS_KM2)
    assert len(boundaries["features"]) == 19
    for code, p in props.items():
        assert p["parent"] == ("110000" if code.startswith("11") else "131000")
        assert p["name_zh"] and p["name_en"]
        assert p["area_km2"] == pytest.approx(SOURCE_AREAS_KM2[code], rel=0.01), code
    for f in boundaries["features"]:
        assert polygon_area_km2(f["geometry"]) == pytest.approx(f["properties"]["area_km2"], abs=0.006)
    assert props["110112"]["area_km2"] == pytest.approx(906, rel=0.02)
    for code, official in OFFICIAL_AREAS_KM2.items():
        assert props[code]["area_km2"] == pytest.approx(official, rel=0.06), code


def test_area_rejects_a_point():
    with pytest.raises(BadInputError, match="geometry type 'Point': expected 'Polygon' or 'MultiPolygon'"):
        polygon_area_km2({"type": "Point", "coordinates": [116.6, 39.9]})


# ---------------------------------------------------------------- (d) long frame


@pytest.mark.parametrize("dataset", ["prsa", "kdd2018"])
def test_observations_long_counts_equal_non_missing(dataset, request):
    wide = request.getfixturevalue("prsa" if dataset == "prsa" else "kdd")
    long = datasets.observations_long(dataset)
    assert list(long.columns) == ["station_id", "attribute", "observed_at", "value", "unit"]
    assert long["value"].notna().all()
    numeric = {col: spec for col, spec in datasets.ATTRIBUTES[dataset].items() if spec[1] is not None}
    expected = (
        wide.melt(id_vars=["station_id"], value_vars=list(numeric), var_name="column")
        .dropna(subset="value")
        .assign(attribute=lambda f: f["column"].map({c: a for c, (a, _) in numeric.items()}))
        .groupby(["station_id", "attribute"])
        .size()
    )
    got = long.groupby(["station_id", "attribute"]).size()
    pd.testing.assert_series_equal(got, expected, check_names=False)
    assert len(long) == sum(int(wide[c].notna().sum()) for c in numeric)
    units = long.drop_duplicates("attribute").set_index("attribute")["unit"].to_dict()
    assert units == {a: u for a, u in numeric.values()}
    # spot check, from the CSVs' first Dongsi rows: CO stays in the source unit
    first = long[(long["station_id"] == "dongsi") & (long["attribute"] == "co")].iloc[0]
    expected_first = {
        "prsa": (pd.Timestamp("2013-02-28 16:00", tz="UTC"), 300.0, "ug/m3"),  # 2013-03-01 00:00 Beijing
        "kdd2018": (pd.Timestamp("2018-01-01 00:00", tz="UTC"), 0.9, "mg/m3"),
    }[dataset]
    assert (first["observed_at"], first["value"], first["unit"]) == expected_first


def test_attribute_mapping_covers_the_stored_columns(prsa, kdd):
    assert set(datasets.ATTRIBUTES["prsa"]) == set(prsa.columns) - {"station_id", "observed_at"}
    assert set(datasets.ATTRIBUTES["kdd2018"]) == set(kdd.columns) - {"station_id", "observed_at"}
    assert datasets.ATTRIBUTES["prsa"]["CO"] == ("co", "ug/m3")
    assert datasets.ATTRIBUTES["kdd2018"]["CO"] == ("co", "mg/m3")
    assert datasets.ATTRIBUTES["prsa"]["wd"] == ("windDirection", None)
    assert datasets.UNITS["kdd2018"]["CO"] == "mg/m3"
    assert datasets.UNITS["prsa"]["TEMP"] == "Cel"
    for frame in (prsa, kdd):
        assert str(frame["observed_at"].dtype) == "datetime64[ms, UTC]"
        assert not frame.duplicated(["station_id", "observed_at"]).any()
        assert frame.equals(frame.sort_values(["station_id", "observed_at"], ignore_index=True))


def test_unknown_dataset_and_file_are_named():
    with pytest.raises(BadInputError, match="dataset 'uci': expected one of prsa, kdd2018"):
        datasets.observations("uci")
    with pytest.raises(BadInputError, match="dataset 'x'"):
        datasets.observations_long("x")
    with pytest.raises(NotFoundError, match="reference pack file 'nope.csv': expected one of"):
        datasets.data_file("nope.csv")
