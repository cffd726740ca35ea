"""Twin records ⇄ NGSI-LD entities (ETSI GS CIM 009, §4.5 data representation).

An entity version becomes an NGSI-LD entity: ``location`` a GeoProperty, ``jurisdiction`` a
Property with the administrative code, each stored property a Property (or, when it was
written with metadata or as a Relationship, the attribute as it was written), and each observed
attribute the twin knows (``pm25``, ``temperature``, ...) a Property holding the latest reading
with its ``observedAt`` and ``unitCode`` (UN/CEFACT common code, as NGSI-LD uses).

Writing goes the other way: an observed attribute with a numeric value becomes an observation
(``observedAt`` defaults to the time of the request; ``unitCode`` may be a UN/CEFACT code or a
UCUM unit, converted by the twin), anything else a property of a new entity version.

Deletion: the twin never deletes (its log is append-only), so deleting an entity commits a
new version whose properties carry ``deletedAt`` (the NGSI-LD system attribute of that name);
queries hide an entity whose current version has it, and creating it again starts a new,
visible version. Its history, and every proof, stay available.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from citytwin.api.problems import BadRequestData
from citytwin.errors import BadInputError
from citytwin.twin import ATTRIBUTES, Entity
from citytwin.twin.canonical import canonicalize
from citytwin.twin.model import format_time, parse_geometry, validate_entity_id

__all__ = [
    "CORE_CONTEXT",
    "DELETED",
    "NULL",
    "ParsedEntity",
    "entity_to_ngsi",
    "is_deleted",
    "parse_attributes",
    "parse_entity",
    "parse_time_utc",
    "unit_code",
]

CORE_CONTEXT = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"
DELETED = "deletedAt"
NULL = "urn:ngsi-ld:null"  # CIM 009 §4.5.0: the value that deletes an attribute in a merge
_ATTRIBUTE_TYPES = {"Property", "GeoProperty", "Relationship", "LanguageProperty", "ListProperty",
                    "VocabProperty", "JsonProperty", "ListRelationship"}
_GEOJSON_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
_NOT_ATTRIBUTES = {"id", "type", "@context", "createdAt", "modifiedAt", DELETED, "scope"}
_SPECIAL = {"location", "jurisdiction"}

# UCUM unit of the twin → UN/CEFACT common code (UNECE Recommendation 20)
UNIT_CODES = {"ug/m3": "GQ", "mg/m3": "GP", "Cel": "CEL", "hPa": "A97", "mm": "MMT", "m/s": "MTS",
              "deg": "DD", "%": "P1", "K": "KEL", "Pa": "PAL", "km/h": "KMH"}
_UCUM_OF = {code: ucum for ucum, code in UNIT_CODES.items()}


def unit_code(ucum: str) -> str:
    """The UN/CEFACT code of a UCUM unit, or the UCUM unit itself when it has none."""
    return UNIT_CODES.get(ucum, ucum)


def parse_time_utc(value: Any, what: str) -> datetime:
    """An aware UTC datetime from NGSI-LD DateTime text; a time without zone is taken as UTC."""
    if not isinstance(value, str):
        raise BadRequestData(f"{what} {value!r}: expected an ISO 8601 date-time such as 2024-05-01T08:00:00Z")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise BadRequestData(f"{what} {value!r}: expected an ISO 8601 date-time such as 2024-05-01T08:00:00Z") \
            from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def is_deleted(entity: Entity) -> bool:
    return DELETED in entity.properties


# ---- output ------------------------------------------------------------------------------
def _attribute(value: Any, key_values: bool) -> Any:
    stored_normalized = isinstance(value, dict) and value.get("type") in _ATTRIBUTE_TYPES
    if key_values:
        if stored_normalized:
            return value.get("value", value.get("object", value.get("languageMap")))
        return value
    return value if stored_normalized else {"type": "Property", "value": value}


def entity_to_ngsi(entity: Entity, latest: list[dict], *, key_values: bool = False, attrs: set[str] | None = None,
                   sys_attrs: bool = False) -> dict:
    """The NGSI-LD representation (normalized, or keyValues) of an entity version and its
    latest readings (dicts with attribute, value, unit, observed_at)."""
    out: dict[str, Any] = {"id": entity.id, "type": entity.type}

    def wanted(name: str) -> bool:
        return attrs is None or name in attrs

    if entity.location is not None and wanted("location"):
        out["location"] = entity.location if key_values else {"type": "GeoProperty", "value": entity.location}
    if entity.jurisdiction is not None and wanted("jurisdiction"):
        out["jurisdiction"] = _attribute(entity.jurisdiction, key_values)
    for name, value in entity.properties.items():
        if name not in _SPECIAL and name != DELETED and wanted(name):
            out[name] = _attribute(value, key_values)
    for row in latest:
        name = row["attribute"]
        if not wanted(name):
            continue
        if key_values:
            out[name] = row["value"]
        else:
            out[name] = {"type": "Property", "value": row["value"], "observedAt": format_time(row["observed_at"]),
                         "unitCode": unit_code(row["unit"])}
    if sys_attrs and not key_values:
        out["modifiedAt"] = format_time(entity.valid_from)
    return out


# ---- input -------------------------------------------------------------------------------
@dataclass
class ParsedEntity:
    """What a request body says about an entity: the fields it sets and the readings it carries."""

    id: str
    type: str | None
    location: Any = None
    jurisdiction: Any = None
    properties: dict = field(default_factory=dict)
    observations: list[dict] = field(default_factory=list)
    given: set[str] = field(default_factory=set)  # which of location, jurisdiction were given


def _observation(entity_id: str, name: str, attribute: dict, now: datetime) -> dict:
    value = attribute.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadRequestData(f"{entity_id} attribute {name}: value {value!r} is not a finite number")
    observed_at = parse_time_utc(attribute["observedAt"], f"{name} observedAt") if "observedAt" in attribute \
        else now
    code = attribute.get("unitCode")
    if code is not None and not isinstance(code, str):
        raise BadRequestData(f"{entity_id} attribute {name}: unitCode {code!r} is not a string")
    unit = _UCUM_OF.get(code, code) if code else ATTRIBUTES[name].unit
    return {"entity_id": entity_id, "attribute": name, "observed_at": observed_at.isoformat(),
            "value": float(value), "unit": unit}


def _is_observed(name: str, attribute: Any) -> bool:
    return name in ATTRIBUTES and isinstance(attribute, dict) and attribute.get("type", "Property") == "Property" \
        and "value" in attribute


def parse_attributes(entity_id: str, body: dict, now: datetime, *, allow_null: bool = False) -> ParsedEntity:
    """The attributes of a request body (an entity fragment), validated."""
    parsed = ParsedEntity(id=entity_id, type=None)
    for name, attribute in body.items():
        if name in _NOT_ATTRIBUTES:
            continue
        if not isinstance(name, str) or not name or name.startswith("@"):
            raise BadRequestData(f"{entity_id}: attribute name {name!r} is not allowed")
        instances = attribute if isinstance(attribute, list) and name in ATTRIBUTES else [attribute]
        if all(_is_observed(name, a) for a in instances) and instances:
            parsed.observations += [_observation(entity_id, name, a, now) for a in instances]
            continue
        if name in ATTRIBUTES and isinstance(attribute, int | float) and not isinstance(attribute, bool):
            parsed.observations.append(_observation(entity_id, name, {"value": attribute}, now))
            continue
        parsed.properties[name] = _stored_value(entity_id, name, attribute, allow_null)
    for name in _SPECIAL & parsed.properties.keys():
        value = parsed.properties.pop(name)
        parsed.given.add(name)
        setattr(parsed, name, _special(entity_id, name, value))
    return parsed


def _stored_value(entity_id: str, name: str, attribute: Any, allow_null: bool) -> Any:
    if attribute == NULL or (isinstance(attribute, dict) and attribute.get("value") == NULL):
        if allow_null:
            return NULL
        raise BadRequestData(f"{entity_id} attribute {name}: {NULL} only deletes attributes in a merge")
    if isinstance(attribute, dict) and attribute.get("type") in _ATTRIBUTE_TYPES:
        kind = attribute["type"]
        if kind == "GeoProperty" and name == "location":
            return attribute.get("value")
        members = set(attribute) - {"type"}
        if kind == "Property" and members == {"value"}:
            value = attribute["value"]
        elif kind in ("Relationship", "ListRelationship") and "object" not in attribute:
            raise BadRequestData(f"{entity_id} attribute {name}: a {kind} needs an 'object'")
        elif kind not in ("Relationship", "ListRelationship", "LanguageProperty") and "value" not in attribute:
            raise BadRequestData(f"{entity_id} attribute {name}: a {kind} needs a 'value'")
        else:
            value = attribute
    elif isinstance(attribute, dict) and "type" in attribute and attribute.get("type") not in _GEOJSON_TYPES:
        raise BadRequestData(f"{entity_id} attribute {name}: type {attribute.get('type')!r} is not an NGSI-LD "
                             f"attribute type (expected one of {', '.join(sorted(_ATTRIBUTE_TYPES))})")
    else:
        value = attribute  # keyValues form
    if value is None:
        raise BadRequestData(f"{entity_id} attribute {name}: null is not a value")
    try:
        canonicalize(value)
    except BadInputError as e:
        raise BadRequestData(f"{entity_id} attribute {name}: {e}") from None
    return value


def _special(entity_id: str, name: str, value: Any) -> Any:
    if value == NULL:
        return None
    if name == "location":
        try:
            parse_geometry(value)
        except BadInputError as e:
            raise BadRequestData(f"{entity_id} location: {e}") from None
        return value
    if not (isinstance(value, str) and value.isdigit() and len(value) == 6):
        raise BadRequestData(f"{entity_id} jurisdiction {value!r}: expected a 6-digit administrative code")
    return value


def parse_entity(body: Any, now: datetime) -> ParsedEntity:
    """A whole entity of a create or upsert body, validated (id URN, type, attributes)."""
    if not isinstance(body, dict):
        raise BadRequestData(f"an entity must be a JSON object, got {type(body).__name__}")
    entity_id, entity_type = body.get("id"), body.get("type")
    if not isinstance(entity_id, str):
        raise BadRequestData(f"entity id {entity_id!r}: expected a URN urn:ngsi-ld:<Type>:<local-id>")
    try:
        id_type = validate_entity_id(entity_id)
    except BadInputError as e:
        raise BadRequestData(str(e)) from None
    if isinstance(entity_type, list) and len(entity_type) == 1:
        entity_type = entity_type[0]
    if entity_type != id_type:
        raise BadRequestData(f"entity {entity_id}: type {entity_type!r} must be the type named in its id, {id_type!r}")
    parsed = parse_attributes(entity_id, body, now)
    parsed.type = entity_type
    return parsed


def merged_entity(current: Entity | None, parsed: ParsedEntity, *, replace: bool, principal_source: str,
                  only_existing: bool = False, no_overwrite: bool = False) -> tuple[Entity, list[str]]:
    """The next version of an entity: `parsed` merged into `current` (or replacing it), and the
    names of attributes not written (absent for an update, existing for noOverwrite)."""
    skipped: list[str] = []
    base = {} if current is None or replace or is_deleted(current) else dict(current.properties)
    location = None if current is None or replace else current.location
    jurisdiction = None if current is None else current.jurisdiction
    base.pop(DELETED, None)
    for name, value in parsed.properties.items():
        exists = name in base
        if (only_existing and not exists) or (no_overwrite and exists):
            skipped.append(name)
            continue
        if value == NULL:
            base.pop(name, None)
        else:
            base[name] = value
    for name in ("location", "jurisdiction"):
        if name in parsed.given:
            exists = (location if name == "location" else jurisdiction) is not None
            if (only_existing and not exists) or (no_overwrite and exists):
                skipped.append(name)
            elif name == "location":
                location = parsed.location
            else:
                jurisdiction = parsed.jurisdiction
    base["dataProvider"] = principal_source
    entity_type = parsed.type or (current.type if current else None)
    return Entity(parsed.id, entity_type, jurisdiction, location, base), skipped
