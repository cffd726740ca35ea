"""Network distance to public-service facilities over a road network: nearest facility for every resident at once.

Pure functions over coordinates in a metric plane [m] (a :class:`~citytwin.green.projection.LocalFrame`),
plus :func:`road_lines`, which reads the road entities the OSM importer gives (``RoadSegment``, or
``Road``, with a LineString ``location`` and the OSM tags in ``osmTags``).

* The graph: a node at every vertex of every road line; vertices with equal coordinates are one node,
  so two ways join where they share a vertex (the caller rounds lon/lat to 1e-7°, about 1 cm, before
  projecting). Each pair of consecutive vertices is an edge whose length is their straight-line
  distance in the plane [m]. Two ways that cross without a shared vertex (a bridge over a street) do
  not join, as in OSM.
* Travel modes. ``walk``: every edge both ways (one-way streets are ignored: pedestrians walk both
  ways), motorways and ways tagged ``foot=no`` left out (OSM wiki, "OSM tags for routing/Access
  restrictions", China: no pedestrians on motorways). ``drive``: footways, paths, steps, cycleways and
  pedestrian streets left out, and ``oneway=yes|true|1`` (along the way), ``oneway=-1|reverse``
  (against it) respected, with the oneway OSM implies on motorways and roundabouts (OSM wiki, "Key:oneway").
* Snapping: each resident and each facility is joined to its nearest graph node (k-d tree) by a straight
  line, whose length is added to the network distance. Nodes are vertices, not points along an edge,
  so a point beside the middle of a long straight segment is joined to its nearer end.
* Nearest facility: one multi-source Dijkstra (Dijkstra 1959; ``scipy.sparse.csgraph.dijkstra`` with
  ``min_only=True``) from all facilities at once gives, for every node, the distance to the nearest
  facility and which one, in O((V + E) log V) whatever the number of facilities. Each facility is a
  node of its own, joined to its snapped road node by an edge of its snap length, so its snap distance
  counts on the way. Driving distances are measured from the resident to the facility: the search runs
  on the reversed graph. A resident whose node reaches no facility has an infinite distance and
  facility index -1.

References
----------
.. [1] Dijkstra, E. W. (1959). A note on two problems in connexion with graphs. Numer. Math. 1, 269-271.
.. [2] OpenStreetMap wiki, "Key:oneway", "Key:highway" and "OSM tags for routing/Access restrictions".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from citytwin.errors import BadInputError
from citytwin.services.access import _xy
from citytwin.twin.model import parse_geometry

__all__ = ["MODES", "NetworkNearest", "RoadNetwork", "nearest_by_network", "road_lines", "road_network"]

#: Travel modes: which ways each may use and whether one-way streets bind it.
MODES = ("walk", "drive")
_NOT_WALKABLE = {"motorway", "motorway_link"}
_NOT_DRIVABLE = {"footway", "pedestrian", "path", "steps", "cycleway", "bridleway", "corridor"}
_FORWARD, _BACKWARD = {"yes", "true", "1"}, {"-1", "reverse"}


@dataclass(frozen=True)
class RoadNetwork:
    """A road graph: node coordinates ``x``, ``y`` [m] and ``graph[i, j]``, the length of the edge i → j [m]."""

    x: np.ndarray
    y: np.ndarray
    graph: sp.csr_array
    segments: int

    @property
    def nodes(self) -> int:
        return len(self.x)


@dataclass(frozen=True)
class NetworkNearest:
    """Per resident: network distance to the nearest facility [m] (inf if none is reachable) and its index
    (-1 if none); the straight-line snap distances of residents and facilities to their nodes [m]."""

    distance_m: np.ndarray
    facility: np.ndarray
    resident_snap_m: np.ndarray
    facility_snap_m: np.ndarray


def road_network(lines, oneway=None) -> RoadNetwork:
    """The graph of road ``lines`` (each a sequence of (x, y) vertices [m]); vertices with equal coordinates join.

    ``oneway`` gives per line 0 (both ways), 1 (only along the line's vertex order) or -1 (only against it);
    None means every line both ways.
    """
    parts = [np.asarray(line, dtype=float) for line in lines]
    if not parts:
        raise BadInputError("no road line: expected at least one line of two or more vertices")
    for i, part in enumerate(parts):
        if part.ndim != 2 or part.shape[1] != 2 or len(part) < 2:
            raise BadInputError(f"road line {i}: shape {part.shape}, expected two or more (x, y) vertices")
        if not np.all(np.isfinite(part)):
            raise BadInputError(f"road line {i}: coordinates must be finite numbers [m]")
    direction = np.zeros(len(parts), dtype=np.int8) if oneway is None else np.asarray(oneway).ravel()
    if direction.shape != (len(parts),) or not np.isin(direction, (-1, 0, 1)).all():
        raise BadInputError(f"oneway: {direction.tolist()[:5]}..., expected -1, 0 or 1 for each of "
                            f"the {len(parts)} lines")
    direction = direction.astype(np.int8)
    coords = np.concatenate(parts)
    # x + iy sorts and compares like the (x, y) pair, and much faster than np.unique(axis=0)
    keys, node = np.unique(coords[:, 0] + 1j * coords[:, 1], return_inverse=True)
    node = node.ravel()
    last = np.cumsum([len(p) for p in parts]) - 1
    start = np.setdiff1d(np.arange(len(coords) - 1), last)  # an edge from each vertex but a line's last
    a, b = node[start], node[start + 1]
    length = np.hypot(*(coords[start + 1] - coords[start]).T)
    way = np.repeat(direction, [len(p) - 1 for p in parts])
    keep = a != b
    a, b, length, way = a[keep], b[keep], length[keep], way[keep]
    tail = np.concatenate([a[way >= 0], b[way <= 0]])
    head = np.concatenate([b[way >= 0], a[way <= 0]])
    length = np.concatenate([length[way >= 0], length[way <= 0]])
    # the same edge given twice (two ways over the same vertices) must not add up, as a COO → CSR sum would
    _, first = np.unique(tail.astype(np.int64) * len(keys) + head, return_index=True)
    graph = sp.csr_array((length[first], (tail[first], head[first])), shape=(len(keys), len(keys)))
    return RoadNetwork(keys.real.copy(), keys.imag.copy(), graph, len(parts))


def nearest_by_network(network: RoadNetwork, resident_x, resident_y, facility_x, facility_y) -> NetworkNearest:
    """Network distance from each resident to the nearest facility [m] and its index: one multi-source Dijkstra."""
    residents = _xy(resident_x, resident_y, "residents")
    facilities = _xy(facility_x, facility_y, "facilities")
    if len(facilities) == 0:
        raise BadInputError("no facility: expected at least one facility to measure distances to")
    tree = cKDTree(np.column_stack([network.x, network.y]))
    resident_snap, resident_node = tree.query(residents, k=1, workers=-1)
    facility_snap, facility_node = tree.query(facilities, k=1, workers=-1)
    n, f = network.nodes, len(facilities)
    own = np.arange(n, n + f)
    # facility nodes n..n+f-1, joined both ways to their road node; the graph is built reversed (head → tail)
    # in one COO → CSR step, which keeps a snap of 0 m as a stored zero: csgraph reads it as an edge of length 0
    roads = network.graph.tocoo()
    row = np.concatenate([roads.col, own, facility_node])
    col = np.concatenate([roads.row, facility_node, own])
    length = np.concatenate([roads.data, facility_snap, facility_snap])
    reversed_graph = sp.csr_array((length, (row, col)), shape=(n + f, n + f))
    distance, _, source = dijkstra(reversed_graph, directed=True, indices=own, min_only=True,
                                   return_predecessors=True)
    to_node = distance[resident_node]
    reached = np.isfinite(to_node)
    facility = np.where(reached, source[resident_node] - n, -1).astype(np.int64)
    return NetworkNearest(np.where(reached, resident_snap + to_node, np.inf), facility,
                          np.asarray(resident_snap, dtype=float), np.asarray(facility_snap, dtype=float))


def _tags(properties: dict) -> dict:
    tags = properties.get("osmTags")
    tags = dict(tags) if isinstance(tags, dict) else {k: v for k, v in properties.items() if isinstance(v, str)}
    if "highway" not in tags and isinstance(properties.get("roadClass"), str):
        tags["highway"] = properties["roadClass"]
    return tags


def _direction(tags: dict, mode: str) -> int | None:
    """0, 1 or -1 as in :func:`road_network`, or None if the way is closed to ``mode``."""
    highway = tags.get("highway")
    if mode == "walk":
        return None if highway in _NOT_WALKABLE or tags.get("foot") == "no" else 0
    if highway in _NOT_DRIVABLE or tags.get("motor_vehicle") == "no" or tags.get("access") == "no":
        return None
    oneway = tags.get("oneway")
    if oneway in _FORWARD or (oneway is None and (highway == "motorway" or tags.get("junction") == "roundabout")):
        return 1
    return -1 if oneway in _BACKWARD else 0


def road_lines(entities, mode: str = "walk") -> tuple[list[np.ndarray], list[int]]:
    """The lon/lat vertex arrays [degrees] of road entities open to ``mode``, rounded to 1e-7°, and their
    one-way directions; a Polygon (a pedestrian area) contributes its outline."""
    if mode not in MODES:
        raise BadInputError(f"mode {mode!r}: expected one of {', '.join(MODES)}")
    lines, oneway = [], []
    for entity in entities:
        direction = _direction(_tags(entity.properties or {}), mode)
        if direction is None or not entity.location:
            continue
        shape = parse_geometry(entity.location)
        parts = getattr(shape, "geoms", [shape])
        for part in parts:
            ring = part.exterior if part.geom_type == "Polygon" else part
            if ring.geom_type in ("LineString", "LinearRing"):
                lines.append(np.round(np.asarray(ring.coords)[:, :2], 7))
                oneway.append(direction)
    return lines, oneway
