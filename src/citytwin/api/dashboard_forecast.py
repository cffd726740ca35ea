"""``/api/v1/dashboard/forecast/{station}``: the 24-h-ahead PM2.5 forecast against what was observed.

The model is the one ``citytwin air forecast train`` saved in ``<data>/models/air-forecast``
(:mod:`citytwin.air.forecast`, LightGBM; its text is checked against the SHA-256 in its record).
For the last ``days`` days with data, the model is issued once a day at the last hour of the
previous day, each issue giving the next 24 hours (:func:`citytwin.air.forecast.predict`), so
every hour shown was forecast 1-24 h ahead from data before it. Beside it: the observed PM2.5,
the persistence baseline (the value 24 h earlier) and the mean absolute error of both.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Annotated

import numpy as np
import pandas as pd
from fastapi import APIRouter, Query
from fastapi import Path as PathParam

from citytwin.air import forecast, source
from citytwin.api.dashboard_frames import hourly_frame
from citytwin.api.deps import ReadAccess, ReaderDep, StateDep
from citytwin.api.problems import ResourceNotFound
from citytwin.errors import NotFoundError

__all__ = ["MODEL_DIR", "router"]

router = APIRouter()

MODEL_DIR = ("models", "air-forecast")  # under the data directory, as `citytwin air forecast train` saves it
_cache: dict[tuple, dict] = {}
_models: dict = {}
_lock = threading.Lock()


def _model(data_dir) -> forecast.ForecastModel | None:
    """The saved model, loaded again only when its file changes (loading imports LightGBM)."""
    path = data_dir.joinpath(*MODEL_DIR)
    if not (path / "model.txt").exists():
        return None
    stamp = (str(path), (path / "model.txt").stat().st_mtime_ns)
    if _models.get("stamp") != stamp:
        _models.update(stamp=stamp, model=forecast.load(path))
    return _models["model"]


def _series(frame: pd.DataFrame, station: str, model, last: pd.Timestamp, days: int) -> list[dict]:
    issues = [last - pd.Timedelta(hours=24 * k) for k in range(days, 0, -1)]
    parts = [forecast.predict(model, frame, t) for t in issues]
    predicted = pd.concat(parts).loc[lambda p: p["station_id"] == station].set_index("target_at")["pm25"]
    mine = frame.loc[frame["station_id"] == station].set_index("observed_at")["pm25"]
    hours = pd.date_range(issues[0] + pd.Timedelta(hours=1), last, freq="h")
    observed = mine.reindex(hours)
    persistence = mine.reindex(hours - pd.Timedelta(hours=forecast.HORIZON_H)).to_numpy()
    rows = []
    for t, f, o, p in zip(hours, predicted.reindex(hours), observed, persistence, strict=True):
        rows.append({"time": t.isoformat(), "forecast": None if np.isnan(f) else round(float(f), 1),
                     "observed": None if np.isnan(o) else float(o), "persistence": None if np.isnan(p) else float(p)})
    return rows


def _mae(rows: list[dict], key: str) -> float | None:
    pairs = [(r[key], r["observed"]) for r in rows if r[key] is not None and r["observed"] is not None
             and r["forecast"] is not None and r["persistence"] is not None]
    return float(np.mean([abs(a - b) for a, b in pairs])) if pairs else None


@router.get("/forecast/{station}", summary="24-h PM2.5 forecast against observed for one station")
def station_forecast(
    state: StateDep, reader: ReaderDep, _: ReadAccess,
    station: Annotated[str, PathParam(description="Station id (dongsi) or URN.")],
    days: Annotated[int, Query(ge=1, le=14, description="Days, ending at the latest hour with data.")] = 7,
) -> dict:
    """Hourly ``forecast``, ``observed`` and ``persistence`` PM2.5 [µg/m³] over the last `days`
    days, with ``mae_forecast`` and ``mae_persistence`` [µg/m³] on the hours where all three are
    known; ``model`` is the model's record (training targets, rounds) or null when no model has
    been trained in this data directory."""
    entity_id = source.station_id(station)
    local = entity_id.rsplit(":", 1)[-1]
    data_dir = state.twin.config.data_dir
    with _lock:  # guards the model and the cache; the forecast itself runs outside it
        model = _model(data_dir)
        key = (str(data_dir), state.twin.log.size, local, days, _models.get("stamp"))
        cached = _cache.get(key)
    if cached is not None:
        return cached
    if model is None:
        return {"station_id": local, "model": None, "hours": []}
    if local not in model.stations:
        raise ResourceNotFound(f"station {local} was not in the forecast model's training data")
    try:
        ids = list(source.stations(reader)["entity_id"])
        latest = reader.latest()
        latest = latest.loc[(latest["entity_id"] == entity_id) & (latest["attribute"] == "pm25")]
        if not len(latest):
            raise NotFoundError(f"no pm25 readings of {entity_id}")
        last = pd.to_datetime(latest["observed_at"], utc=True).max()
        start = (last - pd.Timedelta(days=days + 8)).to_pydatetime()  # the features look 7 days back
        frame = hourly_frame(reader, ids, start, last.to_pydatetime() + dt.timedelta(hours=1), weather=True)
    except NotFoundError as e:
        raise ResourceNotFound(str(e)) from None
    frame = frame.loc[frame["station_id"].isin(model.stations)]
    rows = _series(frame, local, model, last, days)
    record = model.record
    answer = {"station_id": local, "horizon_h": forecast.HORIZON_H,
              "model": {"model": record.get("model"), "train_targets": record.get("train_targets"),
                        "rounds": record.get("rounds"), "sha256": record.get("model_sha256")},
              "hours": rows, "mae_forecast": _mae(rows, "forecast"), "mae_persistence": _mae(rows, "persistence")}
    with _lock:
        _cache.clear()
        _cache[key] = answer
    return answer
