"""Build the reference district data pack in ``src/citytwin/datasets/data/`` from ``shared/data``.

Run from the repository root::

    .venv/bin/python scripts/build_reference_pack.py [--shared ../shared]

Writes, deterministically (same input and library versions give byte-identical files):

- ``boundaries.geojson``: 20 districts/counties (Beijing's 16 and the three Langfang counties;
  Tongzhou, present in both source files, once), simplified and rounded, with areas.
- ``stations.parquet``: the 35 KDD Cup 2018 stations (the 12 PRSA stations among them).
- ``observations_prsa.parquet``, ``observations_kdd2018.parquet``: hourly observations, wide,
  values exactly as pandas reads them from the CSV, times in UTC.

What is changed and why is documented in ``DATA_SOURCES.md``; this script is the executable form.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely
from shapely.geometry import mapping, shape

from citytwin.datasets._area import polygon_area_km2

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "citytwin" / "datasets" / "data"

#: Douglas-Peucker tolerance [degrees] (about 110 m north-south, 85 m east-west at 40° N).
SIMPLIFY_TOLERANCE_DEG = 0.001
#: Decimals kept in boundary coordinates (1e-5° is about 1 m).
COORD_DECIMALS = 5
#: Largest allowed relative area change from simplification and rounding [-].
MAX_AREA_CHANGE = 0.005

BEIJING, LANGFANG = "110000", "131000"
SUBCENTER_COUNTIES = {"131082", "131028", "131024"}

PRSA_VALUE_COLUMNS = ["PM2.5", "PM10", "SO2", "NO2", "CO", "O3", "TEMP", "PRES", "DEWP", "RAIN", "WSPM"]
PRSA_COLUMNS = [*PRSA_VALUE_COLUMNS, "wd"]
KDD_COLUMNS = ["PM2.5", "PM10", "NO2", "CO", "O3", "SO2"]
KDD_API_RENAME = {
    "station_id": "stationId",
    "time": "utc_time",
    "PM25_Concentration": "PM2.5",
    "PM10_Concentration": "PM10",
    "NO2_Concentration": "NO2",
    "CO_Concentration": "CO",
    "O3_Concentration": "O3",
    "SO2_Concentration": "SO2",
}
#: KDD station ids whose spelling is a typo of the place name; the local id uses the place name.
KDD_ID_FIXES = {"pingchang": "changping", "yanqin": "yanqing"}

KDD_FILES = [  # (file, source label); earlier files win on duplicate station-hours
    ("beijing_201801_aq_partial_from_B04902039.csv.gz", "partial"),
    ("beijing_201802_201803_aq.csv.gz", "official"),
    ("beijing_aq_api_20180331_20180531.csv.gz", "api"),
]

ROW_GROUP_ROWS = 131_072
PARQUET_OPTIONS = {"compression": "zstd", "compression_level": 9, "row_group_size": ROW_GROUP_ROWS}


def local_station_id(kdd_id: str) -> str:
    """Local station id from a KDD id: drop ``_aq``, fix the two misspelt ids."""
    base = kdd_id.removesuffix("_aq")
    return KDD_ID_FIXES.get(base, base)


# ---------------------------------------------------------------- boundaries


def _round_coords(geometry: dict) -> dict:
    """Round every coordinate of a GeoJSON geometry to COORD_DECIMALS."""

    def walk(c):
        if isinstance(c[0], (int, float)):
            return [round(float(v), COORD_DECIMALS) for v in c]
        return [walk(x) for x in c]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def build_boundaries(shared: Path) -> dict:
    """Merge, simplify and round the two boundary files into one FeatureCollection."""
    src = shared / "data" / "boundaries"
    features: dict[str, dict] = {}
    for name in ("beijing_16_districts.geojson", "subcenter_tongzhou_sanhe_dachang_xianghe.geojson"):
        fc = json.loads((src / name).read_text(encoding="utf-8"))
        crs = fc.get("crs", {}).get("properties", {}).get("name", "")
        if crs and not crs.endswith(("EPSG::4490", "EPSG::4326", "CRS84")):
            raise SystemExit(f"{name}: crs {crs!r}, expected EPSG:4490 or WGS84")
        for f in fc["features"]:
            adcode = str(f["properties"]["adcode"])
            if adcode in features:  # Tongzhou is in both files: keep one, check they agree
                if shape(features[adcode]["geometry"]) != shape(f["geometry"]):
                    raise SystemExit(f"adcode {adcode}: the two source files disagree on its geometry")
                continue
            features[adcode] = f
    out = []
    for adcode in sorted(features):
        f = features[adcode]
        geom = shape(f["geometry"])
        simple = geom.simplify(SIMPLIFY_TOLERANCE_DEG, preserve_topology=True)
        gj = _round_coords(mapping(simple))
        if not shape(gj).is_valid:
            raise SystemExit(f"adcode {adcode}: geometry invalid after simplification and rounding")
        before, after = polygon_area_km2(mapping(geom)), polygon_area_km2(gj)
        if abs(after / before - 1) >= MAX_AREA_CHANGE:
            raise SystemExit(f"adcode {adcode}: area changed {before:.2f} -> {after:.2f} km2")
        p = f["properties"]
        if adcode.startswith("11"):
            parent = BEIJING
        elif adcode in SUBCENTER_COUNTIES:
            parent = LANGFANG
        else:
            raise SystemExit(f"adcode {adcode}: not a Beijing district nor a sub-center county")
        props = {
            "adcode": adcode,
            "name_zh": p["name_zh"],
            "name_en": p["name_en"],
            "parent": parent,
            "area_km2": round(after, 2),
        }
        out.append({"type": "Feature", "id": adcode, "properties": props, "geometry": gj})
    return {"type": "FeatureCollection", "features": out}


# ---------------------------------------------------------------- stations


def build_stations(shared: Path, boundaries: dict) -> pd.DataFrame:
    """One row per physical station: the 35 KDD stations, the 12 PRSA ones merged in."""
    air = shared / "data" / "air"
    kdd = pd.read_csv(air / "kdd2018" / "stations.csv", dtype={"station_id": str})
    prsa = pd.read_csv(air / "stations.csv")
    df = pd.DataFrame(
        {
            "station_id": kdd["station_id"].map(local_station_id),
            "kdd_station_id": kdd["station_id"],
            "name_en": kdd["name"],
            "name_zh": kdd["name_zh"],
            "lon": kdd["lon"].astype("float64"),
            "lat": kdd["lat"].astype("float64"),
            "station_type": kdd["type"],
        }
    )
    merged = df.merge(prsa, on="kdd_station_id", how="left", validate="one_to_one", indicator=True)
    in_prsa = merged["_merge"] == "both"
    if int(in_prsa.sum()) != len(prsa):
        raise SystemExit(f"{int(in_prsa.sum())} PRSA stations matched a KDD station, expected {len(prsa)}")
    for col_kdd, col_prsa in (("lon", "lon_y"), ("lat", "lat_y"), ("name_zh", "name_zh_y")):
        a, b = merged.loc[in_prsa, f"{col_kdd}_x"], merged.loc[in_prsa, col_prsa]
        if not (a.to_numpy() == b.to_numpy()).all():
            raise SystemExit(f"PRSA and KDD station lists disagree on {col_kdd}")
    df["prsa_station"] = merged["station"].where(in_prsa, None)
    df["datasets"] = np.where(in_prsa, "prsa,kdd2018", "kdd2018")
    polys = [(f["id"], shape(f["geometry"])) for f in boundaries["features"]]
    jur = []
    for lon, lat, sid in zip(df["lon"], df["lat"], df["station_id"], strict=True):
        hits = [code for code, poly in polys if poly.contains(shapely.Point(lon, lat))]
        if len(hits) != 1:
            raise SystemExit(f"station {sid} ({lon}, {lat}) lies in {hits}, expected exactly one polygon")
        jur.append(hits[0])
    df["jurisdiction"] = jur
    cols = [
        "station_id",
        "name_en",
        "name_zh",
        "lon",
        "lat",
        "station_type",
        "jurisdiction",
        "datasets",
        "kdd_station_id",
        "prsa_station",
    ]
    return df[cols].sort_values("station_id", ignore_index=True)


# ---------------------------------------------------------------- observations


def build_prsa(shared: Path, stations: pd.DataFrame) -> pd.DataFrame:
    """The 12 PRSA files, wide, times converted from Beijing time (UTC+8) to UTC."""
    ids = dict(
        zip(
            stations["prsa_station"].dropna(),
            stations.dropna(subset="prsa_station")["station_id"],
            strict=True,
        )
    )
    frames = []
    for path in sorted((shared / "data" / "air" / "prsa").glob("PRSA_Data_*.csv.gz")):
        raw = pd.read_csv(path)
        local = pd.to_datetime(raw[["year", "month", "day", "hour"]])
        observed_at = (local - pd.Timedelta(hours=8)).dt.tz_localize("UTC")
        (name,) = raw["station"].unique()
        frame = pd.DataFrame({"station_id": ids[name], "observed_at": observed_at})
        for c in PRSA_VALUE_COLUMNS:
            frame[c] = raw[c].astype("float64")
        frame["wd"] = raw["wd"].astype(object)
        frames.append(frame)
    return _finish(pd.concat(frames, ignore_index=True))


def build_kdd(shared: Path) -> tuple[pd.DataFrame, dict]:
    """The three KDD 2018 files, wide; on a duplicate station-hour the earlier file wins."""
    d = shared / "data" / "air" / "kdd2018"
    frames, report = [], {}
    for name, label in KDD_FILES:
        raw = pd.read_csv(d / name).rename(columns=KDD_API_RENAME)
        frame = pd.DataFrame(
            {
                "station_id": raw["stationId"].map(local_station_id),
                "observed_at": pd.to_datetime(raw["utc_time"], format="%Y-%m-%d %H:%M:%S").dt.tz_localize(
                    "UTC"
                ),
            }
        )
        for c in KDD_COLUMNS:
            frame[c] = raw[c].astype("float64")
        frame["_source"] = label
        report[label] = len(frame)
        frames.append(frame)
    allrows = pd.concat(frames, ignore_index=True)
    dup = allrows.duplicated(["station_id", "observed_at"], keep="first")
    keys = allrows.loc[dup, ["station_id", "observed_at"]]
    overlap = allrows.merge(keys, on=["station_id", "observed_at"])
    first = (
        overlap.drop_duplicates(["station_id", "observed_at"], keep="first")
        .set_index(["station_id", "observed_at"])
        .sort_index()
    )
    last = (
        overlap.drop_duplicates(["station_id", "observed_at"], keep="last")
        .set_index(["station_id", "observed_at"])
        .sort_index()
    )
    report["dropped_duplicates"] = int(dup.sum())
    report["dropped_from"] = sorted(allrows.loc[dup, "_source"].unique().tolist())
    report["overlap_differs"] = {
        c: int((~((first[c] == last[c]) | (first[c].isna() & last[c].isna()))).sum()) for c in KDD_COLUMNS
    }
    kept = allrows.loc[~dup].drop(columns="_source")
    return _finish(kept), report


def _finish(df: pd.DataFrame) -> pd.DataFrame:
    """Sort by station and time, check uniqueness, store times as UTC milliseconds."""
    df = df.sort_values(["station_id", "observed_at"], ignore_index=True, kind="stable")
    if df.duplicated(["station_id", "observed_at"]).any():
        raise SystemExit("duplicate station-hours remain")
    df["observed_at"] = df["observed_at"].astype("datetime64[ms, UTC]")
    return df


def write_parquet(df: pd.DataFrame, path: Path, **options) -> None:
    """Write without the pandas index; strings dictionary-encoded, zstd."""
    table = pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)
    schema = pa.schema(
        [pa.field(f.name, pa.string()) if pa.types.is_large_string(f.type) else f for f in table.schema]
    )
    table = table.cast(schema)
    pq.write_table(table, path, **{**PARQUET_OPTIONS, **options})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the shared folder [path]")
    ap.add_argument("--out", type=Path, default=OUT, help="where to write the pack [path]")
    args = ap.parse_args(argv)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)

    boundaries = build_boundaries(args.shared)
    text = json.dumps(boundaries, ensure_ascii=False, separators=(",", ":"))
    (out / "boundaries.geojson").write_text(text + "\n", encoding="utf-8")

    stations = build_stations(args.shared, boundaries)
    write_parquet(stations, out / "stations.parquet")

    prsa = build_prsa(args.shared, stations)
    write_parquet(prsa, out / "observations_prsa.parquet")

    kdd, report = build_kdd(args.shared)
    unknown = set(kdd["station_id"]) - set(stations["station_id"])
    if unknown:
        raise SystemExit(f"KDD observations name stations not in the station list: {sorted(unknown)}")
    write_parquet(kdd, out / "observations_kdd2018.parquet")

    summary = {
        "boundaries": len(boundaries["features"]),
        "stations": len(stations),
        "prsa_rows": len(prsa),
        "prsa_non_missing": {c: int(prsa[c].notna().sum()) for c in PRSA_COLUMNS},
        "kdd_rows": len(kdd),
        "kdd_non_missing": {c: int(kdd[c].notna().sum()) for c in KDD_COLUMNS},
        "kdd_files": report,
        "sizes_bytes": {p.name: p.stat().st_size for p in sorted(out.iterdir()) if p.is_file()},
    }
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
