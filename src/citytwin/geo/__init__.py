"""Coordinates: the Chinese coordinate systems (WGS 84, GCJ-02, BD-09, BD-09MC) and distances.

:mod:`~citytwin.geo.crs` converts between the four systems; :mod:`~citytwin.geo.distance` gives
great-circle distances and a local metric plane. Pure functions over scalars and numpy arrays.
"""

from citytwin.geo.crs import (
    CRS_NAMES,
    bd09_to_bd09mc,
    bd09_to_gcj02,
    bd09mc_to_bd09,
    convert,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    wgs84_to_gcj02,
)
from citytwin.geo.distance import haversine_m, to_local_m

__all__ = [
    "CRS_NAMES",
    "bd09_to_bd09mc",
    "bd09_to_gcj02",
    "bd09mc_to_bd09",
    "convert",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "haversine_m",
    "to_local_m",
    "wgs84_to_gcj02",
]
