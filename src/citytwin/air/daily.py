"""Hourly (real-time) and daily AQI per station and per jurisdiction, over station-hour frames.

Input: the station-hour frame of :mod:`citytwin.air.frames` (``station_id``, ``observed_at`` UTC,
``pm25 pm10 so2 no2 o3`` [µg/m³], ``co`` [mg/m³]). The standard of each hour or day is chosen by
its natural day in Asia/Shanghai (:func:`citytwin.air.aqi.standard_for`) unless one is given.

Averages and their completeness (data-validity rules):

- 24-h mean (and the 24-h sliding mean of the HJ 633-2012 real-time report): at least 20 hourly
  values (GB 3095-2012 §8 / Table 4 "数据统计的有效性规定"; kept in GB 3095-2026).
- 8-h mean of O3 (sliding, labelled by its last hour): at least 6 of the 8 hours (same table).
- O3 daily maximum 8-h mean: the largest 8-h mean whose window lies in the natural day — with
  hours labelled 00..23, the 17 windows ending at 07..23 (HJ 663-2013: the 8-h means "8时至24时"
  in end-of-hour labels); valid with at least 14 valid windows (HJ 663-2013; not re-checked against
  the text, see REFERENCE.md).
- O3 daily maximum 1-h value (HJ 633-2012 daily report only): at least 20 hourly values (our
  reading: the 24-h rule applied to the day's hourly series).

A jurisdiction's value is the arithmetic mean of its stations' valid values for the same hour or
day, then the AQI of those means (HJ 663-2013, city-level evaluation).

References
----------
[1] HJ 633-2012 §5.1.2 (daily report), §5.1.3 (real-time report); HJ 633-2026 §5.1.
[2] GB 3095-2012 Ambient air quality standards, Table 4 (minimum data for each statistic).
[3] HJ 663-2013 Technical regulation for ambient air quality assessment (on trial).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from citytwin.air.aqi import STANDARDS, SWITCH_DATE, aqi_array, category
from citytwin.air.frames import POLLUTANT_COLUMNS, TZ, complete_hours, local_day
from citytwin.errors import BadInputError

__all__ = [
    "MIN_HOURS_24H",
    "MIN_HOURS_8H",
    "MIN_WINDOWS_O3_8H",
    "daily_aqi",
    "daily_concentrations",
    "hourly_aqi",
    "jurisdiction_daily",
    "jurisdiction_hourly",
]

MIN_HOURS_24H = 20  # [2] Table 4
MIN_HOURS_8H = 6  # [2] Table 4
MIN_WINDOWS_O3_8H = 14  # [3]

_MEAN_COLUMNS = ("pm25", "pm10", "so2", "no2", "co")


def _check_standard(standard: str | None, allowed: tuple[str, ...]) -> None:
    if standard is not None and standard not in allowed:
        if standard in STANDARDS:
            raise BadInputError(
                f"standard {standard!r} for these products: expected one of {', '.join(allowed)} "
                "(EPA-2024 takes ppm/ppb and an hourly NowCast that are not implemented here)"
            )
        raise BadInputError(f"unknown standard {standard!r}: expected one of {', '.join(allowed)}")


def _standards_by_day(days: pd.Series, standard: str | None) -> np.ndarray:
    if standard is not None:
        return np.full(len(days), standard, dtype=object)
    return np.where(pd.to_datetime(days).dt.date >= SWITCH_DATE, "HJ633-2026", "HJ633-2012").astype(object)


def _rolling(f: pd.DataFrame, column: str, window: int, min_periods: int) -> pd.Series:
    return (
        f.groupby("station_id", sort=False)[column]
        .rolling(window, min_periods=min_periods)
        .mean()
        .reset_index(level=0, drop=True)
        .sort_index()
    )


def _attach_aqi(
    frame: pd.DataFrame, keys_by_standard: Mapping[str, Mapping[str, str]], period: str
) -> pd.DataFrame:
    """Add AQI columns to `frame` (which has a ``standard`` column) per standard group."""
    n = len(frame)
    value = np.full(n, np.nan)
    level = np.zeros(n, dtype=np.int8)
    iaqi = {p: np.full(n, np.nan) for p in POLLUTANT_COLUMNS}
    primary = np.full(n, "", dtype=object)
    exceeding = np.full(n, None, dtype=object)
    std = frame["standard"].to_numpy()
    for standard, keys in keys_by_standard.items():
        rows = np.flatnonzero(std == standard)
        if len(rows) == 0:
            continue
        conc = {key: frame[col].to_numpy(dtype="float64", na_value=np.nan)[rows] for key, col in keys.items()}
        res = aqi_array(conc, period, standard)
        value[rows] = res.value
        level[rows] = res.level
        for p in POLLUTANT_COLUMNS:
            iaqi[p][rows] = res.iaqi[p]
        primary[rows] = _join_masks(res.primary, len(rows))
        if res.exceeding is not None:
            exceeding[rows] = _join_masks(res.exceeding, len(rows))
    out = frame.copy()
    out["aqi"] = value
    out["level"] = level
    out["category_zh"], out["category_en"], out["colour"] = _category_columns(level, std)
    out["primary"] = primary
    out["exceeding"] = exceeding
    for p in POLLUTANT_COLUMNS:
        out[f"iaqi_{p}"] = iaqi[p]
    return out


def _category_columns(level: np.ndarray, std: np.ndarray):
    """Names and colour of each row's level under its standard (None where NA)."""
    zh, en, colour = (np.full(len(level), None, dtype=object) for _ in range(3))
    for s in np.unique(std.astype(str)):
        for lv, lowest in enumerate((0, 51, 101, 151, 201, 301), start=1):
            c = category(lowest, s)
            sel = (std == s) & (level == lv)
            zh[sel], en[sel], colour[sel] = c.zh, c.en, c.colour
    return zh, en, colour


