"""Air quality index: China's HJ 633-2012 and HJ 633-2026, and the US EPA AQI (2024 revision).

Pure functions of concentrations, over scalars or numpy arrays (and pandas Series), with no I/O.

Identifiers, kept stable because other code relies on them:

- pollutants ``pm25 pm10 so2 no2 co o3``;
- periods ``1h 24h 8h`` (the averaging period of a concentration);
- standards ``HJ633-2012 HJ633-2026 EPA-2024``.

Units are those of each standard's own table: µg/m³ (CO in mg/m³) for HJ 633; ppm for O3 and CO,
ppb for SO2 and NO2 and µg/m³ for PM for EPA-2024. Nothing here converts units.

NA: where a standard gives no value (a concentration outside a column that the standard leaves
empty, a missing pollutant under HJ 633-2026 §5.3.1) the scalar functions return ``None`` and
the array functions ``NaN``. A NaN concentration is a missing value and gives NA. A negative or
infinite concentration, an unknown pollutant, period or standard raises
:class:`~citytwin.errors.BadInputError`.

References
----------
[1] HJ 633-2012 环境空气质量指数（AQI）技术规定（试行）. Ministry of Environmental Protection,
    2012. Table 1 (breakpoints), §3.3 and §4.4 (primary and exceeding pollutants), §5.1
    (daily and real-time indicators), §6.2 (rounding up), Table 2 and Appendix A (categories).
[2] HJ 633-2026 环境空气质量指数（AQI）技术规定. Ministry of Ecology and Environment, effective
    2026-03-01. Table 3 (breakpoints and over-range rules), §4.2.2 (concentration rounding per
    GB/T 8170), §4.2.6 (rounding up), §5.3.1 (missing pollutant).
[3] EPA-454/B-24-002, Technical Assistance Document for the Reporting of Daily Air Quality – the
    Air Quality Index (AQI), May 2024. Table 6 (breakpoints), §IV "Calculating the AQI"
    (truncation, equation 1, 1-h and 8-h O3, SO2).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from citytwin.air._tables import (
    CN_CATEGORIES,
    CN_IAQI,
    CN_TABLES,
    EPA_CATEGORIES,
    EPA_DECIMALS,
    EPA_TABLES,
    LEVEL_BOUNDS,
)
from citytwin.errors import BadInputError

__all__ = [
    "AQIArray",
    "AQIResult",
    "Category",
    "PERIODS",
    "POLLUTANTS",
    "STANDARDS",
    "SWITCH_DATE",
    "aqi",
    "aqi_array",
    "category",
    "iaqi",
    "level_of",
    "standard_for",
]

POLLUTANTS: tuple[str, ...] = ("pm25", "pm10", "so2", "no2", "co", "o3")
PERIODS: tuple[str, ...] = ("1h", "24h", "8h")
STANDARDS: tuple[str, ...] = ("HJ633-2012", "HJ633-2026", "EPA-2024")
REPORTS: tuple[str, ...] = ("1h", "24h")

#: First day of HJ 633-2026 (and GB 3095-2026), a natural day in Asia/Shanghai. [2]
SWITCH_DATE = _dt.date(2026, 3, 1)
_SHANGHAI = ZoneInfo("Asia/Shanghai")

# Floating-point guard: an index computed as 50.000000000001 is exactly 50 in the standard's
# arithmetic, so it is rounded to this many decimals before rounding up or half up.
_GUARD_DECIMALS = 6

# Which period an un-suffixed key means, per standard and report ("1h" real-time, "24h" daily).
# HJ 633-2012 §5.1.3: real-time PM is the 24-h sliding mean; HJ 633-2026: real-time is the 1-h
# mean of all six; daily (§5.1.2 / 2026 §5.1): 24-h means and the O3 daily maximum 8-h mean.
_CN_DAILY = {"pm25": "24h", "pm10": "24h", "so2": "24h", "no2": "24h", "co": "24h", "o3": "8h"}
_DEFAULT_PERIOD: dict[tuple[str, str], dict[str, str]] = {
    ("HJ633-2012", "1h"): {"pm25": "24h", "pm10": "24h", "so2": "1h", "no2": "1h", "co": "1h", "o3": "1h"},
    ("HJ633-2012", "24h"): _CN_DAILY,
    ("HJ633-2026", "1h"): {"pm25": "1h", "pm10": "1h", "so2": "1h", "no2": "1h", "co": "1h", "o3": "1h"},
    ("HJ633-2026", "24h"): _CN_DAILY,
    ("EPA-2024", "24h"): {"pm25": "24h", "pm10": "24h", "so2": "1h", "no2": "1h", "co": "8h", "o3": "8h"},
}
# Indicators each report admits besides the defaults: the 2012 real-time report has 8-h O3 too;
# the 2012 daily report the O3 daily maximum 1-h value; EPA the 1-h O3 (the higher is reported).
_EXTRA_INDICATORS: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("HJ633-2012", "1h"): (("o3", "8h"),),
    ("HJ633-2012", "24h"): (("o3", "1h"),),
    ("HJ633-2026", "1h"): (),
    ("HJ633-2026", "24h"): (),
    ("EPA-2024", "24h"): (("o3", "1h"),),
}
# Fallback indicators: used only where the main one is over its column (HJ 633-2012 Table 1
# note 2: 1-h SO2 > 800 → 24-h SO2; EPA [3]: 1-h SO2 > 304 ppb → 24-h SO2).
_FALLBACK: dict[str, tuple[str, str, str]] = {
    "HJ633-2012": ("so2", "1h", "24h"),
    "EPA-2024": ("so2", "1h", "24h"),
}


@dataclass(frozen=True)
class Category:
    """An AQI category: its level (1..6), names in zh-CN and en, and display colour (hex)."""

    level: int
    zh: str
    en: str
    colour: str


@dataclass(frozen=True)
class AQIResult:
    """The AQI of one set of concentrations.

    ``value`` is the AQI (None where the standard says NA); ``level`` 1..6 (None with NA);
    ``primary`` the primary pollutant(s) (HJ 633: only when AQI > 50; EPA: the pollutant(s) with
    the highest index); ``exceeding`` the pollutants with IAQI > 100 (HJ 633-2012 only; None for
    standards that do not define it); ``iaqi`` each pollutant's index (None when missing or NA);
    ``missing`` the pollutants without an index.
    """

    value: int | None
    level: int | None
    category: Category | None
    primary: list[str]
    exceeding: list[str] | None
    iaqi: dict[str, int | None]
    missing: list[str]
    standard: str
    period: str

    @property
    def colour(self) -> str | None:
        """Display colour of the category, ``#RRGGBB`` (None with NA)."""
        return self.category.colour if self.category else None

    @property
    def category_zh(self) -> str | None:
        return self.category.zh if self.category else None

    @property
    def category_en(self) -> str | None:
        return self.category.en if self.category else None


