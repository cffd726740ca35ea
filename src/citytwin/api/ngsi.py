"""NGSI-LD entities (ETSI GS CIM 009, §6.4-6.5 and §6.14-6.17, §6.23): the twin as a context broker.

Reads: ``GET /entities`` (query), ``GET /entities/{id}``, ``POST /entityOperations/query``.
Writes (writer or admin of the entity's jurisdiction; each a new entity version in the log):
``POST /entities`` (201), ``PATCH /entities/{id}`` (merge, 204), ``POST /entities/{id}/attrs``
(append, 204 or 207), ``PATCH /entities/{id}/attrs`` (update, 204 or 207),
``DELETE /entities/{id}`` (204; see `_ngsild` on deletion) and the batch operations
``POST /entityOperations/create|upsert|update|delete`` (201/204, or 207 with the errors).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

import orjson
from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import Response

from citytwin.api import _writes
from citytwin.api._geo import parse_geo_query, parse_geoq_text
from citytwin.api._ngsild import ParsedEntity, entity_to_ngsi, is_deleted, parse_attributes, parse_entity
from citytwin.api._q import parse_q
from citytwin.api._respond import check_body_context, ngsi_response
from citytwin.api._select import Selection, latest_by_entity, select_entities, split_list
from citytwin.api.deps import ReadAccess, ReaderDep, StateDep, WriteAccess
from citytwin.api.problems import (
    ApiProblem,
    BadRequestData,
    InvalidRequest,
    ResourceNotFound,
    TooManyResults,
    problem_body,
)
from citytwin.errors import NotFoundError

__all__ = ["router"]

router = APIRouter(prefix="/ngsi-ld/v1", tags=["NGSI-LD entities"])

DEFAULT_LIMIT = 20
MAX_LIMIT = 1000
_ENTITY_EXAMPLE = {
    "id": "urn:ngsi-ld:AirQualityObserved:tongzhou",
    "type": "AirQualityObserved",
    "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [116.663, 39.886]}},
    "jurisdiction": {"type": "Property", "value": "110112"},
    "name": {"type": "Property", "value": "Tongzhou"},
    "pm25": {"type": "Property", "value": 35.0, "observedAt": "2024-05-01T08:00:00Z", "unitCode": "GQ"},
}
EntityBody = Annotated[dict[str, Any], Body(openapi_examples={"station": {"value": _ENTITY_EXAMPLE}})]
Fragment = Annotated[dict[str, Any], Body(openapi_examples={"reading": {"value": {
    "pm25": {"type": "Property", "value": 41.0, "observedAt": "2024-05-01T09:00:00Z", "unitCode": "GQ"}}}})]
EntityId = Annotated[str, Path(description="The entity's URN, urn:ngsi-ld:<Type>:<local-id>")]
Options = Annotated[str | None, Query(description="Comma-separated: keyValues, sysAttrs, count, noOverwrite")]


def _options(options: str | None) -> set[str]:
    return set(split_list(options, "options") or [])


def _render(reader, entities, latest, *, key_values: bool, attrs: list[str] | None, sys_attrs: bool) -> list[dict]:
    if latest is None:
        latest = latest_by_entity(reader, [e.id for e in entities])
    wanted = set(attrs) if attrs is not None else None
    return [entity_to_ngsi(e, latest.get(e.id, []), key_values=key_values, attrs=wanted, sys_attrs=sys_attrs)
            for e in entities]


def _page(request: Request, reader, sel: Selection, *, limit: int, offset: int, options: set[str], count: bool,
          key_values: bool) -> Response:
    if limit < 0 or offset < 0:
        raise BadRequestData(f"limit {limit} and offset {offset}: expected numbers ≥ 0")
    if limit > MAX_LIMIT:
        raise TooManyResults(f"limit {limit}: at most {MAX_LIMIT} entities per page")
    if limit == 0 and not count:
        raise BadRequestData("limit=0 is only allowed with count=true")
    if not (sel.ids or sel.types or sel.id_pattern or sel.q or sel.attrs or sel.geo):
        raise BadRequestData("an entity query needs at least one of id, type, idPattern, q, attrs or a geo-query")
    entities, latest = select_entities(reader, sel)
    headers = {"NGSILD-Results-Count": str(len(entities))} if count else {}
    page = entities[offset:offset + limit]
    body = _render(reader, page, latest, key_values=key_values, attrs=sel.attrs,
                   sys_attrs="sysAttrs" in options)
    return ngsi_response(request, body, headers=headers)


@router.get("/entities", summary="Query entities")
def query_entities(
    request: Request,
    reader: ReaderDep,
    _: ReadAccess,
    id: Annotated[str | None, Query(description="Comma-separated entity ids")] = None,
    type: Annotated[str | None, Query(description="Comma-separated entity types")] = None,
    idPattern: Annotated[str | None, Query(description="Regular expression on entity ids")] = None,  # noqa: N803
    q: Annotated[str | None, Query(description="NGSI-LD query, e.g. pm25>75;jurisdiction==\"110112\"")] = None,
    attrs: Annotated[str | None, Query(description="Comma-separated attribute names")] = None,
    georel: Annotated[str | None, Query(description="near;maxDistance==2000, within, intersects, ...")] = None,
    geometry: Annotated[str | None, Query(description="Point, Polygon, ... (GeoJSON type)")] = None,
    coordinates: Annotated[str | None, Query(description="GeoJSON coordinates as JSON, e.g. [116.66,39.89]")] = None,
    geoproperty: Annotated[str | None, Query()] = None,
    geoQ: Annotated[str | None, Query(description="georel=..&geometry=..&coordinates=.. in one")] = None,  # noqa: N803
    limit: Annotated[int, Query(ge=0)] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0)] = 0,
    count: bool = False,
    options: Options = None,
    format: Annotated[str | None, Query(description="keyValues or normalized")] = None,
) -> Response:
    """Entities current now, by id, type, id pattern, query, attributes and geo-query."""
    opts = _options(options)
    geo = parse_geo_query(georel, geometry, coordinates, geoproperty)
    if geo is None and geoQ:
        geo = parse_geoq_text(geoQ)
    sel = Selection(ids=split_list(id, "id"), types=split_list(type, "type"), id_pattern=idPattern,
                    q=parse_q(q) if q is not None else None, attrs=split_list(attrs, "attrs"), geo=geo)
    return _page(request, reader, sel, limit=limit, offset=offset, options=opts, count=count or "count" in opts,
                 key_values="keyValues" in opts or format == "keyValues")


@router.post("/entityOperations/query", summary="Query entities (POST)")
def post_query(
    request: Request,
    reader: ReaderDep,
    _: ReadAccess,
    body: Annotated[dict[str, Any], Body(openapi_examples={"near": {"value": {
        "type": "Query", "entities": [{"type": "AirQualityObserved"}],
        "geoQ": {"georel": "near;maxDistance==5000", "geometry": "Point", "coordinates": [116.66, 39.89]}}}})],
    limit: Annotated[int, Query(ge=0)] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0)] = 0,
    count: bool = False,
    options: Options = None,
) -> Response:
    """The NGSI-LD Query data type in a body (CIM 009 §5.2.23): entities, q, attrs, geoQ."""
    opts = _options(options)
    if body.get("type") != "Query":
        raise BadRequestData(f"a query body needs \"type\": \"Query\", got {body.get('type')!r}")
    selectors = body.get("entities") or []
    if not isinstance(selectors, list) or not all(isinstance(s, dict) for s in selectors):
        raise BadRequestData("entities: expected a list of {id, type, idPattern} objects")
    types = sorted({s["type"] for s in selectors if isinstance(s.get("type"), str)}) or None
    ids = sorted({s["id"] for s in selectors if isinstance(s.get("id"), str)}) or None
    patterns = [s["idPattern"] for s in selectors if isinstance(s.get("idPattern"), str)]
    geo_body = body.get("geoQ")
    geo = None
    if geo_body is not None:
        if not isinstance(geo_body, dict):
            raise BadRequestData("geoQ: expected an object with georel, geometry and coordinates")
        geo = parse_geo_query(geo_body.get("georel"), geo_body.get("geometry"), geo_body.get("coordinates"),
                              geo_body.get("geoproperty"))
    attrs = body.get("attrs")
    if attrs is not None and not (isinstance(attrs, list) and all(isinstance(a, str) for a in attrs)):
        raise BadRequestData("attrs: expected a list of attribute names")
    q = body.get("q")
    if q is not None and not isinstance(q, str):
        raise BadRequestData("q: expected a query string")
    sel = Selection(ids=ids, types=types, id_pattern="|".join(f"(?:{p})" for p in patterns) or None,
                    q=parse_q(q) if q is not None else None, attrs=attrs, geo=geo)
    return _page(request, reader, sel, limit=limit, offset=offset, options=opts, count=count or "count" in opts,
                 key_values="keyValues" in opts)


@router.get("/entities/{entity_id}", summary="Retrieve an entity")
def get_entity(request: Request, reader: ReaderDep, _: ReadAccess, entity_id: EntityId,
               attrs: Annotated[str | None, Query()] = None, options: Options = None,
               format: Annotated[str | None, Query()] = None) -> Response:
    """The current version of one entity with the latest reading of each observed attribute."""
    opts = _options(options)
    try:
        entity = reader.entity(entity_id)
    except NotFoundError:
        raise ResourceNotFound(f"no entity {entity_id} in the twin") from None
    if is_deleted(entity):
        raise ResourceNotFound(f"entity {entity_id} was deleted at {entity.properties.get('deletedAt')}")
    body = _render(reader, [entity], None, key_values="keyValues" in opts or format == "keyValues",
                   attrs=split_list(attrs, "attrs"), sys_attrs="sysAttrs" in opts)[0]
    return ngsi_response(request, body)


# ---- writes ------------------------------------------------------------------------------
def _now() -> datetime:
    return datetime.now(UTC)


def _single(state, principal, items: list[ParsedEntity], op: str) -> _writes.Outcome:
    outcome = _writes.apply(state, principal, items, op)[0]
    if outcome.error is not None:
        raise outcome.error
    return outcome


def _fragment(request: Request, entity_id: str, body: dict, *, allow_null: bool = False) -> ParsedEntity:
    check_body_context(request, body)
    if "id" in body and body["id"] != entity_id:
        raise BadRequestData(f"body id {body['id']!r} differs from the entity {entity_id} of the URL")
    parsed = parse_attributes(entity_id, body, _now(), allow_null=allow_null)
    if isinstance(body.get("type"), str):
        parsed.type = body["type"]
    return parsed


@router.post("/entities", status_code=201, summary="Create an entity")
def create_entity(request: Request, state: StateDep, principal: WriteAccess, body: EntityBody) -> Response:
    """Create an entity (its first version, or a new one after a deletion); 409 if it exists."""
    check_body_context(request, body)
    parsed = parse_entity(body, _now())
    _single(state, principal, [parsed], "create")
    return Response(status_code=201, headers={"Location": f"/ngsi-ld/v1/entities/{quote(parsed.id, safe=':')}"})


@router.patch("/entities/{entity_id}", status_code=204, summary="Merge an entity")
def merge_entity(request: Request, state: StateDep, principal: WriteAccess, entity_id: EntityId,
                 body: Fragment) -> Response:
    """Merge the body's attributes into the entity (``urn:ngsi-ld:null`` removes one)."""
    _single(state, principal, [_fragment(request, entity_id, body, allow_null=True)], "merge")
    return Response(status_code=204)


