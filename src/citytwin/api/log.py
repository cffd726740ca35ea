"""The transparency log, read-only, straight from the log folder (C2SP tlog-tiles, "Paths").

``GET /log/checkpoint`` is the latest signed checkpoint (a short cache: it changes with every
append); ``GET /log/tile/<L>/<N>[.p/<W>]`` and ``GET /log/tile/entries/<N>[.p/<W>]`` are tiles
and entry bundles, which never change once written, so caches may keep them for a year
(``immutable``). A path is accepted only when `citytwin.ledger.tiles.parse_tile_path` accepts
it, which also rules out any traversal out of the folder. The same files can be served by any
static web server; tlog clients read them the same way.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from citytwin.api.deps import ReadAccess, StateDep
from citytwin.api.problems import InvalidRequest, ResourceNotFound
from citytwin.ledger.tiles import parse_tile_path

__all__ = ["router"]

router = APIRouter(prefix="/log", tags=["transparency log"])

TILE_CACHE = "public, max-age=31536000, immutable"
CHECKPOINT_CACHE = "public, max-age=5, must-revalidate"


@router.get("/checkpoint", response_class=Response, summary="Latest signed checkpoint")
def checkpoint(state: StateDep, _: ReadAccess) -> Response:
    """The log's latest checkpoint, a C2SP signed note (origin, size, root hash, signatures)."""
    data = (state.twin.config.log_dir / "checkpoint").read_bytes()
    return Response(data, media_type="text/plain; charset=utf-8", headers={"Cache-Control": CHECKPOINT_CACHE})


@router.get("/tile/{tile_path:path}", response_class=Response, summary="A tile or an entry bundle")
def tile(state: StateDep, _: ReadAccess,
         tile_path: Annotated[str, Path(description="<L>/<N>[.p/<W>] or entries/<N>[.p/<W>]")]) -> Response:
    """A hash tile or entry bundle of the log, as stored (immutable)."""
    rel = f"tile/{tile_path}"
    try:
        parse_tile_path(rel)
    except ValueError as e:
        raise InvalidRequest(str(e)) from None
    path = state.twin.config.log_dir / rel
    try:
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise ResourceNotFound(f"no tile {rel} in the log (not written yet, or beyond the log's size)") from None
    return Response(data, media_type="application/octet-stream", headers={"Cache-Control": TILE_CACHE})
