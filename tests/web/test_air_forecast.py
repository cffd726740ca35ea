"""Forecast against observed in the air view: `/api/v1/dashboard/forecast/{station}` issues the
saved 24-h PM2.5 model once a day over the last week, beside the observed values; the page draws it."""

import json
import re

import httpx
import pandas as pd
from fastapi.testclient import TestClient

from citytwin.air import source
from citytwin.api import create_app
from citytwin.api.dashboard_frames import hourly_frame
from citytwin.datasets.load import reference_entities, reference_observations
from citytwin.twin import Twin


def test_forecast_covers_the_last_week_beside_the_observations(server, web_data_dir):
    answer = httpx.get(server + "/api/v1/dashboard/forecast/tongzhou", timeout=120).json()
    record = json.loads((web_data_dir / "models" / "air-forecast" / "record.json").read_text())
    assert answer["model"]["sha256"] == record["model_sha256"]
    assert answer["model"]["train_targets"] == record["train_targets"]
    hours = answer["hours"]
    assert len(hours) == 7 * 24
    assert hours[-1]["time"] == "2018-05-31T23:00:00+00:00"  # the last hour of the data
    assert sum(h["forecast"] is not None for h in hours) >= 0.9 * len(hours)
    # the observed values are the station's own readings, as its page shows them
    station = httpx.get(server + "/api/v1/dashboard/stations/tongzhou", params={"days": 8}).json()
    pm25 = {pd.Timestamp(r["observed_at"]): r["pm25"] for r in station["hourly"]}
    assert [h["observed"] for h in hours] == [pm25.get(pd.Timestamp(h["time"])) for h in hours]
    # persistence is the reading 24 h before
    assert [h["persistence"] for h in hours[24:]] == [h["observed"] for h in hours[:-24]]
    scored = [h for h in hours if None not in (h["forecast"], h["observed"], h["persistence"])]
    mae = sum(abs(h["forecast"] - h["observed"]) for h in scored) / len(scored)
    assert abs(answer["mae_forecast"] - mae) < 0.06  # forecasts are served rounded to 0.1
    assert httpx.get(server + "/api/v1/dashboard/forecast/nowhere").status_code == 404


def test_air_view_draws_forecast_against_observed(dashboard, server):
    page = dashboard.open("/air", view="air")
    page.wait_for_selector("[data-testid=forecast][data-ready=true]", timeout=120_000)
    answer = httpx.get(server + "/api/v1/dashboard/forecast/tongzhou").json()
    assert page.get_attribute("[data-testid=forecast]", "data-station") == "tongzhou"
    assert page.locator("[data-testid=forecast-chart] canvas").count() == 1
    note = page.inner_text("[data-testid=forecast-note]")
    assert f"{answer['mae_forecast']:.1f}" in note and f"{answer['mae_persistence']:.1f}" in note
    assert "平均绝对误差" in note
    dashboard.screenshot("air-forecast")
    page.select_option("[data-testid=forecast-station]", "dongsi")
    page.wait_for_selector("[data-testid=forecast][data-ready=true][data-station=dongsi]", timeout=60_000)
    other = httpx.get(server + "/api/v1/dashboard/forecast/dongsi").json()
    assert f"{other['mae_forecast']:.1f}" in page.inner_text("[data-testid=forecast-note]")
    page.click("[data-testid=lang]")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert re.search(r"mean absolute error [\d.]+ µg/m³", page.inner_text("[data-testid=forecast-note]"))
    assert dashboard.errors == [] and dashboard.blocked == []


def test_hourly_frame_is_the_station_frame(tmp_path):
    data = tmp_path / "data"
    ids = [f"urn:ngsi-ld:AirQualityObserved:{s}" for s in ("tongzhou", "dongsi", "yongledian")]
    with Twin.init(data, origin="test.citytwin/frames") as twin:
        assert twin.commit([e for e in reference_entities() if e.id in ids]).rejected == []
        batch = reference_observations("kdd2018")
        assert twin.commit_observations(batch[batch["entity_id"].isin(ids)
                                              & (batch["observed_at"] >= "2018-05-28")]).rejected == []
        start, end = (pd.Timestamp(t).to_pydatetime() for t in ("2018-05-29T00:00Z", "2018-06-01T00:00Z"))
        expected = source.station_frame(twin, ids[:2], start, end)
        got = hourly_frame(twin, ids[:2], start, end)
    assert sorted(got["station_id"].unique()) == ["dongsi", "tongzhou"]
    pd.testing.assert_frame_equal(got[expected.columns], expected, check_dtype=False)


def test_no_model_says_so(tmp_path):
    data = tmp_path / "data"
    with Twin.init(data, origin="test.citytwin/no-model") as twin:
        assert twin.commit([e for e in reference_entities() if e.id.endswith(":tongzhou")]).rejected == []
    with TestClient(create_app(data)) as client:
        assert client.get("/api/v1/dashboard/forecast/tongzhou").json() == {
            "station_id": "tongzhou", "model": None, "hours": []}
