"""Reading station-hour frames from the twin, and committing air results to it.

The glue between :class:`citytwin.twin.Twin` and the pure functions of this package. Stations are
``AirQualityObserved`` entities (``urn:ngsi-ld:AirQualityObserved:<station_id>``); their readings
are in the twin's canonical units (µg/m³, CO mg/m³; weather in the attributes' units).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd

from citytwin.air.frames import POLLUTANT_COLUMNS, WEATHER_COLUMNS, from_long
from citytwin.errors import BadInputError, NotFoundError
from citytwin.twin import Entity, Twin

__all__ = [
    "FLAGS_TYPE",
    "STATION_TYPE",
    "commit_model_record",
    "commit_qa_flags",
    "day_bounds",
    "station_frame",
    "station_id",
    "stations",
]

STATION_TYPE = "AirQualityObserved"
FLAGS_TYPE = "DataQualityFlags"
_FLAGS_PER_ENTITY = 600  # keeps one entity's canonical JSON well under the 64 KiB log entry
_SHANGHAI = ZoneInfo("Asia/Shanghai")


def station_id(name: str) -> str:
    """The entity id of a station given by local id (``dongsi``) or full URN."""
    return name if name.startswith("urn:ngsi-ld:") else f"urn:ngsi-ld:{STATION_TYPE}:{name}"


def stations(twin: Twin, jurisdiction: str | None = None) -> pd.DataFrame:
    """Air-quality stations of the twin: ``station_id`` (local id), ``entity_id``,
    ``jurisdiction``, ``lon``, ``lat`` [degrees]. NotFoundError when there are none."""
    found = twin.entities(type=STATION_TYPE, jurisdiction=jurisdiction)
    if not found:
        where = f" in jurisdiction {jurisdiction}" if jurisdiction else ""
        raise NotFoundError(f"no {STATION_TYPE} stations{where} in the twin")
    rows = []
    for e in found:
        coords = (e.location or {}).get("coordinates") or [None, None]
        point = coords if (e.location or {}).get("type") == "Point" else [None, None]
        rows.append(
            {
                "station_id": e.id.rsplit(":", 1)[-1],
                "entity_id": e.id,
                "jurisdiction": e.jurisdiction,
                "lon": point[0],
                "lat": point[1],
            }
        )
    return pd.DataFrame(rows).sort_values("station_id").reset_index(drop=True)


def day_bounds(first: dt.date, last: dt.date, pad_hours: int = 0) -> tuple[dt.datetime, dt.datetime]:
    """UTC start and end (exclusive) of the Asia/Shanghai days `first`..`last`, the start moved
    `pad_hours` earlier (for sliding windows)."""
    if last < first:
        raise BadInputError(f"day range {first}..{last}: expected the first day on or before the last")
    start = dt.datetime.combine(first, dt.time(), _SHANGHAI) - dt.timedelta(hours=pad_hours)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), _SHANGHAI)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def station_frame(
    twin: Twin,
    entity_ids: list[str],
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    weather: bool = False,
) -> pd.DataFrame:
    """The station-hour frame (:mod:`citytwin.air.frames`) of `entity_ids` for start <= t < end."""
    attributes = list(POLLUTANT_COLUMNS) + (list(WEATHER_COLUMNS) if weather else [])
    # Query only the (station, attribute) pairs the twin holds, and not those whose latest
    # reading is before `start`: one query per pair with data.
    latest = twin.latest()
    latest = latest.loc[latest["entity_id"].isin(entity_ids) & latest["attribute"].isin(attributes)]
    if start is not None:
        latest = latest.loc[pd.to_datetime(latest["observed_at"], utc=True) >= pd.Timestamp(start)]
    pairs = set(zip(latest["entity_id"], latest["attribute"], strict=True))
    parts = []
    for entity in entity_ids:
        for attribute in attributes:
            if (entity, attribute) not in pairs:
                continue
            obs = twin.observations(entity, attribute, start, end)
            if len(obs):
                parts.append(
                    pd.DataFrame(
                        {
                            "entity_id": entity,
                            "attribute": attribute,
                            "observed_at": pd.to_datetime(obs["observed_at"], utc=True),
                            "value": obs["value"].astype(float),
                        }
                    )
                )
    if not parts:
        raise NotFoundError(
            f"no air observations for {', '.join(entity_ids[:3])}{'…' if len(entity_ids) > 3 else ''} "
            f"between {start} and {end}"
        )
    frame = from_long(pd.concat(parts, ignore_index=True))
    for c in attributes:
        if c not in frame:
            frame[c] = float("nan")
    return frame


def commit_model_record(twin: Twin, record: dict) -> tuple[str, int | None]:
    """Commit a forecast model's record as a ``ForecastModel`` entity; returns (entity id, log
    index of the entry, or None when the same record was already committed)."""
    digest = record.get("model_sha256")
    if not digest:
        raise BadInputError("model record without model_sha256: expected a record from forecast.train")
    entity_id = f"urn:ngsi-ld:ForecastModel:air-pm25-{digest[:16]}"
    result = twin.commit([Entity(id=entity_id, type="ForecastModel", jurisdiction=None, properties=record)])
    if result.rejected:
        raise BadInputError(f"model record refused by the twin: {result.rejected[0].reason}")
    return entity_id, result.first_index


def commit_qa_flags(twin: Twin, flags: pd.DataFrame, jurisdictions: dict[str, str] | None = None) -> dict:
    """Store quality flags (:func:`citytwin.air.qa.qa_flags`) in the twin, beside the data.

    One ``DataQualityFlags`` entity per station and Asia/Shanghai month
    (``urn:ngsi-ld:DataQualityFlags:<station>-<YYYY-MM>[-<part>]``), whose properties list the
    flags as ``[observed_at, attribute, flag, value, detail]``. The observations themselves are
    not touched. Committing the same flags again stores nothing; changed flags make a new version.

    Returns counts: ``entities`` stored, ``unchanged`` and ``flags``.
    """
    if flags.empty:
        return {"entities": 0, "unchanged": 0, "flags": 0}
    month = flags["observed_at"].dt.tz_convert("Asia/Shanghai").dt.strftime("%Y-%m")
    entities = []
    for (station, m), group in flags.assign(month=month).groupby(["station_id", "month"], sort=True):
        rows = [
            [t.strftime("%Y-%m-%dT%H:%M:%SZ"), a, f, None if pd.isna(v) else float(v), d]
            for t, a, f, v, d in zip(
                group["observed_at"].dt.tz_convert("UTC"),
                group["attribute"],
                group["flag"],
                group["value"],
                group["detail"],
                strict=True,
            )
        ]
        parts = [rows[i : i + _FLAGS_PER_ENTITY] for i in range(0, len(rows), _FLAGS_PER_ENTITY)]
        for k, part in enumerate(parts, start=1):
            suffix = "" if len(parts) == 1 else f"-{k}"
            entities.append(
                Entity(
                    id=f"urn:ngsi-ld:{FLAGS_TYPE}:{station}-{m}{suffix}",
                    type=FLAGS_TYPE,
                    jurisdiction=(jurisdictions or {}).get(station),
                    properties={
                        "refStation": station_id(str(station)),
                        "month": m,
                        "columns": ["observed_at", "attribute", "flag", "value", "detail"],
                        "flags": part,
                    },
                )
            )
    result = twin.commit(entities)
    if result.rejected:
        raise BadInputError(f"quality flags refused by the twin: {result.rejected[0].reason}")
    return {"entities": result.accepted, "unchanged": result.duplicates, "flags": len(flags)}
