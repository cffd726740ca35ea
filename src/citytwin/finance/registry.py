"""The carbon-credit registry as a pure state machine: ``apply(state, act) -> state``.

The acts and their rules follow the registries of the voluntary market: the Verra Registry
(Verra, *VCS Registration and Issuance Process* v4 and *Registry Terms of Use*: accounts, issuance
of serialised units of one tonne CO2e each, transfer, retirement with a beneficiary, cancellation,
the AFOLU pooled buffer account) and the CCER registry (MEE and SAMR, 《温室气体自愿减排交易管理办法
（试行）》, 2023, arts. 24-29: registration, issuance against a verified reduction, transfer,
retirement 注销 for offsetting). Acts:

=============  =====================  ======================================================
act            signed by              effect
=============  =====================  ======================================================
``genesis``    the administrator      first act; names the registry administrator and key
``open``       the account holder     a holding account (or, by the administrator, a buffer)
``reduction``  the administrator      records a verified reduction [t CO2e] of an approved
                                      MRV record (``citytwin.carbon.mrv``); each MRV record once
``issue``      the administrator      serials ``first..last`` (one per tonne) to an account and
                                      a buffer share to a buffer account; never beyond the
                                      reduction's verified tonnes
``transfer``   the sending holder     active serials of the sender to another holding account
``retire``     the holder             retires active serials for a beneficiary and purpose;
                                      when claimed in a jurisdiction other than the host of
                                      the reduction, the act carries the host's inventory
                                      adjustment (Paris Agreement Art. 6.2, corresponding
                                      adjustment; decision 2/CMA.3, annex, para. 7-8)
``cancel``     the administrator      invalidates active serials (reversal, error): a status
                                      of its own, never a retirement
=============  =====================  ======================================================

Invariants (:func:`check_invariants`): the blocks partition serials ``0..next_serial-1`` so a
serial is in exactly one account; every reduction's issued plus buffered tonnes equal its
blocks and never exceed its verified tonnes; retirement data exactly on retired blocks; the
inventory adjustments equal the tonnes retired for claims outside the host jurisdiction.
:func:`check_transition` adds that a retired or cancelled serial never changes again.

An act is a :class:`SignedAct`: its ``body`` (a JSON object holding ``act``, ``seq`` — the number
of acts before it, which binds the signature to one place in the sequence — and ``principal``)
and the principal's Ed25519 signature over ``CONTEXT`` followed by the RFC 8785 canonical bytes
of the body, the scheme of ``citytwin.carbon.mrv``. A refused act raises :class:`ActRefused`
(a ``BadInputError``) naming the value and the rule, before anything changes.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace

from sortedcontainers import SortedList

from citytwin.errors import BadInputError, VerificationError
from citytwin.finance.act_signature import CONTEXT, act_bytes, act_key
from citytwin.ledger.note import Signer

__all__ = [
    "CONTEXT",
    "Account",
    "ActRefused",
    "Block",
    "Reduction",
    "SignedAct",
    "adjusted_inventory",
    "State",
    "apply",
    "apply_in_place",
    "balances",
    "check_invariants",
    "check_transition",
    "format_serial",
    "required_adjustments",
    "sign_act",
]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_JURISDICTION = re.compile(r"^[0-9]{6}$")
_ACCOUNT_KINDS = ("holding", "buffer")


class ActRefused(BadInputError):
    """An act broke a rule of the registry; ``seq`` and ``act`` say which act, ``reason`` why."""

    def __init__(self, seq: int, act: object, reason: str) -> None:
        super().__init__(f"act {seq} ({act}) refused: {reason}")
        self.seq, self.act, self.reason = seq, act, reason


@dataclass(frozen=True)
class Account:
    id: str
    holder: str
    jurisdiction: str
    kind: str  # "holding" or "buffer"


@dataclass(frozen=True)
class Reduction:
    """A verified reduction of an approved MRV record [t CO2e] and what was issued from it."""

    id: str
    jurisdiction: str  # host jurisdiction, whose inventory holds the reduction
    vintage: int
    verified_t: int
    mrv: str  # "<entity id>@<log index>" of the approved MRV version
    issued_t: int = 0
    buffer_t: int = 0


@dataclass(frozen=True)
class Block:
    """Serials ``first..last`` (inclusive, one per tonne) of one reduction in one account."""

    first: int
    last: int
    account: str
    reduction: str
    status: str = "active"  # "active", "retired" or "cancelled"
    detail: tuple = ()  # retired: (seq, beneficiary, purpose, claimed_in); cancelled: (seq, reason)

    @property
    def size(self) -> int:
        return self.last - self.first + 1


_ABSENT = object()  # a journal's old value of a key that was not in the mapping


@dataclass
class State:
    """The registry after ``seq`` acts. Compare with ``==``; ``keys`` maps principals to their
    verifier key text as registered by ``genesis`` and ``open``.

    ``starts`` is a ``SortedList`` (insertion in O(log n)), since a registry of 10^6 acts holds
    about as many blocks. :meth:`begin` starts a journal of the changes that acts make, so that a
    batch applies in place and :meth:`rollback` undoes it in time proportional to the batch,
    not to the registry (a copy of the state per batch would be)."""

    seq: int = 0
    administrator: str | None = None
    keys: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    reductions: dict[str, Reduction] = field(default_factory=dict)
    mrv_used: dict[str, str] = field(default_factory=dict)  # mrv reference -> reduction id
    starts: SortedList = field(default_factory=SortedList)  # first serial of every block
    blocks: dict[int, Block] = field(default_factory=dict)
    next_serial: int = 0
    adjustments: list[tuple] = field(default_factory=list)  # (seq, jurisdiction, vintage, co2e_t)
    _verifiers: dict = field(default_factory=dict, compare=False, repr=False)  # key text -> ActKey
    _journal: list | None = field(default=None, compare=False, repr=False)  # (mapping, key, old value)
    _saved: tuple = field(default=(), compare=False, repr=False)  # the scalars at `begin`

    def copy(self) -> State:
        return State(self.seq, self.administrator, dict(self.keys), dict(self.accounts), dict(self.reductions),
                     dict(self.mrv_used), SortedList(self.starts), dict(self.blocks), self.next_serial,
                     list(self.adjustments), self._verifiers)

    def begin(self) -> None:
        """Journal the changes of the acts applied from now on, for :meth:`rollback`."""
        self._journal = []
        self._saved = (self.seq, self.administrator, self.next_serial, len(self.adjustments))

    def commit(self) -> None:
        """Keep the changes since :meth:`begin` and stop journaling."""
        self._journal = None

    def rollback(self) -> None:
        """Undo every change since :meth:`begin` and stop journaling."""
        for mapping, key, old in reversed(self._journal):
            if mapping is self.starts:
                self.starts.remove(key)
            elif old is _ABSENT:
                del mapping[key]
            else:
                mapping[key] = old
        self.seq, self.administrator, self.next_serial, kept = self._saved
        del self.adjustments[kept:]
        self._journal = None

    def _put(self, mapping: dict, key, value) -> None:
        if self._journal is not None:
            self._journal.append((mapping, key, mapping.get(key, _ABSENT)))
        mapping[key] = value

    def _add_start(self, start: int) -> None:
        if self._journal is not None:
            self._journal.append((self.starts, start, _ABSENT))
        self.starts.add(start)


@dataclass(frozen=True)
class SignedAct:
    body: dict
    signature: str  # base64 Ed25519 signature over CONTEXT + canonical body


def sign_act(signer: Signer, body: dict) -> SignedAct:
    """Sign ``body`` (which names ``signer`` as its ``principal``)."""
    return SignedAct(body, base64.b64encode(signer.signature(CONTEXT + act_bytes(body))).decode())


def format_serial(reduction: Reduction, serial: int) -> str:
    """Display form ``CT-<host>-<vintage>-<serial>`` of an integer serial."""
    return f"CT-{reduction.jurisdiction}-{reduction.vintage}-{serial:012d}"


# ---- reading the state ---------------------------------------------------------------------
def balances(state: State) -> dict[str, dict[str, int]]:
    """Tonnes per account and status: ``{account: {"active": t, "retired": t, "cancelled": t}}``."""
    out = {a: {"active": 0, "retired": 0, "cancelled": 0} for a in state.accounts}
    for block in state.blocks.values():
        out[block.account][block.status] += block.size
    return out


def _blocks_in(state: State, first: int, last: int) -> list[Block]:
    """The blocks that hold serials ``first..last``, in order."""
    out = []
    for start in state.starts.islice(max(0, state.starts.bisect_right(first) - 1)):
        if start > last:
            break
        out.append(state.blocks[start])
    return out


def required_adjustments(state: State, first: int, last: int, claimed_in: str) -> list[list]:
    """The inventory adjustments a retirement of ``first..last`` claimed in ``claimed_in`` needs:
    ``[[host jurisdiction, vintage, co2e_t], ...]`` for each host other than ``claimed_in``."""
    sums: dict[tuple[str, int], int] = defaultdict(int)
    for block in _blocks_in(state, first, last):
        reduction = state.reductions[block.reduction]
        if reduction.jurisdiction != claimed_in:
            overlap = min(block.last, last) - max(block.first, first) + 1
            sums[(reduction.jurisdiction, reduction.vintage)] += overlap
    return [[j, v, t] for (j, v), t in sorted(sums.items())]


def adjusted_inventory(state: State, jurisdiction: str, vintage: int, reported_t: float) -> dict:
    """A jurisdiction's inventory total with its corresponding adjustment [t CO2e]: reductions it
    hosted that were retired for claims elsewhere are added back (decision 2/CMA.3, annex, para.
    8: the transferring party adds the mitigation outcomes it transferred), so that one tonne is
    not counted both in the host's inventory and by the buyer."""
    adjustment = sum(t for _, j, v, t in state.adjustments if j == jurisdiction and v == vintage)
    return {"jurisdiction": jurisdiction, "vintage": vintage, "reported_t": reported_t,
            "adjustment_t": adjustment, "adjusted_t": reported_t + adjustment}


