"""Travel times on small networks, computed by hand beside the code."""

import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from citytwin.errors import BadInputError, NotFoundError
from citytwin.transport.network import Line, Network
from citytwin.transport.travel import TravelGraph, TravelModel

# 36 km/h design speed, factor 0.5 → 18 km/h = 5 m/s running speed
MODEL = TravelModel(speed_factor=0.5, dwell_s=30.0, transfer_s=240.0)


def _abc() -> Network:
    return Network((Line("L1", ("A", "B", "C"), (0.0, 1000.0, 2000.0), 36.0),))


def test_three_station_line_by_hand():
    graph = TravelGraph(_abc(), MODEL)
    # A→B: 1000 m / 5 m/s = 200 s, no intermediate stop
    # B→C: 2000 m / 5 m/s = 400 s
    # A→C: 3000 m / 5 m/s = 600 s + one dwell at B (30 s) = 630 s
    expected = np.array([[0, 200, 630], [200, 0, 400], [630, 400, 0]], dtype=float)
    assert graph.stations == ("A", "B", "C")
    assert_allclose(graph.matrix(), expected, atol=1e-6)
    trip = graph.route("A", "C")
    assert trip.time_s == pytest.approx(630.0)
    assert trip.distance_m == 3000.0 and trip.transfers == 0
    assert [(leg.line, leg.board, leg.alight, leg.stations) for leg in trip.legs] == [("L1", "A", "C", ("A", "B", "C"))]


def test_transfer_between_two_lines_by_hand():
    # L1: A –1000– B –2000– C ; L2 (72 km/h design → 10 m/s): B –3000– D –1500– E
    network = Network((Line("L1", ("A", "B", "C"), (0.0, 1000.0, 2000.0), 36.0),
                       Line("L2", ("B", "D", "E"), (0.0, 3000.0, 1500.0), 72.0)))
    graph = TravelGraph(network, MODEL)
    trip = graph.route("A", "E")
    # ride L1 A→B 200 s; transfer 240 s; ride L2 B→E 4500 m / 10 m/s = 450 s + dwell at D 30 s
    assert trip.time_s == pytest.approx(200 + 240 + 450 + 30)
    assert trip.transfers == 1 and trip.distance_m == 5500.0
    assert [(leg.line, leg.board, leg.alight) for leg in trip.legs] == [("L1", "A", "B"), ("L2", "B", "E")]
    assert [leg.time_s for leg in trip.legs] == pytest.approx([200.0, 480.0])
    m = graph.matrix()
    i = {s: k for k, s in enumerate(graph.stations)}
    assert m[i["A"], i["E"]] == pytest.approx(920.0)
    assert m[i["C"], i["D"]] == pytest.approx(400 + 240 + 300)  # C→B on L1, change, B→D on L2
    assert_allclose(m, m.T, atol=1e-6)  # every segment runs both ways


def test_a_transfer_is_taken_only_when_it_pays():
    # Two parallel ways from A to C: L1 slow and direct, or L2 fast with a change at B.
    network = Network((Line("slow", ("A", "C"), (0.0, 6000.0), 36.0),       # 1200 s
                       Line("fast1", ("A", "B"), (0.0, 3000.0), 360.0),     # 60 s at 50 m/s
                       Line("fast2", ("B", "C"), (0.0, 3000.0), 360.0)))    # 60 s
    with_cheap_change = TravelGraph(network, TravelModel(speed_factor=0.5, dwell_s=30, transfer_s=60))
    assert with_cheap_change.route("A", "C").time_s == pytest.approx(60 + 60 + 60)
    with_dear_change = TravelGraph(network, TravelModel(speed_factor=0.5, dwell_s=30, transfer_s=1200))
    trip = with_dear_change.route("A", "C")
    assert trip.time_s == pytest.approx(1200.0) and trip.legs[0].line == "slow"


def test_loop_line_uses_the_closing_segment():
    # loop A –100– B –100– C and closing C → A of 100 m (the first station's distance)
    loop = Network((Line("O", ("A", "B", "C"), (100.0, 100.0, 100.0), 36.0, loop=True),))
    graph = TravelGraph(loop, TravelModel(speed_factor=0.5, dwell_s=0, transfer_s=0))
    assert graph.route("A", "C").time_s == pytest.approx(20.0)  # C is one segment away through the closure
    assert loop.lines[0].length_m == 300.0


