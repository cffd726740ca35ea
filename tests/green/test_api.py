"""`/api/v1/green` over a real data directory with TestClient."""

from fastapi.testclient import TestClient

from citytwin.api import create_app
from citytwin.green.reference import load_reference
from citytwin.twin import Twin


def test_green_endpoints(tmp_path):
    data = tmp_path / "data"
    with Twin.init(data, origin="test.citytwin/green-api") as twin:
        load_reference(twin)
    with TestClient(create_app(data)) as client:
        rows = client.get("/api/v1/green/indicators", params={"jurisdiction": ["110112", "131024"]}).json()
        assert [r["zone"] for r in rows] == ["110112", "131024"]
        assert rows[0]["park_area_m2"] > 6e6 and rows[0]["residents"] is None
        assert "AREA" in rows[0]["area_based_note"]
        report = client.get("/api/v1/green/reference").json()
        assert {r["value"] for r in report["published"]} >= {87.33, 18.11, 33.43, 28.5, 34.0}
        missing = client.get("/api/v1/green/indicators", params={"jurisdiction": "999999"})
        assert missing.status_code == 404 and "999999" in missing.json()["detail"]
