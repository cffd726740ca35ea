"""Content negotiation of NGSI-LD answers (ETSI GS CIM 009, §6.3.6 and §6.3.11).

* ``Accept: application/ld+json`` → the body carries ``@context``;
* ``application/json`` (or ``*/*``, or no Accept) → plain JSON, the context in a ``Link`` header;
* ``application/geo+json`` → a GeoJSON FeatureCollection (or Feature) of the entities.

The context is the NGSI-LD core context unless the request named another in its ``Link``
header; this server does not fetch or apply contexts (terms are used as given), it echoes them.
"""

from __future__ import annotations

import re

import orjson
from fastapi import Request
from fastapi.responses import Response

from citytwin.api._ngsild import CORE_CONTEXT
from citytwin.api.problems import ApiProblem, BadRequestData

__all__ = ["JSONLD_REL", "context_of", "ngsi_response", "check_body_context"]

JSONLD_REL = "http://www.w3.org/ns/json-ld#context"
_LINK = re.compile(r'<([^>]+)>\s*;(.*)')


class NotAcceptable(ApiProblem):
    status = 406
    type_uri = "about:blank"
    title = "Not acceptable"


def context_of(request: Request) -> str:
    """The @context named by the request's Link header, or the core context."""
    link = request.headers.get("link")
    if link:
        m = _LINK.match(link.strip())
        if m and JSONLD_REL in m.group(2):
            return m.group(1)
    return CORE_CONTEXT


def _media(request: Request) -> str:
    accept = request.headers.get("accept", "").lower()
    if not accept.strip():
        return "application/json"
    for media in (part.split(";")[0].strip() for part in accept.split(",")):
        if media in ("application/ld+json", "application/json", "application/geo+json"):
            return media
        if media in ("*/*", "application/*"):
            return "application/json"
    raise NotAcceptable(f"Accept {accept!r}: expected application/json, application/ld+json or application/geo+json")


def _feature(entity: dict) -> dict:
    location = entity.get("location")
    geometry = location.get("value") if isinstance(location, dict) and location.get("type") == "GeoProperty" \
        else location
    properties = {k: v for k, v in entity.items() if k not in ("id", "location", "@context")}
    return {"id": entity["id"], "type": "Feature", "geometry": geometry, "properties": properties}


def ngsi_response(request: Request, data, *, status: int = 200, headers: dict | None = None) -> Response:
    """An NGSI-LD answer of `data` (an entity or a list of entities) in the negotiated form."""
    media = _media(request)
    context = context_of(request)
    headers = dict(headers or {})
    if media == "application/ld+json":
        if isinstance(data, list):
            data = [{**e, "@context": context} if isinstance(e, dict) else e for e in data]
        elif isinstance(data, dict):
            data = {**data, "@context": context}
    elif media == "application/geo+json":
        if isinstance(data, list):
            data = {"type": "FeatureCollection", "features": [_feature(e) for e in data]}
        elif isinstance(data, dict) and "id" in data:
            data = _feature(data)
        headers["Link"] = f'<{context}>; rel="{JSONLD_REL}"; type="application/ld+json"'
    else:
        headers["Link"] = f'<{context}>; rel="{JSONLD_REL}"; type="application/ld+json"'
    return Response(orjson.dumps(data), status_code=status, media_type=media, headers=headers)


def check_body_context(request: Request, body) -> None:
    """A JSON-LD body must carry its @context (CIM 009 §6.3.5); plain JSON takes it from Link."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/ld+json":
        return
    items = body if isinstance(body, list) else [body]
    for item in items:
        if isinstance(item, dict) and "@context" not in item:
            raise BadRequestData("a body of type application/ld+json needs an @context member")
