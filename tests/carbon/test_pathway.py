"""Pathways: the vectorised model equals the plain loop, wedges add up, MC answers, bad scenarios."""

import copy
import tomllib
from importlib import resources

import numpy as np
import pytest
from numpy.testing import assert_allclose

from citytwin.carbon import ceads, factors, pathway
from citytwin.errors import BadInputError


def _doc():
    text = resources.files("citytwin.carbon").joinpath("scenarios", "tongzhou.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@pytest.fixture(scope="module")
def scenario():
    return pathway.parse_scenario(_doc())


def test_vectorised_model_equals_the_plain_loop(scenario):
    params = pathway.sample(scenario, runs=25, seed=3)
    assert_allclose(pathway.simulate(scenario, params)["net"], pathway.simulate_loop(scenario, params), rtol=1e-12)


def test_wedges_sum_to_baseline_minus_pathway(scenario):
    result = pathway.simulate(scenario, pathway.sample(scenario, runs=50, seed=4))
    wedges = sum(result["wedges"].values())
    assert_allclose(wedges, result["baseline"] - result["net"], rtol=1e-9, atol=1e-6)
    assert len(result["wedges"]) == 12


def test_central_pathway_outputs(scenario):
    out = pathway.run_pathway(scenario, runs=2000)
    years = out["years"]
    assert years[0] == 2020 and years[-1] == 2060 and len(out["net_t"]) == 41
    assert out["peak"]["net_t"] == max(out["net_t"]) and out["peak"]["year"] in years
    assert out["residual_final"]["net_t"] == out["net_t"][-1]
    by_sector = np.sum([v for v in out["by_sector_t"].values()], axis=0) - np.array(out["sink_t"])
    assert_allclose(by_sector, out["net_t"], rtol=1e-12)
    costs = [row["cost_cny_per_t"] for row in out["mac"]]
    assert costs == sorted(costs) and len(costs) == 12
    for before, after in zip(out["mac"], out["mac"][1:], strict=False):  # the MAC curve's blocks sit side by side
        assert after["mac_start_t"] == pytest.approx(before["mac_start_t"] + before["abatement_cumulative_t"])
    row = out["mac"][0]
    assert row["cost_cumulative_cny"] == pytest.approx(row["cost_cny_per_t"] * row["abatement_cumulative_t"])
    assert out["sector_names"]["transport"] == ["交通", "Transport"]
    mc = out["monte_carlo"]
    assert mc["runs"] == 2000 and 0.0 <= mc["p_peak_by"]["probability"] <= 1.0
    q = mc["residual_final_t"]
    assert q["p5"] <= q["p50"] <= q["p95"]
    fan = mc["net_by_year_t"]  # the yearly fan comes from the same runs: its last year is the residual
    assert all(len(band) == len(out["years"]) for band in fan.values())
    assert {k: band[-1] for k, band in fan.items()} == pytest.approx(q)


def test_monte_carlo_is_reproducible_and_draws_10000_runs(scenario):
    a = pathway.monte_carlo(scenario, runs=10_000, seed=11)
    b = pathway.monte_carlo(scenario, runs=10_000, seed=11)
    assert a == b and a["runs"] == 10_000


def test_probability_of_peaking_responds_to_growth():
    doc = _doc()
    doc["drivers"]["per_capita_energy_growth"] = {"dist": "uniform", "low": 0.03, "high": 0.08}
    doc["drivers"]["population_growth"] = {"dist": "uniform", "low": 0.0, "high": 0.04}
    fast = pathway.monte_carlo(pathway.parse_scenario(doc), runs=2000, seed=1)
    calm = pathway.monte_carlo(pathway.parse_scenario(_doc()), runs=2000, seed=1)
    assert fast["p_peak_by"]["probability"] < calm["p_peak_by"]["probability"]


def test_scenario_baseline_matches_its_cited_sources():
    doc = _doc()
    estimate = ceads.tongzhou_estimate(2019).rows().set_index("ref")["co2e_t"]
    transport = doc["sectors"]["transport"]
    assert_allclose(
        transport["fuel_tj"]["mean"] * transport["fuel_ef_t_per_tj"],
        estimate["II.1.1"] + estimate["II.5.1"],
        rtol=1e-3,
    )
    residential = doc["sectors"]["residential"]
    assert_allclose(residential["fuel_tj"]["mean"] * residential["fuel_ef_t_per_tj"], estimate["I.1.1"], rtol=1e-3)
    assert_allclose(doc["sectors"]["industry"]["process_t"], estimate["IV.1"], rtol=1e-3)
    grid = doc["drivers"]["grid_factor_kg_per_kwh"]
    assert grid["mode"] == pytest.approx(factors.electricity_factor(2023, "CN-BJ").value)
    assert grid["low"] == factors.electricity_factor(2023).value
    assert grid["high"] == factors.electricity_factor(2023, "CN-NORTH").value


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda d: d["drivers"].pop("gdp_growth"), "drivers.gdp_growth is missing"),
        (lambda d: d["drivers"].update(gdp_growth={"dist": "beta"}), "dist = 'beta'"),
        (
            lambda d: d["drivers"].update(gdp_growth={"dist": "triangular", "low": 3, "mode": 1, "high": 2}),
            "low <= mode <= high",
        ),
        (lambda d: d["measures"][0].update(sector="harbour"), "sector = 'harbour'"),
        (lambda d: d["measures"][0].update(kind="magic"), "kind = 'magic'"),
        (lambda d: d["measures"][1].update(id=d["measures"][0]["id"]), "unique id"),
        (lambda d: d["sectors"]["industry"].update(process_t=-5), "process_t = -5"),
        (lambda d: d["scenario"].update(end_year=2019), "scenario years 2020-2019"),
    ],
)
def test_bad_scenarios(edit, match):
    doc = copy.deepcopy(_doc())
    edit(doc)
    with pytest.raises(BadInputError, match=match):
        pathway.parse_scenario(doc)


def test_bad_scenario_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[scenario\n")
    with pytest.raises(BadInputError, match="not valid TOML"):
        pathway.load_scenario(path)
