"""The pathway model of :mod:`citytwin.carbon.pathway` as a plain Python loop, one run and one
year at a time: the reference that the vectorised model is checked against, and the peer of
``bench/bench_carbon.py``. Same equations, same order of measures; no numpy in the inner loop.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from citytwin.carbon.pathway import Scenario

__all__ = ["TJ_PER_GWH", "simulate_loop"]

TJ_PER_GWH = 3.6


def simulate_loop(scn: Scenario, params: dict) -> np.ndarray:
    """The same model as :func:`simulate`, one run and one year at a time in plain Python.

    Returns the net total emissions (runs, years) [t CO2]. Slow; for checks and the benchmark.
    """
    years = [int(y) for y in scn.years]
    runs = len(params["drivers.population_growth"])
    out = np.empty((runs, len(years)))
    sectors = list(scn.sectors.items())
    for r in range(runs):
        pv = {key: float(value[r]) for key, value in params.items()}
        for j, year in enumerate(years):
            dt = year - years[0]
            intensity = {
                "population": (1.0 + pv["drivers.per_capita_energy_growth"]) ** dt,
                "gdp": (1.0 - pv["drivers.energy_intensity_decline"]) ** dt,
            }
            grid = pv["drivers.grid_factor_kg_per_kwh"] * (1.0 - pv["drivers.grid_factor_decline"]) ** dt
            fuel, ef, elec, process = {}, {}, {}, {}
            for name, sec in sectors:
                activity = (1.0 + pv[f"drivers.{sec['driver']}_growth"]) ** dt
                index = activity * intensity[sec["driver"]]
                process[name] = pv[f"sectors.{name}.process_t"] * activity
                fuel[name] = pv[f"sectors.{name}.fuel_tj"] * index
                ef[name] = pv[f"sectors.{name}.fuel_ef_t_per_tj"]
                elec[name] = pv[f"sectors.{name}.elec_gwh"] * index
            sink = 0.0
            for m in scn.measures:
                key = f"measures.{m['id']}."
                a = 0.0
                if year >= int(m.get("start", years[0])):
                    a = 1.0 / (1.0 + math.exp(-pv[key + "steepness"] * (year - pv[key + "midpoint"])))
                share = pv[key + "potential"] * a
                s = m.get("sector")
                if m["kind"] == "efficiency":
                    fuel[s] *= 1.0 - share
                    elec[s] *= 1.0 - share
                elif m["kind"] == "electrify":
                    moved = fuel[s] * share
                    fuel[s] -= moved
                    elec[s] += moved / TJ_PER_GWH / pv[key + "efficiency_ratio"]
                elif m["kind"] == "fuel_switch":
                    ef[s] *= 1.0 - share
                elif m["kind"] == "pv":
                    elec[s] = max(elec[s] - share, 0.0)
                elif m["kind"] == "grid":
                    grid *= 1.0 - share
                else:
                    sink += share
            out[r, j] = sum(fuel[s] * ef[s] + elec[s] * grid * 1000.0 + process[s] for s, _ in sectors) - sink
    return out
