"""The twin's store: one DuckDB file holding entity versions and observations (DESIGN.md, "Store").

All SQL of the twin lives here. Every row keeps the index of its log entry (`log_index`), and the
`meta` table records how many log entries the store holds (`log_size`), updated in the same
transaction as the rows, so the store can tell which log entries it still has to apply after a
crash. `latest_observations`, also kept in that transaction, holds the most recent reading per
entity and attribute (latest `observed_at`, then latest log index). Times are TIMESTAMPTZ in
UTC; "daily" and "monthly" use the Asia/Shanghai natural day and month (HJ 633 counts in natural days).

Layout of `observations` for one-entity queries: DuckDB skips a row group by the minimum and
maximum of each of its columns, but keeps only an 8-byte prefix of a string for them, and every
entity id starts with ``urn:ngsi-ld:``, so a filter on `entity_id` alone skips nothing. Each row
therefore also holds `entity_key`, the log index of its entity's first version (an integer fixed
when the entity is created, in creation order), and each batch is inserted sorted by
(entity_key, attribute, observed_at): a query names the key, and the row groups of other
entities are skipped. A store made before the column existed is rewritten once, in that order,
when opened for writing.

`daily_observations` holds, per entity, attribute and Asia/Shanghai day, the count, sum, minimum
and maximum of the readings. Readings are only ever added (a duplicate is refused before it is
written), so each write merges its batch's own count, sum, minimum and maximum per day into the
table, in the same transaction; the table equals a fresh aggregation up to the order of the
floating-point sums (`daily_anomalies` checks it, to a relative 1e-9). Daily and monthly
aggregates of entities over whole days read it instead of the readings.
"""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pandas as pd

from citytwin.errors import BadInputError
from citytwin.twin.config import keep_private

__all__ = ["AGGREGATE_PERIODS", "Store", "STATISTICS"]

