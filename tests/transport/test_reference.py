"""The reference network (Beijing-Subway-Tools, Baidu 2023 positions), its figures printed beside
their sources, and the stations committed to a twin."""

import numpy as np
import pytest

from citytwin.datasets.reference import boundaries
from citytwin.transport.load import load_reference
from citytwin.transport.network import reference_network
from citytwin.transport.places import cross_border_links, jurisdiction_reach, station_places, unmatched_points
from citytwin.transport.travel import TravelGraph, TravelModel
from citytwin.twin import Twin

SOURCE = "beijing_subway_line_stations.csv (Beijing-Subway-Tools, Yihe Li, MIT)"


@pytest.fixture(scope="module")
def network():
    return reference_network()


@pytest.fixture(scope="module")
def places(network):
    return station_places(network, boundaries())


def test_reference_network_sizes(network):
    assert len(network.lines) == 28
    assert len(network.stations) == 425
    assert sum(len(line.stations) for line in network.lines) == 540
    line6 = network.line("6号线")
    assert line6.length_m == 54_984 and len(line6.stations) == 36
    assert (line6.stations[0], line6.stations[-1]) == ("金安桥", "潞阳")
    assert network.line("Line 1").stations[-1] == "环球度假区"  # Batong folded into Line 1
    assert network.line("2号线").loop and network.line("2号线").length_m == 23_000
    print(f"\n6号线 {line6.length_m:,.0f} m over {len(line6.stations)} stations — {SOURCE}: 54,984 m, 36")


def test_a_known_trip_by_hand(network):
    graph = TravelGraph(network)  # defaults: 0.6 × design speed, dwell 30 s, transfer 300 s
    trip = graph.route("潞城", "通州北关")
    # 6号线 segments 潞城→东夏园 1194, →郝家府 1347, →北运河东 929, →北运河西 1600, →通运门 1543,
    # →通州北关 1468: 8081 m at 0.6 × 100 km/h = 60 km/h → 484.86 s, plus 5 intermediate stops × 30 s
    assert trip.distance_m == 1194 + 1347 + 929 + 1600 + 1543 + 1468 == 8081
    assert trip.time_s == pytest.approx(8081 / (60 / 3.6) + 5 * 30)
    assert trip.transfers == 0 and trip.legs[0].line == "6号线"
    print(f"\n潞城 → 通州北关: {trip.distance_m:,.0f} m, {trip.time_s / 60:.1f} min (model), distances from {SOURCE}")


def test_all_pairs_matrix_is_connected_and_agrees_with_routes(network):
    graph = TravelGraph(network, TravelModel())
    m = graph.matrix()
    assert m.shape == (425, 425) and (m[~np.eye(425, dtype=bool)] > 0).all()
    np.testing.assert_allclose(m, graph.matrix_dijkstra(), atol=1e-6)
    i = {s: k for k, s in enumerate(graph.stations)}
    for a, b in (("潞阳", "天安门东"), ("环球度假区", "西直门"), ("首经贸", "丰台站")):
        assert m[i[a], i[b]] == pytest.approx(graph.route(a, b).time_s, abs=1e-6)


def test_station_places_and_reach(network, places):
    assert int(places["located"].sum()) == 313  # of 425: the Baidu 2023 dump lacks the rest
    unlocated = set(places.loc[~places["located"], "station"])
    assert {"花庄", "环球度假区", "北运河东", "潞阳"} <= unlocated
    assert unmatched_points(network) == ["八角游乐园", "泰河路"]
    tongzhou = set(places.loc[places["jurisdiction"] == "110112", "station"])
    assert {"通州北关", "潞城", "土桥", "梨园", "次渠"} <= tongzhou and len(tongzhou) == 16
    hebei = places["jurisdiction"].isin(["131082", "131028", "131024"])
    assert not hebei.any()  # no station of the data lies in Sanhe, Dachang or Xianghe
    reach = {r["jurisdiction"]: r for r in jurisdiction_reach(TravelGraph(network), places, 30)}
    assert reach["110112"]["lines"] == ["17号线", "1号线", "6号线", "亦庄线"]
    assert reach["110112"]["reachable_by_jurisdiction"]["110112"] == 16
    assert reach["131082"]["stations"] == [] and reach["131082"]["reachable"] == 0
    links = {(x["line"], x["from"], x["to"]) for x in cross_border_links(network, places)
             if "110112" in (x["from_jurisdiction"], x["to_jurisdiction"])}
    assert links == {("1号线", "八里桥", "通州北苑"), ("6号线", "草房", "物资学院路"),
                     ("亦庄线", "同济南路", "荣昌东街")}
    print(f"\nTongzhou: {len(tongzhou)} located stations; reach in 30 min: {reach['110112']['reachable']} stations; "
          "Hebei counties: none in the data (Line 22 / Pinggu line absent from the source)")


def test_load_reference_commits_stations_once(tmp_path):
    with Twin.init(tmp_path / "data", origin="test.citytwin/transport") as twin:
        report = load_reference(twin)
        assert (report.stations, report.located, report.accepted) == (425, 313, 425)
        again = load_reference(twin)
        assert (again.accepted, again.duplicates) == (0, 425)
        station = twin.entity("urn:ngsi-ld:TransportStation:通州北关")
        assert station.jurisdiction == "110112" and station.properties["lines"] == ["6号线"]
        lon, lat = station.location["coordinates"]
        assert lon == pytest.approx(116.6557, abs=1e-4) and lat == pytest.approx(39.9174, abs=1e-4)
        missing = twin.entity("urn:ngsi-ld:TransportStation:花庄")
        assert missing.location is None and missing.properties["located"] is False
        assert len(twin.entities(type="TransportStation", jurisdiction="110112")) == 16
        twin.verify()
