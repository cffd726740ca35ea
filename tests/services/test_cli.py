"""`citytwin services ...` end to end with typer's CliRunner over a real data directory."""

import json

from citytwin.twin import Entity, Twin
from cli_support import run_cli


def test_services_commands(tmp_path):
    data = tmp_path / "data"
    with Twin.init(data, origin="test.citytwin/services-cli") as twin:
        twin.commit([Entity(id="urn:ngsi-ld:PointOfInterest:h1", type="PointOfInterest",
                            location={"type": "Point", "coordinates": [116.70, 39.90]},
                            properties={"name": "H1", "category": ["hospital"], "capacity": 500})])
    rows = json.loads(run_cli(data, "services", "facilities", "--json"))
    assert rows[0]["kind"] == "hospital" and rows[0]["capacity"] == 500
    assert "H1" in run_cli(data, "services", "facilities")
    report = json.loads(run_cli(data, "services", "access", "hospital", "-j", "110112", "-j", "131028", "--json"))
    rows = {r["jurisdiction"]: r for r in report["jurisdictions"]}
    assert rows["131028"]["nearest_in_other_jurisdiction_pct"] == 100.0
    assert report["distance_basis"] == "straight line only: no road network loaded"
    assert "跨界" in run_cli(data, "services", "access", "hospital", "-j", "110112")
    run_cli(data, "services", "access", "school", code=2)  # none loaded: NotFoundError
    summary = json.loads(run_cli(data, "services", "registry", "--by", "grade", "--json"))
    assert summary["institutions"] == 239
    assert "村卫生室" in run_cli(data, "services", "registry")
    run_cli(data, "services", "registry", "--by", "beds", code=2)