@dataclass(frozen=True)
class AQIArray:
    """The AQI of arrays of concentrations (element-wise).

    ``value`` float array, NaN where NA; ``level`` int8 array 1..6, 0 where NA; ``iaqi`` per
    pollutant float arrays (NaN missing or NA); ``primary`` and ``exceeding`` per pollutant boolean
    masks (``exceeding`` is None for standards that do not define it).
    """

    value: np.ndarray
    level: np.ndarray
    iaqi: dict[str, np.ndarray]
    primary: dict[str, np.ndarray]
    exceeding: dict[str, np.ndarray] | None
    standard: str
    period: str
    missing: dict[str, np.ndarray] = field(default_factory=dict)


# ---------------------------------------------------------------- validation


def _check_standard(standard: str) -> str:
    if standard not in STANDARDS:
        raise BadInputError(f"unknown standard {standard!r}: expected one of {', '.join(STANDARDS)}")
    return standard


def _check_pollutant(pollutant: str) -> str:
    if pollutant not in POLLUTANTS:
        raise BadInputError(f"unknown pollutant {pollutant!r}: expected one of {', '.join(POLLUTANTS)}")
    return pollutant


def _check_period(period: str) -> str:
    if period not in PERIODS:
        raise BadInputError(f"unknown period {period!r}: expected one of {', '.join(PERIODS)}")
    return period


