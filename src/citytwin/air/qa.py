"""Sensor quality flags for station-hour data: impossible values, stuck sensors, spikes, and
disagreement with neighbouring stations.

Functions return *flags*; they never change or drop a value (DESIGN.md: nothing is deleted).
The twin stores the flags beside the observations as quality flags.

Input: the station-hour frame of :mod:`citytwin.air.frames` (``station_id``, ``observed_at`` UTC,
pollutants [µg/m³; CO mg/m³]); for neighbours also a station table with ``station_id``, ``lon``,
``lat`` [degrees].

The rules are screening heuristics in the spirit of HJ 818-2018 (data validity review of automatic
monitoring: a constant reading or an abrupt jump is checked, not discarded); the thresholds are
parameters, and their defaults were chosen on the PRSA reference set so that flags are rare:

- ``impossible``: outside the attribute's physical range (:mod:`citytwin.twin.attributes`), or
  PM2.5 above PM10 by more than ``max(pm_tolerance, 10 %)`` (PM2.5 is a fraction of PM10);
- ``stuck``: the same value for ``stuck_hours`` consecutive hours or more, above a floor (sensors
  at their detection limit legitimately repeat);
- ``spike``: one hour above both neighbouring hours by more than ``max(jump, ratio × neighbour)``;
- ``neighbour``: the value and the median of the stations within ``radius_km`` differ by more than
  a factor ``factor`` (after adding ``offset`` to both), with at least 2 neighbours reporting.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from citytwin.air.frames import POLLUTANT_COLUMNS, complete_hours
from citytwin.errors import BadInputError
from citytwin.twin.attributes import ATTRIBUTES

__all__ = ["FLAGS", "neighbours", "qa_flags"]

FLAGS: tuple[str, ...] = ("impossible", "stuck", "spike", "neighbour")

# Per pollutant: stuck floor, spike jump, neighbour offset [µg/m³; CO mg/m³].
_STUCK_FLOOR = {"pm25": 10, "pm10": 20, "so2": 10, "no2": 10, "co": 0.5, "o3": 10}
_SPIKE_JUMP = {"pm25": 150, "pm10": 250, "so2": 100, "no2": 100, "co": 3.0, "o3": 150}
_OFFSET = {"pm25": 10, "pm10": 20, "so2": 5, "no2": 10, "co": 0.3, "o3": 20}
_COLUMNS = ["station_id", "observed_at", "attribute", "flag", "value", "detail"]


def neighbours(stations: pd.DataFrame, radius_km: float = 30.0) -> dict[str, list[str]]:
    """Stations within `radius_km` [km] of each station (great-circle distance, R = 6371 km)."""
    for c in ("station_id", "lon", "lat"):
        if c not in stations.columns:
            raise BadInputError(f"stations: missing column {c!r}; expected station_id, lon, lat")
    ids = stations["station_id"].astype(str).to_numpy()
    lon = np.radians(stations["lon"].to_numpy(dtype=float))
    lat = np.radians(stations["lat"].to_numpy(dtype=float))
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    d = 2 * 6371.0 * np.arcsin(np.sqrt(a))
    return {ids[i]: [ids[j] for j in np.flatnonzero((d[i] <= radius_km) & (np.arange(len(ids)) != i))]
            for i in range(len(ids))}


def _flags(f: pd.DataFrame, mask: np.ndarray, attribute: str, flag: str, detail) -> pd.DataFrame:
    rows = np.flatnonzero(mask)
    sub = f.iloc[rows]
    det = detail[rows] if isinstance(detail, np.ndarray) else detail
    return pd.DataFrame(
        {
            "station_id": sub["station_id"].to_numpy(),
            "observed_at": sub["observed_at"].to_numpy(),
            "attribute": attribute,
            "flag": flag,
            "value": sub[attribute].to_numpy(dtype=float),
            "detail": det,
        }
    )


def qa_flags(
    frame: pd.DataFrame,
    stations: pd.DataFrame | None = None,
    *,
    stuck_hours: int = 8,
    spike_ratio: float = 2.0,
    pm_tolerance: float = 10.0,
    radius_km: float = 30.0,
    factor: float = 4.0,
    neighbour_map: Mapping[str, list[str]] | None = None,
) -> pd.DataFrame:
    """Quality flags of every pollutant value of a station-hour frame.

    Parameters
    ----------
    frame : DataFrame
        Station-hour frame [µg/m³; CO mg/m³].
    stations : DataFrame, optional
        ``station_id, lon, lat`` [degrees]; needed for the ``neighbour`` flag (or give
        `neighbour_map`). Without either, no neighbour flags are computed.
    stuck_hours : int
        Hours of an identical value that make a ``stuck`` run [h].
    spike_ratio : float
        A spike exceeds both neighbouring hours by more than this times their maximum (and by
        more than the pollutant's jump threshold).
    pm_tolerance : float
        PM2.5 may exceed PM10 by this much before ``impossible`` [µg/m³].
    radius_km : float
        Neighbour radius [km].
    factor : float
        Ratio to the neighbours' median that makes a ``neighbour`` flag.

    Returns
    -------
    DataFrame
        One row per flag: ``station_id, observed_at, attribute, flag, value, detail``, sorted by
        station, time, attribute. The input is not modified.
    """
    if stuck_hours < 2:
        raise BadInputError(f"stuck_hours {stuck_hours}: expected at least 2")
    f = complete_hours(frame)
    cols = [p for p in POLLUTANT_COLUMNS if p in f]
    sid = f["station_id"].to_numpy()
    same_station_prev = np.r_[False, sid[1:] == sid[:-1]]
    same_station_next = np.r_[sid[:-1] == sid[1:], False]
    out = []
    for p in cols:
        x = f[p].to_numpy(dtype=float)
        have = ~np.isnan(x)
        attr = ATTRIBUTES[p]
        bad = have & ((x < attr.minimum) | (x > attr.maximum))
        out.append(_flags(f, bad, p, "impossible", f"outside [{attr.minimum}, {attr.maximum}] {attr.unit}"))

        # stuck: run-length of identical consecutive values within a station
        prev = np.r_[np.nan, x[:-1]]
        new_run = ~(same_station_prev & (x == prev))
        run_id = np.cumsum(new_run)
        run_len = np.bincount(run_id)[run_id]
        stuck = have & (run_len >= stuck_hours) & (x > _STUCK_FLOOR[p])
        out.append(_flags(f, stuck, p, "stuck", run_len.astype(str).astype(object) + " h identical"))

        # spike: one hour far above both neighbouring hours
        before = np.where(same_station_prev, np.r_[np.nan, x[:-1]], np.nan)
        after = np.where(same_station_next, np.r_[x[1:], np.nan], np.nan)
        around = np.fmax(before, after)
        both = ~np.isnan(before) & ~np.isnan(after)
        jump = x - around
        spike = have & both & (jump > np.maximum(_SPIKE_JUMP[p], spike_ratio * around))
        detail = np.full(len(x), "", dtype=object)
        detail[spike] = [f"+{j:.4g} over the hours around" for j in jump[spike]]
        out.append(_flags(f, spike, p, "spike", detail))

    if "pm25" in f and "pm10" in f:
        pm10 = f["pm10"].to_numpy(dtype=float)
        over = f["pm25"].to_numpy(dtype=float) > pm10 + np.maximum(pm_tolerance, 0.1 * pm10)
        why = f"PM2.5 above PM10 by more than max({pm_tolerance} ug/m3, 10%)"
        out.append(_flags(f, over, "pm25", "impossible", why))

    nmap = neighbour_map
    if nmap is None and stations is not None:
        nmap = neighbours(stations, radius_km)
    if nmap:
        out.extend(_neighbour_flags(f, cols, nmap, factor))
    flags = pd.concat([o for o in out if len(o)], ignore_index=True) if any(len(o) for o in out) else None
    if flags is None:
        return pd.DataFrame(columns=_COLUMNS)
    flags["observed_at"] = pd.to_datetime(flags["observed_at"], utc=True)
    flags = flags.sort_values(["station_id", "observed_at", "attribute", "flag"], kind="stable")
    return flags.reset_index(drop=True)


def _neighbour_flags(f: pd.DataFrame, cols: list[str], nmap: Mapping[str, list[str]], factor: float):
    out = []
    for p in cols:
        table = f.pivot(index="observed_at", columns="station_id", values=p)
        for s in table.columns:
            near = [n for n in nmap.get(s, []) if n in table.columns]
            if len(near) < 2:
                continue
            med = table[near].median(axis=1, skipna=True)
            count = table[near].notna().sum(axis=1)
            x = table[s]
            c = _OFFSET[p]
            ratio = (x + c) / (med + c)
            bad = (count >= 2) & x.notna() & ((ratio > factor) | (ratio < 1 / factor))
            if bad.any():
                hit = bad[bad].index
                out.append(
                    pd.DataFrame(
                        {
                            "station_id": s,
                            "observed_at": hit,
                            "attribute": p,
                            "flag": "neighbour",
                            "value": x.loc[hit].to_numpy(),
                            "detail": [f"{r:.2f}x the neighbours' median" for r in ratio.loc[hit]],
                        }
                    )
                )
    return out