# ---- applying acts -------------------------------------------------------------------------
def apply(state: State, act: SignedAct) -> State:
    """The state after ``act``; ``state`` itself is never changed. Raises :class:`ActRefused`."""
    new = state.copy()
    apply_in_place(new, act)
    return new


def apply_in_place(state: State, act: SignedAct, _message: bytes | None = None,
                   _deferred: list | None = None) -> None:
    """Apply ``act`` to ``state``. Every rule is checked before the first change, so a refused
    act leaves ``state`` as it was. ``_message`` is the body's canonical bytes when the caller
    (``registry_log``) computed them from the same body already. With ``_deferred``, the Ed25519
    verification itself is not done but ``(key text, message, signature)`` appended to it, for
    the caller to verify elsewhere and to undo the act if it fails (``registry_log``)."""
    body = act.body if isinstance(act, SignedAct) else None
    if not isinstance(body, dict):
        raise ActRefused(state.seq, None, f"an act is a SignedAct with a JSON object body, got {act!r}")
    kind = body.get("act")
    handler = _HANDLERS.get(kind)
    if handler is None:
        raise ActRefused(state.seq, kind, f"act {kind!r} is not one of {sorted(_HANDLERS)}")

    def refuse(reason: str):
        raise ActRefused(state.seq, kind, reason)

    if body.get("seq") != state.seq:
        refuse(f"seq {body.get('seq')!r}: expected {state.seq} (the number of acts before it)")
    principal = body.get("principal")
    if not isinstance(principal, str) or not _NAME.match(principal):
        refuse(f"principal {principal!r} is not a name of 1-64 letters, digits, '.', '_' or '-'")
    if kind != "genesis" and state.administrator is None:
        refuse("the first act must be 'genesis'")
    key = body.get("key") if kind in ("genesis", "open") and principal not in state.keys else state.keys.get(principal)
    if not isinstance(key, str):
        refuse(f"principal {principal!r} has no key in the registry: it must open an account first")
    _check_signature(state, key, body, act.signature, refuse, _message, _deferred)
    handler(state, body, principal, refuse)
    state.seq += 1


