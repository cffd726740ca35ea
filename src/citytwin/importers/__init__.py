"""Importers of open formats into the twin: OpenStreetMap (XML and GeoJSON), facility registries
(CSV, XLSX) and GTFS feeds.

Each ``import_*`` function reads a file into entities, checks every one as the twin would, and
commits them all with one :meth:`citytwin.twin.Twin.commit`: a malformed file raises
:class:`~citytwin.errors.BadInputError` naming its line or element and commits nothing. The
``read_*`` functions of :mod:`~citytwin.importers.osm`, :mod:`~citytwin.importers.geojson`,
:mod:`~citytwin.importers.registry` and :mod:`~citytwin.importers.gtfs` give the entities
without committing. An imported entity's jurisdiction is that of the twin's ``AdministrativeArea``
entity holding it (the reference district's boundaries where the twin has none). Tag and type
mapping: :mod:`~citytwin.importers.osm_tags`; docs/geo.md.
"""

from __future__ import annotations

from pathlib import Path

from citytwin.geo.jurisdictions import areas_of
from citytwin.importers._build import ImportReport, Jurisdictions, commit_report
from citytwin.importers.geojson import read_geojson
from citytwin.importers.gtfs import read_gtfs
from citytwin.importers.osm import read_osm_xml
from citytwin.importers.registry import load_mapping, read_registry

__all__ = ["ImportReport", "Jurisdictions", "import_facilities", "import_gtfs", "import_osm", "load_mapping"]


def _jurisdictions(twin) -> Jurisdictions:
    return Jurisdictions.from_areas(areas_of(twin))


def import_osm(twin, path: str | Path, crs: str = "wgs84") -> ImportReport:
    """Commit the features of an OSM XML file (``.osm``) or a GeoJSON FeatureCollection.

    ``crs`` applies to GeoJSON only (OSM XML is always WGS 84).
    """
    path = Path(path)
    if path.suffix.lower() in (".geojson", ".json"):
        report = read_geojson(path, crs, _jurisdictions(twin))
    else:
        if crs != "wgs84":
            from citytwin.errors import BadInputError

            raise BadInputError(f"{path}: OSM XML is always WGS 84, got crs {crs!r}")
        report = read_osm_xml(path, _jurisdictions(twin))
    return commit_report(twin, report)


def import_facilities(twin, path: str | Path, mapping: dict) -> ImportReport:
    """Commit the facilities of a CSV or XLSX registry read with ``mapping`` (:func:`load_mapping`)."""
    return commit_report(twin, read_registry(path, mapping, _jurisdictions(twin)))


def import_gtfs(twin, path: str | Path, source: str | None = None) -> ImportReport:
    """Commit the stations, stops and routes of a GTFS feed (directory or .zip)."""
    return commit_report(twin, read_gtfs(path, source, _jurisdictions(twin)))
