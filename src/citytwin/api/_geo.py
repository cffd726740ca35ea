"""NGSI-LD geo-queries (ETSI GS CIM 009, §4.10): ``georel``, ``geometry``, ``coordinates``.

``georel`` is ``near;maxDistance==<m>`` (or ``near;minDistance==<m>``, both may be given),
``within``, ``intersects``, ``contains``, ``disjoint``, ``equals`` or ``overlaps``; ``geometry``
a GeoJSON geometry type and ``coordinates`` its coordinates as JSON text. Only the ``location``
GeoProperty is indexed. ``near`` and ``within``/``intersects`` run in the twin's store; the other
relations are tested with shapely on the candidates whose bounding boxes meet the query's.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs

import orjson
import shapely

from citytwin.api.problems import BadRequestData, InvalidRequest
from citytwin.errors import BadInputError
from citytwin.geo.distance import haversine_m
from citytwin.twin.model import parse_geometry

__all__ = ["GeoQuery", "parse_geo_query", "parse_geoq_text"]

_RELATIONS = ("near", "within", "intersects", "contains", "disjoint", "equals", "overlaps")
_PREDICATES = {"contains": shapely.contains, "disjoint": shapely.disjoint, "equals": shapely.equals,
               "overlaps": shapely.overlaps}


@dataclass(frozen=True)
class GeoQuery:
    relation: str
    geometry: dict
    max_distance: float | None = None
    min_distance: float | None = None

    def twin_arguments(self) -> dict:
        """Keyword arguments of `Twin.entities` that do (most of) this query in the store."""
        if self.relation == "near":
            lon, lat = self.geometry["coordinates"][:2]
            return {"near": (float(lon), float(lat), self.max_distance if self.max_distance is not None else 4e7)}
        if self.relation in ("within", "intersects"):
            return {self.relation: self.geometry}
        if self.relation == "disjoint":
            return {}
        return {"bbox": parse_geometry(self.geometry).bounds}

    def keep(self, location: dict | None, distance_m: float | None = None) -> bool:
        """Whether an entity at `location` passes the tests the store did not make."""
        if location is None:
            return False
        if self.relation in _PREDICATES:
            return bool(_PREDICATES[self.relation](parse_geometry(location), parse_geometry(self.geometry)))
        if self.relation == "near" and self.min_distance is not None:
            centre = parse_geometry(location).centroid
            lon, lat = self.geometry["coordinates"][:2]
            return haversine_m(centre.x, centre.y, float(lon), float(lat)) >= self.min_distance
        return True


def _distance(part: str, name: str) -> float:
    try:
        value = float(part.split("==", 1)[1])
    except (IndexError, ValueError):
        raise InvalidRequest(f"georel: {part!r}: expected {name}==<metres>") from None
    if not value >= 0 or value == float("inf"):
        raise BadRequestData(f"georel: {name} {value}: expected a finite number of metres ≥ 0")
    return value


def parse_geo_query(georel: str | None, geometry: str | None, coordinates: str | list | None,
                    geoproperty: str | None = None) -> GeoQuery | None:
    """The geo-query of the request parameters, or None when there is none."""
    if georel is None and geometry is None and coordinates is None:
        return None
    if georel is None or geometry is None or coordinates is None:
        raise InvalidRequest("a geo-query needs georel, geometry and coordinates together")
    if geoproperty not in (None, "location"):
        raise BadRequestData(f"geoproperty {geoproperty!r}: only 'location' is supported")
    parts = georel.split(";")
    relation = parts[0].strip()
    if relation not in _RELATIONS:
        raise InvalidRequest(f"georel {relation!r}: expected one of {', '.join(_RELATIONS)}")
    max_distance = min_distance = None
    for part in parts[1:]:
        part = part.strip()
        if part.startswith("maxDistance"):
            max_distance = _distance(part, "maxDistance")
        elif part.startswith("minDistance"):
            min_distance = _distance(part, "minDistance")
        else:
            raise InvalidRequest(f"georel modifier {part!r}: expected maxDistance==<m> or minDistance==<m>")
    if relation == "near" and max_distance is None and min_distance is None:
        raise InvalidRequest("georel near needs maxDistance==<m> or minDistance==<m>")
    if relation != "near" and (max_distance is not None or min_distance is not None):
        raise InvalidRequest(f"georel {relation} takes no distance")
    if isinstance(coordinates, str):
        try:
            coordinates = orjson.loads(coordinates)
        except orjson.JSONDecodeError:
            raise InvalidRequest(f"coordinates {coordinates!r}: expected a JSON array such as [116.66,39.89]") \
                from None
    shape = {"type": geometry, "coordinates": coordinates}
    try:
        parse_geometry(shape)
    except BadInputError as e:
        raise BadRequestData(f"geo-query: {e}") from None
    if relation == "near" and geometry != "Point":
        raise BadRequestData(f"georel near needs a Point geometry, got {geometry}")
    return GeoQuery(relation, shape, max_distance, min_distance)


def parse_geoq_text(text: str) -> GeoQuery | None:
    """A geo-query given as one ``geoQ`` parameter: ``georel=…&geometry=…&coordinates=…``."""
    fields = {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}
    return parse_geo_query(fields.get("georel"), fields.get("geometry"), fields.get("coordinates"),
                           fields.get("geoproperty"))
