"""OSM XML and GeoJSON into the twin: types, geometries, jurisdictions, and nothing half-imported."""

import shutil

import pytest
import shapely.geometry

from citytwin.errors import BadInputError
from citytwin.geo.jurisdictions import areas_of
from citytwin.importers import import_osm
from citytwin.importers.osm import read_osm_xml
from citytwin.twin.model import Entity

PARK = "urn:ngsi-ld:Park:osm-way-200"
FOREST = "urn:ngsi-ld:Forest:osm-relation-300"


def test_sample_extract_becomes_typed_entities(twin, data):
    report = import_osm(twin, data / "tongzhou_sample.osm")
    assert report.counts() == {"Forest": 1, "Park": 1, "PointOfInterest": 2, "RoadSegment": 1, "TransportStation": 1}
    assert report.skipped == {"node without a mapped tag": 1}  # the tree
    assert report.accepted == 6 and report.first_index == 0 and twin.log.size == 6

    park = twin.entity(PARK)
    assert park.type == "Park" and park.jurisdiction == "110112"
    assert park.location["type"] == "Polygon"
    assert park.properties["name"] == "测试公园" and park.properties["nameEn"] == "Test Park"
    assert park.properties["osmTags"] == {"leisure": "park", "name": "测试公园", "name:en": "Test Park"}
    assert park.properties["licence"].startswith("ODbL-1.0")
    assert shapely.geometry.shape(park.location).area == pytest.approx(0.01 * 0.01)

    hospital = twin.entity("urn:ngsi-ld:PointOfInterest:osm-node-100")
    assert hospital.properties["category"] == ["hospital"] and hospital.jurisdiction == "131082"  # Sanhe
    care = twin.entity("urn:ngsi-ld:PointOfInterest:osm-node-102")
    assert care.properties["category"] == ["nursing_home"] and care.jurisdiction == "131024"  # Xianghe
    station = twin.entity("urn:ngsi-ld:TransportStation:osm-node-101")
    assert station.properties["stationType"] == ["subway"] and station.location["type"] == "Point"
    road = twin.entity("urn:ngsi-ld:RoadSegment:osm-way-204")
    assert road.location["type"] == "LineString" and road.properties["roadClass"] == "primary"


def test_multipolygon_relation_assembles_outer_ring_from_two_ways_and_keeps_the_hole(twin, data):
    import_osm(twin, data / "tongzhou_sample.osm")
    forest = twin.entity(FOREST)
    shape = shapely.geometry.shape(forest.location)
    assert forest.location["type"] == "MultiPolygon" and len(shape.geoms) == 1
    assert len(shape.geoms[0].interiors) == 1
    assert shape.area == pytest.approx(0.02 * 0.015 - 0.01 * 0.005)
    assert shape.geoms[0].exterior.is_ccw  # RFC 7946 winding


def test_importing_again_commits_nothing_new(twin, data):
    import_osm(twin, data / "tongzhou_sample.osm")
    again = import_osm(twin, data / "tongzhou_sample.osm")
    assert again.accepted == 0 and again.duplicates == 6 and twin.log.size == 6


def test_broken_xml_names_the_line_and_commits_nothing(twin, data, tmp_path):
    text = (data / "tongzhou_sample.osm").read_text(encoding="utf-8")
    broken = tmp_path / "broken.osm"
    broken.write_text(text.replace('<nd ref="31"/><nd ref="32"/>', '<nd ref="31"/><nd ref="32">'), encoding="utf-8")
    with pytest.raises(BadInputError, match=r"broken\.osm: line \d+, column \d+: not well-formed OSM XML"):
        import_osm(twin, broken)
    assert twin.log.size == 0


def test_way_with_missing_node_names_the_way_and_commits_nothing(twin, data, tmp_path):
    import_osm(twin, data / "tongzhou_sample.osm")
    text = (data / "tongzhou_sample.osm").read_text(encoding="utf-8")
    missing = tmp_path / "missing.osm"
    # the road (after the valid park and before the valid forest) now points at a node that is not there
    missing.write_text(text.replace('<nd ref="31"/><nd ref="32"/>', '<nd ref="31"/><nd ref="99"/>')
                       .replace('v="测试公园"', 'v="测试公园二"'), encoding="utf-8")
    with pytest.raises(BadInputError, match="way 204 references node 99, which is not in the file"):
        import_osm(twin, missing)
    assert twin.log.size == 6
    assert twin.entity(PARK).properties["name"] == "测试公园"  # the changed park was not committed


def test_relation_with_missing_member_is_named(twin, data, tmp_path):
    text = (data / "tongzhou_sample.osm").read_text(encoding="utf-8")
    path = tmp_path / "member.osm"
    path.write_text(text.replace('ref="202" role="outer"', 'ref="299" role="outer"'), encoding="utf-8")
    with pytest.raises(BadInputError, match="relation 300 has member way 299, which is not in the file"):
        import_osm(twin, path)
    assert twin.log.size == 0


