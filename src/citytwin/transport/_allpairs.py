"""All-pairs trip costs on the platform graph of :mod:`citytwin.transport.travel`, by contraction.

Two exact contractions, then one all-pairs search on what is left, then numpy expansion:

1. Chains. Only *hub* platforms can change a trip's direction or line: the platforms of a station
   served by two or more lines, and the ends of each non-loop line (a loop without transfers gets
   its first station as a hub). Every other platform lies on one chain of its line between two
   consecutive hubs. So a shortest path between two platforms either stays inside their common
   chain, or leaves the first platform's chain at one of its two end hubs, follows a shortest
   hub-to-hub path, and enters the second chain at one of its end hubs (the classic contraction of
   degree-2 nodes; the costs are the same edge costs, so the result is exact).
2. Node contraction on the hub graph (as in contraction hierarchies: Geisberger, Sanders, Schultes
   and Delling 2008). Rounds remove an independent set of low-degree hubs; removing a hub ``p``
   adds a shortcut ``u → v`` costing ``w(u, p) + w(p, v)`` for each in-neighbour ``u`` and
   out-neighbour ``v``, which keeps every cost between the remaining hubs. Afterwards a removed hub's
   costs follow from its neighbours' (a path from ``p`` starts with an edge to a neighbour, a path to
   ``p`` ends with one): ``d(p, ·) = min_v w(p, v) + d(v, ·)`` and ``d(·, p) = min_u d(·, u) + w(u, p)``,
   expanded in the reverse order of removal, each round in one numpy step.

The search on the remaining core hubs is ``scipy.sparse.csgraph.dijkstra`` from every core hub.
Then with numpy: from every station to every hub (a hub station boards any of its lines, an
off-hub station goes through the two end hubs of its chain), then to every station the same way,
and the in-chain ride between two stations of one chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from citytwin.transport.network import Network

__all__ = ["Contracted", "contract", "station_costs"]

#: A hub with more neighbours than this is kept in the core (its removal would add up to
#: in-degree × out-degree shortcuts). 4 to 6 measured equally fast on the reference network.
MAX_DEGREE = 4


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
        speed = speed_ms[line.name]
        yield line, stations, list(accumulate((d / speed + dwell_s for d in distances[1:]), initial=0.0))


@dataclass(frozen=True)
class Round:
    """Hubs removed in one round, at positions ``start .. start + len(out_node)`` of the expanded
    matrix: their out- and in-neighbours (positions before ``start``) and edge costs [s], padded
    with cost ``inf``."""

    start: int
    out_node: np.ndarray  # (q, d)
    out_cost: np.ndarray  # (q, d)
    in_node: np.ndarray  # (q, d)
    in_cost: np.ndarray  # (q, d)


@dataclass(frozen=True)
class Contracted:
    """The core hub graph, the removal rounds, and per station where it meets the hubs. Hubs are
    numbered by position in the expanded matrix: the core first, then the rounds, last removed first."""

    core: csr_array  # core hub → core hub [s]
    rounds: tuple[Round, ...]  # in the order of expansion
    hubs: int
    hub_rows: np.ndarray  # station index of each hub station
    hub_platforms: np.ndarray  # (hub stations, most lines) its hub positions, padded by repeating one
    end_hub: np.ndarray  # (n, 2) hub positions at the two ends of a station's chain
    end_cost: np.ndarray  # (n, 2) cost to each [s]
    off: np.ndarray  # True for a station off the hubs
    direct: tuple[np.ndarray, np.ndarray, np.ndarray]  # pairs of one chain (from, to) and their ride cost [s]


def _padded(rows: list[list[tuple[int, float]]], position: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Neighbour lists as a (rows, widest) array of positions and one of costs, padded with cost inf."""
    lengths = np.fromiter(map(len, rows), np.int64, len(rows))
    filled = np.arange(max(lengths.max(), 1)) < lengths[:, None]
    flat = np.array([pair for row in rows for pair in row], dtype=float).reshape(-1, 2)
    node = np.zeros(filled.shape, dtype=np.int64)
    cost = np.full(filled.shape, np.inf)
    node[filled], cost[filled] = position[flat[:, 0].astype(np.int64)], flat[:, 1]
    return node, cost