def test_per_line_speed_override_and_reach():
    model = TravelModel(speed_factor=0.5, dwell_s=30, transfer_s=240, speeds_kmh={"L1": 7.2})  # 2 m/s
    graph = TravelGraph(_abc(), model)
    assert graph.route("A", "B").time_s == pytest.approx(500.0)
    reach = graph.reachable(["A"], minutes=500 / 60)
    assert set(reach) == {"A", "B"} and reach["B"] == pytest.approx(500 / 60)


def test_network_from_frames_matches_the_hand_built_one():
    stations = pd.DataFrame({"line": ["L1"] * 3, "seq": [1, 2, 3], "station": ["A", "B", "C"],
                             "dist_from_prev_m": [math.nan, 1000, 2000]})
    lines = pd.DataFrame({"line": ["L1"], "design_speed_kmh": [36], "loop": [False]})
    assert Network.from_frames(stations, lines).lines[0].segments() == _abc().lines[0].segments()


def test_bad_input_is_named():
    with pytest.raises(BadInputError, match=r"station 'B': distance -5.0 m, expected > 0"):
        Line("L", ("A", "B"), (0.0, -5.0), 80)
    with pytest.raises(BadInputError, match=r"transfer_s 10: expected ≥ dwell_s \(30.0 s\)"):
        TravelModel(dwell_s=30.0, transfer_s=10)
    with pytest.raises(BadInputError, match=r"speed_factor 1.5"):
        TravelModel(speed_factor=1.5)
    with pytest.raises(BadInputError, match=r"missing columns \['dist_from_prev_m'\]"):
        Network.from_frames(pd.DataFrame({"line": [], "seq": [], "station": []}),
                            pd.DataFrame({"line": [], "design_speed_kmh": [], "loop": []}))
    graph = TravelGraph(_abc(), MODEL)
    with pytest.raises(NotFoundError, match=r"no station 'Z' in the network of 3 stations"):
        graph.route("A", "Z")
    islands = TravelGraph(Network((Line("L1", ("A", "B"), (0, 1000), 36), Line("L2", ("C", "D"), (0, 1000), 36))))
    with pytest.raises(NotFoundError, match=r"no metro trip from 'A' to 'D'"):
        islands.route("A", "D")
    assert math.isinf(islands.matrix()[0, 3])


@pytest.mark.parametrize("model", [MODEL, TravelModel(speed_factor=0.9, dwell_s=0.0, transfer_s=0.0),
                                   TravelModel(speed_factor=0.3, dwell_s=45.0, transfer_s=900.0)])
def test_contracted_matrix_equals_dijkstra_on_the_full_graph(model):
    network = Network((
        Line("L1", ("A", "B", "C", "D", "E"), (0.0, 800.0, 1200.0, 900.0, 1500.0), 80.0),
        Line("L2", ("F", "C", "G", "H", "E", "I"), (0.0, 2000.0, 700.0, 600.0, 1100.0, 3000.0), 100.0),
        Line("ring", ("E", "J", "K", "L"), (2500.0, 1000.0, 1000.0, 1000.0), 60.0, loop=True),
        Line("lonely ring", ("M", "N", "O"), (400.0, 400.0, 400.0), 60.0, loop=True),
        Line("shuttle", ("A", "P", "Q", "D"), (0.0, 500.0, 500.0, 500.0), 120.0),
    ))
    graph = TravelGraph(network, model)
    fast, full = graph.matrix(), graph.matrix_dijkstra()
    assert np.isinf(fast).sum() == np.isinf(full).sum() > 0  # the lonely ring is an island
    finite = np.isfinite(full)
    assert_allclose(fast[finite], full[finite], atol=1e-6)


def test_grid_of_lines_contracts_hubs_and_equals_dijkstra():
    # 6 east-west and 6 north-south lines crossing at 36 transfer stations, each 2 stops between
    # crossings: hub platforms of degree 3 are removed round by round, the rest is the core
    rng = np.random.default_rng(3)
    lines = []
    for k in range(6):
        for axis, cells in (("EW", [(k * 3, j) for j in range(16)]), ("NS", [(i, k * 3) for i in range(16)])):
            stations = tuple(f"{i},{j}" for i, j in cells)
            lines.append(Line(f"{axis}{k}", stations, (0.0, *rng.uniform(300, 1500, len(stations) - 1)),
                              float(rng.choice([60.0, 80.0, 100.0]))))
    graph = TravelGraph(Network(tuple(lines)), MODEL)
    fast = graph.matrix()
    assert graph._contracted.rounds and graph._contracted.core.shape[0] < graph._contracted.hubs
    assert_allclose(fast, graph.matrix_dijkstra(), atol=1e-6)
