"""`/api/v1/projects` with TestClient: reads, signed writes by the caller's principal, refusals."""

import pytest
from fastapi.testclient import TestClient

from citytwin.api import create_app
from citytwin.api.access import Principals
from citytwin.carbon.mrv import create_principal
from citytwin.projects import registry
from citytwin.twin import Twin


@pytest.fixture
def setup(tmp_path):
    data = tmp_path / "data"
    Twin.init(data, origin="test.citytwin/projects-api").close()
    for name in ("office", "other"):
        create_principal(data, name)
    keys = {name: Principals(data).add(name, "writer", "110112")[1] for name in ("office", "other")}
    reader = Principals(data).add("citizen", "reader")[1]
    with TestClient(create_app(data)) as client:
        yield client, data, {k: {"Authorization": f"Bearer {v}"} for k, v in keys.items()}, reader


def test_register_report_read(setup):
    client, data, auth, reader = setup
    body = {"project_id": "tz-1", "name_zh": "示例工程", "jurisdiction": "110112", "category": "health",
            "budget_yi": 2.5, "milestones": [{"date": "2026-06", "text_zh": "开工"}]}
    assert client.post("/api/v1/projects", json=body).status_code == 401
    assert client.post("/api/v1/projects", json=body,
                       headers={"Authorization": f"Bearer {reader}"}).status_code == 403
    done = client.post("/api/v1/projects", json=body, headers=auth["office"])
    assert done.status_code == 200 and done.json()["id"] == "urn:ngsi-ld:InvestmentProject:tz-1"
    refused = client.post("/api/v1/projects/tz-1/reports", json={"period": "2026-Q3", "progress_pct": 10},
                          headers=auth["other"])
    assert refused.status_code == 400 and "'other' may not report" in refused.json()["detail"]
    ok = client.post("/api/v1/projects/tz-1/reports", json={"period": "2026-Q3", "progress_pct": 10, "spent_yi": 0.3},
                     headers=auth["office"])
    assert ok.status_code == 200
    shown = client.get("/api/v1/projects/tz-1").json()
    assert shown["owner"] == "office" and shown["reports"][0]["spent_yi"] == 0.3
    assert [p["project_id"] for p in client.get("/api/v1/projects", params={"category": "health"}).json()] == ["tz-1"]
    assert client.get("/api/v1/projects/nope").status_code == 404
    totals = client.get("/api/v1/projects/totals").json()
    assert totals["target_yi"] == 1000.0 and {"2021", "2022", "2023", "2024"} <= {r["year"] for r in totals["totals"]}
    assert registry.verify(client.app.state.citytwin.twin)["records_checked"] == 2
