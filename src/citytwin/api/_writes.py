"""Writes of the NGSI-LD routes: each request's entities become new versions through `twin.commit`.

One function, `apply`, serves every write (create, upsert, merge, append, update, delete): under
the application's write lock it reads the current versions, builds each next version, checks the
caller's jurisdiction, validates the readings, and commits everything accepted in one batch (one
log append). Each entity gets an `Outcome`, so batch operations can answer per entity (207).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import pandas as pd

from citytwin.api._ngsild import DELETED, ParsedEntity, is_deleted, merged_entity
from citytwin.api.access import Principal
from citytwin.api.problems import AlreadyExists, ApiProblem, BadRequestData, Forbidden, ResourceNotFound
from citytwin.api.state import ApiState
from citytwin.twin import Entity
from citytwin.twin.model import format_time
from citytwin.twin.validate import REQUIRED_COLUMNS, validate_observations

__all__ = ["OPERATIONS", "Outcome", "apply"]

OPERATIONS = ("create", "upsert-replace", "upsert-update", "merge", "append", "append-keep", "update", "delete")


@dataclass
class Outcome:
    """What became of one entity of a write."""

    entity_id: str
    created: bool = False
    error: ApiProblem | None = None
    skipped: list[str] = field(default_factory=list)
    stored: int = 0


def _next_version(op: str, current: Entity | None, parsed: ParsedEntity, principal: Principal, now: datetime):
    live = current is not None and not is_deleted(current)
    if op == "create" and live:
        raise AlreadyExists(f"entity {parsed.id} exists already")
    if op in ("merge", "append", "append-keep", "update", "delete") and not live:
        raise ResourceNotFound(f"no entity {parsed.id} in the twin")
    if live and parsed.type is not None and parsed.type != current.type:
        raise BadRequestData(f"entity {parsed.id} has type {current.type!r}, not {parsed.type!r}")
    if op == "delete":
        properties = {**current.properties, DELETED: format_time(now), "dataProvider": principal.source}
        return replace(current, properties=properties, valid_from=None, version=None, log_index=None), [], False
    replace_all = not live or op in ("create", "upsert-replace")
    entity, skipped = merged_entity(
        current, parsed, replace=replace_all,
        principal_source=principal.source, only_existing=op == "update", no_overwrite=op == "append-keep")
    if not live and "jurisdiction" not in parsed.given and entity.jurisdiction is None:
        entity = replace(entity, jurisdiction=principal.jurisdiction)
    if entity.type is None:
        raise BadRequestData(f"entity {parsed.id}: no type given")
    return entity, skipped, not live


def _authorize(principal: Principal, current: Entity | None, entity: Entity) -> None:
    for jurisdiction in {current.jurisdiction if current is not None else entity.jurisdiction, entity.jurisdiction}:
        if not principal.may_write(jurisdiction):
            raise Forbidden(
                f"principal {principal.name!r} ({principal.role} of {principal.jurisdiction}) may not write "
                f"entity {entity.id} of jurisdiction {jurisdiction}")


def _check_readings(entity_id: str, readings: list[dict]) -> None:
    if not readings:
        return
    _, rejections = validate_observations(pd.DataFrame(readings, columns=REQUIRED_COLUMNS))
    if rejections:
        reasons = "; ".join(r.reason for r in rejections[:5])
        raise BadRequestData(f"entity {entity_id}: {len(rejections)} reading(s) refused: {reasons}")


def apply(state: ApiState, principal: Principal, items: list[ParsedEntity], op: str) -> list[Outcome]:
    """Commit the next version (and the readings) of each entity of `items`; one outcome each."""
    if op not in OPERATIONS:
        raise ValueError(f"operation {op!r}: expected one of {OPERATIONS}")
    outcomes = [Outcome(p.id) for p in items]
    with state.write_lock:
        twin = state.twin
        now = datetime.now(UTC)
        ids = sorted({p.id for p in items})
        current = {e.id: e for e in twin.entities(ids=ids)} if ids else {}
        records: list = []
        owners: dict[int, Outcome] = {}
        for parsed, outcome in zip(items, outcomes, strict=True):
            try:
                before = current.get(parsed.id)
                entity, outcome.skipped, outcome.created = _next_version(op, before, parsed, principal, now)
                live_before = before if before is not None and not is_deleted(before) else None
                _authorize(principal, live_before, entity)
                readings = [{**r, "source": principal.source} for r in parsed.observations]
                _check_readings(parsed.id, readings)
            except ApiProblem as e:
                outcome.error = e
                continue
            current[parsed.id] = entity  # a later item of the same batch builds on this version
            owners[len(records)] = outcome
            records.append(entity)
            for reading in readings:
                owners[len(records)] = outcome
                records.append(reading)
        if not records:
            return outcomes
        try:
            result = twin.commit(records)
        finally:
            state.latest_cache.forget({o.entity_id for o in owners.values()})
    state.metrics.count_ingest(result.accepted, result.duplicates, len(result.rejected))
    for rejection in result.rejected:
        entity_id = rejection.record.get("entity_id") or rejection.record.get("id")
        for outcome in outcomes:
            if outcome.entity_id == entity_id and outcome.error is None:
                outcome.error = BadRequestData(f"entity {entity_id}: {rejection.reason}")
    stored = {id(o) for o in owners.values()}
    for outcome in outcomes:
        if id(outcome) in stored and outcome.error is None:
            outcome.stored = 1
    return outcomes
