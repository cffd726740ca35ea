"""The file adapter: CSV, Parquet and JSON lines, read in batches into the pipeline.

A mapping (TOML) says where the twin's fields are in the file (README, "Ingesting files")::

    format = "csv"                   # csv | parquet | jsonl; default: from the file's extension
    source = "file:epa-2024"         # the observations' source; default "file:<file name>"
    zone = "Asia/Shanghai"           # IANA zone of naive timestamps; without it they are refused
    entity_id = "station"            # column of the entity id             (default "entity_id")
    entity_prefix = "urn:ngsi-ld:AirQualityObserved:"   # prepended to that column's values
    observed_at = "time"             # column of the timestamp             (default "observed_at")
    attribute = "attribute"          # long tables: one reading per row    (defaults as named)
    value = "value"
    unit = "unit"                    # column of the unit, or
    unit_code = "ug/m3"              # one unit for every row
    [columns]                        # wide tables: one column per attribute, empty cells skipped
    "PM2.5" = { attribute = "pm25", unit = "ug/m3" }

Without a mapping a CSV or Parquet file must use the twin's column names, and each line of a
JSON lines file is one payload document (flat, key-value or NGSI-LD normalized).

A run that is interrupted can be run again: what was committed is recognised by its
idempotency key and counted as a duplicate, never stored twice.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from citytwin.errors import BadInputError, NotFoundError
from citytwin.ingest.pipeline import IngestResult, Payload, Pipeline
from citytwin.ingest.times import check_zone

__all__ = ["FORMATS", "FileReport", "Mapping", "ingest_file", "load_mapping"]

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_KEYS = {"format", "source", "zone", "entity_id", "entity_prefix", "observed_at", "attribute", "value", "unit",
         "unit_code", "columns"}


@dataclass(frozen=True)
class Mapping:
    """Where the twin's fields are in a file (see the module docstring); defaults are the twin's names."""

    format: str | None = None
    source: str | None = None
    zone: str | None = None
    entity_id: str = "entity_id"
    entity_prefix: str = ""
    observed_at: str = "observed_at"
    attribute: str = "attribute"
    value: str = "value"
    unit: str = "unit"
    unit_code: str | None = None
    columns: dict[str, dict] = field(default_factory=dict)
    given: bool = False


def load_mapping(path: Path | None) -> Mapping:
    """The mapping in a TOML file (`BadInputError` naming an unknown key), or the default mapping."""
    if path is None:
        return Mapping()
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"mapping file {path} does not exist")
    try:
        raw = tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise BadInputError(f"mapping file {path} is not valid TOML: {e}") from e
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise BadInputError(f"mapping file {path}: unknown keys {unknown}, expected some of {sorted(_KEYS)}")
    for name, spec in raw.get("columns", {}).items():
        if not isinstance(spec, dict) or not isinstance(spec.get("attribute"), str) or not isinstance(
                spec.get("unit"), str):
            raise BadInputError(f"mapping file {path}: columns.{name} = {spec!r}, expected "
                                "{ attribute = \"pm25\", unit = \"ug/m3\" }")
    if raw.get("format") not in (None, *FORMATS.values()):
        raise BadInputError(f"mapping file {path}: format {raw['format']!r}, expected csv, parquet or jsonl")
    check_zone(raw.get("zone"))
    return Mapping(**raw, given=True)


@dataclass
class FileReport:
    """Totals of a file run: rows (or lines) read and what became of the readings."""

    rows: int = 0
    readings_stored: int = 0
    readings_duplicate: int = 0
    refused: int = 0
    quarantined: int = 0

    def add(self, rows: int, result: IngestResult) -> None:
        self.rows += rows
        self.readings_stored += result.readings_stored
        self.readings_duplicate += result.readings_duplicate
        self.refused += result.refused
        self.quarantined += result.quarantined


def file_format(path: Path, mapping: Mapping) -> str:
    fmt = mapping.format or FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise BadInputError(f"file {path.name}: cannot tell its format from {path.suffix!r}; expected one of "
                            f"{sorted(FORMATS)} or `format` in the mapping")
    return fmt


def count_rows(path: Path, mapping: Mapping) -> int:
    """Rows of a Parquet file, or lines of a text file (for progress bars)."""
    if file_format(path, mapping) == "parquet":
        return pq.ParquetFile(path).metadata.num_rows
    lines = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            lines += chunk.count(b"\n")
    return max(lines - (file_format(path, mapping) == "csv"), 0)


def ingest_file(pipeline: Pipeline, path: Path, mapping: Mapping, *, batch_rows: int = 100_000,
                progress: Callable[[int], None] | None = None) -> FileReport:
    """Ingest one file in batches of `batch_rows`; `progress(n)` after each batch of n rows."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"file {path} does not exist")
    fmt = file_format(path, mapping)
    source = mapping.source or f"file:{path.name}"
    report = FileReport()
    if fmt == "jsonl" and not mapping.given:
        for first, lines in _lines(path, batch_rows):
            payloads = [Payload(line, source, f"{path.name}#{first + i + 1}") for i, line in enumerate(lines)]
            report.add(len(lines), pipeline.ingest_payloads(payloads, zone=mapping.zone))
            if progress:
                progress(len(lines))
        return report
    for first, chunk in _tables(path, fmt, batch_rows):
        readings = _readings(chunk, mapping, path)
        report.add(len(chunk), pipeline.ingest_frame(readings, source, zone=mapping.zone, origin=path.name,
                                                     row_offset=first))
        if progress:
            progress(len(chunk))
    return report


