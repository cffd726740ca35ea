"""The four coordinate reference systems in use in China, and conversions between them.

- ``wgs84``: longitude and latitude on WGS 84 (EPSG:4326), as GPS, OpenStreetMap and GTFS give them.
- ``gcj02``: the GCJ-02 datum of the national surveying administration (国测局, "Mars coordinates"),
  WGS 84 displaced by a published offset polynomial on the Krasovsky 1940 ellipsoid. Amap (高德)
  and Tencent maps use it. Points outside China's rough bounding box are not displaced.
- ``bd09``: Baidu's BD-09 longitude and latitude (``bd09ll``), GCJ-02 with a further rotation and
  offset.
- ``bd09mc``: Baidu Mercator metres (``bd09mc``, 百度墨卡托), BD-09 through Baidu's piecewise
  polynomial projection in latitude bands.

Every function takes scalars or numpy arrays (broadcast together) and returns the same kind:
``(lon, lat)`` in degrees, or ``(x, y)`` in metres for BD-09MC. NaN stays NaN.

The inverse conversions have no closed form. GCJ-02→WGS 84 and BD-09→GCJ-02 solve the forward
equation by fixed-point iteration until the step is below ``1e-10`` degrees (about 0.01 mm),
which the tests measure against published control points and random round trips. BD-09MC uses
Baidu's own pair of polynomials, which are not exact inverses of each other (about 1e-7 degrees
apart; see ``docs/geo.md``).

References
----------
[1] GCJ-02 offset polynomial, Krasovsky a = 6378245.0 m, e² = 0.00669342162296594323, and the
    BD-09 rotation (x_pi = π·3000/180, 0.00002·sin, 0.000003·cos, +0.0065/+0.006): as published in
    the open implementations wandergis/coordtransform (MIT) and googollee/eviltransform (MIT),
    and in Wikipedia, "Restrictions on geographic data in China".
[2] BD-09MC: the MCBAND/LLBAND latitude bands and the LL2MC/MC2LL coefficient tables of Baidu's
    JavaScript map API (``BMap.MercatorProjection``), as republished by many open converters,
    e.g. hujiulong/gcoord (MIT).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from citytwin.errors import BadInputError

__all__ = [
    "CHINA_BOX",
    "CRS_NAMES",
    "bd09_to_bd09mc",
    "bd09_to_gcj02",
    "bd09mc_to_bd09",
    "convert",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "in_china",
    "wgs84_to_gcj02",
]

CRS_NAMES = ("wgs84", "gcj02", "bd09", "bd09mc")

# [1] Krasovsky 1940 ellipsoid as the GCJ-02 offset uses it.
_KRASOVSKY_A = 6378245.0  # semi-major axis [m]
_KRASOVSKY_EE = 0.00669342162296594323  # first eccentricity squared [-]
# [1] BD-09 rotation constant.
_X_PI = math.pi * 3000.0 / 180.0

#: The rough box inside which GCJ-02 displaces WGS 84 (the test of the published implementations
#: [1]): longitude 72.004–137.8347 °E, latitude 0.8293–55.8271 °N. It is a box, not China's border.
CHINA_BOX = (72.004, 0.8293, 137.8347, 55.8271)

_TOLERANCE_DEG = 1e-10
_MAX_ITERATIONS = 50

Pair = tuple[object, object]


def _arrays(lon, lat) -> tuple[np.ndarray, np.ndarray, bool]:
    """Broadcast ``lon`` and ``lat`` to float arrays; say whether both were scalars."""
    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    try:
        x, y = np.broadcast_arrays(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    except (TypeError, ValueError) as e:
        raise BadInputError(
            f"coordinates must be numbers or arrays of numbers of one shape, got {lon!r}, {lat!r}"
        ) from e
    return x, y, scalar


def _out(x: np.ndarray, y: np.ndarray, scalar: bool) -> Pair:
    if scalar:
        return float(x), float(y)
    return x, y


def in_china(lon, lat):
    """True where (lon, lat) lies inside :data:`CHINA_BOX`, where GCJ-02 applies. [°]"""
    x, y, scalar = _arrays(lon, lat)
    inside = (x >= CHINA_BOX[0]) & (x <= CHINA_BOX[2]) & (y >= CHINA_BOX[1]) & (y <= CHINA_BOX[3])
    return bool(inside) if scalar else inside


def _gcj_offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The GCJ-02 displacement (dlon, dlat) in degrees at a WGS 84 point, without the box test. [1]"""
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x
    common = (20.0 * np.sin(6.0 * x * math.pi) + 20.0 * np.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    d_lat += common
    d_lon += common
    d_lat += (20.0 * np.sin(y * math.pi) + 40.0 * np.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    d_lat += (160.0 * np.sin(y / 12.0 * math.pi) + 320.0 * np.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    d_lon += (20.0 * np.sin(x * math.pi) + 40.0 * np.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    d_lon += (150.0 * np.sin(x / 12.0 * math.pi) + 300.0 * np.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    # The polynomial gives metres on the Krasovsky ellipsoid; turn them into degrees at this latitude.
    rad_lat = lat / 180.0 * math.pi
    magic = 1.0 - _KRASOVSKY_EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = d_lat * 180.0 / ((_KRASOVSKY_A * (1.0 - _KRASOVSKY_EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = d_lon * 180.0 / (_KRASOVSKY_A / sqrt_magic * np.cos(rad_lat) * math.pi)
    return d_lon, d_lat


def wgs84_to_gcj02(lon, lat) -> Pair:
    """WGS 84 → GCJ-02 by the published offset polynomial [1]; identity outside :data:`CHINA_BOX`. [°]"""
    x, y, scalar = _arrays(lon, lat)
    d_lon, d_lat = _gcj_offset(x, y)
    inside = in_china(x, y)
    return _out(np.where(inside, x + d_lon, x), np.where(inside, y + d_lat, y), scalar)


def _solve(forward: Callable, tx: np.ndarray, ty: np.ndarray, x: np.ndarray, y: np.ndarray):
    """Fixed-point iteration for p with forward(p) = (tx, ty), starting at (x, y).

    The forward maps are a small displacement of the identity (Lipschitz constant of the
    displacement far below 1), so p ← p − (forward(p) − target) converges geometrically. Each
    point stops at its own first step below the tolerance, so an array gives the same numbers
    as its points one by one.
    """
    active = np.ones(np.shape(x), dtype=bool)
    for _ in range(_MAX_ITERATIONS):
        fx, fy = forward(x, y)
        ex, ey = fx - tx, fy - ty
        x, y = np.where(active, x - ex, x), np.where(active, y - ey, y)
        active &= (np.abs(ex) > _TOLERANCE_DEG) | (np.abs(ey) > _TOLERANCE_DEG)
        if not np.any(active):
            break
    return x, y


def gcj02_to_wgs84(lon, lat) -> Pair:
    """GCJ-02 → WGS 84, the inverse of :func:`wgs84_to_gcj02` by fixed-point iteration to 1e-10°. [°]

    Points outside :data:`CHINA_BOX` are returned unchanged.
    """
    gx, gy, scalar = _arrays(lon, lat)

    def forward(x, y):
        d_lon, d_lat = _gcj_offset(x, y)
        return x + d_lon, y + d_lat

    d_lon, d_lat = _gcj_offset(gx, gy)
    wx, wy = _solve(forward, gx, gy, gx - d_lon, gy - d_lat)
    inside = in_china(gx, gy)
    return _out(np.where(inside, wx, gx), np.where(inside, wy, gy), scalar)


def _bd_forward(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def gcj02_to_bd09(lon, lat) -> Pair:
    """GCJ-02 → BD-09 by Baidu's published rotation and offset [1]. [°]"""
    x, y, scalar = _arrays(lon, lat)
    return _out(*_bd_forward(x, y), scalar)


def bd09_to_gcj02(lon, lat) -> Pair:
    """BD-09 → GCJ-02: the usual approximate inverse [1], refined by fixed-point iteration to 1e-10°. [°]"""
    bx, by, scalar = _arrays(lon, lat)
    x = bx - 0.0065
    y = by - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    gx, gy = _solve(_bd_forward, bx, by, z * np.cos(theta), z * np.sin(theta))
    return _out(gx, gy, scalar)


# [2] Latitude bands of Baidu Mercator: LLBAND in degrees for BD-09 → BD-09MC, MCBAND in metres
# of y for the way back. Row i of each table below serves band i.
_LLBAND = np.array([75.0, 60.0, 45.0, 30.0, 15.0, 0.0])
_MCBAND = np.array([12890594.86, 8362377.87, 5591021.0, 3481989.83, 1678043.12, 0.0])

# [2] Each row: c0, c1 for x = c0 + c1·|lon|; c2…c8 a polynomial in t = |lat| / c9 for y.
_LL2MC = np.array([
    [-0.0015702102444, 111320.7020616939, 1704480524535203, -10338987376042340, 26112667856603880,
     -35149669176653700, 26595700718403920, -10725012454188240, 1800819912950474, 82.5],
    [0.0008277824516172526, 111320.7020463578, 647795574.6671607, -4082003173.641316, 10774905663.51142,
     -15171875531.51559, 12053065338.62167, -5124939663.577472, 913311935.9512032, 67.5],
    [0.00337398766765, 111320.7020202162, 4481351.045890365, -23393751.19931662, 79682215.47186455,
     -115964993.2797253, 97236711.15602145, -43661946.33752821, 8477230.501135234, 52.5],
    [0.00220636496208, 111320.7020209128, 51751.86112841131, 3796837.749470245, 992013.7397791013,
     -1221952.21711287, 1340652.697009075, -620943.6990984312, 144416.9293806241, 37.5],
    [-0.0003441963504368392, 111320.7020576856, 278.2353980772752, 2485758.690035394, 6070.750963243378,
     54821.18345352118, 9540.606633304236, -2710.55326746645, 1405.483844121726, 22.5],
    [-0.0003218135878613132, 111320.7020701615, 0.00369383431289, 823725.6402795718, 0.46104986909093,
     2351.343141331292, 1.58060784298199, 8.77738589078284, 0.37238884252424, 7.45],
])
_MC2LL = np.array([
    [1.410526172116255e-8, 0.00000898305509648872, -1.9939833816331, 200.9824383106796, -187.2403703815547,
     91.6087516669843, -23.38765649603339, 2.57121317296198, -0.03801003308653, 17337981.2],
    [-7.435856389565537e-9, 0.000008983055097726239, -0.78625201886289, 96.32687599759846, -1.85204757529826,
     -59.36935905485877, 47.40033549296737, -16.50741931063887, 2.28786674699375, 10260144.86],
    [-3.030883460898826e-8, 0.00000898305509983578, 0.30071316287616, 59.74293618442277, 7.357984074871,
     -25.38371002664745, 13.45380521110908, -3.29883767235584, 0.32710905363475, 6856817.37],
    [-1.981981304930552e-8, 0.000008983055099779535, 0.03278182852591, 40.31678527705744, 0.65659298677277,
     -4.44255534477492, 0.85341911805263, 0.12923347998204, -0.04625736007561, 4482777.06],
    [3.09191371068437e-9, 0.000008983055096812155, 0.00006995724062, 23.10934304144901, -0.00023663490511,
     -0.6321817810242, -0.00663494467273, 0.03430082397953, -0.00466043876332, 2555164.4],
    [2.890871144776878e-9, 0.000008983055095805407, -3.068298e-8, 7.47137025468032, -0.00000353937994,
     -0.02145144861037, -0.00001234426596, 0.00010322952773, -0.00000323890364, 826088.5],
])


def _band(value: np.ndarray, bands: np.ndarray) -> np.ndarray:
    """Index of the first band whose lower bound ``value`` reaches (bands descend to 0). [2]"""
    # bands descend; count how many lower bounds lie strictly above value.
    return np.sum(value[..., None] < bands, axis=-1).clip(0, len(bands) - 1)


def _evaluate(x: np.ndarray, y: np.ndarray, coefficients: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Baidu's band polynomial [2]: x' = c0 + c1·|x|, y' = Σ c(2+k)·(|y|/c9)^k, k = 0…6, signs kept."""
    c = coefficients
    out_x = c[..., 0] + c[..., 1] * np.abs(x)
    t = np.abs(y) / c[..., 9]
    out_y = c[..., 8]
    for k in range(7, 1, -1):
        out_y = out_y * t + c[..., k]
    return np.copysign(out_x, x), np.copysign(out_y, y)


def bd09_to_bd09mc(lon, lat) -> Pair:
    """BD-09 [°] → Baidu Mercator [m] by Baidu's LL2MC band polynomials [2].

    As Baidu's API does, longitude is wrapped into [-180, 180] and latitude clamped to
    [-74, 74]. The band is chosen by |latitude| (all of China lies north of the equator).
    """
    x, y, scalar = _arrays(lon, lat)
    x = (x + 180.0) % 360.0 - 180.0
    y = np.clip(y, -74.0, 74.0)
    coefficients = _LL2MC[_band(np.abs(y), _LLBAND)]
    return _out(*_evaluate(x, y, coefficients), scalar)


def bd09mc_to_bd09(x, y) -> Pair:
    """Baidu Mercator [m] → BD-09 [°] by Baidu's MC2LL band polynomials [2]."""
    mx, my, scalar = _arrays(x, y)
    coefficients = _MC2LL[_band(np.abs(my), _MCBAND)]
    return _out(*_evaluate(mx, my, coefficients), scalar)


# One step each way along the chain wgs84 ↔ gcj02 ↔ bd09 ↔ bd09mc.
_STEPS: dict[tuple[str, str], Callable] = {
    ("wgs84", "gcj02"): wgs84_to_gcj02,
    ("gcj02", "wgs84"): gcj02_to_wgs84,
    ("gcj02", "bd09"): gcj02_to_bd09,
    ("bd09", "gcj02"): bd09_to_gcj02,
    ("bd09", "bd09mc"): bd09_to_bd09mc,
    ("bd09mc", "bd09"): bd09mc_to_bd09,
}


def _check_name(name: str, role: str) -> str:
    key = str(name).strip().lower()
    if key not in CRS_NAMES:
        raise BadInputError(f"unknown {role} coordinate system {name!r}: expected one of {', '.join(CRS_NAMES)}")
    return key


def convert(lon, lat, src: str, dst: str) -> Pair:
    """Convert coordinates from ``src`` to ``dst``, any two of :data:`CRS_NAMES`, chaining the steps.

    ``lon``/``lat`` are degrees, or metres (x, y) for ``bd09mc``; scalars give floats back and
    arrays give arrays. Raises :class:`~citytwin.errors.BadInputError` for an unknown name.
    """
    src_key = _check_name(src, "source")
    dst_key = _check_name(dst, "target")
    x, y, scalar = _arrays(lon, lat)
    i, j = CRS_NAMES.index(src_key), CRS_NAMES.index(dst_key)
    step = 1 if j >= i else -1
    for k in range(i, j, step):
        x, y = _STEPS[(CRS_NAMES[k], CRS_NAMES[k + step])](x, y)
    return _out(np.asarray(x, dtype=float), np.asarray(y, dtype=float), scalar)
