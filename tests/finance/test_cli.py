"""`citytwin finance ...` end to end with typer's CliRunner over a real data directory."""

import json

import pytest
from typer.testing import CliRunner

from citytwin.carbon import ceads, mrv
from citytwin.cli import app
from citytwin.twin import Entity, Twin

runner = CliRunner()


def _run(data, *args, code=0):
    result = runner.invoke(app, ["--data-dir", str(data), *args])
    assert result.exit_code == code, result.output
    return result.output


def test_registry_commands_end_to_end(tmp_path):
    data = tmp_path / "data"
    with Twin.init(data, origin="test.citytwin/finance-cli") as twin:
        for name in ("registry", "bureau", "reporter", "seller", "buyer"):
            mrv.create_principal(data, name)
        ids = []
        for year in (2018, 2019):
            ids.append(mrv.submit(twin, ceads.tongzhou_estimate(year), "reporter").id)
            mrv.approve(twin, ids[-1], "bureau", "checked")
    _run(data, "finance", "registry", "init", "--admin", "registry")
    _run(data, "finance", "registry", "open", "--holder", "seller", "--account", "s1", "--jurisdiction", "110112")
    _run(data, "finance", "registry", "open", "--holder", "buyer", "--account", "b1", "--jurisdiction", "131024")
    _run(data, "finance", "registry", "reduction", "--id", "tz", "--reported", ids[1], "--baseline", ids[0])
    _run(data, "finance", "registry", "issue", "--reduction", "tz", "--account", "s1", "--quantity", "500",
         "--buffer", "50")
    _run(data, "finance", "registry", "transfer", "--holder", "seller", "--from", "s1", "--to", "b1",
         "--first", "0", "--last", "99")
    out = _run(data, "finance", "registry", "transfer", "--holder", "buyer", "--from", "s1", "--to", "b1",
               "--first", "100", "--last", "100", code=2)
    assert "'buyer' may not act on it" in " ".join(out.split())
    _run(data, "finance", "registry", "retire", "--holder", "buyer", "--account", "b1", "--first", "0",
         "--last", "9", "--beneficiary", "Xianghe Logistics", "--purpose", "2025 fleet", "--claimed-in", "131024")
    balances = json.loads(_run(data, "finance", "registry", "balances", "--json"))
    assert balances["b1"] == {"active": 90, "retired": 10, "cancelled": 0, "holder": "buyer"}
    assert balances["buffer"]["active"] == 50
    shown = json.loads(_run(data, "finance", "registry", "adjustments", "--inventory", ids[1], "--json"))
    assert [(a["jurisdiction"], a["co2e_t"]) for a in shown["adjustments"]] == [("110112", 10)]
    reported = ceads.tongzhou_estimate(2019).totals()["basic_t"]
    assert shown["inventory"]["adjusted_t"] == pytest.approx(reported + 10)
    summary = json.loads(_run(data, "finance", "registry", "verify", "--json"))
    assert summary["ok"] and summary["serials"] == 550

    bundle = tmp_path / "retired-5.json"
    _run(data, "finance", "registry", "prove", "5", "--out", str(bundle))
    vkey = data / "keys" / "log.vkey"
    fact = json.loads(_run(data, "finance", "registry", "check", str(bundle), "--serial", "5",
                           "--beneficiary", "Xianghe Logistics", "--log-key", str(vkey), "--json"))
    assert fact["holder"] == "buyer" and fact["claimed_in"] == "131024"
    out = _run(data, "finance", "registry", "check", str(bundle), "--serial", "5", "--beneficiary", "Nobody",
               "--log-key", str(vkey), code=1)
    assert "beneficiary: expected 'Nobody'" in " ".join(out.split())

    with Twin.open(data) as twin:  # an act written around the registry: verify fails with exit 1
        twin.commit([Entity(id="urn:ngsi-ld:CarbonCreditAct:stray", type="CarbonCreditAct",
                            properties={"act": {"act": "issue"}, "signature": "AAAA"})])
    assert "do not apply" in " ".join(_run(data, "finance", "registry", "verify", code=1).split())


