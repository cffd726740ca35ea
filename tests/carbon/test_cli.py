"""`citytwin carbon ...` over a real data directory: calc, inventories, pathway, MRV; exit codes."""

import json
from importlib import resources

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from citytwin.carbon import ceads, factors
from citytwin.cli import app

runner = CliRunner()


def _run(*args, code=0):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, (result.output, result.exception)
    return result


def _json(*args):
    return json.loads(_run(*args, "--json").stdout)


def test_calc_prints_gases_and_factors_with_sources():
    out = _json("carbon", "calc", "--activity", "diesel", "--quantity", 1000, "--unit", "t")
    assert round(out["co2_t"], 1) == 3186.3
    assert {"co2_t", "ch4_t", "n2o_t", "co2e_t"} <= set(out)
    assert all("source" in f and "table" in f for f in out["factors"])
    out = _json("carbon", "calc", "--activity", "electricity", "--quantity", 1, "--unit", "GWh", "--year", 2022)
    assert round(out["co2_t"], 1) == 536.6
    assert out["factors"][0]["value"] == factors.electricity_factor(2022).value
    ar4 = _json("carbon", "calc", "--activity", "natural_gas", "--quantity", 1, "--unit", "TJ", "--gwp", "AR4")
    ar6 = _json("carbon", "calc", "--activity", "natural_gas", "--quantity", 1, "--unit", "TJ", "--gwp", "AR6")
    assert ar4["co2e_t"] != ar6["co2e_t"] and ar4["gwp_set"] == "AR4"
    table = _run("carbon", "calc", "--activity", "gasoline", "--quantity", 1, "--unit", "t").stdout
    assert "二氧化碳当量" in table and "Factors used" in table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--activity", "diesel", "--quantity", 1, "--unit", "kWh"], "unit 'kWh' does not fit fuel 'diesel'"),
        (["--activity", "diesel", "--quantity", -3, "--unit", "t"], "quantity -3.0"),
        (["--activity", "diesel", "--quantity", 1, "--unit", "t", "--sector", "IX.1"], "sub-sector 'IX.1'"),
        (["--activity", "electricity", "--quantity", 1, "--unit", "kWh", "--year", 2018], "year 2018"),
    ],
)
def test_calc_bad_input_exits_2_with_the_reason(args, message):
    result = _run("carbon", "calc", *args, code=2)
    assert message in result.stderr.replace("\n", "")


def test_inventory_build_show_export(tmp_path):
    activities = tmp_path / "activities.csv"
    pd.DataFrame(
        [
            {
                "subsector": "I.1.1",
                "activity": "natural_gas",
                "quantity": 2.0e7,
                "unit": "m3",
                "year": 2022,
                "jurisdiction": "110112",
                "data_quality": "H",
            },
            {
                "subsector": "I.1.2",
                "activity": "electricity",
                "quantity": 120,
                "unit": "GWh",
                "year": 2022,
                "jurisdiction": "110112",
            },
            {
                "subsector": "II.1.1",
                "activity": "diesel",
                "quantity": 1000,
                "unit": "t",
                "year": 2022,
                "jurisdiction": "110112",
            },
        ]
    ).to_csv(activities, index=False)
    notation = tmp_path / "notation.json"
    notation.write_text(json.dumps({"II.3.1": {"key": "NO", "explanation": "no waterways used for transport"}}))
    doc = tmp_path / "inventory.json"
    built = _json(
        "carbon",
        "inventory",
        "build",
        "--activities",
        activities,
        "--jurisdiction",
        "110112",
        "--year",
        2022,
        "--gwp",
        "AR6",
        "--notation",
        notation,
        "--out",
        doc,
    )
    assert built["gwp_set"] == "AR6" and built["totals"]["scope2_t"] == pytest.approx(120e6 * 0.5366 / 1e3)
    shown = _json("carbon", "inventory", "show", doc)
    assert shown["totals"] == pytest.approx(built["totals"])
    assert next(r for r in shown["rows"] if r["ref"] == "II.3.1")["notation_key"] == "NO"
    _json("carbon", "inventory", "export", doc, "--out", tmp_path / "gpc.xlsx")
    assert openpyxl.load_workbook(tmp_path / "gpc.xlsx").sheetnames[0] == "GPC"
    _json("carbon", "inventory", "export", doc, "--out", tmp_path / "gpc.csv")
    assert len(pd.read_csv(tmp_path / "gpc.csv")) > 50
    table = _run("carbon", "inventory", "show", doc).stdout
    assert "BASIC" in table and "编号" in table


