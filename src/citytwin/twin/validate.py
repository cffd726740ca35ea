"""Validation of observation batches, column-wise (DESIGN.md, data model; issue 2, "Bad input").

A batch is a DataFrame with columns ``entity_id, attribute, observed_at, value, unit, source``.
Each row is accepted — converted to its attribute's canonical unit — or refused with a reason
that names the bad value and what was expected: unknown attribute, unit that cannot be
converted, value that is not a finite number or is outside the attribute's physical range,
timestamp without a zone or more than five minutes in the future, empty source. Whether the
entity exists is checked by the twin, which knows the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from citytwin.errors import BadInputError
from citytwin.twin.attributes import ATTRIBUTES
from citytwin.twin.units import conversion

__all__ = ["FUTURE_TOLERANCE", "Rejection", "REQUIRED_COLUMNS", "validate_observations"]

REQUIRED_COLUMNS = ["entity_id", "attribute", "observed_at", "value", "unit", "source"]
FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_NAME_LENGTH = 1024  # ids, attribute names, units and sources: keeps every entry far below 64 KiB
_ZONE = re.compile(r"(?:Z|z|[+-]\d\d(?::?\d\d)?)$")


@dataclass(frozen=True)
class Rejection:
    """A refused record: the record as received and why it was refused."""

    record: dict
    reason: str


def _shorten(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}… ({len(text)} characters)"


def _times(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(UTC times, reason per row or None) for a column of timestamps of any accepted form."""
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        return column.dt.tz_convert("UTC"), pd.Series(None, index=column.index, dtype=object)
    reasons = pd.Series(None, index=column.index, dtype=object)
    if pd.api.types.is_datetime64_dtype(column.dtype):
        reasons[:] = "timestamp has no time zone: expected an offset such as Z or +08:00"
        return pd.Series(pd.NaT, index=column.index, dtype="datetime64[us, UTC]"), reasons
    text = column.map(lambda v: v.isoformat() if isinstance(v, datetime) and v.tzinfo else v)
    is_text = text.map(lambda v: isinstance(v, str))
    zoned = is_text & text.where(is_text, "").str.strip().str.contains(_ZONE)
    parsed = pd.to_datetime(text.where(zoned), utc=True, format="ISO8601", errors="coerce")
    reasons[~is_text] = column[~is_text].map(lambda v: f"timestamp {v!r} is not ISO 8601 text with a zone")
    reasons[is_text & ~zoned] = text[is_text & ~zoned].map(
        lambda v: f"timestamp {v!r} has no time zone: expected an offset such as Z or +08:00"
    )
    bad_text = zoned & parsed.isna()
    reasons[bad_text] = text[bad_text].map(lambda v: f"timestamp {v!r} is not ISO 8601 (e.g. 2024-05-01T08:00:00Z)")
    return parsed, reasons


def _values(column: pd.Series) -> tuple[np.ndarray, pd.Series]:
    reasons = pd.Series(None, index=column.index, dtype=object)
    if column.dtype == object:
        wrong_type = column.map(lambda v: isinstance(v, bool) or not isinstance(v, int | float | np.number))
        reasons[wrong_type] = column[wrong_type].map(lambda v: f"value {v!r} is not a number")
        numbers = pd.to_numeric(column.where(~wrong_type), errors="coerce").to_numpy(dtype=float)
    else:
        wrong_type = pd.Series(False, index=column.index)
        numbers = column.to_numpy(dtype=float)
    not_finite = ~np.isfinite(numbers) & ~wrong_type.to_numpy()
    reasons[not_finite] = [f"value {v} is not a finite number" for v in numbers[not_finite]]
    return numbers, reasons


