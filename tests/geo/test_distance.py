"""Great-circle distance and the local plane, on cases computable by hand."""

import math

import numpy as np
from numpy.testing import assert_allclose

from citytwin.geo import haversine_m, to_local_m
from citytwin.geo.distance import EARTH_RADIUS_M

ONE_DEGREE_M = EARTH_RADIUS_M * math.pi / 180.0  # 111 195.08 m


def test_one_degree_of_latitude_and_of_equator():
    assert_allclose(haversine_m(116.0, 39.0, 116.0, 40.0), ONE_DEGREE_M, rtol=1e-12)
    assert_allclose(haversine_m(0.0, 0.0, 1.0, 0.0), ONE_DEGREE_M, rtol=1e-12)


def test_antipodes_and_zero():
    assert_allclose(haversine_m(0.0, 90.0, 0.0, -90.0), math.pi * EARTH_RADIUS_M, rtol=1e-12)
    assert haversine_m(116.6557, 39.9174, 116.6557, 39.9174) == 0.0


def test_broadcasts_one_point_against_many():
    d = haversine_m(116.0, 40.0, np.array([116.0, 116.0, 117.0]), np.array([40.0, 41.0, 40.0]))
    assert d.shape == (3,)
    assert_allclose(d[:2], [0.0, ONE_DEGREE_M], rtol=1e-12)
    # along a parallel the great circle is slightly shorter than R·Δλ·cos φ
    assert d[2] < ONE_DEGREE_M * math.cos(math.radians(40.0))


def test_local_plane_axes():
    assert_allclose(to_local_m(116.0, 41.0, 116.0, 40.0), (0.0, ONE_DEGREE_M), rtol=1e-12)
    x, y = to_local_m(np.array([117.0]), np.array([60.0]), 116.0, 60.0)
    assert_allclose(x, [ONE_DEGREE_M * 0.5], rtol=1e-12)
    assert_allclose(y, [0.0], atol=1e-9)


def test_local_plane_agrees_with_haversine_at_district_scale():
    lon0, lat0 = 116.6557, 39.9174
    lon, lat = lon0 + 0.1, lat0 + 0.08  # about 11 km away
    x, y = to_local_m(lon, lat, lon0, lat0)
    assert_allclose(math.hypot(x, y), haversine_m(lon0, lat0, lon, lat), rtol=1e-3)
