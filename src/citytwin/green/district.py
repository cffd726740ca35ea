"""Green-space indicators of the twin: layers read from entities, per jurisdiction or any zone polygon.

What is read (entities current at ``as_of``):

* parks: type ``Park`` (FIWARE Smart Data Models, dataModel.ParksAndGardens);
* other green space: ``Garden``, ``GreenspaceRecord``, ``FlowerBed``, and polygons tagged
  ``leisure=garden``, ``landuse=grass|meadow|recreation_ground``;
* forest: type ``Forest``, or polygons tagged ``landuse=forest`` or ``natural=wood``;
* water: type ``WaterBody``, or polygons tagged ``natural=water`` (for the land area of forest cover);
* population: type ``PopulationCell``, a Point (or a polygon, taken at its representative point)
  with the property ``population`` [persons].

Tags are looked up in ``properties`` and in ``properties["tags"]`` (as OSM importers keep them).
Only Polygon and MultiPolygon locations count as areas. Zones are the ``AdministrativeArea``
entities of the twin (``citytwin load reference``), else the reference pack's boundaries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd

from citytwin.errors import BadInputError, NotFoundError
from citytwin.geo.jurisdictions import areas_of
from citytwin.green.indicators import zone_indicators
from citytwin.green.projection import LocalFrame
from citytwin.twin.model import Entity, parse_geometry

__all__ = [
    "GREEN_TYPES",
    "POPULATION_TYPE",
    "Layers",
    "indicators",
    "population_frame",
    "read_layers",
    "zone_geometry",
]

GREEN_TYPES = ("Garden", "GreenspaceRecord", "FlowerBed")
POPULATION_TYPE = "PopulationCell"
_GREEN_TAGS = {("leisure", "garden"), ("landuse", "grass"), ("landuse", "meadow"), ("landuse", "recreation_ground")}
_FOREST_TAGS = {("landuse", "forest"), ("natural", "wood")}
_WATER_TAGS = {("natural", "water")}
_AREAS = ("Polygon", "MultiPolygon")


@dataclass
class Layers:
    """Green-space layers as lon/lat GeoJSON geometries, and population points."""

    parks: list[dict] = field(default_factory=list)
    green: list[dict] = field(default_factory=list)
    forest: list[dict] = field(default_factory=list)
    water: list[dict] = field(default_factory=list)
    population_lonlat: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))
    population: np.ndarray = field(default_factory=lambda: np.empty(0))


def _tags(entity: Entity) -> set[tuple[str, str]]:
    props = entity.properties or {}
    found = {(k, v) for k, v in props.items() if isinstance(v, str)}
    tags = props.get("tags")
    if isinstance(tags, dict):
        found |= {(k, v) for k, v in tags.items() if isinstance(v, str)}
    return found


def _population(entity: Entity) -> tuple[float, float, float]:
    count = (entity.properties or {}).get("population")
    if isinstance(count, bool) or not isinstance(count, (int, float)) or not np.isfinite(count) or count < 0:
        raise BadInputError(f"{entity.id}: property population = {count!r}, expected a number of persons >= 0")
    point = parse_geometry(entity.location).representative_point()
    return point.x, point.y, float(count)


def read_layers(twin, as_of: datetime | str | None = None) -> Layers:
    """The green-space layers and the population distribution of the twin at ``as_of`` (default: now)."""
    layers = Layers()
    water_loaded = False
    cells = []
    for entity in twin.entities(as_of=as_of):
        if entity.type == POPULATION_TYPE:
            cells.append(_population(entity))
            continue
        if not entity.location or entity.location.get("type") not in _AREAS:
            continue
        tags = _tags(entity)
        if entity.type == "Park":
            layers.parks.append(entity.location)
        elif entity.type == "Forest" or tags & _FOREST_TAGS:
            layers.forest.append(entity.location)
        elif entity.type == "WaterBody" or tags & _WATER_TAGS:
            water_loaded = True
            layers.water.append(entity.location)
        elif entity.type in GREEN_TYPES or tags & _GREEN_TAGS:
            layers.green.append(entity.location)
    if not water_loaded:
        layers.water = None
    if cells:
        table = np.array(cells, dtype=float)
        layers.population_lonlat, layers.population = table[:, :2], table[:, 2]
    return layers


def population_frame(twin, as_of: datetime | str | None = None) -> pd.DataFrame:
    """The loaded population distribution: one row per ``PopulationCell`` entity.

    Columns ``id``, ``lon``, ``lat`` [degrees] (the point, or a polygon's representative point),
    ``population`` [persons] and ``jurisdiction`` (the entity's, may be None). Empty when none is loaded.
    """
    rows = [(e.id, *_population(e), e.jurisdiction) for e in twin.entities(type=POPULATION_TYPE, as_of=as_of)]
    return pd.DataFrame(rows, columns=["id", "lon", "lat", "population", "jurisdiction"])


def zone_geometry(twin, jurisdiction: str) -> dict:
    """The polygon of one jurisdiction (lon/lat GeoJSON); `NotFoundError` naming the codes known."""
    areas = areas_of(twin)
    if jurisdiction not in areas:
        raise NotFoundError(f"jurisdiction {jurisdiction!r}: expected one of {', '.join(sorted(areas))}")
    return areas[jurisdiction]["geometry"]


def indicators(layers: Layers, name: str, zone: dict) -> dict:
    """The indicators of one zone (lon/lat GeoJSON polygon) over ``layers``, with how each was computed."""
    frame = LocalFrame.around([zone])
    shapes = {k: [frame.shape(g) for g in getattr(layers, k)] for k in ("parks", "green", "forest")}
    water = None if layers.water is None else [frame.shape(g) for g in layers.water]
    residents_xy = residents = None
    if len(layers.population):
        residents_xy = frame.xy(layers.population_lonlat[:, 0], layers.population_lonlat[:, 1])
        residents = layers.population
    result = zone_indicators(name, frame.shape(zone), shapes["parks"], green=shapes["green"], forest=shapes["forest"],
                             water=water, residents_xy=residents_xy, residents=residents).to_dict()
    result["method"] = (f"areas and distances in a Lambert azimuthal equal-area frame on WGS84 ({frame.proj4}); "
                        "distance to a park is to its polygon (0 inside)")
    if not layers.forest:
        result["forest_cover_pct"] = None
        result["forest_note"] = "no forest polygons loaded: forest cover not computed"
    if residents is None:
        result["area_based_note"] = ("no population distribution loaded: area_within_300m_pct and "
                                     "area_within_500m_pct are shares of the zone's AREA, not of residents")
    return result

