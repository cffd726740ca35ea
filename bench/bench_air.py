"""Benchmark of citytwin.air.aqi (issue 6): AQI over the whole reference history.

Data: every hourly value of the PRSA reference set (12 Beijing stations, 2013-03..2017-02), from
the package loader ``citytwin.datasets.reference.observations("prsa")`` (CO converted to mg/m³).
Peer: the ``python-aqi`` package (``import aqi``), run in the same process on the same values.

Prints one JSON line per figure (figure, value, peer, peer value, ratio):

1. IAQI under HJ 633-2012 Table 1 [values/s] — each hourly value against its column (1-h SO2,
   NO2, CO, O3; PM2.5 and PM10 against their 24-h columns, as real-time PM is reported) — ours
   (vectorised) against python-aqi's MEP algorithm value by value; goal >= 100x;
2. python-aqi on those values: how many raise, return no index, or differ from the standard's
   index (ours, which the tests pin to the table);
3. the same for the PM values under EPA-2024 (python-aqi carries the pre-2024 PM2.5 table);
4. the AQI of each station-hour from its six values (``aqi_array``: max, primary, exceeding)
   [rows/s], against python-aqi's ``to_aqi`` on the same rows (a 20,000-row sample); goal >= 100x;
5. the full real-time product (:func:`citytwin.air.daily.hourly_aqi`: hourly grid, sliding 24-h PM
   and 8-h O3 means, all rules, category names) [rows/s], beside the same python-aqi rate (which
   does far less work).
"""

from __future__ import annotations

import json
import time

import aqi as pyaqi
import numpy as np
from aqi import constants as pyaqi_constants

from citytwin.air import frames
from citytwin.air.aqi import aqi_array, iaqi
from citytwin.air.daily import hourly_aqi
from citytwin.datasets import reference

GOAL_RATIO = 100

# Our (pollutant, period) → python-aqi's constant, for HJ 633-2012 / MEP.
COLUMNS = {
    ("pm25", "24h"): pyaqi.POLLUTANT_PM25,
    ("pm10", "24h"): pyaqi.POLLUTANT_PM10,
    ("so2", "1h"): pyaqi.POLLUTANT_SO2_1H,
    ("no2", "1h"): pyaqi.POLLUTANT_NO2_1H,
    ("co", "1h"): pyaqi_constants.POLLUTANT_CO_1H,
    ("o3", "1h"): pyaqi.POLLUTANT_O3_1H,
}


def _emit(**fields) -> None:
    print(json.dumps(fields, ensure_ascii=False))


