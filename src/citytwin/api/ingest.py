"""``POST /api/v1/ingest``: a batch of readings through the ingestion pipeline.

The body is a JSON array of records in any form `citytwin.ingest` reads (flat readings,
key-value or NGSI-LD normalized documents). The answer gives, per record, ``accepted``,
``duplicate`` or ``refused`` with the reason; refused records go to the quarantine. Every
reading is stored with ``source`` = ``principal:<name>``. A writer's records about entities of
another jurisdiction (or unknown entities) are refused here, before the pipeline sees them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from citytwin.api.deps import StateDep, WriteAccess
from citytwin.api.problems import BadRequestData, TooManyResults

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["ingest"])

_ID_KEYS = ("entity_id", "id", "entityId")
_EXAMPLE = [{"entity_id": "urn:ngsi-ld:AirQualityObserved:tongzhou", "attribute": "pm25",
             "observed_at": "2024-05-01T08:00:00Z", "value": 35.0, "unit": "ug/m3"}]


def _entity_id(record: Any) -> str | None:
    if isinstance(record, dict):
        for key in _ID_KEYS:
            if isinstance(record.get(key), str):
                return record[key]
    return None


def _pipeline(state):
    pipeline = getattr(state, "pipeline", None)
    if pipeline is None:
        from citytwin.ingest import Pipeline, Quarantine

        pipeline = state.pipeline = Pipeline(state.twin, Quarantine.in_data_dir(state.twin.config.data_dir))
    return pipeline


@router.post("/ingest", summary="Ingest a batch of readings")
def ingest(
    state: StateDep,
    principal: WriteAccess,
    records: Annotated[list[Any], Body(openapi_examples={"reading": {"value": _EXAMPLE}})],
    zone: Annotated[str | None, Query(description="IANA zone of timestamps without offset, e.g. Asia/Shanghai")]
    = None,
) -> dict:
    """Store each record's readings, or refuse the record with the reason (quarantined)."""
    if not records:
        raise BadRequestData("an ingest batch needs at least one record")
    if len(records) > state.max_batch:
        raise TooManyResults(f"{len(records)} records in one batch: at most {state.max_batch}")
    outcomes: list[dict | None] = [None] * len(records)
    with state.write_lock:
        ids = sorted({i for i in map(_entity_id, records) if i is not None})
        jurisdiction = {e.id: e.jurisdiction for e in state.twin.entities(ids=ids)} if ids else {}
        allowed = []
        for index, record in enumerate(records):
            entity_id = _entity_id(record)
            if entity_id in jurisdiction and not principal.may_write(jurisdiction[entity_id]):
                outcomes[index] = {"index": index, "status": "refused",
                                   "reason": f"principal {principal.name!r} may not write entity {entity_id} "
                                             f"of jurisdiction {jurisdiction[entity_id]}"}
            else:
                allowed.append(index)
        result = None
        if allowed:
            try:
                result = _pipeline(state).ingest([records[i] for i in allowed], principal.source, zone=zone)
            finally:
                state.latest_cache.forget(ids)
            for outcome in result.outcomes:
                index = allowed[outcome.index]
                outcomes[index] = {"index": index, "status": outcome.status, "reason": outcome.reason}
    counts = {s: sum(1 for o in outcomes if o["status"] == s) for s in ("accepted", "duplicate", "refused")}
    state.metrics.count_ingest(counts["accepted"], counts["duplicate"], counts["refused"])
    return {"accepted": counts["accepted"], "duplicates": counts["duplicate"], "refused": counts["refused"],
            "readings_stored": result.readings_stored if result else 0,
            "log_size": state.twin.log.size, "outcomes": outcomes}
