"""NGSI-LD temporal API (ETSI GS CIM 009, §6.18-6.21): the history of observed attributes.

``GET /temporal/entities`` and ``GET /temporal/entities/{id}`` answer the readings of observed
attributes in a time window (``timerel`` before / after / between with ``timeAt`` and
``endTimeAt``; ``lastN``), as attribute instances (normalized: value, ``observedAt``,
``unitCode`` and ``instanceId`` = ``urn:citytwin:log:<log index>``, the entry to prove), as
``[value, observedAt]`` pairs (``options=temporalValues``), or aggregated
(``options=aggregatedValues``, ``aggrMethods`` avg|min|max|sum|totalCount, ``aggrPeriodDuration``
PT1H, P1D or P1M — the twin's hourly, Asia/Shanghai daily and monthly buckets — or PT0S, the
whole window), each ``[value, startAt, endAt]``. ``POST /temporal/entities`` and
``POST /temporal/entities/{id}/attrs`` add readings (writer of the entity's jurisdiction).

Instances are paged (`_temporal_pages`): at most ``[api] temporal_limit`` (default 10,000) per
attribute in one answer, the rest announced by ``206 Partial Content`` and ``Content-Range``.
Aggregated answers hold one value per period and are not paged.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, NamedTuple
from urllib.parse import urlencode

import pandas as pd
from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import Response

from citytwin.api import _writes
from citytwin.api._geo import parse_geo_query
from citytwin.api._ngsild import parse_attributes, parse_entity, parse_time_utc, unit_code
from citytwin.api._q import parse_q
from citytwin.api._respond import check_body_context, ngsi_response
from citytwin.api._select import Selection, latest_by_entity, select_entities, split_list
from citytwin.api._temporal_pages import content_range, cut_of, next_window
from citytwin.api.deps import ReadAccess, ReaderDep, StateDep, WriteAccess
from citytwin.api.problems import BadRequestData, InvalidRequest, ResourceNotFound
from citytwin.api.state import temporal_limit
from citytwin.errors import NotFoundError
from citytwin.twin import ATTRIBUTES
from citytwin.twin.entries import format_instants, format_times

__all__ = ["router"]

router = APIRouter(prefix="/ngsi-ld/v1/temporal", tags=["NGSI-LD temporal"])

MAX_ENTITIES = 100
AGGREGATE_METHODS = {"avg": "mean", "min": "min", "max": "max", "sum": "sum", "totalCount": "count"}
PERIODS = {"PT1H": "1h", "P1D": "1d", "P1M": "1mo", "PT0S": None}


class _Identity(NamedTuple):
    """What a temporal representation tells of its entity."""

    id: str
    type: str


class _Window:
    """The time window of a temporal query: start ≤ observedAt < end (either may be open)."""

    def __init__(self, timerel: str | None, time_at: str | None, end_time_at: str | None,
                 timeproperty: str | None) -> None:
        if timeproperty not in (None, "observedAt"):
            raise BadRequestData(f"timeproperty {timeproperty!r}: only observedAt is supported")
        self.start = self.end = None
        self.given_start = None  # timeAt of after / between, as the client gave it
        if timerel is None:
            if time_at is not None or end_time_at is not None:
                raise InvalidRequest("timeAt and endTimeAt need timerel (before, after or between)")
            return
        if timerel not in ("before", "after", "between"):
            raise InvalidRequest(f"timerel {timerel!r}: expected before, after or between")
        if time_at is None:
            raise InvalidRequest(f"timerel={timerel} needs timeAt")
        at = parse_time_utc(time_at, "timeAt")
        if timerel == "before":
            self.end = at
        elif timerel == "after":
            self.start, self.given_start = at + timedelta(microseconds=1), at
        else:
            if end_time_at is None:
                raise InvalidRequest("timerel=between needs endTimeAt")
            self.start, self.end = at, parse_time_utc(end_time_at, "endTimeAt")
            self.given_start = at
            if self.end <= self.start:
                raise BadRequestData(f"endTimeAt {end_time_at} must be after timeAt {time_at}")


class _Shape:
    """How to represent the history: instances, temporal values, or aggregates."""

    def __init__(self, options: str | None, aggr_methods: str | None, aggr_period: str | None,
                 last_n: int | None) -> None:
        opts = set(split_list(options, "options") or [])
        self.simplified = "temporalValues" in opts
        self.aggregated = "aggregatedValues" in opts or aggr_methods is not None
        self.count = "count" in opts
        self.last_n = last_n
        if last_n is not None and last_n < 1:
            raise BadRequestData(f"lastN {last_n}: expected a number ≥ 1")
        self.methods: list[str] = []
        self.every = None
        if not self.aggregated:
            if aggr_period is not None:
                raise InvalidRequest("aggrPeriodDuration needs aggrMethods")
            return
        self.methods = split_list(aggr_methods, "aggrMethods") or []
        if not self.methods:
            raise InvalidRequest("options=aggregatedValues needs aggrMethods (avg, min, max, sum, totalCount)")
        unknown = [m for m in self.methods if m not in AGGREGATE_METHODS]
        if unknown:
            raise BadRequestData(f"aggrMethods {unknown}: supported are {', '.join(AGGREGATE_METHODS)}")
        period = aggr_period or "PT0S"
        if period not in PERIODS:
            raise BadRequestData(
                f"aggrPeriodDuration {period!r}: supported are PT1H (hourly), P1D (Asia/Shanghai natural "
                "day), P1M (Asia/Shanghai calendar month) and PT0S (the whole window)")
        self.every = PERIODS[period]
        self.whole = period == "PT0S"


def _instances(frame: pd.DataFrame, name: str, shape: _Shape) -> dict | list:
    unit = unit_code(ATTRIBUTES[name].unit)
    times = format_times(frame["observed_at"]).tolist() if len(frame) else []
    values = frame["value"].tolist()
    if shape.simplified:
        return {"type": "Property", "values": [[v, t] for v, t in zip(values, times, strict=True)]}
    indices = frame["log_index"].tolist()
    return [{"type": "Property", "value": v, "observedAt": t, "unitCode": unit, "instanceId": f"urn:citytwin:log:{i}"}
            for v, t, i in zip(values, times, indices, strict=True)]


def _aggregates(reader, entity_id: str, name: str, window: _Window, shape: _Shape) -> dict:
    out: dict[str, Any] = {"type": "Property"}
    stats = tuple(AGGREGATE_METHODS[m] for m in shape.methods)
    if shape.whole:
        frame = reader.observations(entity_id, name, window.start, window.end)
        if not len(frame):
            return {**out, **{m: [] for m in shape.methods}}
        start = format_times(pd.Series([window.start or frame["observed_at"].iloc[0]]))[0]
        end = format_times(pd.Series([window.end or frame["observed_at"].iloc[-1] + pd.Timedelta(microseconds=1)]))[0]
        values = {"mean": frame["value"].mean(), "min": frame["value"].min(), "max": frame["value"].max(),
                  "sum": frame["value"].sum(), "count": len(frame)}
        return {**out, **{m: [[_number(values[AGGREGATE_METHODS[m]], m), start, end]] for m in shape.methods}}
    periods = reader.entity_periods(entity_id, name, shape.every, start=window.start, end=window.end,
                                    statistics=stats)
    last = slice(-shape.last_n, None) if shape.last_n is not None else slice(None)
    starts, ends = (format_instants(periods[k][last].astype("datetime64[us]")).tolist() for k in ("start_us", "end_us"))
    for method in shape.methods:
        column = periods[AGGREGATE_METHODS[method]][last].astype(int if method == "totalCount" else float).tolist()
        out[method] = [[v, s, e] for v, s, e in zip(column, starts, ends, strict=True)]
    return out


def _number(value, method: str) -> float | int:
    return int(value) if method == "totalCount" else float(value)


def instance_limit(reader) -> int:
    """The most instances of one attribute in one answer (checked when the app was created)."""
    return temporal_limit(reader.config.raw.get("api", {}))


class _Page:
    """The instances of the requested attributes of some entities, cut to one page."""

    def __init__(self, reader, entities, names: dict[str, list[str]], window: _Window, shape: _Shape) -> None:
        self.window, self.shape = window, shape
        self.backwards = shape.last_n is not None
        limit = instance_limit(reader)
        fetch = limit + 1 if shape.last_n is None or shape.last_n > limit else shape.last_n
        self.frames: dict[tuple[str, str], pd.DataFrame] = {}
        cuts = []
        for entity in entities:
            for name in names[entity.id]:
                frame = reader.observations(entity.id, name, window.start, window.end, limit=fetch,
                                            newest_first=self.backwards)
                cut = cut_of(frame, limit, self.backwards)
                if cut is not None and cut.all_at_time:  # more than `limit` readings share one time
                    start, end = (cut.time, window.end) if self.backwards else \
                        (window.start, cut.time + timedelta(microseconds=1))
                    frame = reader.observations(entity.id, name, start, end)
                if cut is not None:
                    cuts.append(cut.time)
                self.frames[(entity.id, name)] = frame
        self.cut = (max(cuts) if self.backwards else min(cuts)) if cuts else None
        if self.cut is not None and self.backwards and len(self.frames) > 1:
            # one lastN in the next page's query cannot carry what each series still owes
            raise BadRequestData(f"lastN={shape.last_n} over {len(self.frames)} attributes or entities needs more "
                                 f"than one page of at most {limit} instances per attribute: ask for one "
                                 f"attribute of one entity at a time, or lastN ≤ {limit}")
        if self.cut is not None:
            for key, frame in self.frames.items():
                keep = frame["observed_at"] >= self.cut if self.backwards else frame["observed_at"] <= self.cut
                self.frames[key] = frame[keep]

    def headers(self) -> dict[str, str]:
        """Content-Range of a partial answer (none when the answer is whole)."""
        if self.cut is None:
            return {}
        sent = [f["observed_at"] for f in self.frames.values() if len(f)]
        if self.backwards:
            first = self.window.end if self.window.end is not None else max(t.iloc[-1] for t in sent)
        else:
            first = self.window.given_start if self.window.given_start is not None else min(t.iloc[0] for t in sent)
        return {"Content-Range": content_range(first, self.cut, self.shape.last_n)}

    def next_query(self, request: Request) -> str | None:
        """The query string of the next page, or None when this one is the last."""
        if self.cut is None:
            return None
        params = {k: v for k, v in request.query_params.items() if k not in ("timerel", "timeAt", "endTimeAt")}
        params.update(next_window(self.cut, self.window.start, self.window.end, self.backwards))
        if self.backwards:
            params["lastN"] = str(self.shape.last_n - sum(len(f) for f in self.frames.values()))
        return urlencode(params)


def _render(reader, entity, names: list[str], window: _Window, shape: _Shape, page: _Page | None) -> dict:
    out: dict[str, Any] = {"id": entity.id, "type": entity.type}
    for name in names:
        if shape.aggregated:
            out[name] = _aggregates(reader, entity.id, name, window, shape)
            continue
        frame = page.frames[(entity.id, name)]
        if len(frame):
            out[name] = _instances(frame, name, shape)
    return out


def _answer(request: Request, reader, entities, names: dict[str, list[str]], window: _Window, shape: _Shape,
            headers: dict, one: bool) -> Response:
    """The temporal representation of `entities`: 200 when whole, 206 with Content-Range when paged."""
    page = None if shape.aggregated else _Page(reader, entities, names, window, shape)
    body = [_render(reader, e, names[e.id], window, shape, page) for e in entities]
    if page is None or page.cut is None:
        return ngsi_response(request, body[0] if one else body, headers=headers)
    response = ngsi_response(request, body[0] if one else body, status=206, headers={**headers, **page.headers()})
    link = f'<{request.url.path}?{page.next_query(request)}>; rel="next"'
    context_link = response.headers.get("link")
    response.headers["Link"] = f"{context_link}, {link}" if context_link else link
    return response


def _attribute_names(reader, entity_ids: list[str], attrs: list[str] | None) -> dict[str, list[str]]:
    if attrs is not None:
        unknown = [a for a in attrs if a not in ATTRIBUTES]
        if unknown:
            raise BadRequestData(f"attrs {unknown}: the temporal API serves observed attributes: "
                                 f"{', '.join(ATTRIBUTES)}")
        return {e: list(attrs) for e in entity_ids}
    latest = latest_by_entity(reader, entity_ids)
    return {e: [r["attribute"] for r in latest.get(e, [])] for e in entity_ids}


Param = Annotated[str | None, Query()]


@router.get("/entities", summary="Query the temporal evolution of entities")
def query_temporal(
    request: Request, reader: ReaderDep, _: ReadAccess,
    id: Param = None, type: Param = None, idPattern: Param = None, q: Param = None,  # noqa: N803
    attrs: Annotated[str | None, Query(description="Observed attributes, e.g. pm25,no2")] = None,
    georel: Param = None, geometry: Param = None, coordinates: Param = None, geoproperty: Param = None,
    timerel: Annotated[str | None, Query(description="before, after or between")] = None,
    timeAt: Annotated[str | None, Query(description="ISO 8601 UTC date-time")] = None,  # noqa: N803
    endTimeAt: Param = None, timeproperty: Param = None,  # noqa: N803
    lastN: Annotated[int | None, Query(description="Only the last N instances (or periods)")] = None,  # noqa: N803
    aggrMethods: Annotated[str | None, Query(description="avg,min,max,sum,totalCount")] = None,  # noqa: N803
    aggrPeriodDuration: Annotated[str | None, Query(description="PT1H, P1D, P1M or PT0S")] = None,  # noqa: N803
    options: Annotated[str | None, Query(description="temporalValues, aggregatedValues, count")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_ENTITIES)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
    count: bool = False,
) -> Response:
    """The history of the observed attributes of the entities matching the query."""
    window = _Window(timerel, timeAt, endTimeAt, timeproperty)
    shape = _Shape(options, aggrMethods, aggrPeriodDuration, lastN)
    sel = Selection(ids=split_list(id, "id"), types=split_list(type, "type"), id_pattern=idPattern,
                    q=parse_q(q) if q is not None else None, attrs=None,
                    geo=parse_geo_query(georel, geometry, coordinates, geoproperty))
    if not (sel.ids or sel.types or sel.id_pattern or sel.q or sel.geo or attrs):
        raise BadRequestData("a temporal query needs at least one of id, type, idPattern, q, attrs or a geo-query")
    entities, _latest = select_entities(reader, sel)
    names = _attribute_names(reader, [e.id for e in entities], split_list(attrs, "attrs"))
    if attrs is not None:
        entities = [e for e in entities if names[e.id]]
    headers = {"NGSILD-Results-Count": str(len(entities))} if count or shape.count else {}
    return _answer(request, reader, entities[offset:offset + limit], names, window, shape, headers, one=False)


@router.get("/entities/{entity_id}", summary="Retrieve the temporal evolution of an entity")
def get_temporal(
    request: Request, reader: ReaderDep, _: ReadAccess,
    entity_id: Annotated[str, Path()],
    attrs: Param = None, timerel: Param = None, timeAt: Param = None, endTimeAt: Param = None,  # noqa: N803
    timeproperty: Param = None, lastN: Annotated[int | None, Query()] = None,  # noqa: N803
    aggrMethods: Param = None, aggrPeriodDuration: Param = None, options: Param = None,  # noqa: N803
) -> Response:
    """The history of one entity's observed attributes (deleted entities keep theirs)."""
    window = _Window(timerel, timeAt, endTimeAt, timeproperty)
    shape = _Shape(options, aggrMethods, aggrPeriodDuration, lastN)
    try:
        entity = _Identity(entity_id, reader.entity_type(entity_id))
    except NotFoundError:
        raise ResourceNotFound(f"no entity {entity_id} in the twin") from None
    names = _attribute_names(reader, [entity.id], split_list(attrs, "attrs"))
    return _answer(request, reader, [entity], names, window, shape, {}, one=True)


