"""Benchmarks of the district programs (issue #11): nearest facility for many residents.

Each section is a function called from ``main()`` and prints one JSON line per figure: the figure,
the peer measured in the same run, and their ratio.

* Nearest facility: 100,000 residents among 1,000 facilities (synthetic uniform points over a
  40 km × 40 km square, labelled synthetic), with ``citytwin.services.access.nearest`` (grid of
  cells with candidate lists, found with a k-d tree) beside the brute force (numpy all-pairs squared
  distances, in chunks of residents). The two must agree on every distance. Goal: under 1 s, and at
  least 50× the brute force.
* Network nearest facility: 100,000 residents among 1,000 facilities on a synthetic grid road network
  of 317 × 317 = 100,489 nodes 100 m apart (labelled synthetic), with
  ``citytwin.services.network.nearest_by_network`` (one multi-source Dijkstra) beside one single-source
  Dijkstra per facility, timed on a sample of 50 facilities and extrapolated to all 1,000. On the sample
  the two must agree on every distance.
* Metro all-pairs travel-time matrix (425 stations of the reference network) with
  ``citytwin.transport.travel.TravelGraph.matrix`` (contracted graph, csgraph Dijkstra) beside
  pure-Python Dijkstra from every station on the full graph, and csgraph Dijkstra on the full
  graph. The matrices must agree. Goal: at least 50× the brute force.
"""

from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np

from citytwin.services.access import nearest

GOAL_S = 1.0
GOAL_SPEEDUP = 50.0


def _best_of(fn, repeat: int) -> tuple[float, float, object]:
    """Best wall-clock and CPU time of ``repeat`` calls [s], and the last result."""
    wall = cpu = float("inf")
    result = None
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    return wall, cpu, result


def _brute_force(rx, ry, fx, fy, chunk: int = 2_000) -> np.ndarray:
    """Nearest-facility distance by comparing every resident with every facility [m]."""
    out = np.empty(len(rx))
    for start in range(0, len(rx), chunk):
        dx = rx[start:start + chunk, None] - fx[None, :]
        dy = ry[start:start + chunk, None] - fy[None, :]
        out[start:start + chunk] = np.sqrt((dx * dx + dy * dy).min(axis=1))
    return out


def _emit(figure: str, value: float, peer: str, peer_value: float, ratio: float, **common) -> None:
    print(json.dumps({"figure": figure, "value": round(value, 4), **common, "peer": peer,
                      "peer_value": round(peer_value, 4), "ratio": round(ratio, 2)}))


def bench_nearest_facility(residents: int, facilities: int) -> None:
    rng = np.random.default_rng(11)
    rx, ry = rng.uniform(0, 40_000, residents), rng.uniform(0, 40_000, residents)
    fx, fy = rng.uniform(0, 40_000, facilities), rng.uniform(0, 40_000, facilities)
    tree_s, tree_cpu, (distance, _) = _best_of(lambda: nearest(rx, ry, fx, fy), repeat=7)
    brute_s, brute_cpu, brute = _best_of(lambda: _brute_force(rx, ry, fx, fy), repeat=2)
    np.testing.assert_allclose(distance, brute, rtol=1e-9, atol=1e-6)
    common = {"residents": residents, "facilities": facilities, "data": "synthetic uniform points"}
    peer = "numpy all-pairs brute force, chunked"
    _emit("nearest facility, grid cells, wall [s]", tree_s, peer, brute_s, brute_s / tree_s, **common)
    _emit("nearest facility, grid cells, CPU [s]", tree_cpu, peer + ", CPU", brute_cpu, brute_cpu / tree_cpu, **common)
    _emit("nearest facility, grid cells, wall [s] against the goal", tree_s, "goal", GOAL_S, GOAL_S / tree_s, **common)
    _emit("speed-up over the brute force, wall [x]", brute_s / tree_s, "goal", GOAL_SPEEDUP,
          brute_s / tree_s / GOAL_SPEEDUP, **common)


def _grid_lines(side: int, spacing_m: float) -> list[np.ndarray]:
    """The streets of a ``side`` × ``side`` grid of nodes ``spacing_m`` apart: ``side`` east-west and
    ``side`` north-south lines, each with a vertex at every crossing."""
    ticks = np.arange(side) * spacing_m
    rows = [np.column_stack([ticks, np.full(side, t)]) for t in ticks]
    columns = [np.column_stack([np.full(side, t), ticks]) for t in ticks]
    return rows + columns