def _partial(outcome: _writes.Outcome, parsed: ParsedEntity) -> Response:
    written = [n for n in [*parsed.properties, *parsed.given, *{o["attribute"] for o in parsed.observations}]
               if n not in outcome.skipped]
    if not outcome.skipped:
        return Response(status_code=204)
    body = {"updated": written, "notUpdated": [{"attributeName": n, "reason": "not written: see the operation's "
                                                 "options (noOverwrite, or update of an absent attribute)"}
                                                for n in outcome.skipped]}
    return Response(content=_json(body), status_code=207, media_type="application/json")


def _json(value) -> bytes:
    return orjson.dumps(value)


@router.post("/entities/{entity_id}/attrs", status_code=204, summary="Append attributes")
def append_attrs(request: Request, state: StateDep, principal: WriteAccess, entity_id: EntityId, body: Fragment,
                 options: Options = None) -> Response:
    """Add or overwrite attributes (``options=noOverwrite`` keeps existing ones); readings of
    observed attributes are stored as observations."""
    parsed = _fragment(request, entity_id, body)
    op = "append-keep" if "noOverwrite" in _options(options) else "append"
    return _partial(_single(state, principal, [parsed], op), parsed)


@router.patch("/entities/{entity_id}/attrs", status_code=204, summary="Update attributes")
def update_attrs(request: Request, state: StateDep, principal: WriteAccess, entity_id: EntityId,
                 body: Fragment) -> Response:
    """Overwrite attributes the entity has; the others are reported as not updated (207)."""
    parsed = _fragment(request, entity_id, body)
    return _partial(_single(state, principal, [parsed], "update"), parsed)


