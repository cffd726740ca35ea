"""`citytwin air ...` over a real twin: a DuckDB file and log holding real PRSA observations of two
Dongcheng stations (Dongsi, Tiantan), 2015-11-01 .. 2016-04-10."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from citytwin.air import daily
from citytwin.cli import app
from citytwin.datasets.load import reference_entities, reference_observations
from citytwin.twin import Twin

runner = CliRunner()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("air") / "data"
    obs = reference_observations("prsa")
    keep = obs["entity_id"].str.endswith((":dongsi", ":tiantan"))
    keep &= (obs["observed_at"] >= pd.Timestamp("2015-10-31 16:00", tz="UTC")) & (
        obs["observed_at"] < pd.Timestamp("2016-04-10 16:00", tz="UTC")
    )
    with Twin.init(path, origin="test.citytwin/air") as twin:
        twin.commit(reference_entities())
        result = twin.commit_observations(obs.loc[keep])
        assert not result.rejected
    return path


def _run(data_dir, *args):
    return runner.invoke(app, ["--data-dir", str(data_dir), "air", *args])


def test_air_aqi_json(data_dir, prsa):
    r = _run(data_dir, "aqi", "--station", "dongsi", "--day", "2015-12-08", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["standard"] == "HJ633-2012" and len(out["hourly"]) == 24
    # the same as the pure function over the reference frame
    ref = daily.daily_aqi(prsa.loc[prsa["station_id"] == "dongsi"])
    expected = ref.loc[ref["day"] == pd.Timestamp("2015-12-08").date()].iloc[0]
    assert out["daily"]["aqi"] == expected["aqi"] and out["daily"]["primary"] == expected["primary"]
    assert out["daily"]["category_en"] == expected["category_en"]


def test_air_daily_and_episodes(data_dir):
    r = _run(
        data_dir, "daily", "--jurisdiction", "110101", "--from", "2015-12-01", "--to", "2015-12-31", "--json"
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert len(out["days"]) == 31 and set(out["stations"]) == {"dongsi", "tiantan"}
    assert all(d["n_stations"] == 2 for d in out["days"] if d["aqi"] is not None)
    r = _run(data_dir, "episodes", "--jurisdiction", "110101", "--json")
    assert r.exit_code == 0, r.output
    eps = json.loads(r.stdout)["episodes"]
    assert any(e["alert"] == "red" and e["start"] <= "2015-12-20" <= e["end"] for e in eps)
    r = _run(data_dir, "daily", "--jurisdiction", "110101", "--from", "2015-12-31", "--to", "2015-12-01")
    assert r.exit_code == 2 and "expected the first day on or before the last" in " ".join(r.output.split())


def test_air_forecast_train_evaluate_predict(data_dir):
    model = data_dir.parent / "model"
    r = _run(data_dir, "forecast", "train", "--rounds", "60", "--model", str(model), "--json")
    assert r.exit_code == 0, r.output
    trained = json.loads(r.stdout)
    assert trained["record"]["train_targets"][1] == "2016-02-29"
    assert trained["record_entity"].startswith("urn:ngsi-ld:ForecastModel:air-pm25-")
    with Twin.open(data_dir) as twin:  # the record is in the twin and its log
        entity = twin.entity(trained["record_entity"])
        assert entity.properties["model_sha256"] == trained["record"]["model_sha256"]
        assert entity.log_index is not None
    r = _run(
        data_dir,
        "forecast",
        "evaluate",
        "--model",
        str(model),
        "--from",
        "2016-03-01",
        "--to",
        "2016-04-10",
        "--min-gain",
        "0",
        "--json",
    )
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)["summary"]
    assert summary["stations"] == 2 and summary["mean_rmse_model"] > 0
    r = _run(
        data_dir,
        "forecast",
        "evaluate",
        "--model",
        str(model),
        "--from",
        "2016-03-01",
        "--to",
        "2016-04-10",
        "--min-gain",
        "0.99",
    )
    assert r.exit_code == 1
    r = _run(data_dir, "forecast", "predict", "--model", str(model), "--at", "2016-04-01T00:00:00Z", "--json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)["forecast"]
    assert len(rows) == 48 and rows[0]["target_at"].startswith("2016-04-01T01:00")


def test_air_qa_and_joint(data_dir):
    r = _run(data_dir, "qa", "--from", "2015-12-01", "--to", "2015-12-31", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert {f["station_id"] for f in out["flags"]} <= {"dongsi", "tiantan"}
    assert sum(c["count"] for c in out["counts"]) == len(out["flags"])
    r = _run(data_dir, "joint", "--from", "2015-12-01", "--to", "2015-12-31", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert [j["jurisdiction"] for j in out["jurisdictions"]] == ["110101"]
    co = out["co_exceedance"]
    assert co["threshold"] == 75.0 and co["hours_any"] > 100
    assert co["hours_cross_boundary"] == 0  # both stations are in Dongcheng


def test_api_air_endpoints(data_dir):
    from fastapi.testclient import TestClient

    from citytwin.api import create_app

    cli = json.loads(_run(data_dir, "aqi", "--station", "dongsi", "--day", "2015-12-08", "--json").stdout)
    with TestClient(create_app(data_dir)) as client:  # the app holds the twin open: CLI runs before
        r = client.get("/api/v1/air/aqi", params={"station": "dongsi", "day": "2015-12-08"})
        assert r.status_code == 200, r.text
        assert r.json() == cli
        r = client.get("/api/v1/air/joint", params={"from": "2015-12-01", "to": "2015-12-31"})
        assert r.status_code == 200, r.text
        assert r.json()["jurisdictions"][0]["jurisdiction"] == "110101"
        r = client.get(
            "/api/v1/air/joint/lagged",
            params={
                "source": "dongsi",
                "target": "tiantan",
                "from": "2015-11-01",
                "to": "2016-03-31",
                "max_lag": 3,
            },
        )
        assert r.status_code == 200, r.text
        assert {c["sector"] for c in r.json()["correlations"]} >= {"N", "all"}
        r = client.get(
            "/api/v1/air/daily", params={"jurisdiction": "110101", "from": "2015-12-31", "to": "x"}
        )
        assert r.status_code == 400 and "expected a date YYYY-MM-DD" in r.json()["detail"]
        assert r.headers["content-type"].startswith("application/problem+json")
        r = client.get("/api/v1/air/aqi", params={"station": "nowhere", "day": "2015-12-08"})
        assert r.status_code == 404, r.text


def test_air_qa_commit_stores_flags(data_dir):
    args = ("qa", "--from", "2015-12-01", "--to", "2016-01-31", "--commit", "--json")
    r = _run(data_dir, *args)
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["stored"]["flags"] == len(out["flags"]) > 0 and out["stored"]["entities"] >= 1
    with Twin.open(data_dir) as twin:
        stored = twin.entities(type="DataQualityFlags")
        assert sum(len(e.properties["flags"]) for e in stored) == len(out["flags"])
        assert all(e.jurisdiction == "110101" and e.log_index is not None for e in stored)
    again = json.loads(_run(data_dir, *args).stdout)  # the same flags: nothing new
    assert again["stored"]["entities"] == 0 and again["stored"]["unchanged"] == out["stored"]["entities"]
