"""The grid-of-cells nearest site against comparing every point with every site."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from citytwin.services._nearest import MAX_CANDIDATES, nearest_site


def _brute(px, py, sx, sy):
    d2 = (px[:, None] - sx) ** 2 + (py[:, None] - sy) ** 2
    return np.sqrt(d2.min(axis=1))


def _check(px, py, sx, sy):
    distance, index = nearest_site(px, py, sx, sy)
    assert_allclose(distance, _brute(px, py, sx, sy), rtol=1e-12, atol=0)
    # the index names a site at that distance
    assert_allclose(np.hypot(px - sx[index], py - sy[index]), distance, rtol=1e-12, atol=0)


rng = np.random.default_rng(7)


@pytest.mark.parametrize("points, sites", [(5_000, 300), (40, 900), (1, 1), (3, 2)])
def test_uniform_points_far_from_the_origin(points, sites):
    # a 20 km square 4,000 km from the origin (coordinates of a projected frame)
    offset = 4.0e6
    _check(*(offset + rng.uniform(0, 20_000, (2, points))), *(offset + rng.uniform(0, 20_000, (2, sites))))


def test_clustered_sites_take_the_tree_for_crowded_cells():
    # 2 * MAX_CANDIDATES sites within a metre of each other: far cells keep more than MAX_CANDIDATES
    # of them as candidates, so their points are answered by the k-d tree, the others by the grid
    sx = np.r_[rng.uniform(0, 1, 2 * MAX_CANDIDATES), rng.uniform(0, 10_000, 50)]
    sy = np.r_[rng.uniform(0, 1, 2 * MAX_CANDIDATES), rng.uniform(0, 10_000, 50)]
    _check(*rng.uniform(-5_000, 10_000, (2, 4_000)), sx, sy)


def test_degenerate_boxes_and_ties():
    # points on a line, all at one place, and a lattice where many points are equidistant from two sites
    _check(rng.uniform(0, 5_000, 500), np.full(500, 3.0), *rng.uniform(0, 5_000, (2, 40)))
    _check(np.full(10, 2.0), np.full(10, 2.0), *rng.uniform(0, 5, (2, 8)))
    gx, gy = np.meshgrid(np.arange(0.0, 1000.0, 50.0), np.arange(0.0, 1000.0, 50.0))
    sx, sy = np.array([100.0, 300.0, 500.0, 700.0]), np.array([500.0, 500.0, 500.0, 500.0])
    distance, index = nearest_site(gx.ravel(), gy.ravel(), sx, sy)
    assert_array_equal(distance, _brute(gx.ravel(), gy.ravel(), sx, sy))  # the same arithmetic
    assert index[(gx.ravel() == 200) & (gy.ravel() == 500)] in (0, 1)


def test_no_points():
    distance, index = nearest_site(np.zeros(0), np.zeros(0), np.array([1.0]), np.array([2.0]))
    assert distance.shape == index.shape == (0,)