def _best_of(fn, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def _peer(values: np.ndarray, constant: str, algo: str) -> tuple[np.ndarray, int, int, float]:
    """python-aqi on each value: its indices (NaN where none), raises, Nones, seconds."""
    out = np.full(len(values), np.nan)
    raised = nones = 0
    t = time.perf_counter()
    for i, v in enumerate(values.tolist()):
        try:
            r = pyaqi.to_iaqi(constant, repr(v), algo=algo)
        except Exception:  # noqa: BLE001 - the count of failures is the figure
            raised += 1
            continue
        if r is None:
            nones += 1
        else:
            out[i] = float(r)
    return out, raised, nones, time.perf_counter() - t


def main() -> None:
    wide = frames.from_reference(reference.observations("prsa"), co_unit="ug/m3")
    values = {k: wide[k[0]].dropna().to_numpy() for k in COLUMNS}
    n = sum(len(v) for v in values.values())

    ours_s = _best_of(lambda: [iaqi(p, v, per, "HJ633-2012") for (p, per), v in values.items()])
    ours = {k: iaqi(k[0], v, k[1], "HJ633-2012") for k, v in values.items()}

    peer_s = 0.0
    raised = nones = differ = 0
    per_pollutant = {}
    for k, v in values.items():
        got, r, nn, s = _peer(v, COLUMNS[k], pyaqi.ALGO_MEP)
        peer_s += s
        d = int(np.sum(~np.isnan(got) & (got != ours[k])))
        raised, nones, differ = raised + r, nones + nn, differ + d
        per_pollutant[f"{k[0]}_{k[1]}"] = {"raised": r, "no_index": nn, "differ": d, "values": len(v)}

    ours_rate, peer_rate = n / ours_s, n / peer_s
    _emit(
        figure="IAQI HJ 633-2012 over the PRSA history [values/s]",
        value=round(ours_rate),
        values=n,
        peer="python-aqi 0.6 (MEP) on the same values",
        peer_value=round(peer_rate),
        ratio=round(ours_rate / peer_rate, 1),
        goal_ratio=GOAL_RATIO,
    )
    _emit(
        figure="python-aqi (MEP) values that fail or disagree with HJ 633-2012 [values]",
        value=raised + nones + differ,
        raised=raised,
        no_index=nones,
        differ=differ,
        values=n,
        share=round((raised + nones + differ) / n, 4),
        by_pollutant=per_pollutant,
        peer="HJ 633-2012 Table 1 (citytwin, pinned to the table by tests)",
        peer_value=0,
        ratio=None,
    )

    # EPA-2024: the PM values (µg/m³ in both), python-aqi's EPA algorithm.
    epa = {}
    for p, const in (("pm25", pyaqi.POLLUTANT_PM25), ("pm10", pyaqi.POLLUTANT_PM10)):
        v = values[(p, "24h")]
        mine = iaqi(p, v, "24h", "EPA-2024")
        got, r, nn, _ = _peer(v, const, pyaqi.ALGO_EPA)
        differ = int(np.sum(~np.isnan(got) & (got != mine)))
        epa[p] = {"raised": r, "no_index": nn, "differ": differ, "values": len(v)}
    bad = sum(e["raised"] + e["no_index"] + e["differ"] for e in epa.values())
    _emit(
        figure="python-aqi (EPA) PM values that fail or disagree with EPA-2024 [values]",
        value=bad,
        values=sum(e["values"] for e in epa.values()),
        by_pollutant=epa,
        peer="EPA-454/B-24-002 Table 6 (citytwin)",
        peer_value=0,
        ratio=None,
    )

    # AQI of each station-hour from its six values, against python-aqi to_aqi on the same rows.
    rows = len(wide)
    conc = {p: wide[p].to_numpy() for p in ("pm25", "pm10", "so2", "no2", "co", "o3")}
    rows_s = _best_of(lambda: aqi_array(conc, "1h", "HJ633-2012"))
    sample = wide.sample(20_000, random_state=1)
    t = time.perf_counter()
    for rec in sample[["pm25", "pm10", "so2", "no2", "co", "o3"]].itertuples(index=False):
        ccs = [(c, repr(x)) for c, x in zip(COLUMNS.values(), rec, strict=True) if x == x]
        try:
            pyaqi.to_aqi(ccs, algo=pyaqi.ALGO_MEP)
        except Exception:  # noqa: BLE001
            pass
    peer_rows_rate = len(sample) / (time.perf_counter() - t)
    _emit(
        figure="AQI of each station-hour from its six 1-h values, aqi_array [rows/s]",
        value=round(rows / rows_s),
        rows=rows,
        peer="python-aqi to_aqi (MEP), 20,000-row sample",
        peer_value=round(peer_rows_rate),
        ratio=round(rows / rows_s / peer_rows_rate, 1),
        goal_ratio=GOAL_RATIO,
    )

    # Full real-time AQI (all rules, sliding means, categories) per station-hour.
    full_s = _best_of(lambda: hourly_aqi(wide, "HJ633-2012"), repeat=3)
    _emit(
        figure="real-time AQI HJ 633-2012 per station-hour, all rules [rows/s]",
        value=round(rows / full_s),
        rows=rows,
        peer="python-aqi to_aqi (MEP, 1-h values only, no sliding means), 20,000-row sample",
        peer_value=round(peer_rows_rate),
        ratio=round(rows / full_s / peer_rows_rate, 1),
    )


if __name__ == "__main__":
    main()
