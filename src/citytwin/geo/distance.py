"""Distances on the sphere and a local plane for short ranges.

:func:`haversine_m` is the great-circle distance on a sphere of the IUGG mean Earth radius
R1 = 6 371 008.8 m (Moritz, "Geodetic Reference System 1980", Bulletin Géodésique 54, 1980;
R1 = (2a + b) / 3 of GRS 80). Its error against the WGS 84 ellipsoid is below 0.5 %.

:func:`to_local_m` is the equirectangular projection about a reference point (x east, y north,
in metres): good to well under 0.1 % within a few tens of kilometres of the reference, which is
the scale of a district, and cheap enough for planar geometry over many points.
"""

from __future__ import annotations

import numpy as np

__all__ = ["EARTH_RADIUS_M", "haversine_m", "to_local_m"]

#: IUGG mean Earth radius R1 [m].
EARTH_RADIUS_M = 6371008.8


def haversine_m(lon1, lat1, lon2, lat2):
    """Great-circle distance between (lon1, lat1) and (lon2, lat2) [°], broadcast over arrays. [m]"""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    d_lat = p2 - p1
    d_lon = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    h = np.sin(d_lat / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(d_lon / 2.0) ** 2
    d = 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return float(d) if np.ndim(d) == 0 else d


def to_local_m(lon, lat, lon0, lat0):
    """Equirectangular (x, y) [m] of (lon, lat) [°] about (lon0, lat0) [°]: x east, y north."""
    x = EARTH_RADIUS_M * np.radians(np.asarray(lon, dtype=float) - lon0) * np.cos(np.radians(lat0))
    y = EARTH_RADIUS_M * np.radians(np.asarray(lat, dtype=float) - lat0)
    if np.ndim(x) == 0 and np.ndim(y) == 0:
        return float(x), float(y)
    return x, y
