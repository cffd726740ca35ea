"""The quarantine: every refused input kept with its raw payload, source, time and reason.

Nothing is dropped silently (DESIGN.md, "The way data flows"). The quarantine is its own DuckDB
file, ``<data>/quarantine.duckdb``, not a table of the twin's store, because

* `Twin.rebuild` replaces ``twin.duckdb`` with a store made from the log alone, and refused input
  is by definition not in the log;
* the store holds only what is provable; refusals are operational data that `drop` deletes;
* the ingester opens the file for each write and closes it, so `citytwin quarantine ls` can read
  it while an ingester runs (DuckDB lets one process hold a file at a time; a busy file is
  retried for a few seconds).

Tables: ``payloads`` (raw bytes by SHA-256, each stored once) and ``refusals`` (one row per
refused record: its payload, the record's position in it — -1 for the whole payload —, source,
origin, declared zone, topic entity and jurisdiction, reason, first and last time seen, attempts). A payload
redelivered after a crash does not make a second refusal: (source, payload, position) is the
refusal's identity. Payloads larger than `MAX_PAYLOAD_BYTES` keep their first 64 KiB, their
full size and their digest (they cannot be accepted on retry anyway).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from citytwin.errors import BadInputError, NotFoundError
from citytwin.ingest.payloads import MAX_PAYLOAD_BYTES
from citytwin.twin.config import keep_private

__all__ = ["QUARANTINE_FILE", "Quarantine", "QuarantinedRecord", "Refusal"]

QUARANTINE_FILE = "quarantine.duckdb"
_BUSY_SECONDS = 10.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS payloads (
    digest    VARCHAR PRIMARY KEY,
    raw       BLOB NOT NULL,
    size      BIGINT NOT NULL,
    truncated BOOLEAN NOT NULL
);
CREATE SEQUENCE IF NOT EXISTS refusal_id START 1;
CREATE TABLE IF NOT EXISTS refusals (
    id           BIGINT PRIMARY KEY DEFAULT nextval('refusal_id'),
    digest       VARCHAR NOT NULL,
    record_index INTEGER NOT NULL,
    source       VARCHAR NOT NULL,
    origin       VARCHAR NOT NULL,
    zone         VARCHAR,
    entity_id    VARCHAR,
    jurisdiction VARCHAR,
    reason       VARCHAR NOT NULL,
    first_seen   TIMESTAMPTZ NOT NULL,
    last_seen    TIMESTAMPTZ NOT NULL,
    attempts     INTEGER NOT NULL
);
"""
_SUMMARY = ("SELECT r.id, r.source, r.origin, r.zone, r.entity_id, r.jurisdiction, r.record_index, r.reason, "
            "r.first_seen, r.last_seen, r.attempts, p.size, r.digest FROM refusals r JOIN payloads p USING (digest)")


@dataclass(frozen=True)
class Refusal:
    """A refused record as the pipeline hands it over: its payload and why it was refused."""

    raw: bytes
    source: str
    origin: str
    zone: str | None
    entity_id: str | None
    record_index: int
    reason: str
    jurisdiction: str | None = None


@dataclass(frozen=True)
class QuarantinedRecord:
    """A refusal as kept: its id, times seen, attempts, and (from :meth:`Quarantine.get`) the payload."""

    id: int
    source: str
    origin: str
    zone: str | None
    entity_id: str | None
    jurisdiction: str | None
    record_index: int
    reason: str
    first_seen: datetime
    last_seen: datetime
    attempts: int
    size: int
    digest: str
    raw: bytes | None = None

    def refusal(self) -> Refusal:
        if self.raw is None:
            raise BadInputError(f"quarantined record {self.id} was listed without its payload")
        return Refusal(self.raw, self.source, self.origin, self.zone, self.entity_id, self.record_index,
                       self.reason, self.jurisdiction)

    def as_dict(self, with_payload: bool = False) -> dict:
        out = {k: getattr(self, k) for k in ("id", "source", "origin", "zone", "entity_id", "jurisdiction",
                                             "record_index", "reason", "attempts", "size", "digest")}
        out["first_seen"] = self.first_seen.isoformat()
        out["last_seen"] = self.last_seen.isoformat()
        if with_payload and self.raw is not None:
            out["payload"] = self.raw.decode("utf-8", errors="replace")
        return out


