"""OpenStreetMap XML (``.osm``) → twin entities.

The file is read once with :func:`xml.etree.ElementTree.iterparse` (OSM XML 0.6: ``node``,
``way`` with ``nd ref``, ``relation`` with ``member``, each with ``tag k v``), elements are
cleared as they are read, and only node coordinates and the tags and references of ways and
relations are kept.

Geometries (OSM wiki, "Way", "Area", "Relation:multipolygon"):

- a tagged node → Point;
- a way whose first and last node are the same, with at least four node references, and whose
  tags make it an area (:func:`~citytwin.importers.osm_tags.is_area`) → Polygon; any other way → LineString;
- a ``type=multipolygon`` relation → MultiPolygon: its member ways are joined end to end into
  closed rings, ``outer`` rings become polygons and each ``inner`` ring becomes a hole of the
  outer ring that contains it.

Features whose tags map to no type (:func:`~citytwin.importers.osm_tags.classify`) are skipped
and counted. Malformed input raises :class:`~citytwin.errors.BadInputError` naming the file and
the line (broken XML) or the element (``way 12 references node 99, which is not in the file``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import shapely.geometry
from shapely.geometry import mapping
from shapely.geometry.polygon import orient

from citytwin.errors import BadInputError
from citytwin.importers._build import ImportReport, Jurisdictions, entity_id, reference_jurisdictions
from citytwin.importers.osm_tags import classify, is_area, properties_of
from citytwin.twin.model import Entity

__all__ = ["read_osm_xml"]


def _number(element: ET.Element, name: str, what: str) -> float:
    try:
        return float(element.attrib[name])
    except (KeyError, ValueError):
        raise BadInputError(f"{what}: attribute {name}={element.get(name)!r} is not a number") from None


def _tags(element: ET.Element) -> dict[str, str]:
    return {t.get("k"): t.get("v", "") for t in element.iter("tag") if t.get("k")}


def _parse(path: Path):
    """Nodes {id: (lon, lat)}, tagged nodes, ways and relations of an OSM XML file."""
    nodes: dict[str, tuple[float, float]] = {}
    tagged_nodes: list[tuple[str, dict]] = []
    ways: dict[str, tuple[list[str], dict]] = {}
    relations: list[tuple[str, list[tuple[str, str, str]], dict]] = []
    root_seen = False
    try:
        for event, element in ET.iterparse(path, events=("start", "end")):
            if event == "start":
                if not root_seen:
                    root_seen = True
                    if element.tag != "osm":
                        raise BadInputError(f"{path}: the root element is <{element.tag}>, expected <osm>")
                continue
            if element.tag == "node":
                node_id = element.get("id")
                what = f"{path}: node {node_id}"
                if not node_id:
                    raise BadInputError(f"{path}: a node has no id")
                lon, lat = _number(element, "lon", what), _number(element, "lat", what)
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                    raise BadInputError(f"{what}: lon {lon}, lat {lat} are outside WGS84")
                nodes[node_id] = (lon, lat)
                tags = _tags(element)
                if tags:
                    tagged_nodes.append((node_id, tags))
                element.clear()
            elif element.tag == "way":
                refs = [nd.get("ref") for nd in element.iter("nd")]
                if not element.get("id") or not all(refs):
                    raise BadInputError(f"{path}: way {element.get('id')!r} has no id or a node reference without ref")
                ways[element.get("id")] = (refs, _tags(element))
                element.clear()
            elif element.tag == "relation":
                members = [(m.get("type"), m.get("ref"), m.get("role", "")) for m in element.iter("member")]
                relations.append((element.get("id"), members, _tags(element)))
                element.clear()
    except ET.ParseError as e:
        line, column = e.position
        raise BadInputError(f"{path}: line {line}, column {column}: not well-formed OSM XML ({e.msg})") from None
    return nodes, tagged_nodes, ways, relations


def _coordinates(path: Path, way_id: str, refs: list[str], nodes: dict) -> list[tuple[float, float]]:
    out = []
    for ref in refs:
        if ref not in nodes:
            raise BadInputError(f"{path}: way {way_id} references node {ref}, which is not in the file")
        out.append(nodes[ref])
    if len(out) < 2:
        raise BadInputError(f"{path}: way {way_id} has {len(out)} node(s); a way needs at least 2")
    return out


def _rings(path: Path, relation_id: str, lines: list[list[tuple[float, float]]]) -> list[list[tuple[float, float]]]:
    """Join way coordinate lists end to end into closed rings (OSM wiki, "Relation:multipolygon")."""
    pending = [list(line) for line in lines]
    rings = []
    while pending:
        ring = pending.pop(0)
        while ring[0] != ring[-1]:
            for i, line in enumerate(pending):
                if line[0] == ring[-1]:
                    ring.extend(line[1:])
                elif line[-1] == ring[-1]:
                    ring.extend(reversed(line[:-1]))
                elif line[-1] == ring[0]:
                    ring[:0] = line[:-1]
                elif line[0] == ring[0]:
                    ring[:0] = list(reversed(line[1:]))
                else:
                    continue
                pending.pop(i)
                break
            else:
                raise BadInputError(f"{path}: relation {relation_id}: its member ways do not close into rings "
                                    f"(an open ring ends at {ring[-1]})")
        if len(ring) < 4:
            raise BadInputError(f"{path}: relation {relation_id}: a ring has fewer than 4 points")
        rings.append(ring)
    return rings


def _multipolygon(path: Path, relation_id: str, members, ways: dict, nodes: dict) -> dict:
    by_role: dict[str, list] = {"outer": [], "inner": []}
    for member_type, ref, role in members:
        if member_type != "way":
            continue
        if ref not in ways:
            raise BadInputError(f"{path}: relation {relation_id} has member way {ref}, which is not in the file")
        by_role["inner" if role == "inner" else "outer"].append(_coordinates(path, ref, ways[ref][0], nodes))
    if not by_role["outer"]:
        raise BadInputError(f"{path}: relation {relation_id} is a multipolygon without outer ways")
    outers = [shapely.geometry.Polygon(r) for r in _rings(path, relation_id, by_role["outer"])]
    holes: list[list] = [[] for _ in outers]
    for ring in _rings(path, relation_id, by_role["inner"]) if by_role["inner"] else []:
        inner = shapely.geometry.Polygon(ring)
        owner = next((i for i, outer in enumerate(outers) if outer.contains(inner.representative_point())), None)
        if owner is None:
            raise BadInputError(f"{path}: relation {relation_id}: an inner ring lies in no outer ring")
        holes[owner].append(ring)
    polygons = [orient(shapely.geometry.Polygon(outer.exterior.coords, hole))  # RFC 7946 §3.1.6 winding
                for outer, hole in zip(outers, holes, strict=True)]
    return mapping(shapely.geometry.MultiPolygon(polygons))


def _entity(report, jurisdictions, osm_type, osm_id, tags, geometry) -> None:
    kind = classify(tags)
    if kind is None:
        report.skipped[f"{osm_type} without a mapped tag"] += 1
        return
    entity_type, extra = kind
    geometry = _plain(geometry)
    entity = Entity(entity_id(entity_type, "osm", f"{osm_type}-{osm_id}"), entity_type,
                    jurisdictions.locate(geometry), geometry, properties_of(osm_type, osm_id, tags, extra))
    report.add(entity, f"{osm_type} {osm_id}")


def _plain(geometry: dict) -> dict:
    """GeoJSON with lists, not tuples, so that it is stored as JSON arrays."""
    def lists(value):
        return [lists(v) for v in value] if isinstance(value, (list, tuple)) else value

    return {"type": geometry["type"], "coordinates": lists(geometry["coordinates"])}


def read_osm_xml(path: str | Path, jurisdictions: Jurisdictions | None = None) -> ImportReport:
    """The entities of an OSM XML file, not yet committed (see :func:`citytwin.importers.import_osm`)."""
    path = Path(path)
    jurisdictions = jurisdictions or reference_jurisdictions()
    nodes, tagged_nodes, ways, relations = _parse(path)
    report = ImportReport(str(path), "osm-xml")
    for node_id, tags in tagged_nodes:
        _entity(report, jurisdictions, "node", node_id, tags, {"type": "Point", "coordinates": nodes[node_id]})
    for way_id, (refs, tags) in ways.items():
        if not tags:
            continue  # an untagged way is only geometry for a relation
        if classify(tags) is None:
            report.skipped["way without a mapped tag"] += 1
            continue
        coords = _coordinates(path, way_id, refs, nodes)
        closed = len(refs) >= 4 and refs[0] == refs[-1]
        geometry = (mapping(orient(shapely.geometry.Polygon(coords))) if closed and is_area(tags)
                    else {"type": "LineString", "coordinates": coords})
        _entity(report, jurisdictions, "way", way_id, tags, geometry)
    for relation_id, members, tags in relations:
        if tags.get("type") != "multipolygon" or classify(tags) is None:
            report.skipped["relation without a mapped tag" if tags.get("type") == "multipolygon"
                           else "relation that is not a multipolygon"] += 1
            continue
        _entity(report, jurisdictions, "relation", relation_id, tags,
                _multipolygon(path, relation_id, members, ways, nodes))
    return report
