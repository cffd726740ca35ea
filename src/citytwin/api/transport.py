"""``/api/v1/transport``: the metro network, trips, stations by jurisdiction, reach, cross-border links,
and public-transport and EV shares as carbon-pathway measures.

Read-only; computed from the reference network (``citytwin.transport``), not from the twin's
store (``/measures`` from its query parameters alone). Travel-time parameters are query
parameters with the library's defaults (assumptions, see ``citytwin.transport.travel``). Unknown
stations are 404; bad parameters 400.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Annotated

from fastapi import APIRouter, Query

from citytwin.api.deps import ReadAccess

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/transport", tags=["transport"])

SpeedQ = Annotated[float, Query(description="Running speed as a fraction of design speed (assumption).")]
DwellQ = Annotated[float, Query(description="Dwell per intermediate stop [s] (assumption).")]
TransferQ = Annotated[float, Query(description="Time per change of line [s] (assumption).")]


@cache
def _network():
    from citytwin.transport.network import reference_network

    return reference_network()


@cache
def _places():
    from citytwin.datasets.reference import boundaries
    from citytwin.transport.places import station_places

    return station_places(_network(), boundaries())


@lru_cache(maxsize=8)  # one graph per distinct model; bounded, since the parameters come from callers
def _graph(speed_factor: float, dwell_s: float, transfer_s: float):
    from citytwin.transport.travel import TravelGraph, TravelModel

    return TravelGraph(_network(), TravelModel(speed_factor, dwell_s, transfer_s))


@router.get("/lines", summary="Lines: stations, length [m], design speed [km/h]")
def lines(_: ReadAccess) -> list[dict]:
    return [{"line": x.name, "name_en": x.name_en, "stations": list(x.stations), "length_m": x.length_m,
             "design_speed_kmh": x.design_speed_kmh, "loop": x.loop} for x in _network().lines]


@router.get("/stations", summary="Stations with WGS 84 position (±0.6 km) and jurisdiction")
def stations(_: ReadAccess, jurisdiction: Annotated[str | None, Query(description="Adcode, e.g. 110112.")] = None
             ) -> list[dict]:
    out = []
    for r in _places().to_dict("records"):
        if jurisdiction is None or r["jurisdiction"] == jurisdiction:
            out.append({"station": r["station"], "lines": _network().lines_at(r["station"]),
                        "lon": round(r["lon"], 6) if r["located"] else None,
                        "lat": round(r["lat"], 6) if r["located"] else None, "jurisdiction": r["jurisdiction"]})
    return out


@router.get("/route", summary="Fastest trip between two stations, leg by leg")
def route(_: ReadAccess, origin: Annotated[str, Query(alias="from")], destination: Annotated[str, Query(alias="to")],
          speed_factor: SpeedQ = 0.6, dwell_s: DwellQ = 30.0, transfer_s: TransferQ = 300.0) -> dict:
    return _graph(speed_factor, dwell_s, transfer_s).route(origin, destination).to_dict()


@router.get("/reach", summary="Each jurisdiction's stations and those reachable within a time")
def reach(_: ReadAccess, minutes: Annotated[float, Query(description="[min]")] = 30.0,
          jurisdiction: Annotated[list[str] | None, Query(description="Adcodes; default the four.")] = None,
          speed_factor: SpeedQ = 0.6, dwell_s: DwellQ = 30.0, transfer_s: TransferQ = 300.0) -> list[dict]:
    from citytwin.transport.places import REFERENCE_JURISDICTIONS, jurisdiction_reach

    codes = tuple(jurisdiction) if jurisdiction else REFERENCE_JURISDICTIONS
    return jurisdiction_reach(_graph(speed_factor, dwell_s, transfer_s), _places(), minutes, codes)


@router.get("/links", summary="Segments whose stations lie in different jurisdictions")
def links(_: ReadAccess, jurisdiction: Annotated[str | None, Query(description="Only links touching it.")] = None
          ) -> list[dict]:
    from citytwin.transport.places import cross_border_links

    return [x for x in cross_border_links(_network(), _places())
            if jurisdiction is None or jurisdiction in (x["from_jurisdiction"], x["to_jurisdiction"])]


ShareQ = Annotated[float, Query(description="Share [0–1].")]
SourceQ = Annotated[str, Query(description="Where the figure comes from (required).")]


@router.get("/measures", summary="Public-transport and EV shares, present and target, as carbon-pathway measures")
def measures(_: ReadAccess, pt_share: ShareQ, pt_source: SourceQ, ev_share: ShareQ, ev_source: SourceQ,
             year: Annotated[int, Query(description="Year of the present shares.")],
             target_year: Annotated[int, Query(description="Year of the target shares.")],
             target_pt_share: ShareQ, target_ev_share: ShareQ, target_source: SourceQ,
             ev_cost: Annotated[float, Query(description="EV measure cost per tonne abated [CNY/t CO2].")],
             pt_cost: Annotated[float, Query(description="Public-transport measure cost [CNY/t CO2].")],
             jurisdiction: Annotated[str, Query(description="Adcode.")] = "110112",
             start: Annotated[int | None, Query(description="First year of adoption; default: year.")] = None,
             midpoint: Annotated[float | None, Query(description="Year of half adoption; default: halfway.")] = None,
             steepness: Annotated[float, Query(description="Logistic adoption rate [1/yr].")] = 0.3,
             efficiency_ratio: Annotated[float, Query(description="Energy per vehicle-km, combustion over "
                                                                  "electric [-].")] = 3.0) -> dict:
    """``{"measures", "adoption_at_target_year", "context"}``; ``measures`` in the ``[[measures]]`` form of a
    pathway scenario, ``context`` the published Beijing-wide figures (not the sub-center's)."""
    from citytwin.transport.indicators import Indicators, check_share, measures_report

    for name, value in (("pt_share", pt_share), ("ev_share", ev_share), ("target_pt_share", target_pt_share),
                        ("target_ev_share", target_ev_share)):
        check_share(value, name)
    return measures_report(
        Indicators(jurisdiction, year, pt_share, ev_share, pt_source, ev_source),
        Indicators(jurisdiction, target_year, target_pt_share, target_ev_share, target_source, target_source),
        start=start, midpoint=midpoint, steepness=steepness, ev_cost_cny_per_t=ev_cost, pt_cost_cny_per_t=pt_cost,
        efficiency_ratio=efficiency_ratio)
