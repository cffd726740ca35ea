"""`citytwin transport ...` with typer's CliRunner."""

import json

import pytest
from typer.testing import CliRunner

from citytwin.cli import app
from citytwin.twin import Twin

runner = CliRunner()


def _run(*args, code=0):
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_route_reach_stations_links_lines():
    trip = json.loads(_run("transport", "route", "潞城", "通州北关", "--json"))
    assert trip["distance_m"] == 8081 and trip["time_s"] == pytest.approx(634.9, abs=0.05)
    slower = json.loads(_run("transport", "route", "潞城", "通州北关", "--speed-factor", "0.5", "--json"))
    assert slower["time_s"] == pytest.approx(8081 / (50 / 3.6) + 150, abs=0.05)
    assert "10.6 min" in _run("transport", "route", "潞城", "通州北关")
    reach = json.loads(_run("transport", "reach", "--minutes", "20", "--jurisdiction", "110112", "--json"))
    assert reach[0]["jurisdiction"] == "110112" and len(reach[0]["stations"]) == 16
    stations = json.loads(_run("transport", "stations", "--jurisdiction", "110112", "--json"))
    assert stations["count"] == 16 and stations["without_position"] == []
    every = json.loads(_run("transport", "stations", "--json"))
    assert every["count"] == 425 and len(every["without_position"]) == 112
    links = json.loads(_run("transport", "links", "--jurisdiction", "110112", "--json"))
    assert {x["line"] for x in links} == {"1号线", "6号线", "亦庄线"}
    lines = json.loads(_run("transport", "lines", "--json"))
    assert {"line": "6号线", "length_m": 54984.0}.items() <= next(x for x in lines if x["line"] == "6号线").items()


def test_errors_exit_2_naming_the_value():
    assert "no station '火星'" in _run("transport", "route", "火星", "通州北关", code=2)
    assert "transfer_s 10.0" in _run("transport", "route", "潞城", "通州北关", "--transfer", "10", code=2)


def test_load_commits_stations(tmp_path):
    data = tmp_path / "data"
    Twin.init(data, origin="test.citytwin/transport-cli").close()
    first = json.loads(_run("--data-dir", str(data), "transport", "load", "--json"))
    assert (first["accepted"], first["located"]) == (425, 313)
    assert json.loads(_run("--data-dir", str(data), "transport", "load", "--json"))["duplicates"] == 425