def bench_network_nearest(residents: int, facilities: int, side: int = 317, sample: int = 50) -> None:
    """Network nearest facility on a synthetic grid of ``side``² road nodes 100 m apart (labelled synthetic):
    ``citytwin.services.network.nearest_by_network`` (k-d tree snapping, one multi-source Dijkstra) beside
    the naive way, one single-source Dijkstra per facility with a running minimum per resident. The naive
    way is timed on ``sample`` facilities and extrapolated linearly to all of them (each Dijkstra does the
    same work on the same graph); on those facilities the two must agree on every resident's distance."""
    from scipy.sparse.csgraph import dijkstra
    from scipy.spatial import cKDTree

    from citytwin.services.network import nearest_by_network, road_network

    rng = np.random.default_rng(12)
    extent = (side - 1) * 100.0
    rx, ry = rng.uniform(0, extent, residents), rng.uniform(0, extent, residents)
    fx, fy = rng.uniform(0, extent, facilities), rng.uniform(0, extent, facilities)
    build_s, _, network = _best_of(lambda: road_network(_grid_lines(side, 100.0)), repeat=1)
    fast_s, fast_cpu, _ = _best_of(lambda: nearest_by_network(network, rx, ry, fx, fy), repeat=3)

    def naive(chosen: np.ndarray) -> np.ndarray:
        tree = cKDTree(np.column_stack([network.x, network.y]))
        resident_snap, resident_node = tree.query(np.column_stack([rx, ry]))
        facility_snap, facility_node = tree.query(np.column_stack([fx[chosen], fy[chosen]]))
        best = np.full(residents, np.inf)
        for snap, node in zip(facility_snap, facility_node, strict=True):
            to_node = dijkstra(network.graph, directed=True, indices=node)  # the road graph is symmetric
            np.minimum(best, resident_snap + to_node[resident_node] + snap, out=best)
        return best

    chosen = rng.choice(facilities, size=min(sample, facilities), replace=False)
    naive_sample_s, naive_sample_cpu, slow = _best_of(lambda: naive(chosen), repeat=1)
    check = nearest_by_network(network, rx, ry, fx[chosen], fy[chosen])
    np.testing.assert_allclose(check.distance_m, slow, rtol=1e-12, atol=1e-6)
    scale = facilities / len(chosen)
    naive_s, naive_cpu = naive_sample_s * scale, naive_sample_cpu * scale
    common = {"residents": residents, "facilities": facilities, "road_nodes": network.nodes,
              "road_edges": int(network.graph.nnz), "graph_build_s": round(build_s, 3),
              "data": "synthetic grid road network, 100 m blocks; uniform residents and facilities"}
    peer = (f"one single-source Dijkstra per facility (scipy csgraph), timed on {len(chosen)} facilities and "
            f"extrapolated x{scale:g}")
    _emit("network nearest facility, multi-source Dijkstra, wall [s]", fast_s, peer, naive_s, naive_s / fast_s,
          **common)
    _emit("network nearest facility, multi-source Dijkstra, CPU [s]", fast_cpu, peer + ", CPU", naive_cpu,
          naive_cpu / fast_cpu, **common)



def _python_dijkstra(indptr, indices, weights, origin: int) -> list[float]:
    """Textbook Dijkstra with a binary heap, in pure Python, from one node [s]."""
    import heapq

    dist = [math.inf] * (len(indptr) - 1)
    dist[origin] = 0.0
    heap = [(0.0, origin)]
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist[u]:
            continue
        for k in range(indptr[u], indptr[u + 1]):
            v, nd = indices[k], d + weights[k]
            if nd < dist[v]:
                dist[v] = nd
                heapq.heappush(heap, (nd, v))
    return dist


def bench_metro_matrix() -> None:
    """All-pairs travel-time matrix of the reference metro (425 stations, 28 lines):
    ``TravelGraph.matrix`` (the graph contracted to its hub platforms and those to a core, csgraph
    Dijkstra from every core hub, numpy expansion) beside pure-Python Dijkstra (heapq) from every station on the full
    graph, and beside csgraph Dijkstra from every station on the full graph. The graphs are built
    before timing, on every side; all three matrices must agree."""
    from citytwin.transport.network import reference_network
    from citytwin.transport.travel import TravelGraph

    built_s, _, graph = _best_of(lambda: TravelGraph(reference_network()), repeat=3)
    n = len(graph.stations)
    fresh = [TravelGraph(graph.network, graph.model) for _ in range(5)]
    first_s, first_cpu, _ = _best_of(lambda: fresh.pop().matrix(), repeat=5)  # contraction included
    fast_s, fast_cpu, matrix = _best_of(graph.matrix, repeat=20)  # contraction kept from the first call
    full_s, _, full = _best_of(graph.matrix_dijkstra, repeat=5)
    g = graph.csgraph
    indptr, indices, weights = g.indptr.tolist(), g.indices.tolist(), g.data.tolist()

    def brute() -> np.ndarray:
        rows = [_python_dijkstra(indptr, indices, weights, i)[n:2 * n] for i in range(n)]
        out = np.asarray(rows) - graph.model.dwell_s
        np.fill_diagonal(out, 0.0)
        return out

    brute_s, brute_cpu, slow = _best_of(brute, repeat=3)
    np.testing.assert_allclose(matrix, slow, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(matrix, full, rtol=1e-12, atol=1e-6)
    common = {"stations": n, "nodes": g.shape[0], "edges": g.nnz, "graph_build_s": round(built_s, 4),
              "data": "Beijing-Subway-Tools reference network"}
    peer = "pure-Python Dijkstra (heapq) from every station, full graph"
    _emit("metro all-pairs matrix, wall [s]", fast_s, peer, brute_s, brute_s / fast_s, **common)
    _emit("metro all-pairs matrix, CPU [s]", fast_cpu, peer + ", CPU", brute_cpu, brute_cpu / fast_cpu, **common)
    _emit("metro all-pairs matrix, wall [s]", fast_s, "csgraph Dijkstra from every station, full graph", full_s,
          full_s / fast_s, **common)
    _emit("metro all-pairs matrix, first call with the contraction, wall [s]", first_s, peer, brute_s,
          brute_s / first_s, **common)
    _emit("metro all-pairs matrix, first call with the contraction, CPU [s]", first_cpu, peer + ", CPU", brute_cpu,
          brute_cpu / first_cpu, **common)
    _emit("metro speed-up over the brute force, wall [x]", brute_s / fast_s, "goal", GOAL_SPEEDUP,
          brute_s / fast_s / GOAL_SPEEDUP, **common)

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--facilities", type=int, default=1_000)
    args = parser.parse_args()
    bench_nearest_facility(args.residents, args.facilities)
    bench_network_nearest(args.residents, args.facilities)
    bench_metro_matrix()


if __name__ == "__main__":
    main()
