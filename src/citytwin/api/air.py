"""``/api/v1/air``: the air-quality app over HTTP, for the dashboard.

Read-only JSON over the twin's ``AirQualityObserved`` stations, the same documents as
``citytwin air ... --json`` (:mod:`citytwin.air.report`). Dates are Asia/Shanghai natural days
``YYYY-MM-DD``; bad parameters are 400 problem details, unknown stations or empty ranges 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from citytwin.air import report
from citytwin.api.deps import ReadAccess, ReaderDep

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/air", tags=["air"])

Day = Annotated[str, Query(alias="from", description="First day, YYYY-MM-DD (Asia/Shanghai).")]
LastDay = Annotated[str, Query(alias="to", description="Last day, YYYY-MM-DD.")]
Standard = Annotated[str | None, Query(description="HJ633-2012 or HJ633-2026 [default: by date].")]


@router.get("/aqi", summary="Daily and hourly AQI of one station on one day")
def station_day(
    reader: ReaderDep,
    _: ReadAccess,
    station: Annotated[str, Query(description="Station id (dongsi) or URN.")],
    day: Annotated[str, Query(description="YYYY-MM-DD (Asia/Shanghai).")],
    standard: Standard = None,
) -> dict:
    """HJ 633 daily AQI with category, primary and exceeding pollutants, and the 24 real-time values."""
    return report.station_day_report(reader, station, report.parse_day(day, "day"), standard)


@router.get("/daily", summary="Daily AQI of a jurisdiction and its stations")
def jurisdiction_daily(
    reader: ReaderDep,
    _: ReadAccess,
    jurisdiction: Annotated[str, Query(description="Administrative code, e.g. 110112.")],
    from_: Day,
    to: LastDay,
    standard: Standard = None,
) -> dict:
    """The jurisdiction's daily AQI (mean of its stations' daily values, HJ 663) and each station's."""
    first, last = report.parse_day(from_, "from"), report.parse_day(to, "to")
    return report.jurisdiction_report(reader, jurisdiction, first, last, standard)


@router.get("/episodes", summary="Heavy-pollution episodes and alert levels")
def episodes(
    reader: ReaderDep,
    _: ReadAccess,
    from_: Day,
    to: LastDay,
    jurisdiction: Annotated[str | None, Query(description="Only this jurisdiction.")] = None,
    by: Annotated[str, Query(description="station or jurisdiction")] = "jurisdiction",
) -> dict:
    """Runs of days with AQI > 200 and the alert level (blue/yellow/orange/red) each warrants."""
    first, last = report.parse_day(from_, "from"), report.parse_day(to, "to")
    return report.episodes_report(reader, jurisdiction, first, last, by)


@router.get("/joint", summary="Joint prevention: jurisdictions compared, co-exceedance")
def joint(
    reader: ReaderDep,
    _: ReadAccess,
    from_: Day,
    to: LastDay,
    threshold: Annotated[float | None, Query(description="PM2.5 hourly screening value [ug/m3].")] = None,
) -> dict:
    """Per-jurisdiction daily AQI summary; hours when PM2.5 exceeds at stations of several
    jurisdictions at once; per station pair, P(B exceeds | A exceeds)."""
    first, last = report.parse_day(from_, "from"), report.parse_day(to, "to")
    return report.joint_report(reader, first, last, threshold)


@router.get("/joint/lagged", summary="Lagged correlation between two stations by wind sector")
def lagged(
    reader: ReaderDep,
    _: ReadAccess,
    source: Annotated[str, Query(description="Upwind candidate station.")],
    target: Annotated[str, Query(description="Downwind candidate station.")],
    from_: Day,
    to: LastDay,
    max_lag: Annotated[int, Query(ge=0, le=72, description="Largest lag [h].")] = 12,
) -> dict:
    """Correlation of hourly PM2.5 changes at `source` with `target` lag hours later, per wind
    sector at `source`, and the lag of the peak per sector."""
    first, last = report.parse_day(from_, "from"), report.parse_day(to, "to")
    return report.lagged_report(reader, source, target, first, last, max_lag)


@router.get("/qa", summary="Sensor quality flags")
def qa(
    reader: ReaderDep,
    _: ReadAccess,
    from_: Day,
    to: LastDay,
    jurisdiction: Annotated[str | None, Query(description="Only this jurisdiction.")] = None,
) -> dict:
    """Flags (impossible, stuck, spike, neighbour) of the readings; the data is not changed."""
    first, last = report.parse_day(from_, "from"), report.parse_day(to, "to")
    return report.qa_report(reader, first, last, jurisdiction)