def _check_signature(state: State, key: str, body: dict, signature: str, refuse, canonical: bytes | None,
                     deferred: list | None) -> None:
    try:
        verifier = act_key(state._verifiers, key)
    except (BadInputError, ValueError) as e:
        refuse(f"key {key!r} is not a signed-note Ed25519 verifier key ({e})")
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, TypeError, ValueError):
        refuse(f"signature {signature!r} is not base64")
    try:
        message = CONTEXT + (canonical if canonical is not None else act_bytes(body))
    except BadInputError as e:
        refuse(f"the body is not canonical JSON: {e}")
    if verifier.name == body["principal"] and deferred is not None:
        deferred.append((key, message, raw))
    elif verifier.name != body["principal"] or not verifier.verify(message, raw):
        refuse(f"the signature does not verify with the key of principal {body['principal']!r} ({verifier.name!r})")


def _text(body: dict, name: str, refuse, pattern=None) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip() or (pattern is not None and not pattern.match(value)):
        refuse(f"{name} {value!r}: expected {'a ' + name + ' matching ' + pattern.pattern if pattern else 'text'}")
    return value


def _int(body: dict, name: str, refuse, minimum: int) -> int:
    value = body.get(name)
    if type(value) is not int or value < minimum:
        refuse(f"{name} {value!r}: expected an integer ≥ {minimum}")
    return value


