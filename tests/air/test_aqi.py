"""Tests of citytwin.air.aqi against the standards' own tables and worked values.

Expected values are computed here independently with exact rational arithmetic
(`fractions.Fraction`) and decimal rounding (`decimal`), from the breakpoint tables.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from citytwin.air import aqi as A
from citytwin.air._tables import CN_IAQI, CN_TABLES, EPA_DECIMALS, EPA_TABLES
from citytwin.errors import BadInputError, CityTwinError

CN_CASES = [(std, pol, per) for std, table in CN_TABLES.items() for (pol, per) in table]
EPA_CASES = list(EPA_TABLES)


def _exact_cn(c: Fraction, bp, std: str, pol: str) -> int:
    """HJ 633 formula (1), GB/T 8170 rounding of the concentration (2026), index rounded up."""
    if std == "HJ633-2026":
        q = Decimal("0.1") if pol == "co" else Decimal("1")
        c = Fraction((Decimal(c.numerator) / Decimal(c.denominator)).quantize(q, rounding=ROUND_HALF_EVEN))
    for i in range(len(bp) - 1):
        lo, hi = Fraction(str(bp[i])), Fraction(str(bp[i + 1]))
        if lo <= c <= hi:
            v = Fraction(CN_IAQI[i + 1] - CN_IAQI[i]) / (hi - lo) * (c - lo) + CN_IAQI[i]
            return math.ceil(v)
    raise AssertionError("outside the table")


def _cn_points(bp):
    """Every breakpoint, every midpoint, and a point just above each breakpoint."""
    pts = []
    for i, b in enumerate(bp):
        pts.append(Fraction(str(b)))
        if i + 1 < len(bp):
            lo, hi = Fraction(str(b)), Fraction(str(bp[i + 1]))
            pts.append((lo + hi) / 2)
            pts.append(lo + Fraction(1, 10) if hi - lo <= 20 else lo + 1)
    return pts


@pytest.mark.parametrize(("standard", "pollutant", "period"), CN_CASES)
def test_cn_breakpoints_and_between(standard, pollutant, period):
    bp = CN_TABLES[standard][(pollutant, period)]
    for c in _cn_points(bp):
        got = A.iaqi(pollutant, float(c), period, standard)
        assert got == _exact_cn(c, bp, standard, pollutant), (standard, pollutant, period, float(c))
    for i, b in enumerate(bp):  # exactly at each breakpoint: the table's own index
        assert A.iaqi(pollutant, b, period, standard) == CN_IAQI[i]


def _exact_epa(c: Fraction, pol: str, per: str) -> int | None:
    d = EPA_DECIMALS[pol]
    ct = Fraction(math.floor(c * 10**d), 10**d)
    for lo, hi, ilo, ihi in EPA_TABLES[(pol, per)]:
        lo, hi = Fraction(str(lo)), Fraction(str(hi))
        if lo <= ct <= hi:
            v = Fraction(ihi - ilo) / (hi - lo) * (ct - lo) + ilo
            return math.floor(v + Fraction(1, 2))
    raise AssertionError("outside the table")


@pytest.mark.parametrize(("pollutant", "period"), EPA_CASES)
def test_epa_breakpoints_and_between(pollutant, period):
    step = Fraction(1, 10 ** EPA_DECIMALS[pollutant])
    rows = EPA_TABLES[(pollutant, period)]
    for k, (lo, hi, ilo, ihi) in enumerate(rows):
        assert A.iaqi(pollutant, lo, period, "EPA-2024") == ilo
        assert A.iaqi(pollutant, hi, period, "EPA-2024") == ihi
        flo, fhi = Fraction(str(lo)), Fraction(str(hi))
        points = [(flo + fhi) / 2, flo + step, fhi - step]
        if k + 1 < len(rows):
            points.append(fhi + step / 2)  # in the gap between rows: truncated back onto this row
        for c in points:
            got = A.iaqi(pollutant, float(c), period, "EPA-2024")
            assert got == _exact_epa(c, pollutant, period), float(c)


def test_epa_truncates_then_rounds_half_up():
    # 9.09 µg/m3 is truncated to 9.0 (AQI 50), not rounded to 9.1 (AQI 51).
    assert A.iaqi("pm25", 9.09, "24h", "EPA-2024") == 50
    assert A.iaqi("pm25", 9.1, "24h", "EPA-2024") == 51
    # 0.0549 ppm 8-h O3 → 0.054 → 50
    assert A.iaqi("o3", 0.0549, "8h", "EPA-2024") == 50
    # half up: PM10 24h 55..154 → 51..100: slope 49/99; C=104.5→104 → 51+49*49/99 = 75.25 → 75
    assert A.iaqi("pm10", 104.9, "24h", "EPA-2024") == 75


def test_epa_worked_examples():
    # EPA TAD worked examples: 8-h O3 0.078 ppm → 126; 24-h PM2.5 35.9 µg/m3 → 102.
    assert A.iaqi("o3", 0.078, "8h", "EPA-2024") == 126
    assert A.iaqi("pm25", 35.9, "24h", "EPA-2024") == 102
    r = A.aqi({"o3": 0.078, "pm25": 35.9}, "24h", "EPA-2024")
    assert (r.value, r.level, r.primary, r.category_en, r.colour) == (
        126,
        3,
        ["o3"],
        "Unhealthy for Sensitive Groups",
        "#FF7E00",
    )
    assert r.exceeding is None


def test_epa_2024_pm25_table_is_the_new_one():
    # 2024 revision: Good ends at 9.0 (was 12.0); 12.0 is now Moderate.
    assert A.iaqi("pm25", 12.0, "24h", "EPA-2024") == 56
    assert A.iaqi("pm25", 325.4, "24h", "EPA-2024") == 500


def test_epa_over_range_rules():
    assert A.iaqi("o3", 0.201, "8h", "EPA-2024") is None  # 8-h O3 defines no index above 0.200
    assert A.iaqi("o3", 0.124, "1h", "EPA-2024") is None  # 1-h O3 starts at 0.125
    assert A.iaqi("so2", 305, "1h", "EPA-2024") is None  # 1-h SO2 stops at 304
    assert A.iaqi("so2", 304, "24h", "EPA-2024") is None  # 24-h SO2 starts at 305
    # Above AQI 500 the Hazardous segment is extended: PM2.5 425.3 → 301 + 199/99.9*(200) ≈ 699
    expected = math.floor(Fraction(199, 999) * 2000 + 301 + Fraction(1, 2))
    assert A.iaqi("pm25", 425.3, "24h", "EPA-2024") == expected == 699
    r = A.aqi({"o3": 0.25, "o3_1h": 0.30}, "24h", "EPA-2024")
    assert r.value == A.iaqi("o3", 0.30, "1h", "EPA-2024") and r.primary == ["o3"]
    r = A.aqi({"so2": 400, "so2_24h": 650}, "24h", "EPA-2024")
    assert r.value == A.iaqi("so2", 650, "24h", "EPA-2024")
    assert A.aqi({"so2": 400, "so2_24h": 250}, "24h", "EPA-2024").value == 200
    assert A.aqi({"so2": 400, "pm25": 5}, "24h", "EPA-2024").missing == ["pm10", "so2", "no2", "co", "o3"]


def test_hj633_worked_values():
    # PM2.5 24-h 120 µg/m3: 150 + 50/35·5 = 157.14 → 158 (always rounded up, §6.2).
    assert A.iaqi("pm25", 120, "24h", "HJ633-2012") == 158
    assert A.iaqi("pm25", 35.01, "24h", "HJ633-2012") == 51  # 50.014 → 51, not 50
    r = A.aqi({"pm25": 120, "pm10": 200, "so2": 10, "no2": 40, "co": 1.2, "o3": 100}, "24h", "HJ633-2012")
    assert r.value == 158 and r.level == 4 and r.category_zh == "中度污染" and r.colour == "#FF0000"
    assert r.primary == ["pm25"] and r.exceeding == ["pm25", "pm10"] and r.missing == []
    assert r.iaqi == {"pm25": 158, "pm10": 125, "so2": 10, "no2": 50, "co": 30, "o3": 50}


def test_primary_only_above_50_and_ties():
    r = A.aqi({"pm25": 30, "pm10": 40}, "24h", "HJ633-2012")
    assert r.value == 43 and r.primary == [] and r.category_zh == "优"
    r = A.aqi({"pm25": 75, "pm10": 150, "no2": 40}, "24h", "HJ633-2012")
    assert r.value == 100 and r.primary == ["pm25", "pm10"] and r.exceeding == []


def test_2026_changes_pm_breakpoints_only():
    assert A.iaqi("pm25", 70, "24h", "HJ633-2012") == 94  # 50 + 50/40·35 = 93.75
    assert A.iaqi("pm25", 70, "24h", "HJ633-2026") == 110  # 100 + 50/55·10 = 109.09
    assert A.iaqi("pm10", 120, "24h", "HJ633-2026") == 100
    for key, bp in CN_TABLES["HJ633-2012"].items():
        if key[0] not in ("pm25", "pm10"):
            assert CN_TABLES["HJ633-2026"][key] == bp


def test_2026_rounds_concentration_per_gbt8170():
    # 60.5 → 60 (half to even) → IAQI 100; without rounding it would be 101.
    assert A.iaqi("pm25", 60.5, "24h", "HJ633-2026") == 100
    assert A.iaqi("pm25", 60.5, "24h", "HJ633-2012") == 82  # 50 + 50/40·25.5 = 81.9
    assert A.iaqi("pm25", 61.5, "24h", "HJ633-2026") == A.iaqi("pm25", 62, "24h", "HJ633-2026")
    assert A.iaqi("co", 2.04, "24h", "HJ633-2026") == 50  # 2.04 → 2.0 mg/m3


def test_over_range_rules_2012_vs_2026():
    # HJ 633-2012 Table 1 note 2: 1-h SO2 > 800 → no 1-h IAQI; the 24-h value is used.
    assert A.iaqi("so2", 801, "1h", "HJ633-2012") is None
    r = A.aqi({"so2": 900, "so2_24h": 1000, "pm25": 10}, "1h", "HJ633-2012")
    assert r.iaqi["so2"] == 225 and r.value == 225
    # HJ 633-2026 Table 3 rule (b): IAQI = 200.
    assert A.iaqi("so2", 801, "1h", "HJ633-2026") == 200
    # Note 3 (2012): 8-h O3 > 800 → the 1-h value; rule (c) (2026): IAQI = 300.
    assert A.iaqi("o3", 801, "8h", "HJ633-2012") is None
    assert A.aqi({"o3": 801, "o3_1h": 900}, "24h", "HJ633-2012").value == 350
    assert A.iaqi("o3", 801, "8h", "HJ633-2026") == 300
    # Above the last breakpoint of a 500 column, the index stays at 500.
    assert A.iaqi("pm25", 800, "24h", "HJ633-2012") == 500
    assert A.iaqi("pm25", 800, "24h", "HJ633-2026") == 500


def test_2026_missing_pollutant_rule():
    full = {"pm25": 40, "pm10": 50, "so2": 10, "no2": 40, "co": 1.2, "o3": 100}
    assert A.aqi(full, "24h", "HJ633-2026").value == 60
    part = dict(full, o3=None)
    r = A.aqi(part, "24h", "HJ633-2026")
    assert r.value is None and r.level is None and r.category is None and r.missing == ["o3"]
    assert r.iaqi["pm25"] == 60  # the individual indices are still given
    r = A.aqi(dict(part, pm25=140), "24h", "HJ633-2026")
    assert r.value == 186 and r.primary == ["pm25"]
    assert A.aqi({"pm25": float("nan"), "pm10": 200}, "24h", "HJ633-2026").value == 131
    # 2012 has no such rule: the AQI of the pollutants present.
    assert A.aqi(part, "24h", "HJ633-2012").value == 57


def test_2026_no_exceeding_and_minimum_1():
    r = A.aqi({"pm25": 0, "pm10": 0, "so2": 0, "no2": 0, "co": 0, "o3": 0}, "24h", "HJ633-2026")
    assert r.value == 1 and r.exceeding is None
    assert A.aqi({"pm25": 0}, "24h", "HJ633-2012").value == 0


def test_realtime_reports():
    # 2012 real-time: PM are 24-h sliding means; 2026 real-time: 1-h PM against the daily table.
    assert A.aqi({"pm25": 70}, "1h", "HJ633-2012").value == 94
    assert A.aqi({"pm25": 70}, "1h", "HJ633-2026").value == 110
    with pytest.raises(BadInputError, match=r"pm25 period '1h' under HJ633-2012: expected '24h'"):
        A.iaqi("pm25", 70, "1h", "HJ633-2012")
    assert A.iaqi("pm25", 70, "1h", "HJ633-2026") == 110
    # 2012 real-time counts 8-h O3 beside 1-h O3.
    assert A.aqi({"o3": 150, "o3_8h": 200}, "1h", "HJ633-2012").value == 137
    with pytest.raises(BadInputError, match=r"indicator 'o3_1h' is not part of the HJ633-2026 daily"):
        A.aqi({"o3_1h": 150}, "24h", "HJ633-2026")


ALL_CASES = CN_CASES + [("EPA-2024", p, q) for p, q in EPA_CASES]


@pytest.mark.parametrize(("standard", "pollutant", "period"), ALL_CASES)
def test_vectorised_equals_scalar(standard, pollutant, period):
    rng = np.random.default_rng(7)
    top = (
        CN_TABLES[standard][(pollutant, period)][-1]
        if standard != "EPA-2024"
        else EPA_TABLES[(pollutant, period)][-1][1]
    )
    c = np.round(rng.uniform(0, top * 1.2, 400), 3)
    c[::37] = np.nan
    arr = A.iaqi(pollutant, c, period, standard)
    assert arr.shape == c.shape
    for x, y in zip(c, arr, strict=True):
        s = A.iaqi(pollutant, float(x), period, standard)
        assert (s is None and np.isnan(y)) or s == y
    ser = pd.Series(c, index=pd.RangeIndex(100, 500))
    out = A.iaqi(pollutant, ser, period, standard)
    assert isinstance(out, pd.Series) and out.index.equals(ser.index)


@pytest.mark.parametrize("standard", ["HJ633-2012", "HJ633-2026"])
def test_aqi_array_equals_scalar(standard):
    rng = np.random.default_rng(11)
    n = 300
    conc = {
        "pm25": rng.uniform(0, 400, n),
        "pm10": rng.uniform(0, 500, n),
        "so2": rng.uniform(0, 300, n),
        "no2": rng.uniform(0, 200, n),
        "co": rng.uniform(0, 8, n),
        "o3": rng.uniform(0, 300, n),
    }
    conc["o3"][::9] = np.nan
    res = A.aqi_array(conc, "24h", standard)
    for i in range(n):
        r = A.aqi({k: float(v[i]) for k, v in conc.items()}, "24h", standard)
        assert (r.value is None and np.isnan(res.value[i])) or r.value == res.value[i]
        assert (r.level or 0) == res.level[i]
        assert r.primary == [p for p in A.POLLUTANTS if res.primary[p][i]]


def test_standard_for_switch_day():
    assert A.standard_for(dt.date(2026, 2, 28)) == "HJ633-2012"
    assert A.standard_for(dt.date(2026, 3, 1)) == "HJ633-2026"
    assert A.standard_for("2026-03-01") == "HJ633-2026"
    # 2026-02-28 16:00 UTC is 2026-03-01 00:00 in Asia/Shanghai: the new standard.
    assert A.standard_for(pd.Timestamp("2026-02-28 16:00", tz="UTC")) == "HJ633-2026"
    assert A.standard_for(pd.Timestamp("2026-02-28 15:59", tz="UTC")) == "HJ633-2012"
    assert A.standard_for("2015-06-01", index="US") == "EPA-2024"
    with pytest.raises(BadInputError, match="has no time zone"):
        A.standard_for(dt.datetime(2026, 3, 1, 8))
    with pytest.raises(BadInputError, match=r"date 'yesterday': expected YYYY-MM-DD"):
        A.standard_for("yesterday")


def test_bad_input():
    with pytest.raises(BadInputError, match=r"unknown pollutant 'pm1': expected one of pm25, pm10"):
        A.iaqi("pm1", 10, "24h", "HJ633-2012")
    with pytest.raises(BadInputError, match=r"unknown period '2h': expected one of 1h, 24h, 8h"):
        A.iaqi("pm25", 10, "2h", "HJ633-2012")
    with pytest.raises(BadInputError, match=r"unknown standard 'HJ633-2016'"):
        A.iaqi("pm25", 10, "24h", "HJ633-2016")
    msg = r"pm25 24h concentration: expected a finite concentration >= 0, got -1\.0$"
    with pytest.raises(BadInputError, match=msg):
        A.iaqi("pm25", -1, "24h", "HJ633-2012")
    with pytest.raises(BadInputError, match=r"got -2.0 \(2 such values\)"):
        A.iaqi("pm25", [1, -2, -3], "24h", "HJ633-2012")
    with pytest.raises(BadInputError, match="got inf"):
        A.iaqi("pm25", float("inf"), "24h", "HJ633-2012")
    with pytest.raises(BadInputError, match=r"expected a number or an array of numbers, got 'abc'"):
        A.iaqi("pm25", "abc", "24h", "HJ633-2012")
    msg = r"o3 has no '24h' breakpoints in HJ633-2012: expected one of 1h, 8h"
    with pytest.raises(BadInputError, match=msg):
        A.iaqi("o3", 10, "24h", "HJ633-2012")
    with pytest.raises(BadInputError, match=r"co has no '24h' breakpoints in EPA-2024: expected one of 8h"):
        A.iaqi("co", 1, "24h", "EPA-2024")
    with pytest.raises(BadInputError, match="report period '8h'"):
        A.aqi({"pm25": 10}, "8h", "HJ633-2012")
    with pytest.raises(BadInputError, match="expected one number for aqi"):
        A.aqi({"pm25": [10, 20]}, "24h", "HJ633-2012")
    with pytest.raises(BadInputError, match="expected a non-empty mapping"):
        A.aqi({}, "24h", "HJ633-2012")
    # every error is a CityTwinError
    with pytest.raises(CityTwinError):
        A.iaqi("pm25", -1, "24h", "EPA-2024")


def test_nan_is_documented_na():
    assert A.iaqi("pm25", float("nan"), "24h", "HJ633-2012") is None
    assert A.iaqi("pm25", None, "24h", "HJ633-2012") is None
    r = A.aqi({"pm25": float("nan")}, "24h", "HJ633-2012")
    assert r.value is None and r.level is None and r.primary == []


@pytest.mark.parametrize(("standard", "pollutant", "period"), ALL_CASES)
def test_iaqi_is_monotone_in_concentration(standard, pollutant, period):
    # Over a fine grid of each column (and beyond its top), the index never decreases.
    top = (
        CN_TABLES[standard][(pollutant, period)][-1]
        if standard != "EPA-2024"
        else EPA_TABLES[(pollutant, period)][-1][1]
    )
    c = np.linspace(0, top * 1.1, 20_001)
    v = A.iaqi(pollutant, c, period, standard)
    defined = v[~np.isnan(v)]
    assert len(defined) > 0 and np.all(np.diff(defined) >= 0)
    assert np.all(defined == np.floor(defined))  # whole numbers


def test_category_and_level_of():
    assert A.category(300, "HJ633-2012").zh == "重度污染"
    assert A.category(301, "HJ633-2026").en == "Severely polluted"
    assert A.category(151, "EPA-2024") == A.Category(4, "不健康", "Unhealthy", "#FF0000")
    assert A.category(None, "EPA-2024") is None
    assert list(A.level_of([0, 50, 51, 100, 101, 150, 151, 200, 201, 300, 301, 500, np.nan])) == [
        1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 0,
    ]  # fmt: skip


def test_report_keys_and_periods():
    with pytest.raises(BadInputError, match=r"EPA-2024 report period '1h': expected '24h'"):
        A.aqi({"pm25": 10}, "1h", "EPA-2024")
    with pytest.raises(
        BadInputError, match=r"indicator 'pm25_8h' is not part of the HJ633-2012 daily \(24h\) report"
    ):
        A.aqi({"pm25_8h": 10}, "24h", "HJ633-2012")
    with pytest.raises(BadInputError, match=r"indicator 'o3_8h' given twice"):
        A.aqi({"o3": 10, "o3_8h": 20}, "24h", "HJ633-2012")
    # explicit periods equal to the defaults are accepted
    assert A.aqi({"pm25_24h": 120, "o3_8h": 100}, "24h", "HJ633-2012").value == 158


@pytest.mark.parametrize("standard", ["HJ633-2012", "HJ633-2026", "EPA-2024"])
def test_aqi_array_is_max_of_individual_indices(standard):
    # AQI = max of the IAQIs (HJ 633-2012 formula (2); EPA TAD §IV), checked against iaqi() per pollutant.
    rng = np.random.default_rng(5)
    n = 2_000
    if standard == "EPA-2024":
        conc = {
            "pm25": rng.uniform(0, 300, n),
            "pm10": rng.uniform(0, 500, n),
            "so2": rng.uniform(0, 300, n),
            "no2": rng.uniform(0, 1500, n),
            "co": rng.uniform(0, 40, n),
            "o3": rng.uniform(0, 0.2, n),
        }
        periods = {"pm25": "24h", "pm10": "24h", "so2": "1h", "no2": "1h", "co": "8h", "o3": "8h"}
    else:
        conc = {
            "pm25": rng.uniform(0, 450, n),
            "pm10": rng.uniform(0, 550, n),
            "so2": rng.uniform(0, 2000, n),
            "no2": rng.uniform(0, 900, n),
            "co": rng.uniform(0, 50, n),
            "o3": rng.uniform(0, 700, n),
        }
        periods = {"pm25": "24h", "pm10": "24h", "so2": "24h", "no2": "24h", "co": "24h", "o3": "8h"}
    res = A.aqi_array(conc, "24h", standard)
    each = np.stack([A.iaqi(p, conc[p], periods[p], standard) for p in A.POLLUTANTS])
    expected = each.max(axis=0)
    if standard == "HJ633-2026":
        expected = np.maximum(expected, 1)
    assert np.array_equal(res.value, expected)
    for k, p in enumerate(A.POLLUTANTS):
        assert np.array_equal(res.iaqi[p], each[k])
        threshold = 50 if standard != "EPA-2024" else -1
        assert np.array_equal(res.primary[p], (each[k] == res.value) & (res.value > threshold))
