"""Selecting entities for an NGSI-LD query: ids, types, idPattern, q, attrs and a geo-query.

The twin's store does what it can (type, ids, id pattern, near / within / intersects, bounding
box); the rest — entities marked deleted, the other geo relations, ``q`` and ``attrs`` — is
tested here on the candidates, before paging, so that ``count`` and ``limit``/``offset`` agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from citytwin.api._geo import GeoQuery
from citytwin.api._ngsild import is_deleted
from citytwin.api._q import Query
from citytwin.api.problems import BadRequestData, InvalidRequest
from citytwin.api.state import Reader
from citytwin.twin import Entity

__all__ = ["Selection", "latest_by_entity", "select_entities", "split_list"]

_TYPE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def split_list(text: str | None, what: str) -> list[str] | None:
    """A comma-separated parameter as a list (None when absent); empty items are refused."""
    if text is None:
        return None
    items = [t.strip() for t in text.split(",")]
    if not all(items):
        raise InvalidRequest(f"{what} {text!r}: expected a comma-separated list without empty items")
    return items


@dataclass
class Selection:
    ids: list[str] | None = None
    types: list[str] | None = None
    id_pattern: str | None = None
    q: Query | None = None
    attrs: list[str] | None = None
    geo: GeoQuery | None = None

    def check(self) -> None:
        if self.id_pattern is not None:
            try:
                re.compile(self.id_pattern)
            except re.error as e:
                raise InvalidRequest(f"idPattern {self.id_pattern!r} is not a regular expression: {e}") from None
        for t in self.types or []:
            if not _TYPE.match(t):
                raise BadRequestData(f"type {t!r}: expected an entity type name such as AirQualityObserved")


def latest_by_entity(reader: Reader, ids: list[str]) -> dict[str, list[dict]]:
    """The latest reading of each attribute of each of `ids`."""
    if not ids:
        return {}

    def compute(missing: list[str]) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        for row in reader.store.latest_values(missing, None).to_dict("records"):
            out.setdefault(row["entity_id"], []).append(row)
        return out

    return reader.latest_cache.get(ids, compute)


def _values(entity: Entity, latest: list[dict]) -> tuple[dict, dict]:
    values = {k: (v.get("value", v.get("object")) if isinstance(v, dict) and "type" in v else v)
              for k, v in entity.properties.items()}
    meta: dict = {}
    if entity.jurisdiction is not None:
        values["jurisdiction"] = entity.jurisdiction
    if entity.location is not None:
        values["location"] = entity.location
    for row in latest:
        values[row["attribute"]] = row["value"]
        meta[row["attribute"]] = {"observedAt": row["observed_at"].isoformat().replace("+00:00", "Z"),
                                  "unitCode": row["unit"]}
    return values, meta


def select_entities(reader: Reader, sel: Selection) -> tuple[list[Entity], dict[str, list[dict]] | None]:
    """The entities matching `sel`, and their latest readings when the filters needed them."""
    sel.check()
    where = sel.geo.twin_arguments() if sel.geo else {}
    found: list[Entity] = []
    try:
        for entity_type in sel.types or [None]:
            found += reader.entities(type=entity_type, ids=sel.ids, id_pattern=sel.id_pattern, **where)
    except duckdb.Error as e:
        raise BadRequestData(f"query refused by the store: {e}") from None
    if sel.types and len(sel.types) > 1 and not (sel.geo and sel.geo.relation == "near"):
        found.sort(key=lambda e: e.id)
    found = [e for e in found if not is_deleted(e) and (sel.geo is None or sel.geo.keep(e.location))]
    if sel.q is None and sel.attrs is None:
        return found, None
    latest = latest_by_entity(reader, [e.id for e in found])
    kept = []
    for entity in found:
        values, meta = _values(entity, latest.get(entity.id, []))
        if sel.attrs is not None and not any(a in values for a in sel.attrs):
            continue
        if sel.q is not None and not sel.q.matches(values, meta):
            continue
        kept.append(entity)
    return kept, latest