def test_reference_inventories_and_the_estimate_label():
    beijing = _json("carbon", "inventory", "show", "--reference", "beijing", "--year", 2019)
    assert beijing["totals"]["territorial_t"] == pytest.approx(ceads.beijing_inventory(2019).totals()["territorial_t"])
    tongzhou = _json("carbon", "inventory", "show", "--reference", "tongzhou", "--year", 2019)
    assert tongzhou["label"] == "estimate" and "ESTIMATE" in tongzhou["name"]
    assert "ESTIMATE 估算" in _run("carbon", "inventory", "show", "--reference", "tongzhou", "--year", 2019).stdout
    result = _run("carbon", "inventory", "show", "--reference", "beijing", "--year", 2001, code=2)
    assert "CEADs sector detail" in result.stderr


def test_pathway_command():
    path = resources.files("citytwin.carbon").joinpath("scenarios", "tongzhou.toml")
    with resources.as_file(path) as scenario:
        out = _json("carbon", "pathway", "--scenario", scenario, "--runs", 10_000)
        table = _run("carbon", "pathway", "--scenario", scenario, "--runs", 1000).stdout
    assert out["monte_carlo"]["runs"] == 10_000 and len(out["mac"]) == 12
    assert set(out["monte_carlo"]["residual_final_t"]) == {"p5", "p25", "p50", "p75", "p95"}
    assert "边际减排成本曲线" in table and "P(peak by 2030)" in table


def test_mrv_commands(tmp_path):
    data = tmp_path / "data"
    _run("--data-dir", data, "init")
    _json("--data-dir", data, "carbon", "principal", "tongzhou-eco")
    _json("--data-dir", data, "carbon", "principal", "beijing-mee")
    sub = _json(
        "--data-dir", data, "carbon", "submit", "--reference", "tongzhou", "--year", 2019, "--principal", "tongzhou-eco"
    )
    assert sub["status"] == "submitted" and sub["version"] == 1
    _run("--data-dir", data, "carbon", "prove", sub["entity_id"], code=2)  # not approved yet
    ok = _json("--data-dir", data, "carbon", "approve", sub["entity_id"], "--principal", "beijing-mee")
    assert ok["status"] == "approved" and ok["version"] == 2
    bundle = tmp_path / "bundle.json"
    proven = _json(
        "--data-dir", data, "carbon", "prove", sub["entity_id"], "--figure", "totals.basic_t", "--out", bundle
    )
    assert proven["value"] == pytest.approx(ceads.tongzhou_estimate(2019).totals()["basic_t"])
    assert _json("carbon", "verify", bundle, "--figure", "year")["value"] == 2019
    forged = json.loads(bundle.read_text())
    forged["document"]["totals"]["basic_t"] = 0
    bundle.write_text(json.dumps(forged))
    assert "sha256" in _run("carbon", "verify", bundle, code=1).stderr
    _run(
        "--data-dir",
        data,
        "carbon",
        "return",
        sub["entity_id"],
        "--principal",
        "beijing-mee",
        "--reason",
        "again",
        code=2,
    )  # already approved


def test_every_carbon_command_is_documented():
    from citytwin.cli.carbon import carbon_app, inventory_app

    readme = resources.files("citytwin.carbon").joinpath("README.md").read_text(encoding="utf-8")
    names = [f"citytwin carbon {c.name}" for c in carbon_app.registered_commands]
    names += [f"citytwin carbon inventory {c.name}" for c in inventory_app.registered_commands]
    assert len(names) == 13
    missing = [n for n in names if f"`{n} " not in readme and f"`{n}`" not in readme]
    assert not missing, missing


def test_inventory_build_with_a_bad_record_writes_nothing(tmp_path):
    activities = tmp_path / "bad.csv"
    pd.DataFrame(
        [
            {
                "subsector": "I.1.1",
                "activity": "natural_gas",
                "quantity": 1000,
                "unit": "m3",
                "year": 2022,
                "jurisdiction": "110112",
            },
            {
                "subsector": "I.1.2",
                "activity": "electricity",
                "quantity": 5,
                "unit": "GWh",
                "year": 2022,
                "jurisdiction": "110112",
                "factor_year": 2019,
            },
        ]
    ).to_csv(activities, index=False)
    out = tmp_path / "inventory.json"
    result = _run(
        "carbon",
        "inventory",
        "build",
        "--activities",
        activities,
        "--jurisdiction",
        "110112",
        "--year",
        2022,
        "--out",
        out,
        code=2,
    )
    assert "record 1 (I.1.2, electricity): no electricity factor for year 2019" in result.stderr.replace("\n", "")
    assert not out.exists()
