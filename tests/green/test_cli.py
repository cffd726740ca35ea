"""`citytwin green ...` end to end with typer's CliRunner over a real data directory."""

import json

from citytwin.twin import Twin
from cli_support import run_cli


def test_green_commands(tmp_path):
    data = tmp_path / "data"
    Twin.init(data, origin="test.citytwin/green-cli").close()
    assert json.loads(run_cli(data, "green", "load-reference", "--json"))["accepted"] == 1
    rows = json.loads(run_cli(data, "green", "indicators", "-j", "110112", "-j", "131082", "--json"))
    assert [r["zone"] for r in rows] == ["110112", "131082"]
    assert rows[0]["park_area_m2"] > 6e6 and rows[1]["park_area_m2"] == 0
    assert rows[0]["population_basis"] == "none loaded"
    table = run_cli(data, "green", "indicators", "-j", "110112")
    assert "公园面积 park area" in table and "area-based" in table
    report = run_cli(data, "green", "reference")
    assert "87.33" in report and "18.11" in report and "6.089 km²" in report
    assert json.loads(run_cli(data, "green", "reference", "--json"))["jurisdiction"] == "110112"
    out = run_cli(data, "green", "indicators", "-j", "999999", code=2)
    assert "999999" in out
