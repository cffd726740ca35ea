"""Network distance: road graphs worked by hand, then the twin (OSM XML through the importer), the CLI and the API."""

import json

import numpy as np
import pytest
from fastapi.testclient import TestClient
from pyproj import Geod
from typer.testing import CliRunner

from citytwin.api import create_app
from citytwin.cli import app
from citytwin.errors import BadInputError
from citytwin.importers import import_osm
from citytwin.services.access import nearest
from citytwin.services.district import access_report
from citytwin.services.network import nearest_by_network, road_lines, road_network
from citytwin.twin import Entity, Twin

GRID = [[(0, y), (100, y), (200, y)] for y in (0, 100, 200)] + [[(x, 0), (x, 100), (x, 200)] for x in (0, 100, 200)]


def _near(lines, residents, facilities, oneway=None):
    (rx, ry), (fx, fy) = np.transpose(residents), np.transpose(facilities)
    return nearest_by_network(road_network(lines, oneway), rx, ry, fx, fy)


def test_grid_of_streets_100_m_apart():
    network = road_network(GRID)
    assert network.nodes == 9 and network.segments == 6
    assert network.graph.nnz == 24  # 12 street blocks, both ways
    # corner to opposite corner: 4 blocks; a resident 30 m off the road and one 10 m along the first block
    # are joined to the corner node, and a facility 50 m beyond the far corner adds its 50 m
    found = _near(GRID, [(0, 0), (0, -30), (10, 0), (100, 100)], [(200, 250)])
    np.testing.assert_allclose(found.distance_m, [450, 480, 460, 250])
    np.testing.assert_allclose(found.resident_snap_m, [0, 30, 10, 0])
    np.testing.assert_allclose(found.facility_snap_m, [50])
    # two facilities: each resident gets the nearer by the network, and its index
    found = _near(GRID, [(0, 0), (200, 0), (190, 200)], [(0, 200), (200, 100)])
    np.testing.assert_allclose(found.distance_m, [200, 100, 10 + 100])
    assert found.facility.tolist() == [0, 1, 1]


def test_river_gap_makes_the_network_nearest_another_facility():
    # two banks, y = 0 and y = 100, 1 km long with a vertex every 100 m, joined by one bridge at x = 0
    banks = [[(x, y) for x in range(0, 1001, 100)] for y in (0, 100)]
    lines = [*banks, [(0, 0), (0, 100)]]
    resident = [(1000, 0)]
    across, along = (1000, 100), (500, 0)
    straight, index = nearest(*np.transpose(resident), *np.transpose([across, along]))
    assert index.tolist() == [0] and straight.tolist() == [100.0]  # across the river, 100 m as the crow flies
    found = _near(lines, resident, [across, along])
    assert found.facility.tolist() == [1] and found.distance_m.tolist() == [500.0]
    only_across = _near(lines, resident, [across])
    assert only_across.distance_m.tolist() == [1000.0 + 100.0 + 1000.0]  # back to the bridge and along the far bank


def test_a_resident_on_a_disconnected_road_reaches_no_facility():
    island = [(5000, 0), (5100, 0)]
    found = _near([*GRID, island], [(0, 0), (5100, 20)], [(200, 200)])
    assert found.distance_m[0] == 400.0 and np.isinf(found.distance_m[1])
    assert found.facility.tolist() == [0, -1]
    assert found.resident_snap_m.tolist() == [0.0, 20.0]


def test_one_way_streets_bind_only_directed_graphs():
    street = [(0, 0), (100, 0), (200, 0), (300, 0)]  # drawn west to east
    detour = [(300, 0), (300, 100), (0, 100), (0, 0)]  # two-way, 500 m
    resident, facility = [(300, 0)], [(0, 0)]
    assert _near([street, detour], resident, facility).distance_m.tolist() == [300.0]  # walking: both ways
    assert _near([street, detour], resident, facility, oneway=[1, 0]).distance_m.tolist() == [500.0]
    assert _near([street, detour], resident, facility, oneway=[-1, 0]).distance_m.tolist() == [300.0]
    assert np.isinf(_near([street], resident, facility, oneway=[1]).distance_m[0])
    assert _near([street], [(0, 0)], [(300, 0)], oneway=[1]).distance_m.tolist() == [300.0]


def test_ways_join_only_at_shared_vertices_and_a_repeated_way_does_not_add_up():
    # a bridge crossing a street without a shared vertex does not join it
    street, bridge = [(0, 0), (200, 0)], [(100, -100), (100, 100)]
    assert np.isinf(_near([street, bridge], [(0, 0)], [(100, 100)]).distance_m[0])
    network = road_network([street, street, [(0, 0), (100, 0), (200, 0)]])
    assert network.nodes == 3 and network.graph.nnz == 6  # 0-200 given twice, 0-100-200 once: 3 edges, both ways
    assert network.graph[0, 2] == 200.0


