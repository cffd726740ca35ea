"""Pathways to peak and neutrality: a driver-based baseline, measures with adoption curves and
costs, wedges, a marginal abatement cost (MAC) curve, and a vectorised Monte Carlo.

The model works on energy, per sector ``s`` and year ``t`` (one array row per Monte Carlo run):

    fuel_tj[s, t]  = fuel_tj[s, t0] × A_s(t) × I_s(t)                    [TJ]
    elec_gwh[s, t] = elec_gwh[s, t0] × A_s(t) × I_s(t)                   [GWh]
    process_t[s, t] = process_t[s, t0] × A_s(t)                          [t CO2]
    emissions[s, t] = fuel_tj × ef_t_per_tj + elec_gwh × grid(t) × 1000 + process_t  [t CO2]

with ``A_s`` the sector's driver index (population or GDP, compound growth), ``I_s`` its energy
intensity index: ``(1 + c)^(t − t0)`` per person for population-driven sectors (``c`` the growth
of energy use per person) and ``(1 − d)^(t − t0)`` per unit of GDP for GDP-driven sectors, and
``grid(t) = g0 × (1 − r)^(t − t0)`` [kgCO2/kWh] the grid factor trend (GWh × kgCO2/kWh = 1000 t).
This is the Kaya-identity decomposition used by city pathway tools (e.g. the LEAP and CURB
driver approach; Kaya & Yokobori 1997).

Measures are applied in the scenario's order; each scales quantities by ``potential × a(t)``,
``a(t) = 1 / (1 + exp(−k (t − t_mid)))`` for ``t ≥ start`` (logistic adoption, Rogers 2003):
``efficiency`` (fuel and electricity of a sector), ``electrify`` (fuel → electricity with an
efficiency ratio such as a heat pump's COP over a boiler's efficiency), ``fuel_switch`` (fuel
carbon intensity), ``pv`` (GWh generated on site, netted from the sector's grid use), ``grid``
(grid factor) and ``sink`` (t CO2 removed per year, reported under AFOLU). The wedge of a
measure is the drop in total emissions when it is applied after the ones before it, so the
wedges sum exactly to baseline − pathway. The MAC curve orders measures by cost [CNY/t CO2].

Uncertain inputs are distributions in the scenario file (triangular, normal, uniform); the
Monte Carlo draws every run at once with numpy and gives P(peak by 2030) and the percentiles of
the 2060 net residual. :func:`simulate_loop` is the same model as a plain Python loop (a check
and the peer of the benchmark).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from citytwin.carbon._loop import TJ_PER_GWH, simulate_loop
from citytwin.errors import BadInputError

__all__ = ["MEASURE_KINDS", "Scenario", "load_scenario", "run_pathway", "sample", "simulate", "simulate_loop"]

MEASURE_KINDS = ("efficiency", "electrify", "fuel_switch", "pv", "grid", "sink")
_DRIVERS = ("population", "gdp")
_TJ_PER_GWH = TJ_PER_GWH
_DRIVER_KEYS = (
    "population_growth",
    "per_capita_energy_growth",
    "gdp_growth",
    "energy_intensity_decline",
    "grid_factor_kg_per_kwh",
    "grid_factor_decline",
)
_SECTOR_KEYS = ("fuel_tj", "fuel_ef_t_per_tj", "elec_gwh", "process_t")
PERCENTILES = (5, 25, 50, 75, 95)


@dataclass
class Scenario:
    """A parsed scenario: years, drivers, sectors, measures; uncertain values stay as specs."""

    name: str
    jurisdiction: str
    years: np.ndarray
    drivers: dict
    sectors: dict[str, dict]
    measures: list[dict]
    runs: int
    seed: int
    source: str = ""


# ---- distributions ----------------------------------------------------------------------------
def _central(spec) -> float:
    if isinstance(spec, (int, float)) and not isinstance(spec, bool):
        return float(spec)
    dist = spec.get("dist")
    if dist == "triangular":
        return float(spec["mode"])
    if dist == "normal":
        return float(spec["mean"])
    return (float(spec["low"]) + float(spec["high"])) / 2.0


def _check_spec(name: str, spec) -> None:
    if isinstance(spec, (int, float)) and not isinstance(spec, bool):
        if not math.isfinite(spec):
            raise BadInputError(f"{name} = {spec!r}: expected a finite number")
        return
    if not isinstance(spec, dict):
        raise BadInputError(f"{name} = {spec!r}: expected a number or a table with dist = ...")
    need = {"triangular": ("low", "mode", "high"), "normal": ("mean", "sd"), "uniform": ("low", "high")}
    dist = spec.get("dist")
    if dist not in need:
        raise BadInputError(f"{name}.dist = {dist!r}: expected one of {sorted(need)}")
    missing = [k for k in need[dist] if not isinstance(spec.get(k), (int, float))]
    if missing:
        raise BadInputError(f"{name} ({dist}) lacks numbers for {missing}")
    if dist == "triangular" and not spec["low"] <= spec["mode"] <= spec["high"]:
        raise BadInputError(f"{name}: expected low <= mode <= high, got {spec['low']}, {spec['mode']}, {spec['high']}")
    if dist == "uniform" and not spec["low"] <= spec["high"]:
        raise BadInputError(f"{name}: expected low <= high, got {spec['low']}, {spec['high']}")
    if dist == "normal" and spec["sd"] < 0:
        raise BadInputError(f"{name}: sd {spec['sd']} must be >= 0")


def _draw(spec, runs: int, rng: np.random.Generator) -> np.ndarray:
    if isinstance(spec, (int, float)):
        return np.full(runs, float(spec))
    dist = spec["dist"]
    if dist == "triangular":
        if spec["low"] == spec["high"]:
            return np.full(runs, float(spec["mode"]))
        return rng.triangular(spec["low"], spec["mode"], spec["high"], runs)
    if dist == "normal":
        return rng.normal(spec["mean"], spec["sd"], runs)
    return rng.uniform(spec["low"], spec["high"], runs)


# ---- scenario file ----------------------------------------------------------------------------
def load_scenario(path: Path) -> Scenario:
    """Read and check a scenario TOML file (see ``carbon/scenarios/tongzhou.toml``)."""
    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise BadInputError(f"scenario file {str(path)!r}: {e.strerror or e}") from e
    except tomllib.TOMLDecodeError as e:
        raise BadInputError(f"scenario file {str(path)!r} is not valid TOML: {e}") from e
    return parse_scenario(doc)


def parse_scenario(doc: dict) -> Scenario:
    """Check a scenario document and return a :class:`Scenario`."""
    head = doc.get("scenario", {})
    start, end = int(head.get("start_year", 2020)), int(head.get("end_year", 2060))
    if not 2000 <= start < end <= 2100:
        raise BadInputError(f"scenario years {start}-{end}: expected 2000 <= start_year < end_year <= 2100")
    runs = int(head.get("runs", 10_000))
    if runs < 1:
        raise BadInputError(f"scenario.runs = {runs}: expected at least 1")
    drivers = doc.get("drivers", {})
    for key in _DRIVER_KEYS:
        if key not in drivers:
            raise BadInputError(f"drivers.{key} is missing")
        _check_spec(f"drivers.{key}", drivers[key])
    sectors = doc.get("sectors", {})
    if not sectors:
        raise BadInputError("scenario has no [sectors.<name>] tables")
    for name, sec in sectors.items():
        if sec.get("driver") not in _DRIVERS:
            raise BadInputError(f"sectors.{name}.driver = {sec.get('driver')!r}: expected one of {list(_DRIVERS)}")
        for key in _SECTOR_KEYS:
            _check_spec(f"sectors.{name}.{key}", sec.get(key, 0.0))
            if _central(sec.get(key, 0.0)) < 0:
                raise BadInputError(f"sectors.{name}.{key} = {sec.get(key)}: expected >= 0")
    measures = doc.get("measures", [])
    ids = set()
    for i, m in enumerate(measures):
        label = f"measures[{i}] ({m.get('id', '?')})"
        if m.get("id") in ids or not m.get("id"):
            raise BadInputError(f"{label}: expected a unique id")
        ids.add(m["id"])
        if m.get("kind") not in MEASURE_KINDS:
            raise BadInputError(f"{label}.kind = {m.get('kind')!r}: expected one of {list(MEASURE_KINDS)}")
        if m["kind"] not in ("grid", "sink") and m.get("sector") not in sectors:
            raise BadInputError(f"{label}.sector = {m.get('sector')!r}: expected one of {sorted(sectors)}")
        for key in ("potential", "midpoint", "steepness", "cost_cny_per_t"):
            if key not in m:
                raise BadInputError(f"{label}.{key} is missing")
            _check_spec(f"{label}.{key}", m[key])
        if m["kind"] == "electrify":
            m.setdefault("efficiency_ratio", 1.0)
            _check_spec(f"{label}.efficiency_ratio", m["efficiency_ratio"])
    return Scenario(
        name=str(head.get("name", "")),
        jurisdiction=str(head.get("jurisdiction", "")),
        years=np.arange(start, end + 1),
        drivers=drivers,
        sectors=sectors,
        measures=measures,
        runs=runs,
        seed=int(head.get("seed", 0)),
        source=str(head.get("source", "")),
    )


# ---- sampling and simulation -----------------------------------------------------------------
def sample(scn: Scenario, runs: int | None = None, seed: int | None = None, central: bool = False) -> dict:
    """Parameter arrays of shape (runs,) keyed by dotted name; ``central`` gives one run of central values."""
    runs = 1 if central else int(runs or scn.runs)
    rng = np.random.default_rng(scn.seed if seed is None else seed)

    def get(spec):
        return np.array([_central(spec)]) if central else _draw(spec, runs, rng)

    params = {f"drivers.{k}": get(v) for k, v in scn.drivers.items() if not isinstance(v, str)}
    for name, sec in scn.sectors.items():
        for key in _SECTOR_KEYS:
            params[f"sectors.{name}.{key}"] = get(sec.get(key, 0.0))
    for m in scn.measures:
        for key in ("potential", "midpoint", "steepness", "cost_cny_per_t", "efficiency_ratio"):
            if key in m:
                params[f"measures.{m['id']}.{key}"] = get(m[key])
    return params


def _geometric(first: np.ndarray, ratio: np.ndarray, n: int) -> np.ndarray:
    """Rows ``first · ratio^j`` for j = 0..n-1, shape (runs, n), by a running product (no pow, no exp)."""
    out = np.empty((len(first), n))
    out[:, 0] = first
    out[:, 1:] = ratio[:, None]
    return np.cumprod(out, axis=1, out=out)


def _adoption(m: dict, p: dict, t: np.ndarray) -> np.ndarray:
    """Logistic adoption × potential, shape (runs, years): 1 / (1 + exp(−k (t − t_mid))) from ``start``.

    exp(−k (t − t_mid)) over consecutive years is geometric: exp(−k (t0 − t_mid)) · exp(−k)^(t − t0).
    """
    mid = p[f"measures.{m['id']}.midpoint"]
    k = p[f"measures.{m['id']}.steepness"]
    x = _geometric(np.exp(-k * (t[0] - mid)), np.exp(-k), len(t))
    x += 1.0
    np.divide(p[f"measures.{m['id']}.potential"][:, None], x, out=x)
    x[:, t < int(m.get("start", t[0]))] = 0.0
    return x


_BLOCK_RUNS = 512  # runs per block: (512 × 41) float64 arrays (168 KB) stay in cache


def simulate(scn: Scenario, params: dict, block: int = _BLOCK_RUNS) -> dict:
    """Run the model for every run; arrays of shape (runs, years) [t CO2].

    Keys: ``net``, ``baseline``, ``sink``, ``by_sector`` and ``baseline_by_sector`` (per sector),
    ``wedges`` (per measure). Runs are computed ``block`` at a time, each block vectorised over
    its runs and years, so that the temporaries stay in cache.
    """
    runs = len(params["drivers.population_growth"])
    out: dict | None = None
    for start in range(0, runs, block):
        part = _simulate_block(scn, {k: v[start : start + block] for k, v in params.items()})
        if out is None:
            out = {
                k: (
                    {n: np.empty((runs, len(scn.years))) for n in v}
                    if isinstance(v, dict)
                    else np.empty((runs, len(scn.years)))
                )
                for k, v in part.items()
            }
        for key, value in part.items():
            if isinstance(value, dict):
                for name, array in value.items():
                    out[key][name][start : start + block] = array
            else:
                out[key][start : start + block] = value
    return out


def _simulate_block(scn: Scenario, params: dict) -> dict:
    t = scn.years.astype(float)
    dt = t - t[0]
    p = params

    def compound(rate):  # (1 + rate)^dt over consecutive years
        return _geometric(np.ones_like(rate), 1.0 + rate, len(dt))

    activity = {
        "population": compound(p["drivers.population_growth"]),
        "gdp": compound(p["drivers.gdp_growth"]),
    }
    indices = {
        "population": activity["population"] * compound(p["drivers.per_capita_energy_growth"]),
        "gdp": activity["gdp"] * compound(-p["drivers.energy_intensity_decline"]),
    }
    grid = p["drivers.grid_factor_kg_per_kwh"][:, None] * compound(-p["drivers.grid_factor_decline"])
    grid_t = grid * 1000.0  # GWh × kgCO2/kWh → t CO2
    fuel, ef, elec, process = {}, {}, {}, {}
    for name, sec in scn.sectors.items():
        activity_s, index = activity[sec["driver"]], indices[sec["driver"]]
        process[name] = params[f"sectors.{name}.process_t"][:, None] * activity_s
        fuel[name] = params[f"sectors.{name}.fuel_tj"][:, None] * index
        ef[name] = params[f"sectors.{name}.fuel_ef_t_per_tj"][:, None]
        elec[name] = params[f"sectors.{name}.elec_gwh"][:, None] * index
    sink = np.zeros_like(grid)

    def emissions_of(s):
        return fuel[s] * ef[s] + elec[s] * grid_t + process[s]

    emis = {s: emissions_of(s) for s in scn.sectors}
    baseline_by_sector = dict(emis)
    wedges = {}
    for m in scn.measures:
        share = _adoption(m, params, t)
        s = m.get("sector")
        kind = m["kind"]
        if kind == "grid":
            grid_t = grid_t * (1.0 - share)
            new = {name: emissions_of(name) for name in scn.sectors}
            wedges[m["id"]] = sum(emis[name] - new[name] for name in scn.sectors)
            emis = new
            continue
        if kind == "sink":  # potential in t CO2/yr
            sink = sink + share
            wedges[m["id"]] = share
            continue
        if kind == "efficiency":
            fuel[s] = fuel[s] * (1.0 - share)
            elec[s] = elec[s] * (1.0 - share)
        elif kind == "electrify":
            moved = fuel[s] * share
            fuel[s] = fuel[s] - moved
            elec[s] = elec[s] + moved / _TJ_PER_GWH / params[f"measures.{m['id']}.efficiency_ratio"][:, None]
        elif kind == "fuel_switch":
            ef[s] = ef[s] * (1.0 - share)
        else:  # pv, potential in GWh/yr
            elec[s] = np.maximum(elec[s] - share, 0.0)
        new = emissions_of(s)
        wedges[m["id"]] = emis[s] - new
        emis[s] = new
    baseline = sum(baseline_by_sector.values())
    return {
        "baseline_by_sector": baseline_by_sector,
        "by_sector": emis,
        "sink": sink,
        "baseline": baseline,
        "net": sum(emis.values()) - sink,
        "wedges": wedges,
    }


def _peak(net: np.ndarray, years: np.ndarray):
    idx = np.argmax(net, axis=-1)
    return years[idx], np.take_along_axis(net, idx[..., None], axis=-1)[..., 0]


def monte_carlo(scn: Scenario, runs: int | None = None, seed: int | None = None, peak_by: int = 2030) -> dict:
    """P(peak by ``peak_by``), percentiles of the final-year net residual and of the peak year, and
    ``net_by_year_t``: per percentile the net emissions [t CO2] of every year (the fan), over the runs."""
    params = sample(scn, runs, seed)
    result = simulate(scn, params)
    peak_year, _ = _peak(result["net"], scn.years)
    residual = result["net"][:, -1]
    n = len(residual)
    return {
        "runs": n,
        "seed": scn.seed if seed is None else seed,
        "p_peak_by": {"year": peak_by, "probability": float(np.mean(peak_year <= peak_by))},
        "residual_final_t": {
            f"p{q}": float(v) for q, v in zip(PERCENTILES, np.percentile(residual, PERCENTILES), strict=True)
        },
        "peak_year": {
            f"p{q}": float(v) for q, v in zip(PERCENTILES, np.percentile(peak_year, PERCENTILES), strict=True)
        },
        "net_by_year_t": {
            f"p{q}": band.tolist()
            for q, band in zip(PERCENTILES, np.percentile(result["net"], PERCENTILES, axis=0), strict=True)
        },
    }


def run_pathway(scn: Scenario, runs: int | None = None, seed: int | None = None) -> dict:
    """The central pathway (per year and sector), peak, residual, wedges, MAC curve and Monte Carlo."""
    central = simulate(scn, sample(scn, central=True))
    years = [int(y) for y in scn.years]
    net = central["net"][0]
    peak_year, peak_value = _peak(central["net"], scn.years)
    measures = {m["id"]: m for m in scn.measures}
    mac = []
    for mid, wedge in central["wedges"].items():
        m = measures[mid]
        mac.append(
            {
                "id": mid,
                "name_en": m.get("name_en", mid),
                "name_zh": m.get("name_zh", ""),
                "cost_cny_per_t": _central(m["cost_cny_per_t"]),
                "abatement_2030_t": float(wedge[0][years.index(2030)]) if 2030 in years else None,
                "abatement_final_t": float(wedge[0][-1]),
                "abatement_cumulative_t": float(wedge[0].sum()),
                "cost_cumulative_cny": float(wedge[0].sum()) * _central(m["cost_cny_per_t"]),
            }
        )
    mac.sort(key=lambda row: row["cost_cny_per_t"])
    cumulative = 0.0
    for row in mac:  # the curve: x from cumulative_start_t to cumulative_start_t + abatement, height cost
        row["mac_start_t"] = cumulative
        cumulative += row["abatement_cumulative_t"]
    return {
        "scenario": scn.name,
        "jurisdiction": scn.jurisdiction,
        "years": years,
        "source": scn.source,
        "by_sector_t": {s: v[0].tolist() for s, v in central["by_sector"].items()},
        "sector_names": {s: [sec.get("name_zh", ""), sec.get("name_en", s)] for s, sec in scn.sectors.items()},
        "sink_t": central["sink"][0].tolist(),
        "baseline_t": central["baseline"][0].tolist(),
        "net_t": net.tolist(),
        "peak": {"year": int(peak_year[0]), "net_t": float(peak_value[0])},
        "residual_final": {
            "year": years[-1],
            "net_t": float(net[-1]),
            "gross_t": float(net[-1] + central["sink"][0][-1]),
        },
        "wedges_t": {k: v[0].tolist() for k, v in central["wedges"].items()},
        "mac": mac,
        "monte_carlo": monte_carlo(scn, runs, seed),
    }
