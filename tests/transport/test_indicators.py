"""Low-carbon transport indicators as pathway measures, checked by hand and by the pathway parser."""

import copy
import tomllib
from importlib import resources

import pytest

from citytwin.carbon.pathway import parse_scenario, run_pathway
from citytwin.errors import BadInputError
from citytwin.transport.indicators import BEIJING_CONTEXT, Indicators, pathway_measures

NOW = Indicators("110112", 2020, 0.30, 0.05, "example input", "example input")
TARGET = Indicators("110112", 2035, 0.44, 0.62, "example target", "example target")


def test_measures_by_hand():
    ev, pt = pathway_measures(NOW, TARGET, start=2020, midpoint=2030, ev_cost_cny_per_t=100, pt_cost_cny_per_t=0)
    assert ev["kind"] == "electrify" and ev["potential"] == pytest.approx((0.62 - 0.05) / 0.95)  # 0.6
    assert pt["kind"] == "efficiency" and pt["potential"] == pytest.approx((0.44 - 0.30) / 0.70)  # 0.2
    assert ev["sector"] == pt["sector"] == "transport"
    assert "example input" in ev["source"] and "upper bound" in pt["name_en"]


def test_measures_run_in_the_tongzhou_pathway():
    text = (resources.files("citytwin.carbon") / "scenarios" / "tongzhou.toml").read_text(encoding="utf-8")
    doc = tomllib.loads(text)
    doc["scenario"]["runs"] = 50
    kept = [m for m in doc["measures"] if m.get("sector") != "transport"]
    with_levers = copy.deepcopy(doc)
    with_levers["measures"] = kept + pathway_measures(NOW, TARGET, start=2020, midpoint=2030,
                                                      ev_cost_cny_per_t=100, pt_cost_cny_per_t=0)
    without = copy.deepcopy(doc)
    without["measures"] = kept
    levers = run_pathway(parse_scenario(with_levers), runs=50, seed=1)
    base = run_pathway(parse_scenario(without), runs=50, seed=1)
    year = levers["years"].index(2035)
    assert levers["net_t"][year] < base["net_t"][year]
    mac = {row["id"]: row for row in levers["mac"]}
    assert mac["ev_share"]["abatement_cumulative_t"] > 0 and mac["public_transport_share"]["abatement_cumulative_t"] > 0


def test_published_context_has_sources_and_bad_shares_are_refused():
    assert BEIJING_CONTEXT["new_car_quota_nev_share_2023"][0] == 0.70
    assert all("Xinhua" in source for _, _, source in BEIJING_CONTEXT.values())
    with pytest.raises(BadInputError, match=r"ev_share 1.2: expected a share between 0 and 1"):
        Indicators("110112", 2020, 0.3, 1.2, "x", "y")
    with pytest.raises(BadInputError, match=r"public_transport_source: expected the source"):
        Indicators("110112", 2020, 0.3, 0.2, " ", "y")
    with pytest.raises(BadInputError, match=r"target shares must not be below"):
        pathway_measures(TARGET.__class__("110112", 2020, 0.5, 0.5, "a", "b"), TARGET, start=2020, midpoint=2030,
                         ev_cost_cny_per_t=0, pt_cost_cny_per_t=0)