def _account(state: State, body: dict, name: str, refuse) -> Account:
    account_id = body.get(name)
    account = state.accounts.get(account_id) if isinstance(account_id, str) else None
    if account is None:
        refuse(f"{name} account {account_id!r} does not exist")
    return account


def _range(state: State, body: dict, account: Account, refuse) -> list[Block]:
    """The blocks of serials ``first..last``, all active in ``account``."""
    first, last = _int(body, "first", refuse, 0), _int(body, "last", refuse, 0)
    if last < first:
        refuse(f"serial range {first}-{last}: expected first ≤ last")
    if last >= state.next_serial:
        refuse(f"serial {last} was never issued (serials 0-{state.next_serial - 1} exist)")
    blocks = _blocks_in(state, first, last)
    for block in blocks:
        lo, hi = max(block.first, first), min(block.last, last)
        if block.status != "active":
            refuse(f"serials {lo}-{hi} are {block.status}: a {block.status} serial never moves or changes again")
        if block.account != account.id:
            refuse(f"serials {lo}-{hi} are in account {block.account!r}, not in {account.id!r} (double spend)")
    return blocks


def _set(state: State, first: int, last: int, blocks: list[Block], account: str | None = None,
         status: str = "active", detail: tuple = ()) -> None:
    """Give serials ``first..last`` of the active ``blocks`` the ``account`` (``None``: the same),
    ``status`` and ``detail``, splitting the blocks at the ends of the range."""
    for block in blocks:
        lo, hi = max(block.first, first), min(block.last, last)
        if block.first < lo:
            state._put(state.blocks, block.first, Block(block.first, lo - 1, block.account, block.reduction))
            state._add_start(lo)
        state._put(state.blocks, lo, Block(lo, hi, account or block.account, block.reduction, status, detail))
        if hi < block.last:
            state._put(state.blocks, hi + 1, Block(hi + 1, block.last, block.account, block.reduction))
            state._add_start(hi + 1)


def _genesis(state: State, body: dict, principal: str, refuse) -> None:
    if state.seq != 0:
        refuse("genesis must be act 0")
    state.administrator = principal
    state._put(state.keys, principal, body["key"])


def _open(state: State, body: dict, principal: str, refuse) -> None:
    account_id = _text(body, "account", refuse, _NAME)
    jurisdiction = _text(body, "jurisdiction", refuse, _JURISDICTION)
    kind = body.get("kind")
    if kind not in _ACCOUNT_KINDS:
        refuse(f"account kind {kind!r}: expected one of {_ACCOUNT_KINDS}")
    if account_id in state.accounts:
        refuse(f"account {account_id!r} already exists (held by {state.accounts[account_id].holder!r})")
    if kind == "buffer" and principal != state.administrator:
        refuse(f"a buffer account is opened by the administrator {state.administrator!r}, not {principal!r}")
    if "key" in body and body["key"] != state.keys.get(principal, body["key"]):
        refuse(f"principal {principal!r} is registered with another key")
    if principal not in state.keys:
        state._put(state.keys, principal, body.get("key"))
    state._put(state.accounts, account_id, Account(account_id, principal, jurisdiction, kind))


