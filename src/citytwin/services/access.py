"""Access to public-service facilities: nearest facility, 15-minute reach, cross-border sharing.

Pure functions over coordinates in a metric plane [m] (a
:class:`~citytwin.green.projection.LocalFrame`), straight-line distances only.

* Nearest facility: exact, by a grid of cells with candidate lists (Bentley, Weide and Yao 1980) found
  with a k-d tree (``scipy.spatial.cKDTree``; Bentley 1975): each resident is compared only with the
  few facilities that can be nearest to some point of its cell (:mod:`citytwin.services._nearest`).
* 15-minute reach: GB 50180-2018 城市居住区规划设计标准 (Standard for urban residential area planning
  and design) defines the 十五分钟生活圈居住区 (15-minute life-circle residential area) as the area
  whose residents meet their daily needs within a 15-minute walk (population 50,000-100,000). The
  reach radius here is walking time × a stated walking speed: 15 min at 5 km/h = 1,250 m by default.
  (The standard's walking-distance table was not checked here; pass another speed to follow it.)
* Cross-border sharing: per jurisdiction, the share of residents whose nearest facility of a kind
  lies in another jurisdiction, and capacity per 1,000 residents.

References
----------
.. [1] Bentley, J. L. (1975). Multidimensional binary search trees used for associative searching.
   Commun. ACM 18(9), 509-517.
.. [2] GB 50180-2018 城市居住区规划设计标准, the term 十五分钟生活圈居住区 (clause number not checked here).
"""

from __future__ import annotations

import numpy as np

from citytwin.errors import BadInputError
from citytwin.green.indicators import share_within  # the same weighted share as green space
from citytwin.services._nearest import nearest_site

__all__ = ["WALK_SPEED_KMH", "capacity_per_1000", "cross_border_share", "nearest", "reach_radius_m", "share_within"]

#: Default walking speed [km/h].
WALK_SPEED_KMH = 5.0


def _coordinates(x, y, what: str) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
    if x.shape != y.shape:
        raise BadInputError(f"{what}: {x.size} x and {y.size} y coordinates, expected as many of each")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise BadInputError(f"{what}: coordinates must be finite numbers [m]")
    return x, y


def _xy(x, y, what: str) -> np.ndarray:
    return np.column_stack(_coordinates(x, y, what))


def nearest(resident_x, resident_y, facility_x, facility_y) -> tuple[np.ndarray, np.ndarray]:
    """Distance to the nearest facility [m] and its index, for each resident point (on a tie, one of
    the equally near facilities)."""
    residents = _coordinates(resident_x, resident_y, "residents")
    facilities = _coordinates(facility_x, facility_y, "facilities")
    if len(facilities[0]) == 0:
        raise BadInputError("no facility: expected at least one facility to measure distances to")
    return nearest_site(*residents, *facilities)


def reach_radius_m(minutes: float = 15.0, speed_kmh: float = WALK_SPEED_KMH) -> float:
    """Straight-line reach of a walk of ``minutes`` at ``speed_kmh`` [m]: 15 min at 5 km/h = 1,250 m."""
    for name, value in (("minutes", minutes), ("speed_kmh", speed_kmh)):
        if not np.isfinite(value) or value <= 0:
            raise BadInputError(f"{name} = {value!r}: expected a positive number")
    return speed_kmh * 1000.0 * minutes / 60.0


def cross_border_share(resident_jurisdiction, weights, facility_jurisdiction_of_nearest) -> dict[str, float]:
    """Per jurisdiction of residence: share of residents whose nearest facility lies in another one [%]."""
    home = np.asarray(resident_jurisdiction, dtype=object)
    served = np.asarray(facility_jurisdiction_of_nearest, dtype=object)
    weights = np.asarray(weights, dtype=float)
    if not (home.shape == served.shape == weights.shape):
        raise BadInputError(f"{home.size} residents, {served.size} nearest facilities and {weights.size} weights: "
                            "expected as many of each")
    out = {}
    for code in sorted(set(home.tolist())):
        mine = home == code
        total = weights[mine].sum()
        out[code] = float("nan") if total == 0 else float(100.0 * weights[mine & (served != code)].sum() / total)
    return out


def capacity_per_1000(capacity: dict[str, float], residents: dict[str, float]) -> dict[str, float | None]:
    """Capacity (beds, places) per 1,000 residents, per jurisdiction; None where residents are unknown or 0."""
    return {code: (1000.0 * capacity.get(code, 0.0) / residents[code]) if residents.get(code) else None
            for code in sorted(set(capacity) | set(residents))}
