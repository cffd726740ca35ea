"""`/api/v1/finance` over a real data directory with TestClient: reads, signed acts, refusals."""

import pytest
from fastapi.testclient import TestClient

from citytwin.api import create_app
from citytwin.api.access import Principals
from citytwin.carbon import mrv
from citytwin.finance.registry import sign_act
from citytwin.finance.registry_log import Registry, load_signer
from citytwin.finance.retirement import verify_retirement
from citytwin.twin import Twin


@pytest.fixture
def setup(tmp_path):
    data = tmp_path / "data"
    with Twin.init(data, origin="test.citytwin/finance-api") as twin:
        for name in ("admin", "alice", "bob"):
            mrv.create_principal(data, name)
        registry = Registry(twin, check_mrv=False)
        registry.genesis("admin")
        registry.open_account("alice", "alice-1", "110112")
        registry.open_account("bob", "bob-1", "131082")
        admin = load_signer(data, "admin")
        registry.submit([sign_act(admin, {"seq": registry.state.seq, "principal": "admin", "act": "reduction",
                                          "reduction": "r1", "jurisdiction": "110112", "vintage": 2025,
                                          "verified_t": 100, "mrv": "synthetic@0"})])
        registry.issue("r1", "alice-1", 50)
    writer = Principals(data).add("bank-ops", "writer", "110112")[1]
    with TestClient(create_app(data)) as client:
        yield client, data, {"Authorization": f"Bearer {writer}"}


def _act(data, principal, seq, **fields):
    act = sign_act(load_signer(data, principal), {"seq": seq, "principal": principal, **fields})
    return {"body": act.body, "signature": act.signature}


def test_registry_over_http(setup):
    client, data, auth = setup
    before = client.get("/api/v1/finance/registry/balances").json()
    assert before["accounts"]["alice-1"]["active"] == 50
    seq = before["seq"]
    move = _act(data, "alice", seq, act="transfer", **{"from": "alice-1", "to": "bob-1"}, first=0, last=9)
    assert client.post("/api/v1/finance/registry/acts", json={"acts": [move]}).status_code == 401
    done = client.post("/api/v1/finance/registry/acts", json={"acts": [move]}, headers=auth)
    assert done.status_code == 200 and len(done.json()["log_indices"]) == 1

    stolen = _act(data, "bob", seq + 1, act="transfer", **{"from": "alice-1", "to": "bob-1"}, first=10, last=10)
    refused = client.post("/api/v1/finance/registry/acts", json={"acts": [stolen]}, headers=auth)
    assert refused.status_code == 400
    assert "'bob' may not act on it" in refused.json()["detail"]

    retire = _act(data, "bob", seq + 1, act="retire", account="bob-1", first=0, last=4, beneficiary="Sanhe School",
                  purpose="2025 heating", claimed_in="131082", adjustments=[["110112", 2025, 5]])
    assert client.post("/api/v1/finance/registry/acts", json={"acts": [retire]}, headers=auth).status_code == 200
    assert client.get("/api/v1/finance/registry/adjustments").json() == [
        {"act": seq + 1, "jurisdiction": "110112", "vintage": 2025, "co2e_t": 5}]
    bundle = client.get("/api/v1/finance/registry/retirements/3/proof").json()
    vkey = (data / "keys" / "log.vkey").read_text()
    assert verify_retirement(bundle, 3, "Sanhe School", vkey).holder == "bob"
    assert client.get("/api/v1/finance/registry/retirements/7/proof").status_code == 404


def test_catalogue_and_classify(setup):
    client, _, _ = setup
    assert len(client.get("/api/v1/finance/catalogues/2021").json()["categories"]) == 6
    assert client.get("/api/v1/finance/catalogues/2015").status_code == 400
    full = client.get("/api/v1/finance/catalogues/2025").json()
    assert [row["published"] for row in full["coverage"]] == [9, 38, 271] and len(full["tree"]) == 9
    assert full["categories"][0]["en_source"] == "our translation"
    assert client.get("/api/v1/finance/catalogues/2025?level=4").status_code == 400
    node = client.get("/api/v1/finance/catalogues/2021/categories/3").json()
    assert node["category"]["zh"] == "清洁能源产业" and node["children"] == []
    assert client.get("/api/v1/finance/catalogues/2021/categories/3.2").status_code == 404
    assert client.get("/api/v1/finance/catalogues/2021/categories/x").status_code == 400
    result = client.post("/api/v1/finance/classify", json={"activity": "solar_power",
                                                           "attributes": {"capacity_mw": 5}}).json()
    assert result["eligible"] and result["category"]["code"] == "4"
    assert client.get("/api/v1/finance/projects/none").status_code == 404
