"""Nearest facility, reach and cross-border sharing on cases computed by hand."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from citytwin.errors import BadInputError
from citytwin.services.access import capacity_per_1000, cross_border_share, nearest, reach_radius_m, share_within


def test_facilities_on_a_line():
    # facilities at x = 0, 1000, 3000 on the x axis; residents at known points
    fx, fy = [0.0, 1000.0, 3000.0], [0.0, 0.0, 0.0]
    rx, ry = [100.0, 600.0, 2000.0, 2100.0, 5000.0, 1000.0], [0.0, 0.0, 0.0, 0.0, 0.0, 300.0]
    distance, index = nearest(rx, ry, fx, fy)
    assert_allclose(distance, [100, 400, 1000, 900, 2000, 300])
    assert_array_equal(index[[0, 1, 3, 4, 5]], [0, 1, 2, 2, 1])
    assert index[2] in (1, 2)  # equidistant
    assert_allclose(nearest([3.0], [4.0], [0.0], [0.0])[0], [5.0])


def test_reach_of_fifteen_minutes():
    assert reach_radius_m() == 1250.0
    assert reach_radius_m(10, 4.8) == pytest.approx(800.0)
    assert share_within([100, 1250, 1251], [1, 1, 2], reach_radius_m()) == pytest.approx(50.0)
    with pytest.raises(BadInputError, match="speed_kmh = 0"):
        reach_radius_m(15, 0)


def test_two_squares_with_a_facility_near_the_border():
    # jurisdiction A is the square [0,1000]², B is [1000,2000]×[0,1000]; a hospital in A at (950, 500)
    # and one deep in B at (1900, 500). Residents of B at x = 1100 and 1300 are nearer the one in A.
    fx, fy, fj = [950.0, 1900.0], [500.0, 500.0], np.array(["A", "B"], dtype=object)
    rx = [100.0, 500.0, 1100.0, 1300.0, 1500.0, 1800.0]
    ry = [500.0] * 6
    rj = ["A", "A", "B", "B", "B", "B"]
    weights = [10, 10, 40, 20, 30, 10]
    _, index = nearest(rx, ry, fx, fy)
    # by hand: 1100 → 150 m to A's, 800 m to B's; 1300 → 350 vs 600; 1500 → 550 vs 400; 1800 → B
    assert cross_border_share(rj, weights, fj[index]) == pytest.approx({"A": 0.0, "B": 100 * 60 / 100})


def test_capacity_per_thousand():
    assert capacity_per_1000({"A": 500, "B": 120}, {"A": 100_000, "B": 60_000, "C": 0}) == {
        "A": 5.0, "B": 2.0, "C": None}


def test_bad_input_is_named():
    with pytest.raises(BadInputError, match="no facility"):
        nearest([0.0], [0.0], [], [])
    with pytest.raises(BadInputError, match="finite"):
        nearest([math.nan], [0.0], [0.0], [0.0])
    with pytest.raises(BadInputError, match="as many of each"):
        cross_border_share(["A"], [1, 2], ["A"])
