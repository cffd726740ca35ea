"""Coordinate conversions against published control points, both ways, and round trips.

Control points and where they are published:

- [CT] wandergis/coordtransform (MIT), README and ``test/app.js``: the point (116.404, 39.915)
  through each step. Its ``gcj02towgs84``/``bd09togcj02`` are one-step approximations, so only the
  forward results are control points; we check our inverses by sending those results back.
- [BIP] Baidu's IP-location web API (``api.map.baidu.com/location/ip``), the Beijing city centre
  it returns in BD-09MC (``x 12958160.97, y 4825907.72``, no ``coor``) and in BD-09
  (``x 116.40387397, y 39.91488908``, ``coor=bd09ll``), widely quoted from its responses.
- [GC] hujiulong/gcoord (MIT), ``test/fixtures/china-cities.json``: city centres in WGS84, GCJ02,
  BD09 and BD09MC. Its WGS84 column differs from the published GCJ-02 polynomial by a steady
  0.65 m (its WGS84 came from an approximate inverse), so WGS84↔GCJ02 is checked there to 1 m
  only; the GCJ02↔BD09↔BD09MC columns agree to 2 cm.
- [TR] ``baidu_subway_map_2023_bd09mc.csv`` (see DATA_SOURCES.md): 通州北关 station, converted
  by its compiler with two other libraries to 116.6557 E, 39.9174 N (4 decimals, so a loose check).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from citytwin.errors import BadInputError
from citytwin.geo import (
    CRS_NAMES,
    bd09_to_bd09mc,
    bd09_to_gcj02,
    bd09mc_to_bd09,
    convert,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    haversine_m,
    wgs84_to_gcj02,
)
from citytwin.geo.crs import CHINA_BOX, in_china

# [CT] the published point and its published images
CT_INPUT = (116.404, 39.915)
CT_WGS84_TO_GCJ02 = (116.41024449916938, 39.91640428150164)
CT_GCJ02_TO_BD09 = (116.41036949371029, 39.92133699351021)

# [BIP]
BIP_BD09MC = (12958160.97, 4825907.72)
BIP_BD09 = (116.40387397, 39.91488908)

# [GC] name: (WGS84, GCJ02, BD09, BD09MC); two Hebei cities near the district and four far apart
GC = {
    "沧州市": ((116.8330366, 38.3039089), (116.8388422, 38.3044822), (116.8454238, 38.3102948),
              (13007314.611, 4596617.223)),
    "邢台市": ((114.498916, 37.0700925), (114.5048503, 37.0705911), (114.5113116, 37.0766797),
              (12747479.603, 4423799.762)),
    "沈阳市": ((123.4253306, 41.8032629), (123.4314787, 41.8057023), (123.438095, 41.8114013),
              (13741215.395, 5104015.047)),
    "锡林郭勒盟": ((116.0414035, 43.9312805), (116.0482308, 43.9334573), (116.0546232, 43.9397782),
                (12919282.125, 5426197.163)),
    "酒泉市": ((98.4937175, 39.7319946), (98.4943595, 39.7328234), (98.5008441, 39.7388949),
              (10965183.117, 4800499.115)),
    "汕头市": ((116.6775114, 23.3567569), (116.6819735, 23.3540964), (116.6885014, 23.3598884),
              (12989845.895, 2658504.617)),
}


def _metres(a, b) -> float:
    return haversine_m(a[0], a[1], b[0], b[1])


def test_wgs84_to_gcj02_matches_published_value():
    assert_allclose(wgs84_to_gcj02(*CT_INPUT), CT_WGS84_TO_GCJ02, rtol=0, atol=1e-12)


def test_gcj02_to_wgs84_recovers_published_input_to_a_millimetre():
    assert _metres(gcj02_to_wgs84(*CT_WGS84_TO_GCJ02), CT_INPUT) < 0.001


def test_gcj02_to_bd09_matches_published_value_and_inverse_recovers_it():
    assert_allclose(gcj02_to_bd09(*CT_INPUT), CT_GCJ02_TO_BD09, rtol=0, atol=1e-12)
    assert _metres(bd09_to_gcj02(*CT_GCJ02_TO_BD09), CT_INPUT) < 0.001


def test_bd09mc_baidu_ip_location_pair_both_ways():
    assert _metres(bd09mc_to_bd09(*BIP_BD09MC), BIP_BD09) < 0.001
    # Baidu's LL2MC and MC2LL polynomials are not exact inverses: 1.2 cm apart here
    x, y = bd09_to_bd09mc(*BIP_BD09)
    assert abs(x - BIP_BD09MC[0]) < 0.02 and abs(y - BIP_BD09MC[1]) < 0.02


@pytest.mark.parametrize("name", sorted(GC))
def test_gcoord_city_centres_both_ways(name):
    wgs, gcj, bd, mc = GC[name]
    # GCJ02 ↔ BD09 ↔ BD09MC: the fixture agrees to 2 cm
    assert _metres(convert(*gcj, "gcj02", "bd09"), bd) < 0.02
    assert _metres(convert(*bd, "bd09", "gcj02"), gcj) < 0.02
    assert np.hypot(*np.subtract(convert(*bd, "bd09", "bd09mc"), mc)) < 0.02
    assert _metres(convert(*mc, "bd09mc", "bd09"), bd) < 0.02
    assert _metres(convert(*mc, "bd09mc", "gcj02"), gcj) < 0.03
    # WGS84 ↔ GCJ02: the fixture's WGS84 column is off by 0.65 m (see the module docstring)
    assert _metres(convert(*wgs, "wgs84", "gcj02"), gcj) < 1.0
    assert _metres(convert(*gcj, "gcj02", "wgs84"), wgs) < 1.0
    assert _metres(convert(*mc, "bd09mc", "wgs84"), wgs) < 1.0


def test_tongzhou_beiguan_station_loose_check():
    # [TR] row 通州北关, line 6: px_bd09mc, py_bd09mc
    lon, lat = convert(12987569.57, 4827324.26, "bd09mc", "wgs84")
    assert _metres((lon, lat), (116.6557, 39.9174)) < 30.0


# Keep a degree clear of the box edges: a point that the offset (at most ~0.7 km) moves across
# the box edge is ambiguous by design of GCJ-02.
china_lon = st.floats(CHINA_BOX[0] + 1.0, CHINA_BOX[2] - 1.0)
china_lat = st.floats(CHINA_BOX[1] + 1.0, CHINA_BOX[3] - 1.0)


@settings(max_examples=300, deadline=None)
@given(china_lon, china_lat)
def test_wgs84_gcj02_round_trip_within_a_centimetre(lon, lat):
    gx, gy = wgs84_to_gcj02(lon, lat)
    assert _metres(gcj02_to_wgs84(gx, gy), (lon, lat)) < 0.01
    assert _metres((gx, gy), (lon, lat)) > 0.0  # inside China the offset is applied


@settings(max_examples=300, deadline=None)
@given(china_lon, china_lat)
def test_gcj02_bd09_round_trip_within_a_centimetre(lon, lat):
    assert _metres(bd09_to_gcj02(*gcj02_to_bd09(lon, lat)), (lon, lat)) < 0.01


@settings(max_examples=300, deadline=None)
@given(china_lon, china_lat)
def test_bd09mc_round_trip_within_baidu_polynomial_mismatch(lon, lat):
    # Baidu's LL2MC and MC2LL tables are not exact inverses; 0.27 m is the worst we measured.
    assert _metres(bd09mc_to_bd09(*bd09_to_bd09mc(lon, lat)), (lon, lat)) < 0.5


@pytest.mark.parametrize("point", [(-0.1246, 51.5007), (139.6917, 35.6895), (151.2093, -33.8688), (-74.006, 40.7128)])
def test_outside_china_gcj02_is_wgs84(point):
    assert not in_china(*point)
    assert wgs84_to_gcj02(*point) == point
    assert gcj02_to_wgs84(*point) == point


def test_vectorised_equals_scalar_for_every_pair():
    lon = np.array([116.404, 116.6557, 117.0, 98.49])
    lat = np.array([39.915, 39.9174, 39.95, 39.73])
    for src in ("wgs84", "gcj02", "bd09"):
        for dst in CRS_NAMES:
            xs, ys = convert(lon, lat, src, dst)
            assert isinstance(xs, np.ndarray) and xs.shape == lon.shape
            for i in range(len(lon)):
                x, y = convert(float(lon[i]), float(lat[i]), src, dst)
                assert isinstance(x, float)
                assert (xs[i], ys[i]) == (x, y)


def test_convert_chains_the_steps_and_is_identity_on_same_crs():
    chained = bd09_to_bd09mc(*gcj02_to_bd09(*wgs84_to_gcj02(*CT_INPUT)))
    assert convert(*CT_INPUT, "wgs84", "bd09mc") == chained
    assert convert(*CT_INPUT, "GCJ02", "gcj02") == CT_INPUT


def test_nan_propagates():
    x, y = convert(np.array([np.nan, 116.4]), np.array([39.9, 39.9]), "wgs84", "bd09")
    assert np.isnan(x[0]) and np.isfinite(x[1])


@pytest.mark.parametrize(
    ("src", "dst", "bad"), [("wgs-84", "gcj02", "'wgs-84'"), ("wgs84", "epsg:3857", "'epsg:3857'")]
)
def test_unknown_crs_is_named(src, dst, bad):
    with pytest.raises(BadInputError, match=f"coordinate system {bad}: expected one of wgs84, gcj02, bd09, bd09mc"):
        convert(116.4, 39.9, src, dst)


def test_non_numeric_coordinates_are_bad_input():
    with pytest.raises(BadInputError, match="coordinates must be numbers"):
        convert("east", 39.9, "wgs84", "gcj02")
