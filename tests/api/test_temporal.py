"""The temporal API: instances, temporal values, lastN, windows, and aggregation that agrees with
the twin's own query and with pandas over the raw data (a year of real PRSA hourly PM2.5)."""

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from api.support import bearer
from citytwin.api import create_app
from citytwin.datasets import reference
from citytwin.datasets.load import reference_entities
from citytwin.twin import Twin

BASE = "/ngsi-ld/v1/temporal/entities"
TONGZHOU = "urn:ngsi-ld:AirQualityObserved:tongzhou"
DONGSI = "urn:ngsi-ld:AirQualityObserved:dongsi"
YEAR_START, YEAR_END = "2013-12-31T16:00:00Z", "2014-12-31T16:00:00Z"  # 2014 in Asia/Shanghai


@pytest.fixture(scope="module")
def prsa_year():
    """Dongsi's 2014 hourly PM2.5 from the PRSA set (real data), as raw rows and a twin holding them."""
    wide = reference.observations("prsa")
    wide = wide[(wide["station_id"] == "dongsi") & wide["PM2.5"].notna()
                & (wide["observed_at"] >= pd.Timestamp(YEAR_START)) & (wide["observed_at"] < pd.Timestamp(YEAR_END))]
    return pd.DataFrame({"entity_id": DONGSI, "attribute": "pm25",
                         "observed_at": wide["observed_at"].astype("datetime64[us, UTC]"), "value": wide["PM2.5"],
                         "unit": "ug/m3", "source": "reference:prsa"}).reset_index(drop=True)


@pytest.fixture(scope="module")
def year_client(prsa_year, tmp_path_factory):
    path = tmp_path_factory.mktemp("prsa") / "data"
    with Twin.init(path, origin="test.citytwin/prsa") as twin:
        twin.commit([e for e in reference_entities() if e.id == DONGSI])
        result = twin.commit_observations(prsa_year)
        assert result.accepted == len(prsa_year) > 8000
    with TestClient(create_app(path)) as client:
        yield client


def test_daily_mean_of_a_station_year_equals_the_twin_and_pandas(year_client, prsa_year):
    response = year_client.get(f"{BASE}/{DONGSI}", params={
        "attrs": "pm25", "aggrMethods": "avg,totalCount,min,max,sum", "aggrPeriodDuration": "P1D",
        "timerel": "between", "timeAt": YEAR_START, "endTimeAt": YEAR_END})
    assert response.status_code == 200, response.text
    pm25 = response.json()["pm25"]
    api = pd.DataFrame(pm25["avg"], columns=["avg", "start", "end"])
    assert len(api) == 365
    assert api["start"].iloc[0] == "2013-12-31T16:00:00Z" and api["end"].iloc[0] == "2014-01-01T16:00:00Z"
    # the twin's own query
    twin = year_client.app.state.citytwin.twin
    own = twin.aggregate("pm25", "1d", entity_id=DONGSI, start=YEAR_START, end=YEAR_END,
                         statistics=("mean", "count", "min", "max", "sum"))
    np.testing.assert_allclose(api["avg"], own["mean"], rtol=1e-12)
    assert [c[0] for c in pm25["totalCount"]] == own["count"].tolist()
    np.testing.assert_allclose([m[0] for m in pm25["max"]], own["max"])
    # pandas over the raw rows, by natural day in Asia/Shanghai
    day = prsa_year["observed_at"].dt.tz_convert("Asia/Shanghai").dt.date
    expected = prsa_year.groupby(day)["value"].agg(["mean", "count", "sum"])
    np.testing.assert_allclose(api["avg"], expected["mean"], rtol=1e-12)
    np.testing.assert_allclose([s[0] for s in pm25["sum"]], expected["sum"], rtol=1e-12)
    assert [c[0] for c in pm25["totalCount"]] == expected["count"].tolist()
    local_days = pd.to_datetime(api["start"]).dt.tz_convert("Asia/Shanghai").dt.date
    assert local_days.tolist() == expected.index.tolist()


def test_monthly_hourly_and_whole_window_aggregates(year_client, prsa_year):
    monthly = year_client.get(f"{BASE}/{DONGSI}", params={
        "aggrMethods": "avg", "aggrPeriodDuration": "P1M", "timerel": "between", "timeAt": YEAR_START,
        "endTimeAt": YEAR_END}).json()["pm25"]["avg"]
    assert len(monthly) == 12 and monthly[1][1:] == ["2014-01-31T16:00:00Z", "2014-02-28T16:00:00Z"]
    whole = year_client.get(f"{BASE}/{DONGSI}", params={
        "aggrMethods": "avg,totalCount", "timerel": "between", "timeAt": YEAR_START, "endTimeAt": YEAR_END,
        "options": "aggregatedValues"}).json()["pm25"]
    assert whole["totalCount"][0][0] == len(prsa_year)
    assert whole["avg"][0][0] == pytest.approx(prsa_year["value"].mean(), rel=1e-12)
    hourly = year_client.get(f"{BASE}/{DONGSI}", params={
        "aggrMethods": "max", "aggrPeriodDuration": "PT1H", "lastN": 3}).json()["pm25"]["max"]
    assert [h[0] for h in hourly] == prsa_year["value"].tail(3).tolist()


