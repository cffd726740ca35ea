"""GeoJSON FeatureCollections of OpenStreetMap features → twin entities (RFC 7946).

Feature properties are read as OSM tags in the three shapes extracts come in:

- the tags themselves (``{"leisure": "park", "name": ...}``, as ogr2ogr and osmium write them);
- a ``tags`` object (Overpass ``out geom`` converted by osmtogeojson);
- Nominatim's ``class``/``type`` (or ``osm_class``/``osm_place_type``) with ``display_name``.

The OSM object comes from ``@id`` or the feature ``id`` (``way/123``) or ``osm_type``/``osm_id``;
without one the feature index is used. Coordinates are WGS 84 as RFC 7946 requires, unless
``crs`` names another system of :data:`citytwin.geo.CRS_NAMES` (GeoJSON exported from Amap is
GCJ-02, for example). Errors name the feature by its index in ``features``.
"""

from __future__ import annotations

import json
from pathlib import Path

from citytwin.errors import BadInputError
from citytwin.geo import convert
from citytwin.importers._build import ImportReport, Jurisdictions, entity_id, reference_jurisdictions
from citytwin.importers.osm_tags import classify, properties_of
from citytwin.twin.model import Entity, parse_geometry

__all__ = ["convert_geometry", "read_geojson"]


def convert_geometry(geometry: dict, crs: str) -> dict:
    """A GeoJSON geometry with every position converted from ``crs`` to WGS 84."""
    if crs == "wgs84":
        return geometry

    def walk(value):
        if value and isinstance(value[0], (int, float)):
            lon, lat = convert(float(value[0]), float(value[1]), crs, "wgs84")
            return [lon, lat, *value[2:]]
        return [walk(v) for v in value]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def _tags(properties: dict) -> dict[str, str]:
    if isinstance(properties.get("tags"), dict):
        tags = dict(properties["tags"])
    else:
        tags = {k: v for k, v in properties.items() if isinstance(v, str)}
    for key_name, value_name in (("class", "type"), ("osm_class", "osm_place_type")):
        key, value = properties.get(key_name), properties.get(value_name)
        if isinstance(key, str) and isinstance(value, str) and key not in tags:
            tags[key] = value
    if not tags.get("name") and isinstance(properties.get("display_name"), str):
        tags["name"] = properties["display_name"].split(",")[0].strip()
    return {str(k): str(v) for k, v in tags.items()}


def _osm_object(feature: dict, properties: dict, index: int) -> tuple[str, str]:
    for ref in (properties.get("@id"), feature.get("id"), properties.get("id")):
        if isinstance(ref, str) and "/" in ref:
            osm_type, _, osm_id = ref.partition("/")
            if osm_type in ("node", "way", "relation") and osm_id:
                return osm_type, osm_id
    if properties.get("osm_type") in ("node", "way", "relation") and properties.get("osm_id") not in (None, ""):
        return properties["osm_type"], str(properties["osm_id"])
    return "feature", str(index)


def read_geojson(path: str | Path, crs: str = "wgs84", jurisdictions: Jurisdictions | None = None) -> ImportReport:
    """The entities of a GeoJSON FeatureCollection, not yet committed."""
    path = Path(path)
    jurisdictions = jurisdictions or reference_jurisdictions()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise BadInputError(f"{path}: line {e.lineno}, column {e.colno}: not valid JSON ({e.msg})") from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        got = document.get("type") if isinstance(document, dict) else type(document).__name__
        raise BadInputError(f"{path}: a GeoJSON FeatureCollection expected, got {got!r}")
    features = document.get("features")
    if not isinstance(features, list):
        raise BadInputError(f"{path}: 'features' must be a list")
    report = ImportReport(str(path), "geojson")
    for index, feature in enumerate(features):
        where = f"{path}: feature {index}"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise BadInputError(f"{where}: a GeoJSON Feature expected")
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            raise BadInputError(f"{where}: properties must be an object")
        tags = _tags(properties)
        kind = classify(tags)
        if kind is None:
            report.skipped["feature without a mapped tag"] += 1
            continue
        geometry = feature.get("geometry")
        try:
            if not isinstance(geometry, dict) or not isinstance(geometry.get("coordinates"), list):
                raise BadInputError("it has no geometry with coordinates")
            geometry = convert_geometry(geometry, crs)
            parse_geometry(geometry)
        except (BadInputError, TypeError, IndexError, ValueError) as e:
            raise BadInputError(f"{where}: {e}") from None
        entity_type, extra = kind
        osm_type, osm_id = _osm_object(feature, properties, index)
        source = "osm" if osm_type != "feature" else f"geojson-{path.stem}"
        local = f"{osm_type}-{osm_id}" if osm_type != "feature" else osm_id
        entity = Entity(entity_id(entity_type, source, local), entity_type, jurisdictions.locate(geometry), geometry,
                        properties_of(osm_type, osm_id, tags, extra))
        report.add(entity, f"feature {index}")
    return report
