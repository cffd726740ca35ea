"""Travel time on the metro network: a time-weighted graph, shortest trips and the all-pairs matrix.

The time of a trip is

    T = Σ_segments d / v_line + dwell_s × (intermediate stops) + transfer_s × (transfers)    [s]

with ``v_line = speed_factor × design speed`` the line's running speed between stations. Every
value of :class:`TravelModel` is an ASSUMPTION, configurable, chosen because we found no
published average running speed per Beijing line: ``speed_factor`` 0.6 (trains accelerate and
brake between stops and run below the design maximum), ``dwell_s`` 30 s at each intermediate
stop and ``transfer_s`` 300 s per change of line (walk and wait). Waiting for the first train is
not counted.

Graph (one directed graph for all lines): each station has a *departure* node (a trip starts
there) and an *arrival* node (a trip ends there), and each (line, station) a platform node.
Departure → platform and platform → arrival cost 0; a segment platform → platform costs its
running time plus one dwell; a transfer platform → platform of another line at the same station
costs ``transfer_s − dwell_s``. A ride of k segments then carries k dwells for its k − 1
intermediate stops, and each transfer returns one: every trip's cost is T + ``dwell_s``
exactly, so the shortest paths are those of T and T is the cost minus ``dwell_s`` (which is why
``transfer_s ≥ dwell_s`` is required). Shortest paths: Dijkstra (Dijkstra 1959) as
``scipy.sparse.csgraph.dijkstra`` implements it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from citytwin.errors import BadInputError, NotFoundError
from citytwin.transport._allpairs import contract, station_costs
from citytwin.transport.network import Network

__all__ = ["Leg", "TravelGraph", "TravelModel", "Trip"]


@dataclass(frozen=True)
class TravelModel:
    """The time parameters (all ASSUMPTIONS, see the module docstring).

    ``speeds_kmh`` overrides the running speed of named lines [km/h]."""

    speed_factor: float = 0.6
    dwell_s: float = 30.0
    transfer_s: float = 300.0
    speeds_kmh: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0 < self.speed_factor <= 1:
            raise BadInputError(f"speed_factor {self.speed_factor!r}: expected a fraction of design speed in (0, 1]")
        if not self.dwell_s >= 0:
            raise BadInputError(f"dwell_s {self.dwell_s!r}: expected ≥ 0 s")
        if not self.transfer_s >= self.dwell_s:
            raise BadInputError(f"transfer_s {self.transfer_s!r}: expected ≥ dwell_s ({self.dwell_s} s)")
        for line, v in self.speeds_kmh.items():
            if not v > 0:
                raise BadInputError(f"speed of line {line!r} = {v!r} km/h: expected > 0")

    def speed_kmh(self, line: str, design_speed_kmh: float) -> float:
        """The running speed of a line between stations [km/h]."""
        return self.speeds_kmh.get(line, self.speed_factor * design_speed_kmh)


@dataclass(frozen=True)
class Leg:
    """One ride on one line: boarding and alighting stations, stops passed, distance [m], time [s]."""

    line: str
    board: str
    alight: str
    stations: tuple[str, ...]
    distance_m: float
    time_s: float


@dataclass(frozen=True)
class Trip:
    origin: str
    destination: str
    time_s: float
    distance_m: float
    legs: tuple[Leg, ...]

    @property
    def transfers(self) -> int:
        return max(len(self.legs) - 1, 0)

    def to_dict(self) -> dict:
        return {"origin": self.origin, "destination": self.destination, "time_s": round(self.time_s, 1),
                "time_min": round(self.time_s / 60, 1), "distance_m": self.distance_m,
                "transfers": self.transfers, "legs": [leg.__dict__ for leg in self.legs]}


class TravelGraph:
    """The time-weighted graph of a network under a :class:`TravelModel`."""

    def __init__(self, network: Network, model: TravelModel | None = None) -> None:
        self.network = network
        self.model = model or TravelModel()
        self.stations = network.stations
        self._index = {s: i for i, s in enumerate(self.stations)}
        n = len(self.stations)
        self._platforms: list[tuple[str, str]] = []  # node 2n + k -> (line, station)
        platform_of: dict[tuple[str, str], int] = {}
        rows, cols, weights, meters = [], [], [], []

        def edge(a: int, b: int, w: float, m: float = 0.0) -> None:
            rows.append(a)
            cols.append(b)
            weights.append(w)
            meters.append(m)

        for line in network.lines:
            for station in line.stations:
                node = 2 * n + len(self._platforms)
                platform_of[(line.name, station)] = node
                self._platforms.append((line.name, station))
                edge(self._index[station], node, 0.0)  # depart: station → platform
                edge(node, n + self._index[station], 0.0)  # arrive: platform → station
            speed_ms = self.model.speed_kmh(line.name, line.design_speed_kmh) / 3.6
            for a, b, d in line.segments():
                cost = d / speed_ms + self.model.dwell_s
                edge(platform_of[(line.name, a)], platform_of[(line.name, b)], cost, d)
                edge(platform_of[(line.name, b)], platform_of[(line.name, a)], cost, d)
        change = self.model.transfer_s - self.model.dwell_s
        for station in self.stations:
            here = [platform_of[(name, station)] for name in network.lines_at(station)]
            for a in here:
                for b in here:
                    if a != b:
                        edge(a, b, change)
        size = 2 * n + len(self._platforms)
        # explicit zeros would vanish from a sparse matrix: store costs shifted by a tiny epsilon
        self._graph = csr_array((np.asarray(weights) + _EPS, (rows, cols)), shape=(size, size))
        self._meters = {(a, b): m for a, b, m in zip(rows, cols, meters, strict=True)}
        self._n = n
        self._contracted = None  # built by the first matrix(); routes and reach do not need it

    @property
    def csgraph(self) -> csr_array:
        """The weighted directed graph [s]: node i < n departs from station i, node n + i arrives at
        it, nodes from 2n are platforms. A trip's time is its cost minus ``dwell_s``."""
        return self._graph

    def _solve(self, origins: list[int], predecessors: bool = False):
        return dijkstra(self._graph, directed=True, indices=origins, return_predecessors=predecessors)

    def matrix(self) -> np.ndarray:
        """All-pairs travel times [s], rows origin and columns destination in :attr:`stations`
        order; 0 on the diagonal, ``inf`` where no path exists. Computed on the contracted graph
        (:mod:`citytwin.transport._allpairs`), which gives the costs of Dijkstra on this graph."""
        if self._contracted is None:
            speeds = {line.name: self.model.speed_kmh(line.name, line.design_speed_kmh) / 3.6
                      for line in self.network.lines}
            self._contracted = contract(self.network, speeds, self.model.dwell_s, self.model.transfer_s)
        out = station_costs(self._contracted) - self.model.dwell_s
        np.fill_diagonal(out, 0.0)
        return out

    def matrix_dijkstra(self) -> np.ndarray:
        """The same matrix by ``scipy.sparse.csgraph.dijkstra`` from every station on the full
        graph (a check of :meth:`matrix`). Each edge's 1e-9 s epsilon is left in."""
        n = self._n
        out = self._solve(list(range(n)))[:, n:2 * n] - self.model.dwell_s
        np.fill_diagonal(out, 0.0)
        return out

    def reachable(self, origins: list[str], minutes: float) -> dict[str, float]:
        """Stations reachable within ``minutes`` from any of ``origins``, with the shortest time [min]."""
        if not minutes >= 0:
            raise BadInputError(f"minutes {minutes!r}: expected ≥ 0")
        idx = [self._index[self.network.check_station(s)] for s in origins]
        if not idx:
            return {}
        n = self._n
        cost = self._solve(idx)[:, n:2 * n] - self.model.dwell_s
        for row, i in enumerate(idx):
            cost[row, i] = 0.0
        best = cost.min(axis=0) / 60.0
        return {s: float(best[i]) for i, s in enumerate(self.stations) if best[i] <= minutes + 1e-9}

    def route(self, origin: str, destination: str) -> Trip:
        """The fastest trip between two stations, leg by leg."""
        i = self._index[self.network.check_station(origin)]
        j = self._index[self.network.check_station(destination)]
        if i == j:
            return Trip(origin, destination, 0.0, 0.0, ())
        cost, pred = self._solve([i], predecessors=True)
        target = self._n + j
        if not np.isfinite(cost[0, target]):
            raise NotFoundError(f"no metro trip from {origin!r} to {destination!r} in this network")
        path = [target]
        while path[-1] != i:
            path.append(int(pred[0, path[-1]]))
        path.reverse()
        platforms = [self._platforms[k - 2 * self._n] for k in path[1:-1]]
        legs, distance = [], 0.0
        start = 0
        for k in range(1, len(platforms) + 1):
            if k == len(platforms) or platforms[k][0] != platforms[start][0]:
                ride = platforms[start:k]
                meters = sum(self._meters[(path[1 + m], path[2 + m])] for m in range(start, k - 1))
                seconds = self._ride_seconds(ride[0][0], meters, len(ride) - 1)
                legs.append(Leg(ride[0][0], ride[0][1], ride[-1][1], tuple(s for _, s in ride), meters, seconds))
                distance += meters
                start = k
        time_s = float(cost[0, target]) - self.model.dwell_s
        return Trip(origin, destination, time_s, distance, tuple(legs))

    def _ride_seconds(self, line: str, meters: float, segments: int) -> float:
        speed_ms = self.model.speed_kmh(line, self.network.line(line).design_speed_kmh) / 3.6
        return meters / speed_ms + self.model.dwell_s * max(segments - 1, 0)


_EPS = 1e-9
