"""Log entries of the twin: stored rows ⇄ RFC 8785 canonical bytes.

An observation's entry is the JCS encoding (RFC 8785) of::

    {"attribute": …, "entity_id": …, "kind": "observation", "observed_at": "<RFC 3339 UTC>",
     "source": …, "unit": "<canonical UCUM unit>", "value": <number>}

and an entity version's entry that of `Entity.log_document()` plus its `version`. Encoding a
stored row gives back exactly the bytes in the log, which is what `Twin.verify` checks and what
`Twin.rebuild` relies on. Observations are encoded column-wise: each distinct string, time and
value of a batch is written once, and Arrow's compute kernels assemble the entries, since a bulk
load of millions of readings spends much of its time here.
"""

from __future__ import annotations

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from citytwin.errors import BadInputError
from citytwin.twin.canonical import canonicalize, format_number, format_string
from citytwin.twin.store import ENTITY_COLUMNS, OBSERVATION_COLUMNS

__all__ = ["decode_entries", "encode_entity_rows", "encode_observations", "format_instants", "format_times"]

MAX_ENTRY_BYTES = 65535  # C2SP tlog-tiles: entries are uint16-length-prefixed


def _numbers(values: np.ndarray) -> list[str]:
    """RFC 8785 number text of each value (same text as `format_number`, computed in bulk).

    orjson writes the shortest round-tripping digits (Ryu) as ECMAScript does; only integral
    values (written with ``.0``), negative zero and exponent forms differ in layout, and the
    exponent forms are left to `format_number`.
    """
    if not len(values):
        return []
    values = np.ascontiguousarray(values, dtype=np.float64)
    texts = orjson.dumps(values, option=orjson.OPT_SERIALIZE_NUMPY)[1:-1].decode().split(",")
    out = []
    for text, value in zip(texts, values.tolist(), strict=True):
        if "e" in text:
            text = format_number(value)
        elif text.endswith(".0"):
            text = text[:-2] if text != "-0.0" else "0"
        out.append(text)
    return out


def _each_distinct(column: pd.Series, text) -> pa.Array:
    """``text`` of each row, computed once per distinct value (``text`` maps a sequence of the
    distinct values to a list of strings)."""
    codes, distinct = pd.factorize(column)
    return pc.take(pa.array(text(distinct), pa.large_string()), pa.array(codes))


def _string_literals(values) -> list[str]:
    return [format_string(v) for v in values]


def format_instants(values: np.ndarray) -> np.ndarray:
    """RFC 3339 UTC text (`…Z`) of UTC instants as ``datetime64[us]``: seconds, or microseconds
    when present."""
    text = np.char.add(np.datetime_as_string(values, unit="s"), "Z")
    fractional = values.astype(np.int64) % 1_000_000 != 0
    if fractional.any():
        text = text.astype(object)
        text[fractional] = np.char.add(np.datetime_as_string(values[fractional], unit="us"), "Z")
    return text


def format_times(times: pd.Series) -> np.ndarray:
    """RFC 3339 UTC text (`…Z`) of tz-aware times (`format_instants`)."""
    return format_instants(times.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().astype("datetime64[us]"))


def encode_observations(frame: pd.DataFrame) -> list[bytes]:
    """The canonical bytes of each observation row (columns of `OBSERVATION_COLUMNS`)."""
    if not len(frame):
        return []
    parts = [
        '{"attribute":', _each_distinct(frame["attribute"], _string_literals),
        ',"entity_id":', _each_distinct(frame["entity_id"], _string_literals),
        ',"kind":"observation","observed_at":"',
        _each_distinct(frame["observed_at"], lambda t: format_times(pd.Series(t)).tolist()),
        '","source":', _each_distinct(frame["source"], _string_literals),
        ',"unit":', _each_distinct(frame["unit"], _string_literals),
        ',"value":', _each_distinct(frame["value"].astype(np.float64), lambda v: _numbers(np.asarray(v))),
        "}", "",  # the last is the separator
    ]
    # large (64-bit offset) strings: a batch's entries may pass 2 GiB
    parts = [pa.scalar(p, pa.large_string()) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*parts).cast(pa.large_binary()).to_pylist()


def entity_document(row: dict) -> dict:
    """The log document of one stored entity row."""
    return {
        "kind": "entity",
        "id": row["entity_id"],
        "version": int(row["version"]),
        "type": row["type"],
        "jurisdiction": row["jurisdiction"] if isinstance(row["jurisdiction"], str) else None,
        "location": orjson.loads(row["location"]) if isinstance(row["location"], str) else None,
        "properties": orjson.loads(row["properties"]),
        "valid_from": format_times(pd.Series([row["valid_from"]]))[0],
    }


def encode_entity_rows(frame: pd.DataFrame) -> list[bytes]:
    """The canonical bytes of each stored entity row."""
    return [canonicalize(entity_document(row)) for row in frame.to_dict("records")]


def decode_entries(entries: list[bytes], first_index: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows (entities, observations) from log entries; used to rebuild or recover the store."""
    from citytwin.twin.geometry import bounds_and_centre

    entity_rows, observation_rows = [], []
    for offset, entry in enumerate(entries):
        try:
            doc = orjson.loads(entry)
            kind = doc["kind"]
        except (orjson.JSONDecodeError, KeyError, TypeError) as e:
            raise BadInputError(f"log entry {first_index + offset} is not a twin record: {e}") from None
        if kind == "observation":
            observation_rows.append(
                (doc["entity_id"], doc["attribute"], doc["observed_at"], float(doc["value"]), doc["unit"],
                 doc["source"], first_index + offset)
            )
        elif kind == "entity":
            centre, box = bounds_and_centre(doc["location"])
            entity_rows.append(
                (doc["id"], doc["version"], doc["type"], doc["jurisdiction"],
                 orjson.dumps(doc["location"]).decode() if doc["location"] is not None else None,
                 *centre, *box, orjson.dumps(doc["properties"]).decode(), doc["valid_from"],
                 first_index + offset)
            )
        else:
            raise BadInputError(f"log entry {first_index + offset} has unknown kind {kind!r}")
    entities = pd.DataFrame(entity_rows, columns=ENTITY_COLUMNS)
    observations = pd.DataFrame(observation_rows, columns=OBSERVATION_COLUMNS)
    for frame, column in ((entities, "valid_from"), (observations, "observed_at")):
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return entities, observations
