"""Joint prevention across jurisdictions: comparison, co-exceedance, and lagged correlation
between stations conditioned on wind direction.

Inputs:

- the station-hour frame of :mod:`citytwin.air.frames` (``station_id``, ``observed_at`` UTC,
  pollutants [µg/m³; CO mg/m³], ``windDirection`` [degrees, from], ``windSpeed`` [m/s]);
- a jurisdiction map ``station_id → adcode``;
- for :func:`jurisdiction_comparison`, the output of
  :func:`citytwin.air.daily.jurisdiction_daily`.

The default exceedance threshold is the grade-II 24-h limit of the pollutant in GB 3095-2012
(Table 1; PM2.5 75 µg/m³, PM10 150) applied as an hourly screening value — the 24-h limit is a
daily statistic; an hour above it is a warning sign, not a breach of the standard. GB 3095-2026
lowers PM2.5 to 60 and PM10 to 120 (transition limits); pass ``threshold`` to use them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from citytwin.air.frames import complete_hours
from citytwin.errors import BadInputError

__all__ = [
    "SECTORS",
    "CoExceedance",
    "co_exceedance",
    "jurisdiction_comparison",
    "lagged_correlation",
    "wind_sector",
]

#: GB 3095-2012 Table 1, grade II, 24-h limits [µg/m³; CO mg/m³].
GB3095_2012_24H_GRADE2 = {"pm25": 75.0, "pm10": 150.0, "so2": 150.0, "no2": 80.0, "co": 4.0}
SECTORS: tuple[str, ...] = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


def jurisdiction_comparison(daily: pd.DataFrame) -> pd.DataFrame:
    """Per-jurisdiction summary of daily AQI (input: :func:`~citytwin.air.daily.jurisdiction_daily`).

    Returns
    -------
    DataFrame
        One row per ``jurisdiction``: ``days`` (with an AQI), ``mean_aqi``, ``mean_pm25``
        [µg/m³], ``days_good`` (AQI ≤ 100, levels 1–2), ``days_over_100``, ``days_over_200``,
        ``share_good``, and ``top_primary`` (the most frequent primary pollutant).
    """
    for c in ("jurisdiction", "aqi", "pm25", "primary"):
        if c not in daily.columns:
            raise BadInputError(f"jurisdiction daily frame: missing column {c!r}")
    d = daily.loc[daily["aqi"].notna()]
    g = d.groupby("jurisdiction", sort=True)
    out = pd.DataFrame(
        {
            "days": g["aqi"].count(),
            "mean_aqi": g["aqi"].mean().round(1),
            "mean_pm25": g["pm25"].mean().round(1),
            "days_good": g["aqi"].apply(lambda s: int((s <= 100).sum())),
            "days_over_100": g["aqi"].apply(lambda s: int((s > 100).sum())),
            "days_over_200": g["aqi"].apply(lambda s: int((s > 200).sum())),
        }
    )
    out["share_good"] = (out["days_good"] / out["days"]).round(3)
    prim = d.assign(primary=d["primary"].fillna("").str.split(",")).explode("primary")
    prim = prim.loc[prim["primary"] != ""]
    top = prim.groupby("jurisdiction")["primary"].agg(lambda s: s.value_counts().index[0])
    out["top_primary"] = top.reindex(out.index)
    return out.reset_index()


@dataclass(frozen=True)
class CoExceedance:
    """Hours above a threshold across stations.

    ``hours``: per hour, ``observed_at``, ``n_reporting``, ``n_exceeding``, ``stations`` and
    ``jurisdictions`` exceeding (comma-separated) and ``cross_boundary`` (≥ 2 jurisdictions at
    once). ``pairs``: per ordered station pair, ``hours_a`` (A exceeds), ``hours_both`` and
    ``p_b_given_a`` = hours_both / hours_a.
    """

    hours: pd.DataFrame
    pairs: pd.DataFrame
    pollutant: str
    threshold: float


def co_exceedance(
    frame: pd.DataFrame,
    jurisdictions: Mapping[str, str],
    pollutant: str = "pm25",
    threshold: float | None = None,
) -> CoExceedance:
    """Which stations and jurisdictions exceed `threshold` in the same hours.

    Parameters
    ----------
    frame : DataFrame
        Station-hour frame.
    jurisdictions : mapping
        ``station_id`` → jurisdiction code.
    pollutant : str
        Column to test.
    threshold : float, optional
        [µg/m³; CO mg/m³]; default the GB 3095-2012 grade-II 24-h limit (hourly screening).
    """
    if pollutant not in frame.columns:
        raise BadInputError(f"pollutant {pollutant!r} is not a column of the frame")
    if threshold is None:
        if pollutant not in GB3095_2012_24H_GRADE2:
            raise BadInputError(f"no default threshold for {pollutant!r}: pass threshold")
        threshold = GB3095_2012_24H_GRADE2[pollutant]
    table = frame.pivot_table(index="observed_at", columns="station_id", values=pollutant, aggfunc="mean")
    unknown = [s for s in table.columns if s not in jurisdictions]
    if unknown:
        raise BadInputError(f"stations without a jurisdiction: {', '.join(map(str, unknown[:5]))}")
    x = table.to_numpy()
    exceed = x > threshold
    stations = np.asarray(table.columns, dtype=object)
    codes = np.asarray([jurisdictions[s] for s in stations], dtype=object)
    n_exc = exceed.sum(axis=1)
    names = [",".join(stations[row]) for row in exceed]
    juris = [",".join(sorted(set(codes[row]))) for row in exceed]
    hours = pd.DataFrame(
        {
            "observed_at": table.index,
            "n_reporting": (~np.isnan(x)).sum(axis=1),
            "n_exceeding": n_exc,
            "stations": names,
            "jurisdictions": juris,
            "cross_boundary": [j.count(",") >= 1 for j in juris],
        }
    )
    e = exceed.astype(np.int64)
    both = e.T @ e
    a = np.diag(both)
    ia, ib = np.meshgrid(np.arange(len(stations)), np.arange(len(stations)), indexing="ij")
    off = ia != ib
    pairs = pd.DataFrame(
        {
            "station_a": stations[ia[off]],
            "station_b": stations[ib[off]],
            "jurisdiction_a": codes[ia[off]],
            "jurisdiction_b": codes[ib[off]],
            "hours_a": a[ia[off]],
            "hours_both": both[off],
        }
    )
    ratio = pairs["hours_both"] / pairs["hours_a"].clip(lower=1)
    pairs["p_b_given_a"] = np.where(pairs["hours_a"] > 0, ratio, np.nan)
    return CoExceedance(hours=hours, pairs=pairs, pollutant=pollutant, threshold=float(threshold))


def wind_sector(direction_deg: pd.Series | np.ndarray, speed: pd.Series | np.ndarray | None = None,
                calm_below: float = 0.5) -> np.ndarray:
    """8-sector names (``N NE E SE S SW W NW``) of wind directions [degrees, from]; ``calm`` where
    the speed is below `calm_below` [m/s]; None where the direction is missing."""
    d = np.asarray(direction_deg, dtype=float)
    idx = np.floor(((d + 22.5) % 360) / 45).astype("float")
    out = np.full(d.shape, None, dtype=object)
    ok = ~np.isnan(d)
    out[ok] = np.asarray(SECTORS, dtype=object)[idx[ok].astype(int)]
    if speed is not None:
        s = np.asarray(speed, dtype=float)
        out[s < calm_below] = "calm"
    return out


def lagged_correlation(
    frame: pd.DataFrame,
    source: str,
    target: str,
    pollutant: str = "pm25",
    max_lag: int = 12,
    wind_station: str | None = None,
    difference: bool = True,
    min_pairs: int = 30,
) -> pd.DataFrame:
    """Correlation of `source` at t with `target` at t + lag, per wind sector at t.

    A wind blowing from the source towards the target shows as a correlation that peaks at a
    positive lag (transport). With ``difference=True`` (default) the hourly changes are correlated,
    which removes the common slow variation that makes raw PM series correlate at every lag.

    Parameters
    ----------
    frame : DataFrame
        Station-hour frame with `pollutant`, and ``windDirection`` [degrees] (and ``windSpeed``
        [m/s], for calms) at `wind_station`.
    source, target : str
        Station ids.
    max_lag : int
        Largest lag [h].
    wind_station : str, optional
        Station whose wind conditions the sample; default `source`.
    min_pairs : int
        Fewer pairs than this give r = NaN.

    Returns
    -------
    DataFrame
        ``sector`` (8 sectors, ``calm``, and ``all``), ``lag`` [h], ``r`` (Pearson), ``n`` pairs.
    """
    wind_station = wind_station or source
    f = complete_hours(frame.loc[frame["station_id"].isin([source, target, wind_station])])
    for s in {source, target, wind_station}:
        if s not in set(f["station_id"]):
            raise BadInputError(f"station {s!r} is not in the frame")
    if "windDirection" not in f:
        raise BadInputError("frame has no windDirection column: expected degrees clockwise from north")
    tab = f.pivot(index="observed_at", columns="station_id", values=pollutant)
    grid = pd.date_range(tab.index.min(), tab.index.max(), freq="h")
    tab = tab.reindex(grid)
    xs, xt = tab[source], tab[target]
    if difference:
        xs, xt = xs.diff(), xt.diff()
    w = f.loc[f["station_id"] == wind_station].set_index("observed_at").reindex(grid)
    sector = wind_sector(w["windDirection"], w.get("windSpeed"))
    rows = []
    for name in (*SECTORS, "calm", "all"):
        sel = np.ones(len(grid), bool) if name == "all" else (sector == name)
        for lag in range(0, max_lag + 1):
            a = xs.to_numpy()[sel]
            b = xt.shift(-lag).to_numpy()[sel]
            ok = ~np.isnan(a) & ~np.isnan(b)
            n = int(ok.sum())
            r = float(np.corrcoef(a[ok], b[ok])[0, 1]) if n >= min_pairs else np.nan
            rows.append((name, lag, r, n))
    return pd.DataFrame(rows, columns=["sector", "lag", "r", "n"])
