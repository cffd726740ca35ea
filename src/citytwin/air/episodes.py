"""Heavy-pollution episodes: runs of days with daily AQI above 200, and their alert level.

Input: a daily frame with an id column (``station_id`` or ``jurisdiction``), ``day`` (a natural day
in Asia/Shanghai) and ``aqi`` — what :func:`citytwin.air.daily.daily_aqi` and
:func:`~citytwin.air.daily.jurisdiction_daily` return.

An *episode* is a run of consecutive days with AQI > 200 (HJ 633 level 5 "重度污染" or 6 "严重污染").
A day with no AQI (NA) ends a run.

Alert levels (预警级别) of heavy-pollution weather, as unified for Beijing–Tianjin–Hebei and
surroundings by the Ministry of Environmental Protection in 2017 and adopted by Beijing's
《北京市空气重污染应急预案》 (revisions of 2016/2018); each level requires that a higher one is
not met:

- blue (蓝色, IV): daily AQI > 200 forecast for 1 day;
- yellow (黄色, III): daily AQI > 200 for 2 days or more;
- orange (橙色, II): daily AQI > 200 for 3 days or more, with AQI > 300 on at least one day;
- red (红色, I): daily AQI > 200 for 4 days or more with AQI > 300 for 2 days or more, or AQI
  reaching 500 on at least one day (HJ 633 holds the index at 500, so "reaching" is AQI >= 500).

The plan grades a *forecast*; applied here to observed days it says which alert the episode would
have warranted (a retrospective classification, not the alerts actually issued). The 2017 grading
also lets a "day" be any 24 consecutive hours, which daily values cannot show.

Sources (secondary, read as quoted; the plan's own text was not obtained):

- MEP, 重污染天气预警分级标准 (2017-09), slides quoted at https://m.wenke99.com/p-9609601.html;
- Xinhua 2017-11-03 on the 2016 revision of the Beijing plan (orange: AQI > 200 for 3 days and
  > 300 on one day), mirrored at https://feifmx.com/domesticgd/10000159/20171103/31630723.html;
- the 2013 plan graded differently (blue: heavy pollution forecast for 1 day; red: severe pollution
  for 3 days), http://www.antpedia.com/news/94/n-350894.html — not implemented.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from citytwin.errors import BadInputError

__all__ = ["ALERT_LEVELS", "alert_level", "episodes"]

#: Alert levels from the lowest; names in zh-CN and en.
ALERT_LEVELS: dict[str, tuple[str, str]] = {
    "blue": ("蓝色预警", "Blue alert"),
    "yellow": ("黄色预警", "Yellow alert"),
    "orange": ("橙色预警", "Orange alert"),
    "red": ("红色预警", "Red alert"),
}


def alert_level(days_over_200: int, days_over_300: int, days_at_500: int) -> str | None:
    """Alert level warranted by a run of days (MEP 2017 grading, see the module docstring).

    Parameters
    ----------
    days_over_200, days_over_300, days_at_500 : int
        Days of the run with daily AQI above 200, above 300, and at (or above) 500.

    Returns
    -------
    str or None
        ``"red"``, ``"orange"``, ``"yellow"``, ``"blue"``, or None when no day is above 200.
    """
    if min(days_over_200, days_over_300, days_at_500) < 0 or not (
        days_over_200 >= days_over_300 >= days_at_500
    ):
        raise BadInputError(
            f"day counts {days_over_200}, {days_over_300}, {days_at_500}: expected "
            "days_over_200 >= days_over_300 >= days_at_500 >= 0"
        )
    if days_at_500 >= 1 or (days_over_200 >= 4 and days_over_300 >= 2):
        return "red"
    if days_over_200 >= 3 and days_over_300 >= 1:
        return "orange"
    if days_over_200 >= 2:
        return "yellow"
    if days_over_200 >= 1:
        return "blue"
    return None


def episodes(daily: pd.DataFrame, id_column: str = "station_id", threshold: float = 200) -> pd.DataFrame:
    """Runs of consecutive days with daily AQI above `threshold`, per id.

    Parameters
    ----------
    daily : DataFrame
        Columns `id_column`, ``day`` (dates) and ``aqi`` (NaN = NA).
    id_column : str
        ``station_id`` or ``jurisdiction``.
    threshold : float
        AQI above which a day counts [AQI]; 200 by default (heavy pollution).

    Returns
    -------
    DataFrame
        One row per run: `id_column`, ``start``, ``end`` (dates, inclusive), ``days``,
        ``max_aqi``, ``days_over_300``, ``days_at_500`` and ``alert`` (the level the run
        warrants, with ``alert_zh``/``alert_en`` names; computed for the default threshold).
    """
    for c in (id_column, "day", "aqi"):
        if c not in daily.columns:
            got = ", ".join(map(str, daily.columns))
            raise BadInputError(f"daily frame: missing column {c!r}; got {got}")
    d = daily[[id_column, "day", "aqi"]].copy()
    d["day"] = pd.to_datetime(d["day"])
    d = d.sort_values([id_column, "day"], kind="stable")
    over = (d["aqi"] > threshold).to_numpy()
    ids = d[id_column].to_numpy()
    days = d["day"].to_numpy()
    gap = np.ones(len(d), dtype=bool)
    gap[1:] = (ids[1:] != ids[:-1]) | (days[1:] - days[:-1] != np.timedelta64(1, "D")) | ~over[:-1]
    run = np.cumsum(gap & over)
    d = d.loc[over].assign(run=run[over])
    if d.empty:
        cols = [id_column, "start", "end", "days", "max_aqi", "days_over_300", "days_at_500", "alert"]
        return pd.DataFrame(columns=[*cols, "alert_zh", "alert_en"])
    g = d.groupby("run", sort=True)
    out = pd.DataFrame(
        {
            id_column: g[id_column].first(),
            "start": g["day"].min().dt.date,
            "end": g["day"].max().dt.date,
            "days": g["day"].count(),
            "max_aqi": g["aqi"].max(),
            "days_over_300": g["aqi"].apply(lambda s: int((s > 300).sum())),
            "days_at_500": g["aqi"].apply(lambda s: int((s >= 500).sum())),
        }
    ).reset_index(drop=True)
    if threshold == 200:
        out["alert"] = [
            alert_level(int(a), int(b), int(c))
            for a, b, c in zip(out["days"], out["days_over_300"], out["days_at_500"], strict=True)
        ]
    else:
        out["alert"] = None
    out["alert_zh"] = out["alert"].map(lambda a: ALERT_LEVELS[a][0] if a else None)
    out["alert_en"] = out["alert"].map(lambda a: ALERT_LEVELS[a][1] if a else None)
    return out
