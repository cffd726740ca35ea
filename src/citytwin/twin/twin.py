"""The `Twin` facade: commit records through the ledger into the store, query them, verify, rebuild.

Commit protocol (issue 2, "a batch is either wholly in the store and the log or wholly absent"):

1. validate the batch; refused records are returned with their reasons, never stored;
2. drop records already stored (idempotency keys of DESIGN.md);
3. append the accepted records' canonical bytes to the log as one batch — the log writes its
   tiles, then atomically publishes the checkpoint that covers them;
4. insert the rows, each with its log index, and the store's new `log_size`, in one DuckDB
   transaction.

A crash before the checkpoint of step 3 leaves the batch out of the log and the store. A crash
between 3 and 4 leaves it in the log only, and :meth:`Twin.open` applies the log entries the store
lacks (`recover`) before anything else. The log is the source of truth: :meth:`rebuild` makes a
new store from the log's entries alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pandas as pd

from citytwin.errors import BadInputError
from citytwin.ledger import Log, QuorumNotReached, Signer, Verifier, generate_key
from citytwin.twin.canonical import canonicalize
from citytwin.twin.config import DEFAULT_ORIGIN, Config, write_config
from citytwin.twin.entries import (
    MAX_ENTRY_BYTES,
    decode_entries,
    encode_entity_rows,
    encode_observations,
    entity_document,
)
from citytwin.twin.geometry import bounds_and_centre
from citytwin.twin.model import Entity, Observation, parse_geometry, parse_time, validate_entity_id
from citytwin.twin.queries import QueryMixin
from citytwin.twin.store import ENTITY_COLUMNS, Store
from citytwin.twin.validate import REQUIRED_COLUMNS, Rejection, validate_observations

__all__ = ["CommitResult", "Twin"]

_REPLAY_CHUNK = 100_000


@dataclass
class CommitResult:
    """What a commit did: how many records were stored, already there, or refused (and why)."""

    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    first_index: int | None = None
    log_size: int = 0

    def merge(self, other: CommitResult) -> None:
        self.accepted += other.accepted
        self.duplicates += other.duplicates
        self.rejected.extend(other.rejected)
        if self.first_index is None:
            self.first_index = other.first_index
        self.log_size = max(self.log_size, other.log_size)


class Twin(QueryMixin):
    """A city's digital twin in a data directory: its store, its log and its configuration."""

    def __init__(self, config: Config, store: Store, log: Log) -> None:
        self.config = config
        self.store = store
        self.log = log

    # ---- lifecycle -----------------------------------------------------------------------
    @classmethod
    def init(cls, data_dir: Path, origin: str = DEFAULT_ORIGIN, district: str = "") -> Twin:
        """Create a data directory: configuration, the log's signing key, an empty log and store."""
        data_dir = Path(data_dir)
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # a directory made here is its owner's only
        config_path = write_config(data_dir, origin, district)
        config = Config.load(data_dir)
        private_text, verifier_text = generate_key(origin)
        config.private_key_path.parent.mkdir(exist_ok=True)
        descriptor = os.open(config.private_key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as key_file:
            key_file.write(private_text + "\n")
        config.verifier_key_path.write_text(verifier_text + "\n")
        try:
            Log.create(config.log_dir, origin, Signer.from_text(private_text)).close()
        except Exception:
            config_path.unlink()
            raise
        return cls.open(data_dir)

    @classmethod
    def open(cls, data_dir: Path) -> Twin:
        """Open a data directory made by :meth:`init`, applying any log entries the store lacks."""
        config = Config.load(Path(data_dir))
        signer = Signer.from_text(config.private_key_path.read_text().strip())
        log = Log.open(config.log_dir, signer=signer, witness_policy=_witness_policy(config))
        twin = cls(config, Store.open(config.store_path), log)
        if log.pending is not None:
            # a batch was signed but not published before a crash: publish it now if the
            # witnesses allow; otherwise it is published with the next batch (see `_commit`)
            try:
                log.append([])
            except QuorumNotReached:
                pass
        twin.recover()
        return twin

    def close(self) -> None:
        self.store.close()
        self.log.close()

    def __enter__(self) -> Twin:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def verifier(self) -> Verifier:
        return Verifier.from_text(self.config.verifier_key_path.read_text().strip())

    def recover(self) -> int:
        """Apply to the store the log entries it does not hold yet; the number applied."""
        return self._apply_log(self.store.log_size, self.log.size)

    def _apply_log(self, start: int, stop: int) -> int:
        """Store the rows of log entries [start, stop), which the store lacks."""
        if start > stop:
            raise BadInputError(
                f"the store holds {start} log entries but the log only {stop}: the log was replaced or "
                "truncated; run `citytwin rebuild` to make the store from the log"
            )
        for chunk_start in range(start, stop, _REPLAY_CHUNK):
            chunk_stop = min(stop, chunk_start + _REPLAY_CHUNK)
            entities, observations = decode_entries(list(self.log.entries(chunk_start, chunk_stop)), chunk_start)
            self.store.write(entities, observations, chunk_stop)
        return stop - start

    # ---- committing ----------------------------------------------------------------------
    def commit(self, records: Iterable[Entity | Observation | dict]) -> CommitResult:
        """Validate, deduplicate and commit a batch of entities and observations."""
        entities, observations, rejected = [], [], []
        for record in records:
            if isinstance(record, Entity):
                entities.append(record)
            elif isinstance(record, Observation):
                observations.append(record.__dict__)
            elif isinstance(record, dict) and record.get("kind", "observation") == "observation":
                observations.append({k: v for k, v in record.items() if k != "kind"})
            elif isinstance(record, dict) and record.get("kind") == "entity":
                try:
                    entities.append(_entity_from_dict(record))
                except BadInputError as e:
                    rejected.append(Rejection(record, str(e)))
            else:
                rejected.append(Rejection({"record": repr(record)}, "record must be an entity or an observation"))
        frame = pd.DataFrame(observations, columns=REQUIRED_COLUMNS) if observations else None
        result = self._commit(entities, frame)
        result.rejected[:0] = rejected
        return result

    def commit_observations(self, frame: pd.DataFrame) -> CommitResult:
        """Commit a DataFrame of observations (columns entity_id, attribute, observed_at, value, unit, source)."""
        return self._commit([], frame)

    def _commit(self, entities: list[Entity], frame: pd.DataFrame | None) -> CommitResult:
        result = CommitResult(log_size=self.log.size)
        entity_rows, entity_rejections, entity_duplicates = self._prepare_entities(entities)
        result.rejected.extend(entity_rejections)
        result.duplicates += entity_duplicates
        observation_rows = None
        if frame is not None and len(frame):
            accepted, rejections = validate_observations(frame)
            result.rejected.extend(rejections)
            accepted, unknown = self._drop_unknown_entities(frame, accepted, set(entity_rows["entity_id"]))
            result.rejected.extend(unknown)
            before = len(accepted)
            accepted = accepted.drop_duplicates(["entity_id", "attribute", "observed_at", "source"])
            accepted = accepted[~self.store.duplicate_mask(accepted).to_numpy()].reset_index(drop=True)
            result.duplicates += before - len(accepted)
            observation_rows = accepted.drop(columns="batch_row")
        entries = encode_entity_rows(entity_rows) if len(entity_rows) else []
        if observation_rows is not None:
            entries += encode_observations(observation_rows)
        if not entries:
            return result
        first = self.log.append(entries)
        if first > self.store.log_size:  # a batch signed before a crash was published with this one
            self._apply_log(self.store.log_size, first)
        entity_rows["log_index"] = range(first, first + len(entity_rows))
        if observation_rows is not None:
            observation_rows["log_index"] = range(first + len(entity_rows), first + len(entries))
        self.store.write(entity_rows, observation_rows, first + len(entries))
        result.accepted = len(entries)
        result.first_index = first
        result.log_size = first + len(entries)
        return result

    def _drop_unknown_entities(self, batch: pd.DataFrame, accepted: pd.DataFrame, new_ids: set[str]):
        ids = accepted["entity_id"].unique().tolist()
        known = self.store.known_entity_ids(ids) | new_ids
        unknown_mask = ~accepted["entity_id"].isin(known)
        raw = batch.reset_index(drop=True).iloc[accepted.loc[unknown_mask, "batch_row"]]
        rejections = [
            Rejection(row, f"unknown entity {row['entity_id']!r}: commit the entity before its observations")
            for row in raw.to_dict("records")
        ]
        return accepted[~unknown_mask].reset_index(drop=True), rejections

    def _prepare_entities(self, entities: list[Entity]) -> tuple[pd.DataFrame, list[Rejection], int]:
        """Rows of the entity versions to store, the refused ones, and how many were unchanged."""
        rows, rejected, duplicates = [], [], 0
        latest = self.store.latest_entities(sorted({e.id for e in entities})) if entities else None
        current = {r["entity_id"]: r for r in latest.to_dict("records")} if latest is not None else {}
        now = datetime.now(UTC)
        for entity in entities:
            try:
                row = _entity_row(entity, now)
            except BadInputError as e:
                rejected.append(Rejection(_entity_record(entity), str(e)))
                continue
            previous = current.get(entity.id)
            if previous is not None and _same_content(previous, row):
                duplicates += 1
                continue
            row["version"] = previous["version"] + 1 if previous is not None else 1
            size = len(canonicalize(entity_document(row)))
            if size > MAX_ENTRY_BYTES:
                rejected.append(Rejection(_entity_record(entity),
                                          f"entity {entity.id} is {size} bytes: at most {MAX_ENTRY_BYTES} expected"))
                continue
            current[entity.id] = row
            rows.append(row)
        frame = pd.DataFrame(rows, columns=ENTITY_COLUMNS)
        frame["valid_from"] = pd.to_datetime(frame["valid_from"], utc=True)
        return frame, rejected, duplicates

    # ---- the log as source of truth ------------------------------------------------------
    def rebuild(self, progress=None) -> int:
        """Recreate the store from the log's entries alone; returns the number of entries applied."""
        path = self.store.path
        fresh = path.with_suffix(".rebuild.duckdb")
        fresh.unlink(missing_ok=True)
        store = Store.open(fresh)
        size = self.log.size
        for start in range(0, size, _REPLAY_CHUNK):
            stop = min(size, start + _REPLAY_CHUNK)
            entities, observations = decode_entries(list(self.log.entries(start, stop)), start)
            store.write(entities, observations, stop)
            if progress:
                progress(stop - start)
        store.close()
        self.store.close()
        os.replace(fresh, path)
        path.with_suffix(".duckdb.wal").unlink(missing_ok=True)
        self.store = Store.open(path)
        return size

    def iter_stored_entries(self, start: int, stop: int) -> Iterator[tuple[int, bytes]]:
        """(log index, canonical bytes) of every stored row with a log index in [start, stop)."""
        entities, observations = self.store.rows_by_log_index(start, stop)
        for index, entry in zip(entities["log_index"], encode_entity_rows(entities), strict=True):
            yield int(index), entry
        if len(observations):
            for index, entry in zip(observations["log_index"], encode_observations(observations), strict=True):
                yield int(index), entry


def _witness_policy(config: Config):
    """The log's witness policy from `[log] quorum` and `[[log.witness]]`, or None."""
    log_table = config.raw.get("log", {})
    if not log_table.get("witness"):
        return None
    from citytwin.ledger.witness import WitnessPolicy

    return WitnessPolicy.from_config({k: v for k, v in log_table.items() if k in ("quorum", "witness", "timeout")})


def _entity_record(entity: Entity) -> dict:
    return {"kind": "entity", "id": entity.id, "type": entity.type, "jurisdiction": entity.jurisdiction,
            "location": entity.location, "properties": entity.properties}


def _entity_from_dict(record: dict) -> Entity:
    unknown = set(record) - {"kind", "id", "type", "jurisdiction", "location", "properties", "valid_from"}
    if unknown:
        raise BadInputError(f"entity has unknown fields {sorted(unknown)}")
    valid_from = parse_time(record["valid_from"]) if record.get("valid_from") else None
    return Entity(record.get("id"), record.get("type"), record.get("jurisdiction"), record.get("location"),
                  record.get("properties") or {}, valid_from)


def _entity_row(entity: Entity, now: datetime) -> dict:
    """Validate one entity version and lay it out as a store row (without version and log index)."""
    id_type = validate_entity_id(entity.id)
    if entity.type != id_type:
        raise BadInputError(f"entity {entity.id}: type {entity.type!r} does not match the type in its id {id_type!r}")
    if entity.jurisdiction is not None and not (
        isinstance(entity.jurisdiction, str) and entity.jurisdiction.isdigit() and len(entity.jurisdiction) == 6
    ):
        raise BadInputError(
            f"entity {entity.id}: jurisdiction {entity.jurisdiction!r} is not a 6-digit administrative code"
        )
    if not isinstance(entity.properties, dict):
        raise BadInputError(f"entity {entity.id}: properties must be a JSON object, got {entity.properties!r}")
    canonicalize(entity.properties)  # refuses NaN, infinities and non-JSON values, naming them
    if entity.location is not None:
        parse_geometry(entity.location)
    (lon, lat), (min_lon, min_lat, max_lon, max_lat) = bounds_and_centre(entity.location)
    valid_from = parse_time(entity.valid_from) if entity.valid_from else now
    return {
        "entity_id": entity.id, "version": None, "type": entity.type, "jurisdiction": entity.jurisdiction,
        "location": orjson.dumps(entity.location).decode() if entity.location is not None else None,
        "lon": lon, "lat": lat, "min_lon": min_lon, "min_lat": min_lat, "max_lon": max_lon, "max_lat": max_lat,
        "properties": orjson.dumps(entity.properties).decode(), "valid_from": valid_from, "log_index": None,
    }


def _same_content(stored: dict, row: dict) -> bool:
    """Whether a new version would change nothing but its time of validity."""
    def content(r: dict):
        location = orjson.loads(r["location"]) if isinstance(r["location"], str) else None
        jurisdiction = r["jurisdiction"] if isinstance(r["jurisdiction"], str) else None
        return r["type"], jurisdiction, location, orjson.loads(r["properties"])

    return content(stored) == content(row)
