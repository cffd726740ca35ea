"""CSV and XLSX facility registries → ``PointOfInterest`` entities.

A registry is a table with one facility per row. A mapping names the columns that hold each
field; ``id``, ``name``, ``kind``, ``lon`` and ``lat`` are required, ``capacity``, ``occupancy``
and ``jurisdiction`` optional. It is given as a JSON or TOML file::

    source = "tongzhou-care-homes"     # id prefix; default: the file name without extension
    crs = "gcj02"                      # wgs84 | gcj02 | bd09 | bd09mc; default wgs84
    licence = "CC BY 4.0"              # optional, copied to every entity
    sheet = "Sheet1"                   # XLSX only; default the first sheet
    [columns]
    id = "编号"
    name = "机构名称"
    kind = "类型"                      # e.g. hospital, nursing_home, school
    capacity = "床位数"
    occupancy = "在住人数"
    lon = "经度"
    lat = "纬度"

Coordinates are converted from ``crs`` to WGS 84 with :func:`citytwin.geo.convert`. Each row
becomes ``urn:ngsi-ld:PointOfInterest:<source>-<id>`` (Smart Data Models, dataModel.PointOfInterest)
with ``category`` = [kind], ``capacity`` and ``occupancy`` (numbers of places or beds, or None).
A row with a missing id, a non-numeric coordinate or capacity raises BadInputError naming the file
and its line (CSV, counting the header as line 1) or sheet and row (XLSX); nothing is committed.
"""

from __future__ import annotations

import csv
import io
import json
import math
import tomllib
from pathlib import Path

import numpy as np

from citytwin.errors import BadInputError, NotFoundError
from citytwin.geo import CRS_NAMES, convert
from citytwin.importers._build import ImportReport, Jurisdictions, entity_id, reference_jurisdictions
from citytwin.twin.model import Entity

__all__ = ["FIELDS", "REQUIRED", "load_mapping", "read_registry"]

FIELDS = ("id", "name", "kind", "capacity", "occupancy", "lon", "lat", "jurisdiction")
REQUIRED = ("id", "name", "kind", "lon", "lat")
_KEYS = {"source", "crs", "licence", "sheet", "columns"}


def load_mapping(path: str | Path | None = None, columns: dict[str, str] | None = None,
                 crs: str | None = None) -> dict:
    """A mapping from a JSON/TOML file, overridden by ``columns`` {field: column} and ``crs``."""
    mapping: dict = {"columns": {}}
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise NotFoundError(f"mapping file {path} does not exist")
        text = path.read_text(encoding="utf-8")
        try:
            mapping = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
        except (tomllib.TOMLDecodeError, json.JSONDecodeError) as e:
            raise BadInputError(f"mapping file {path}: {e}") from None
        if not isinstance(mapping, dict) or not isinstance(mapping.get("columns", {}), dict):
            raise BadInputError(f"mapping file {path}: expected an object with a 'columns' table")
        unknown = set(mapping) - _KEYS
        if unknown:
            raise BadInputError(f"mapping file {path}: unknown keys {sorted(unknown)}, expected {sorted(_KEYS)}")
        mapping.setdefault("columns", {})
    mapping["columns"] = {**mapping["columns"], **(columns or {})}
    if crs is not None:
        mapping["crs"] = crs
    unknown = set(mapping["columns"]) - set(FIELDS)
    if unknown:
        raise BadInputError(f"mapping: unknown fields {sorted(unknown)}, expected some of {', '.join(FIELDS)}")
    missing = [f for f in REQUIRED if f not in mapping["columns"]]
    if missing:
        raise BadInputError(f"mapping: no column given for {', '.join(missing)} (required: {', '.join(REQUIRED)})")
    crs_name = str(mapping.get("crs", "wgs84")).lower()
    if crs_name not in CRS_NAMES:
        raise BadInputError(f"mapping: crs {mapping.get('crs')!r} is not one of {', '.join(CRS_NAMES)}")
    mapping["crs"] = crs_name
    return mapping


