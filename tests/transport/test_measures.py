"""`citytwin transport measures` and `GET /api/v1/transport/measures`: shares with their sources
turned into carbon-pathway measures, and their TOML run through `citytwin carbon pathway`."""

import json
import math
import tomllib
from importlib import resources

import pytest

from citytwin.transport.indicators import measures_toml
from cli_support import run_cli

PRESENT = {"year": 2020, "pt_share": 0.30, "pt_source": "survey A", "ev_share": 0.05, "ev_source": "fleet B"}
TARGET = {"target_year": 2035, "target_pt_share": 0.44, "target_ev_share": 0.62, "target_source": "plan C"}
COSTS = {"ev_cost": 100, "pt_cost": 0}


def _options(**changed) -> list[str]:
    values = {**PRESENT, **TARGET, **COSTS, **changed}
    args = []
    for name, value in values.items():
        if value is not None:
            args += [f"--{name.replace('_', '-')}", str(value)]
    return ["transport", "measures", *args]


def test_cli_measures_as_table_and_json(tmp_path):
    out = json.loads(run_cli(tmp_path, *_options(), "--json"))
    ev, pt = out["measures"]
    assert (ev["id"], ev["kind"], ev["sector"]) == ("ev_share", "electrify", "transport")
    assert ev["potential"] == pytest.approx((0.62 - 0.05) / 0.95)
    assert pt["potential"] == pytest.approx((0.44 - 0.30) / 0.70)
    assert ev["start"] == 2020 and ev["midpoint"] == 2027.5 and ev["cost_cny_per_t"] == 100
    assert ev["source"] == "now: fleet B; target: plan C"
    assert out["adoption_at_target_year"] == pytest.approx(1 / (1 + math.exp(-0.3 * 7.5)))
    assert out["context"]["scope_en"].startswith("Beijing-wide")
    assert out["context"]["figures"]["new_car_quota_nev_share_2023"]["value"] == 0.70
    table = run_cli(tmp_path, *_options())
    assert "ev_share" in table and "0.600" in table and "0.200" in table and "now: survey A" in " ".join(table.split())
    assert "Beijing-wide published figures, not the sub-center's own" in table and "692,000" in table


def test_cli_refuses_bad_shares_missing_sources_and_lower_targets(tmp_path):
    out = run_cli(tmp_path, *_options(target_ev_share=1.2), code=2)
    assert "--target-ev-share 1.2: expected a share between 0 and 1" in out
    assert "--pt-share -0.1" in run_cli(tmp_path, *_options(pt_share=-0.1), code=2)
    assert "Missing option '--ev-source'" in run_cli(tmp_path, *_options(ev_source=None), code=2)
    assert "ev_source: expected the source" in run_cli(tmp_path, *_options(ev_source=" "), code=2)
    lower = run_cli(tmp_path, *_options(target_pt_share=0.2), code=2)
    assert "target shares must not be below the present ones" in lower and "public transport 0.3 → 0.2" in lower
    assert "target year 2020: expected after 2020" in run_cli(tmp_path, *_options(target_year=2020), code=2)
    assert "steepness 0.0" in run_cli(tmp_path, *_options(steepness=0), code=2)


def _example_scenario() -> str:
    path = resources.files("citytwin.carbon").joinpath("scenarios", "tongzhou.toml")
    return path.read_text(encoding="utf-8")


def _without_transport_measures(text: str) -> str:
    head, *blocks = text.split("\n[[measures]]\n")
    kept = [b for b in blocks if tomllib.loads("[[measures]]\n" + b)["measures"][0].get("sector") != "transport"]
    assert len(kept) == len(blocks) - 2  # the example's ev_share and modal_shift
    return "\n[[measures]]\n".join([head, *kept])


def _transport_t(data_dir, scenario) -> tuple[dict[int, float], dict]:
    """The transport sector's central pathway per year [t CO2], and the whole `carbon pathway --json`."""
    out = json.loads(run_cli(data_dir, "carbon", "pathway", "--scenario", str(scenario), "--runs", "20", "--json"))
    return dict(zip(out["years"], out["by_sector_t"]["transport"], strict=True)), out


def test_toml_appended_to_the_example_scenario_runs_in_carbon_pathway(tmp_path):
    printed = run_cli(tmp_path, *_options(), "--toml")
    base = tmp_path / "base.toml"
    base.write_text(_without_transport_measures(_example_scenario()), encoding="utf-8")
    levers = tmp_path / "levers.toml"
    levers.write_text(base.read_text(encoding="utf-8") + "\n" + printed, encoding="utf-8")
    without, base_out = _transport_t(tmp_path, base)
    with_levers, out = _transport_t(tmp_path, levers)
    assert all(with_levers[year] < without[year] for year in (2020, 2030, 2035, 2060))
    assert out["by_sector_t"]["industry"] == base_out["by_sector_t"]["industry"]
    assert {"ev_share", "public_transport_share"} <= {row["id"] for row in out["mac"]}
    stronger = tmp_path / "stronger.toml"
    stronger.write_text(base.read_text(encoding="utf-8") + "\n"
                        + run_cli(tmp_path, *_options(target_ev_share=0.9), "--toml"), encoding="utf-8")
    assert _transport_t(tmp_path, stronger)[0][2035] < with_levers[2035]
    # appended to the example as it stands, the ids clash with its own transport measures: refused, named
    both = tmp_path / "both.toml"
    both.write_text(_example_scenario() + "\n" + printed, encoding="utf-8")
    refused = run_cli(tmp_path, "carbon", "pathway", "--scenario", str(both), "--runs", "20", code=2)
    assert "(ev_share): expected a unique id" in refused


def test_api_measures_match_the_cli(client, tmp_path):
    params = {**PRESENT, **TARGET, **COSTS}
    answer = client.get("/api/v1/transport/measures", params=params)
    assert answer.status_code == 200
    assert answer.json() == json.loads(run_cli(tmp_path, *_options(), "--json"))


def test_api_bad_values_are_400_naming_them(client):
    params = {**PRESENT, **TARGET, **COSTS}
    bad = client.get("/api/v1/transport/measures", params={**params, "target_pt_share": 1.5})
    assert bad.status_code == 400 and "target_pt_share 1.5: expected a share between 0 and 1" in bad.json()["detail"]
    missing = client.get("/api/v1/transport/measures", params={k: v for k, v in params.items() if k != "pt_source"})
    assert missing.status_code == 400 and "query.pt_source" in missing.json()["detail"]
    lower = client.get("/api/v1/transport/measures", params={**params, "target_ev_share": 0.01})
    assert lower.status_code == 400 and "EV 0.05 → 0.01" in lower.json()["detail"]
    early = client.get("/api/v1/transport/measures", params={**params, "start": 2019})
    assert early.status_code == 400 and "start 2019" in early.json()["detail"]


def test_toml_of_a_source_with_control_characters_reads_back():
    measure = {"id": "ev_share", "kind": "electrify", "sector": "transport", "start": 2025, "potential": 0.5,
               "source": 'survey\x7f "2024"\n\t第二版'}
    assert tomllib.loads(measures_toml([measure]))["measures"][0]["source"] == measure["source"]
