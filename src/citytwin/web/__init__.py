"""The web dashboard: built assets under ``static/`` (sources in ``web/`` of the repository, built
by ``make web``), served by ``citytwin serve`` at ``/`` with no request leaving the server."""

from citytwin.web._serve import STATIC_DIR, router

__all__ = ["STATIC_DIR", "router"]