_LOCAL = "Asia/Shanghai"
_LOCAL_ZONE = ZoneInfo(_LOCAL)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entities (
    entity_id    VARCHAR NOT NULL,
    version      INTEGER NOT NULL,
    type         VARCHAR NOT NULL,
    jurisdiction VARCHAR,
    location     VARCHAR,
    lon DOUBLE, lat DOUBLE,
    min_lon DOUBLE, min_lat DOUBLE, max_lon DOUBLE, max_lat DOUBLE,
    properties   VARCHAR NOT NULL,
    valid_from   TIMESTAMPTZ NOT NULL,
    log_index    BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS observations (
    entity_id   VARCHAR NOT NULL,
    attribute   VARCHAR NOT NULL,
    observed_at TIMESTAMPTZ NOT NULL,
    value       DOUBLE NOT NULL,
    unit        VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    log_index   BIGINT NOT NULL,
    entity_key  BIGINT NOT NULL DEFAULT -1  -- -1: a row written without its entity's key
);
CREATE TABLE IF NOT EXISTS latest_observations (
    entity_id   VARCHAR NOT NULL,
    attribute   VARCHAR NOT NULL,
    observed_at TIMESTAMPTZ NOT NULL,
    value       DOUBLE NOT NULL,
    unit        VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    log_index   BIGINT NOT NULL,
    PRIMARY KEY (entity_id, attribute)
);
CREATE TABLE IF NOT EXISTS daily_observations (
    entity_key  BIGINT NOT NULL,
    entity_id   VARCHAR NOT NULL,
    attribute   VARCHAR NOT NULL,
    day         DATE NOT NULL,  -- Asia/Shanghai natural day
    count       BIGINT NOT NULL,
    sum         DOUBLE NOT NULL,
    min         DOUBLE NOT NULL,
    max         DOUBLE NOT NULL,
    PRIMARY KEY (entity_id, attribute, day)
);
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
INSERT INTO meta VALUES ('log_size', '0') ON CONFLICT DO NOTHING;
"""

ENTITY_COLUMNS = [
    "entity_id", "version", "type", "jurisdiction", "location", "lon", "lat",
    "min_lon", "min_lat", "max_lon", "max_lat", "properties", "valid_from", "log_index",
]
OBSERVATION_COLUMNS = ["entity_id", "attribute", "observed_at", "value", "unit", "source", "log_index"]

# Period of an aggregate → the SQL bucket of an observation (local = Asia/Shanghai wall time).
AGGREGATE_PERIODS = {
    "1h": "date_trunc('hour', observed_at)",
    "1d": "date_trunc('day', timezone('Asia/Shanghai', observed_at))",
    "1mo": "date_trunc('month', timezone('Asia/Shanghai', observed_at))",
}
STATISTICS = {"mean": "avg(value)", "min": "min(value)", "max": "max(value)", "count": "count(value)",
              "sum": "sum(value)"}
_DAILY_STATISTICS = {"mean": "sum(sum) / sum(count)", "min": "min(min)", "max": "max(max)",
                     "count": "CAST(sum(count) AS BIGINT)", "sum": "sum(sum)"}
_DAILY_PERIODS = {"1d": "CAST(day AS TIMESTAMP)", "1mo": "CAST(date_trunc('month', day) AS TIMESTAMP)"}
_DAY_STATISTICS = {"mean": "sum / count", "min": "min", "max": "max", "count": "count", "sum": "sum"}  # one day's row

# Merge a batch's newest reading per entity and attribute into latest_observations.
_MERGE_LATEST = """
INSERT INTO latest_observations
SELECT entity_id, attribute, max(observed_at), arg_max(value, (observed_at, log_index)),
       arg_max(unit, (observed_at, log_index)), arg_max(source, (observed_at, log_index)),
       max_by(log_index, (observed_at, log_index))
FROM {source} GROUP BY entity_id, attribute
ON CONFLICT (entity_id, attribute) DO UPDATE SET
    observed_at = excluded.observed_at, value = excluded.value, unit = excluded.unit,
    source = excluded.source, log_index = excluded.log_index
WHERE (excluded.observed_at, excluded.log_index) > (latest_observations.observed_at, latest_observations.log_index)
"""

# The key of each entity of a batch (the view {source}, rows `n`): the log index of its first
# version, as `k.entity_key` (NULL if it has none).
_ENTITY_KEYS = """LEFT JOIN (
    SELECT entity_id, min(log_index) AS entity_key FROM entities
    WHERE entity_id IN (SELECT DISTINCT entity_id FROM {source}) GROUP BY entity_id
) k ON k.entity_id = n.entity_id"""

_INSERT_OBSERVATIONS = f"""
INSERT INTO observations
SELECT n.entity_id, n.attribute, n.observed_at, n.value, n.unit, n.source, n.log_index,
       coalesce(k.entity_key, -1)
FROM {{source}} n {_ENTITY_KEYS}
ORDER BY coalesce(k.entity_key, -1), n.attribute, n.observed_at, n.log_index
"""

_LOCAL_DAY = "CAST(timezone('Asia/Shanghai', observed_at) AS DATE)"

# Count, sum, minimum and maximum of the readings `o` of each entity, attribute and local day.
_DAILY = f"""
SELECT o.entity_key, o.entity_id, o.attribute, {_LOCAL_DAY.replace("observed_at", "o.observed_at")} AS day,
       count(*) AS count, sum(o.value) AS sum, min(o.value) AS min, max(o.value) AS max
FROM observations o {{touched}} GROUP BY ALL ORDER BY o.entity_key, o.attribute, day
"""

# Add a batch's (the view {source}) count, sum, minimum and maximum per entity, attribute and day.
_MERGE_DAILY = f"""
INSERT INTO daily_observations
SELECT coalesce(k.entity_key, -1), n.entity_id, n.attribute, {_LOCAL_DAY.replace("observed_at", "n.observed_at")},
       count(*), sum(n.value), min(n.value), max(n.value)
FROM {{source}} n {_ENTITY_KEYS}
GROUP BY ALL
ON CONFLICT (entity_id, attribute, day) DO UPDATE SET
    count = daily_observations.count + excluded.count, sum = daily_observations.sum + excluded.sum,
    min = least(daily_observations.min, excluded.min), max = greatest(daily_observations.max, excluded.max)
"""

_LATEST_ENTITIES = """
    SELECT * FROM entities e
    WHERE valid_from <= $as_of
    QUALIFY row_number() OVER (PARTITION BY entity_id ORDER BY version DESC) = 1
"""


class Store:
    """A DuckDB file with the twin's tables. Open it with :meth:`open`; close it with :meth:`close`."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: Path) -> None:
        self.db = connection
        self.path = path
        self._keys: dict[str, int] = {}  # entity_key never changes once the entity exists

    @classmethod
    def open(cls, path: Path, read_only: bool = False) -> Store:
        """Open (creating if needed) the store at `path`."""
        try:
            connection = duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as e:
            raise BadInputError(f"cannot open the store {path}: {e}") from e
        if not read_only:
            keep_private(path)
        connection.execute("SET TimeZone = 'UTC'")
        connection.execute("SET enable_progress_bar = false")  # library code prints nothing
        if not read_only:
            had_latest = connection.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'latest_observations'"
            ).fetchone()[0]
            had_key = connection.execute(
                "SELECT count(*) FROM duckdb_columns() WHERE table_name = 'observations' AND column_name = 'entity_key'"
            ).fetchone()[0]
            had_observations, had_daily = connection.execute(
                "SELECT count(*) FILTER (table_name = 'observations'), count(*) FILTER (table_name = "
                "'daily_observations') FROM duckdb_tables()").fetchone()
            connection.execute(_SCHEMA)
            if had_observations and not had_key:  # a store made before the column existed
                _add_entity_key(connection)
            if not had_daily:  # a store made before the table existed: fill it once
                connection.execute("INSERT INTO daily_observations" + _DAILY.format(touched=""))
            if not had_latest:  # a store made before the table existed: fill it once
                connection.execute(_MERGE_LATEST.format(source="observations"))
        return cls(connection, path)

    def close(self) -> None:
        self.db.close()

    # ---- writing -------------------------------------------------------------------------
    @property
    def log_size(self) -> int:
        """How many log entries the store has applied."""
        return int(self.db.execute("SELECT value FROM meta WHERE key = 'log_size'").fetchone()[0])

    def write(self, entities: pd.DataFrame | None, observations: pd.DataFrame | None, log_size: int) -> None:
        """Insert entity versions and observations and set `log_size`, in one transaction."""
        db = self.db
        db.execute("BEGIN TRANSACTION")
        try:
            if entities is not None and len(entities):
                db.register("_new_entities", entities[ENTITY_COLUMNS])
                db.execute("INSERT INTO entities SELECT * FROM _new_entities")
                db.unregister("_new_entities")
            if observations is not None and len(observations):
                db.register("_new_observations", observations[OBSERVATION_COLUMNS])
                db.execute(_INSERT_OBSERVATIONS.format(source="_new_observations"))
                db.execute(_MERGE_LATEST.format(source="_new_observations"))
                db.execute(_MERGE_DAILY.format(source="_new_observations"))
                db.unregister("_new_observations")
            db.execute("UPDATE meta SET value = ? WHERE key = 'log_size'", [str(log_size)])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def daily_anomalies(self) -> pd.DataFrame:
        """Days whose row in `daily_observations` differs from the readings (or is missing, or extra)."""
        return self.db.execute(f"""
            SELECT coalesce(d.entity_id, f.entity_id) AS entity_id, coalesce(d.attribute, f.attribute) AS attribute,
                   coalesce(d.day, f.day) AS day, d.count AS stored_count, f.count AS count
            FROM daily_observations d FULL OUTER JOIN ({_DAILY.format(touched="")}) f
              ON d.entity_id = f.entity_id AND d.attribute = f.attribute AND d.day = f.day
            WHERE d.count IS DISTINCT FROM f.count OR d.min IS DISTINCT FROM f.min OR d.max IS DISTINCT FROM f.max
               OR d.entity_key IS DISTINCT FROM f.entity_key OR abs(d.sum - f.sum) > 1e-9 * (abs(f.sum) + 1)
            ORDER BY ALL""").df()

    def duplicate_mask(self, batch: pd.DataFrame) -> pd.Series:
        """True for each row of `batch` whose idempotency key is already stored."""
        if not len(batch):
            return pd.Series([], dtype=bool)
        keys = batch[["entity_id", "attribute", "observed_at", "source"]].copy()
        keys["_row"] = range(len(keys))
        entity_keys = self.entity_keys(keys["entity_id"].unique().tolist()) or [-1]
        self.db.register("_keys", keys)
        try:
            rows = self.db.execute(
                """SELECT k._row FROM _keys k SEMI JOIN (
                       SELECT * FROM observations WHERE entity_key BETWEEN $k0 AND $k1) o
                   ON o.entity_id = k.entity_id AND o.attribute = k.attribute
                  AND o.observed_at = k.observed_at AND o.source = k.source""",
                {"k0": min(entity_keys), "k1": max(entity_keys)},
            ).fetchnumpy()["_row"]
        finally:
            self.db.unregister("_keys")
        mask = pd.Series(False, index=batch.index)
        mask.iloc[rows] = True
        return mask

    # ---- entities ------------------------------------------------------------------------
    def latest_entities(self, ids: list[str]) -> pd.DataFrame:
        """The latest version of each of `ids` that exists."""
        return self.db.execute(
            "SELECT * FROM entities WHERE entity_id IN (SELECT unnest($ids)) "
            "QUALIFY row_number() OVER (PARTITION BY entity_id ORDER BY version DESC) = 1",
            {"ids": ids},
        ).df()

    def entity_keys(self, ids: list[str]) -> list[int]:
        """The `entity_key` of each of `ids` that has a version (see the module docstring)."""
        missing = [i for i in ids if i not in self._keys]
        if missing:
            rows = self.db.execute(
                "SELECT entity_id, min(log_index) FROM entities WHERE entity_id IN (SELECT unnest($ids)) "
                "GROUP BY entity_id", {"ids": missing},
            ).fetchall()
            self._keys.update(rows)
        return [self._keys[i] for i in ids if i in self._keys]

    def known_entity_ids(self, ids: list[str]) -> set[str]:
        rows = self.db.execute(
            "SELECT DISTINCT entity_id FROM entities WHERE entity_id IN (SELECT unnest($ids))", {"ids": ids}
        ).fetchall()
        return {r[0] for r in rows}

    def entities(
        self,
        *,
        as_of: datetime,
        type: str | None = None,
        jurisdiction: str | None = None,
        ids: list[str] | None = None,
        id_pattern: str | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        near: tuple[float, float, float] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[dict]:
        """Entity versions current at `as_of`, filtered, as rows; `near` is (lon, lat, max_distance_m)."""
        where, params = [], {"as_of": as_of}
        if type is not None:
            where.append("type = $type")
            params["type"] = type
        if jurisdiction is not None:
            where.append("jurisdiction = $jurisdiction")
            params["jurisdiction"] = jurisdiction
        if ids is not None:
            where.append("entity_id IN (SELECT unnest($ids))")
            params["ids"] = list(ids)
        if id_pattern is not None:
            where.append("regexp_full_match(entity_id, $id_pattern)")
            params["id_pattern"] = id_pattern
        if bbox is not None:
            where.append("max_lon >= $x0 AND min_lon <= $x1 AND max_lat >= $y0 AND min_lat <= $y1")
            params.update(x0=bbox[0], y0=bbox[1], x1=bbox[2], y1=bbox[3])
        order = "entity_id"
        distance = ""
        if near is not None:
            # great-circle distance on the mean Earth radius (IUGG, 6,371,008.8 m), haversine formula
            distance = (
                ", 2 * 6371008.8 * asin(sqrt(pow(sin(radians(lat - $lat0) / 2), 2) + cos(radians($lat0))"
                " * cos(radians(lat)) * pow(sin(radians(lon - $lon0) / 2), 2))) AS distance_m"
            )
            where.append("lon IS NOT NULL")
            params.update(lon0=near[0], lat0=near[1], max_m=near[2])
            order = "distance_m, entity_id"
        sql = f"SELECT *{distance} FROM ({_LATEST_ENTITIES}) e"
        if where:
            sql += " WHERE " + " AND ".join(where)
        if near is not None:
            sql = f"SELECT * FROM ({sql}) WHERE distance_m <= $max_m"
        sql += f" ORDER BY {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        if offset:
            sql += f" OFFSET {int(offset)}"
        return _records(self.db.execute(sql, params))

    def entity_versions(self, entity_id: str) -> list[dict]:
        """Every version of one entity, oldest first, as rows."""
        return _records(self.db.execute("SELECT * FROM entities WHERE entity_id = ? ORDER BY version", [entity_id]))

    # ---- observations --------------------------------------------------------------------
    def observations(
        self, entity_id: str, attribute: str, start: datetime | None, end: datetime | None,
        *, limit: int | None = None, newest_first: bool = False,
    ) -> pd.DataFrame:
        """Readings of one attribute of one entity with start <= observed_at < end, in time order;
        with `limit`, only the first (or, `newest_first`, the last) `limit` of them."""
        keys = self.entity_keys([entity_id])
        order = "DESC" if newest_first else ""
        frame = self.db.execute(
            f"""SELECT observed_at, value, unit, source, log_index FROM observations
               WHERE entity_key = $k AND entity_id = $e AND attribute = $a
                 AND ($start IS NULL OR observed_at >= $start) AND ($end IS NULL OR observed_at < $end)
               ORDER BY observed_at {order}, source {order} {'' if limit is None else f'LIMIT {int(limit)}'}""",
            {"k": keys[0] if keys else -1, "e": entity_id, "a": attribute, "start": start, "end": end},
        ).df()
        return frame.iloc[::-1].reset_index(drop=True) if newest_first else frame

    def aggregate(
        self,
        attribute: str,
        every: str,
        *,
        by: str,
        entity_ids: list[str] | None,
        jurisdiction: str | None,
        start: datetime | None,
        end: datetime | None,
        statistics: tuple[str, ...],
    ) -> pd.DataFrame:
        """Aggregates of an attribute per period and per entity (`by="entity"`) or jurisdiction."""
        if by == "entity" and entity_ids is not None and jurisdiction is None and every in _DAILY_PERIODS \
                and _local_midnight(start) and _local_midnight(end):
            return self._aggregate_days(attribute, every, entity_ids, start, end, statistics)
        bucket = AGGREGATE_PERIODS[every]
        stats = ", ".join(f"{STATISTICS[s]} AS {s}" for s in statistics)
        group = "o.entity_id" if by == "entity" else "e.jurisdiction"
        join = ""
        filters = ["o.attribute = $a"]
        params: dict = {"a": attribute}
        if start is not None:  # only the bounds given, as constants the scan can skip row groups by
            filters.append("o.observed_at >= $start")
            params["start"] = start
        if end is not None:
            filters.append("o.observed_at < $end")
            params["end"] = end
        if entity_ids is not None:
            keys = self.entity_keys(entity_ids) or [-1]
            filters += ["o.entity_key BETWEEN $k0 AND $k1", "o.entity_id IN (SELECT unnest($ids))"]
            params.update(ids=list(entity_ids), k0=min(keys), k1=max(keys))
        if by == "jurisdiction" or jurisdiction is not None:
            join = (
                "JOIN (SELECT entity_id, jurisdiction FROM entities QUALIFY row_number() OVER "
                "(PARTITION BY entity_id ORDER BY version DESC) = 1) e USING (entity_id)"
            )
        if jurisdiction is not None:
            filters.append("e.jurisdiction = $j")
            params["j"] = jurisdiction
        sql = f"""SELECT {group} AS {by if by == 'jurisdiction' else 'entity_id'},
                         {bucket.replace('observed_at', 'o.observed_at')} AS period, {stats}
                  FROM observations o {join}
                  WHERE {' AND '.join(filters)}
                  GROUP BY ALL ORDER BY ALL"""
        return self.db.execute(sql, params).df()

    def _aggregate_days(self, attribute: str, every: str, entity_ids: list[str], start: datetime | None,
                        end: datetime | None, statistics: tuple[str, ...]) -> pd.DataFrame:
        """`aggregate` of whole Asia/Shanghai days, from `daily_observations`."""
        keys = self.entity_keys(entity_ids) or [-1]
        filters = ["attribute = $a", "entity_key BETWEEN $k0 AND $k1", "entity_id IN (SELECT unnest($ids))"]
        params: dict = {"a": attribute, "k0": min(keys), "k1": max(keys), "ids": list(entity_ids)}
        if start is not None:
            filters.append("day >= $d0")
            params["d0"] = pd.Timestamp(start).tz_convert(_LOCAL).date()
        if end is not None:
            filters.append("day < $d1")
            params["d1"] = pd.Timestamp(end).tz_convert(_LOCAL).date()
        stats = ", ".join(f"{_DAILY_STATISTICS[s]} AS {s}" for s in statistics)
        return self.db.execute(
            f"""SELECT entity_id, {_DAILY_PERIODS[every]} AS period, {stats} FROM daily_observations
                WHERE {' AND '.join(filters)} GROUP BY ALL ORDER BY ALL""", params).df()

    def entity_periods(self, entity_id: str, attribute: str, every: str, start: datetime | None,
                       end: datetime | None, statistics: tuple[str, ...]) -> dict[str, np.ndarray]:
        """Aggregates of one attribute of one entity per period, oldest first, as columns: `start_us`
        and `end_us` (the period's bounds, UTC, microseconds since the epoch), then one per statistic.

        Whole Asia/Shanghai days and months read `daily_observations` (days one row each, without
        grouping); other windows and hours read the readings, as `aggregate` does."""
        keys = self.entity_keys([entity_id])
        params: dict = {"k": keys[0] if keys else -1, "e": entity_id, "a": attribute}
        filters = ["entity_key = $k", "entity_id = $e", "attribute = $a"]
        if every in _DAILY_PERIODS and _local_midnight(start) and _local_midnight(end):
            bounds = [(start, "day >= $d0", "d0"), (end, "day < $d1", "d1")]
            params.update({name: t.astimezone(_LOCAL_ZONE).date() for t, _, name in bounds if t is not None})
            table, stats, bucket = "daily_observations", _DAILY_STATISTICS, _DAILY_PERIODS[every]
            if every == "1d":
                stats, bucket = _DAY_STATISTICS, "CAST(day AS TIMESTAMP)"
        else:
            bounds = [(start, "observed_at >= $t0", "t0"), (end, "observed_at < $t1", "t1")]
            params.update({name: t for t, _, name in bounds if t is not None})
            table, stats, bucket = "observations", STATISTICS, AGGREGATE_PERIODS[every]
        filters += [clause for t, clause, _ in bounds if t is not None]
        group = "" if stats is _DAY_STATISTICS else "GROUP BY ALL"
        columns = self.db.execute(
            f"""SELECT epoch_us({bucket}) AS period, {', '.join(f'{stats[s]} AS {s}' for s in statistics)}
                FROM {table} WHERE {' AND '.join(filters)} {group} ORDER BY period""", params).fetchnumpy()
        first, after = _period_bounds_us(columns.pop("period"), every)
        return {"start_us": first, "end_us": after, **columns}

    def latest_values(self, entity_ids: list[str] | None, attribute: str | None) -> pd.DataFrame:
        """The most recent reading per entity and attribute."""
        return self.db.execute(
            """SELECT entity_id, attribute, observed_at, value, unit, source, log_index FROM latest_observations
               WHERE ($ids IS NULL OR entity_id IN (SELECT unnest($ids))) AND ($a IS NULL OR attribute = $a)
               ORDER BY entity_id, attribute""",
            {"ids": entity_ids, "a": attribute},
        ).df()

    def counts(self) -> dict[str, int]:
        entities, versions = self.db.execute(
            "SELECT count(DISTINCT entity_id), count(*) FROM entities"
        ).fetchone()
        observations = self.db.execute("SELECT count(*) FROM observations").fetchone()[0]
        return {"entities": entities, "entity_versions": versions, "observations": observations}

    def rows_by_log_index(self, start: int, stop: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The entity and observation rows whose log_index is in [start, stop)."""
        params = [start, stop]
        entities = self.db.execute(
            "SELECT * FROM entities WHERE log_index >= ? AND log_index < ? ORDER BY log_index", params
        ).df()
        observations = self.db.execute(
            "SELECT * EXCLUDE (entity_key) FROM observations WHERE log_index >= ? AND log_index < ? ORDER BY log_index",
            params
        ).df()
        return entities, observations

    def log_index_anomalies(self, log_size: int) -> pd.DataFrame:
        """Rows whose log_index is outside [0, log_size) or shared by more than one row."""
        return self.db.execute(
            """WITH all_rows AS (
                   SELECT 'entity' AS kind, entity_id, NULL AS attribute, log_index FROM entities
                   UNION ALL
                   SELECT 'observation', entity_id, attribute, log_index FROM observations)
               SELECT *, count(*) OVER (PARTITION BY log_index) AS copies FROM all_rows
               QUALIFY log_index < 0 OR log_index >= $n OR copies > 1
               ORDER BY log_index""",
            {"n": log_size},
        ).df()


_MIDNIGHTS_FROM = np.datetime64("1970-01-01", "D")
_MIDNIGHTS_TO = np.datetime64("2100-01-01", "D")  # Asia/Shanghai midnights all exist and are unambiguous here


@functools.cache
def _utc_midnights() -> np.ndarray:
    """The UTC instant (microseconds) of each Asia/Shanghai midnight from 1970 to 2100, by day."""
    local = pd.DatetimeIndex(np.arange(_MIDNIGHTS_FROM, _MIDNIGHTS_TO).astype("datetime64[us]"))
    return local.tz_localize(_LOCAL).as_unit("us").asi8


def _local_to_utc_us(local_us: np.ndarray) -> np.ndarray:
    """Asia/Shanghai wall times (microseconds, as if UTC) of midnights → UTC instants; a table
    lookup within 1970-2100, the tz database through pandas otherwise."""
    days = local_us // 86_400_000_000
    first, last = _MIDNIGHTS_FROM.astype(np.int64), _MIDNIGHTS_TO.astype(np.int64)
    if len(days) and days.min() >= first and days.max() < last and not (local_us % 86_400_000_000).any():
        return _utc_midnights()[days - first]
    return pd.DatetimeIndex(local_us.astype("datetime64[us]")).tz_localize(_LOCAL).as_unit("us").asi8


def _period_bounds_us(period_us: np.ndarray, every: str) -> tuple[np.ndarray, np.ndarray]:
    """The UTC start and end (microseconds since the epoch) of periods given by their start as
    `AGGREGATE_PERIODS` buckets them: UTC for hours, Asia/Shanghai wall time for days and months
    (the next day or month is counted on the wall, then made UTC)."""
    if every == "1h":
        return period_us, period_us + 3_600_000_000
    if every == "1d":
        after = period_us + 86_400_000_000
    else:
        months = period_us.astype("datetime64[us]").astype("datetime64[M]")
        after = (months + 1).astype("datetime64[us]").astype(np.int64)
    return _local_to_utc_us(period_us), _local_to_utc_us(after)


def _local_midnight(time: datetime | None) -> bool:
    """Whether `time` is open (None) or the start of an Asia/Shanghai day."""
    if time is None:
        return True
    local = time.astimezone(_LOCAL_ZONE)
    return (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)


def _records(result: duckdb.DuckDBPyConnection) -> list[dict]:
    """The rows of a small result as dicts, much cheaper than a DataFrame for a few rows (pandas
    builds an Arrow array per string column)."""
    names = [column[0] for column in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def _add_entity_key(db: duckdb.DuckDBPyConnection) -> None:
    """Rewrite an `observations` table made without `entity_key` with the key, in key order, in one
    transaction."""
    db.execute("BEGIN TRANSACTION")
    try:
        db.execute("ALTER TABLE observations RENAME TO observations_without_key")
        db.execute(_SCHEMA)
        db.execute(_INSERT_OBSERVATIONS.format(source="observations_without_key"))
        db.execute("DROP TABLE observations_without_key")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
