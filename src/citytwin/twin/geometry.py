"""Geometry helpers of the store: bounding boxes and centres of GeoJSON locations (RFC 7946)."""

from __future__ import annotations

import shapely.geometry

__all__ = ["bounds_and_centre"]

_NONE = ((None, None), (None, None, None, None))


def bounds_and_centre(location: dict | None):
    """((lon, lat), (min_lon, min_lat, max_lon, max_lat)) of a GeoJSON geometry, or Nones.

    The centre of a point is the point; of any other geometry, its centroid [degrees].
    """
    if location is None:
        return _NONE
    shape = shapely.geometry.shape(location)
    centre = shape if shape.geom_type == "Point" else shape.centroid
    return (centre.x, centre.y), shape.bounds
