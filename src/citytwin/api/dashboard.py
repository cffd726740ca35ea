"""``/api/v1/dashboard``: what the web dashboard shows, computed by the apps' public functions.

The browser does no AQI or carbon math (STYLE.md, point 11): every AQI, colour and category
below comes from :mod:`citytwin.air.daily` (HJ 633), every tonne from
:mod:`citytwin.carbon.pathway`. The reference data ends years ago, so "current" is the latest
hour with data and "today" the latest Asia/Shanghai day with a valid daily AQI.

* ``GET /overview`` — stations with their latest real-time AQI; jurisdictions with their daily AQI
  on the latest day with data; the names of the administrative areas.
* ``GET /stations/{station}`` — one station's hourly AQI and concentrations and its daily AQI over
  the last ``days`` days with data.
* ``GET /carbon`` — the central pathway of the configured scenario against the peak target.
* ``GET /carbon/inventory`` — a reference GPC inventory by sector and scope
  (:mod:`citytwin.api.dashboard_carbon`).
* ``GET /finance`` — green projects, credit registry totals and bonds
  (:mod:`citytwin.api.dashboard_finance`).
* ``GET /ledger`` — the latest checkpoint, the log's verifier key and the witness policy, for
  checking proofs in the browser.
* ``GET /forecast/{station}`` — the 24-h PM2.5 forecast against observed
  (:mod:`citytwin.api.dashboard_forecast`).
* ``GET /ledger/history`` — every published checkpoint with its verified cosignatures
  (:mod:`citytwin.api.dashboard_ledger`).
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from importlib import resources
from pathlib import Path
from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Query
from fastapi import Path as PathParam

from citytwin.air import daily as air_daily
from citytwin.air import source
from citytwin.api import dashboard_carbon, dashboard_finance, dashboard_forecast, dashboard_ledger
from citytwin.api.dashboard_frames import hourly_frame
from citytwin.api.deps import ReadAccess, ReaderDep, StateDep
from citytwin.api.problems import ResourceNotFound
from citytwin.errors import NotFoundError

__all__ = ["PEAK_TARGET_YEAR", "NEUTRALITY_TARGET_YEAR", "router"]

router = APIRouter(prefix="/api/v1/dashboard", tags=["dashboard"])
router.include_router(dashboard_ledger.router)
router.include_router(dashboard_forecast.router)
router.include_router(dashboard_carbon.router)
router.include_router(dashboard_finance.router)

PEAK_TARGET_YEAR = 2030  # China's "dual carbon" goals: CO2 peak before 2030,
NEUTRALITY_TARGET_YEAR = 2060  # neutrality before 2060 (announced 22 Sept 2020)
_AREA_TYPE = "AdministrativeArea"
_HOURLY_COLUMNS = ["observed_at", "aqi", "level", "category_zh", "category_en", "colour", "primary",
                   "pm25", "pm10", "so2", "no2", "co", "o3"]
_DAILY_COLUMNS = ["day", "aqi", "level", "category_zh", "category_en", "colour", "primary", "pm25"]
_POLLUTANTS = ("pm25", "pm10", "so2", "no2", "co", "o3")


_latest_cache: dict[str, tuple[int, pd.DataFrame]] = {}
_frame_cache: dict[tuple, pd.DataFrame] = {}
_compute_lock = threading.RLock()


class _Remembering:
    """The API's reader with `latest()` and the recent station frame remembered until the log
    grows (every change to the twin is a log entry): the air package's ``station_frame`` asks for
    `latest()` on every call, and the overview, the slider and the ledger view read the same days.
    Everything else goes to the reader."""

    def __init__(self, state, reader) -> None:
        self._state, self._reader = state, reader

    def latest(self, entity_id: str | None = None, attribute: str | None = None) -> pd.DataFrame:
        key, size = str(self._state.twin.config.data_dir), self._state.twin.log.size
        with _compute_lock:  # requests arriving together wait for one computation
            hit = _latest_cache.get(key)
            if hit is None or hit[0] != size:
                hit = (size, self._reader.latest())
                _latest_cache[key] = hit
        frame = hit[1]
        if entity_id is not None:
            frame = frame.loc[frame["entity_id"] == entity_id]
        if attribute is not None:
            frame = frame.loc[frame["attribute"] == attribute]
        return frame

    def station_frame(self, entity_ids: list[str], start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
        """The station-hour frame (:func:`citytwin.api.dashboard_frames.hourly_frame`, the same as
        `citytwin.air.source.station_frame`), remembered (the overview and the slider read the same
        days) until the log grows."""
        key = (str(self._state.twin.config.data_dir), self._state.twin.log.size, tuple(entity_ids), start, end)
        self.latest()  # outside the lock below: it takes the lock itself
        with _compute_lock:
            frame = _frame_cache.get(key)
            if frame is None:
                frame = hourly_frame(self._reader, entity_ids, start, end)
                _frame_cache.clear()  # one range is kept: what the dashboard reads now
                _frame_cache[key] = frame
        return frame

    def __getattr__(self, name: str):
        return getattr(self._reader, name)


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    """Rows as JSON-ready dicts: times ISO 8601 UTC, dates ISO, NaN → None, AQI and level as int."""
    out = []
    for row in frame[[c for c in columns if c in frame.columns]].to_dict("records"):
        item = {}
        for k, v in row.items():
            if isinstance(v, (pd.Timestamp, dt.date)):
                v = v.isoformat()
            elif v is None or (isinstance(v, float) and v != v):
                v = None
            elif k in ("aqi", "level", "n_stations"):
                v = int(v)
            elif hasattr(v, "item"):
                v = v.item()
            item[k] = v
        out.append(item)
    return out


def _names(reader) -> dict[str, dict]:
    """Names of the administrative areas by code (zh, en)."""
    return {e.jurisdiction: {"name_zh": e.properties.get("name_zh"), "name_en": e.properties.get("name_en")}
            for e in reader.entities(type=_AREA_TYPE)}


def _latest_time(reader, entity_ids: list[str]) -> pd.Timestamp:
    latest = reader.latest()
    latest = latest.loc[latest["entity_id"].isin(entity_ids) & latest["attribute"].isin(_POLLUTANTS)]
    if not len(latest):
        raise ResourceNotFound("no air-quality readings in the twin")
    return pd.to_datetime(latest["observed_at"], utc=True).max()


def _local_day(t: pd.Timestamp) -> dt.date:
    return t.tz_convert("Asia/Shanghai").date()


_overview_cache: dict[str, tuple[int, dict]] = {}


@router.get("/overview", summary="Stations' latest AQI and jurisdictions' AQI on the latest day")
def overview(state: StateDep, reader: ReaderDep, _: ReadAccess) -> dict:
    """Each station's latest real-time AQI (HJ 633 category and colour) and the daily AQI of each
    jurisdiction on the latest day with a valid daily value. Computed again only when the log
    has grown (every change to the twin is a log entry)."""
    key, size = str(state.twin.config.data_dir), state.twin.log.size
    cached = _overview_cache.get(key)
    if cached and cached[0] == size:
        return cached[1]
    result = _overview(_Remembering(state, reader))
    _overview_cache[key] = (size, result)
    return result


def _overview(reader) -> dict:
    try:
        stations = source.stations(reader)
    except NotFoundError as e:
        raise ResourceNotFound(str(e)) from None
    entities = {e.id: e for e in reader.entities(type=source.STATION_TYPE)}
    last = _latest_time(reader, list(stations["entity_id"]))
    last_day = _local_day(last)
    first_day = last_day - dt.timedelta(days=2)  # a partial last day falls back to the day before
    frame = reader.station_frame(list(stations["entity_id"]), *source.day_bounds(first_day, last_day, 24))
    hourly = air_daily.hourly_aqi(frame).dropna(subset=["aqi"])
    jmap = dict(zip(stations["station_id"], stations["jurisdiction"], strict=True))
    jdaily = air_daily.jurisdiction_daily(frame, jmap).dropna(subset=["aqi"])
    jdaily = jdaily.loc[jdaily["day"] >= first_day]
    day = max(jdaily["day"]) if len(jdaily) else None
    names = _names(reader)
    out_stations = []
    for row in stations.to_dict("records"):
        props = entities[row["entity_id"]].properties
        mine = hourly.loc[hourly["station_id"] == row["station_id"]].tail(1)
        reading = _records(mine, _HOURLY_COLUMNS)
        out_stations.append({**row, "name_zh": props.get("name_zh"), "name_en": props.get("name_en"),
                             "latest": reading[0] if reading else None})
    jurisdictions = _records(jdaily.loc[jdaily["day"] == day],
                                   ["jurisdiction", *_DAILY_COLUMNS, "n_stations"]) if day else []
    for j in jurisdictions:
        j.update(names.get(j["jurisdiction"], {}))
    return {
        "latest_observed_at": last.isoformat(),
        "day": day.isoformat() if day else None,
        "stations": out_stations,
        "jurisdictions": sorted(jurisdictions, key=lambda j: j["jurisdiction"]),
        "areas": [{"jurisdiction": k, **v} for k, v in sorted(names.items())],
    }


@router.get("/history", summary="Every station's hourly AQI over the last days with data")
def history(state: StateDep, reader: ReaderDep, _: ReadAccess,
            days: Annotated[int, Query(ge=1, le=31, description="Days to cover, ending at the latest.")] = 3) -> dict:
    """For the map's time slider: the hours (UTC, ISO 8601) and, per station, the real-time AQI
    and its HJ 633 colour at each hour (None where there is no value). Remembered until the log grows."""
    key = (str(state.twin.config.data_dir), state.twin.log.size, days)
    answer = _history_cache.get(key)
    if answer is None:
        answer = _history(_Remembering(state, reader), days)
        _remember(_history_cache, key, answer)
    return answer


_history_cache: dict[tuple, dict] = {}
_answers_lock = threading.Lock()


def _remember(cache: dict, key: tuple, answer: dict) -> None:
    """Keep only the newest answer of a route (a key holds the log's size); the lock keeps two
    request threads from clearing each other's entry half-way."""
    with _answers_lock:
        cache.clear()
        cache[key] = answer


def _history(reader, days: int) -> dict:
    try:
        stations = source.stations(reader)
    except NotFoundError as e:
        raise ResourceNotFound(str(e)) from None
    last = _latest_time(reader, list(stations["entity_id"]))
    last_day = _local_day(last)
    first_day = last_day - dt.timedelta(days=days - 1)
    start, end = source.day_bounds(first_day, last_day)
    end = min(pd.Timestamp(end), last + pd.Timedelta(hours=1))
    frame = reader.station_frame(list(stations["entity_id"]), *source.day_bounds(first_day, last_day, 24))
    hourly = air_daily.hourly_aqi(frame)
    hourly = hourly.loc[hourly["observed_at"] >= pd.Timestamp(start)]
    times = pd.date_range(start, end, freq="h", inclusive="left", tz="UTC")
    out = {}
    for station_id, rows in hourly.groupby("station_id"):
        rows = rows.set_index("observed_at").reindex(times)
        out[station_id] = [
            None if pd.isna(a) else [int(a), c] for a, c in zip(rows["aqi"], rows["colour"], strict=True)
        ]
    return {"times": [t.isoformat() for t in times], "stations": out}


@router.get("/stations/{station}", summary="One station: hourly and daily AQI")
def station(
    state: StateDep,
    reader: ReaderDep,
    _: ReadAccess,
    station: Annotated[str, PathParam(description="Station id (dongsi) or URN.")],
    days: Annotated[int, Query(ge=1, le=366, description="Days with data to show, ending at the latest.")] = 14,
) -> dict:
    """Hourly (real-time) AQI with concentrations and the daily AQI of one station."""
    reader = _Remembering(state, reader)
    entity_id = source.station_id(station)
    try:
        entity = reader.entity(entity_id)
    except NotFoundError:
        raise ResourceNotFound(f"no station {entity_id} in the twin") from None
    last_day = _local_day(_latest_time(reader, [entity_id]))
    first_day = last_day - dt.timedelta(days=days - 1)
    frame = source.station_frame(reader, [entity_id], *source.day_bounds(first_day, last_day, 24))
    hourly = air_daily.hourly_aqi(frame)
    hourly = hourly.loc[hourly["observed_at"] >= pd.Timestamp(source.day_bounds(first_day, last_day)[0])]
    per_day = air_daily.daily_aqi(frame)
    per_day = per_day.loc[per_day["day"] >= first_day]
    coords = (entity.location or {}).get("coordinates") or [None, None]
    return {
        "station_id": entity_id.rsplit(":", 1)[-1],
        "entity_id": entity_id,
        "jurisdiction": entity.jurisdiction,
        "name_zh": entity.properties.get("name_zh"),
        "name_en": entity.properties.get("name_en"),
        "lon": coords[0],
        "lat": coords[1],
        "from": first_day.isoformat(),
        "to": last_day.isoformat(),
        "hourly": _records(hourly, _HOURLY_COLUMNS),
        "daily": _records(per_day, _DAILY_COLUMNS),
    }


_air_cache: dict[tuple, dict] = {}


@router.get("/air", summary="Joint prevention and episodes over the last days with data")
def air(state: StateDep, reader: ReaderDep, _: ReadAccess,
        days: Annotated[int, Query(ge=1, le=92, description="Days, ending at the latest day with data.")] = 30) -> dict:
    """The jurisdictions compared on daily AQI with the hours of cross-boundary PM2.5 exceedance
    and the heavy-pollution episodes with their alert levels over the last `days` days: what
    :func:`citytwin.air.report.joint_report` and :func:`~citytwin.air.report.episodes_report`
    (by jurisdiction) give, from one station-hour frame read with one query per pollutant
    (:mod:`citytwin.api.dashboard_frames`), without the station pairs. Remembered until the log grows."""
    from citytwin.air import episodes as air_episodes
    from citytwin.air import joint as air_joint
    from citytwin.air import report

    key = (str(state.twin.config.data_dir), state.twin.log.size, days)
    cached = _air_cache.get(key)
    if cached is not None:
        return cached
    reader = _Remembering(state, reader)
    try:
        stations = source.stations(reader)
    except NotFoundError as e:
        raise ResourceNotFound(str(e)) from None
    last_day = _local_day(_latest_time(reader, list(stations["entity_id"])))
    first_day = last_day - dt.timedelta(days=days - 1)
    frame = hourly_frame(reader, list(stations["entity_id"]), *source.day_bounds(first_day, last_day))
    jmap = dict(zip(stations["station_id"], stations["jurisdiction"], strict=True))
    per_day = air_daily.jurisdiction_daily(frame, jmap)
    co = air_joint.co_exceedance(frame, jmap, "pm25")
    hours = co.hours.loc[co.hours["n_exceeding"] > 0]
    names = _names(reader)
    joint = {"from": first_day.isoformat(), "to": last_day.isoformat(),
             "jurisdictions": report.records(air_joint.jurisdiction_comparison(per_day), _JOINT_COLUMNS),
             "co_exceedance": {"pollutant": co.pollutant, "threshold": co.threshold, "hours_any": len(hours),
                               "hours_cross_boundary": int(hours["cross_boundary"].sum())}}
    episodes = report.records(air_episodes.episodes(per_day, id_column="jurisdiction"), _EPISODE_COLUMNS)
    for row in (*joint["jurisdictions"], *episodes):
        row.update(names.get(row["jurisdiction"], {}))
    answer = {"from": first_day.isoformat(), "to": last_day.isoformat(), "joint": joint, "episodes": episodes}
    _remember(_air_cache, key, answer)
    return answer


_JOINT_COLUMNS = ["jurisdiction", "days", "mean_aqi", "mean_pm25", "days_good", "days_over_100", "days_over_200",
                  "share_good", "top_primary"]
_EPISODE_COLUMNS = ["jurisdiction", "start", "end", "days", "max_aqi", "days_over_300", "days_at_500", "alert",
                    "alert_zh", "alert_en"]


@functools.lru_cache(maxsize=4)
def _pathway(path: str, mtime: float, runs: int) -> dict:
    """`run_pathway`, and the yearly fan: percentiles of the net emissions [t CO2] per year over
    the same Monte Carlo runs as its summary (one simulation)."""
    from citytwin.carbon import pathway

    result = pathway.run_pathway(pathway.load_scenario(Path(path)), runs=runs)
    return {**result, "fan_t": result["monte_carlo"]["net_by_year_t"]}


def _scenario_path(state) -> Path:
    configured = state.twin.config.raw.get("dashboard", {}).get("carbon_scenario")
    if configured:
        path = Path(configured)
        return path if path.is_absolute() else state.twin.config.data_dir / path
    return Path(str(resources.files("citytwin.carbon") / "scenarios" / "tongzhou.toml"))


@router.get("/carbon", summary="Carbon pathway against the peak and neutrality targets")
def carbon(state: StateDep, _: ReadAccess,
           runs: Annotated[int, Query(ge=100, le=20000, description="Monte Carlo runs.")] = 1000) -> dict:
    """The central pathway of the scenario (``[dashboard] carbon_scenario`` in citytwin.toml, by
    default the shipped Tongzhou example): net and baseline [t CO2] per year, the peak, the
    probability of peaking by the target year, the targets, and ``fan_t``: per percentile
    (``p5`` … ``p95``) the net emissions of each year over the Monte Carlo runs."""
    path = _scenario_path(state)
    if not path.exists():
        raise ResourceNotFound(f"no carbon scenario at {path}")
    result = _pathway(str(path), path.stat().st_mtime, runs)
    return {
        "scenario": result["scenario"],
        "jurisdiction": result["jurisdiction"],
        "years": result["years"],
        "net_t": result["net_t"],
        "baseline_t": result["baseline_t"],
        "sink_t": result["sink_t"],
        "wedges_t": result["wedges_t"],
        "by_sector_t": result["by_sector_t"],
        "mac": result["mac"],
        "residual_final": result["residual_final"],
        "peak": result["peak"],
        "targets": {"peak_year": PEAK_TARGET_YEAR, "neutrality_year": NEUTRALITY_TARGET_YEAR},
        "peaks_by_target": result["peak"]["year"] <= PEAK_TARGET_YEAR,
        "monte_carlo": result["monte_carlo"],
        "fan_t": result["fan_t"],
    }


@router.get("/ledger", summary="Latest checkpoint, the log's verifier key and witness policy")
def ledger(state: StateDep, _: ReadAccess) -> dict:
    """What a browser needs to check proofs: the signed checkpoint as served at ``/log/checkpoint``,
    the verifier key of the log and of each configured witness, and the quorum. Compare the log's
    key with the one the operator publishes before trusting a "verified"."""
    config = state.twin.config
    log = config.raw.get("log", {})
    witnesses = [{"name": w.get("name"), "vkey": w.get("vkey")} for w in log.get("witness", [])]
    return {
        "origin": config.origin,
        "verifier_key": config.verifier_key_path.read_text(encoding="utf-8").strip(),
        "checkpoint": (config.log_dir / "checkpoint").read_text(encoding="utf-8"),
        "witnesses": witnesses,
        "quorum": int(log.get("quorum", len(witnesses))),
    }
