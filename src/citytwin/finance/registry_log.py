"""The carbon-credit registry on the transparency log: sign, commit, replay, verify, prove.

Layout (issue 9, point 3). Every act of :mod:`citytwin.finance.registry` is one twin entity
``urn:ngsi-ld:CarbonCreditAct:<seq>-<first 8 hex of SHA-256 of its signature>`` of type
``CarbonCreditAct``, version 1, with properties ``{"act": <signed body>, "signature": <base64>}``;
its jurisdiction is that of the account it acts on. Twin entities rather than raw log entries,
so that the store indexes the acts, ``citytwin rebuild`` and ``citytwin verify`` keep working, and
each act is one RFC 8785 canonical log entry whose bytes start with ``{"id":"urn:ngsi-ld:
CarbonCreditAct:`` (keys sort first on ``id``), which is how replay finds them without parsing
the other entries.

State is never stored: :func:`replay` reads the log's entries, checks every act's signature
against the keys registered by earlier acts and applies it; an entry that does not apply (an
act committed around the registry) is skipped and reported. A batch of acts is applied to the
state under a journal (``State.begin``) and committed only if all of them apply, else undone
(``State.rollback``), so the log holds valid acts only.

Reductions: a ``reduction`` act names an approved MRV record of ``citytwin.carbon.mrv``
(the *reported* inventory) and a *baseline* approved inventory of the same jurisdiction; the
verified reduction is ``floor(baseline − reported)`` of the figure (default ``totals.basic_t``)
[t CO2e], proven from the log with :func:`citytwin.carbon.mrv.prove` and
:func:`citytwin.carbon.mrv.verify_figure` when the act is made and again by :func:`verify`.
"""

from __future__ import annotations

import hashlib
import math
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

import orjson

from citytwin.errors import BadInputError, VerificationError
from citytwin.finance.act_signature import act_bytes, failures
from citytwin.finance.registry import (
    ActRefused,
    SignedAct,
    State,
    apply_in_place,
    check_invariants,
    required_adjustments,
    sign_act,
)
from citytwin.twin import Twin
from citytwin.twin.model import format_time
from citytwin.twin.signed import principal_signer as load_signer

__all__ = [
    "ACT_TYPE", "ActRefused", "Registry", "ReplayResult", "act_id", "load_signer", "replay", "signature_pool",
    "verified_reduction", "verify",
]

ACT_TYPE = "CarbonCreditAct"
_PREFIX = b'{"id":"urn:ngsi-ld:' + ACT_TYPE.encode() + b":"
_CHUNK = 65_536
_SIGNATURES = 250  # signature checks sent to a worker at a time


@dataclass
class ReplayResult:
    """The state replayed from the log, where each act is, and the entries that did not apply."""

    state: State = field(default_factory=State)
    log_index: list[int] = field(default_factory=list)  # log index of act seq i
    opened_by: dict[str, int] = field(default_factory=dict)  # account -> seq of its open act
    refused: list[tuple[int, str]] = field(default_factory=list)  # (log index, reason)
    position: int = 0  # log entries read

    def take(self, index: int, entry: bytes, deferred: list | None = None) -> None:
        try:
            doc = orjson.loads(entry)
            props = doc["properties"]
            act = SignedAct(props["act"], props["signature"])
            if doc.get("type") != ACT_TYPE or doc.get("version") != 1 or doc["id"] != act_id(act):
                raise BadInputError(f"entry {doc.get('id')!r} version {doc.get('version')}: expected "
                                    f"{act_id(act)!r} version 1")
            seq = self.state.seq
            apply_in_place(self.state, act, None, deferred)
        except (BadInputError, KeyError, TypeError, orjson.JSONDecodeError) as e:
            self.refused.append((index, str(e)))
            return
        self.log_index.append(index)
        if act.body["act"] == "open":
            self.opened_by[act.body["account"]] = seq

    def read(self, twin: Twin, stop: int | None = None, pool: Executor | None = None) -> bool:
        """Apply the acts among log entries ``position..stop``. With a ``pool``, their Ed25519
        checks run in it while this process applies the acts, as if they verified; the result is
        whether they all did (if not, this result is wrong and to be discarded)."""
        stop = twin.log.size if stop is None else stop
        deferred, checks = ([] if pool else None), []
        for start in range(self.position, stop, _CHUNK):
            end = min(stop, start + _CHUNK)
            for offset, entry in enumerate(twin.log.entries(start, end)):
                if entry.startswith(_PREFIX):
                    self.take(start + offset, entry, deferred)
                    if deferred is not None and len(deferred) >= _SIGNATURES:
                        checks.append(pool.submit(failures, deferred))
                        deferred = []
        if deferred:
            checks.append(pool.submit(failures, deferred))
        self.position = max(self.position, stop)
        return not any(check.result() for check in checks)


