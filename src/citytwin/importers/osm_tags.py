"""OpenStreetMap tags → twin entity types, and which closed ways are areas.

Types follow the FIWARE Smart Data Models where one fits:

=======================================================  ==================  ==========================
OSM tags (OSM wiki, Map features)                        twin type           Smart Data Model
=======================================================  ==================  ==========================
leisure=park                                             Park                dataModel.ParksAndGardens
leisure=garden                                           Garden              dataModel.ParksAndGardens
landuse=forest, natural=wood                             Forest              none (citytwin type)
natural=water, water=*, landuse=reservoir|basin,         WaterBody           none (citytwin type)
waterway=riverbank|river|canal|stream
amenity=hospital|clinic|school|kindergarten|college|     PointOfInterest     dataModel.PointOfInterest
university|nursing_home; amenity=social_facility with                        (``category`` = the kind)
social_facility=nursing_home|assisted_living
railway=station|halt, public_transport=station           TransportStation    dataModel.Transportation
highway=* (roads and paths)                              RoadSegment         dataModel.Transportation
=======================================================  ==================  ==========================

Anything else is skipped and counted by the importer.
"""

from __future__ import annotations

__all__ = ["LICENCE", "SOURCE", "classify", "is_area", "properties_of"]

SOURCE = "OpenStreetMap"
LICENCE = "ODbL-1.0, © OpenStreetMap contributors"

_FACILITIES = {"hospital", "clinic", "school", "kindergarten", "college", "university", "nursing_home"}
_CARE_HOMES = {"nursing_home", "assisted_living"}
_WATER = {"riverbank", "river", "canal", "stream"}
_ROADS = {
    "motorway", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential", "service",
    "living_street", "pedestrian", "track", "road", "busway", "footway", "cycleway", "path", "steps",
    "motorway_link", "trunk_link", "primary_link", "secondary_link", "tertiary_link",
}
# OSM wiki, "Key:area": keys whose closed ways are areas unless area=no.
_AREA_KEYS = {"leisure", "landuse", "natural", "amenity", "building", "water", "place", "boundary"}


def classify(tags: dict[str, str]) -> tuple[str, dict] | None:
    """(twin type, extra properties) for a feature's tags, or None if no mapping applies."""
    leisure = tags.get("leisure")
    if leisure == "park":
        return "Park", {}
    if leisure == "garden":
        return "Garden", {}
    if tags.get("landuse") == "forest" or tags.get("natural") == "wood":
        return "Forest", {}
    if (tags.get("natural") == "water" or "water" in tags or tags.get("landuse") in ("reservoir", "basin")
            or tags.get("waterway") in _WATER):
        return "WaterBody", {"category": [tags.get("water") or tags.get("waterway") or "water"]}
    amenity = tags.get("amenity")
    if amenity == "social_facility" and tags.get("social_facility") in _CARE_HOMES:
        return "PointOfInterest", {"category": ["nursing_home"]}
    if amenity in _FACILITIES:
        return "PointOfInterest", {"category": [amenity]}
    if tags.get("railway") in ("station", "halt") or tags.get("public_transport") == "station":
        kind = "subway" if tags.get("station") in ("subway", "light_rail") or tags.get("subway") == "yes" else "rail"
        return "TransportStation", {"stationType": [kind]}
    if tags.get("highway") in _ROADS:
        return "RoadSegment", {"roadClass": tags["highway"]}
    return None


def is_area(tags: dict[str, str]) -> bool:
    """Whether a closed way with these tags is an area (OSM wiki "Key:area"); roads are lines."""
    if tags.get("area") == "no":
        return False
    if tags.get("area") == "yes":
        return True
    if "highway" in tags or tags.get("waterway") in ("river", "canal", "stream"):
        return False
    return bool(_AREA_KEYS & tags.keys()) or tags.get("waterway") == "riverbank"


def properties_of(osm_type: str, osm_id: str, tags: dict[str, str], extra: dict) -> dict:
    """The entity properties: name, the OSM object and tags, source and licence."""
    props: dict = {"name": tags.get("name", "")}
    if tags.get("name:en"):
        props["nameEn"] = tags["name:en"]
    props.update(extra)
    props.update({"osmType": osm_type, "osmId": str(osm_id), "osmTags": dict(sorted(tags.items())),
                  "source": SOURCE, "licence": LICENCE})
    return props
