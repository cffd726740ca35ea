"""`citytwin import osm|facilities|gtfs` end to end with typer's CliRunner over a real data directory."""

import json
import shutil

from citytwin.twin import Twin
from cli_support import run_cli


def _log_size(directory):
    with Twin.open(directory) as twin:
        return twin.log.size


def test_import_commands(tmp_path, data):
    directory = tmp_path / "data"
    Twin.init(directory, origin="test.citytwin/importers").close()
    osm = json.loads(run_cli(directory, "import", "osm", str(data / "tongzhou_sample.osm"), "--json"))
    assert osm["by_type"]["Park"] == 1 and osm["accepted"] == 6 and osm["log_size"] == 6
    table = run_cli(directory, "import", "osm", str(data / "city_green_heart_forest_park_osm.geojson"))
    assert "Park" in table and "committed 已提交 1" in table
    facilities = json.loads(run_cli(directory, "import", "facilities", str(data / "care_homes_gcj02.csv"),
                                 "--mapping", str(data / "care_homes_mapping.toml"), "--json"))
    assert facilities["by_type"] == {"PointOfInterest": 3} and facilities["log_size"] == 10
    gtfs = json.loads(run_cli(directory, "import", "gtfs", str(data / "gtfs"), "--json"))
    assert gtfs["by_type"] == {"GtfsRoute": 1, "GtfsStop": 3} and gtfs["log_size"] == 14


def test_columns_on_the_command_line(tmp_path, data):
    directory = tmp_path / "data"
    Twin.init(directory, origin="test.citytwin/importers").close()
    out = json.loads(run_cli(directory, "import", "facilities", str(data / "care_homes_gcj02.csv"), "--crs", "gcj02",
                          "--column", "id=编号", "--column", "name=机构名称", "--column", "kind=类型",
                          "--column", "lon=经度", "--column", "lat=纬度", "--json"))
    assert out["accepted"] == 3
    with Twin.open(directory) as twin:
        entity = twin.entity("urn:ngsi-ld:PointOfInterest:care_homes_gcj02-CH-001")
        assert entity.properties["capacity"] is None and entity.properties["sourceCrs"] == "gcj02"


def test_malformed_files_exit_2_and_commit_nothing(tmp_path, data):
    directory = tmp_path / "data"
    Twin.init(directory, origin="test.citytwin/importers").close()
    feed = tmp_path / "feed"
    shutil.copytree(data / "gtfs", feed)
    (feed / "stops.txt").unlink()
    out = run_cli(directory, "import", "gtfs", str(feed), code=2)
    assert "required file stops.txt is missing" in out
    out = run_cli(directory, "import", "facilities", str(data / "care_homes_gcj02.csv"), "--column", "id", code=2)
    assert "--column 'id': expected FIELD=COLUMN" in out
    assert _log_size(directory) == 0