def test_several_facilities_on_one_node_the_nearer_by_snap_wins():
    found = _near(GRID, [(0, 0)], [(200, 260), (200, 210), (230, 200)])
    assert found.facility.tolist() == [1] and found.distance_m.tolist() == [410.0]


def test_bad_input_is_named():
    with pytest.raises(BadInputError, match="no road line"):
        road_network([])
    with pytest.raises(BadInputError, match=r"road line 1: shape \(1, 2\)"):
        road_network([[(0, 0), (1, 0)], [(5, 5)]])
    with pytest.raises(BadInputError, match="road line 0: coordinates must be finite"):
        road_network([[(0, 0), (np.nan, 0)]])
    with pytest.raises(BadInputError, match="oneway: .* expected -1, 0 or 1 for each of the 1 lines"):
        road_network([[(0, 0), (1, 0)]], oneway=[2])
    with pytest.raises(BadInputError, match=r"oneway: \['yes'\]"):
        road_network([[(0, 0), (1, 0)]], oneway=["yes"])
    with pytest.raises(BadInputError, match="no facility"):
        _near(GRID, [(0, 0)], np.empty((0, 2)))
    with pytest.raises(BadInputError, match="mode 'fly'"):
        road_lines([], "fly")


def _road(local, coords, tags):
    return Entity(id=f"urn:ngsi-ld:RoadSegment:{local}", type="RoadSegment",
                  location={"type": "LineString", "coordinates": coords},
                  properties={"roadClass": tags["highway"], "osmTags": tags})


def test_road_lines_by_mode():
    line = [[116.7, 39.9], [116.70000004, 39.9]]  # 4e-8° apart: one vertex after rounding to 1e-7°
    roads = [_road("a", [[116.7, 39.9], [116.71, 39.9]], {"highway": "residential", "oneway": "yes"}),
             _road("b", [[116.7, 39.9], [116.71, 39.9]], {"highway": "footway"}),
             _road("c", [[116.7, 39.9], [116.71, 39.9]], {"highway": "motorway"}),
             _road("d", [[116.7, 39.9], [116.71, 39.9]], {"highway": "primary", "oneway": "-1"}),
             _road("e", line, {"highway": "service", "foot": "no"})]
    walk, walk_oneway = road_lines(roads, "walk")
    assert len(walk) == 3 and walk_oneway == [0, 0, 0]  # a, b, d; the motorway and foot=no left out
    drive, drive_oneway = road_lines(roads, "drive")
    assert drive_oneway == [1, 1, -1, 0]  # a, the motorway (oneway implied), d, e; the footway left out
    assert np.unique(drive[3], axis=0).shape == (1, 2)


def _osm(path, nodes, ways):
    """An OSM XML file: nodes {id: (lon, lat)}, ways [(id, [node ids], {tags})]."""
    text = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="citytwin tests">']
    text += [f'<node id="{i}" lon="{lon}" lat="{lat}"/>' for i, (lon, lat) in nodes.items()]
    for way_id, refs, tags in ways:
        text += [f'<way id="{way_id}">', *(f'<nd ref="{r}"/>' for r in refs),
                 *(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items()), "</way>"]
    path.write_text("\n".join([*text, "</osm>"]), encoding="utf-8")
    return path


TZ_HOSPITAL, SH_HOSPITAL = (116.70, 39.90), (116.95, 39.98)
YANJIAO, NORTH, TZ_HOME = (116.80, 39.95), (116.80, 40.05), (116.66, 39.91)  # Sanhe, a turn north, Tongzhou


def _length(*points):
    _, _, d = Geod(ellps="WGS84").inv(*np.transpose(points[:-1]), *np.transpose(points[1:]))
    return float(np.sum(d))


def _fill(twin):
    twin.commit([Entity(id=f"urn:ngsi-ld:PointOfInterest:{name}", type="PointOfInterest",
                        location={"type": "Point", "coordinates": list(where)},
                        properties={"name": name, "category": ["hospital"]})
                 for name, where in (("tz", TZ_HOSPITAL), ("sh", SH_HOSPITAL))])
    twin.commit([Entity(id=f"urn:ngsi-ld:PopulationCell:{name}", type="PopulationCell",
                        location={"type": "Point", "coordinates": list(where)}, properties={"population": 1000})
                 for name, where in (("yanjiao", YANJIAO), ("tz-home", TZ_HOME))])