def act_id(act: SignedAct) -> str:
    digest = hashlib.sha256(act.signature.encode()).hexdigest()[:8]
    return f"urn:ngsi-ld:{ACT_TYPE}:{act.body.get('seq')}-{digest}"


def signature_pool(workers: int) -> Executor:
    """``workers`` processes (spawned, not forked: the parent holds DuckDB's threads) that check
    Ed25519 signatures with :func:`citytwin.finance.act_signature.failures`."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))


def replay(twin: Twin, workers: int = 0) -> ReplayResult:
    """The registry replayed from every entry of the twin's log. With ``workers`` > 0 the
    signatures are checked in that many processes while this one applies the acts; if an entry
    does not apply or a signature fails, the log is replayed again in this process alone, so the
    result (which entries are refused, and why) is the same as without workers."""
    if workers > 0:
        result = ReplayResult()
        with signature_pool(workers) as pool:
            if result.read(twin, pool=pool) and not result.refused:
                return result
    result = ReplayResult()
    result.read(twin)
    return result


def verified_reduction(twin: Twin, reported_id: str, baseline_id: str, figure: str = "totals.basic_t") -> dict:
    """The fields of a ``reduction`` act for two approved inventories of one jurisdiction, each
    proven from the log: ``verified_t = floor(baseline − reported)`` [t CO2e]."""
    from citytwin.carbon import mrv

    key = twin.verifier.text
    reported = mrv.verify_figure(mrv.prove(twin, reported_id), figure, log_verifier_key=key)
    baseline = mrv.verify_figure(mrv.prove(twin, baseline_id), figure, log_verifier_key=key)
    jurisdictions = {mrv.verify_figure(mrv.prove(twin, i), "jurisdiction", log_verifier_key=key).value
                     for i in (reported_id, baseline_id)}
    year = mrv.verify_figure(mrv.prove(twin, reported_id), "year", log_verifier_key=key).value
    if len(jurisdictions) != 1:
        raise BadInputError(f"baseline {baseline_id} and reported {reported_id}: expected one jurisdiction, "
                            f"got {sorted(jurisdictions)}")
    tonnes = math.floor(float(baseline.value) - float(reported.value))
    if tonnes < 1:
        raise BadInputError(f"{figure}: baseline {baseline.value} − reported {reported.value} = {tonnes} t; "
                            "expected a reduction of at least 1 t CO2e")
    return {"jurisdiction": jurisdictions.pop(), "vintage": int(year), "verified_t": tonnes,
            "mrv": f"{reported_id}@{reported.log_index}", "baseline": f"{baseline_id}@{baseline.log_index}",
            "figure": figure}


def _check_reduction(twin: Twin, body: dict) -> None:
    try:
        reported_id, baseline_id = body["mrv"].rsplit("@", 1)[0], body["baseline"].rsplit("@", 1)[0]
        expected = verified_reduction(twin, reported_id, baseline_id, body["figure"])
    except (KeyError, AttributeError) as e:
        raise BadInputError(f"reduction {body.get('reduction')!r}: expected mrv, baseline and figure ({e})") from e
    got = {k: body.get(k) for k in expected}
    if got != expected:
        raise VerificationError(f"reduction {body.get('reduction')!r}: expected {expected} from the MRV records, "
                                f"got {got}")


class Registry:
    """The registry of one twin: its replayed state, and methods that sign and commit acts."""

    def __init__(self, twin: Twin, check_mrv: bool = True, workers: int = 0) -> None:
        """``check_mrv=False`` skips proving ``reduction`` acts from MRV records: only for
        synthetic registries (load tests, property tests), which `verify` then checks with
        ``check_reductions=False``. ``workers`` > 0: the signatures of a batch are checked in
        that many processes while this one applies the acts (:meth:`close` ends them)."""
        self.twin = twin
        self.check_mrv = check_mrv
        self.replayed = replay(twin, workers)
        self._pool = signature_pool(workers) if workers > 0 else None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def state(self) -> State:
        return self.replayed.state

    def refresh(self) -> None:
        self.replayed.read(self.twin)

    def submit(self, acts: list[SignedAct]) -> list[int]:
        """Apply ``acts`` in order and commit them as one batch; their log indices. If any act is
        refused, :class:`ActRefused` is raised and nothing is committed.

        The batch goes to the log as the twin's own entity entries (``kind: entity``, version 1,
        RFC 8785 bytes as ``citytwin.twin.entries`` lays them out) in one append, and
        :meth:`Twin.recover` then stores their rows: the twin's recovery path, in bulk, rather
        than :meth:`Twin.commit`, whose per-entity work would dominate the registry's cost.
        """
        self.refresh()
        if not acts:
            return []
        state = self.state
        entries, ids = [], []
        valid_from = format_time(datetime.now(UTC))
        state.begin()  # the acts apply in place; any refusal or failure before the append undoes them
        try:
            try:
                entries, ids = self._apply(state, acts, valid_from, self._pool)
            except _Recheck:  # again in this process alone, to refuse the first act that fails
                state.rollback()
                state.begin()
                entries, ids = self._apply(state, acts, valid_from, None)
            taken = self.twin.store.known_entity_ids(ids)
            if taken:
                raise BadInputError(f"entities {sorted(taken)[:3]} already exist in the twin: expected new act ids")
            first = self.twin.log.append(entries)
        except BaseException:
            state.rollback()
            raise
        if first == self.replayed.position:  # nothing else was appended since the refresh
            state.commit()
            self.replayed.log_index.extend(range(first, first + len(entries)))
            for act in acts:
                if act.body["act"] == "open":
                    self.replayed.opened_by[act.body["account"]] = act.body["seq"]
            self.replayed.position = first + len(entries)
        else:  # replay what was appended in between, then this batch, from the log
            state.rollback()
            self.refresh()
        self.twin.recover()
        return list(range(first, first + len(entries)))

    def _apply(self, state: State, acts: list[SignedAct], valid_from: str,
               pool: Executor | None) -> tuple[list[bytes], list[str]]:
        """Apply ``acts`` to ``state``; their entries and ids. With a ``pool``, the signatures
        are checked there, and any refusal or failed check raises :class:`_Recheck`."""
        entries, ids, deferred, checks = [], [], ([] if pool else None), []
        try:
            for act in acts:
                body = getattr(act, "body", None)
                if isinstance(body, dict) and body.get("act") == "reduction" and self.check_mrv:
                    _check_reduction(self.twin, body)
                try:
                    body_bytes = act_bytes(body) if isinstance(body, dict) else None
                except BadInputError:
                    body_bytes = None  # apply_in_place refuses it, naming the value
                apply_in_place(state, act, body_bytes, deferred)
                ids.append(act_id(act))
                entries.append(_entry(ids[-1], _jurisdiction(state, body), body_bytes, act.signature, valid_from))
                if deferred is not None and len(deferred) >= _SIGNATURES:
                    checks.append(pool.submit(failures, deferred))
                    deferred = []
        except (BadInputError, VerificationError):
            if pool is None:
                raise
            raise _Recheck from None
        if deferred:
            checks.append(pool.submit(failures, deferred))
        if any(check.result() for check in checks):
            raise _Recheck
        return entries, ids

    # ---- acts signed with the principals' keys in the data directory ------------------------
    def _act(self, principal: str, **fields) -> int:
        self.refresh()
        signer = load_signer(self.twin.config.data_dir, principal)
        body = {"seq": self.state.seq, "principal": principal, **fields}
        if fields["act"] in ("genesis", "open"):  # every open act carries the holder's key for proofs
            body["key"] = signer.verifier_text
        return self.submit([sign_act(signer, body)])[0]

    def genesis(self, administrator: str) -> int:
        return self._act(administrator, act="genesis")

    def open_account(self, holder: str, account: str, jurisdiction: str, kind: str = "holding") -> int:
        return self._act(holder, act="open", account=account, jurisdiction=jurisdiction, kind=kind)

    def register_reduction(self, reduction: str, reported_id: str, baseline_id: str,
                           figure: str = "totals.basic_t") -> int:
        fields = verified_reduction(self.twin, reported_id, baseline_id, figure)
        return self._act(self.state.administrator or "", act="reduction", reduction=reduction, **fields)

    def issue(self, reduction: str, account: str, quantity: int, buffer_quantity: int = 0,
              buffer_account: str = "buffer") -> int:
        return self._act(self.state.administrator or "", act="issue", reduction=reduction, account=account,
                         quantity=quantity, buffer_quantity=buffer_quantity, buffer_account=buffer_account)

    def transfer(self, holder: str, source: str, target: str, first: int, last: int) -> int:
        return self._act(holder, act="transfer", **{"from": source, "to": target}, first=first, last=last)

    def retire(self, holder: str, account: str, first: int, last: int, beneficiary: str, purpose: str,
               claimed_in: str) -> int:
        self.refresh()
        adjustments = required_adjustments(self.state, first, last, claimed_in) if last >= first else []
        return self._act(holder, act="retire", account=account, first=first, last=last, beneficiary=beneficiary,
                         purpose=purpose, claimed_in=claimed_in, adjustments=adjustments)

    def cancel(self, account: str, first: int, last: int, reason: str) -> int:
        return self._act(self.state.administrator or "", act="cancel", account=account, first=first, last=last,
                         reason=reason)


class _Recheck(Exception):
    """A batch checked in a pool had a refused act or a failed signature."""


def _entry(entity_id: str, jurisdiction: str | None, body: bytes, signature: str, valid_from: str) -> bytes:
    """The RFC 8785 bytes of the act's twin entity entry (``citytwin.twin.entries`` layout: keys
    id, jurisdiction, kind, location, properties, type, valid_from, version, in that order),
    assembled around the body's canonical bytes; canonical forms of members compose, and orjson
    writes a string as RFC 8785 does (``citytwin.finance.act_signature``)."""
    dump = orjson.dumps
    return b"".join((
        b'{"id":', dump(entity_id), b',"jurisdiction":', dump(jurisdiction),
        b',"kind":"entity","location":null,"properties":{"act":', body, b',"signature":', dump(signature),
        b'},"type":"' + ACT_TYPE.encode() + b'","valid_from":', dump(valid_from), b',"version":1}',
    ))


def _jurisdiction(state: State, body: dict) -> str | None:
    if body.get("act") in ("open", "reduction"):
        return body.get("jurisdiction")
    account = state.accounts.get(body.get("account") or body.get("from"))
    return account.jurisdiction if account else None


def verify(twin: Twin, check_reductions: bool = True, check_log: bool = True, workers: int = 0) -> ReplayResult:
    """Check the log's checkpoint signature and recompute its tree from the entries
    (``Log.verify``), then replay the registry (signatures in ``workers`` processes, see
    :func:`replay`): every act applies, the invariants hold, and each reduction matches its MRV
    records. Raises :class:`VerificationError`."""
    if check_log:
        twin.log.verify(twin.verifier)
    result = replay(twin, workers)
    if result.refused:
        index, reason = result.refused[0]
        raise VerificationError(f"{len(result.refused)} registry entries of the log do not apply; "
                                f"first at log index {index}: {reason}")
    check_invariants(result.state)
    if check_reductions:
        for seq, index in enumerate(result.log_index):
            doc = orjson.loads(next(twin.log.entries(index, index + 1)))
            body = doc["properties"]["act"]
            if body["act"] == "reduction":
                _check_reduction(twin, body)
            if body["seq"] != seq:
                raise VerificationError(f"act at log index {index}: expected seq {seq}, got {body['seq']}")
    return result
