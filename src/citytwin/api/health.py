"""``/healthz`` (liveness and the state of the twin) and ``/metrics`` (Prometheus text format)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from citytwin.api.deps import StateDep
from citytwin.api.metrics import CONTENT_TYPE_LATEST

__all__ = ["router"]

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Health")
def healthz(state: StateDep) -> dict:
    """``ok`` when the store holds every entry of the log; the log's size and checkpoint root."""
    twin = state.twin
    log_size, store_size = twin.log.size, state.reader().store.log_size
    return {"status": "ok" if store_size == log_size else "degraded", "log_size": log_size,
            "store_log_size": store_size, "origin": twin.log.origin}


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(state: StateDep) -> Response:
    """Requests, latencies, ingested records and the log size, in the Prometheus text format."""
    return Response(state.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
