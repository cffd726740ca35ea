"""Pages of a temporal answer (ETSI GS CIM 009 V1.5.1 and later, §6.3.10, the Content-Range header).

When an attribute holds more instances in the requested window than the server's limit, the
answer is cut to a time range that every attribute of every entity on the page respects, and
sent as ``206 Partial Content`` (IETF RFC 7233, §4.1) with the header
``Content-Range: date-time <range-start>-<range-end>/<size>``:

* without ``lastN``, pages go forwards: range-start is the window's start (``timeAt`` of
  ``after`` and ``between``; otherwise the oldest instance sent), range-end the newest instance
  sent, and size ``*``;
* with ``lastN``, pages go backwards: range-start is the window's end (``timeAt`` of ``before``,
  ``endTimeAt`` of ``between``; otherwise the newest instance sent), range-end the oldest
  instance sent, and size the ``lastN`` asked for.

A page never splits the instances of one timestamp, so the next page starts just past
range-end: ``timerel=after&timeAt=<range-end>`` forwards (``between`` from range-end plus one
microsecond, the store's resolution, when the window has an end) and
``timerel=before&timeAt=<range-end>`` backwards (``between`` up to range-end when the window
has a start). The answer also links that request with ``Link: <...>; rel="next"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from citytwin.twin.entries import format_times

__all__ = ["Cut", "cut_of", "next_window", "content_range"]

MICROSECOND = timedelta(microseconds=1)


@dataclass
class Cut:
    """Where one attribute's page ends: at `time` (inclusive); `all_at_time` when more than the
    limit share that time, so the page must hold all of them (fetch them again without limit)."""

    time: pd.Timestamp
    all_at_time: bool = False


def cut_of(frame: pd.DataFrame, limit: int, backwards: bool) -> Cut | None:
    """The cut of an attribute's readings fetched with ``limit + 1`` rows (in time order, the
    oldest ones forwards, the newest backwards), or None when they all fit."""
    if len(frame) <= limit:
        return None
    times = frame["observed_at"]
    if backwards:
        oldest_kept, first_dropped = times.iloc[1], times.iloc[0]
        if oldest_kept != first_dropped:
            return Cut(oldest_kept)
        later = times.iloc[1:][times.iloc[1:] > oldest_kept]
        return Cut(later.min()) if len(later) else Cut(oldest_kept, all_at_time=True)
    newest_kept, first_dropped = times.iloc[limit - 1], times.iloc[limit]
    if newest_kept != first_dropped:
        return Cut(newest_kept)
    earlier = times.iloc[:limit][times.iloc[:limit] < newest_kept]
    return Cut(earlier.max()) if len(earlier) else Cut(newest_kept, all_at_time=True)


def _text(time: datetime | pd.Timestamp) -> str:
    return str(format_times(pd.Series([pd.Timestamp(time)]))[0])


def content_range(first: datetime | pd.Timestamp, last: datetime | pd.Timestamp, last_n: int | None) -> str:
    """The Content-Range value of a temporal page (§6.3.10)."""
    return f"date-time {_text(first)}-{_text(last)}/{last_n if last_n is not None else '*'}"


def next_window(cut: pd.Timestamp, start: datetime | None, end: datetime | None, backwards: bool) -> dict[str, str]:
    """The timerel, timeAt and endTimeAt of the page after one that ends at `cut`, within the
    window [start, end) of the request."""
    if backwards:
        if start is None:
            return {"timerel": "before", "timeAt": _text(cut)}
        return {"timerel": "between", "timeAt": _text(start), "endTimeAt": _text(cut)}
    if end is None:
        return {"timerel": "after", "timeAt": _text(cut)}
    return {"timerel": "between", "timeAt": _text(cut + MICROSECOND), "endTimeAt": _text(end)}
