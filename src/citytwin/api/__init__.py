"""citytwin.api — the HTTP API: NGSI-LD entities and temporal queries, the log, proofs, ingest."""

from citytwin.api.main import ROUTERS, create_app

__all__ = ["ROUTERS", "create_app"]