class Quarantine:
    """The quarantine file of a data directory."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        with self._connect() as db:
            db.execute(_SCHEMA)

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> Quarantine:
        return cls(Path(data_dir) / QUARANTINE_FILE)

    @contextmanager
    def _connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        deadline = time.monotonic() + _BUSY_SECONDS
        while True:
            try:
                db = duckdb.connect(str(self.path))
                break
            except duckdb.IOException as e:
                if "lock" not in str(e).lower() or time.monotonic() > deadline:
                    raise BadInputError(f"cannot open the quarantine {self.path}: {e}") from e
                time.sleep(0.05)
        try:
            keep_private(self.path)
            db.execute("SET TimeZone = 'UTC'")
            yield db
        finally:
            db.close()

    # ---- writing -------------------------------------------------------------------------
    def add(self, refusals: Sequence[Refusal], now: datetime | None = None) -> int:
        """Keep refusals durably; a refusal already kept counts one more attempt per copy.
        Returns how many are new."""
        if not refusals:
            return 0
        now = now or datetime.now(UTC)
        payload_rows, refusal_rows = {}, []
        for r in refusals:
            digest = hashlib.sha256(r.raw).hexdigest()
            payload_rows[digest] = (r.raw[:MAX_PAYLOAD_BYTES], len(r.raw), len(r.raw) > MAX_PAYLOAD_BYTES)
            refusal_rows.append((digest, r.record_index, r.source, r.origin, r.zone, r.entity_id, r.jurisdiction,
                                 r.reason))
        payloads = pd.DataFrame([(d, *v) for d, v in payload_rows.items()],
                                columns=["digest", "raw", "size", "truncated"])
        new = pd.DataFrame(refusal_rows, columns=["digest", "record_index", "source", "origin", "zone",
                                                  "entity_id", "jurisdiction", "reason"])
        key = ["source", "digest", "record_index"]
        new["n"] = new.groupby(key)["digest"].transform("size")
        new = new.drop_duplicates(key, keep="last")
        with self._connect() as db:
            db.execute("BEGIN TRANSACTION")
            try:
                db.register("_payloads", payloads)
                db.execute("INSERT OR IGNORE INTO payloads SELECT digest, raw, size, truncated FROM _payloads")
                db.register("_new", new)
                db.execute(
                    """UPDATE refusals SET last_seen = $now, attempts = refusals.attempts + n.n, reason = n.reason
                       FROM _new n WHERE refusals.source = n.source AND refusals.digest = n.digest
                        AND refusals.record_index = n.record_index""", {"now": now})
                added = db.execute(
                    """INSERT INTO refusals (digest, record_index, source, origin, zone, entity_id, jurisdiction,
                                             reason, first_seen, last_seen, attempts)
                       SELECT n.digest, n.record_index, n.source, n.origin, n.zone, n.entity_id, n.jurisdiction,
                              n.reason,
                              $now, $now, n.n
                       FROM _new n ANTI JOIN refusals r
                         ON r.source = n.source AND r.digest = n.digest AND r.record_index = n.record_index""",
                    {"now": now}).fetchone()[0]
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return int(added)

    def drop(self, ids: Sequence[int]) -> int:
        """Delete refusals (and payloads no refusal uses any more); returns how many were deleted."""
        with self._connect() as db:
            missing = self._missing(db, ids)
            if missing:
                raise NotFoundError(f"no quarantined record with id {', '.join(map(str, missing))}")
            db.execute("DELETE FROM refusals WHERE id IN (SELECT unnest($ids))", {"ids": list(ids)})
            db.execute("DELETE FROM payloads WHERE digest NOT IN (SELECT digest FROM refusals)")
        return len(set(ids))

    def update(self, updates: Sequence[tuple[int, str]], now: datetime | None = None) -> None:
        """Record a new attempt and reason for refusals still refused after a retry."""
        if not updates:
            return
        with self._connect() as db:
            db.register("_u", pd.DataFrame(updates, columns=["id", "reason"]))
            db.execute("UPDATE refusals SET reason = u.reason, attempts = refusals.attempts + 1, "
                       "last_seen = $now FROM _u u WHERE refusals.id = u.id", {"now": now or datetime.now(UTC)})

    # ---- reading -------------------------------------------------------------------------
    def count(self) -> int:
        with self._connect() as db:
            return int(db.execute("SELECT count(*) FROM refusals").fetchone()[0])

    def list(self, *, source: str | None = None, limit: int | None = None, offset: int = 0) -> list[QuarantinedRecord]:
        """Refusals, oldest first, optionally of one source; without payloads."""
        sql = _SUMMARY + " WHERE ($source IS NULL OR r.source = $source) ORDER BY r.id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        if offset:
            sql += f" OFFSET {int(offset)}"
        with self._connect() as db:
            rows = db.execute(sql, {"source": source}).fetchall()
        return [QuarantinedRecord(*row) for row in rows]

    def get(self, ids: Sequence[int] | None = None) -> list[QuarantinedRecord]:
        """Refusals with their payloads: those of `ids` (all must exist), or all when None."""
        sql = _SUMMARY.replace("r.digest FROM", "r.digest, p.raw FROM")
        with self._connect() as db:
            if ids is None:
                rows = db.execute(sql + " ORDER BY r.id").fetchall()
            else:
                missing = self._missing(db, ids)
                if missing:
                    raise NotFoundError(f"no quarantined record with id {', '.join(map(str, missing))}")
                rows = db.execute(sql + " WHERE r.id IN (SELECT unnest($ids)) ORDER BY r.id",
                                  {"ids": list(ids)}).fetchall()
        return [QuarantinedRecord(*row[:-1], raw=bytes(row[-1])) for row in rows]

    @staticmethod
    def _missing(db: duckdb.DuckDBPyConnection, ids: Sequence[int]) -> list[int]:
        present = {r[0] for r in db.execute("SELECT id FROM refusals WHERE id IN (SELECT unnest($ids))",
                                            {"ids": list(ids)}).fetchall()}
        return sorted(set(ids) - present)
