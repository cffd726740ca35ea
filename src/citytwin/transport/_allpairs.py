"""All-pairs trip costs on the platform graph of :mod:`citytwin.transport.travel`, by chain contraction.

Only *hub* platforms can change a trip's direction or line: the platforms of a station served by
two or more lines, and the ends of each non-loop line (a loop without transfers gets its first
station as a hub). Every other platform lies on one chain of its line between two consecutive
hubs. So a shortest path between two platforms either stays inside their common chain, or leaves
the first platform's chain at one of its two end hubs, follows a shortest hub-to-hub path, and
enters the second chain at one of its end hubs (the classic contraction of degree-2 nodes; the
costs are the same edge costs, so the result is exact).

Steps: (1) Dijkstra from every hub on the contracted hub graph (consecutive hubs along each line,
and the transfer edges between hub platforms of one station), ``scipy.sparse.csgraph``; (2) with
numpy, from every station to every hub (through the two end hubs of its chain), then to every
station (through the two end hubs of the destination's chain), and the in-chain ride;
then per pair of stations, the minimum over their platforms (a trip boards and leaves
any line of a hub station without a transfer).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from citytwin.transport.network import Network

__all__ = ["Contracted", "contract", "station_costs"]


def _line_chains(network: Network, speed_ms: dict[str, float], dwell_s: float, hub_stations: set[str]):
    """Per line: the stations in chain order (a loop rotated to start at a hub, its first station
    repeated at the end) and the cumulative cost along it [s]."""
    for line in network.lines:
        stations, distances = list(line.stations), list(line.distances_m)
        if line.loop:
            start = next((i for i, s in enumerate(stations) if s in hub_stations), 0)
            # distances_m[i] is the segment (i - 1) → i, distances_m[0] the closing one
            stations = stations[start:] + stations[:start] + [stations[start]]
            distances = distances[start:] + distances[:start] + [distances[start]]
        steps = [d / speed_ms[line.name] + dwell_s for d in distances[1:]]
        yield line, stations, np.concatenate(([0.0], np.cumsum(steps)))


@dataclass(frozen=True)
class Contracted:
    """The hub graph and, per station off the hubs, its chain's end hubs, costs and position."""

    graph: csr_array  # hub platform → hub platform [s]
    hub_station: np.ndarray  # station index of each hub platform, sorted
    starts: np.ndarray  # first hub platform of each hub station
    end_hub: np.ndarray  # (n, 2) hub platforms at the two ends of a station's chain
    end_cost: np.ndarray  # (n, 2) cost to each [s]
    off: np.ndarray  # True for a station off the hubs
    direct: tuple[np.ndarray, np.ndarray, np.ndarray]  # pairs of one chain (from, to) and their ride cost [s]


def contract(network: Network, speed_ms: dict[str, float], dwell_s: float, transfer_s: float) -> Contracted:
    """The contracted graph of ``network`` under the given running speeds [m/s], dwell and transfer [s]."""
    stations = network.stations
    at = {s: i for i, s in enumerate(stations)}
    served: dict[str, int] = {}
    for line in network.lines:
        for station in line.stations:
            served[station] = served.get(station, 0) + 1
    hub_stations = {s for s, k in served.items() if k > 1}
    for line in network.lines:
        if not line.loop:
            hub_stations.update((line.stations[0], line.stations[-1]))
        elif not hub_stations.intersection(line.stations):
            hub_stations.add(line.stations[0])
    hubs = sorted((station, line.name) for line in network.lines for station in line.stations
                  if station in hub_stations)  # hub platforms, grouped by station
    hub_of = {(line, station): k for k, (station, line) in enumerate(hubs)}
    n, k = len(stations), len(hubs)
    # a station off the hubs has one line: its chain's two end hubs, the cost to each, chain and position
    end_hub = np.zeros((n, 2), dtype=np.int64)
    end_cost = np.full((n, 2), np.inf)
    off = np.zeros(n, dtype=bool)
    direct: list[tuple[int, int, float]] = []
    best: dict[tuple[int, int], float] = {}

    def edge(a: int, b: int, w: float) -> None:
        # two chains may join the same hubs: keep the cheaper (csgraph would sum duplicates)
        best[(a, b)] = min(w, best.get((a, b), np.inf))

    for line, order, cum in _line_chains(network, speed_ms, dwell_s, hub_stations):
        marks = [i for i, s in enumerate(order) if s in hub_stations]
        for a, b in zip(marks, marks[1:], strict=False):
            ha, hb = hub_of[(line.name, order[a])], hub_of[(line.name, order[b])]
            edge(ha, hb, cum[b] - cum[a])
            edge(hb, ha, cum[b] - cum[a])
            for i in range(a + 1, b):
                s = at[order[i]]
                end_hub[s] = (ha, hb)
                end_cost[s] = (cum[i] - cum[a], cum[b] - cum[i])
                off[s] = True
                direct.extend((s, at[order[j]], abs(cum[j] - cum[i])) for j in range(a + 1, b) if j != i)
    hub_station = np.array([at[station] for station, _ in hubs], dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, np.diff(hub_station) != 0])
    for first, stop in zip(starts, [*starts[1:], k], strict=True):
        for a in range(first, stop):
            for b in range(first, stop):
                if a != b:
                    edge(a, b, transfer_s - dwell_s)
    keys = list(best)
    graph = csr_array((np.fromiter(best.values(), float, len(best)) + 1e-9,
                       ([a for a, _ in keys], [b for _, b in keys])), shape=(k, k))
    pairs = np.array([(a, b) for a, b, _ in direct], dtype=np.int64).reshape(-1, 2)
    return Contracted(graph, hub_station, starts, end_hub, end_cost, off,
                      (pairs[:, 0], pairs[:, 1], np.array([w for _, _, w in direct], dtype=float)))


def station_costs(c: Contracted) -> np.ndarray:
    """Shortest graph cost between every pair of stations (departure → arrival) [s]."""
    n, off = len(c.off), c.off
    hub_station, starts, end_hub, end_cost = c.hub_station, c.starts, c.end_hub, c.end_cost
    hub_costs = dijkstra(c.graph, directed=True)
    np.fill_diagonal(hub_costs, 0.0)
    # rows: from each station to every hub platform (a hub station boards any of its lines freely)
    from_station = np.empty((n, len(hub_station)))
    from_station[hub_station[starts]] = np.minimum.reduceat(hub_costs, starts, axis=0)
    from_station[off] = np.minimum(end_cost[off, 0, None] + hub_costs[end_hub[off, 0]],
                                   end_cost[off, 1, None] + hub_costs[end_hub[off, 1]])
    # then to each station (a hub station is reached on any of its lines), worked on the transpose
    # so that every gather and reduction runs along contiguous rows
    to_hub = np.ascontiguousarray(from_station.T)
    out_t = np.empty((n, n))
    out_t[hub_station[starts]] = np.minimum.reduceat(to_hub, starts, axis=0)
    out_t[off] = np.minimum(to_hub[end_hub[off, 0]] + end_cost[off, 0, None],
                            to_hub[end_hub[off, 1]] + end_cost[off, 1, None])
    out = out_t.T
    # two stations of one chain may also ride directly, without reaching a hub
    rows, cols, ride = c.direct
    out[rows, cols] = np.minimum(out[rows, cols], ride)
    return out
