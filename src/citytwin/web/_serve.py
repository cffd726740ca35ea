"""Routes of the dashboard: ``/`` (the page) and ``/static/<file>`` (its scripts, styles and
dictionaries). Only files under ``static/`` are served; anything else is a 404 problem."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter
from fastapi import Path as PathParam
from fastapi.responses import FileResponse

from citytwin.api.problems import ResourceNotFound

__all__ = ["STATIC_DIR", "router"]

STATIC_DIR = Path(__file__).parent / "static"
_NO_CACHE = {"Cache-Control": "no-cache"}  # revalidate: the assets change with the package

router = APIRouter(tags=["dashboard"], include_in_schema=False)


@router.get("/")
def index() -> FileResponse:
    """The dashboard page."""
    return FileResponse(STATIC_DIR / "index.html", headers=_NO_CACHE)


@router.get("/static/{name:path}")
def static(name: Annotated[str, PathParam()]) -> FileResponse:
    """A built asset; paths that leave ``static/`` or name no file are 404."""
    root = STATIC_DIR.resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise ResourceNotFound(f"no dashboard asset {name!r}")
    return FileResponse(path, headers=_NO_CACHE)