def test_catalogue_and_classify_commands(tmp_path):
    cats = json.loads(_run(tmp_path, "finance", "catalogue", "--edition", "2025", "--json"))
    assert len(cats["categories"]) == 9 and cats["effective"] == "2025-10-01"
    result = json.loads(_run(tmp_path, "finance", "classify", "green_building", "--attr", "green_building_star=3",
                             "--json"))
    assert result["eligible"] and result["category"]["code"] == "6"
    out = _run(tmp_path, "finance", "classify", "green_consumer_appliance", "--attr", "energy_efficiency_grade=1",
               "--edition", "2021", code=1)
    assert "the 2021 catalogue has no item" in " ".join(out.split())
    assert result["path"] == [
        {"code": "6", "zh": "基础设施绿色升级", "en": "Green upgrading of infrastructure", "level": 1}]


def test_catalogue_tree_options(tmp_path):
    full = json.loads(_run(tmp_path, "finance", "catalogue", "--edition", "2021", "--json"))
    assert [row["published"] for row in full["coverage"]] == [6, 25, 48, 204]
    assert [n["code"] for n in full["tree"]] == ["1", "2", "3", "4", "5", "6"]
    assert len(json.loads(_run(tmp_path, "finance", "catalogue", "--level", "1", "--json"))["categories"]) == 9
    node = json.loads(_run(tmp_path, "finance", "catalogue", "--edition", "2025", "--code", "8", "--json"))
    assert node["category"]["zh"] == "绿色贸易" and [c["code"] for c in node["path"]] == ["8"]
    out = " ".join(_run(tmp_path, "finance", "catalogue", "--edition", "2021").split())
    assert "level 2: 0 of 25 published (not all recorded)" in out and "level 1: 6 of 6 published (complete)" in out
    assert "expected dotted numbers" in " ".join(_run(tmp_path, "finance", "catalogue", "--code", "a.b",
                                                      code=2).split())
    assert "not recorded" in " ".join(_run(tmp_path, "finance", "catalogue", "--code", "1.1", code=2).split())


def test_project_and_bond_commands(tmp_path):
    data = tmp_path / "data"
    Twin.init(data, origin="test.citytwin/finance-cli").close()
    for name in ("tz-invest", "bank"):
        mrv.create_principal(data, name)
    spec = tmp_path / "project.json"
    spec.write_text(json.dumps({
        "project_id": "rail-m101", "name_zh": "M101线", "name_en": "Metro line M101", "jurisdiction": "110112",
        "location": {"type": "Point", "coordinates": [116.66, 39.90]}, "activity": "urban_rail_transit",
        "attributes": {"traction": "electric"}, "investment_cny": 5e9, "expected_impact": {"co2e_avoided_t": 80000},
        "edition": "2025"}))
    _run(data, "finance", "project", "register", str(spec), "--principal", "tz-invest")
    _run(data, "finance", "project", "update", "rail-m101", "--principal", "tz-invest", "--status", "operating",
         "--impact", "co2e_avoided_t=60000")
    versions = json.loads(_run(data, "finance", "project", "show", "rail-m101", "--json"))
    assert [v["status"] for v in versions] == ["proposed", "operating"]
    record = json.loads(_run(data, "finance", "bond", "issue", "gb-2026", "--issuer", "bank", "--name", "Rail bond",
                             "--amount-cny", "1e9", "--issued-on", "2026-03-01", "--json"))
    assert record["edition"] == "2025"
    _run(data, "finance", "bond", "allocate", "gb-2026", "--issuer", "bank", "--project", "rail-m101",
         "--amount-cny", "5e8")
    report = json.loads(_run(data, "finance", "bond", "report", "gb-2026", "--json"))
    assert report["impact_totals"] == {"co2e_avoided_t": 6000.0}  # 0.5e9 / 5e9 of the reported 60,000 t
    bundle = tmp_path / "report.json"
    bundle.write_text(_run(data, "finance", "bond", "report", "gb-2026", "--prove"))
    checked = json.loads(_run(data, "finance", "bond", "verify", str(bundle), "--log-key",
                              str(data / "keys" / "log.vkey"), "--json"))
    assert checked["allocated_cny"] == 5e8