def _as_float_array(concentration: Any, what: str) -> np.ndarray:
    """Concentrations as a float64 array; NaN and None are missing; negative or infinite raise."""
    if concentration is None:
        return np.array(np.nan)
    try:
        arr = np.asarray(concentration, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise BadInputError(f"{what}: expected a number or an array of numbers, got {concentration!r}") from e
    bad = (arr < 0) | np.isinf(arr)
    if bad.any():
        first = float(arr[bad].flat[0]) if arr.ndim else float(arr)
        n = int(bad.sum())
        raise BadInputError(
            f"{what}: expected a finite concentration >= 0, got {first!r}"
            + (f" ({n} such values)" if n > 1 else "")
        )
    return arr


# ---------------------------------------------------------------- IAQI


def _round_up(x: np.ndarray) -> np.ndarray:
    """HJ 633-2012 §6.2 / HJ 633-2026 §4.2.6: the index is always rounded up (进位取整)."""
    return np.ceil(np.round(x, _GUARD_DECIMALS))


def _round_half_up(x: np.ndarray) -> np.ndarray:
    """EPA [3] equation 1: round to the nearest integer, halves up (not Python's half-to-even)."""
    return np.floor(np.round(x, _GUARD_DECIMALS) + 0.5)


def _cn_table(pollutant: str, period: str, standard: str) -> tuple[float, ...]:
    if pollutant in ("pm25", "pm10") and period == "1h":
        if standard == "HJ633-2026":
            # HJ 633-2026 §5.1: real-time PM 1-h concentrations use the 24-h breakpoints.
            return CN_TABLES[standard][(pollutant, "24h")]
        raise BadInputError(
            f"{pollutant} period '1h' under HJ633-2012: expected '24h' "
            "(HJ 633-2012 §5.1.3 reports real-time PM as the 24-h sliding mean)"
        )
    try:
        return CN_TABLES[standard][(pollutant, period)]
    except KeyError:
        have = sorted(p for (q, p) in CN_TABLES[standard] if q == pollutant)
        raise BadInputError(
            f"{pollutant} has no {period!r} breakpoints in {standard}: expected one of {', '.join(have)}"
        ) from None


def _cn_iaqi(pollutant: str, c: np.ndarray, period: str, standard: str) -> np.ndarray:
    """IAQI per HJ 633 [1][2], as floats (integers), NaN for NA or missing."""
    bp = np.asarray(_cn_table(pollutant, period, standard), dtype=np.float64)
    levels = np.asarray(CN_IAQI[: len(bp)], dtype=np.float64)
    if standard == "HJ633-2026":
        # [2] §4.2.2: concentrations rounded per GB/T 8170 (half to even on an exact 5) to
        # integers, CO to one decimal, before the index is computed.
        c = np.round(c, 1 if pollutant == "co" else 0)
    # [1] formula (1), piecewise linear between breakpoints. Above the last breakpoint np.interp
    # holds the column's top index: 500 where the column reaches 500 (the standard defines no
    # higher index); 200 for 1-h SO2 and 300 for 8-h O3, which is HJ 633-2026 Table 3 rules (b)
    # and (c). HJ 633-2012 Table 1 notes 2 and 3 instead give no index there (NA).
    out = _round_up(np.interp(c, bp, levels))
    if standard == "HJ633-2012" and (pollutant, period) in (("so2", "1h"), ("o3", "8h")):
        out = np.where(c > bp[-1], np.nan, out)
    return np.where(np.isnan(c), np.nan, out)


def _epa_iaqi(pollutant: str, c: np.ndarray, period: str) -> np.ndarray:
    """AQI sub-index per EPA-454/B-24-002 [3], as floats (integers), NaN for NA or missing."""
    try:
        table = EPA_TABLES[(pollutant, period)]
    except KeyError:
        have = sorted(p for (q, p) in EPA_TABLES if q == pollutant)
        raise BadInputError(
            f"{pollutant} has no {period!r} breakpoints in EPA-2024: expected one of {', '.join(have)}"
        ) from None
    seg = np.asarray(table, dtype=np.float64)
    c_lo, c_hi, i_lo, i_hi = seg[:, 0], seg[:, 1], seg[:, 2], seg[:, 3]
    # [3] §IV: truncate (not round) to the table's decimals before equation 1.
    scale = 10.0 ** EPA_DECIMALS[pollutant]
    ct = np.floor(np.round(c * scale, _GUARD_DECIMALS)) / scale
    nan = np.isnan(ct)
    idx = np.searchsorted(c_hi, np.where(nan, 0.0, ct), side="left")
    over = idx >= len(table)
    k = np.minimum(idx, len(table) - 1)
    # Equation 1; above the last row the Hazardous segment is extended (table note: values above
    # AQI 500 use the 500 endpoint).
    value = (i_hi[k] - i_lo[k]) / (c_hi[k] - c_lo[k]) * (ct - c_lo[k]) + i_lo[k]
    out = _round_half_up(value)
    na = nan | (ct < c_lo[0])  # below the first row of a column that starts above 0 (1-h O3, 24-h SO2)
    if (pollutant, period) in (("o3", "8h"), ("so2", "1h")):
        # 8-h O3 above 0.200 ppm defines no AQI (use 1-h O3); 1-h SO2 above 304 ppb neither (use 24-h).
        na |= over
    return np.where(na, np.nan, out)


def _iaqi_array(pollutant: str, c: np.ndarray, period: str, standard: str) -> np.ndarray:
    if standard == "EPA-2024":
        return _epa_iaqi(pollutant, c, period)
    return _cn_iaqi(pollutant, c, period, standard)


def iaqi(pollutant: str, concentration: Any, period: str, standard: str):
    """Individual air quality index (IAQI, 空气质量分指数) of one pollutant.

    HJ 633-2012 Table 1 and formula (1), rounded up (§6.2); HJ 633-2026 Table 3 with
    concentrations first rounded per GB/T 8170 (§4.2.2; CO to 0.1 mg/m³, others to 1 µg/m³) and
    the index rounded up (§4.2.6); EPA-454/B-24-002 Table 6 and equation 1, concentrations
    truncated first, the index rounded half up.

    Over-range (above the column): HJ 633-2012 1-h SO2 > 800 and 8-h O3 > 800 give NA (Table 1
    notes 2 and 3; :func:`aqi` then uses the 24-h SO2 or the 1-h O3); HJ 633-2026 gives 200 and
    300 (Table 3, rules b and c); other Chinese columns hold at 500. EPA: 8-h O3 > 0.200 ppm and
    1-h SO2 > 304 ppb give NA; 1-h O3 < 0.125 ppm and 24-h SO2 < 305 ppb give NA (empty cells);
    above the 500 row the Hazardous segment is extended.

    Parameters
    ----------
    pollutant : str
        One of ``pm25 pm10 so2 no2 co o3``.
    concentration : float or array-like
        Concentration in the standard's table units [µg/m³; CO mg/m³ (HJ 633)], [ppm O3 and CO,
        ppb SO2 and NO2, µg/m³ PM (EPA-2024)]. NaN or None is missing.
    period : str
        Averaging period ``1h``, ``24h`` or ``8h``. Under HJ633-2026 a ``1h`` PM value is
        evaluated against the 24-h breakpoints (§5.1); HJ633-2012 has no 1-h PM column.
    standard : str
        ``HJ633-2012``, ``HJ633-2026`` or ``EPA-2024``.

    Returns
    -------
    int or None, or numpy.ndarray or pandas.Series
        For a scalar, the index as ``int`` (None for NA); for an array, a float array of the same
        shape (NaN for NA); a Series keeps its index.

    Raises
    ------
    BadInputError
        Unknown pollutant, period or standard; a period the standard has no column for; a
        negative or infinite concentration.
    """
    _check_pollutant(pollutant)
    _check_period(period)
    _check_standard(standard)
    arr = _as_float_array(concentration, f"{pollutant} {period} concentration")
    out = _iaqi_array(pollutant, arr, period, standard)
    if arr.ndim == 0:
        v = float(out)
        return None if np.isnan(v) else int(v)
    return _like(concentration, out)


def _like(template: Any, out: np.ndarray):
    """Return `out` as a pandas Series when the input was one (same index), else as an array."""
    if type(template).__module__.startswith("pandas") and hasattr(template, "index"):
        import pandas as pd

        return pd.Series(out, index=template.index, name=getattr(template, "name", None))
    return out


# ---------------------------------------------------------------- AQI


def level_of(value: Any) -> np.ndarray:
    """Category level 1..6 of AQI values (0 for NaN). HJ 633-2012 Table 2; EPA-454/B-24-002 Table 1.

    Both standards use the same bounds: 0–50, 51–100, 101–150, 151–200, 201–300, above 300.
    """
    v = np.asarray(value, dtype=np.float64)
    lv = np.searchsorted(np.asarray(LEVEL_BOUNDS, dtype=np.float64), v, side="left") + 1
    return np.where(np.isnan(v), 0, lv).astype(np.int8)


def category(value: int | None, standard: str) -> Category | None:
    """The category of an AQI value under `standard` (HJ 633-2012 Table 2 and Appendix A;
    HJ 633-2026 keeps them; EPA-454/B-24-002 Tables 1–2). None for NA."""
    _check_standard(standard)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    lv = int(level_of(value))
    zh, en, colour = (EPA_CATEGORIES if standard == "EPA-2024" else CN_CATEGORIES)[lv - 1]
    return Category(lv, zh, en, colour)


def _parse_key(key: str, standard: str, period: str) -> tuple[str, str]:
    pollutant, _, per = key.partition("_")
    _check_pollutant(pollutant)
    if not per:
        return pollutant, _DEFAULT_PERIOD[(standard, period)][pollutant]
    _check_period(per)
    default = _DEFAULT_PERIOD[(standard, period)][pollutant]
    allowed = {default} | {p for (q, p) in _EXTRA_INDICATORS[(standard, period)] if q == pollutant}
    fb = _FALLBACK.get(standard)
    if fb and fb[0] == pollutant:
        allowed.add(fb[2])
    if per not in allowed:
        report = "real-time (1h)" if period == "1h" else "daily (24h)"
        raise BadInputError(
            f"indicator {key!r} is not part of the {standard} {report} report: "
            f"expected {pollutant} with period {' or '.join(sorted(allowed))}"
        )
    return pollutant, per


def aqi_array(
    concentrations: Mapping[str, Any], period: str = "24h", standard: str = "HJ633-2012"
) -> AQIArray:
    """AQI of arrays of concentrations, element-wise (the vectorised :func:`aqi`).

    AQI = max of the IAQIs (HJ 633-2012 formula (2); EPA-454/B-24-002 §IV "How to handle values
    from multiple pollutants").

    Parameters
    ----------
    concentrations : mapping
        Key → concentrations (scalars or arrays, broadcast together). A key is a pollutant
        (``pm25``) meaning its default period in the report, or ``<pollutant>_<period>``
        (``o3_8h``, ``o3_1h``, ``so2_24h``). Defaults — HJ633-2012 real-time (``1h``): 1-h SO2,
        NO2, CO, O3 and 24-h sliding PM (§5.1.3), plus ``o3_8h``; HJ633-2012 daily (``24h``):
        24-h means and the O3 daily maximum 8-h mean, plus ``o3_1h`` (daily maximum 1-h; §5.1.2);
        HJ633-2026 real-time: the 1-h means of all six; daily: 24-h means and the O3 daily maximum
        8-h mean. EPA-2024 (``24h`` only; NowCast is not implemented): 24-h PM, 8-h O3 (plus
        ``o3_1h``, the higher counts), 8-h CO, 1-h SO2 and NO2. ``so2_24h`` is used only where 1-h
        SO2 is over its column (HJ 633-2012 Table 1 note 2; EPA: 24-h SO2 ≥ 305 ppb, else 200).
        Units as in :func:`iaqi`.
    period : str
        The report: ``1h`` (real-time) or ``24h`` (daily).
    standard : str
        ``HJ633-2012``, ``HJ633-2026`` or ``EPA-2024``.

    Missing pollutants (NaN, absent, or NA index): HJ633-2026 §5.3.1 — the AQI is computed from
    the others and published only if above 100, otherwise NA; the 2026 AQI is at least 1 (§3,
    range 1–500). HJ633-2012 and EPA-2024 give no rule: the AQI is the maximum over the
    pollutants present (``missing`` says which were not).
    """
    _check_standard(standard)
    if period not in REPORTS:
        raise BadInputError(
            f"report period {period!r}: expected '1h' (real-time) or '24h' (daily); "
            "8-h O3 goes in as key 'o3_8h'"
        )
    if standard == "EPA-2024" and period != "24h":
        raise BadInputError(
            "EPA-2024 report period '1h': expected '24h' (the hourly NowCast is not implemented)"
        )
    if not isinstance(concentrations, Mapping) or not concentrations:
        raise BadInputError(
            f"concentrations: expected a non-empty mapping of pollutant to values, got {concentrations!r}"
        )

    parsed: dict[tuple[str, str], np.ndarray] = {}
    for key, values in concentrations.items():
        pollutant, per = _parse_key(str(key), standard, period)
        if (pollutant, per) in parsed:
            raise BadInputError(f"indicator {key!r} given twice: expected one value per pollutant and period")
        parsed[(pollutant, per)] = _as_float_array(values, f"{key} concentration")
    arrays = np.broadcast_arrays(*parsed.values())
    shape = arrays[0].shape
    parsed = dict(zip(parsed.keys(), arrays, strict=True))

    nan = np.full(shape, np.nan)
    fb = _FALLBACK.get(standard)
    if fb and _DEFAULT_PERIOD[(standard, period)][fb[0]] != fb[1]:
        fb = None  # the fallback applies only to a report whose SO2 indicator is the 1-h value
    sub: dict[str, np.ndarray] = {}
    for pollutant in POLLUTANTS:
        best = nan
        for (q, per), c in parsed.items():
            if q != pollutant or (fb and (q, per) == (fb[0], fb[2])):
                continue
            best = np.fmax(best, _iaqi_array(q, c, per, standard))
        if fb and pollutant == fb[0] and (fb[0], fb[1]) in parsed:
            c1 = parsed[(fb[0], fb[1])]
            over = ~np.isnan(c1) & np.isnan(best)
            if over.any():
                c24 = parsed.get((fb[0], fb[2]), nan)
                alt = _iaqi_array(fb[0], c24, fb[2], standard)
                if standard == "EPA-2024":
                    # 1-h SO2 > 304 ppb with a 24-h mean below 305 ppb: the 1-h value says 200.
                    alt = np.where(~np.isnan(c24) & np.isnan(alt), 200.0, alt)
                best = np.where(over, alt, best)
        sub[pollutant] = best

    stacked = np.stack([sub[p] for p in POLLUTANTS])
    have = ~np.isnan(stacked)
    value = np.where(have.any(axis=0), np.max(np.where(have, stacked, -1.0), axis=0), np.nan)
    if standard == "HJ633-2026":
        incomplete = ~have.all(axis=0)
        value = np.where(incomplete & ~(value > 100), np.nan, value)  # §5.3.1
        value = np.where(np.isnan(value), value, np.maximum(value, 1.0))  # AQI range 1–500
    threshold = -np.inf if standard == "EPA-2024" else 50.0  # HJ 633 §3.3: primary only if AQI > 50
    primary = {p: (sub[p] == value) & (value > threshold) for p in POLLUTANTS}
    exceeding = {p: sub[p] > 100 for p in POLLUTANTS} if standard == "HJ633-2012" else None
    missing = {p: np.isnan(sub[p]) for p in POLLUTANTS}
    return AQIArray(
        value=value,
        level=level_of(value),
        iaqi=sub,
        primary=primary,
        exceeding=exceeding,
        standard=standard,
        period=period,
        missing=missing,
    )


def aqi(concentrations: Mapping[str, Any], period: str = "24h", standard: str = "HJ633-2012") -> AQIResult:
    """AQI of one set of concentrations, with its category, primary and exceeding pollutants.

    HJ 633-2012 formula (2), §3.3/§4.4.2 (primary pollutant when AQI > 50, ties all listed;
    exceeding pollutants IAQI > 100), Table 2 (categories); HJ 633-2026 (no exceeding pollutants,
    §5.3.1 missing pollutant); EPA-454/B-24-002 §IV. See :func:`aqi_array` for the keys,
    periods and rules; this is the same computation on scalars.

    Returns
    -------
    AQIResult
        ``value`` is None where the standard gives NA.
    """
    for key, v in (concentrations.items() if isinstance(concentrations, Mapping) else ()):
        if v is not None and np.ndim(v) != 0:
            raise BadInputError(f"{key}: expected one number for aqi(), got an array; use aqi_array()")
    res = aqi_array(concentrations, period, standard)
    v = float(res.value)
    value = None if np.isnan(v) else int(v)
    return AQIResult(
        value=value,
        level=None if value is None else int(res.level),
        category=category(value, standard),
        primary=[p for p in POLLUTANTS if bool(res.primary[p])],
        exceeding=None if res.exceeding is None else [p for p in POLLUTANTS if bool(res.exceeding[p])],
        iaqi={p: (None if np.isnan(float(res.iaqi[p])) else int(res.iaqi[p])) for p in POLLUTANTS},
        missing=[p for p in POLLUTANTS if bool(res.missing[p])],
        standard=standard,
        period=period,
    )


# ---------------------------------------------------------------- standard by date


def standard_for(day: Any, index: str = "CN") -> str:
    """The AQI standard in force on `day`.

    China (``index="CN"``): ``HJ633-2012`` before 2026-03-01, ``HJ633-2026`` from that day
    (HJ 633-2026, effective 2026-03-01; the date is the natural day of the data in Asia/Shanghai).
    Earlier Chinese indices (the API before HJ 633-2012) are not implemented: older dates get
    HJ633-2012. US (``index="US"``): ``EPA-2024`` (earlier EPA tables are not implemented).

    Parameters
    ----------
    day : datetime.date, tz-aware datetime, pandas.Timestamp or ISO string
        A tz-aware time is converted to Asia/Shanghai first; a naive datetime is refused.
    """
    if index == "US":
        return "EPA-2024"
    if index != "CN":
        raise BadInputError(f"unknown index {index!r}: expected 'CN' or 'US'")
    return "HJ633-2026" if _local_date(day) >= SWITCH_DATE else "HJ633-2012"


def _local_date(day: Any) -> _dt.date:
    if isinstance(day, str):
        try:
            day = _dt.date.fromisoformat(day) if len(day) == 10 else _dt.datetime.fromisoformat(day)
        except ValueError as e:
            raise BadInputError(f"date {day!r}: expected YYYY-MM-DD or an ISO datetime with offset") from e
    if isinstance(day, _dt.datetime):  # pandas.Timestamp is a datetime
        if day.tzinfo is None:
            raise BadInputError(f"datetime {day!r} has no time zone: expected a tz-aware time or a date")
        return day.astimezone(_SHANGHAI).date()
    if isinstance(day, _dt.date):
        return day
    raise BadInputError(f"date {day!r}: expected a date, a tz-aware datetime or an ISO string")
