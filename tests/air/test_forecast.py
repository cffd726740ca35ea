"""24-h-ahead PM2.5 forecast: on a small real subset the model beats persistence.

Subset: four PRSA stations, training targets 2015-03-01..2016-02-29, test targets
2016-03-01..2016-08-31 (the split of issue 6, shortened). The full evaluation (12 stations, test
year 2016-03..2017-02) is `citytwin air forecast evaluate`.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from citytwin.air import forecast as F
from citytwin.errors import BadInputError, VerificationError

STATIONS = ["dongsi", "tiantan", "dingling", "shunyi"]
TEST = (dt.date(2016, 3, 1), dt.date(2016, 8, 31))


@pytest.fixture(scope="module")
def subset(prsa):
    t = prsa["observed_at"]
    keep = prsa["station_id"].isin(STATIONS) & (t >= pd.Timestamp("2015-02-20", tz="UTC"))
    return prsa.loc[keep & (t < pd.Timestamp("2016-09-05", tz="UTC"))]


@pytest.fixture(scope="module")
def trained(subset):
    table = F.features(subset)
    model = F.train(table, train_start=dt.date(2015, 3, 1), rounds=120, params={"num_leaves": 31})
    return table, model


def test_features_are_known_at_issue_time(subset):
    table = F.features(subset)
    s = subset.loc[subset["station_id"] == "dongsi"].set_index("observed_at")
    row = table.loc[table["station_id"] == "dongsi"].iloc[500]
    t = row["issued_at"]
    assert row["target_at"] == t + pd.Timedelta(hours=24)
    assert row["y"] == s.loc[row["target_at"], "pm25"] or pd.isna(row["y"])
    assert row["persistence"] == s.loc[t, "pm25"] or pd.isna(row["persistence"])
    assert row["pm25_lag23"] == s.loc[t - pd.Timedelta(hours=23), "pm25"] or pd.isna(row["pm25_lag23"])
    assert row["seasonal_naive"] == s.loc[row["target_at"] - pd.Timedelta(hours=168), "pm25"]


def test_beats_persistence_on_subset(trained):
    table, model = trained
    per, summary = F.evaluate(model, table, TEST)
    assert summary["stations"] == 4 and summary["rows"] > 10_000
    assert summary["mean_rmse_gain"] >= 0.15, summary
    assert (per["rmse_model"] < per["rmse_persistence"]).all()
    assert summary["mean_rmse_model"] < summary["mean_rmse_seasonal"]
    assert model.record["train_targets"] == ["2015-03-01", "2016-02-29"]


def test_strict_split_is_enforced(trained):
    table, model = trained
    with pytest.raises(BadInputError, match="expected a strict time split"):
        F.evaluate(model, table, (dt.date(2016, 2, 1), dt.date(2016, 3, 31)))


def test_predict_next_24_hours_and_save_load(trained, subset, tmp_path):
    _, model = trained
    upto = subset.loc[subset["observed_at"] < pd.Timestamp("2016-06-01", tz="UTC")]
    p = F.predict(model, upto)
    last = upto["observed_at"].max()
    assert len(p) == 4 * 24 and (p["pm25"] >= 0).all()
    assert p["target_at"].min() == last + pd.Timedelta(hours=1)
    assert p["target_at"].max() == last + pd.Timedelta(hours=24)
    F.save(model, tmp_path / "m")
    again = F.load(tmp_path / "m")
    assert again.record == model.record
    assert (F.predict(again, upto)["pm25"] == p["pm25"]).all()
    (tmp_path / "m" / "model.txt").write_text("tree\n", encoding="utf-8")
    with pytest.raises(VerificationError, match="expected sha256"):
        F.load(tmp_path / "m")
