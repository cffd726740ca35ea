"""GTFS Schedule feeds (a directory or a .zip) → ``GtfsStation``, ``GtfsStop`` and ``GtfsRoute`` entities.

Follows the GTFS Schedule Reference (gtfs.org/documentation/schedule/reference): the files
``stops.txt``, ``routes.txt``, ``trips.txt`` and ``stop_times.txt`` are required here, with the
fields the reference marks required (``stop_id``; ``route_id``, ``route_type``; ``route_id``,
``service_id``, ``trip_id``; ``trip_id``, ``stop_id``, ``stop_sequence``) and ``stop_lat``/``stop_lon``
for stops and stations (required for ``location_type`` 0, 1 and 2). ``shapes.txt`` is optional.
``agency.txt`` and the calendars are not read: the twin keeps places and routes, not service days.

Types are the Smart Data Models of dataModel.UrbanMobility: a stop or platform
(``location_type`` 0 or empty) → ``GtfsStop``, a station (1) → ``GtfsStation`` with ``hasStop``;
entrances, generic nodes and boarding areas (2–4) are skipped and counted. A route → ``GtfsRoute``
whose ``hasStop`` is the stop sequence of its longest trip and whose location is that trip's shape
(``shapes.txt``) or else the line through its stops.

Errors name the file and line (the header is line 1): a missing file or required column, a
non-numeric coordinate, a ``stop_times`` row whose stop or trip is not defined, a trip whose route
is not defined. Nothing is committed then.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
import zlib
from pathlib import Path

from citytwin.errors import BadInputError, NotFoundError
from citytwin.importers._build import ImportReport, Jurisdictions, entity_id, reference_jurisdictions
from citytwin.twin.model import Entity

__all__ = ["REQUIRED_COLUMNS", "read_gtfs"]

#: Required files and, for each, the columns this importer requires (GTFS Schedule Reference).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "stops.txt": ("stop_id", "stop_lat", "stop_lon"),
    "routes.txt": ("route_id", "route_type"),
    "trips.txt": ("route_id", "service_id", "trip_id"),
    "stop_times.txt": ("trip_id", "stop_id", "stop_sequence"),
}
_SHAPE_COLUMNS = ("shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence")


class _Feed:
    """Text files of a feed directory or zip."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if path.is_dir():
            self._names = {p.name for p in path.iterdir() if p.is_file()}
            self._zip = None
        elif path.is_file() and zipfile.is_zipfile(path):
            self._zip = path  # opened per file read, so no handle outlives the import
            with zipfile.ZipFile(path) as archive:
                self._names = {Path(n).name: n for n in archive.namelist() if not n.endswith("/")}
        elif path.exists():
            raise BadInputError(f"{path}: a GTFS directory or .zip expected")
        else:
            raise NotFoundError(f"GTFS feed {path} does not exist")

    def _read_member(self, name: str) -> bytes:
        try:
            with zipfile.ZipFile(self._zip) as archive:
                return archive.read(self._names[name])
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as e:
            raise BadInputError(f"{self.path}: member {self._names[name]} cannot be read: {e}") from None

    def has(self, name: str) -> bool:
        return name in self._names

    def rows(self, name: str, required: tuple[str, ...]):
        """(line number, {column: value}) of one file, after checking its header."""
        if not self.has(name):
            raise BadInputError(f"{self.path}: required file {name} is missing")
        raw = self._read_member(name) if self._zip else (self.path / name).read_bytes()
        try:
            text = raw.decode("utf-8-sig")  # GTFS files are UTF-8, a BOM is allowed
        except UnicodeDecodeError as e:
            raise BadInputError(f"{self.path}/{name}: not UTF-8 text ({e})") from None
        reader = csv.reader(io.StringIO(text, newline=""))
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in required if c not in header]
        if missing:
            raise BadInputError(f"{self.path}/{name}: line 1: required columns {missing} are missing")
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise BadInputError(f"{self.path}/{name}: line {reader.line_num}: {len(row)} fields, "
                                    f"the header has {len(header)}")
            yield reader.line_num, dict(zip(header, (c.strip() for c in row), strict=True))


def _coordinate(row: dict, column: str, where: str, low: float, high: float) -> float:
    try:
        value = float(row[column])
    except ValueError:
        raise BadInputError(f"{where}: {column} {row[column]!r} is not a number") from None
    if not (math.isfinite(value) and low <= value <= high):
        raise BadInputError(f"{where}: {column} {value} is outside {low}..{high}")
    return value


def _integer(row: dict, column: str, where: str) -> int:
    try:
        return int(row[column])
    except ValueError:
        raise BadInputError(f"{where}: {column} {row[column]!r} is not a whole number") from None


def _line(points: list[list[float]]) -> dict | None:
    distinct = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    return {"type": "LineString", "coordinates": distinct} if len(distinct) >= 2 else None


