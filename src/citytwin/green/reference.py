"""The reference district's green space: the City Green Heart Forest Park and the published figures.

* ``data/city_green_heart_forest_park_osm.geojson``: OpenStreetMap way 779532223 (leisure=park,
  城市绿心森林公园, Tongzhou), ODbL 1.0, © OpenStreetMap contributors (see ``DATA_SOURCES.md``).
* ``data/published.csv``: published figures, each with its year and source: Tongzhou forest cover
  28.5 % (2016) and 34 % (2022); the figures quoted in issue #11 (forest cover 33.43 %, 18.11 m² of
  park per resident, 87.33 % of residents within 500 m of a park); the 2010 census population.

:func:`reference_report` prints the computed figures beside the published ones and never mixes
them: a computed figure says what data it used, a published one who published it.
"""

from __future__ import annotations

import csv
import json
from importlib import resources

from citytwin.errors import BadInputError
from citytwin.green.district import indicators, read_layers, zone_geometry
from citytwin.green.projection import geodesic_area_m2
from citytwin.twin.model import Entity

__all__ = ["REFERENCE_JURISDICTION", "load_reference", "published", "reference_parks", "reference_report"]

REFERENCE_JURISDICTION = "110112"
_OSM = "ODbL 1.0, © OpenStreetMap contributors"


def _data(name: str):
    return resources.files("citytwin.green") / "data" / name


def reference_parks() -> list[Entity]:
    """The reference park(s) as Smart Data Models ``Park`` entities (lon/lat WGS84)."""
    collection = json.loads(_data("city_green_heart_forest_park_osm.geojson").read_text(encoding="utf-8"))
    parks = []
    for feature in collection["features"]:
        p = feature["properties"]
        parks.append(Entity(
            id=f"urn:ngsi-ld:Park:osm-{p['osm_type']}-{p['osm_id']}",
            type="Park",
            jurisdiction=REFERENCE_JURISDICTION,
            location=feature["geometry"],
            properties={"name": p["park_name"], "name_zh": p["park_name"], "name_en": "City Green Heart Forest Park",
                        "source": f"OpenStreetMap {p['osm_type']} {p['osm_id']} via Nominatim, fetched "
                                  f"{p['fetched_at_utc']}", "licence": _OSM,
                        "tags": {"leisure": "park"}},
        ))
    return parks


def load_reference(twin) -> dict:
    """Commit the reference park(s) through ``Twin.commit``; a second call stores nothing twice."""
    parks = reference_parks()
    result = twin.commit(parks)
    if result.rejected:
        raise BadInputError(f"reference park refused: {result.rejected[0].reason}")
    return {"accepted": result.accepted, "duplicates": result.duplicates, "parks": [p.id for p in parks]}


def published() -> list[dict]:
    """The published figures of ``data/published.csv``: year, jurisdiction, metric, value, unit, source."""
    with _data("published.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["value"] = float(row["value"])
        row["year"] = row["year"] or None
    return rows


def reference_report(twin) -> dict:
    """Computed green-space figures of Tongzhou beside the published ones, each with its basis or source."""
    layers = read_layers(twin)
    computed = indicators(layers, REFERENCE_JURISDICTION, zone_geometry(twin, REFERENCE_JURISDICTION))
    facts = published()
    census = next(r for r in facts if r["metric"] == "resident_population")
    parks = [{"id": p.id, "name": p.properties["name"], "area_km2_geodesic": geodesic_area_m2(p.location) / 1e6,
              "source": p.properties["source"], "licence": _OSM} for p in reference_parks()]
    per_resident = computed["park_area_m2"] / census["value"]
    return {
        "jurisdiction": REFERENCE_JURISDICTION,
        "computed": computed,
        "reference_parks": parks,
        "park_area_per_resident_on_census_m2": {
            "value": per_resident,
            "basis": f"park area loaded in the twin / {int(census['value']):,} residents "
                     f"({census['year']} census; {census['source']})",
        },
        "published": [r for r in facts if r["metric"] != "resident_population"],
    }
