"""Equal-area projection of lon/lat on the GRS80 (CGCS2000) ellipsoid, for polygon areas.

Albers conic equal-area, ellipsoidal form, after Snyder (1987), eqs. 3-12, 14-3, 14-12 to 14-15.
The parameters are the usual China Albers ones (standard parallels 25° N and 47° N, central
meridian 105° E), so areas agree with a geodesic computation (pyproj.Geod) to about 0.1 %.

References
----------
.. [1] Snyder, J. P. (1987). Map Projections: A Working Manual. USGS Professional Paper 1395,
   pp. 98-103 (Albers equal-area conic, ellipsoid).
.. [2] GB/T 2000 CGCS2000 ellipsoid: a = 6378137 m, 1/f = 298.257222101 (GRS80).
"""

from __future__ import annotations

import numpy as np

from citytwin.errors import BadInputError

__all__ = ["albers_xy", "polygon_area_km2"]

_A = 6378137.0  # semi-major axis [m]  [2]
_F = 1 / 298.257222101  # flattening [-]  [2]
_E2 = _F * (2 - _F)  # first eccentricity squared [-]
_E = np.sqrt(_E2)
_LAT1, _LAT2, _LON0, _LAT0 = np.radians([25.0, 47.0, 105.0, 0.0])


def _q(phi: np.ndarray) -> np.ndarray:
    """Snyder eq. 3-12: the authalic function q(φ) [-]."""
    s = np.sin(phi)
    return (1 - _E2) * (s / (1 - _E2 * s * s) - np.log((1 - _E * s) / (1 + _E * s)) / (2 * _E))


def _m(phi: np.ndarray) -> np.ndarray:
    """Snyder eq. 14-15: m(φ) = cos φ / sqrt(1 - e² sin² φ) [-]."""
    s = np.sin(phi)
    return np.cos(phi) / np.sqrt(1 - _E2 * s * s)


_M1, _M2 = _m(_LAT1), _m(_LAT2)
_Q1, _Q2 = _q(_LAT1), _q(_LAT2)
_N = (_M1**2 - _M2**2) / (_Q2 - _Q1)  # eq. 14-14
_C = _M1**2 + _N * _Q1  # eq. 14-13
_RHO0 = _A * np.sqrt(_C - _N * _q(_LAT0)) / _N  # eq. 14-12


def albers_xy(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project longitude and latitude [degrees] to Albers equal-area x, y [m] (Snyder eq. 14-1..4)."""
    lam = np.radians(np.asarray(lon, dtype=float))
    phi = np.radians(np.asarray(lat, dtype=float))
    rho = _A * np.sqrt(_C - _N * _q(phi)) / _N
    theta = _N * (lam - _LON0)
    return rho * np.sin(theta), _RHO0 - rho * np.cos(theta)


def _ring_area_m2(ring: list) -> float:
    """Shoelace area of one closed ring of [lon, lat] pairs after projection [m²], unsigned."""
    xy = np.asarray(ring, dtype=float)
    x, y = albers_xy(xy[:, 0], xy[:, 1])
    return abs(0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def polygon_area_km2(geometry: dict) -> float:
    """Area of a GeoJSON Polygon or MultiPolygon in lon/lat [km²]: outer rings minus holes.

    Parameters
    ----------
    geometry : dict
        GeoJSON geometry object with ``type`` Polygon or MultiPolygon, coordinates in degrees.

    Returns
    -------
    float
        Area on the GRS80 ellipsoid through an equal-area projection [km²].
    """
    kind = geometry.get("type")
    if kind == "Polygon":
        polygons = [geometry["coordinates"]]
    elif kind == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        raise BadInputError(f"geometry type {kind!r}: expected 'Polygon' or 'MultiPolygon'")
    total = 0.0
    for rings in polygons:
        total += _ring_area_m2(rings[0]) - sum(_ring_area_m2(r) for r in rings[1:])
    return total / 1e6
