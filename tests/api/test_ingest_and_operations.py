"""Batch ingest through the ingestion pipeline (per-record outcomes, quarantine), /healthz and
/metrics, the OpenAPI document and the docs."""

from api.support import bearer
from citytwin.ingest import Quarantine

TONGZHOU = "urn:ngsi-ld:AirQualityObserved:tongzhou"


def test_ingest_answers_per_record_and_quarantines_refusals(client, keys, data_dir):
    records = [
        {"entity_id": TONGZHOU, "attribute": "pm25", "observed_at": "2024-02-01T00:00:00Z", "value": 12.5,
         "unit": "ug/m3"},
        {"id": TONGZHOU, "type": "AirQualityObserved", "observedAt": "2024-02-01T01:00:00Z",
         "no2": {"type": "Property", "value": 40, "unitCode": "GQ"}},
        {"entity_id": TONGZHOU, "attribute": "pm25", "observed_at": "2024-02-01T02:00:00Z", "value": -3,
         "unit": "ug/m3"},
        {"entity_id": TONGZHOU, "attribute": "pm25", "observed_at": "2024-02-01T00:00:00Z", "value": 12.5,
         "unit": "ug/m3"},
        {"entity_id": TONGZHOU, "attribute": "pm25", "observed_at": "2024-02-01 03:00", "value": 9, "unit": "ug/m3"},
    ]
    response = client.post("/api/v1/ingest", json=records, headers=bearer(keys["tongzhou"]),
                           params={"zone": "Asia/Shanghai"})
    assert response.status_code == 200, response.text
    body = response.json()
    statuses = [o["status"] for o in body["outcomes"]]
    assert statuses == ["accepted", "accepted", "refused", "duplicate", "accepted"]
    assert [o["index"] for o in body["outcomes"]] == list(range(5))
    assert "pm25" in body["outcomes"][2]["reason"]
    assert (body["accepted"], body["duplicates"], body["refused"]) == (3, 1, 1)
    twin = client.app.state.citytwin.twin
    stored = twin.observations(TONGZHOU, "pm25", "2024-01-31T00:00:00Z", "2024-02-02T00:00:00Z")
    assert stored["source"].unique().tolist() == ["principal:tongzhou-ees"]
    # the naive time was read in the zone the request declared: 03:00 in Beijing is 19:00 UTC the day before
    assert "2024-01-31T19:00:00+00:00" in [t.isoformat() for t in stored["observed_at"]]
    assert Quarantine.in_data_dir(data_dir).count() == 1
    metrics = client.get("/metrics").text
    assert 'citytwin_ingest_records_total{outcome="accepted"} 3.0' in metrics
    assert 'citytwin_ingest_records_total{outcome="refused"} 1.0' in metrics


def test_ingest_needs_a_writer(client, keys):
    assert client.post("/api/v1/ingest", json=[{}]).status_code == 401
    assert client.post("/api/v1/ingest", json=[{}], headers=bearer(keys["reader"])).status_code == 403
    assert client.post("/api/v1/ingest", json=[], headers=bearer(keys["tongzhou"])).status_code == 400


def test_health_and_metrics(client):
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["log_size"] == health["store_log_size"] > 0
    client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:tongzhou")
    metrics = client.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    text = metrics.text
    assert f"citytwin_log_size {float(health['log_size'])}" in text
    assert ('citytwin_http_requests_total{method="GET",route="/ngsi-ld/v1/entities/{entity_id}",status="200"} 1.0'
            in text)
    assert 'citytwin_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/healthz"} 1.0' in text


def test_openapi_document_lists_every_route(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ["/ngsi-ld/v1/entities", "/ngsi-ld/v1/entities/{entity_id}", "/ngsi-ld/v1/entities/{entity_id}/attrs",
                 "/ngsi-ld/v1/entityOperations/create", "/ngsi-ld/v1/entityOperations/upsert",
                 "/ngsi-ld/v1/entityOperations/query", "/ngsi-ld/v1/temporal/entities",
                 "/ngsi-ld/v1/temporal/entities/{entity_id}", "/log/checkpoint", "/log/tile/{tile_path}",
                 "/api/v1/proofs/{entity_id}", "/api/v1/proofs/observations", "/api/v1/ingest", "/healthz",
                 "/metrics"]:
        assert path in paths, path
    assert client.get("/docs").status_code == 200
    # a trailing slash reaches the same route, as NGSI-LD clients send it
    assert client.get("/ngsi-ld/v1/entities/", params={"type": "AirQualityObserved"}).status_code == 200
