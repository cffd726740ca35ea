"""The log served from its folder, and proof bundles that verify offline with the log's key."""

from datetime import UTC, datetime

import pytest

from citytwin.ledger import ProofError, Verifier, verify_proof
from citytwin.ledger.tiles import TILE_WIDTH, entries_path, tile_path

TONGZHOU = "urn:ngsi-ld:AirQualityObserved:tongzhou"


def test_checkpoint_and_tiles_are_the_files_of_the_log(read_client):
    client, data_dir = read_client, read_client.app.state.citytwin.data_dir
    checkpoint = client.get("/log/checkpoint")
    assert checkpoint.status_code == 200
    assert checkpoint.content == (data_dir / "log" / "checkpoint").read_bytes()
    assert "max-age=5" in checkpoint.headers["cache-control"]
    size = client.app.state.citytwin.twin.log.size
    assert size < TILE_WIDTH
    for rel in (tile_path(0, 0, size), entries_path(0, size)):
        tile = client.get(f"/log/{rel}")
        assert tile.status_code == 200, rel
        assert tile.content == (data_dir / "log" / rel).read_bytes()
        assert tile.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert client.get(f"/log/{tile_path(0, 5)}").status_code == 404


@pytest.mark.parametrize("path", ["/log/tile/../../keys/log.key", "/log/tile/0/../../citytwin.toml",
                                  "/log/tile/0/%2e%2e/%2e%2e/citytwin.toml", "/log/tile/0/000.p/256",
                                  "/log/tile/64/000", "/log/tile/entries/x000/001"])
def test_paths_outside_the_tile_layout_are_refused(read_client, path):
    response = read_client.get(path)
    assert response.status_code in (400, 404)
    assert b"PRIVATE" not in response.content and b"[log]" not in response.content


def _verifier(data_dir) -> Verifier:
    return Verifier.from_text((data_dir / "keys" / "log.vkey").read_text().strip())


def _entry(twin, index: int) -> bytes:
    return next(iter(twin.log.entries(index, index + 1)))


def test_entity_and_observation_proofs_verify_offline(read_client):
    client, data_dir = read_client, read_client.app.state.citytwin.data_dir
    twin = client.app.state.citytwin.twin
    entity = client.get(f"/api/v1/proofs/{TONGZHOU}")
    assert entity.status_code == 200 and entity.headers["content-type"].startswith("text/plain")
    index = twin.entity(TONGZHOU).log_index
    assert entity.headers["x-log-index"] == str(index)
    verify_proof(entity.text, _verifier(data_dir), entry=_entry(twin, index))
    reading = client.get("/api/v1/proofs/observations", params={
        "entity_id": TONGZHOU, "attribute": "pm25", "observed_at": "2024-01-01T05:00:00Z", "source": "test"})
    assert reading.status_code == 200, reading.text
    row = twin.observations(TONGZHOU, "pm25", datetime(2024, 1, 1, 5, tzinfo=UTC), datetime(2024, 1, 1, 6, tzinfo=UTC))
    index = int(row["log_index"].iloc[0])
    assert reading.headers["x-log-index"] == str(index)
    verify_proof(reading.text, _verifier(data_dir), entry=_entry(twin, index))
    with pytest.raises(ProofError):  # the bundle proves that entry, not another one
        verify_proof(reading.text, _verifier(data_dir), entry=_entry(twin, index + 1))
    missing = client.get("/api/v1/proofs/observations", params={
        "entity_id": TONGZHOU, "attribute": "pm25", "observed_at": "2030-01-01T00:00:00Z"})
    assert missing.status_code == 404
    assert client.get(f"/api/v1/proofs/{TONGZHOU}", params={"version": 9}).status_code == 404
