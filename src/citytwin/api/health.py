"""``/healthz`` (liveness and the state of the twin) and ``/metrics`` (Prometheus text format).

``/healthz`` stays open to anyone (a load balancer has no key), but where the twin is not public
(``[api] public_read = false``) it tells an anonymous caller only ``ok`` or ``degraded``; the log's
size and origin go to callers who may read. ``/metrics`` follows the read access of the twin.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from citytwin.api.deps import CallerDep, ReadAccess, StateDep
from citytwin.api.metrics import CONTENT_TYPE_LATEST

__all__ = ["router"]

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Health")
def healthz(state: StateDep, caller: CallerDep) -> dict:
    """``ok`` when the store holds every entry of the log; to readers also the log's size and origin."""
    twin = state.twin
    log_size, store_size = twin.log.size, state.reader().store.log_size
    status = "ok" if store_size == log_size else "degraded"
    if caller is None and not state.public_read:
        return {"status": status}
    return {"status": status, "log_size": log_size, "store_log_size": store_size, "origin": twin.log.origin}


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(state: StateDep, _: ReadAccess) -> Response:
    """Requests, latencies, ingested records and the log size, in the Prometheus text format."""
    return Response(state.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
