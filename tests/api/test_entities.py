"""NGSI-LD entities over the twin: create, read, query (type, id, q, attrs, geo), paging and
count, keyValues, @context, merge, append, update, delete as a version, batch operations."""

from api.support import bearer
from citytwin.api._ngsild import CORE_CONTEXT

BASE = "/ngsi-ld/v1"
TONGZHOU = "urn:ngsi-ld:AirQualityObserved:tongzhou"
NEW = "urn:ngsi-ld:AirQualityObserved:zhangjiawan"


def station(entity_id=NEW, lon=116.72, lat=39.85, **extra):
    return {"id": entity_id, "type": "AirQualityObserved",
            "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [lon, lat]}},
            "name": {"type": "Property", "value": "Zhangjiawan"}, **extra}


def test_create_read_and_history_of_an_entity(client, keys):
    headers = bearer(keys["tongzhou"])
    body = station(pm25={"type": "Property", "value": 0.041, "observedAt": "2024-01-02T00:00:00Z",
                         "unitCode": "GP"})
    created = client.post(f"{BASE}/entities", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"{BASE}/entities/{NEW}"
    got = client.get(f"{BASE}/entities/{NEW}")
    assert got.status_code == 200
    entity = got.json()
    assert entity["jurisdiction"] == {"type": "Property", "value": "110112"}  # the writer's, by default
    assert entity["location"]["type"] == "GeoProperty"
    assert entity["name"] == {"type": "Property", "value": "Zhangjiawan"}
    assert entity["pm25"] == {"type": "Property", "value": 41.0, "observedAt": "2024-01-02T00:00:00Z",
                              "unitCode": "GQ"}  # mg/m3 converted to the canonical µg/m³
    assert got.headers["link"].startswith(f"<{CORE_CONTEXT}>")
    assert "@context" not in entity
    ld = client.get(f"{BASE}/entities/{NEW}", headers={"Accept": "application/ld+json"})
    assert ld.headers["content-type"].startswith("application/ld+json")
    assert ld.json()["@context"] == CORE_CONTEXT
    other = "https://example.org/context.jsonld"
    echoed = client.get(f"{BASE}/entities/{NEW}", headers={
        "Accept": "application/ld+json", "Link": f'<{other}>; rel="http://www.w3.org/ns/json-ld#context"'})
    assert echoed.json()["@context"] == other
    kv = client.get(f"{BASE}/entities/{NEW}", params={"options": "keyValues"}).json()
    assert kv["name"] == "Zhangjiawan" and kv["pm25"] == 41.0 and kv["location"]["type"] == "Point"
    twin = client.app.state.citytwin.twin
    assert twin.entity(NEW).properties["dataProvider"] == "principal:tongzhou-ees"
    assert twin.observations(NEW, "pm25")["source"].tolist() == ["principal:tongzhou-ees"]


def test_jsonld_bodies_need_their_context(client, keys):
    response = client.post(f"{BASE}/entities", content=b'{"id": "urn:ngsi-ld:AirQualityObserved:a", '
                           b'"type": "AirQualityObserved"}',
                           headers={**bearer(keys["tongzhou"]), "Content-Type": "application/ld+json"})
    assert response.status_code == 400
    assert "@context" in response.json()["detail"]


def test_query_by_type_id_pattern_q_attrs_with_count_and_paging(client):
    def ids(**params):
        response = client.get(f"{BASE}/entities", params=params)
        assert response.status_code == 200, response.text
        return [e["id"] for e in response.json()], response.headers.get("ngsild-results-count")

    stations, count = ids(type="AirQualityObserved", count="true")
    assert count == "4" and len(stations) == 4 and stations == sorted(stations)
    assert ids(type="AirQualityObserved", limit=2, offset=1, count="true") == (stations[1:3], "4")
    assert ids(type="AirQualityObserved", limit=0, count="true") == ([], "4")
    assert ids(id=f"{TONGZHOU},urn:ngsi-ld:AirQualityObserved:dongsi")[0] == [
        "urn:ngsi-ld:AirQualityObserved:dongsi", TONGZHOU]
    assert ids(idPattern=".*:yong.*")[0] == ["urn:ngsi-ld:AirQualityObserved:yongledian"]
    assert ids(type="AirQualityObserved", q='jurisdiction=="110112"')[0] == [
        TONGZHOU, "urn:ngsi-ld:AirQualityObserved:yongledian"]
    assert ids(type="AirQualityObserved", q="pm25>40")[0] == [TONGZHOU]  # latest reading is 43
    assert ids(type="AirQualityObserved", q="pm25>50")[0] == []
    assert ids(type="AirQualityObserved", q='name_en~="^Dong"|pm25>40')[0] == [
        "urn:ngsi-ld:AirQualityObserved:dongsi", TONGZHOU]
    assert ids(type="AirQualityObserved", q="(no2==40;jurisdiction==110101)|name_zh==\"燕郊\"")[0] == [
        "urn:ngsi-ld:AirQualityObserved:dongsi", "urn:ngsi-ld:AirQualityObserved:sanhe-yanjiao"]
    assert ids(attrs="no2")[0] == ["urn:ngsi-ld:AirQualityObserved:dongsi"]
    only = client.get(f"{BASE}/entities", params={"id": TONGZHOU, "attrs": "pm25"}).json()[0]
    assert set(only) == {"id", "type", "pm25"}


def test_geo_queries(client):
    def ids(**params):
        response = client.get(f"{BASE}/entities", params={"type": "AirQualityObserved", **params})
        assert response.status_code == 200, response.text
        return [e["id"] for e in response.json()]

    # Tongzhou station (116.663, 39.886) is ~0 m away, Yanjiao (116.80, 39.95) ~13.6 km, Dongsi ~21 km
    near = ids(georel="near;maxDistance==15000", geometry="Point", coordinates="[116.663,39.886]")
    assert near == [TONGZHOU, "urn:ngsi-ld:AirQualityObserved:sanhe-yanjiao"]  # nearest first
    assert ids(georel="near;minDistance==15000", geometry="Point", coordinates="[116.663,39.886]") == [
        "urn:ngsi-ld:AirQualityObserved:dongsi", "urn:ngsi-ld:AirQualityObserved:yongledian"]
    box = "[[[116.6,39.8],[116.9,39.8],[116.9,40.0],[116.6,40.0],[116.6,39.8]]]"
    assert ids(georel="within", geometry="Polygon", coordinates=box) == [
        "urn:ngsi-ld:AirQualityObserved:sanhe-yanjiao", TONGZHOU]
    assert ids(georel="intersects", geometry="Polygon", coordinates=box) == ids(
        georel="within", geometry="Polygon", coordinates=box)
    assert len(ids(georel="disjoint", geometry="Polygon", coordinates=box)) == 2
    assert ids(geoQ="georel=near;maxDistance==100&geometry=Point&coordinates=[116.663,39.886]") == [TONGZHOU]
    posted = client.post(f"{BASE}/entityOperations/query", params={"count": "true"}, json={
        "type": "Query", "entities": [{"type": "AirQualityObserved"}],
        "geoQ": {"georel": "near;maxDistance==100", "geometry": "Point", "coordinates": [116.663, 39.886]}})
    assert [e["id"] for e in posted.json()] == [TONGZHOU]
    assert posted.headers["ngsild-results-count"] == "1"
    geojson = client.get(f"{BASE}/entities", params={"id": TONGZHOU}, headers={"Accept": "application/geo+json"})
    assert geojson.json()["features"][0]["geometry"] == {"type": "Point", "coordinates": [116.663, 39.886]}


def test_merge_append_update_and_delete_make_versions(client, keys):
    headers = bearer(keys["tongzhou"])
    twin = client.app.state.citytwin.twin
    assert client.patch(f"{BASE}/entities/{TONGZHOU}", json={"stationType": "urban", "name_zh": "urn:ngsi-ld:null"},
                        headers=headers).status_code == 204
    merged = twin.entity(TONGZHOU)
    assert merged.version == 2 and merged.properties["stationType"] == "urban"
    assert "name_zh" not in merged.properties and merged.properties["name_en"] == "Tongzhou"
    kept = client.post(f"{BASE}/entities/{TONGZHOU}/attrs", params={"options": "noOverwrite"},
                       json={"stationType": "rural", "operator": "BJMEMC"}, headers=headers)
    assert kept.status_code == 207
    assert kept.json()["notUpdated"][0]["attributeName"] == "stationType"
    assert twin.entity(TONGZHOU).properties["operator"] == "BJMEMC"
    updated = client.patch(f"{BASE}/entities/{TONGZHOU}/attrs", json={"operator": "MEE", "absent": 1},
                           headers=headers)
    assert updated.status_code == 207 and updated.json()["updated"] == ["operator"]
    assert client.delete(f"{BASE}/entities/{TONGZHOU}", headers=headers).status_code == 204
    assert client.get(f"{BASE}/entities/{TONGZHOU}").status_code == 404
    assert TONGZHOU not in [e["id"] for e in client.get(f"{BASE}/entities", params={"type": "AirQualityObserved"})
                            .json()]
    assert client.delete(f"{BASE}/entities/{TONGZHOU}", headers=headers).status_code == 404
    history = twin.entity_history(TONGZHOU)
    assert "deletedAt" in history[-1].properties and history[0].properties["name_zh"] == "通州"
    # its readings are still there, and it can be created again
    assert len(twin.observations(TONGZHOU, "pm25")) == 24
    recreated = client.post(f"{BASE}/entities", json=station(TONGZHOU), headers=headers)
    assert recreated.status_code == 201
    assert client.get(f"{BASE}/entities/{TONGZHOU}").json()["name"]["value"] == "Zhangjiawan"


def test_batch_operations(client, keys):
    headers = bearer(keys["tongzhou"])
    others = [station(f"urn:ngsi-ld:AirQualityObserved:b{i}", lon=116.7 + i / 100) for i in range(3)]
    created = client.post(f"{BASE}/entityOperations/create", json=others, headers=headers)
    assert created.status_code == 201 and sorted(created.json()) == [e["id"] for e in others]
    again = client.post(f"{BASE}/entityOperations/create", json=[others[0], station("urn:ngsi-ld:X:y")],
                        headers=headers)
    assert again.status_code == 207
    body = again.json()
    assert body["success"] == []
    assert {e["error"]["status"] for e in body["errors"]} == {409, 400}
    upsert = client.post(f"{BASE}/entityOperations/upsert", headers=headers,
                         json=[station(others[0]["id"]), station("urn:ngsi-ld:AirQualityObserved:b9")])
    assert upsert.status_code == 201 and upsert.json() == ["urn:ngsi-ld:AirQualityObserved:b9"]
    existing = client.post(f"{BASE}/entityOperations/upsert", params={"options": "update"}, headers=headers,
                           json=[{"id": others[1]["id"], "type": "AirQualityObserved", "height": 12}])
    assert existing.status_code == 204
    assert client.get(f"{BASE}/entities/{others[1]['id']}").json()["name"]["value"] == "Zhangjiawan"
    deleted = client.post(f"{BASE}/entityOperations/delete", json=[o["id"] for o in others], headers=headers)
    assert deleted.status_code == 204
    assert client.get(f"{BASE}/entities", params={"idPattern": ".*:b[0-9]"}).json()[0]["id"].endswith("b9")


def test_the_latest_reading_follows_every_write(client, keys):
    headers = bearer(keys["tongzhou"])
    assert client.get(f"{BASE}/entities/{TONGZHOU}").json()["pm25"]["value"] == 43.0
    client.post(f"{BASE}/entities/{TONGZHOU}/attrs", headers=headers,
                json={"pm25": {"type": "Property", "value": 7.0, "observedAt": "2024-01-02T00:00:00Z"}})
    assert client.get(f"{BASE}/entities/{TONGZHOU}").json()["pm25"]["value"] == 7.0
    client.post("/api/v1/ingest", headers=headers, json=[
        {"entity_id": TONGZHOU, "attribute": "pm25", "observed_at": "2024-01-03T00:00:00Z", "value": 8.0,
         "unit": "ug/m3"}])
    latest = client.get(f"{BASE}/entities", params={"id": TONGZHOU, "options": "keyValues"}).json()[0]
    assert latest["pm25"] == 8.0
