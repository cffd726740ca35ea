"""24-hour-ahead hourly PM2.5 forecasts per station with gradient boosting (LightGBM).

A forecast issued at hour t (with data up to and including t) is for hour t + 24. One model serves
all stations (the station is a categorical feature). Features, all known at t:

- PM2.5 of the station at t, t-1, t-2, t-3, t-5, t-11, t-23 and t-47, its 6-h and 24-h means,
  and its value one week before the target (t + 24 - 168);
- the other pollutants at t (PM10, SO2, NO2, CO, O3);
- weather at t: temperature, dew point and their spread, pressure and its 3-h and 24-h change,
  precipitation, wind speed and the wind's u/v components;
- calendar of the target hour (Asia/Shanghai): hour, day of week, day of year (sin/cos), month;
- neighbouring stations: the mean PM2.5 of the other stations at t, its 24-h change and 6-h mean.

Baselines on the same rows: *persistence* (the value 24 h before the target, i.e. at t) and
*seasonal naive* (the value 168 h before the target, the same hour a week earlier; with hourly data
and a 24-h horizon the daily-seasonal naive is persistence itself).

Split (issue 6): train on targets up to 2016-02-29 (Asia/Shanghai), test on targets
2016-03-01..2017-02-28 — strictly later than every training target.

Input: the station-hour frame of :mod:`citytwin.air.frames` [µg/m³; CO mg/m³; weather in the
twin's units]. Output frames say their units.

References
----------
[1] Ke G. et al. (2017) LightGBM: A highly efficient gradient boosting decision tree. NeurIPS 30.
[2] Zhang S. et al. (2017) Cautionary tales on air-quality improvement in Beijing. Proc. R. Soc. A
    473: 20170457 (the PRSA data).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from citytwin.air.frames import TZ, complete_hours
from citytwin.errors import BadInputError, NotFoundError, VerificationError

__all__ = [
    "HORIZON_H",
    "TEST_RANGE",
    "TRAIN_END",
    "ForecastModel",
    "evaluate",
    "features",
    "load",
    "predict",
    "save",
    "train",
]

HORIZON_H = 24
TRAIN_END = dt.date(2016, 2, 29)
TEST_RANGE = (dt.date(2016, 3, 1), dt.date(2017, 2, 28))
_LAGS = (0, 1, 2, 3, 5, 11, 23, 47)
DEFAULT_PARAMS = {
    "objective": "regression",
    "learning_rate": 0.05,
    "num_leaves": 63,
    "min_data_in_leaf": 200,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "num_threads": 2,
    "seed": 7,
    "deterministic": True,
    "force_col_wise": True,
    "verbose": -1,
}
DEFAULT_ROUNDS = 500


@dataclass
class ForecastModel:
    """A trained model and its record: data range, stations, features, parameters."""

    booster: object
    features: list[str]
    stations: list[str]
    record: dict = field(default_factory=dict)


def _shift(f: pd.DataFrame, column: str, k: int) -> pd.Series:
    return f.groupby("station_id", sort=False)[column].shift(k)


def features(frame: pd.DataFrame, horizon: int = HORIZON_H) -> pd.DataFrame:
    """The feature table: one row per station and issue hour t, target PM2.5 at t + `horizon`.

    Returns
    -------
    DataFrame
        ``station_id``, ``issued_at`` and ``target_at`` (UTC), ``target_day`` (Asia/Shanghai date
        of the target), ``y`` (PM2.5 at the target [µg/m³], NaN if unknown), ``persistence`` and
        ``seasonal_naive`` [µg/m³], and the feature columns (module docstring).
    """
    if "pm25" not in frame.columns:
        raise BadInputError("frame has no pm25 column: expected PM2.5 [ug/m3]")
    if horizon < 1:
        raise BadInputError(f"horizon {horizon}: expected at least 1 hour")
    f = complete_hours(frame)
    for c in ("pm10", "so2", "no2", "co", "o3", "temperature", "dewpoint", "pressure", "precipitation",
              "windSpeed", "windDirection"):
        if c not in f:
            f[c] = np.nan
    out = pd.DataFrame({"station_id": f["station_id"], "issued_at": f["observed_at"]})
    out["target_at"] = out["issued_at"] + pd.Timedelta(hours=horizon)
    out["y"] = _shift(f, "pm25", -horizon)
    for k in _LAGS:
        out[f"pm25_lag{k}"] = _shift(f, "pm25", k)
    g = f.groupby("station_id", sort=False)["pm25"]
    out["pm25_mean6"] = g.rolling(6, min_periods=3).mean().reset_index(level=0, drop=True).sort_index()
    out["pm25_mean24"] = g.rolling(24, min_periods=12).mean().reset_index(level=0, drop=True).sort_index()
    out["pm25_week"] = _shift(f, "pm25", 168 - horizon)
    for c in ("pm10", "so2", "no2", "co", "o3", "temperature", "dewpoint", "pressure", "precipitation",
              "windSpeed"):
        out[c] = f[c].to_numpy()
    out["spread"] = f["temperature"] - f["dewpoint"]
    out["pressure_d3"] = f["pressure"] - _shift(f, "pressure", 3)
    out["pressure_d24"] = f["pressure"] - _shift(f, "pressure", 24)
    rad = np.radians(f["windDirection"].to_numpy(dtype=float))
    # wind *from* direction: the air moves towards direction + 180°
    out["wind_u"] = -f["windSpeed"].to_numpy(dtype=float) * np.sin(rad)
    out["wind_v"] = -f["windSpeed"].to_numpy(dtype=float) * np.cos(rad)
    local = out["target_at"].dt.tz_convert(TZ)
    out["target_day"] = local.dt.date
    out["hour"] = local.dt.hour
    out["dow"] = local.dt.day_of_week
    out["month"] = local.dt.month
    doy = local.dt.day_of_year.to_numpy()
    out["doy_sin"], out["doy_cos"] = np.sin(2 * np.pi * doy / 365.25), np.cos(2 * np.pi * doy / 365.25)
    # neighbours: the other stations' mean at t
    table = f.pivot(index="observed_at", columns="station_id", values="pm25")
    total, count = table.sum(axis=1, min_count=1), table.notna().sum(axis=1)
    mine = f["pm25"].to_numpy(dtype=float)
    tot = total.reindex(f["observed_at"]).to_numpy()
    cnt = count.reindex(f["observed_at"]).to_numpy().astype(float)
    own = ~np.isnan(mine)
    n_others = cnt - own
    with np.errstate(invalid="ignore", divide="ignore"):
        others = (tot - np.where(own, mine, 0.0)) / n_others
    out["net_mean"] = np.where(n_others > 0, others, np.nan)
    out["net_d24"] = out["net_mean"] - out.groupby("station_id", sort=False)["net_mean"].shift(24)
    out["net_mean6"] = (
        out.groupby("station_id", sort=False)["net_mean"].rolling(6, min_periods=3).mean()
        .reset_index(level=0, drop=True).sort_index()
    )
    out["persistence"] = out["pm25_lag0"]
    out["seasonal_naive"] = out["pm25_week"]
    out["station"] = pd.Categorical(out["station_id"])
    return out


def _feature_columns(table: pd.DataFrame) -> list[str]:
    skip = {"station_id", "issued_at", "target_at", "target_day", "y", "persistence", "seasonal_naive"}
    return [c for c in table.columns if c not in skip]


def train(
    table: pd.DataFrame,
    train_end: dt.date = TRAIN_END,
    train_start: dt.date | None = None,
    rounds: int = DEFAULT_ROUNDS,
    params: dict | None = None,
) -> ForecastModel:
    """Fit LightGBM on the rows of `table` (:func:`features`) whose target day is ≤ `train_end`.

    Returns a :class:`ForecastModel` whose ``record`` gives the target range, stations, row
    count, features, parameters and the SHA-256 of the model text (what the CLI commits).
    """
    import lightgbm as lgb

    sel = table["y"].notna() & (table["target_day"] <= train_end)
    if train_start is not None:
        sel &= table["target_day"] >= train_start
    rows = table.loc[sel]
    if len(rows) < 1000:
        raise BadInputError(f"{len(rows)} training rows up to {train_end}: expected at least 1000")
    cols = _feature_columns(table)
    p = dict(DEFAULT_PARAMS, **(params or {}))
    booster = lgb.train(p, lgb.Dataset(rows[cols], label=rows["y"], categorical_feature=["station"]), rounds)
    text = booster.model_to_string()
    stations = sorted(map(str, rows["station_id"].unique()))
    record = {
        "kind": "citytwin.air.forecast/pm25",
        "model": f"lightgbm {lgb.__version__}",
        "horizon_h": HORIZON_H,
        "target": "pm25 [ug/m3]",
        "train_targets": [str(rows["target_day"].min()), str(rows["target_day"].max())],
        "stations": stations,
        "rows": len(rows),
        "features": cols,
        "params": p,
        "rounds": rounds,
        "model_sha256": hashlib.sha256(text.encode()).hexdigest(),
    }
    return ForecastModel(booster=booster, features=cols, stations=stations, record=record)


def _predict_rows(model: ForecastModel, rows: pd.DataFrame) -> np.ndarray:
    unknown = sorted(set(map(str, rows["station_id"].unique())) - set(model.stations))
    if unknown:
        raise BadInputError(
            f"stations {', '.join(unknown[:5])} were not in training: "
            f"expected one of {', '.join(model.stations)}"
        )
    x = rows[model.features].copy()
    x["station"] = pd.Categorical(rows["station_id"].astype(str), categories=model.stations)
    return np.clip(model.booster.predict(x), 0, None)


def evaluate(
    model: ForecastModel, table: pd.DataFrame, test_range: tuple[dt.date, dt.date] = TEST_RANGE
) -> tuple[pd.DataFrame, dict]:
    """RMSE and MAE of the model, persistence and seasonal naive per station on the test targets.

    Only rows where the target and both baselines are known are scored, so that all three are
    compared on the same hours.

    Returns
    -------
    (DataFrame, dict)
        Per station: ``n``, ``rmse_model``, ``rmse_persistence``, ``rmse_seasonal``, ``mae_model``,
        ``mae_persistence``, ``mae_seasonal`` [µg/m³] and ``rmse_gain`` (1 − model/persistence);
        and a summary with the means over stations (``mean_rmse_gain`` is the figure of issue 6).
    """
    lo, hi = test_range
    sel = (
        table["y"].notna() & table["persistence"].notna() & table["seasonal_naive"].notna()
        & (table["target_day"] >= lo) & (table["target_day"] <= hi)
    )
    rows = table.loc[sel]
    if rows.empty:
        raise BadInputError(f"no test rows with targets in {lo}..{hi}")
    if str(rows["target_day"].min()) <= model.record.get("train_targets", ["", ""])[1]:
        raise BadInputError(
            f"test targets start {rows['target_day'].min()}, not after the training targets "
            f"(up to {model.record['train_targets'][1]}): expected a strict time split"
        )
    pred = _predict_rows(model, rows)
    res = pd.DataFrame(
        {"station_id": rows["station_id"].to_numpy(), "y": rows["y"].to_numpy(), "model": pred,
         "persistence": rows["persistence"].to_numpy(), "seasonal": rows["seasonal_naive"].to_numpy()}
    )
    out = []
    for s, g in res.groupby("station_id", sort=True):
        e = {k: g[k].to_numpy() - g["y"].to_numpy() for k in ("model", "persistence", "seasonal")}
        row = {"station_id": s, "n": len(g)}
        for k, v in e.items():
            row[f"rmse_{k}"] = float(np.sqrt(np.mean(v**2)))
            row[f"mae_{k}"] = float(np.mean(np.abs(v)))
        row["rmse_gain"] = 1 - row["rmse_model"] / row["rmse_persistence"]
        out.append(row)
    per = pd.DataFrame(out)
    summary = {
        "test_targets": [str(lo), str(hi)],
        "stations": len(per),
        "rows": int(per["n"].sum()),
        "mean_rmse_model": float(per["rmse_model"].mean()),
        "mean_rmse_persistence": float(per["rmse_persistence"].mean()),
        "mean_rmse_seasonal": float(per["rmse_seasonal"].mean()),
        "mean_mae_model": float(per["mae_model"].mean()),
        "mean_mae_persistence": float(per["mae_persistence"].mean()),
        "mean_mae_seasonal": float(per["mae_seasonal"].mean()),
        "mean_rmse_gain": float(per["rmse_gain"].mean()),
    }
    return per, summary


def predict(model: ForecastModel, frame: pd.DataFrame, issued_at: pd.Timestamp | None = None) -> pd.DataFrame:
    """Hourly PM2.5 for the 24 hours after `issued_at` (default: the last hour of `frame`).

    The 24-h-ahead model issued at each of the hours t-23..t gives the targets t+1..t+24.

    Returns
    -------
    DataFrame
        ``station_id``, ``target_at`` (UTC), ``pm25`` [µg/m³] forecast, ``issued_at``.
    """
    table = features(frame)
    t = table["issued_at"].max() if issued_at is None else pd.Timestamp(issued_at)
    if t.tzinfo is None:
        raise BadInputError(f"issued_at {t} has no time zone: expected UTC")
    rows = table.loc[(table["issued_at"] > t - pd.Timedelta(hours=HORIZON_H)) & (table["issued_at"] <= t)]
    if rows.empty:
        raise BadInputError(f"no data in the 24 h up to {t}")
    out = rows[["station_id", "target_at"]].copy()
    out["pm25"] = _predict_rows(model, rows)
    out["issued_at"] = t
    return out.sort_values(["station_id", "target_at"]).reset_index(drop=True)


def save(model: ForecastModel, directory: Path) -> Path:
    """Write ``model.txt`` (LightGBM text) and ``record.json`` into `directory`."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "model.txt").write_text(model.booster.model_to_string(), encoding="utf-8")
    (directory / "record.json").write_text(json.dumps(model.record, indent=2, default=str), encoding="utf-8")
    return directory


def load(directory: Path) -> ForecastModel:
    """Read a model written by :func:`save`; the model text must match the recorded SHA-256."""
    import lightgbm as lgb

    directory = Path(directory)
    try:
        text = (directory / "model.txt").read_text(encoding="utf-8")
        record = json.loads((directory / "record.json").read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise NotFoundError(f"forecast model in {directory}: expected model.txt and record.json") from e
    digest = hashlib.sha256(text.encode()).hexdigest()
    if digest != record.get("model_sha256"):
        expected = record.get("model_sha256")
        raise VerificationError(f"model.txt in {directory}: expected sha256 {expected}, got {digest}")
    booster = lgb.Booster(model_str=text)
    return ForecastModel(booster, features=record["features"], stations=record["stations"], record=record)
