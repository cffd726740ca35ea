"""JSON-ready air reports over the twin: what the CLI prints and the API returns.

Each function takes the twin (or the API's reader: anything with the twin's query methods
``entities``, ``latest`` and ``observations``), reads the station-hour frames through
:mod:`citytwin.air.source`, computes with the pure modules and returns plain dicts and lists
(dates as ISO strings, NA as None).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from citytwin.air import daily as air_daily
from citytwin.air import episodes as air_episodes
from citytwin.air import joint as air_joint
from citytwin.air import qa as air_qa
from citytwin.air import source
from citytwin.air.aqi import standard_for
from citytwin.errors import BadInputError

__all__ = [
    "DAILY_COLUMNS",
    "episodes_report",
    "jurisdiction_report",
    "joint_report",
    "lagged_report",
    "parse_day",
    "qa_report",
    "records",
    "station_day_report",
]

DAILY_COLUMNS = [
    "day", "standard", "aqi", "level", "category_zh", "category_en", "colour", "primary", "exceeding",
    "pm25", "pm10", "so2", "no2", "co", "o3_8h", "o3_1h",
]  # fmt: skip
_INTEGER_COLUMNS = ("aqi", "level", "n_stations", "days", "days_over_300", "days_at_500")


def parse_day(text: str, what: str = "day") -> dt.date:
    """A date from ``YYYY-MM-DD``; BadInputError naming `what` otherwise."""
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise BadInputError(f"{what} {text!r}: expected a date YYYY-MM-DD") from None


def records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    """Rows of `frame` as JSON-ready dicts: times and dates ISO 8601, NaN → None."""
    out = frame[[c for c in columns if c in frame.columns]].copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.DatetimeTZDtype):
            out[c] = out[c].map(lambda t: t.isoformat() if pd.notna(t) else None)
        elif out[c].dtype == object:
            out[c] = out[c].map(lambda v: v.isoformat() if isinstance(v, dt.date) else v)
    out = out.astype(object).where(out.notna(), None)
    return [
        {k: (int(v) if k in _INTEGER_COLUMNS and v is not None else v) for k, v in r.items()}
        for r in out.to_dict("records")
    ]


def station_day_report(twin, station: str, day: dt.date, standard: str | None = None) -> dict:
    """Daily AQI of one station on one Asia/Shanghai day, and its 24 real-time hourly values."""
    entity = source.station_id(station)
    frame = source.station_frame(twin, [entity], *source.day_bounds(day, day, pad_hours=24))
    daily = air_daily.daily_aqi(frame, standard)
    daily = daily.loc[daily["day"] == day]
    hourly = air_daily.hourly_aqi(frame, standard)
    hourly = hourly.loc[hourly["observed_at"].dt.tz_convert("Asia/Shanghai").dt.date == day]
    return {
        "station": entity,
        "day": day.isoformat(),
        "standard": standard or standard_for(day),
        "daily": (records(daily, DAILY_COLUMNS) or [None])[0],
        "hourly": records(hourly, ["observed_at", "aqi", "level", "category_zh", "category_en", "primary"]),
    }


def jurisdiction_report(
    twin, jurisdiction: str, first: dt.date, last: dt.date, standard: str | None = None
) -> dict:
    """Daily AQI of a jurisdiction (the mean of its stations, HJ 663) and of each station."""
    st = source.stations(twin, jurisdiction)
    frame = source.station_frame(twin, list(st["entity_id"]), *source.day_bounds(first, last))
    jmap = dict.fromkeys(frame["station_id"].unique(), jurisdiction)
    j = air_daily.jurisdiction_daily(frame, jmap, standard)
    per = air_daily.daily_aqi(frame, standard)
    j = j.loc[(j["day"] >= first) & (j["day"] <= last)]
    per = per.loc[(per["day"] >= first) & (per["day"] <= last)]
    return {
        "jurisdiction": jurisdiction,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "days": records(j, [*DAILY_COLUMNS, "n_stations"]),
        "stations": {s: records(g, ["day", "aqi", "level", "primary"]) for s, g in per.groupby("station_id")},
    }


def episodes_report(
    twin,
    jurisdiction: str | None = None,
    first: dt.date | None = None,
    last: dt.date | None = None,
    by: str = "jurisdiction",
) -> dict:
    """Runs of days with AQI > 200 per station or jurisdiction, with the alert each warrants."""
    if by not in ("station", "jurisdiction"):
        raise BadInputError(f"by {by!r}: expected 'station' or 'jurisdiction'")
    st = source.stations(twin, jurisdiction)
    bounds = source.day_bounds(first, last) if first and last else (None, None)
    frame = source.station_frame(twin, list(st["entity_id"]), *bounds)
    if by == "station":
        d, key = air_daily.daily_aqi(frame), "station_id"
    else:
        jmap = dict(zip(st["station_id"], st["jurisdiction"], strict=True))
        d, key = air_daily.jurisdiction_daily(frame, jmap), "jurisdiction"
    e = air_episodes.episodes(d, id_column=key)
    cols = [
        key,
        "start",
        "end",
        "days",
        "max_aqi",
        "days_over_300",
        "days_at_500",
        "alert",
        "alert_zh",
        "alert_en",
    ]
    return {"by": by, "episodes": records(e, cols)}


def qa_report(
    twin, first: dt.date, last: dt.date, jurisdiction: str | None = None, commit: bool = False
) -> dict:
    """Quality flags of the stations' readings; neighbours are judged against every station.
    With `commit`, the flags are also stored in the twin (:func:`citytwin.air.source.commit_qa_flags`)."""
    all_stations = source.stations(twin)
    chosen = (
        all_stations
        if jurisdiction is None
        else all_stations.loc[all_stations["jurisdiction"] == jurisdiction]
    )
    frame = source.station_frame(twin, list(all_stations["entity_id"]), *source.day_bounds(first, last))
    flags = air_qa.qa_flags(frame, all_stations.dropna(subset=["lon", "lat"]))
    flags = flags.loc[flags["station_id"].isin(chosen["station_id"])]
    counts = flags.groupby(["flag", "attribute"]).size().reset_index(name="count")
    out = {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "counts": [{**r, "count": int(r["count"])} for r in counts.to_dict("records")],
        "flags": records(flags, ["station_id", "observed_at", "attribute", "flag", "value", "detail"]),
    }
    if commit:
        jmap = dict(zip(all_stations["station_id"], all_stations["jurisdiction"], strict=True))
        out["stored"] = source.commit_qa_flags(twin, flags, jmap)
    return out


def joint_report(twin, first: dt.date, last: dt.date, threshold: float | None = None) -> dict:
    """Jurisdictions compared on daily AQI, and hours when PM2.5 exceeds at several at once."""
    st = source.stations(twin)
    frame = source.station_frame(twin, list(st["entity_id"]), *source.day_bounds(first, last))
    jmap = dict(zip(st["station_id"], st["jurisdiction"], strict=True))
    comparison = air_joint.jurisdiction_comparison(air_daily.jurisdiction_daily(frame, jmap))
    co = air_joint.co_exceedance(frame, jmap, "pm25", threshold)
    hours = co.hours.loc[co.hours["n_exceeding"] > 0]
    pairs = co.pairs.assign(
        hours_a=co.pairs["hours_a"].astype(int), hours_both=co.pairs["hours_both"].astype(int)
    )
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "jurisdictions": records(
            comparison,
            [
                "jurisdiction",
                "days",
                "mean_aqi",
                "mean_pm25",
                "days_good",
                "days_over_100",
                "days_over_200",
                "share_good",
                "top_primary",
            ],
        ),
        "co_exceedance": {
            "pollutant": co.pollutant,
            "threshold": co.threshold,
            "hours_any": len(hours),
            "hours_cross_boundary": int(hours["cross_boundary"].sum()),
            "pairs": records(pairs.round(3), list(pairs.columns)),
        },
    }


def lagged_report(
    twin, source_station: str, target_station: str, first: dt.date, last: dt.date, max_lag: int = 12
) -> dict:
    """Correlation of PM2.5 changes at the source with the target `lag` hours later, per wind sector
    at the source (:func:`citytwin.air.joint.lagged_correlation`)."""
    if not 0 <= max_lag <= 72:
        raise BadInputError(f"max_lag {max_lag}: expected 0..72 hours")
    ids = [source.station_id(source_station), source.station_id(target_station)]
    frame = source.station_frame(twin, ids, *source.day_bounds(first, last), weather=True)
    a, b = (i.rsplit(":", 1)[-1] for i in ids)
    table = air_joint.lagged_correlation(frame, a, b, max_lag=max_lag)
    best = table.dropna().sort_values("r").groupby("sector").tail(1).sort_values("sector")
    return {
        "source": a,
        "target": b,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "correlations": records(table.round(4), ["sector", "lag", "r", "n"]),
        "peak_lag": records(best.round(4), ["sector", "lag", "r", "n"]),
    }
