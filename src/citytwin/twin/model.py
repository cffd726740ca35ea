"""The twin's records: entities (versioned) and observations (DESIGN.md, "The twin's data model").

* An **entity** has an NGSI-LD URN id ``urn:ngsi-ld:<Type>:<local-id>`` (ETSI GS CIM 009, §4.5.2
  and the FIWARE Smart Data Models naming), a type, a jurisdiction (administrative code), a GeoJSON
  location in WGS84 (RFC 7946) and free properties. Each change is a new version.
* An **observation** is ``(entity_id, attribute, observed_at UTC, value, unit, source)``;
  ``(entity_id, attribute, observed_at, source)`` is its idempotency key.

Each accepted record becomes one log entry (`citytwin.twin.entries`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import shapely.geometry
from shapely.errors import GEOSException

from citytwin.errors import BadInputError

__all__ = [
    "Entity",
    "Observation",
    "format_time",
    "parse_geometry",
    "parse_time",
    "validate_entity_id",
]

_URN = re.compile(r"^urn:ngsi-ld:([A-Za-z][A-Za-z0-9_]*):([^\s#?]+)$")
_GEOMETRY_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}


def validate_entity_id(entity_id: str) -> str:
    """The entity's type from its URN; `BadInputError` if it is not ``urn:ngsi-ld:<Type>:<id>``."""
    match = _URN.match(entity_id) if isinstance(entity_id, str) else None
    if match is None:
        raise BadInputError(f"entity id {entity_id!r} is not a URN of the form urn:ngsi-ld:<Type>:<local-id>")
    return match.group(1)


def parse_time(value: str | datetime) -> datetime:
    """An aware UTC datetime from ISO 8601 text or a datetime; naive values are refused."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise BadInputError(f"timestamp {value!r} is not ISO 8601 (expected e.g. 2024-05-01T08:00:00Z)") from None
    elif isinstance(value, datetime):
        parsed = value
    else:
        raise BadInputError(f"timestamp expected, got {type(value).__name__} {value!r}")
    if parsed.tzinfo is None:
        raise BadInputError(f"timestamp {value!r} has no time zone: expected an offset such as Z or +08:00")
    return parsed.astimezone(UTC)


def format_time(value: datetime) -> str:
    """RFC 3339 UTC text: seconds, plus microseconds only when present, and ``Z``."""
    value = value.astimezone(UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}"
    return text + "Z"


def parse_geometry(geometry: Any) -> shapely.geometry.base.BaseGeometry:
    """A valid shapely geometry from a GeoJSON geometry in WGS84 (RFC 7946 §3.1).

    Refuses other types, non-finite or out-of-range coordinates (longitude −180..180, latitude
    −90..90) and invalid polygons, naming the problem.
    """
    if not isinstance(geometry, dict) or geometry.get("type") not in _GEOMETRY_TYPES:
        got = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
        raise BadInputError(f"malformed geometry: type {got!r}, expected one of {sorted(_GEOMETRY_TYPES)}")
    try:
        shape = shapely.geometry.shape(geometry)
    except (GEOSException, ValueError, TypeError, IndexError, KeyError, AttributeError) as e:
        raise BadInputError(f"malformed {geometry['type']} geometry: {e}") from None
    if shape.is_empty:
        raise BadInputError(f"malformed {geometry['type']} geometry: it has no coordinates")
    min_lon, min_lat, max_lon, max_lat = shape.bounds
    if not all(math.isfinite(v) for v in shape.bounds):
        raise BadInputError(f"malformed {geometry['type']} geometry: coordinates must be finite numbers")
    if min_lon < -180 or max_lon > 180 or min_lat < -90 or max_lat > 90:
        raise BadInputError(
            f"{geometry['type']} coordinates {shape.bounds} are outside WGS84 (lon −180..180, lat −90..90)"
        )
    if not shape.is_valid:
        from shapely.validation import explain_validity

        raise BadInputError(f"invalid {geometry['type']} geometry: {explain_validity(shape)}")
    return shape


@dataclass(frozen=True)
class Entity:
    """One version of a twin entity.

    `valid_from` is when this version took effect; the twin sets it to the commit time when it
    is not given. `version` and `log_index` are set by the store.
    """

    id: str
    type: str
    jurisdiction: str | None = None
    location: dict | None = None
    properties: dict = field(default_factory=dict)
    valid_from: datetime | None = None
    version: int | None = None
    log_index: int | None = None


@dataclass(frozen=True)
class Observation:
    """One reading of one attribute of one entity at one instant (value in `unit`, UCUM)."""

    entity_id: str
    attribute: str
    observed_at: datetime | str
    value: float
    unit: str
    source: str