def _temporal_body(body: dict) -> dict:
    """A temporal entity's attributes as instances: a one-instance list of a static attribute
    becomes that attribute (its latest value)."""
    out = {}
    for name, value in body.items():
        if isinstance(value, list) and name not in ATTRIBUTES and value and isinstance(value[-1], dict):
            value = value[-1]
        out[name] = value
    return out


@router.post("/entities", status_code=201, summary="Create or update the temporal evolution of an entity")
def post_temporal(request: Request, state: StateDep, principal: WriteAccess,
                  body: Annotated[dict[str, Any], Body()]) -> Response:
    """Create the entity if needed and add its readings: 201 when created, 204 otherwise."""
    check_body_context(request, body)
    parsed = parse_entity(_temporal_body(body), datetime.now(UTC))
    outcome = _writes.apply(state, principal, [parsed], "upsert-update")[0]
    if outcome.error is not None:
        raise outcome.error
    if outcome.created:
        return Response(status_code=201, headers={"Location": f"/ngsi-ld/v1/temporal/entities/{parsed.id}"})
    return Response(status_code=204)


@router.post("/entities/{entity_id}/attrs", status_code=204, summary="Add attribute instances")
def post_temporal_attrs(request: Request, state: StateDep, principal: WriteAccess,
                        entity_id: Annotated[str, Path()], body: Annotated[dict[str, Any], Body()]) -> Response:
    """Add readings (arrays of instances with observedAt) of observed attributes."""
    check_body_context(request, body)
    parsed = parse_attributes(entity_id, _temporal_body(body), datetime.now(UTC))
    outcome = _writes.apply(state, principal, [parsed], "append")[0]
    if outcome.error is not None:
        raise outcome.error
    return Response(status_code=204)