def _administrator_only(state: State, principal: str, refuse) -> None:
    if principal != state.administrator:
        refuse(f"only the administrator {state.administrator!r} may do this, not {principal!r}")


def _reduction(state: State, body: dict, principal: str, refuse) -> None:
    _administrator_only(state, principal, refuse)
    reduction_id = _text(body, "reduction", refuse, _NAME)
    jurisdiction = _text(body, "jurisdiction", refuse, _JURISDICTION)
    vintage = _int(body, "vintage", refuse, 1990)
    verified_t = _int(body, "verified_t", refuse, 1)
    mrv = _text(body, "mrv", refuse)
    if reduction_id in state.reductions:
        refuse(f"reduction {reduction_id!r} already exists")
    if mrv in state.mrv_used:
        refuse(f"MRV record {mrv} already backs reduction {state.mrv_used[mrv]!r}: one reduction per record")
    state._put(state.reductions, reduction_id, Reduction(reduction_id, jurisdiction, vintage, verified_t, mrv))
    state._put(state.mrv_used, mrv, reduction_id)


def _issue(state: State, body: dict, principal: str, refuse) -> None:
    _administrator_only(state, principal, refuse)
    reduction = state.reductions.get(body.get("reduction"))
    if reduction is None:
        refuse(f"reduction {body.get('reduction')!r} does not exist: issuance needs a verified reduction")
    account = _account(state, body, "account", refuse)
    if account.kind != "holding":
        refuse(f"account {account.id!r} is a {account.kind} account: issue to a holding account")
    quantity = _int(body, "quantity", refuse, 1)
    buffer_quantity = _int(body, "buffer_quantity", refuse, 0)
    buffer = None
    if buffer_quantity:
        buffer = _account(state, body, "buffer_account", refuse)
        if buffer.kind != "buffer":
            refuse(f"buffer_account {buffer.id!r} is a {buffer.kind} account, expected a buffer account")
    total = reduction.issued_t + reduction.buffer_t + quantity + buffer_quantity
    if total > reduction.verified_t:
        refuse(f"issuing {quantity} + buffer {buffer_quantity} t would bring reduction {reduction.id!r} to "
               f"{total} t: at most its verified {reduction.verified_t} t (over-issuance)")
    for target, size in ((account, quantity), (buffer, buffer_quantity)):
        if size:
            block = Block(state.next_serial, state.next_serial + size - 1, target.id, reduction.id)
            state._add_start(block.first)
            state._put(state.blocks, block.first, block)
            state.next_serial += size
    state._put(state.reductions, reduction.id, replace(reduction, issued_t=reduction.issued_t + quantity,
                                                       buffer_t=reduction.buffer_t + buffer_quantity))


def _holder_of(state: State, body: dict, name: str, principal: str, refuse) -> Account:
    account = _account(state, body, name, refuse)
    if account.holder != principal:
        refuse(f"account {account.id!r} is held by {account.holder!r}: {principal!r} may not act on it")
    return account


def _transfer(state: State, body: dict, principal: str, refuse) -> None:
    source = _holder_of(state, body, "from", principal, refuse)
    target = _account(state, body, "to", refuse)
    if target.kind != "holding" or target.id == source.id:
        refuse(f"to account {target.id!r}: expected another holding account than {source.id!r}")
    blocks = _range(state, body, source, refuse)
    _set(state, body["first"], body["last"], blocks, account=target.id)