@router.delete("/entities/{entity_id}", status_code=204, summary="Delete an entity")
def delete_entity(state: StateDep, principal: WriteAccess, entity_id: EntityId) -> Response:
    """Mark the entity deleted by a new version (its history stays in the log)."""
    _single(state, principal, [ParsedEntity(id=entity_id, type=None)], "delete")
    return Response(status_code=204)


# ---- batch operations --------------------------------------------------------------------
def _error_entry(entity_id: str, error: ApiProblem) -> dict:
    return {"entityId": entity_id, "error": problem_body(error.status, error.detail, type_uri=error.type_uri,
                                                         title=error.title)}


def _batch(request: Request, state, principal, body: list, op: str, ok_status: int) -> Response:
    check_body_context(request, body)
    if not body:
        raise BadRequestData("a batch operation needs at least one entity")
    if len(body) > state.max_batch:
        raise TooManyResults(f"{len(body)} entities in one batch: at most {state.max_batch}")
    now = _now()
    items, errors = [], []
    for item in body:
        try:
            if op == "delete":
                if not isinstance(item, str):
                    raise BadRequestData(f"batch delete takes entity ids, got {item!r}")
                items.append(ParsedEntity(id=item, type=None))
            elif op == "update":
                if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                    raise BadRequestData("batch update takes entities with an id")
                items.append(_fragment(request, item["id"], item))
            else:
                items.append(parse_entity(item, now))
        except ApiProblem as e:
            entity_id = item.get("id") if isinstance(item, dict) else item
            errors.append(_error_entry(str(entity_id), e))
    outcomes = _writes.apply(state, principal, items, op) if items else []
    created = [o.entity_id for o in outcomes if o.error is None and o.created]
    success = [o.entity_id for o in outcomes if o.error is None]
    errors += [_error_entry(o.entity_id, o.error) for o in outcomes if o.error is not None]
    if errors:
        return Response(content=_json({"success": success, "errors": errors}), status_code=207,
                        media_type="application/json")
    if ok_status == 201 or (op.startswith("upsert") and created):
        return Response(content=_json(created if op.startswith("upsert") else success), status_code=201,
                        media_type="application/json")
    return Response(status_code=204)