def _valid_string(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_NAME_LENGTH


def _invalid_strings(column: pd.Series) -> pd.Series:
    """True where the value is not a non-empty string of at most `MAX_NAME_LENGTH` characters
    (checked once per distinct value)."""
    try:
        distinct = column.unique()
    except TypeError:  # unhashable values such as dicts
        return ~column.map(_valid_string)
    bad = [v for v in distinct if not _valid_string(v)]
    return column.isin(bad) if bad else pd.Series(False, index=column.index)


def validate_observations(
    batch: pd.DataFrame, now: datetime | None = None
) -> tuple[pd.DataFrame, list[Rejection]]:
    """Split a batch into accepted rows (canonical units, UTC) and rejections.

    The accepted frame has the columns of `REQUIRED_COLUMNS` and ``batch_row``, the row's
    position in `batch`, so that later refusals can quote the record as received."""
    missing = [c for c in REQUIRED_COLUMNS if c not in batch.columns]
    if missing:
        raise BadInputError(f"observation batch lacks columns {missing}: expected {REQUIRED_COLUMNS}")
    batch = batch.reset_index(drop=True)
    now = now or datetime.now(UTC)
    reason = pd.Series(None, index=batch.index, dtype=object)

    def refuse(mask, message) -> None:
        """Record `message` (text, or a function of the refused rows' index) where `mask` holds."""
        mask = np.asarray(mask, dtype=bool) & reason.isna().to_numpy()
        if mask.any():
            rows = batch.index[mask]
            reason[rows] = message(rows) if callable(message) else message

    for column in ("entity_id", "attribute", "unit", "source"):
        refuse(_invalid_strings(batch[column]), lambda rows, c=column: [
            f"{c} {_shorten(v)} is not a non-empty string of at most {MAX_NAME_LENGTH} characters"
            for v in batch[c][rows]])
    names = batch["attribute"].where(reason.isna(), "")  # only strings remain
    refuse(~names.isin(list(ATTRIBUTES)), lambda rows: [
        f"unknown attribute {v!r}: expected one of {', '.join(ATTRIBUTES)}" for v in batch["attribute"][rows]])

    values, value_reasons = _values(batch["value"])
    refuse(value_reasons.notna(), lambda rows: value_reasons[rows].tolist())
    times, time_reasons = _times(batch["observed_at"])
    refuse(time_reasons.notna(), lambda rows: time_reasons[rows].tolist())
    future = (times > pd.Timestamp(now + FUTURE_TOLERANCE)).fillna(False).to_numpy()
    refuse(future, lambda rows: [
        f"timestamp {t.isoformat()} is more than 5 minutes in the future" for t in times[rows]])

    codes, distinct = pd.factorize(names)
    specs = [ATTRIBUTES.get(n) for n in distinct]
    canonical_unit = pd.Series(np.array([a.unit if a else None for a in specs], dtype=object)[codes],
                               index=batch.index)
    low = np.array([a.minimum if a else -np.inf for a in specs])[codes]
    high = np.array([a.maximum if a else np.inf for a in specs])[codes]
    scale = np.ones(len(batch))
    offset = np.zeros(len(batch))
    pairs = pd.DataFrame({"attribute": batch["attribute"], "unit": batch["unit"]})[reason.isna()]
    for (name, unit), rows in pairs.groupby(["attribute", "unit"]).groups.items():
        try:
            s, o = conversion(unit, ATTRIBUTES[name].unit)
        except BadInputError as e:
            refuse(batch.index.isin(rows), f"{name} in {e}")
            continue
        scale[rows], offset[rows] = s, o
    converted = values * scale + offset
    refuse((converted < low) | (converted > high), lambda rows: [
        f"{a} value {v:g} {u} is outside the physical range {lo:g}..{hi:g} {u}"
        for a, v, u, lo, hi in zip(batch["attribute"][rows], converted[rows], canonical_unit[rows],
                                   low[rows], high[rows], strict=True)])

    ok = reason.isna().to_numpy()
    accepted = pd.DataFrame({
        "entity_id": batch["entity_id"][ok].to_numpy(dtype=object),
        "attribute": batch["attribute"][ok].to_numpy(dtype=object),
        "observed_at": times[ok].reset_index(drop=True),
        "value": converted[ok],
        "unit": canonical_unit[ok].to_numpy(dtype=object),
        "source": batch["source"][ok].to_numpy(dtype=object),
        "batch_row": np.flatnonzero(ok),
    })
    raw = batch[~ok]
    rejections = [
        Rejection(record, why)
        for record, why in zip(raw.to_dict("records"), reason[~ok].tolist(), strict=True)
    ]
    return accepted, rejections
