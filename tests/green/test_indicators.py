"""Green-space indicators on cases computed by hand: a 100 m square park, residents at known points."""

import math

import numpy as np
import pytest
import shapely
from numpy.testing import assert_allclose

from citytwin.errors import BadInputError
from citytwin.green.indicators import distance_to_parks_m, share_within, zone_indicators

PARK = shapely.box(0, 0, 100, 100)  # 100 m × 100 m = 10,000 m²
ZONE = shapely.box(-1000, -1000, 1000, 1000)  # 2 km × 2 km = 4,000,000 m²

# residents: (x, y) [m], count, distance to the square's boundary worked by hand
RESIDENTS = [
    ((50, 50), 10, 0.0),  # inside
    ((400, 50), 20, 300.0),  # 300 m east of the east edge
    ((50, -450), 30, 450.0),  # 450 m south of the south edge
    ((600, 600), 40, math.hypot(500, 500)),  # 707.1 m from the NE corner
    ((-300, -400), 50, 500.0),  # 3-4-5 triangle to the SW corner
]
XY = (np.array([p[0][0] for p in RESIDENTS]), np.array([p[0][1] for p in RESIDENTS]))
COUNTS = np.array([p[1] for p in RESIDENTS])


def test_distance_is_to_the_boundary_and_zero_inside():
    assert_allclose(distance_to_parks_m(*XY, [PARK]), [p[2] for p in RESIDENTS])
    # to the nearest of two parks
    assert_allclose(distance_to_parks_m([400.0], [50.0], [PARK, shapely.box(450, 0, 460, 100)]), [50.0])
    assert np.all(np.isinf(distance_to_parks_m([1.0], [1.0], [])))


def test_shares_and_park_area_per_resident_by_hand():
    result = zone_indicators("square", ZONE, [PARK], residents_xy=XY, residents=COUNTS)
    assert result.residents == 150
    assert result.park_area_m2 == pytest.approx(10_000)
    assert result.park_area_per_resident_m2 == pytest.approx(10_000 / 150)
    assert result.residents_within_300m_pct == pytest.approx(100 * 30 / 150)  # 10 + 20
    assert result.residents_within_500m_pct == pytest.approx(100 * 110 / 150)  # 10 + 20 + 30 + 50
    assert result.population_basis.startswith("distribution: 5 ")


def test_grid_of_residents():
    # one resident per 100 m grid node over the zone; by hand: nodes within r of the square [0,100]²
    xs, ys = np.meshgrid(np.arange(-1000, 1001, 100.0), np.arange(-1000, 1001, 100.0))
    x, y = xs.ravel(), ys.ravel()
    dx, dy = np.maximum(0, np.maximum(-x, x - 100)), np.maximum(0, np.maximum(-y, y - 100))
    expected = {r: 100 * np.mean(np.hypot(dx, dy) <= r) for r in (300, 500)}
    result = zone_indicators("grid", ZONE, [PARK], residents_xy=(x, y), residents=np.ones_like(x))
    assert result.residents == 21 * 21
    assert result.residents_within_300m_pct == pytest.approx(expected[300])
    assert result.residents_within_500m_pct == pytest.approx(expected[500])
    # by hand: 11 (dx, dy) offsets in {0,100,200,300}² lie within 300 m, each met by 2 × 2 nodes → 44 nodes
    assert result.residents_within_300m_pct == pytest.approx(100 * 44 / 441)


def test_zone_without_population_is_labelled_area_based():
    result = zone_indicators("no people", ZONE, [PARK])
    assert result.population_basis == "none loaded"
    assert result.residents is None and result.park_area_per_resident_m2 is None
    assert result.residents_within_500m_pct is None
    # area within r of a square of side a: a² + 4 a r + π r² (rounded corners)
    for r, pct in ((300, result.area_within_300m_pct), (500, result.area_within_500m_pct)):
        assert pct == pytest.approx(100 * (100**2 + 4 * 100 * r + math.pi * r**2) / 4e6, rel=1e-4)


def test_forest_cover_on_land_area_and_overlaps_counted_once():
    forest = shapely.box(-1000, -1000, 0, 0)  # 1 km² = a quarter of the zone
    water = shapely.box(0, -1000, 1000, 0)  # another quarter
    result = zone_indicators("z", ZONE, [PARK], forest=[forest], water=[water], green=[shapely.box(0, 0, 50, 50)])
    assert result.land_area_m2 == pytest.approx(3e6)
    assert result.forest_cover_pct == pytest.approx(100 / 3)
    assert result.green_area_m2 == pytest.approx(1e6 + 10_000)  # the garden lies inside the park
    no_water = zone_indicators("z", ZONE, [PARK], forest=[forest])
    assert no_water.forest_cover_pct == pytest.approx(25.0)
    assert no_water.land_area_basis == "zone area (no water bodies loaded)"


def test_points_outside_the_zone_are_ignored_and_bad_input_named():
    result = zone_indicators("small", shapely.box(-100, -100, 200, 200), [PARK], residents_xy=XY, residents=COUNTS)
    assert result.residents == 10
    with pytest.raises(BadInputError, match="one weight each"):
        share_within([1.0, 2.0], [1.0], 300)
    with pytest.raises(BadInputError, match="non-negative"):
        share_within([1.0], [-1.0], 300)
    with pytest.raises(BadInputError, match="has no area"):
        zone_indicators("line", shapely.LineString([(0, 0), (1, 1)]), [PARK])
