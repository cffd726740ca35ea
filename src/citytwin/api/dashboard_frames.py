"""The station-hour frame of many stations from one store aggregate per attribute.

:func:`citytwin.air.source.station_frame` asks the store once per (station, attribute) pair,
~15 ms each: about 3 s for the reference district's 34 stations and six pollutants. The
dashboard reads the same frame with one ``1h`` aggregate per attribute instead
(:meth:`citytwin.twin.queries.Queries.aggregate`, hourly means per entity), which for hourly
readings is the same frame: :func:`citytwin.air.frames.from_long` also averages the values of
one station, attribute and hour. A test compares the two on the reference district.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from citytwin.air.frames import POLLUTANT_COLUMNS, WEATHER_COLUMNS, from_long
from citytwin.errors import NotFoundError

__all__ = ["hourly_frame"]


def hourly_frame(reader, entity_ids: list[str], start: dt.datetime, end: dt.datetime,
                 weather: bool = False) -> pd.DataFrame:
    """Station-hour frame (:mod:`citytwin.air.frames`) of `entity_ids` for start <= t < end (UTC)
    [µg/m³; CO mg/m³; weather in the twin's units]; NotFoundError when none of them has data."""
    attributes = list(POLLUTANT_COLUMNS) + (list(WEATHER_COLUMNS) if weather else [])
    wanted = set(entity_ids)
    parts = []
    for attribute in attributes:
        rows = reader.aggregate(attribute, "1h", start=start, end=end, statistics=("mean",))
        rows = rows.loc[rows["entity_id"].isin(wanted)]
        if len(rows):
            parts.append(pd.DataFrame({"entity_id": rows["entity_id"], "attribute": attribute,
                                       "observed_at": pd.to_datetime(rows["period"], utc=True),
                                       "value": rows["mean"].astype(float)}))
    if not parts:
        raise NotFoundError(f"no air observations for {len(entity_ids)} stations between {start} and {end}")
    frame = from_long(pd.concat(parts, ignore_index=True))
    for column in attributes:
        if column not in frame:
            frame[column] = float("nan")
    return frame
