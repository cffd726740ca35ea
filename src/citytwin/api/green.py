"""``/api/v1/green``: green-space indicators per jurisdiction and the reference figures beside the published ones.

Reads only; they need read access. An unknown jurisdiction is a 404 problem detail.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from citytwin.api.deps import ReadAccess, ReaderDep

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/green", tags=["green"])
_DEFAULT = ["110112", "131082", "131028", "131024"]


@router.get("/indicators", summary="Green and park area, park per resident, park service radii, forest cover")
def indicators(
    reader: ReaderDep, _: ReadAccess,
    jurisdiction: Annotated[list[str] | None, Query(description="Jurisdiction codes.")] = None,
) -> list[dict]:
    from citytwin.green.district import indicators as compute
    from citytwin.green.district import read_layers, zone_geometry

    layers = read_layers(reader)
    return [compute(layers, code, zone_geometry(reader, code)) for code in jurisdiction or _DEFAULT]


@router.get("/reference", summary="Tongzhou's computed figures beside the published ones, with sources")
def reference(reader: ReaderDep, _: ReadAccess) -> dict:
    from citytwin.green.reference import reference_report

    return reference_report(reader)
