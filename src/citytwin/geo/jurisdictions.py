"""Which jurisdiction holds a place: point-in-polygon over the administrative boundaries.

Boundaries are GeoJSON features (WGS 84) with an ``adcode`` property (GB/T 2260 administrative
division code). A point is looked up as it is; a line or polygon by its representative point (a
point guaranteed inside the shape, shapely's ``representative_point``). Outside every polygon the
jurisdiction is ``None``, and so is a point on a boundary line (containment of the interior, the DE-9IM
*within* predicate); where polygons overlap, the first feature wins. Candidates come from a shapely
``STRtree`` over the boundaries.
"""

from __future__ import annotations

import numpy as np
import shapely
import shapely.geometry

__all__ = ["Jurisdictions", "areas_of"]


def areas_of(twin) -> dict[str, dict]:
    """Code -> ``{name_zh, name_en, geometry}`` of the twin's ``AdministrativeArea`` entities (the
    union of the geometries of several entities with one code); where the twin holds none, those of
    the reference district's boundaries (``citytwin.datasets``)."""
    found: dict[str, dict] = {}
    for e in twin.entities(type="AdministrativeArea"):
        if not (e.location and e.jurisdiction):
            continue
        area = found.get(e.jurisdiction)
        if area is None:
            found[e.jurisdiction] = {"name_zh": e.properties.get("name_zh"), "name_en": e.properties.get("name_en"),
                                     "geometry": e.location}
        else:
            union = shapely.union_all([shapely.geometry.shape(area["geometry"]), shapely.geometry.shape(e.location)])
            area["geometry"] = shapely.geometry.mapping(union)
    if found:
        return found
    from citytwin.datasets import boundaries

    return {f["properties"]["adcode"]: {"name_zh": f["properties"]["name_zh"], "name_en": f["properties"]["name_en"],
                                        "geometry": f["geometry"]} for f in boundaries()["features"]}


class Jurisdictions:
    """Point-in-polygon lookup of the administrative code that holds a geometry."""

    def __init__(self, boundaries: dict) -> None:
        self._codes = [str(f["properties"]["adcode"]) for f in boundaries.get("features", [])]
        self._tree = shapely.STRtree([shapely.geometry.shape(f["geometry"]) for f in boundaries.get("features", [])])

    @classmethod
    def from_areas(cls, areas: dict[str, dict]) -> Jurisdictions:
        """From ``{adcode: {"geometry": GeoJSON geometry, ...}}`` (e.g. the twin's AdministrativeArea entities)."""
        return cls({"features": [{"properties": {"adcode": code}, "geometry": area["geometry"]}
                                 for code, area in areas.items()]})

    def locate(self, geometry: dict) -> str | None:
        """The adcode holding a GeoJSON geometry (WGS 84), or None."""
        shape = shapely.geometry.shape(geometry)
        point = shape if shape.geom_type == "Point" else shape.representative_point()
        return self.locate_points([point.x], [point.y])[0]

    def locate_points(self, lon, lat) -> list[str | None]:
        """The adcode holding each (lon, lat) point [°], or None."""
        points = shapely.points(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        found: list[str | None] = [None] * len(points)
        first = np.full(len(points), len(self._codes))
        point_index, area_index = self._tree.query(points, predicate="within")
        np.minimum.at(first, point_index, area_index)  # the first feature holding a point wins
        for i in np.flatnonzero(first < len(self._codes)):
            found[i] = self._codes[first[i]]
        return found
