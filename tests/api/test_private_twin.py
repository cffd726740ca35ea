"""A twin that is not public tells anonymous callers nothing but its health; the data directory's
files are its owner's only (issue #16, part 6)."""

import stat

from fastapi.testclient import TestClient

from api.support import bearer
from citytwin.api import create_app
from citytwin.ingest import Pipeline, Quarantine
from citytwin.twin import Twin


def _not_public(data_dir):
    config = data_dir / "citytwin.toml"
    config.write_text(config.read_text() + "\n[api]\npublic_read = false\n")


def test_metrics_need_a_key_and_health_says_only_its_status_when_the_twin_is_not_public(data_dir, keys):
    _not_public(data_dir)
    with TestClient(create_app(data_dir)) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/healthz").json() == {"status": "ok"}
        reader = bearer(keys["reader"])
        assert "citytwin_log_size" in client.get("/metrics", headers=reader).text
        health = client.get("/healthz", headers=reader).json()
        assert health["status"] == "ok" and health["log_size"] == health["store_log_size"] > 0


def test_a_public_twin_keeps_anonymous_metrics_and_full_health(client):
    assert client.get("/metrics").status_code == 200
    assert set(client.get("/healthz").json()) == {"status", "log_size", "store_log_size", "origin"}


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_directory_and_its_files_are_the_owners_only(tmp_path):
    data_dir = tmp_path / "new"
    with Twin.init(data_dir) as twin:
        Pipeline(twin, Quarantine.in_data_dir(data_dir)).ingest(
            [{"entity_id": "urn:ngsi-ld:AirQualityObserved:none", "attribute": "pm25",
              "observed_at": "2024-01-01T00:00:00Z", "value": 1, "unit": "ug/m3"}], "test")
    assert _mode(data_dir) == 0o700
    for name in ("citytwin.toml", "twin.duckdb", "quarantine.duckdb", "keys/log.key"):
        assert _mode(data_dir / name) == 0o600, name
