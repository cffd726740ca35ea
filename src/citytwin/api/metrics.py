"""Prometheus metrics of the API (text exposition format 0.0.4), on a registry per application.

* ``citytwin_http_requests_total{method, route, status}`` — requests answered;
* ``citytwin_http_request_duration_seconds{method, route}`` — latency histogram;
* ``citytwin_ingest_records_total{outcome}`` — records posted for ingestion, by outcome
  (accepted, duplicate, refused);
* ``citytwin_log_size`` — entries in the transparency log.

`route` is the route's path template (``/ngsi-ld/v1/entities/{entity_id}``), so that the number
of series stays bounded whatever the URLs requested.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE_LATEST", "Metrics", "MetricsMiddleware"]

_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class Metrics:
    """The metrics of one application."""

    def __init__(self, log_size: Callable[[], int]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("citytwin_http_requests", "HTTP requests answered",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("citytwin_http_request_duration_seconds", "Time to answer an HTTP request",
                                 ["method", "route"], buckets=_BUCKETS, registry=self.registry)
        self.ingested = Counter("citytwin_ingest_records", "Records posted for ingestion, by outcome",
                                ["outcome"], registry=self.registry)
        self.log_size = Gauge("citytwin_log_size", "Entries in the transparency log", registry=self.registry)
        self.log_size.set_function(log_size)

    def count_ingest(self, accepted: int, duplicates: int, refused: int) -> None:
        for outcome, n in (("accepted", accepted), ("duplicate", duplicates), ("refused", refused)):
            if n:
                self.ingested.labels(outcome).inc(n)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """ASGI middleware: times and counts each HTTP request; drops a trailing slash of the path
    (NGSI-LD clients post to ``/entities/``) so that both spellings reach the same route."""

    def __init__(self, app, metrics_of: Callable[[], Metrics | None]) -> None:
        self.app = app
        self.metrics_of = metrics_of

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if len(path) > 1 and path.endswith("/"):
            scope = dict(scope, path=path.rstrip("/") or "/", raw_path=None)
        started = time.perf_counter()
        status = 500

        async def send_status(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            metrics = self.metrics_of()
            if metrics is not None:
                route = scope.get("route")
                template = getattr(route, "path", None) or "unmatched"
                metrics.requests.labels(scope["method"], template, str(status)).inc()
                metrics.latency.labels(scope["method"], template).observe(time.perf_counter() - started)
