"""Access by principal and jurisdiction: writers write their own jurisdiction only, keys are
stored hashed, a revoked key is refused at once, anonymous reads follow the configuration."""

import orjson
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.support import bearer
from citytwin.api import create_app
from citytwin.api.access import Principals, hash_key
from citytwin.cli import app as cli
from citytwin.twin import Twin

TONGZHOU = "urn:ngsi-ld:AirQualityObserved:tongzhou"
SANHE = "urn:ngsi-ld:AirQualityObserved:sanhe-yanjiao"


def _state(client):
    return client.app.state.citytwin


def test_sanhe_writer_cannot_write_a_tongzhou_entity_and_nothing_is_stored(client, keys):
    before = _state(client).twin.status()
    sanhe = bearer(keys["sanhe"])
    attempts = [
        client.patch(f"/ngsi-ld/v1/entities/{TONGZHOU}", json={"name": "Sanhe's now"}, headers=sanhe),
        client.post(f"/ngsi-ld/v1/entities/{TONGZHOU}/attrs",
                    json={"pm25": {"type": "Property", "value": 999, "observedAt": "2024-01-02T00:00:00Z"}},
                    headers=sanhe),
        client.delete(f"/ngsi-ld/v1/entities/{TONGZHOU}", headers=sanhe),
        client.post(f"/ngsi-ld/v1/temporal/entities/{TONGZHOU}/attrs",
                    json={"pm25": [{"type": "Property", "value": 1, "observedAt": "2024-01-03T00:00:00Z"}]},
                    headers=sanhe),
        client.post("/ngsi-ld/v1/entities", headers=sanhe, json={
            "id": "urn:ngsi-ld:AirQualityObserved:fake", "type": "AirQualityObserved",
            "jurisdiction": {"type": "Property", "value": "110112"}}),
    ]
    for response in attempts:
        assert response.status_code == 403, response.text
        assert "may not write" in response.json()["detail"]
    batch = client.post("/ngsi-ld/v1/entityOperations/upsert", headers=sanhe, json=[
        {"id": TONGZHOU, "type": "AirQualityObserved", "name": {"type": "Property", "value": "x"}}])
    assert batch.status_code == 207
    assert batch.json()["errors"][0]["error"]["status"] == 403
    ingest = client.post("/api/v1/ingest", headers=sanhe, json=[
        {"entity_id": TONGZHOU, "attribute": "pm25", "observed_at": "2024-01-05T00:00:00Z", "value": 5,
         "unit": "ug/m3"}])
    assert ingest.json()["outcomes"][0]["status"] == "refused"
    after = _state(client).twin.status()
    assert (after["log_size"], after["observations"], after["entity_versions"]) == (
        before["log_size"], before["observations"], before["entity_versions"])
    # the same writer may write its own county's station, and the reading records who wrote it
    ok = client.post(f"/ngsi-ld/v1/entities/{SANHE}/attrs", headers=sanhe,
                     json={"pm25": {"type": "Property", "value": 55, "observedAt": "2024-01-02T00:00:00Z"}})
    assert ok.status_code == 204, ok.text
    rows = _state(client).twin.observations(SANHE, "pm25")
    assert rows["source"].tolist() == ["principal:sanhe-ees"]


def test_a_revoked_key_is_refused_at_the_next_request(client, keys, data_dir):
    headers = bearer(keys["tongzhou"])
    body = {"pm25": {"type": "Property", "value": 30, "observedAt": "2024-01-02T00:00:00Z"}}
    assert client.post(f"/ngsi-ld/v1/entities/{TONGZHOU}/attrs", json=body, headers=headers).status_code == 204
    Principals(data_dir).revoke("tongzhou-ees")
    body["pm25"]["observedAt"] = "2024-01-02T01:00:00Z"
    refused = client.post(f"/ngsi-ld/v1/entities/{TONGZHOU}/attrs", json=body, headers=headers)
    assert refused.status_code == 401
    assert refused.json()["detail"] == "unknown or revoked API key"
    assert client.get(f"/ngsi-ld/v1/entities/{TONGZHOU}", headers=headers).status_code == 401


def test_readers_and_witnesses_may_not_write_and_admins_write_anywhere(client, keys):
    body = {"name": {"type": "Property", "value": "renamed"}}
    for role in ("reader", "witness"):
        response = client.patch(f"/ngsi-ld/v1/entities/{TONGZHOU}", json=body, headers=bearer(keys[role]))
        assert response.status_code == 403, role
    for entity in (TONGZHOU, SANHE):
        assert client.patch(f"/ngsi-ld/v1/entities/{entity}", json=body,
                            headers=bearer(keys["admin"])).status_code == 204
    assert client.get(f"/ngsi-ld/v1/entities/{SANHE}").json()["dataProvider"]["value"] == "principal:ops"


def test_anonymous_reads_only_when_the_twin_is_public(data_dir, keys):
    config = data_dir / "citytwin.toml"
    config.write_text(config.read_text() + "\n[api]\npublic_read = false\n")
    with TestClient(create_app(data_dir)) as client:
        anonymous = client.get(f"/ngsi-ld/v1/entities/{TONGZHOU}")
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"].startswith("Bearer")
        assert client.get("/log/checkpoint").status_code == 401
        assert client.get(f"/ngsi-ld/v1/entities/{TONGZHOU}", headers=bearer(keys["reader"])).status_code == 200
        assert client.get("/healthz").status_code == 200


def test_keys_are_stored_hashed_and_shown_once(tmp_path):
    data_dir = tmp_path / "d"
    Twin.init(data_dir).close()
    runner = CliRunner()
    added = runner.invoke(cli, ["--data-dir", str(data_dir), "principals", "add", "xianghe-ees", "--role", "writer",
                                "--jurisdiction", "131024", "--json"])
    assert added.exit_code == 0, added.output
    key = orjson.loads(added.output)["api_key"]
    stored = (data_dir / "principals.json").read_text()
    assert key not in stored and hash_key(key) in stored
    assert oct((data_dir / "principals.json").stat().st_mode)[-3:] == "600"
    listed = runner.invoke(cli, ["--data-dir", str(data_dir), "principals", "ls", "--json"])
    assert orjson.loads(listed.output)[0]["jurisdiction"] == "131024"
    assert "key" not in listed.output
    bad = runner.invoke(cli, ["--data-dir", str(data_dir), "principals", "add", "x", "--role", "writer"])
    assert bad.exit_code == 2 and "needs a jurisdiction" in bad.output
    revoked = runner.invoke(cli, ["--data-dir", str(data_dir), "principals", "revoke", "xianghe-ees"])
    assert revoked.exit_code == 0
    assert Principals(data_dir).authenticate(key) is None
    again = runner.invoke(cli, ["--data-dir", str(data_dir), "principals", "revoke", "xianghe-ees"])
    assert again.exit_code == 2 and "no active principal" in again.output
