"""The ingestion pipeline every adapter uses: parse, map, convert, check time, commit, quarantine.

For each batch (DESIGN.md, "The way data flows"; issue 4, point 1):

1. parse each payload (`payloads`): JSON of at most 64 KiB, flat, key-value or NGSI-LD
   normalized documents, one reading per attribute and instant;
2. map attribute spellings and UN/CEFACT unit codes (`vocabulary`), convert ppb/ppm of SO2, NO2,
   O3 and CO to mass concentrations at the GB 3095-2012 reference state (`gases`);
3. take timestamps to UTC, naive ones only in the zone the source declares (`times`);
4. commit through `Twin.commit_observations`, which converts to canonical units, checks ranges,
   the five-minute future bound and the entity, and drops readings already stored under their
   idempotency key ``(entity_id, attribute, observed_at, source)``;
5. put every refused document in the quarantine with its raw payload, source and reason.

Each reading of a document is judged on its own: a document with one bad attribute is refused
(its reason names the attribute) while its good readings are stored, so that a retry after a fix
stores the rest and finds the others already there.

`source` is the observation's source, part of the idempotency key: the same reading from two
senders is two records; the same sender sending it again is a duplicate.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import orjson
import pandas as pd

from citytwin.errors import BadInputError
from citytwin.ingest.gases import MIXING_RATIO_UNITS, mixing_ratio_factor
from citytwin.ingest.payloads import document_readings, parse_payload
from citytwin.ingest.quarantine import Quarantine, Refusal
from citytwin.ingest.times import check_zone, utc_times
from citytwin.ingest.vocabulary import canonical_attribute, ucum_unit
from citytwin.twin import Twin

__all__ = ["IngestResult", "Payload", "Pipeline", "RecordOutcome"]

_RECORDS = "records"  # origin of documents handed over already parsed (`Pipeline.ingest`)
_KEY = ["entity_id", "attribute", "observed_at", "source"]
_READING_COLUMNS = ["entity_id", "attribute", "observed_at", "value", "unit"]


@dataclass
class RecordOutcome:
    """What became of one input record (a document): stored, already stored, or refused and why."""

    index: int
    status: Literal["accepted", "duplicate", "refused"]
    reason: str | None = None


@dataclass
class IngestResult:
    """Counts of records by outcome, and one outcome per record, in input order.

    ``readings_*`` count the readings (one attribute at one instant) inside the records.
    """

    accepted: int = 0
    duplicates: int = 0
    refused: int = 0
    outcomes: list[RecordOutcome] = field(default_factory=list)
    readings_stored: int = 0
    readings_duplicate: int = 0
    readings_refused: int = 0
    quarantined: int = 0


@dataclass(frozen=True)
class Payload:
    """Bytes as received from a channel.

    `origin` says where they came from (an MQTT topic, a file and line, ``http``); `entity_id`
    is the entity the channel names (an MQTT topic's), used when a document names none;
    `jurisdiction` is the administrative code the channel speaks for (an MQTT topic's second
    level): a reading of an entity of another jurisdiction is refused.
    """

    raw: bytes
    source: str
    origin: str = ""
    entity_id: str | None = None
    jurisdiction: str | None = None


@dataclass
class _Doc:
    """One document of a payload, or the payload's refusal when it could not be split."""

    payload: int
    record_index: int  # position in the payload's documents; -1 for the whole payload
    body: Any = None
    error: str | None = None


class Pipeline:
    """Ingestion into one twin, refusals into one quarantine. Thread-safe: batches run one at a time."""

    def __init__(self, twin: Twin, quarantine: Quarantine) -> None:
        self.twin = twin
        self.quarantine = quarantine
        self._lock = threading.Lock()

    # ---- entry points ---------------------------------------------------------------------
    def ingest(self, records: Sequence[dict], source: str, *, zone: str | None = None) -> IngestResult:
        """Ingest parsed documents (e.g. an HTTP batch); each refused one is quarantined on its own."""
        _check_source(source)
        zone = check_zone(zone)
        payloads, docs = [], []
        for i, record in enumerate(records):
            try:
                raw = orjson.dumps(record)
            except TypeError:
                raw = repr(record).encode()
            payloads.append(Payload(raw, source, origin=_RECORDS))
            docs.append(_Doc(i, 0, body=record))
        return self._run(payloads, docs, zone)

    def ingest_payloads(self, payloads: Sequence[Payload], *, zone: str | None = None) -> IngestResult:
        """Ingest raw payloads (MQTT messages, JSON lines); outcomes are per document, in order."""
        zone = check_zone(zone)
        for payload in payloads:
            _check_source(payload.source)
        docs = []
        for p, payload in enumerate(payloads):
            try:
                bodies = parse_payload(payload.raw)
            except BadInputError as e:
                docs.append(_Doc(p, -1, error=str(e)))
                continue
            if not bodies:
                docs.append(_Doc(p, -1, error="payload is an empty JSON array: expected at least one record"))
            docs.extend(_Doc(p, i, body=body) for i, body in enumerate(bodies))
        return self._run(list(payloads), docs, zone)

    def ingest_frame(self, frame: pd.DataFrame, source: str, *, zone: str | None = None,
                     origin: str = "frame", row_offset: int = 0) -> IngestResult:
        """Ingest a table of readings (columns entity_id, attribute, observed_at, value, unit).

        The vectorised path of files: each row is one record; a refused row is quarantined as
        a JSON object of its cells, with `origin` and its row number (counted from `row_offset` + 1).
        Tables are large, so `outcomes` lists the refused rows only.
        """
        _check_source(source)
        zone = check_zone(zone)
        missing = [c for c in _READING_COLUMNS if c not in frame.columns]
        if missing:
            raise BadInputError(f"reading table lacks columns {missing}: expected {_READING_COLUMNS}")
        labels = frame.index.to_numpy()
        rows_of = labels if pd.api.types.is_integer_dtype(labels) else np.arange(len(frame))
        readings = frame[_READING_COLUMNS].reset_index(drop=True).copy()
        readings["attribute"] = _map_attributes(readings["attribute"])
        readings["source"] = source
        readings["doc"] = np.arange(len(readings))
        readings["reason"] = None
        with self._lock:
            status, reason = self._judge(readings, zone)
        refused_rows = np.flatnonzero(status == "refused")
        stored, duplicate = int((status == "accepted").sum()), int((status == "duplicate").sum())
        result = IngestResult(accepted=stored, duplicates=duplicate, refused=len(refused_rows),
                              readings_stored=stored, readings_duplicate=duplicate,
                              readings_refused=len(refused_rows),
                              outcomes=[RecordOutcome(int(i), "refused", reason[i]) for i in refused_rows])
        if len(refused_rows):
            cells = frame.iloc[refused_rows].astype(object).where(frame.iloc[refused_rows].notna(), None)
            refusals = []
            for row, record in zip(refused_rows, cells.to_dict("records"), strict=True):
                raw = orjson.dumps(record, default=str, option=orjson.OPT_NON_STR_KEYS)
                where = f"{origin}#{row_offset + int(rows_of[row]) + 1}"
                refusals.append(Refusal(raw, source, where, zone, None, -1, reason[row]))
            result.quarantined = self.quarantine.add(refusals)
        return result

    def evaluate_refusals(self, refusals: Sequence[Refusal]) -> list[RecordOutcome]:
        """Run quarantined records through the pipeline again, without quarantining them anew.

        Outcome i belongs to ``refusals[i]``; used by `citytwin.ingest.retry`.
        """
        outcomes: list[RecordOutcome] = []
        for zone, group in _group_by_zone(refusals).items():
            payloads, docs, owners = [], [], []
            for i, refusal in group:
                payloads.append(Payload(refusal.raw, refusal.source, refusal.origin, refusal.entity_id,
                                        refusal.jurisdiction))
                p = len(payloads) - 1
                try:
                    bodies = _refused_documents(refusal)
                    docs.extend(_Doc(p, refusal.record_index, body=b) for b in bodies)
                    owners.extend([i] * len(bodies))
                except BadInputError as e:
                    docs.append(_Doc(p, -1, error=str(e)))
                    owners.append(i)
            result = self._run(payloads, docs, zone, quarantine=False)
            merged: dict[int, RecordOutcome] = {}
            for owner, outcome in zip(owners, result.outcomes, strict=True):
                merged[owner] = _worse(merged.get(owner), RecordOutcome(owner, outcome.status, outcome.reason))
            outcomes.extend(merged.values())
        return sorted(outcomes, key=lambda o: o.index)

    # ---- the core -------------------------------------------------------------------------
    def _run(self, payloads: list[Payload], docs: list[_Doc], zone: str | None,
             quarantine: bool = True) -> IngestResult:
        columns: dict[str, list] = {c: [] for c in [*_READING_COLUMNS, "source", "doc"]}
        claims: list[str | None] = []
        for d, doc in enumerate(docs):
            if doc.error is not None:
                continue
            payload = payloads[doc.payload]
            try:
                readings = document_readings(doc.body, payload.entity_id)
            except BadInputError as e:
                doc.error = str(e)
                continue
            for reading in readings:
                for name in _READING_COLUMNS:
                    columns[name].append(reading[name])
            columns["source"].extend([payload.source] * len(readings))
            columns["doc"].extend([d] * len(readings))
            claims.extend([payload.jurisdiction] * len(readings))
        frame = pd.DataFrame({k: pd.Series(v, dtype=object if k != "doc" else "int64") for k, v in columns.items()})
        frame["reason"] = None
        if any(c is not None for c in claims):
            with self._lock:
                frame["reason"] = self._check_jurisdictions(frame["entity_id"], claims)
        with self._lock:
            status, reason = self._judge(frame, zone) if len(frame) else (np.array([]), np.array([]))
        result = IngestResult(readings_stored=int((status == "accepted").sum()),
                              readings_duplicate=int((status == "duplicate").sum()),
                              readings_refused=int((status == "refused").sum()))
        doc_of = frame["doc"].to_numpy()
        accepted_docs = set(np.unique(doc_of[status == "accepted"]).tolist())
        refused_at = np.flatnonzero(status == "refused")
        why: dict[int, list[str]] = {}
        for i in refused_at:
            why.setdefault(int(doc_of[i]), []).append(reason[i])
        refusals = []
        for d, doc in enumerate(docs):
            if doc.error is not None or d in why:
                outcome = RecordOutcome(d, "refused", doc.error or "; ".join(dict.fromkeys(why[d])))
            elif d in accepted_docs:
                outcome = RecordOutcome(d, "accepted")
            else:
                outcome = RecordOutcome(d, "duplicate")
            result.outcomes.append(outcome)
            if outcome.status == "refused":
                result.refused += 1
                payload = payloads[doc.payload]
                refusals.append(Refusal(payload.raw, payload.source, payload.origin, zone, payload.entity_id,
                                        doc.record_index, outcome.reason, payload.jurisdiction))
            elif outcome.status == "accepted":
                result.accepted += 1
            else:
                result.duplicates += 1
        if quarantine and refusals:
            result.quarantined = self.quarantine.add(refusals)
        return result

    def _judge(self, frame: pd.DataFrame, zone: str | None) -> tuple[np.ndarray, np.ndarray]:
        """(status, reason) of each reading; commits the good ones. `frame` has the reading
        columns, ``source`` and ``reason`` (refusals found earlier)."""
        n = len(frame)
        reason = frame["reason"].to_numpy(dtype=object).copy()
        units, factor = _plan_units(frame["attribute"], frame["unit"], reason)
        values = _scaled_values(frame["value"], factor)
        times, time_reasons = utc_times(frame["observed_at"], zone)
        open_rows = pd.isna(reason)
        reason[open_rows] = time_reasons.to_numpy(dtype=object)[open_rows]
        ok = np.flatnonzero(pd.isna(reason))
        status = np.full(n, "refused", dtype=object)
        if not len(ok):
            return status, reason

        def pick(column: pd.Series) -> pd.Series:  # keeps the column's dtype (Arrow strings stay Arrow)
            return (column if len(ok) == n else column.iloc[ok]).reset_index(drop=True)

        batch = pd.DataFrame({
            "entity_id": pick(frame["entity_id"]),
            "attribute": pick(frame["attribute"]),
            "observed_at": pick(times),
            "value": values[ok],
            "unit": pick(units),
            "source": pick(frame["source"]),
            "reading": ok,
        })
        result = self.twin.commit_observations(batch)
        rejected = np.zeros(len(batch), dtype=bool)
        position = pd.Series(np.arange(len(batch)), index=ok)
        for rejection in result.rejected:
            row = int(rejection.record["reading"])
            reason[row] = rejection.reason
            rejected[position[row]] = True
        candidates = batch[~rejected]
        in_batch = candidates.duplicated(_KEY, keep="first").to_numpy()
        firsts = candidates[~in_batch]
        stored = np.ones(len(firsts), dtype=bool)
        if result.accepted == 0:
            stored[:] = False
        elif result.accepted != len(firsts):
            stored = self._stored_mask(firsts, result.first_index, result.log_size)
        status[candidates["reading"].to_numpy()[in_batch]] = "duplicate"
        first_rows = firsts["reading"].to_numpy()
        status[first_rows[stored]] = "accepted"
        status[first_rows[~stored]] = "duplicate"
        return status, reason

    def _check_jurisdictions(self, entity_ids: pd.Series, claims: list[str | None]) -> list[str | None]:
        """A refusal reason where a channel's jurisdiction differs from the stored entity's, else None."""
        ids = sorted({e for e, c in zip(entity_ids, claims, strict=True) if c is not None and isinstance(e, str)})
        latest = self.twin.store.latest_entities(ids)
        owner = dict(zip(latest["entity_id"], latest["jurisdiction"], strict=True))
        reasons: list[str | None] = []
        for entity, claim in zip(entity_ids, claims, strict=True):
            actual = owner.get(entity) if claim is not None and isinstance(entity, str) else None
            reasons.append(None if actual is None or actual == claim else
                           f"channel of jurisdiction {claim} sent a reading of {entity}, which belongs to {actual}")
        return reasons

    def _stored_mask(self, firsts: pd.DataFrame, start: int, stop: int) -> np.ndarray:
        """Which of `firsts` the last commit stored: their keys among the rows of log [start, stop)."""
        _, new = self.twin.store.rows_by_log_index(start, stop)
        return _key_index(firsts).isin(_key_index(new))


def _refused_documents(refusal: Refusal) -> list[Any]:
    """The documents a quarantined refusal stands for, parsed again from its raw payload."""
    if refusal.origin == _RECORDS:  # the payload is the record itself, as it was handed over
        return [_loads(refusal.raw)]
    bodies = parse_payload(refusal.raw)
    if refusal.record_index < 0:
        return bodies
    if refusal.record_index >= len(bodies):
        raise BadInputError(f"payload holds {len(bodies)} records: record {refusal.record_index} expected")
    return [bodies[refusal.record_index]]


def _loads(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise BadInputError(f"malformed JSON: {e}") from None


def _key_index(frame: pd.DataFrame) -> pd.MultiIndex:
    micros = (pd.Series(frame["observed_at"]).dt.tz_convert("UTC").dt.tz_localize(None)
              .astype("datetime64[us]").astype("int64"))
    return pd.MultiIndex.from_arrays([frame["entity_id"].to_numpy(), frame["attribute"].to_numpy(),
                                      micros.to_numpy(), frame["source"].to_numpy()])


def _check_source(source: str) -> None:
    if not isinstance(source, str) or not source.strip():
        raise BadInputError(f"source {source!r}: expected a non-empty string naming the sender")


def _map_attributes(column: pd.Series) -> pd.Series:
    """Senders' attribute spellings → the twin's names (unknown ones unchanged, to be refused)."""
    distinct = column.dropna().unique()
    mapping = {v: (canonical_attribute(v) or v) if isinstance(v, str) else v for v in distinct}
    return column.map(mapping) if any(k != v for k, v in mapping.items()) else column


def _plan_units(attributes: pd.Series, units: pd.Series, reason: np.ndarray) -> tuple[pd.Series, np.ndarray]:
    """(UCUM unit per row, factor per row) for each distinct (attribute, unit) pair: UN/CEFACT codes
    to UCUM, mixing ratios of the gases to mass concentrations (the factor), refusal reasons
    (set in `reason` where it is still empty) for missing or non-text units. Conversion to the
    canonical unit is the twin's."""
    pairs = pd.DataFrame({"a": attributes, "u": units})
    try:
        group = pairs.groupby(["a", "u"], dropna=False, sort=False).ngroup().to_numpy()
    except TypeError:  # unhashable units (objects, lists): compare their text instead
        pairs["u"] = units.map(lambda u: u if u is None or isinstance(u, str | float) else _Opaque(u))
        group = pairs.groupby(["a", "u"], dropna=False, sort=False).ngroup().to_numpy()
    first = pd.Series(np.arange(len(group))).groupby(group).first()
    codes = pairs["u"].to_numpy(dtype=object)[first.to_numpy()]
    names = pairs["a"].to_numpy(dtype=object)[first.to_numpy()]
    new_codes = codes.copy()
    factors = np.ones(len(codes))
    open_rows = pd.isna(reason)
    for g, (attribute, unit) in enumerate(zip(names, codes, strict=True)):
        why = None
        if unit is None or (isinstance(unit, float) and np.isnan(unit)):
            why = f"{attribute} reading has no unit: expected a unitCode (UCUM or UN/CEFACT code)"
        elif not isinstance(unit, str):
            shown = getattr(unit, "value", unit)
            why = f"{attribute} unit {shown!r} is not a string: expected a UCUM or UN/CEFACT code"
        else:
            code = ucum_unit(unit)
            if code in MIXING_RATIO_UNITS:
                try:
                    factors[g], code = mixing_ratio_factor(str(attribute), code)
                except BadInputError as e:
                    why = str(e)
            new_codes[g] = code
        if why is not None:
            rows = np.flatnonzero((group == g) & open_rows)
            reason[rows] = why
    if all(a == b for a, b in zip(codes, new_codes, strict=True) if isinstance(a, str)):
        out = units
    else:
        out = pd.Series(new_codes[group], index=units.index, dtype=object)
    return out, factors[group]


class _Opaque:
    """A unit value that is not text, kept hashable for grouping."""

    def __init__(self, value) -> None:
        self.value = value

    def __hash__(self) -> int:
        return hash(repr(self.value))

    def __eq__(self, other) -> bool:
        return isinstance(other, _Opaque) and repr(other.value) == repr(self.value)


def _scaled_values(column: pd.Series, factor: np.ndarray) -> np.ndarray:
    """The values times `factor`: floats for a numeric column, else objects, scaling numbers only
    (anything else is left for the twin to refuse, naming it)."""
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
        values = column.to_numpy(dtype=float)
        return values * factor if (factor != 1).any() else values
    values = column.to_numpy(dtype=object).copy()
    for row in np.flatnonzero(factor != 1):
        v = values[row]
        if isinstance(v, int | float | np.number) and not isinstance(v, bool):
            values[row] = v * factor[row]
    return values


def _worse(a: RecordOutcome | None, b: RecordOutcome) -> RecordOutcome:
    rank = {"refused": 2, "accepted": 1, "duplicate": 0}
    return b if a is None or rank[b.status] > rank[a.status] else a


def _group_by_zone(refusals: Sequence[Refusal]) -> dict[str | None, list[tuple[int, Refusal]]]:
    groups: dict[str | None, list[tuple[int, Refusal]]] = {}
    for i, refusal in enumerate(refusals):
        groups.setdefault(refusal.zone, []).append((i, refusal))
    return groups