def _roads_file(path):
    """Yanjiao to the Sanhe hospital by a one-way road drawn towards Yanjiao, to the Tongzhou one by a turn
    north; the Tongzhou home on a road of its own, joined to nothing."""
    nodes = {1: YANJIAO, 2: SH_HOSPITAL, 3: NORTH, 4: TZ_HOSPITAL, 5: TZ_HOME, 6: (116.661, 39.91)}
    return _osm(path, nodes, [(10, [2, 1], {"highway": "primary", "oneway": "yes"}),
                              (11, [1, 3, 4], {"highway": "secondary"}),
                              (12, [5, 6], {"highway": "residential"})])


def test_access_report_follows_the_loaded_road_network(tmp_path):
    with Twin.init(tmp_path / "data", origin="test.citytwin/services-network") as twin:
        _fill(twin)
        straight = {r["jurisdiction"]: r
                    for r in access_report(twin, "hospital", ["110112", "131082"])["jurisdictions"]}
        assert straight["131082"]["nearest_in_other_jurisdiction_pct"] == 100.0  # Tongzhou's is nearer in a line
        import_osm(twin, _roads_file(tmp_path / "roads.osm"))
        report = access_report(twin, "hospital", ["110112", "131082"])
        assert report["distance_basis"].startswith("network (3 road segments open to walk, one-way streets ignored)")
        assert report["network"]["nodes"] == 6 and report["network"]["max_facility_snap_m"] < 0.02  # on vertices
        assert report["network"]["unreached_units"] == 1
        assert report["network"]["max_resident_snap_m"] < 0.02  # on a vertex, up to the 1e-7° rounding
        rows = {r["jurisdiction"]: r for r in report["jurisdictions"]}
        # by road, Yanjiao's nearest hospital is the Sanhe one: no longer served across the border
        assert rows["131082"]["nearest_in_other_jurisdiction_pct"] == 0.0
        assert rows["131082"]["mean_distance_m"] == pytest.approx(_length(YANJIAO, SH_HOSPITAL), rel=1e-4)
        assert rows["131082"]["unreached_units"] == 0
        # the Tongzhou home's road reaches no hospital: not within reach, and in no distance or share
        tz = rows["110112"]
        assert tz["unreached_units"] == 1 and tz["within_reach_pct"] == 0.0
        assert tz["mean_distance_m"] is None and tz["max_distance_m"] is None
        assert tz["nearest_in_other_jurisdiction_pct"] is None
        # driving, the one-way road leads away from the Sanhe hospital: the turn north to Tongzhou's it is
        drive = access_report(twin, "hospital", ["131082"], speed_kmh=30.0, mode="drive")
        assert "one-way streets respected" in drive["distance_basis"]
        row = drive["jurisdictions"][0]
        assert row["nearest_in_other_jurisdiction_pct"] == 100.0
        assert row["mean_distance_m"] == pytest.approx(_length(YANJIAO, NORTH, TZ_HOSPITAL), rel=1e-4)
        with pytest.raises(BadInputError, match="mode 'bike'"):
            access_report(twin, "hospital", mode="bike")


def test_cli_and_api_switch_to_network_distance_when_roads_are_loaded(tmp_path):
    data = tmp_path / "data"
    with Twin.init(data, origin="test.citytwin/services-network-cli") as twin:
        _fill(twin)
    runner = CliRunner()

    def access(*extra):
        result = runner.invoke(app, ["--data-dir", str(data), "services", "access", "hospital", "-j", "131082",
                                     "--json", *extra])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    before = access()
    assert before["distance_basis"] == "straight line only: no road network loaded" and before["network"] is None
    result = runner.invoke(app, ["--data-dir", str(data), "import", "osm", str(_roads_file(tmp_path / "r.osm"))])
    assert result.exit_code == 0, result.output
    after = access()
    assert after["distance_basis"].startswith("network (3 road segments open to walk")
    assert after["jurisdictions"][0]["nearest_in_other_jurisdiction_pct"] == 0.0
    assert access("--mode", "drive", "--speed", "30")["jurisdictions"][0]["nearest_in_other_jurisdiction_pct"] == 100.0
    table = runner.invoke(app, ["--data-dir", str(data), "services", "access", "hospital", "-j", "110112"]).output
    assert "network (3 road segments" in table and "未达" in table and "最大接入距离 largest snap" in table
    bad = runner.invoke(app, ["--data-dir", str(data), "services", "access", "hospital", "--mode", "fly"])
    assert bad.exit_code == 2
    with TestClient(create_app(data)) as client:
        report = client.get("/api/v1/services/access/hospital", params={"jurisdiction": ["131082"], "mode": "drive"})
        assert report.json()["network"]["mode"] == "drive"
        assert client.get("/api/v1/services/access/hospital", params={"mode": "fly"}).status_code == 400
