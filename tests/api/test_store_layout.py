"""The layout of the observations table behind fast one-station queries: each row carries its
entity's key, rows are stored in key order so DuckDB skips other entities' row groups, and a store
made before the key existed is rewritten once when opened, answering every query as before."""

from datetime import UTC, datetime, timedelta

import duckdb
import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from citytwin.twin import Entity, Twin

STATIONS = [Entity(f"urn:ngsi-ld:AirQualityObserved:s{i:02d}", "AirQualityObserved", "110112",
                   {"type": "Point", "coordinates": [116.6 + i / 100, 39.9]}, {}) for i in range(8)]
HOURS = 60_000  # 8 stations × 60,000 hours: 480,000 readings, four DuckDB row groups


@pytest.fixture(scope="module")
def twin_dir(tmp_path_factory):
    """Synthetic hourly PM2.5 (labelled synthetic), committed in batches of 160,000 readings, station
    by station as the reference loader sends them; each batch arrives with its stations shuffled."""
    path = tmp_path_factory.mktemp("layout") / "data"
    rng = np.random.default_rng(5)
    times = pd.date_range(datetime(2015, 1, 1, tzinfo=UTC), periods=HOURS, freq="h").astype("datetime64[us, UTC]")
    frame = pd.DataFrame({"entity_id": np.repeat([s.id for s in STATIONS], HOURS),
                          "attribute": "pm25", "observed_at": np.tile(times, len(STATIONS)),
                          "value": rng.gamma(2.0, 30.0, HOURS * len(STATIONS)).round(1), "unit": "ug/m3",
                          "source": "synthetic:layout-test"})
    with Twin.init(path, origin="test.citytwin/layout") as twin:
        twin.commit(STATIONS)
        for start in range(0, len(frame), 160_000):
            batch = frame.iloc[start:start + 160_000].sample(frac=1.0, random_state=start)
            assert twin.commit_observations(batch).accepted == 160_000
    return path


def _row_group_keys(db) -> pd.DataFrame:
    stats = db.execute("SELECT row_group_id, stats FROM pragma_storage_info('observations') "
                       "WHERE column_name = 'entity_key' AND stats LIKE '%max%'").fetchall()
    return pd.DataFrame([{"group": g, "min": s["min"], "max": s["max"]} for g, s in stats])


def _answers(twin: Twin) -> dict[str, pd.DataFrame]:
    start, end = "2016-01-01T00:00:00Z", "2017-01-01T00:00:00Z"
    return {"daily": twin.aggregate("pm25", "1d", entity_id=STATIONS[3].id, start=start, end=end),
            "raw": twin.observations(STATIONS[5].id, "pm25", start, end),
            "latest": twin.latest()}


def test_batches_are_stored_in_entity_key_order_and_queries_skip_other_stations(twin_dir):
    with Twin.open(twin_dir) as twin:
        db = twin.store.db
        keys = dict(db.execute("SELECT entity_id, min(log_index) FROM entities GROUP BY ALL").fetchall())
        stored = dict(db.execute("SELECT DISTINCT entity_id, entity_key FROM observations").fetchall())
        assert stored == keys
        groups = _row_group_keys(db)
        assert (groups.sort_values("group")["min"].diff().dropna() >= 0).all()
        key = keys[STATIONS[0].id]
        plan = db.execute(
            "EXPLAIN ANALYZE SELECT count(*) FROM observations WHERE entity_key = $k AND entity_id = $e",
            {"k": key, "e": STATIONS[0].id}).fetchall()[0][1]
        scanned, total = next(line for line in plan.splitlines() if "Row Groups Scanned" in line) \
            .split(":")[1].strip(" │").split(" / ")
        assert int(scanned) <= (groups["min"].le(key) & groups["max"].ge(key)).sum() < int(total)


def test_a_store_made_without_entity_keys_is_rewritten_once_and_answers_as_before(twin_dir, tmp_path):
    import shutil

    copy = tmp_path / "old"
    shutil.copytree(twin_dir, copy)
    with Twin.open(copy) as twin:
        before = _answers(twin)
        size = twin.store.log_size
    db = duckdb.connect(str(copy / "twin.duckdb"))  # the table as it was made before the key existed
    db.execute("CREATE TABLE old AS SELECT * EXCLUDE (entity_key) FROM observations ORDER BY observed_at")
    db.execute("DROP TABLE observations")
    db.execute("ALTER TABLE old RENAME TO observations")
    db.close()
    with Twin.open(copy) as twin:
        assert twin.store.log_size == size
        after = _answers(twin)
        assert (_row_group_keys(twin.store.db).sort_values("group")["min"].diff().dropna() >= 0).all()
        twin.verify()
    for name, frame in before.items():
        assert_frame_equal(frame, after[name], check_exact=False, rtol=1e-12, obj=name)


def test_readings_of_an_entity_made_later_get_its_key(twin_dir, tmp_path):
    import shutil

    copy = tmp_path / "later"
    shutil.copytree(twin_dir, copy)
    late = Entity("urn:ngsi-ld:AirQualityObserved:late", "AirQualityObserved", "110112",
                  {"type": "Point", "coordinates": [116.7, 39.8]}, {})
    when = datetime(2020, 1, 1, tzinfo=UTC)
    with Twin.open(copy) as twin:
        result = twin.commit([late] + [{"entity_id": late.id, "attribute": "no2", "value": 10.0 + h, "unit": "ug/m3",
                                        "observed_at": (when + timedelta(hours=h)).isoformat(), "source": "test"}
                                       for h in range(3)])
        assert result.accepted == 4
        keys = twin.store.db.execute("SELECT DISTINCT entity_key FROM observations WHERE entity_id = ?",
                                     [late.id]).fetchall()
        assert keys == [(result.first_index,)]
        assert twin.observations(late.id, "no2")["value"].tolist() == [10.0, 11.0, 12.0]
        assert twin.observations(late.id, "no2", limit=2, newest_first=True)["value"].tolist() == [11.0, 12.0]
