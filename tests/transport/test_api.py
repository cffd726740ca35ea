"""`/api/v1/transport` with TestClient over a real data directory."""

import pytest


def test_route_stations_reach_links(client):
    trip = client.get("/api/v1/transport/route", params={"from": "潞城", "to": "通州北关"}).json()
    assert trip["distance_m"] == 8081 and trip["legs"][0]["line"] == "6号线"
    assert trip["time_s"] == pytest.approx(8081 / (60 / 3.6) + 150, abs=0.05)
    tongzhou = client.get("/api/v1/transport/stations", params={"jurisdiction": "110112"}).json()
    assert len(tongzhou) == 16 and all(s["lon"] is not None for s in tongzhou)
    reach = client.get("/api/v1/transport/reach", params={"minutes": 30, "jurisdiction": ["110112", "131082"]}).json()
    assert [r["jurisdiction"] for r in reach] == ["110112", "131082"] and reach[1]["reachable"] == 0
    links = client.get("/api/v1/transport/links", params={"jurisdiction": "110112"}).json()
    assert len(links) == 3
    lines = client.get("/api/v1/transport/lines").json()
    assert len(lines) == 28


def test_unknown_station_is_404_and_bad_model_400(client):
    missing = client.get("/api/v1/transport/route", params={"from": "火星", "to": "潞城"})
    assert missing.status_code == 404 and "火星" in missing.json()["detail"]
    bad = client.get("/api/v1/transport/route", params={"from": "潞城", "to": "土桥", "transfer_s": 1})
    assert bad.status_code == 400 and "transfer_s 1.0" in bad.json()["detail"]