def test_instances_values_windows_and_last_n(client):
    one = client.get(f"{BASE}/{TONGZHOU}", params={"timerel": "between", "timeAt": "2024-01-01T02:00:00Z",
                                                   "endTimeAt": "2024-01-01T04:00:00Z"}).json()
    assert [(i["value"], i["observedAt"]) for i in one["pm25"]] == [
        (22.0, "2024-01-01T02:00:00Z"), (23.0, "2024-01-01T03:00:00Z")]
    assert one["pm25"][0]["unitCode"] == "GQ" and one["pm25"][0]["instanceId"].startswith("urn:citytwin:log:")
    before = client.get(f"{BASE}/{TONGZHOU}", params={"timerel": "before", "timeAt": "2024-01-01T01:00:00Z",
                                                      "options": "temporalValues"}).json()
    assert before["pm25"] == {"type": "Property", "values": [[20.0, "2024-01-01T00:00:00Z"]]}
    after = client.get(f"{BASE}/{TONGZHOU}", params={"timerel": "after", "timeAt": "2024-01-01T22:00:00Z",
                                                     "options": "temporalValues"}).json()
    assert after["pm25"]["values"] == [[43.0, "2024-01-01T23:00:00Z"]]
    last = client.get(f"{BASE}/{TONGZHOU}", params={"lastN": 2, "options": "temporalValues"}).json()
    assert [v[0] for v in last["pm25"]["values"]] == [42.0, 43.0]
    many = client.get(BASE, params={"type": "AirQualityObserved", "options": "temporalValues,count"})
    assert many.headers["ngsild-results-count"] == "4"
    by_id = {e["id"]: e for e in many.json()}
    assert len(by_id[TONGZHOU]["pm25"]["values"]) == 24
    assert len(by_id["urn:ngsi-ld:AirQualityObserved:dongsi"]["no2"]["values"]) == 3
    assert client.get(BASE, params={"attrs": "no2"}).json()[0]["id"] == "urn:ngsi-ld:AirQualityObserved:dongsi"


def test_unknown_entities_are_not_found_and_a_deleted_one_keeps_its_history(client, keys):
    for entity_id in ("urn:ngsi-ld:AirQualityObserved:nowhere", "not-a-urn"):
        response = client.get(f"{BASE}/{entity_id}", params={"aggrMethods": "avg", "aggrPeriodDuration": "P1D"})
        assert response.status_code == 404 and entity_id in response.json()["detail"], response.text
    assert client.delete(f"/ngsi-ld/v1/entities/{TONGZHOU}", headers=bearer(keys["tongzhou"])).status_code == 204
    kept = client.get(f"{BASE}/{TONGZHOU}", params={"aggrMethods": "totalCount,avg", "aggrPeriodDuration": "P1D"})
    assert kept.status_code == 200, kept.text
    days = [["2023-12-31T16:00:00Z", "2024-01-01T16:00:00Z"], ["2024-01-01T16:00:00Z", "2024-01-02T16:00:00Z"]]
    assert kept.json() == {"id": TONGZHOU, "type": "AirQualityObserved", "pm25": {  # 20 + hour, hours 0-23 UTC
        "type": "Property", "totalCount": [[16, *days[0]], [8, *days[1]]], "avg": [[27.5, *days[0]], [39.5, *days[1]]]}}


@pytest.mark.parametrize(("params", "detail"), [
    ({"timerel": "during", "timeAt": "2024-01-01T00:00:00Z"}, "timerel"),
    ({"timerel": "between", "timeAt": "2024-01-01T00:00:00Z"}, "endTimeAt"),
    ({"timerel": "before"}, "timeAt"),
    ({"timerel": "before", "timeAt": "yesterday"}, "ISO 8601"),
    ({"aggrMethods": "stddev"}, "stddev"),
    ({"aggrMethods": "avg", "aggrPeriodDuration": "PT15M"}, "PT15M"),
    ({"lastN": 0}, "lastN"),
    ({"attrs": "name"}, "observed attributes"),
])
def test_bad_temporal_queries_are_refused_clearly(client, params, detail):
    response = client.get(f"{BASE}/{TONGZHOU}", params=params)
    assert response.status_code == 400, response.text
    assert detail in response.json()["detail"]


def test_temporal_writes_add_readings(client, keys):
    headers = bearer(keys["tongzhou"])
    created = client.post(BASE, headers=headers, json={
        "id": "urn:ngsi-ld:AirQualityObserved:songzhuang", "type": "AirQualityObserved",
        "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [116.73, 39.94]}},
        "no2": [{"type": "Property", "value": v, "observedAt": f"2024-01-01T0{h}:00:00Z"}
                for h, v in enumerate([31, 32, 33])]})
    assert created.status_code == 201, created.text
    again = client.post(f"{BASE}/urn:ngsi-ld:AirQualityObserved:songzhuang/attrs", headers=headers, json={
        "no2": [{"type": "Property", "value": 33, "observedAt": "2024-01-01T02:00:00Z"},
                {"type": "Property", "value": 34, "observedAt": "2024-01-01T03:00:00Z"}]})
    assert again.status_code == 204
    values = client.get(f"{BASE}/urn:ngsi-ld:AirQualityObserved:songzhuang",
                        params={"options": "temporalValues"}).json()["no2"]["values"]
    assert [v[0] for v in values] == [31.0, 32.0, 33.0, 34.0]  # the repeated reading is stored once