def _csv_rows(path: Path):
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # registries from Chinese offices are often GBK
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise BadInputError(f"{path}: neither UTF-8 nor GB18030 text")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise BadInputError(f"{path}: the file is empty, a header row expected")
    header = [h.strip() for h in header]
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise BadInputError(f"{path}: line {reader.line_num}: {len(row)} cells, the header has {len(header)}")
        yield f"line {reader.line_num}", header, row


def _xlsx_rows(path: Path, sheet: str | None):
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises zipfile, KeyError and its own errors for broken files
        raise BadInputError(f"{path}: not a readable XLSX workbook ({e})") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise BadInputError(f"{path}: no sheet {sheet!r}; sheets are {book.sheetnames}")
        ws = book[sheet] if sheet else book.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if not header:
            raise BadInputError(f"{path}: sheet {ws.title!r} is empty, a header row expected")
        header = ["" if h is None else str(h).strip() for h in header]
        for number, row in enumerate(rows, start=2):
            cells = ["" if v is None else str(v) for v in row]
            if any(c.strip() for c in cells):
                yield f"sheet {ws.title!r} row {number}", header, cells
    finally:
        book.close()


def _number(text: str, field: str, where: str, optional: bool) -> float | None:
    text = text.strip()
    if not text and optional:
        return None
    try:
        value = float(text)
    except ValueError:
        raise BadInputError(f"{where}: {field} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise BadInputError(f"{where}: {field} {text!r} is not a finite number")
    if optional and value < 0:
        raise BadInputError(f"{where}: {field} {value} is negative")
    return value


def read_registry(path: str | Path, mapping: dict, jurisdictions: Jurisdictions | None = None) -> ImportReport:
    """The facilities of a CSV or XLSX registry as entities, not yet committed."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"registry file {path} does not exist")
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise BadInputError(f"{path}: a .csv or .xlsx registry expected")
    rows = _xlsx_rows(path, mapping.get("sheet")) if suffix == ".xlsx" else _csv_rows(path)
    columns, crs = mapping["columns"], mapping["crs"]
    source = str(mapping.get("source") or path.stem)
    records, index = [], None
    for where, header, row in rows:
        if index is None:
            absent = [c for c in columns.values() if c not in header]
            if absent:
                raise BadInputError(f"{path}: columns {absent} are not in the header {header}")
            index = {field: header.index(column) for field, column in columns.items()}
        where = f"{path}: {where}"
        cell = {field: row[i].strip() for field, i in index.items()}
        if not cell["id"]:
            raise BadInputError(f"{where}: the id column {columns['id']!r} is empty")
        record = {
            "where": where, "id": cell["id"], "name": cell["name"], "kind": cell["kind"],
            "lon": _number(cell["lon"], "longitude", where, False),
            "lat": _number(cell["lat"], "latitude", where, False),
            "capacity": _number(cell.get("capacity", ""), "capacity", where, True),
            "occupancy": _number(cell.get("occupancy", ""), "occupancy", where, True),
            "jurisdiction": cell.get("jurisdiction") or None,
        }
        if not record["kind"]:
            raise BadInputError(f"{where}: the kind column {columns['kind']!r} is empty")
        records.append(record)
    report = ImportReport(str(path), suffix.lstrip("."))
    if not records:
        return report
    lon, lat = convert(np.array([r["lon"] for r in records]), np.array([r["lat"] for r in records]), crs, "wgs84")
    for r, x, y in zip(records, lon, lat, strict=True):
        if not (-180 <= x <= 180 and -90 <= y <= 90):
            raise BadInputError(f"{r['where']}: ({r['lon']}, {r['lat']}) in {crs} is outside WGS84 after conversion")
    found = (jurisdictions or reference_jurisdictions()).locate_points(lon, lat)
    for r, x, y, code in zip(records, lon, lat, found, strict=True):
        properties = {"name": r["name"], "category": [r["kind"]], "capacity": r["capacity"],
                      "occupancy": r["occupancy"], "registryId": r["id"], "sourceCrs": crs, "source": source}
        if mapping.get("licence"):
            properties["licence"] = str(mapping["licence"])
        location = {"type": "Point", "coordinates": [float(x), float(y)]}
        report.add(Entity(entity_id("PointOfInterest", source, r["id"]), "PointOfInterest",
                          r["jurisdiction"] or code, location, properties), r["where"].split(": ", 1)[1])
    return report
