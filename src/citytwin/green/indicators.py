"""Green-space indicators of one zone, computed in metres (a :class:`~citytwin.green.projection.LocalFrame`).

The indicators and the standards that define them:

* **green area, park area** [m²]: the zone's area covered by green polygons (parks, gardens, forest,
  other green space) and by parks, each counted once where polygons overlap.
* **park area per resident** (人均公园绿地面积) [m²/person]: park area / residents of the zone.
  GB/T 50563-2010 城市园林绿化评价标准 (evaluation standard for urban landscaping and greening)
  and GB/T 37342-2019 国家森林城市评价指标 list it among their indicators.
* **share of residents within 300 m / 500 m of a park** [%]: the service-radius coverage of parks,
  公园绿地服务半径覆盖率 in GB/T 50563-2010 ("300 米见绿, 500 米见园") and the park service-radius
  indicator of GB/T 37342-2019. The standards state the coverage over residential land; the issue and
  the published Tongzhou figure (87.33 % of residents within 500 m) state it over residents, which is
  what is computed here when a population distribution is given. Without one, the share of the zone's
  AREA within the radius is given instead, labelled ``area-based``. (The clause numbers of both
  standards were not checked here; the indicator names are.)
* **forest cover** (森林覆盖率) [%]: forest area / land area (GB/T 37342-2019). The land area is the
  zone's area minus water bodies when water polygons are given, else the zone's whole area (stated).

Distance to a park is the distance to its polygon (0 inside), not to its centroid.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import shapely

from citytwin.errors import BadInputError

__all__ = ["RADII_M", "ZoneIndicators", "distance_to_parks_m", "share_within", "zone_indicators"]

#: The park service radii of GB/T 50563-2010 and GB/T 37342-2019 [m].
RADII_M = (300, 500)

#: Segments per quarter circle when buffering parks by a service radius (area error < 0.01 %).
_QUAD_SEGS = 64


@dataclass(frozen=True)
class ZoneIndicators:
    """The green-space indicators of one zone; fields that the data do not allow are None."""

    zone: str
    area_m2: float
    land_area_m2: float
    land_area_basis: str
    green_area_m2: float
    park_area_m2: float
    forest_area_m2: float
    forest_cover_pct: float
    parks: int
    population_basis: str
    residents: float | None
    park_area_per_resident_m2: float | None
    residents_within_300m_pct: float | None
    residents_within_500m_pct: float | None
    area_within_300m_pct: float
    area_within_500m_pct: float

    def to_dict(self) -> dict:
        return asdict(self)


def distance_to_parks_m(x, y, parks: list[shapely.Geometry]) -> np.ndarray:
    """Distance of each point (``x``, ``y`` [m]) to the nearest park polygon [m], 0 inside a park.

    Returns ``inf`` for every point when there is no park.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape:
        raise BadInputError(f"x has shape {x.shape} and y {y.shape}: expected the same shape")
    if not parks:
        return np.full(x.shape, np.inf)
    tree = shapely.STRtree(parks)
    points = shapely.points(x.ravel(), y.ravel())
    (_, _), distance = tree.query_nearest(points, return_distance=True, all_matches=False)
    return distance.reshape(x.shape)


def share_within(distance_m, weights, radius_m: float) -> float:
    """Weighted share of points whose distance is at most ``radius_m`` [%]; NaN when the weights sum to 0."""
    distance_m, weights = np.asarray(distance_m, dtype=float), np.asarray(weights, dtype=float)
    if distance_m.shape != weights.shape:
        raise BadInputError(f"{distance_m.size} distances and {weights.size} weights: expected one weight each")
    if np.any(weights < 0) or not np.all(np.isfinite(weights)):
        raise BadInputError("population weights must be finite and non-negative")
    total = weights.sum()
    return float("nan") if total == 0 else float(100.0 * weights[distance_m <= radius_m].sum() / total)


def _union_area(zone: shapely.Geometry, shapes: list[shapely.Geometry]) -> float:
    return float(shapely.intersection(zone, shapely.union_all(shapes)).area) if shapes else 0.0


def zone_indicators(
    name: str,
    zone: shapely.Geometry,
    parks: list[shapely.Geometry],
    *,
    green: list[shapely.Geometry] = (),
    forest: list[shapely.Geometry] = (),
    water: list[shapely.Geometry] | None = None,
    residents_xy: tuple[np.ndarray, np.ndarray] | None = None,
    residents: np.ndarray | None = None,
) -> ZoneIndicators:
    """Indicators of one zone; every geometry and coordinate in the same metric, equal-area frame [m].

    Parameters
    ----------
    name : str
        The zone's name or code, repeated in the result.
    zone : shapely Polygon or MultiPolygon
        The zone [m].
    parks, green, forest, water : list of shapely polygons
        Parks (also counted as green space), other green space, forest and water bodies [m]. Parks
        outside the zone still serve residents inside it. ``water=None`` means no water layer is loaded.
    residents_xy, residents : arrays, optional
        A population distribution: coordinates of points or grid-cell centres [m] and their counts
        [persons]. Points outside the zone are ignored. Without it the residents-based fields are None.
    """
    if zone.is_empty or zone.area <= 0:
        raise BadInputError(f"zone {name!r} has no area: expected a polygon")
    area = float(zone.area)
    water_area = _union_area(zone, list(water)) if water is not None else 0.0
    land = area - water_area
    land_basis = "zone area minus water bodies" if water is not None else "zone area (no water bodies loaded)"
    forest_area = _union_area(zone, list(forest))
    within = {r: _union_area(zone, [shapely.buffer(p, r, quad_segs=_QUAD_SEGS) for p in parks]) for r in RADII_M}
    fields = dict(
        zone=name, area_m2=area, land_area_m2=land, land_area_basis=land_basis,
        green_area_m2=_union_area(zone, [*parks, *green, *forest]), park_area_m2=_union_area(zone, list(parks)),
        forest_area_m2=forest_area, forest_cover_pct=100.0 * forest_area / land if land > 0 else float("nan"),
        parks=sum(1 for p in parks if p.intersects(zone)),
        area_within_300m_pct=100.0 * within[300] / area, area_within_500m_pct=100.0 * within[500] / area,
    )
    if residents_xy is None or residents is None:
        return ZoneIndicators(**fields, population_basis="none loaded", residents=None,
                              park_area_per_resident_m2=None, residents_within_300m_pct=None,
                              residents_within_500m_pct=None)
    x, y = (np.asarray(a, dtype=float) for a in residents_xy)
    counts = np.asarray(residents, dtype=float)
    inside = shapely.intersects_xy(zone, x, y)  # a point on the boundary belongs to the zone
    x, y, counts = x[inside], y[inside], counts[inside]
    distance = distance_to_parks_m(x, y, list(parks))
    total = float(counts.sum())
    return ZoneIndicators(
        **fields,
        population_basis=f"distribution: {int(inside.sum())} points or cells in the zone",
        residents=total,
        park_area_per_resident_m2=fields["park_area_m2"] / total if total > 0 else None,
        residents_within_300m_pct=share_within(distance, counts, 300) if total > 0 else None,
        residents_within_500m_pct=share_within(distance, counts, 500) if total > 0 else None,
    )