BatchBody = Annotated[list[Any], Body(openapi_examples={"stations": {"value": [_ENTITY_EXAMPLE]}})]


@router.post("/entityOperations/create", status_code=201, summary="Batch create")
def batch_create(request: Request, state: StateDep, principal: WriteAccess, body: BatchBody) -> Response:
    """Create entities: 201 with their ids, or 207 naming those refused and why."""
    return _batch(request, state, principal, body, "create", 201)


@router.post("/entityOperations/upsert", status_code=201, summary="Batch upsert")
def batch_upsert(request: Request, state: StateDep, principal: WriteAccess, body: BatchBody,
                 options: Annotated[str | None, Query(description="replace (default) or update")] = None) -> Response:
    """Create or replace (``options=update``: merge into) entities: 201 with the ids created,
    204 when all existed, 207 with the errors."""
    opts = _options(options)
    if opts - {"replace", "update"}:
        raise InvalidRequest(f"options {options!r}: expected replace or update")
    return _batch(request, state, principal, body, "upsert-update" if "update" in opts else "upsert-replace", 204)


@router.post("/entityOperations/update", status_code=204, summary="Batch update")
def batch_update(request: Request, state: StateDep, principal: WriteAccess, body: BatchBody,
                 options: Options = None) -> Response:
    """Merge attributes into existing entities (``options=noOverwrite`` keeps existing ones)."""
    op = "append-keep" if "noOverwrite" in _options(options) else "append"
    return _batch(request, state, principal, body, op, 204)


@router.post("/entityOperations/delete", status_code=204, summary="Batch delete")
def batch_delete(request: Request, state: StateDep, principal: WriteAccess, body: BatchBody) -> Response:
    """Mark entities deleted (a new version each)."""
    return _batch(request, state, principal, body, "delete", 204)
