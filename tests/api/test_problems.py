"""Every JSON error of the API is one RFC 9457 problem details shape (STYLE.md, point 7)."""

import pytest

from api.support import bearer

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def assert_problem(response, status: int, type_suffix: str | None = None, detail_has: str | None = None):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert PROBLEM_KEYS <= set(body) <= PROBLEM_KEYS | {"errors"}, body
    assert body["status"] == status
    assert isinstance(body["detail"], str) and body["detail"]
    if type_suffix:
        assert body["type"].endswith(type_suffix), body["type"]
    if detail_has:
        assert detail_has in body["detail"], body["detail"]
    return body


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "type_suffix", "detail_has"),
    [
        ("get", "/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:nowhere", {}, 404, "ResourceNotFound",
         "nowhere"),
        ("get", "/ngsi-ld/v1/entities", {"params": {"type": "AirQualityObserved", "q": "pm25>"}}, 400,
         "InvalidRequest", "q:"),
        ("get", "/ngsi-ld/v1/entities", {"params": {"type": "AirQualityObserved", "limit": "abc"}}, 400,
         "InvalidRequest", "limit"),
        ("get", "/ngsi-ld/v1/entities", {"params": {"type": "X", "georel": "near", "geometry": "Point",
                                                    "coordinates": "[116,39]"}}, 400, "InvalidRequest",
         "maxDistance"),
        ("get", "/ngsi-ld/v1/entities", {}, 400, "BadRequestData", "at least one of"),
        ("get", "/ngsi-ld/v1/entities", {"params": {"type": "A", "limit": 5000}}, 403, "TooManyResults", "5000"),
        ("get", "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:AirQualityObserved:tongzhou",
         {"params": {"aggrMethods": "avg", "aggrPeriodDuration": "P1W"}}, 400, "BadRequestData", "P1W"),
        ("post", "/ngsi-ld/v1/entities", {"json": {"id": "x"}}, 401, "unauthorized", "API key"),
        ("get", "/nothing/here", {}, 404, "ResourceNotFound", "/nothing/here"),
        ("delete", "/healthz", {}, 405, None, None),
        ("get", "/log/tile/..%2F..%2Fkeys%2Flog.key", {}, 400, "InvalidRequest", "tile path"),
        ("get", "/ngsi-ld/v1/entities", {"params": {"type": "A"}, "headers": {"Accept": "text/csv"}}, 406, None,
         "Accept"),
    ],
)
def test_error_shape(read_client, method, path, kwargs, status, type_suffix, detail_has):
    assert_problem(getattr(read_client, method)(path, **kwargs), status, type_suffix, detail_has)


def test_forbidden_and_conflict_and_bad_key_have_the_same_shape(read_client, keys):
    client = read_client
    entity = {"id": "urn:ngsi-ld:AirQualityObserved:tongzhou", "type": "AirQualityObserved"}
    assert_problem(client.post("/ngsi-ld/v1/entities", json=entity, headers=bearer(keys["tongzhou"])), 409,
                   "AlreadyExists", "exists")
    assert_problem(client.post("/ngsi-ld/v1/entities", json=entity, headers=bearer(keys["reader"])), 403,
                   "forbidden", "writer or admin")
    assert_problem(client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:tongzhou",
                              headers=bearer("ctk_not-a-key")), 401, "unauthorized", "unknown or revoked")


def test_validation_errors_list_each_field(read_client):
    client = read_client
    body = assert_problem(client.get("/api/v1/proofs/observations", params={"entity_id": "x"}), 400,
                          "InvalidRequest")
    locations = {e["location"] for e in body["errors"]}
    assert {"query.attribute", "query.observed_at"} <= locations
