"""`citytwin load reference`: every non-missing reading of the raw CSVs is stored, once.

The raw files are those of ../shared/data (the sources of the packed reference data); the test
is skipped only where that folder is absent (a user's clone without it).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from citytwin.cli import app
from citytwin.datasets.load import COMPASS_DEGREES
from citytwin.twin import Twin

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "air"
PRSA_COLUMNS = {"PM2.5": "pm25", "PM10": "pm10", "SO2": "so2", "NO2": "no2", "CO": "co", "O3": "o3",
                "TEMP": "temperature", "PRES": "pressure", "DEWP": "dewpoint", "RAIN": "precipitation",
                "WSPM": "windSpeed", "wd": "windDirection"}
KDD_COLUMNS = {"PM2.5": "pm25", "PM10": "pm10", "NO2": "no2", "CO": "co", "O3": "o3", "SO2": "so2"}

pytestmark = pytest.mark.skipif(not SHARED.exists(), reason=f"raw source data not found at {SHARED}")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    directory = tmp_path_factory.mktemp("reference") / "data"
    runner = CliRunner()
    assert runner.invoke(app, ["--data-dir", str(directory), "init"]).exit_code == 0
    first = runner.invoke(app, ["--data-dir", str(directory), "load", "reference", "--json"])
    assert first.exit_code == 0, first.output
    return directory, first.output


def raw_prsa() -> pd.DataFrame:
    frames = [pd.read_csv(f) for f in sorted(SHARED.glob("prsa/PRSA_Data_*.csv.gz"))]
    frame = pd.concat(frames, ignore_index=True)
    local = pd.to_datetime(frame[["year", "month", "day", "hour"]])
    frame["observed_at"] = local.dt.tz_localize("Asia/Shanghai").dt.tz_convert("UTC")
    return frame


def raw_kdd_counts() -> pd.Series:
    official = pd.read_csv(SHARED / "kdd2018/beijing_201802_201803_aq.csv.gz")
    january = pd.read_csv(SHARED / "kdd2018/beijing_201801_aq_partial_from_B04902039.csv.gz")
    api = pd.read_csv(SHARED / "kdd2018/beijing_aq_api_20180331_20180531.csv.gz").rename(columns={
        "station_id": "stationId", "time": "utc_time", "PM25_Concentration": "PM2.5",
        "PM10_Concentration": "PM10", "NO2_Concentration": "NO2", "CO_Concentration": "CO",
        "O3_Concentration": "O3", "SO2_Concentration": "SO2"})
    frame = pd.concat([january, official, api], ignore_index=True)
    # the official and API files overlap on 2018-03-31 07:00..15:00: one reading per station-hour
    frame = frame.drop_duplicates(["stationId", "utc_time"], keep="first")
    frame["station"] = frame["stationId"].str.removesuffix("_aq").replace({"pingchang": "changping",
                                                                           "yanqin": "yanqing"})
    return frame.groupby("station")[list(KDD_COLUMNS)].count().rename(columns=KDD_COLUMNS).stack()


def stored_counts(directory, source) -> pd.Series:
    with Twin.open(directory) as twin:
        frame = twin.store.db.execute(
            "SELECT replace(entity_id, 'urn:ngsi-ld:AirQualityObserved:', '') AS station, attribute, count(*) AS n "
            "FROM observations WHERE source = ? GROUP BY ALL", [source]).df()
    return frame.set_index(["station", "attribute"])["n"].sort_index()


def test_every_non_missing_prsa_reading_is_stored(loaded):
    raw = raw_prsa()
    raw["station"] = raw["station"].str.lower()
    expected = raw.groupby("station")[list(PRSA_COLUMNS)].count().rename(columns=PRSA_COLUMNS).stack()
    expected = expected[expected > 0].sort_index()
    got = stored_counts(loaded[0], "reference:prsa")
    assert got.index.tolist() == expected.index.tolist()
    assert got.tolist() == expected.tolist()
    assert set(raw["wd"].dropna()) <= set(COMPASS_DEGREES)


def test_every_non_missing_kdd_reading_is_stored(loaded):
    expected = raw_kdd_counts()
    expected = expected[expected > 0].sort_index()
    got = stored_counts(loaded[0], "reference:kdd2018")
    assert got.index.tolist() == expected.index.tolist()
    assert got.tolist() == expected.tolist()


@pytest.mark.parametrize("station", ["Dongsi", "Huairou", "Wanliu"])
def test_daily_means_equal_pandas_from_the_raw_csv(loaded, station):
    raw = raw_prsa()
    raw = raw[raw["station"] == station]
    local_day = raw["observed_at"].dt.tz_convert("Asia/Shanghai").dt.tz_localize(None).dt.floor("D")
    with Twin.open(loaded[0]) as twin:
        for column, attribute, scale in (("PM2.5", "pm25", 1.0), ("CO", "co", 1e-3), ("TEMP", "temperature", 1.0)):
            expected = (raw[column] * scale).groupby(local_day).mean().dropna()
            got = twin.aggregate(attribute, "1d", entity_id=f"urn:ngsi-ld:AirQualityObserved:{station.lower()}",
                                 end="2017-03-01T00:00:00+08:00")  # the PRSA years only
            got = got.set_index("period")["mean"]
            sample = np.random.default_rng(7).choice(len(expected), size=60, replace=False)
            days = expected.index[sample]
            assert got.loc[days].to_numpy() == pytest.approx(expected.loc[days].to_numpy(), rel=1e-9), attribute
            assert len(got) == len(expected)


def test_loading_twice_stores_nothing_twice(loaded):
    directory, first_output = loaded
    import json

    first = json.loads(first_output)
    assert first["observations"]["rejected"] == 0 and first["entities"]["rejected"] == 0
    again = CliRunner().invoke(app, ["--data-dir", str(directory), "load", "reference", "--json"])
    assert again.exit_code == 0, again.output
    second = json.loads(again.output)
    assert second["observations"]["stored"] == 0 and second["entities"]["stored"] == 0
    assert second["observations"]["already_stored"] == first["observations"]["stored"]
    assert second["status"]["log_size"] == first["status"]["log_size"]
    # the other programs' reference data (issue 11) comes with it, once
    assert first["programs"] == {"parks": 1, "metro_stations": 425, "projects": 41}
    assert second["programs"] == {"parks": 0, "metro_stations": 0, "projects": 0}
