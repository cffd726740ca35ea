"""Payloads as senders write them, turned into readings (one per attribute and instant).

A payload is one JSON document or a JSON array of them, UTF-8, at most `MAX_PAYLOAD_BYTES`.
Each document is one of (README, "MQTT topics and payloads"):

* **flat reading**: ``{"entity_id", "attribute", "observed_at", "value", "unit"}``
  (``id``, ``observedAt`` and ``unitCode`` are accepted spellings);
* **key-value**: ``{"id", "observedAt", "<attr>": {"value": …, "unitCode": …}, …}`` — one
  reading per attribute, each at the document's ``observedAt`` unless it carries its own;
* **NGSI-LD normalized** (ETSI GS CIM 009 §4.5): ``{"id", "type", "<attr>": {"type": "Property",
  "value": …, "unitCode": …, "observedAt": …}}``; GeoProperties and Relationships are not
  readings and are skipped.

A member is a reading when its name is a known attribute (after `vocabulary.canonical_attribute`)
or its value is a number; other members (names, addresses) describe the entity and are not
observations. Pure functions: no I/O.
"""

from __future__ import annotations

from typing import Any

import orjson

from citytwin.errors import BadInputError
from citytwin.ingest.vocabulary import canonical_attribute

__all__ = ["MAX_PAYLOAD_BYTES", "document_readings", "parse_payload"]

MAX_PAYLOAD_BYTES = 64 * 1024  # the tlog-tiles entry bound of DESIGN.md, applied to whole payloads

_ID_KEYS = ("entity_id", "id", "entityId")
_TIME_KEYS = ("observed_at", "observedAt", "dateObserved")
_NOT_READINGS = {"type", "@context", "location", "source", "dateCreated", "dateModified", "kind",
                 *_ID_KEYS, *_TIME_KEYS}
_SKIPPED_TYPES = {"GeoProperty", "Relationship", "LanguageProperty", "ListRelationship", "JsonProperty"}


def parse_payload(raw: bytes) -> list[Any]:
    """The documents of a payload; `BadInputError` naming the problem if it is too big or not JSON."""
    if len(raw) > MAX_PAYLOAD_BYTES:
        raise BadInputError(f"payload is {len(raw)} bytes: at most {MAX_PAYLOAD_BYTES} bytes (64 KiB) expected")
    try:
        parsed = orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise BadInputError(f"malformed JSON: {e}") from None
    if isinstance(parsed, list):
        return parsed
    return [parsed]


def _first(doc: dict, keys: tuple[str, ...]) -> Any:
    for key in keys:
        if key in doc:
            value = doc[key]
            # normalized form wraps even the time in a Property
            return value.get("value") if isinstance(value, dict) else value
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def document_readings(doc: Any, default_entity: str | None = None) -> list[dict]:
    """Readings ``{entity_id, attribute, observed_at, value, unit}`` of one document.

    `attribute` is the twin's name when the sender's spelling is known, else as sent (the twin
    refuses it, naming it); `unit` is None when the sender gave none. `BadInputError` when the
    document is not an object, names no entity, or holds no reading.
    """
    if not isinstance(doc, dict):
        raise BadInputError(f"record is a JSON {type(doc).__name__}: expected a JSON object")
    entity = _first(doc, _ID_KEYS)
    if entity is None:
        entity = default_entity
    elif default_entity is not None and entity != default_entity:
        raise BadInputError(f"record id {entity!r} differs from the entity of its topic {default_entity!r}")
    if not isinstance(entity, str) or not entity:
        raise BadInputError(f"record names no entity: expected an \"id\" (got {entity!r})")
    doc_time = _first(doc, _TIME_KEYS)
    if "attribute" in doc and "value" in doc:
        unit = doc.get("unit", doc.get("unitCode"))
        name = doc["attribute"]
        attribute = (canonical_attribute(name) or name) if isinstance(name, str) else name
        return [{"entity_id": entity, "attribute": attribute, "observed_at": doc_time,
                 "value": doc["value"], "unit": unit}]
    readings = []
    for key, member in doc.items():
        if key in _NOT_READINGS:
            continue
        attribute = canonical_attribute(key)
        if isinstance(member, dict):
            if member.get("type") in _SKIPPED_TYPES:
                continue
            value = member.get("value")
            if attribute is None and not _is_number(value):
                continue
            unit = member.get("unitCode", member.get("unit"))
            time = member.get("observedAt", member.get("observed_at", doc_time))
        elif attribute is not None or _is_number(member):
            value, unit, time = member, None, doc_time
        else:
            continue
        readings.append({"entity_id": entity, "attribute": attribute or key, "observed_at": time,
                         "value": value, "unit": unit})
    if not readings:
        raise BadInputError(f"record of {entity} holds no readings: expected members such as "
                            "\"pm25\": {\"value\": 35, \"unitCode\": \"ug/m3\"}")
    return readings
