"""Which jurisdiction holds a place: point-in-polygon over the administrative boundaries.

Boundaries are GeoJSON features (WGS 84) with an ``adcode`` property (GB/T 2260 administrative
division code). A point is looked up as it is; a line or polygon by its representative point (a
point guaranteed inside the shape, shapely's ``representative_point``). Outside every polygon the
jurisdiction is ``None``; where polygons overlap, the first feature wins.
"""

from __future__ import annotations

import numpy as np
import shapely
import shapely.geometry

__all__ = ["Jurisdictions"]


class Jurisdictions:
    """Point-in-polygon lookup of the administrative code that holds a geometry."""

    def __init__(self, boundaries: dict) -> None:
        self._codes = [str(f["properties"]["adcode"]) for f in boundaries.get("features", [])]
        self._shapes = [shapely.geometry.shape(f["geometry"]) for f in boundaries.get("features", [])]
        for shape in self._shapes:
            shapely.prepare(shape)

    @classmethod
    def from_areas(cls, areas: dict[str, dict]) -> Jurisdictions:
        """From ``{adcode: {"geometry": GeoJSON geometry, ...}}`` (e.g. the twin's AdministrativeArea entities)."""
        return cls({"features": [{"properties": {"adcode": code}, "geometry": area["geometry"]}
                                 for code, area in areas.items()]})

    def locate(self, geometry: dict) -> str | None:
        """The adcode holding a GeoJSON geometry (WGS 84), or None."""
        shape = shapely.geometry.shape(geometry)
        point = shape if shape.geom_type == "Point" else shape.representative_point()
        for code, polygon in zip(self._codes, self._shapes, strict=True):
            if shapely.contains_xy(polygon, point.x, point.y):
                return code
        return None

    def locate_points(self, lon, lat) -> list[str | None]:
        """The adcode holding each (lon, lat) point [°], or None."""
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        found: list[str | None] = [None] * len(lon)
        for code, polygon in zip(self._codes, self._shapes, strict=True):
            inside = shapely.contains_xy(polygon, lon, lat)
            for i in np.flatnonzero(inside):
                if found[i] is None:
                    found[i] = code
        return found
