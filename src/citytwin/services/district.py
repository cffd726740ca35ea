"""Public services over the twin: facilities from entities, nearest facility, reach and cross-border sharing.

Facilities are ``PointOfInterest`` entities (FIWARE Smart Data Models) whose property ``kind`` (or
``category``, a string or list, e.g. OSM ``hospital``, ``school``, ``nursing_home``) maps to a kind
of :data:`KINDS`; ``capacity`` (beds or places) and ``occupancy`` are read where present. Residents
are the ``PopulationCell`` entities (see ``citytwin.green.district``); where none is loaded, each
jurisdiction is cut into 1 km grid cells and the cells (unweighted) stand in for residents, which
the result says. Distances are measured in a Lambert azimuthal equal-area frame: along the road network
where road entities (``RoadSegment`` or ``Road``, as the OSM importer gives them) are loaded, by one
multi-source Dijkstra (:mod:`citytwin.services.network`), else as straight lines; the result says which.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from citytwin.errors import BadInputError, NotFoundError
from citytwin.geo.jurisdictions import Jurisdictions, areas_of
from citytwin.green.district import population_frame
from citytwin.green.projection import LocalFrame
from citytwin.services.access import capacity_per_1000, cross_border_share, nearest, reach_radius_m, share_within
from citytwin.services.network import nearest_by_network, road_lines, road_network
from citytwin.twin.model import parse_geometry

__all__ = ["GRID_M", "KINDS", "access_report", "facilities"]

#: Facility kinds and the categories (OSM amenity / social_facility values and plain names) that map to them.
KINDS = {
    "hospital": {"hospital", "clinic", "doctors", "医院", "诊所", "卫生院"},
    "elderly_care": {"elderly_care", "nursing_home", "retirement_home", "assisted_living", "养老院", "养老机构"},
    "school": {"school", "primary_school", "secondary_school", "学校", "小学", "中学"},
    "kindergarten": {"kindergarten", "幼儿园"},
}
#: Side of the grid cells that stand in for residents when no population is loaded [m].
GRID_M = 1000.0


def _kind(properties: dict) -> str | None:
    declared = properties.get("kind")
    if declared in KINDS:
        return declared
    values = properties.get("category")
    values = [values] if isinstance(values, str) else list(values or [])
    for tag in ("amenity", "social_facility"):
        tags = properties.get("tags") or {}
        if isinstance(tags, dict) and isinstance(tags.get(tag), str):
            values.append(tags[tag])
    for kind, names in KINDS.items():
        if any(v in names for v in values if isinstance(v, str)):
            return kind
    return None


def _number(entity_id: str, name: str, value) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value) or value < 0:
        raise BadInputError(f"{entity_id}: property {name} = {value!r}, expected a number >= 0")
    return float(value)


def facilities(twin, kind: str | None = None) -> pd.DataFrame:
    """Facilities of the twin: ``id``, ``name``, ``kind``, ``jurisdiction``, ``lon``, ``lat``, ``capacity``,
    ``occupancy`` (None where not given). ``kind`` filters; an unknown kind is a `BadInputError`."""
    if kind is not None and kind not in KINDS:
        raise BadInputError(f"kind {kind!r}: expected one of {', '.join(KINDS)}")
    rows = []
    for e in twin.entities(type="PointOfInterest"):
        props = e.properties or {}
        found = _kind(props)
        if found is None or (kind is not None and found != kind) or not e.location:
            continue
        point = parse_geometry(e.location).representative_point()
        rows.append({"id": e.id, "name": props.get("name") or props.get("name_zh") or e.id, "kind": found,
                     "jurisdiction": e.jurisdiction, "lon": point.x, "lat": point.y,
                     "capacity": _number(e.id, "capacity", props.get("capacity")),
                     "occupancy": _number(e.id, "occupancy", props.get("occupancy"))})
    columns = ["id", "name", "kind", "jurisdiction", "lon", "lat", "capacity", "occupancy"]
    return pd.DataFrame(rows, columns=columns)


def _locate(points: list[shapely.Point], areas: dict[str, dict]) -> list[str | None]:
    return Jurisdictions.from_areas(areas).locate_points([p.x for p in points], [p.y for p in points])


def _residents(twin, frame: LocalFrame, areas: dict[str, dict]) -> tuple[pd.DataFrame, str]:
    people = population_frame(twin)
    if len(people):
        missing = people["jurisdiction"].isna()
        if missing.any():
            points = list(shapely.points(people.loc[missing, "lon"], people.loc[missing, "lat"]))
            people.loc[missing, "jurisdiction"] = _locate(points, areas)
        x, y = frame.xy(people["lon"].to_numpy(), people["lat"].to_numpy())
        return (pd.DataFrame({"x": x, "y": y, "weight": people["population"], "jurisdiction": people["jurisdiction"]}),
                f"population distribution: {len(people)} PopulationCell entities")
    cells = []
    for code, area in areas.items():
        zone = frame.shape(area["geometry"])
        x0, y0, x1, y1 = zone.bounds
        xs, ys = np.meshgrid(np.arange(x0 + GRID_M / 2, x1, GRID_M), np.arange(y0 + GRID_M / 2, y1, GRID_M))
        keep = shapely.contains_xy(zone, xs.ravel(), ys.ravel())
        cells.append(pd.DataFrame({"x": xs.ravel()[keep], "y": ys.ravel()[keep], "weight": 1.0, "jurisdiction": code}))
    return (pd.concat(cells, ignore_index=True),
            f"zones: no population loaded, so {GRID_M:.0f} m grid cells of each jurisdiction, unweighted, "
            "stand in for residents (shares are shares of cells, not of residents)")


def _distances(twin, frame: LocalFrame, residents: pd.DataFrame, fx, fy, mode: str):
    """Distance to the nearest facility [m] (inf where none is reachable), its index (-1 where none), how the
    distance was measured, and the network figures (None for straight lines)."""
    roads = twin.entities(type="RoadSegment") + twin.entities(type="Road")
    lines, oneway = road_lines(roads, mode)
    if not lines:
        distance, index = nearest(residents["x"], residents["y"], fx, fy)
        why = "no road network loaded" if not roads else f"none of the {len(roads)} loaded roads is open to {mode}"
        return distance, index, f"straight line only: {why}", None
    x, y = frame.xy(*np.concatenate(lines).T)
    ends = np.cumsum([len(line) for line in lines])[:-1]
    network = road_network([np.column_stack(p) for p in zip(np.split(x, ends), np.split(y, ends), strict=True)],
                           oneway)
    found = nearest_by_network(network, residents["x"], residents["y"], fx, fy)
    rule = "one-way streets ignored" if mode == "walk" else "one-way streets respected"
    return found.distance_m, found.facility, (
        f"network ({network.segments} road segments open to {mode}, {rule}), plus the straight line from each "
        "resident and facility to its nearest road vertex"), {
        "mode": mode, "road_segments": network.segments, "nodes": network.nodes,
        "edges": int(network.graph.nnz), "unreached_units": int(np.isinf(found.distance_m).sum()),
        "max_resident_snap_m": float(found.resident_snap_m.max()) if len(found.resident_snap_m) else None,
        "max_facility_snap_m": float(found.facility_snap_m.max())}


def access_report(twin, kind: str, jurisdictions_wanted: list[str] | None = None, minutes: float = 15.0,
                  speed_kmh: float = 5.0, mode: str = "walk") -> dict:
    """Per jurisdiction: mean and largest distance to the nearest facility of ``kind``, the share within
    ``minutes`` at ``speed_kmh``, the share served across the border, and capacity per 1,000.

    Distances follow the loaded road network for ``mode`` (``walk`` or ``drive``, see
    :mod:`citytwin.services.network`), else straight lines. A unit whose road node reaches no facility
    counts as not within reach and is left out of the mean, the largest distance and the cross-border share.
    """
    found = facilities(twin, kind)
    if found.empty:
        raise NotFoundError(f"no facility of kind {kind!r} in the twin: load PointOfInterest entities "
                            "with a category (citytwin import osm|facilities)")
    areas = areas_of(twin)
    if jurisdictions_wanted:
        unknown = [c for c in jurisdictions_wanted if c not in areas]
        if unknown:
            raise NotFoundError(f"jurisdiction {unknown[0]!r}: expected one of {', '.join(sorted(areas))}")
        areas = {c: areas[c] for c in jurisdictions_wanted}
    missing = found["jurisdiction"].isna()
    if missing.any():
        all_areas = areas_of(twin)
        found.loc[missing, "jurisdiction"] = _locate(list(shapely.points(found.loc[missing, "lon"],
                                                                         found.loc[missing, "lat"])), all_areas)
    frame = LocalFrame.around([a["geometry"] for a in areas.values()])
    residents, basis = _residents(twin, frame, areas)
    residents = residents[residents["jurisdiction"].isin(list(areas))]
    fx, fy = frame.xy(found["lon"].to_numpy(), found["lat"].to_numpy())
    radius = reach_radius_m(minutes, speed_kmh)
    distance, index, distance_basis, network = _distances(twin, frame, residents, fx, fy, mode)
    reached = index >= 0
    home = residents["jurisdiction"].to_numpy(dtype=object)
    weights = residents["weight"].to_numpy(dtype=float)
    served_in = found["jurisdiction"].to_numpy(dtype=object)[index[reached]]
    shared = cross_border_share(home[reached], weights[reached], served_in)
    totals = {c: float(weights[home == c].sum()) for c in areas}
    capacity = found.dropna(subset=["capacity"]).groupby("jurisdiction")["capacity"].sum().to_dict()
    per_1000 = capacity_per_1000(capacity, totals) if basis.startswith("population") else {}
    rows = []
    for code in areas:
        mine = home == code
        w = weights[mine]
        got = mine & reached
        rows.append({
            "jurisdiction": code, "name_zh": areas[code]["name_zh"], "name_en": areas[code]["name_en"],
            "units": int(mine.sum()), "residents": totals[code] if basis.startswith("population") else None,
            "facilities": int((found["jurisdiction"] == code).sum()),
            "unreached_units": int((mine & ~reached).sum()),
            "mean_distance_m": float(np.average(distance[got], weights=weights[got])) if weights[got].sum() else None,
            "max_distance_m": float(distance[got].max()) if got.any() else None,
            "within_reach_pct": share_within(distance[mine], w, radius) if w.sum() else None,
            "nearest_in_other_jurisdiction_pct": shared.get(code),
            "capacity": float(capacity.get(code, 0.0)),
            "capacity_per_1000_residents": per_1000.get(code),
        })
    return {
        "kind": kind, "facilities": int(len(found)), "reach_minutes": minutes, "mode": mode, "speed_kmh": speed_kmh,
        "reach_radius_m": radius, "basis": basis, "distance_basis": distance_basis, "network": network,
        "method": ("one multi-source Dijkstra from all facilities (scipy.sparse.csgraph), k-d tree snapping"
                   if network else "k-d tree (scipy cKDTree)")
                  + f" in a Lambert azimuthal equal-area frame ({frame.proj4})",
        "jurisdictions": rows,
    }
