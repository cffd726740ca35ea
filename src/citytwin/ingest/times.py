"""Timestamps as senders write them, to UTC (ISO 8601 / RFC 3339; DESIGN.md, Conventions).

A timestamp must carry its offset (``Z``, ``+08:00``). A naive one — no offset — is taken in the
zone its source declares (an IANA name such as ``Asia/Shanghai``) and refused when the source
declares none: guessing the zone shifts a reading by hours without a trace. Wall times that do
not exist or are ambiguous in that zone (daylight-saving changes) are refused too.

Column-wise and pure: no clock, no I/O. The five-minute future bound is the twin's check.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from citytwin.errors import BadInputError

__all__ = ["check_zone", "utc_times"]

# a time of day followed by an offset: 2024-05-01T08:00Z, 2024-05-01 08:00:00.5+08:00, …+0800
_ZONED = re.compile(r"[T ]\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?\s*(?:Z|z|[+-]\d\d(?::?\d\d)?)$")
_UTC = "datetime64[us, UTC]"


def check_zone(zone: str | None) -> str | None:
    """`zone` if it is an IANA time-zone name (or None); `BadInputError` otherwise."""
    if zone is None:
        return None
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInputError(f"time zone {zone!r} is not an IANA zone name such as Asia/Shanghai") from None
    return zone


def _localize(naive: pd.Series, zone: str) -> pd.Series:
    return naive.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT").dt.tz_convert("UTC").astype(_UTC)


def utc_times(column: pd.Series, zone: str | None = None) -> tuple[pd.Series, pd.Series]:
    """(UTC times, refusal reason per row or None) for a column of timestamps.

    Accepts ISO 8601 text, datetimes and datetime64 columns; naive values only with `zone`.
    """
    reasons = pd.Series(None, index=column.index, dtype=object)
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        return column.dt.tz_convert("UTC").astype(_UTC), reasons
    if pd.api.types.is_datetime64_dtype(column.dtype):
        if zone is None:
            reasons[column.notna()] = "timestamp has no time zone and its source declares none: expected an " \
                                      "offset such as Z or +08:00"
            reasons[column.isna()] = "timestamp is missing"
            return pd.Series(pd.NaT, index=column.index, dtype=_UTC), reasons
        times = _localize(column, zone)
        gap = times.isna() & column.notna()
        reasons[gap] = [f"timestamp {t} does not exist or is ambiguous in {zone}" for t in column[gap]]
        reasons[column.isna()] = "timestamp is missing"
        return times, reasons
    try:  # a batch repeats few distinct timestamps (one per document): parse each once
        codes, distinct = pd.factorize(column, use_na_sentinel=False)
    except TypeError:  # unhashable values (lists, objects) sent as timestamps
        codes = None
    if codes is not None and len(distinct) < len(column):
        times, reasons = utc_times(pd.Series(distinct, dtype=object), zone)
        return (pd.Series(times.to_numpy()[codes], index=column.index, dtype=_UTC),
                pd.Series(reasons.to_numpy(dtype=object)[codes], index=column.index, dtype=object))
    text = column.map(lambda v: v.isoformat(sep="T") if isinstance(v, datetime) else v)
    is_text = text.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    stripped = text.where(is_text, "").str.strip()
    zoned = is_text & stripped.str.contains(_ZONED).to_numpy(dtype=bool)
    times = pd.to_datetime(stripped.where(zoned), utc=True, format="ISO8601", errors="coerce").astype(_UTC)
    naive = is_text & ~zoned
    parsed = pd.to_datetime(stripped.where(naive), format="ISO8601", errors="coerce")
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):  # a form the zone pattern did not catch
        parsed = parsed.dt.tz_convert(None)
    readable = naive & parsed.notna().to_numpy(dtype=bool)
    if zone is not None and readable.any():
        local = _localize(parsed, zone)
        times[readable] = local[readable]
        gap = readable & local.isna().to_numpy(dtype=bool)
        reasons[gap] = [f"timestamp {v!r} does not exist or is ambiguous in {zone}" for v in text[gap]]
    reasons[~is_text] = [f"timestamp {v!r} is not ISO 8601 text" if v is not None else "timestamp is missing"
                         for v in column[~is_text]]
    if zone is None:
        reasons[readable] = [f"timestamp {v!r} has no time zone and its source declares none: expected an "
                             "offset such as Z or +08:00" for v in text[readable]]
    unparsed = is_text & times.isna().to_numpy(dtype=bool) & reasons.isna().to_numpy(dtype=bool)
    reasons[unparsed] = [f"timestamp {v!r} is not ISO 8601 (e.g. 2024-05-01T08:00:00+08:00)"
                         for v in text[unparsed]]
    return times, reasons.astype(object).where(reasons.notna(), None)