def _retire(state: State, body: dict, principal: str, refuse) -> None:
    account = _holder_of(state, body, "account", principal, refuse)
    if account.kind != "holding":
        refuse(f"account {account.id!r} is a buffer account: buffer units are cancelled, not retired")
    beneficiary = _text(body, "beneficiary", refuse)
    purpose = _text(body, "purpose", refuse)
    claimed_in = _text(body, "claimed_in", refuse, _JURISDICTION)
    blocks = _range(state, body, account, refuse)
    first, last = body["first"], body["last"]
    needed = required_adjustments(state, first, last, claimed_in)
    if body.get("adjustments") != needed:
        refuse(f"adjustments {body.get('adjustments')!r}: a claim in {claimed_in} needs exactly {needed} "
               "(host jurisdiction, vintage, t CO2e) so the reduction is not counted twice")
    _set(state, first, last, blocks, status="retired", detail=(state.seq, beneficiary, purpose, claimed_in))
    state.adjustments.extend((state.seq, j, v, t) for j, v, t in needed)


def _cancel(state: State, body: dict, principal: str, refuse) -> None:
    _administrator_only(state, principal, refuse)
    account = _account(state, body, "account", refuse)
    reason = _text(body, "reason", refuse)
    blocks = _range(state, body, account, refuse)
    _set(state, body["first"], body["last"], blocks, status="cancelled", detail=(state.seq, reason))


_HANDLERS = {
    "genesis": _genesis,
    "open": _open,
    "reduction": _reduction,
    "issue": _issue,
    "transfer": _transfer,
    "retire": _retire,
    "cancel": _cancel,
}


# ---- invariants ----------------------------------------------------------------------------
def check_invariants(state: State) -> None:
    """Raise :class:`VerificationError` naming the first broken invariant of the module docstring."""
    expected_first = 0
    per_reduction: dict[str, int] = defaultdict(int)
    adjusted: dict[tuple[str, int], int] = defaultdict(int)
    if state.starts != sorted(state.blocks):
        raise VerificationError("block index: expected the sorted first serial of every block")
    for start in state.starts:
        block = state.blocks[start]
        if block.first != expected_first or block.last < block.first:
            raise VerificationError(f"block {block.first}-{block.last}: expected to start at serial {expected_first} "
                                    "(each serial in exactly one block)")
        expected_first = block.last + 1
        if block.account not in state.accounts or block.reduction not in state.reductions:
            raise VerificationError(f"block {block.first}-{block.last}: unknown account or reduction")
        per_reduction[block.reduction] += block.size
        has_detail = {"active": 0, "retired": 4, "cancelled": 2}[block.status]
        if len(block.detail) != has_detail:
            raise VerificationError(f"block {block.first}-{block.last} is {block.status} with detail {block.detail}")
        if block.status == "retired":
            reduction = state.reductions[block.reduction]
            if reduction.jurisdiction != block.detail[3]:
                adjusted[(reduction.jurisdiction, reduction.vintage)] += block.size
    if expected_first != state.next_serial:
        raise VerificationError(f"serials: blocks end at {expected_first}, expected next serial {state.next_serial}")
    for reduction in state.reductions.values():
        issued = reduction.issued_t + reduction.buffer_t
        if per_reduction.get(reduction.id, 0) != issued or issued > reduction.verified_t:
            raise VerificationError(
                f"reduction {reduction.id!r}: {per_reduction.get(reduction.id, 0)} t in blocks, {issued} t issued, "
                f"expected equal and at most the verified {reduction.verified_t} t")
    recorded: dict[tuple[str, int], int] = defaultdict(int)
    for _, jurisdiction, vintage, tonnes in state.adjustments:
        recorded[(jurisdiction, vintage)] += tonnes
    if dict(recorded) != dict(adjusted):
        raise VerificationError(f"inventory adjustments: expected {dict(adjusted)} from retirements claimed "
                                f"outside the host jurisdiction, got {dict(recorded)}")


def check_transition(before: State, after: State) -> None:
    """Raise :class:`VerificationError` if a serial retired or cancelled in ``before`` changed."""
    for block in before.blocks.values():
        if block.status == "active":
            continue
        for now in _blocks_in(after, block.first, block.last):
            if (now.status, now.detail, now.account) != (block.status, block.detail, block.account):
                raise VerificationError(f"serials {block.first}-{block.last} were {block.status}, "
                                        f"now {now.status} in {now.account!r}: they must never change")
