"""Queries of the twin and its tamper check, mixed into `Twin` (the SQL itself is in `store.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import orjson
import pandas as pd
import shapely

from citytwin.errors import BadInputError, NotFoundError, VerificationError
from citytwin.twin.attributes import attribute as attribute_spec
from citytwin.twin.model import Entity, parse_geometry, parse_time, validate_entity_id
from citytwin.twin.store import AGGREGATE_PERIODS, STATISTICS

__all__ = ["QueryMixin", "VerifyReport"]

_VERIFY_CHUNK = 200_000
_MAX_PROBLEMS_NAMED = 50


@dataclass
class VerifyReport:
    """The outcome of `Twin.verify`: rows checked and each problem found."""

    log_size: int = 0
    rows_checked: int = 0
    altered: list[dict] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)
    extra: list[dict] = field(default_factory=list)
    daily: list[dict] = field(default_factory=list)  # days whose daily aggregate differs from the readings

    @property
    def ok(self) -> bool:
        return not (self.altered or self.missing or self.extra or self.daily)

    def describe(self) -> str:
        lines = [f"{len(self.altered)} altered, {len(self.missing)} missing, {len(self.extra)} extra rows"]
        lines += [f"altered row at log index {a['log_index']}: {a['entity_id']} {a.get('attribute') or ''}".rstrip()
                  for a in self.altered[:_MAX_PROBLEMS_NAMED]]
        lines += [f"missing row for log index {i}" for i in self.missing[:_MAX_PROBLEMS_NAMED]]
        lines += [f"extra row with log index {e['log_index']}: {e['entity_id']} {e.get('attribute') or ''}".rstrip()
                  for e in self.extra[:_MAX_PROBLEMS_NAMED]]
        if self.daily:
            lines.append(f"{len(self.daily)} daily aggregates differ from the readings")
            lines += [f"daily aggregate of {d['entity_id']} {d['attribute']} on {d['day']} differs from its readings "
                      f"(count: expected {d['count']}, got {d['stored_count']})"
                      for d in self.daily[:_MAX_PROBLEMS_NAMED]]
        return "\n".join(lines)


def _time(value) -> datetime | None:
    return None if value is None else parse_time(value)


def _check_aggregate(attribute: str, every: str, statistics: tuple[str, ...]) -> None:
    attribute_spec(attribute)
    if every not in AGGREGATE_PERIODS:
        raise BadInputError(f"aggregation period {every!r}: expected one of {', '.join(AGGREGATE_PERIODS)}")
    unknown = [s for s in statistics if s not in STATISTICS]
    if unknown:
        raise BadInputError(f"statistics {unknown}: expected some of {', '.join(STATISTICS)}")


def _entity(row: dict) -> Entity:
    return Entity(
        id=row["entity_id"],
        type=row["type"],
        jurisdiction=row["jurisdiction"] if isinstance(row["jurisdiction"], str) else None,
        location=orjson.loads(row["location"]) if isinstance(row["location"], str) else None,
        properties=orjson.loads(row["properties"]),
        valid_from=pd.Timestamp(row["valid_from"]).to_pydatetime(),
        version=int(row["version"]),
        log_index=int(row["log_index"]),
    )


class QueryMixin:
    """Entity, observation and aggregate queries; `verify` and `status`."""

    def entities(
        self,
        *,
        type: str | None = None,
        jurisdiction: str | None = None,
        ids: list[str] | None = None,
        id_pattern: str | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        within: dict | None = None,
        intersects: dict | None = None,
        near: tuple[float, float, float] | None = None,
        as_of: datetime | str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Entity]:
        """Entities current at `as_of` (default: now), by type, jurisdiction, ids, id regex, bounding
        box (lon/lat min, max), inside or intersecting a GeoJSON geometry, or within `near` =
        (lon, lat, max_distance_m) of a point, nearest first."""
        as_of = _time(as_of) or datetime.now(UTC)
        shape, predicate = None, None
        if within is not None or intersects is not None:
            if within is not None and intersects is not None:
                raise BadInputError("give either within or intersects, not both")
            shape = parse_geometry(within if within is not None else intersects)
            predicate = shapely.within if within is not None else shapely.intersects
            box = shape.bounds
            bbox = box if bbox is None else (max(bbox[0], box[0]), max(bbox[1], box[1]),
                                             min(bbox[2], box[2]), min(bbox[3], box[3]))
        rows = self.store.entities(
            as_of=as_of, type=type, jurisdiction=jurisdiction, ids=ids, id_pattern=id_pattern, bbox=bbox,
            near=near, limit=None if shape is not None else limit, offset=0 if shape is not None else offset,
        )
        found = [_entity(r) for r in rows]
        if shape is not None:
            geometries = [parse_geometry(e.location) for e in found]
            keep = predicate(geometries, shape) if geometries else []
            found = [e for e, k in zip(found, keep, strict=True) if k]
            found = found[offset:offset + limit if limit is not None else None]
        return found

    def entity(self, entity_id: str, as_of: datetime | str | None = None) -> Entity:
        """The version of one entity current at `as_of` (default: the latest)."""
        found = self.entities(ids=[entity_id], as_of=as_of)
        if not found:
            when = f" as of {as_of}" if as_of else ""
            raise NotFoundError(f"no entity {entity_id!r} in the twin{when}")
        return found[0]

    def entity_type(self, entity_id: str) -> str:
        """The type of an entity that has a version: the type in its id, which every version must
        carry (`Twin.commit` refuses another); found without reading the entity (its key is
        remembered)."""
        if not self.store.entity_keys([entity_id]):
            raise NotFoundError(f"no entity {entity_id!r} in the twin")
        return validate_entity_id(entity_id)

    def entity_history(self, entity_id: str) -> list[Entity]:
        """Every version of one entity, oldest first."""
        rows = self.store.entity_versions(entity_id)
        if not rows:
            raise NotFoundError(f"no entity {entity_id!r} in the twin")
        return [_entity(r) for r in rows]

    def observations(
        self, entity_id: str, attribute: str, start: datetime | str | None = None, end: datetime | str | None = None,
        *, limit: int | None = None, newest_first: bool = False,
    ) -> pd.DataFrame:
        """Readings of `attribute` of one entity with start <= observed_at < end (UTC), in time order;
        with `limit`, only the first `limit` of them (the last, with `newest_first`).

        Columns: observed_at (UTC), value (canonical unit), unit, source, log_index."""
        attribute_spec(attribute)
        if limit is not None and limit < 1:
            raise BadInputError(f"limit {limit}: expected a number of readings ≥ 1")
        return self.store.observations(entity_id, attribute, _time(start), _time(end), limit=limit,
                                       newest_first=newest_first)

    def aggregate(
        self,
        attribute: str,
        every: str = "1d",
        *,
        entity_id: str | None = None,
        jurisdiction: str | None = None,
        by: str = "entity",
        start: datetime | str | None = None,
        end: datetime | str | None = None,
        statistics: tuple[str, ...] = ("mean", "min", "max", "count"),
    ) -> pd.DataFrame:
        """Aggregates of an attribute per period (`1h`; `1d` and `1mo` by Asia/Shanghai natural day
        and month) per entity (`by="entity"`) or per jurisdiction (`by="jurisdiction"`).

        Columns: entity_id or jurisdiction, period (start of the bucket; local wall time for 1d and
        1mo, UTC for 1h), then one column per statistic."""
        _check_aggregate(attribute, every, statistics)
        if by not in ("entity", "jurisdiction"):
            raise BadInputError(f"aggregate by {by!r}: expected 'entity' or 'jurisdiction'")
        return self.store.aggregate(
            attribute, every, by=by, entity_ids=[entity_id] if entity_id else None, jurisdiction=jurisdiction,
            start=_time(start), end=_time(end), statistics=tuple(statistics),
        )

    def entity_periods(
        self, entity_id: str, attribute: str, every: str, *, start: datetime | str | None = None,
        end: datetime | str | None = None, statistics: tuple[str, ...] = ("mean",),
    ) -> dict[str, np.ndarray]:
        """`aggregate` of one entity as numpy columns, for answers of a few hundred periods that a
        DataFrame would only slow down: `start_us` and `end_us` (each period's bounds in UTC,
        microseconds since the epoch), then one column per statistic; oldest period first."""
        _check_aggregate(attribute, every, statistics)
        return self.store.entity_periods(entity_id, attribute, every, _time(start), _time(end), tuple(statistics))

    def latest(self, entity_id: str | None = None, attribute: str | None = None) -> pd.DataFrame:
        """The most recent reading per entity and attribute."""
        if attribute is not None:
            attribute_spec(attribute)
        return self.store.latest_values([entity_id] if entity_id else None, attribute)

    def status(self) -> dict:
        """Counts of the store and the state of the log."""
        checkpoint = self.log.checkpoint
        return {
            "data_dir": str(self.config.data_dir),
            **self.store.counts(),
            "log_size": self.log.size,
            "store_log_size": self.store.log_size,
            "checkpoint": {"origin": checkpoint.origin, "size": checkpoint.size, "root": checkpoint.root.hex()},
        }

    def verify(self, progress=None) -> VerifyReport:
        """Check the log against its checkpoint and signature, then every stored row against its
        log entry (issue 3, point 5), and the daily aggregates against the readings. Raises
        `VerificationError` naming each altered, missing or extra row and each differing day;
        returns the report when all holds."""
        self.log.verify(self.verifier)
        report = VerifyReport(log_size=self.log.size)
        for anomaly in self.store.log_index_anomalies(report.log_size).to_dict("records"):
            report.extra.append({k: anomaly[k] for k in ("kind", "entity_id", "attribute", "log_index")})
        for start in range(0, report.log_size, _VERIFY_CHUNK):
            stop = min(report.log_size, start + _VERIFY_CHUNK)
            stored = dict(self.iter_stored_entries(start, stop))
            report.rows_checked += len(stored)
            for index, entry in enumerate(self.log.entries(start, stop), start):
                mine = stored.get(index)
                if mine is None:
                    report.missing.append(index)
                elif mine != entry:
                    doc = orjson.loads(mine)
                    report.altered.append({"log_index": index, "entity_id": doc.get("entity_id", doc.get("id")),
                                           "attribute": doc.get("attribute")})
            if progress:
                progress(stop - start)
        report.daily = self.store.daily_anomalies().to_dict("records")
        if not report.ok:
            raise VerificationError("the store does not match the log: " + report.describe())
        return report
