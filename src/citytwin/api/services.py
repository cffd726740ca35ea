"""``/api/v1/services``: facilities, access per jurisdiction (nearest, reach, cross-border sharing), registry.

Reads only; they need read access. An unknown kind or grouping is a 400, an unknown jurisdiction
or a kind with no facility a 404 problem detail.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from citytwin.api.deps import ReadAccess, ReaderDep

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/services", tags=["services"])
_DEFAULT = ["110112", "131082", "131028", "131024"]


@router.get("/facilities", summary="Facilities with kind, capacity and occupancy")
def facilities(reader: ReaderDep, _: ReadAccess,
               kind: Annotated[str | None, Query(description="hospital, elderly_care, school, kindergarten")] = None
               ) -> list[dict]:
    from citytwin.services.district import facilities as find

    frame = find(reader, kind)
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


@router.get("/access/{kind}", summary="Nearest facility, 15-minute reach and cross-border sharing per jurisdiction, "
                                     "by road network distance where roads are loaded")
def access(kind: str, reader: ReaderDep, _: ReadAccess,
           jurisdiction: Annotated[list[str] | None, Query(description="Jurisdiction codes.")] = None,
           minutes: Annotated[float, Query(gt=0, description="Walking time [min].")] = 15.0,
           speed_kmh: Annotated[float, Query(gt=0, description="Speed [km/h].")] = 5.0,
           mode: Annotated[str, Query(description="walk or drive, over a loaded road network")] = "walk") -> dict:
    from citytwin.services.district import access_report

    return access_report(reader, kind, jurisdiction or _DEFAULT, minutes, speed_kmh, mode)


@router.get("/registry", summary="Medical institutions of the reference registry by type, grade or town")
def registry(_: ReadAccess, jurisdiction: Annotated[str, Query(description="Jurisdiction code.")] = "110112",
             by: Annotated[str, Query(description="type, grade or town")] = "type") -> dict:
    from citytwin.services.registry import registry_summary

    return registry_summary(jurisdiction, by)