def _join_masks(masks: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    out = np.full(n, "", dtype=object)
    for p in POLLUTANT_COLUMNS:
        m = masks[p]
        out[m] = np.where(out[m] == "", p, out[m] + "," + p)
    return out


# ------------------------------------------------------------------ hourly


def hourly_aqi(frame: pd.DataFrame, standard: str | None = None) -> pd.DataFrame:
    """Real-time (hourly) AQI per station.

    HJ 633-2012 §5.1.3: 1-h SO2, NO2, CO and O3, the 8-h sliding O3 mean and the 24-h sliding PM10
    and PM2.5 means (the 24-h sliding SO2 mean is the fallback of Table 1 note 2). HJ 633-2026: the
    1-h values of all six (PM against the daily breakpoints). Sliding means follow the completeness
    rules of the module docstring.

    Parameters
    ----------
    frame : DataFrame
        Station-hour frame (:mod:`citytwin.air.frames`) [µg/m³; CO mg/m³].
    standard : str, optional
        ``HJ633-2012`` or ``HJ633-2026``; by default chosen per hour from its day in Asia/Shanghai.

    Returns
    -------
    DataFrame
        One row per station-hour of the complete hourly grid: ``station_id, observed_at,
        standard, aqi`` (float, NaN = NA), ``level`` (0 = NA), ``category_zh, category_en,
        colour, primary`` (comma-separated identifiers), ``exceeding`` (HJ 633-2012; None
        otherwise) and ``iaqi_<pollutant>``.
    """
    _check_standard(standard, ("HJ633-2012", "HJ633-2026"))
    f = complete_hours(frame)
    for p in POLLUTANT_COLUMNS:
        if p not in f:
            f[p] = np.nan
    f["standard"] = _standards_by_day(local_day(f["observed_at"]), standard)
    if (f["standard"] == "HJ633-2012").any():
        for p in ("pm25", "pm10", "so2"):
            f[f"{p}_24h"] = _rolling(f, p, 24, MIN_HOURS_24H)
        f["o3_8h"] = _rolling(f, "o3", 8, MIN_HOURS_8H)
    keys = {
        "HJ633-2012": {
            "pm25": "pm25_24h",
            "pm10": "pm10_24h",
            "so2": "so2",
            "so2_24h": "so2_24h",
            "no2": "no2",
            "co": "co",
            "o3": "o3",
            "o3_8h": "o3_8h",
        },
        "HJ633-2026": {p: p for p in POLLUTANT_COLUMNS},
    }
    out = _attach_aqi(f, keys, "1h")
    drop = [c for c in out.columns if c.endswith(("_24h", "_8h"))]
    return out.drop(columns=drop)


def jurisdiction_hourly(
    frame: pd.DataFrame, jurisdictions: Mapping[str, str], standard: str | None = None
) -> pd.DataFrame:
    """Real-time AQI per jurisdiction: the mean of its stations' hourly values, then
    :func:`hourly_aqi` (HJ 663-2013 city-level value). ``station_id`` holds the jurisdiction code,
    and ``n_stations`` the stations with a PM2.5 value that hour."""
    f = _with_jurisdiction(frame, jurisdictions)
    cols = [p for p in POLLUTANT_COLUMNS if p in f]
    grouped = f.groupby(["jurisdiction", "observed_at"], sort=True)
    means = grouped[cols].mean()
    means["n_stations"] = grouped["pm25"].count() if "pm25" in f else 0
    means = means.reset_index().rename(columns={"jurisdiction": "station_id"})
    out = hourly_aqi(means.drop(columns="n_stations"), standard)
    counts = means[["station_id", "observed_at", "n_stations"]]
    return out.merge(counts, on=["station_id", "observed_at"], how="left")


# ------------------------------------------------------------------ daily


def daily_concentrations(frame: pd.DataFrame) -> pd.DataFrame:
    """Daily statistics per station over Asia/Shanghai natural days, with completeness applied.

    Returns
    -------
    DataFrame
        ``station_id, day`` (datetime.date, Asia/Shanghai), the 24-h means ``pm25 pm10 so2 no2``
        [µg/m³] and ``co`` [mg/m³] (NaN with fewer than 20 hourly values), ``o3_8h`` (daily
        maximum 8-h mean [µg/m³]; NaN with fewer than 14 valid windows), ``o3_1h`` (daily maximum
        1-h value [µg/m³]; NaN with fewer than 20 hourly values), and ``n_<pollutant>`` the hourly
        values counted.
    """
    f = complete_hours(frame)
    for p in POLLUTANT_COLUMNS:
        if p not in f:
            f[p] = np.nan
    local = f["observed_at"].dt.tz_convert(TZ)
    f["day"] = local.dt.date
    f["o3_8h"] = _rolling(f, "o3", 8, MIN_HOURS_8H)
    g = f.groupby(["station_id", "day"], sort=True)
    counts = g[list(POLLUTANT_COLUMNS)].count()
    out = g[list(_MEAN_COLUMNS)].mean()
    for p in _MEAN_COLUMNS:
        out[p] = out[p].where(counts[p] >= MIN_HOURS_24H)
    out["o3_1h"] = g["o3"].max().where(counts["o3"] >= MIN_HOURS_24H)
    windows = f.loc[local.dt.hour >= 7].groupby(["station_id", "day"], sort=True)["o3_8h"]
    o3_8h = windows.max().where(windows.count() >= MIN_WINDOWS_O3_8H)
    out["o3_8h"] = o3_8h.reindex(out.index)
    for p in POLLUTANT_COLUMNS:
        out[f"n_{p}"] = counts[p]
    return out.reset_index()


def _daily_keys() -> dict[str, dict[str, str]]:
    base = {p: p for p in _MEAN_COLUMNS} | {"o3": "o3_8h"}
    return {"HJ633-2012": base | {"o3_1h": "o3_1h"}, "HJ633-2026": base}


def daily_aqi(frame: pd.DataFrame, standard: str | None = None) -> pd.DataFrame:
    """Daily AQI per station (HJ 633-2012 §5.1.2; HJ 633-2026 §5.1: no 1-h O3 in the daily report).

    Parameters
    ----------
    frame : DataFrame
        Station-hour frame [µg/m³; CO mg/m³].
    standard : str, optional
        ``HJ633-2012`` or ``HJ633-2026``; by default per day (HJ 633-2026 from 2026-03-01).

    Returns
    -------
    DataFrame
        :func:`daily_concentrations` plus ``standard, aqi`` (NaN = NA), ``level`` (0 = NA),
        ``category_zh, category_en, colour, primary, exceeding`` and ``iaqi_<pollutant>``.
    """
    _check_standard(standard, ("HJ633-2012", "HJ633-2026"))
    d = daily_concentrations(frame)
    d["standard"] = _standards_by_day(d["day"], standard)
    return _attach_aqi(d, _daily_keys(), "24h")


def _with_jurisdiction(frame: pd.DataFrame, jurisdictions: Mapping[str, str]) -> pd.DataFrame:
    codes = frame["station_id"].map(dict(jurisdictions))
    unknown = sorted(frame.loc[codes.isna(), "station_id"].astype(str).unique())
    if unknown:
        raise BadInputError(
            f"stations without a jurisdiction: {', '.join(unknown[:5])}: expected each in the map"
        )
    return frame.assign(jurisdiction=codes.astype(str))


def jurisdiction_daily(
    frame: pd.DataFrame, jurisdictions: Mapping[str, str], standard: str | None = None
) -> pd.DataFrame:
    """Daily AQI per jurisdiction: each station's valid daily values (:func:`daily_concentrations`)
    averaged over the jurisdiction's stations (HJ 663-2013), then the daily AQI.

    Parameters
    ----------
    frame : DataFrame
        Station-hour frame [µg/m³; CO mg/m³].
    jurisdictions : mapping
        ``station_id`` → jurisdiction code (adcode); every station of `frame` must be in it.

    Returns
    -------
    DataFrame
        Like :func:`daily_aqi` with ``jurisdiction`` instead of ``station_id`` and ``n_stations``
        (stations with a valid PM2.5 daily mean).
    """
    _check_standard(standard, ("HJ633-2012", "HJ633-2026"))
    d = _with_jurisdiction(daily_concentrations(frame), jurisdictions)
    cols = [*_MEAN_COLUMNS, "o3_8h", "o3_1h"]
    g = d.groupby(["jurisdiction", "day"], sort=True)
    j = g[cols].mean()
    j["n_stations"] = g["pm25"].count()
    j = j.reset_index()
    j["standard"] = _standards_by_day(j["day"], standard)
    return _attach_aqi(j, _daily_keys(), "24h")
