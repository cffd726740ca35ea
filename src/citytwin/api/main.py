"""The citytwin HTTP application: `create_app(data_dir)` builds it over one open twin.

Routers are listed in `ROUTERS` as ``module:attribute`` paths, imported when the app is built;
an application package (air, carbon, ...) adds its ``/api/v1/<app>`` router with one line.
"""

from __future__ import annotations

import importlib
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from citytwin.api import problems
from citytwin.api.metrics import MetricsMiddleware
from citytwin.api.state import ApiState

__all__ = ["ROUTERS", "create_app"]

ROUTERS = [
    "citytwin.api.health:router",
    "citytwin.api.ngsi:router",
    "citytwin.api.temporal:router",
    "citytwin.api.log:router",
    "citytwin.api.proofs:router",
    "citytwin.api.ingest:router",
    "citytwin.api.air:router",
    "citytwin.api.dashboard:router",
    "citytwin.web:router",
    "citytwin.api.finance:router",
    "citytwin.api.transport:router",
    "citytwin.api.projects:router",
    "citytwin.api.green:router",
    "citytwin.api.services:router",
    # apps: "citytwin.air.api:router", "citytwin.carbon.api:router", ...
]

_DESCRIPTION = """The city's digital twin over HTTP: NGSI-LD entities and temporal queries
(ETSI GS CIM 009 subset) under `/ngsi-ld/v1/`, the transparency log under `/log/`, proofs and
batch ingestion under `/api/v1/`. Errors are RFC 9457 problem details. Authenticate with
`Authorization: Bearer <API key>` (keys from `citytwin principals add`)."""


def _router(path: str):
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


def create_app(data_dir: Path | str) -> FastAPI:
    """The application over the twin in `data_dir` (opened now, closed at shutdown, reopened at
    a later startup)."""
    state = ApiState(Path(data_dir))

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        state.open()
        yield
        state.close()

    app = FastAPI(title="citytwin", version="0.1.0", description=_DESCRIPTION, lifespan=lifespan)
    app.state.citytwin = state
    problems.install(app)
    for path in ROUTERS:
        app.include_router(_router(path))
    app.add_middleware(MetricsMiddleware, metrics_of=lambda: state.metrics)
    return app
