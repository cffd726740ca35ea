"""`/api/v1/services` over a real data directory with TestClient."""

from fastapi.testclient import TestClient

from citytwin.api import create_app
from citytwin.twin import Entity, Twin


def test_services_endpoints(tmp_path):
    data = tmp_path / "data"
    with Twin.init(data, origin="test.citytwin/services-api") as twin:
        twin.commit([Entity(id="urn:ngsi-ld:PointOfInterest:home", type="PointOfInterest",
                            location={"type": "Point", "coordinates": [116.80, 39.95]},
                            properties={"name": "Home", "category": ["nursing_home"], "capacity": 120})])
    with TestClient(create_app(data)) as client:
        found = client.get("/api/v1/services/facilities").json()
        assert found[0]["kind"] == "elderly_care" and found[0]["capacity"] == 120
        report = client.get("/api/v1/services/access/elderly_care", params={"jurisdiction": ["131082", "110112"]})
        rows = {r["jurisdiction"]: r for r in report.json()["jurisdictions"]}
        assert rows["110112"]["nearest_in_other_jurisdiction_pct"] == 100.0
        assert rows["131082"]["nearest_in_other_jurisdiction_pct"] == 0.0
        assert client.get("/api/v1/services/access/school").status_code == 404
        assert client.get("/api/v1/services/access/library").status_code == 400
        assert client.get("/api/v1/services/registry", params={"by": "grade"}).json()["institutions"] == 239
        assert client.get("/api/v1/services/registry", params={"by": "beds"}).status_code == 400
