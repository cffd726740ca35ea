"""`citytwin green ...` end to end with typer's CliRunner over a real data directory."""

import json

from typer.testing import CliRunner

from citytwin.cli import app
from citytwin.twin import Twin

runner = CliRunner()


def _run(data, *args, code=0):
    result = runner.invoke(app, ["--data-dir", str(data), *args])
    assert result.exit_code == code, result.output
    return result.output


def test_green_commands(tmp_path):
    data = tmp_path / "data"
    Twin.init(data, origin="test.citytwin/green-cli").close()
    assert json.loads(_run(data, "green", "load-reference", "--json"))["accepted"] == 1
    rows = json.loads(_run(data, "green", "indicators", "-j", "110112", "-j", "131082", "--json"))
    assert [r["zone"] for r in rows] == ["110112", "131082"]
    assert rows[0]["park_area_m2"] > 6e6 and rows[1]["park_area_m2"] == 0
    assert rows[0]["population_basis"] == "none loaded"
    table = _run(data, "green", "indicators", "-j", "110112")
    assert "公园面积 park area" in table and "area-based" in table
    report = _run(data, "green", "reference")
    assert "87.33" in report and "18.11" in report and "6.089 km²" in report
    assert json.loads(_run(data, "green", "reference", "--json"))["jurisdiction"] == "110112"
    out = _run(data, "green", "indicators", "-j", "999999", code=2)
    assert "999999" in out
