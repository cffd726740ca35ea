"""The store's daily aggregates (count, sum, min, max per entity, attribute and Asia/Shanghai day):
kept equal to the readings through every write, read by daily and monthly queries of whole days,
filled for an older store, and checked by `verify`."""

import shutil
from datetime import UTC, datetime, timedelta

import duckdb
import numpy as np
import pandas as pd
import pytest

from citytwin.errors import VerificationError
from citytwin.twin import Twin
from twin_records import STATIONS, TONGZHOU_STATION

TZ = TONGZHOU_STATION.id
RAW_DAILY = """SELECT entity_id, date_trunc('day', timezone('Asia/Shanghai', observed_at)) AS period,
    avg(value) AS mean, min(value) AS min, max(value) AS max, count(value) AS count, sum(value) AS sum
    FROM observations WHERE entity_id = $e AND attribute = 'pm25' GROUP BY ALL ORDER BY ALL"""


def _readings(start: datetime, hours: int, seed: int, source: str = "test") -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"entity_id": TZ, "attribute": "pm25",
                         "observed_at": pd.date_range(start, periods=hours, freq="h").astype("datetime64[us, UTC]"),
                         "value": rng.gamma(2.0, 30.0, hours).round(1), "unit": "ug/m3", "source": source})


@pytest.fixture(scope="module")
def daily_dir(tmp_path_factory):
    """Tongzhou PM2.5 in batches that split local days (each starts at 05:00 UTC, 13:00 local),
    one batch overlapping another (duplicates), one from a second source on the same hours."""
    path = tmp_path_factory.mktemp("daily") / "data"
    start = datetime(2024, 1, 1, 5, tzinfo=UTC)
    with Twin.init(path, origin="test.citytwin/daily") as twin:
        twin.commit(STATIONS)
        for i in range(4):
            twin.commit_observations(_readings(start + timedelta(hours=30 * i), 30, seed=i))
        twin.commit_observations(_readings(start + timedelta(hours=20), 40, seed=1))  # partly stored already
        twin.commit_observations(_readings(start + timedelta(hours=50), 10, seed=9, source="test:b"))
    return path


def test_daily_aggregates_equal_the_readings_after_every_write(daily_dir):
    with Twin.open(daily_dir) as twin:
        assert twin.store.daily_anomalies().empty
        raw = twin.store.db.execute(RAW_DAILY, {"e": TZ}).df()
        got = twin.aggregate("pm25", "1d", entity_id=TZ, statistics=("mean", "min", "max", "count", "sum"))
        assert got["period"].tolist() == raw["period"].tolist()
        assert got["count"].tolist() == raw["count"].tolist() and raw["count"].sum() == 130
        for column in ("mean", "min", "max", "sum"):
            np.testing.assert_allclose(got[column], raw[column], rtol=1e-12)
        monthly = twin.aggregate("pm25", "1mo", entity_id=TZ, statistics=("mean", "count"))
        assert monthly["count"].tolist() == [130]
        np.testing.assert_allclose(monthly["mean"], [raw["sum"].sum() / 130], rtol=1e-12)


def test_windows_not_on_local_midnight_read_the_readings(daily_dir):
    with Twin.open(daily_dir) as twin:
        start = "2024-01-02T01:00:00Z"  # 09:00 in Asia/Shanghai: part of a day
        part = twin.aggregate("pm25", "1d", entity_id=TZ, start=start, statistics=("count",))
        readings = twin.observations(TZ, "pm25", start=start)
        assert part["count"].sum() == len(readings)
        whole = twin.aggregate("pm25", "1d", entity_id=TZ, start="2024-01-01T16:00:00Z", statistics=("count",))
        assert whole["count"].sum() == len(twin.observations(TZ, "pm25", start="2024-01-01T16:00:00Z"))
        assert part["count"].iloc[0] < whole["count"].iloc[0]


def test_an_older_store_gets_its_daily_aggregates_and_verify_finds_altered_ones(daily_dir, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(daily_dir, copy)
    db = duckdb.connect(str(copy / "twin.duckdb"))
    db.execute("DROP TABLE daily_observations")  # as a store made before the table existed
    db.close()
    with Twin.open(copy) as twin:
        assert twin.store.daily_anomalies().empty
        assert twin.verify().ok
        twin.store.db.execute("UPDATE daily_observations SET sum = sum + 1 WHERE day = DATE '2024-01-03'")
        with pytest.raises(VerificationError, match="daily aggregate of .*tongzhou pm25 on 2024-01-03"):
            twin.verify()


@pytest.mark.parametrize("every", ["1h", "1d", "1mo"])
@pytest.mark.parametrize("start", [None, "2024-01-01T16:00:00Z", "2024-01-02T01:00:00Z"])  # local midnight, 09:00
def test_entity_periods_equal_the_aggregate_with_utc_bounds(daily_dir, every, start):
    statistics = ("mean", "min", "max", "count", "sum")
    with Twin.open(daily_dir) as twin:
        frame = twin.aggregate("pm25", every, entity_id=TZ, start=start, end="2024-01-06T16:00:00Z",
                               statistics=statistics)
        got = twin.entity_periods(TZ, "pm25", every, start=start, end="2024-01-06T16:00:00Z", statistics=statistics)
    assert len(frame) > 0 and len(got["start_us"]) == len(frame)
    starts = pd.DatetimeIndex(frame["period"])
    if every != "1h":  # local wall times of Asia/Shanghai
        starts = starts.tz_localize("Asia/Shanghai")
    step = {"1h": pd.Timedelta(hours=1), "1d": pd.Timedelta(days=1), "1mo": pd.offsets.MonthBegin(1)}[every]
    ends = (starts.tz_localize(None) + step).tz_localize(starts.tz)
    assert got["start_us"].tolist() == [t.value // 1000 for t in starts]
    assert got["end_us"].tolist() == [t.value // 1000 for t in ends]
    assert got["count"].tolist() == frame["count"].tolist()
    for column in ("mean", "min", "max", "sum"):
        np.testing.assert_allclose(got[column], frame[column], rtol=1e-12)


def test_entity_periods_of_an_entity_without_readings_are_empty(daily_dir):
    with Twin.open(daily_dir) as twin:
        other = next(s.id for s in STATIONS if s.id != TZ)
        got = twin.entity_periods(other, "no2", "1d", statistics=("mean", "count"))
    assert {k: len(v) for k, v in got.items()} == {"start_us": 0, "end_us": 0, "mean": 0, "count": 0}


def test_period_bounds_agree_with_the_tz_database_inside_and_outside_the_midnight_table():
    from citytwin.twin.store import _period_bounds_us

    for days in (["2014-01-01", "2014-02-01", "2024-03-01"], ["1969-12-01", "1970-01-01", "2099-12-01"],
                 ["2100-01-01", "2150-06-01"]):
        local = pd.DatetimeIndex(days).as_unit("us")
        starts, ends = _period_bounds_us(local.asi8, "1mo")
        assert starts.tolist() == local.tz_localize("Asia/Shanghai").asi8.tolist()
        after = (local + pd.offsets.MonthBegin(1)).as_unit("us")
        assert ends.tolist() == after.tz_localize("Asia/Shanghai").asi8.tolist()
        starts, ends = _period_bounds_us(local.asi8, "1d")
        assert ends.tolist() == (local + pd.Timedelta(days=1)).tz_localize("Asia/Shanghai").asi8.tolist()