def _remove_hubs(edges: dict[tuple[int, int], float], k: int):
    """Node contraction of the hub graph: the core hubs, the removed rounds (each a list of
    ``(hub, out-edges, in-edges)``) in order of removal, and the core edges with the shortcuts."""
    out: list[dict[int, float]] = [{} for _ in range(k)]
    into: list[dict[int, float]] = [{} for _ in range(k)]
    for (a, b), w in edges.items():
        out[a][b] = w
        into[b][a] = w
    alive, rounds = set(range(k)), []
    while True:
        degree = {p: len(out[p].keys() | into[p].keys()) for p in alive}
        chosen, blocked = [], set()
        for p in sorted(alive, key=lambda p: (degree[p], p)):
            if degree[p] > MAX_DEGREE:
                break
            if p not in blocked:
                chosen.append(p)
                blocked.update(out[p], into[p])
        if not chosen or len(chosen) == len(alive):
            break
        removed = []
        for p in chosen:
            for u, wu in into[p].items():
                del out[u][p]
                for v, wv in out[p].items():
                    if u != v and wu + wv < out[u].get(v, np.inf):
                        out[u][v] = into[v][u] = wu + wv
            for v in out[p]:
                del into[v][p]
            removed.append((p, list(out[p].items()), list(into[p].items())))
        alive.difference_update(chosen)
        rounds.append(removed)
    return sorted(alive), rounds, {(a, b): w for a in alive for b, w in out[a].items()}


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
    end_hub, end_cost, off = [(0, 0)] * n, [(np.inf, np.inf)] * n, [False] * n
    direct: list[tuple[int, int, float]] = []
    best: dict[tuple[int, int], float] = {}

    def edge(a: int, b: int, w: float) -> None:
        # two chains may join the same hubs: keep the cheaper (csgraph would sum duplicates); a loop
        # with one hub joins it to itself, which never shortens a path
        if a != b:
            best[(a, b)] = min(w, best.get((a, b), np.inf))

    for line, order, cum in _line_chains(network, speed_ms, dwell_s, hub_stations):
        marks = [i for i, s in enumerate(order) if s in hub_stations]
        for a, b in zip(marks, marks[1:], strict=False):
            ha, hb = hub_of[(line.name, order[a])], hub_of[(line.name, order[b])]
            edge(ha, hb, cum[b] - cum[a] + 1e-9)  # explicit zeros would vanish from a sparse matrix
            edge(hb, ha, cum[b] - cum[a] + 1e-9)
            inner, ride = [at[s] for s in order[a + 1:b]], cum[a + 1:b]
            for i, ci in zip(inner, ride, strict=True):
                end_hub[i], end_cost[i], off[i] = (ha, hb), (ci - cum[a], cum[b] - ci), True
                direct.extend((i, j, abs(ci - cj)) for j, cj in zip(inner, ride, strict=True) if i != j)
    station_of_hub = [at[station] for station, _ in hubs]
    platforms: dict[int, list[int]] = {}
    for h, s in enumerate(station_of_hub):
        platforms.setdefault(s, []).append(h)
    for group in platforms.values():
        for a in group:
            for b in group:
                if a != b:
                    edge(a, b, transfer_s - dwell_s + 1e-9)
    core, removed, core_edges = _remove_hubs(best, k)
    position = np.empty(k, dtype=np.int64)
    order = core + [p for batch in reversed(removed) for p, _, _ in batch]
    position[order] = np.arange(k)
    ends = np.array(list(core_edges), dtype=np.int64).reshape(-1, 2)
    graph = csr_array((np.fromiter(core_edges.values(), float, len(core_edges)),
                       (position[ends[:, 0]], position[ends[:, 1]])), shape=(len(core),) * 2)
    rounds, start = [], len(core)
    for batch in reversed(removed):
        out_node, out_cost = _padded([outs for _, outs, _ in batch], position)
        in_node, in_cost = _padded([ins for _, _, ins in batch], position)
        rounds.append(Round(start, out_node, out_cost, in_node, in_cost))
        start += len(batch)
    width = max(map(len, platforms.values()))
    hub_platforms = position[[[g[min(j, len(g) - 1)] for j in range(width)] for g in platforms.values()]]
    pairs = np.array([(i, j) for i, j, _ in direct], dtype=np.int64).reshape(-1, 2)
    return Contracted(graph, tuple(rounds), k, np.fromiter(platforms, np.int64, len(platforms)), hub_platforms,
                      position[np.array(end_hub, dtype=np.int64)], np.array(end_cost), np.array(off),
                      (pairs[:, 0], pairs[:, 1], np.fromiter((w for _, _, w in direct), float, len(direct))))


def _hub_costs(c: Contracted) -> np.ndarray:
    """Shortest cost between every pair of hubs, by position [s]: Dijkstra on the core, then the
    removed hubs round by round."""
    out = np.empty((c.hubs, c.hubs))
    m = c.core.shape[0]
    out[:m, :m] = dijkstra(c.core, directed=True)
    for r in c.rounds:
        end = r.start + len(r.out_node)
        out[r.start:end, :r.start] = (out[r.out_node, :r.start] + r.out_cost[:, :, None]).min(axis=1)
        out[:end, r.start:end] = (out[:end, r.in_node] + r.in_cost).min(axis=2)
        out[np.arange(r.start, end), np.arange(r.start, end)] = 0.0
    return out


def _platform_min(rows: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Row-wise minimum of ``rows`` over each row of ``index`` (the platforms of one station)."""
    best = rows[index[:, 0]]
    for j in range(1, index.shape[1]):
        np.minimum(best, rows[index[:, j]], out=best)
    return best


def _through_ends(rows: np.ndarray, end_hub: np.ndarray, end_cost: np.ndarray) -> np.ndarray:
    """Per station off the hubs, the row through the cheaper of its two chain ends."""
    best = rows[end_hub[:, 0]]
    best += end_cost[:, :1]
    other = rows[end_hub[:, 1]]
    other += end_cost[:, 1:]
    return np.minimum(best, other, out=best)


def station_costs(c: Contracted) -> np.ndarray:
    """Shortest graph cost between every pair of stations (departure → arrival) [s]."""
    n, off = len(c.off), c.off
    end_hub, end_cost = c.end_hub[off], c.end_cost[off]
    hubs = _hub_costs(c)
    # rows: from each station to every hub (a hub station boards any of its lines freely)
    from_station = np.empty((n, c.hubs))
    from_station[c.hub_rows] = _platform_min(hubs, c.hub_platforms)
    from_station[off] = _through_ends(hubs, end_hub, end_cost)
    # then to each station (a hub station is reached on any of its lines), worked on the transpose
    # so that every gather and reduction runs along contiguous rows
    to_hub = np.ascontiguousarray(from_station.T)
    out_t = np.empty((n, n))
    out_t[c.hub_rows] = _platform_min(to_hub, c.hub_platforms)
    out_t[off] = _through_ends(to_hub, end_hub, end_cost)
    out = out_t.T
    # two stations of one chain may also ride directly, without reaching a hub
    rows, cols, ride = c.direct
    out[rows, cols] = np.minimum(out[rows, cols], ride)
    return out