def _lines(path: Path, batch_rows: int) -> Iterator[tuple[int, list[bytes]]]:
    batch, first, number = [], 0, 0
    with open(path, "rb") as f:
        for line in f:
            number += 1
            if line.strip():
                batch.append(line.rstrip(b"\r\n"))
            if len(batch) >= batch_rows:
                yield first, batch
                batch, first = [], number
    if batch:
        yield first, batch


def _tables(path: Path, fmt: str, batch_rows: int) -> Iterator[tuple[int, pd.DataFrame]]:
    first = 0
    try:
        if fmt == "parquet":
            batches = pq.ParquetFile(path).iter_batches(batch_size=batch_rows)
        elif fmt == "csv":
            batches = pa_csv.open_csv(path, read_options=pa_csv.ReadOptions(block_size=1 << 24))
        else:
            for frame in pd.read_json(path, lines=True, chunksize=batch_rows, convert_dates=False, dtype=False):
                yield first, frame
                first += len(frame)
            return
        for batch in batches:
            frame = batch.to_pandas()
            for start in range(0, len(frame), batch_rows):
                part = frame.iloc[start:start + batch_rows].reset_index(drop=True)
                yield first, part
                first += len(part)
    except (OSError, ValueError) as e:  # pyarrow's and pandas' parse errors are ValueErrors
        raise BadInputError(f"file {path.name}: cannot read it as {fmt} after row {first}: {e}") from e


def _column(chunk: pd.DataFrame, name: str, role: str, path: Path) -> pd.Series:
    if name not in chunk.columns:
        raise BadInputError(f"file {path.name} has no column {name!r} for {role}: its columns are "
                            f"{list(chunk.columns)}")
    return chunk[name]


def _readings(chunk: pd.DataFrame, mapping: Mapping, path: Path) -> pd.DataFrame:
    """The chunk as a reading table (entity_id, attribute, observed_at, value, unit)."""
    entity = _column(chunk, mapping.entity_id, "entity_id", path)
    if mapping.entity_prefix:
        entity = mapping.entity_prefix + entity.astype(str)
    times = _column(chunk, mapping.observed_at, "observed_at", path)
    if mapping.columns:
        parts = []
        for name, spec in mapping.columns.items():
            values = _column(chunk, name, spec["attribute"], path)
            present = values.notna()
            parts.append(pd.DataFrame({"entity_id": entity[present], "attribute": spec["attribute"],
                                       "observed_at": times[present], "value": values[present],
                                       "unit": spec["unit"]}))
        return pd.concat(parts) if parts else pd.DataFrame(columns=["entity_id", "attribute", "observed_at",
                                                                    "value", "unit"])
    unit = mapping.unit_code if mapping.unit_code else _column(chunk, mapping.unit, "unit", path)
    return pd.DataFrame({"entity_id": entity, "attribute": _column(chunk, mapping.attribute, "attribute", path),
                         "observed_at": times, "value": _column(chunk, mapping.value, "value", path),
                         "unit": unit})