def read_gtfs(path: str | Path, source: str | None = None, jurisdictions: Jurisdictions | None = None) -> ImportReport:
    """The stations, stops and routes of a GTFS feed as entities, not yet committed."""
    path = Path(path)
    feed = _Feed(path)
    source = source or path.stem
    jurisdictions = jurisdictions or reference_jurisdictions()
    report = ImportReport(str(path), "gtfs")

    stops: dict[str, dict] = {}
    for line, row in feed.rows("stops.txt", REQUIRED_COLUMNS["stops.txt"]):
        where = f"{path}/stops.txt: line {line}"
        if not row["stop_id"]:
            raise BadInputError(f"{where}: stop_id is empty")
        if row["stop_id"] in stops:
            raise BadInputError(f"{where}: stop_id {row['stop_id']!r} is repeated")
        kind = row.get("location_type") or "0"
        if kind not in ("0", "1", "2", "3", "4"):
            raise BadInputError(f"{where}: location_type {kind!r} is not one of 0-4")
        point = None
        if kind in ("0", "1", "2") or row["stop_lat"] or row["stop_lon"]:
            point = [_coordinate(row, "stop_lon", where, -180, 180), _coordinate(row, "stop_lat", where, -90, 90)]
        stops[row["stop_id"]] = {"row": row, "kind": kind, "point": point, "line": line}

    routes: dict[str, dict] = {}
    for line, row in feed.rows("routes.txt", REQUIRED_COLUMNS["routes.txt"]):
        where = f"{path}/routes.txt: line {line}"
        if not row["route_id"] or row["route_id"] in routes:
            raise BadInputError(f"{where}: route_id {row['route_id']!r} is empty or repeated")
        routes[row["route_id"]] = {"row": row, "type": _integer(row, "route_type", where), "line": line}

    trips: dict[str, dict] = {}
    for line, row in feed.rows("trips.txt", REQUIRED_COLUMNS["trips.txt"]):
        where = f"{path}/trips.txt: line {line}"
        if row["route_id"] not in routes:
            raise BadInputError(f"{where}: route_id {row['route_id']!r} is not in routes.txt")
        if not row["trip_id"] or row["trip_id"] in trips:
            raise BadInputError(f"{where}: trip_id {row['trip_id']!r} is empty or repeated")
        trips[row["trip_id"]] = {"route": row["route_id"], "shape": row.get("shape_id", ""), "stops": []}

    for line, row in feed.rows("stop_times.txt", REQUIRED_COLUMNS["stop_times.txt"]):
        where = f"{path}/stop_times.txt: line {line}"
        if row["trip_id"] not in trips:
            raise BadInputError(f"{where}: trip_id {row['trip_id']!r} is not in trips.txt")
        if row["stop_id"] not in stops:
            raise BadInputError(f"{where}: stop_id {row['stop_id']!r} is not in stops.txt")
        trips[row["trip_id"]]["stops"].append((_integer(row, "stop_sequence", where), row["stop_id"]))

    shapes: dict[str, list] = {}
    if feed.has("shapes.txt"):
        for line, row in feed.rows("shapes.txt", _SHAPE_COLUMNS):
            where = f"{path}/shapes.txt: line {line}"
            point = [_coordinate(row, "shape_pt_lon", where, -180, 180),
                     _coordinate(row, "shape_pt_lat", where, -90, 90)]
            shapes.setdefault(row["shape_id"], []).append((_integer(row, "shape_pt_sequence", where), point))

    def stop_urn(stop_id: str) -> str:
        return entity_id("GtfsStation" if stops[stop_id]["kind"] == "1" else "GtfsStop", source, stop_id)

    children: dict[str, list[str]] = {}
    for stop_id, stop in stops.items():
        parent = stop["row"].get("parent_station", "")
        if parent:
            if parent not in stops or stops[parent]["kind"] != "1":
                raise BadInputError(f"{path}/stops.txt: line {stop['line']}: parent_station {parent!r} "
                                    "is not a station (location_type 1) in stops.txt")
            children.setdefault(parent, []).append(stop_id)

    for stop_id, stop in stops.items():
        if stop["kind"] not in ("0", "1"):
            report.skipped[f"stop with location_type {stop['kind']}"] += 1
            continue
        row = stop["row"]
        location = {"type": "Point", "coordinates": stop["point"]}
        properties = {"name": row.get("stop_name", ""), "code": row.get("stop_code", ""), "stopId": stop_id,
                      "source": source}
        if stop["kind"] == "1":
            properties["hasStop"] = [stop_urn(c) for c in children.get(stop_id, []) if stops[c]["kind"] == "0"]
        elif row.get("parent_station"):
            properties["hasParentStation"] = stop_urn(row["parent_station"])
        report.add(Entity(stop_urn(stop_id), "GtfsStation" if stop["kind"] == "1" else "GtfsStop",
                          jurisdictions.locate(location), location, properties), f"stops.txt line {stop['line']}")

    for route_id, route in routes.items():
        route_trips = [t for t in trips.values() if t["route"] == route_id]
        longest = max(route_trips, key=lambda t: len(t["stops"]), default=None)
        sequence = [s for _, s in sorted(longest["stops"])] if longest else []
        location = None
        if longest and longest["shape"] in shapes:
            location = _line([p for _, p in sorted(shapes[longest["shape"]])])
        if location is None:
            location = _line([stops[s]["point"] for s in sequence if stops[s]["point"] is not None])
        row = route["row"]
        properties = {"shortName": row.get("route_short_name", ""), "name": row.get("route_long_name", ""),
                      "routeType": route["type"], "routeColor": row.get("route_color", ""),
                      "hasStop": [stop_urn(s) for s in sequence], "trips": len(route_trips),
                      "routeId": route_id, "source": source}
        report.add(Entity(entity_id("GtfsRoute", source, route_id), "GtfsRoute",
                          jurisdictions.locate(location) if location else None, location, properties),
                   f"routes.txt line {route['line']}")
    return report