def test_invalid_polygon_is_refused_before_commit(twin, data, tmp_path):
    text = (data / "tongzhou_sample.osm").read_text(encoding="utf-8")
    path = tmp_path / "bowtie.osm"
    # swap two corners of the park: a self-intersecting ring
    path.write_text(text.replace('<nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/>',
                                 '<nd ref="1"/><nd ref="3"/><nd ref="2"/><nd ref="4"/><nd ref="1"/>'), encoding="utf-8")
    with pytest.raises(BadInputError, match=r"bowtie\.osm: way 200: invalid Polygon geometry"):
        import_osm(twin, path)
    assert twin.log.size == 0


def test_not_an_osm_document(tmp_path):
    path = tmp_path / "other.osm"
    path.write_text("<gpx></gpx>", encoding="utf-8")
    with pytest.raises(BadInputError, match=r"root element is <gpx>, expected <osm>"):
        read_osm_xml(path)


def test_real_park_geojson_from_nominatim(twin, data):
    report = import_osm(twin, data / "city_green_heart_forest_park_osm.geojson")
    assert report.counts() == {"Park": 1} and report.accepted == 1
    park = twin.entity("urn:ngsi-ld:Park:osm-way-779532223")
    assert park.jurisdiction == "110112"  # Tongzhou, as the data's SOURCE.md says
    assert park.properties["name"] == "城市绿心森林公园"
    assert len(park.location["coordinates"][0]) == 93


def test_geojson_malformed_feature_is_named_by_index(twin, data, tmp_path):
    import json

    document = json.loads((data / "city_green_heart_forest_park_osm.geojson").read_text(encoding="utf-8"))
    second = json.loads(json.dumps(document["features"][0]))
    second["properties"]["osm_id"] = "1"
    second["geometry"]["coordinates"][0][5] = ["east", 39.9]
    document["features"].append(second)
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(BadInputError, match=r"bad\.geojson: feature 1: "):
        import_osm(twin, path)
    assert twin.log.size == 0


def test_geojson_not_json_names_the_line(twin, data, tmp_path):
    path = tmp_path / "cut.geojson"
    shutil.copy(data / "city_green_heart_forest_park_osm.geojson", path)
    path.write_text(path.read_text(encoding="utf-8")[:-40], encoding="utf-8")
    with pytest.raises(BadInputError, match=r"cut\.geojson: line 1, column \d+: not valid JSON"):
        import_osm(twin, path)


def test_geojson_in_gcj02_is_converted(tmp_path):
    import json

    from citytwin.geo import gcj02_to_wgs84
    from citytwin.importers.geojson import read_geojson

    feature = {"type": "Feature", "id": "node/7", "properties": {"amenity": "school", "name": "学校"},
               "geometry": {"type": "Point", "coordinates": [116.662017, 39.911316]}}
    path = tmp_path / "amap.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    entity = read_geojson(path, crs="gcj02").entities[0]
    assert entity.id == "urn:ngsi-ld:PointOfInterest:osm-node-7"
    assert tuple(entity.location["coordinates"]) == gcj02_to_wgs84(116.662017, 39.911316)


def test_jurisdictions_come_from_the_twins_administrative_areas(twin, data):
    # A twin whose only area is a made-up Sanhe (131082) square around the park: the import must
    # place the park there, not in Tongzhou as the reference boundaries would.
    square = {"type": "Polygon", "coordinates": [[[116.6, 39.8], [116.8, 39.8], [116.8, 40.0], [116.6, 40.0],
                                                  [116.6, 39.8]]]}
    twin.commit([Entity("urn:ngsi-ld:AdministrativeArea:test-sanhe", "AdministrativeArea", "131082", square,
                        {"name_zh": "三河（测试）", "name_en": "Sanhe (test)"})])
    import_osm(twin, data / "city_green_heart_forest_park_osm.geojson")
    assert twin.entity("urn:ngsi-ld:Park:osm-way-779532223").jurisdiction == "131082"


def test_areas_with_one_code_are_joined(twin, data):
    # Two Sanhe (131082) halves, west and east of the park's centre: the park lies in their union.
    halves = [[[116.6, 39.8], [116.7, 39.8], [116.7, 40.0], [116.6, 40.0], [116.6, 39.8]],
              [[116.7, 39.8], [116.8, 39.8], [116.8, 40.0], [116.7, 40.0], [116.7, 39.8]]]
    twin.commit([Entity(f"urn:ngsi-ld:AdministrativeArea:test-sanhe-{i}", "AdministrativeArea", "131082",
                        {"type": "Polygon", "coordinates": [ring]}, {"name_en": f"Sanhe part {i}"})
                 for i, ring in enumerate(halves)])
    assert shapely.geometry.shape(areas_of(twin)["131082"]["geometry"]).area == pytest.approx(0.2 * 0.2)
    import_osm(twin, data / "city_green_heart_forest_park_osm.geojson")
    assert twin.entity("urn:ngsi-ld:Park:osm-way-779532223").jurisdiction == "131082"
