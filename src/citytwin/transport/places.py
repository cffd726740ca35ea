"""Where the stations are: coordinates, the jurisdiction holding each, reach and cross-border links.

Coordinates come from Baidu Maps' subway-map data (2023 dump, Baidu Mercator BD-09MC metres,
``data/baidu_stations_bd09mc.parquet``), converted BD-09MC → BD-09 → GCJ-02 → WGS 84 with
:func:`citytwin.geo.crs.convert`. Caveats of the source (``DATA_SOURCES.md``): positions are
good to about ±0.6 km after conversion (two central stations checked sit ~0.5 km west of their
published WGS 84 positions); the dump lacks some stations (花庄, 环球度假区, 北运河东, Line 7 east of
焦化厂, Lines 11, 17, 19, Yanfang, Xijiao); © Baidu Maps, for research and testing only. A
station with no coordinates has no jurisdiction: the functions here list such stations rather
than guess.

A station's jurisdiction is the boundary polygon (``citytwin.datasets.reference.boundaries``)
that contains its point.
"""

from __future__ import annotations

import re
from importlib import resources

import pandas as pd

from citytwin.errors import BadInputError
from citytwin.geo.crs import convert
from citytwin.geo.jurisdictions import Jurisdictions
from citytwin.transport.network import Network
from citytwin.transport.travel import TravelGraph

__all__ = ["REFERENCE_JURISDICTIONS", "cross_border_links", "jurisdiction_reach", "station_places", "unmatched_points"]

_QUALIFIER = re.compile(r"[(（]([^)）]*)[)）]")

#: The sub-center and the three Hebei counties planned with it (DESIGN.md).
REFERENCE_JURISDICTIONS = ("110112", "131082", "131028", "131024")


def _baidu() -> pd.DataFrame:
    return pd.read_parquet(resources.files("citytwin.transport") / "data" / "baidu_stations_bd09mc.parquet")


def station_places(network: Network, boundaries: dict, points: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per station of ``network``: ``station``, ``lon``, ``lat`` [° WGS 84], ``jurisdiction``
    (adcode, or missing), ``located`` (False where the coordinate source has no position).

    ``points`` gives ``name, lon, lat`` in WGS 84; by default the Baidu 2023 positions, converted.
    A name found several times (one row per line in the source) takes the mean position.
    """
    if points is None:
        raw = _baidu()
        lon, lat = convert(raw["px_bd09mc"].to_numpy(), raw["py_bd09mc"].to_numpy(), "bd09mc", "wgs84")
        points = pd.DataFrame({"name": raw["name"], "lon": lon, "lat": lat, "line": raw["line_label"]})
    for column in ("name", "lon", "lat"):
        if column not in points.columns:
            raise BadInputError(f"station points: missing column {column!r}, expected name, lon, lat")
    out = pd.DataFrame({"station": list(network.stations)})
    positions = [_position(points, station) for station in out["station"]]
    out["lon"] = [p[0] for p in positions]
    out["lat"] = [p[1] for p in positions]
    out["located"] = out["lon"].notna()
    out["jurisdiction"] = pd.Series([None] * len(out), dtype="object")
    located = out[out["located"]]
    out.loc[located.index, "jurisdiction"] = pd.Series(
        Jurisdictions(boundaries).locate_points(located["lon"].to_numpy(), located["lat"].to_numpy()),
        index=located.index, dtype="object")
    return out


def _base(name: str) -> str:
    """A station name without its parenthesised qualifier: 大钟寺(13号线) → 大钟寺."""
    return _QUALIFIER.sub("", name).strip()


def _position(points: pd.DataFrame, station: str) -> tuple[float, float]:
    """Mean position of the points named ``station``; failing that, of those with the same base
    name, restricted to the line a ``(N号线)`` qualifier names when the source has it."""
    rows = points[points["name"] == station]
    if rows.empty:
        rows = points[points["name"].map(_base) == _base(station)]
        qualifier = _QUALIFIER.search(station)
        if qualifier and "line" in points.columns:
            on_line = rows[rows["line"].astype(str).str.startswith(qualifier.group(1))]
            rows = on_line if not on_line.empty else rows
    if rows.empty:
        return float("nan"), float("nan")
    return float(rows["lon"].mean()), float(rows["lat"].mean())


def jurisdiction_reach(graph: TravelGraph, places: pd.DataFrame, minutes: float,
                       jurisdictions: tuple[str, ...] = REFERENCE_JURISDICTIONS) -> list[dict]:
    """Per jurisdiction: its stations, and the stations reachable from them within ``minutes``
    (counted by the jurisdiction they lie in; ``unlocated`` for stations without coordinates)."""
    where = dict(zip(places["station"], places["jurisdiction"], strict=True))
    out = []
    for code in jurisdictions:
        own = sorted(s for s, j in where.items() if j == code)
        reach = graph.reachable(own, minutes) if own else {}
        by_place: dict[str, int] = {}
        for station in reach:
            key = where.get(station) or "unlocated"
            by_place[key] = by_place.get(key, 0) + 1
        out.append({"jurisdiction": code, "stations": own, "minutes": minutes,
                    "reachable": len(reach), "reachable_by_jurisdiction": dict(sorted(by_place.items())),
                    "lines": sorted({line for s in own for line in graph.network.lines_at(s)})})
    return out


def cross_border_links(network: Network, places: pd.DataFrame) -> list[dict]:
    """Segments whose two stations lie in different jurisdictions (both located), line by line."""
    where = dict(zip(places["station"], places["jurisdiction"], strict=True))
    out = []
    for line in network.lines:
        for a, b, d in line.segments():
            ja, jb = where.get(a), where.get(b)
            if ja is not None and jb is not None and ja != jb:
                out.append({"line": line.name, "from": a, "to": b, "from_jurisdiction": ja, "to_jurisdiction": jb,
                            "distance_m": d})
    return out


def unmatched_points(network: Network) -> list[str]:
    """Names in the coordinate source that match no station of ``network`` (renamed or closed)."""
    known = set(network.stations) | {_base(s) for s in network.stations}
    return sorted(n for n in set(_baidu()["name"]) if n not in known and _base(n) not in known)

