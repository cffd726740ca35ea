"""Random act sequences for the registry's property tests, and an independent per-serial model.

The model keeps one ``(account, status, host jurisdiction, vintage)`` per serial in a plain dict
and predicts whether each act is valid; the tests require the registry to agree with it.
"""

from __future__ import annotations

from collections import defaultdict

from hypothesis import strategies as st

from citytwin.finance.registry import SignedAct, State, sign_act
from citytwin.ledger.note import Signer, generate_key

NAMES = ["registry-admin", "alice", "bob", "carol"]
SIGNERS = {name: Signer.from_text(generate_key(name)[0]) for name in NAMES}
ACCOUNTS = [("alice-1", "alice", "110112"), ("bob-1", "bob", "131082"), ("carol-1", "carol", "131028")]
REDUCTIONS = [("r-tongzhou", "110112", 2024, 40), ("r-sanhe", "131082", 2025, 30)]
JURISDICTIONS = ["110112", "131082", "131028"]
SETUP_INTENTS = [("issue", 0, 0, 0, 0, 10, True), ("issue", 0, 1, 0, 1, 8, False), ("issue", 0, 2, 0, 0, 6, False)]
OPS = ["issue", "transfer", "retire", "cancel", "replay", "tamper", "open-again"]

intents = st.lists(
    st.tuples(st.sampled_from(OPS), st.integers(0, 3), st.integers(0, 3), st.integers(0, 3),
              st.integers(0, 80), st.integers(0, 30), st.booleans()),
    max_size=25,
)


def _signed(state_seq: int, principal: str, **fields) -> SignedAct:
    return sign_act(SIGNERS[principal], {"seq": state_seq, "principal": principal, **fields})


def setup_acts() -> list[SignedAct]:
    """Genesis, three holding accounts, a buffer account and two verified reductions."""
    acts, admin = [], NAMES[0]
    acts.append(_signed(0, admin, act="genesis", key=SIGNERS[admin].verifier_text))
    for account, holder, jurisdiction in ACCOUNTS:
        acts.append(_signed(len(acts), holder, act="open", account=account, jurisdiction=jurisdiction,
                            kind="holding", key=SIGNERS[holder].verifier_text))
    acts.append(_signed(len(acts), admin, act="open", account="buffer", jurisdiction="110000", kind="buffer"))
    for reduction, jurisdiction, vintage, tonnes in REDUCTIONS:
        acts.append(_signed(len(acts), admin, act="reduction", reduction=reduction, jurisdiction=jurisdiction,
                            vintage=vintage, verified_t=tonnes, mrv=f"urn:ngsi-ld:GHGInventory:{reduction}@1"))
    return acts


class Model:
    """What each serial should be, kept without blocks or ranges."""

    def __init__(self) -> None:
        self.serials: dict[int, list] = {}
        self.issued = defaultdict(int)
        self.adjustments = defaultdict(int)

    def range_ok(self, account: str, first: int, last: int) -> bool:
        return first <= last and all(
            s in self.serials and self.serials[s][0] == account and self.serials[s][1] == "active"
            for s in range(first, last + 1))

    def adjustments_for(self, first: int, last: int, claimed_in: str) -> list[list]:
        sums = defaultdict(int)
        for s in range(first, last + 1):
            _, _, host, vintage = self.serials[s]
            if host != claimed_in:
                sums[(host, vintage)] += 1
        return [[j, v, t] for (j, v), t in sorted(sums.items())]

    def balances(self) -> dict:
        out = {a: {"active": 0, "retired": 0, "cancelled": 0} for a, _, _ in ACCOUNTS}
        out["buffer"] = {"active": 0, "retired": 0, "cancelled": 0}
        for account, status, _, _ in self.serials.values():
            out[account][status] += 1
        return out


def next_act(state: State, model: Model, intent: tuple, history: list[SignedAct]):
    """The act of ``intent`` against ``state``, whether the model expects it to be valid, and a
    function that updates the model when it is."""
    op, actor, i, j, a, b, flag = intent
    seq, admin = state.seq, NAMES[0]
    account, holder, _ = ACCOUNTS[i % 3]
    actor_holder = ACCOUNTS[(i + 1) % 3][1] if actor == 1 else holder  # actor 1: someone else's account
    source_account = "buffer" if op == "cancel" and flag else account
    held = sorted(s for s, v in model.serials.items() if v[0] == source_account and v[1] == "active")
    if held and a % 5 != 4:  # mostly serials the account holds, often a run that goes past them
        first = held[a % len(held)]
        last = first + (b % 6 if b % 3 else b % 40)
    else:
        first, last = a, a + b % 12
    if op == "issue":
        reduction, host, vintage, verified = REDUCTIONS[a % 2]
        quantity, buffer_quantity = b % 25, (2 if flag else 0)
        principal = admin if actor != 3 else "alice"
        act = _signed(seq, principal, act="issue", reduction=reduction, account=account, quantity=quantity,
                      buffer_quantity=buffer_quantity, buffer_account="buffer")
        ok = principal == admin and quantity >= 1 and model.issued[reduction] + quantity + buffer_quantity <= verified

        def update():
            start = len(model.serials)
            for offset in range(quantity + buffer_quantity):
                owner = account if offset < quantity else "buffer"
                model.serials[start + offset] = [owner, "active", host, vintage]
            model.issued[reduction] += quantity + buffer_quantity
        return act, ok, update
    if op == "transfer":
        target = account if j == 3 else ACCOUNTS[(i + 1 + j % 2) % 3][0]  # j 3: to itself
        act = _signed(seq, actor_holder, act="transfer", **{"from": account, "to": target}, first=first, last=last)
        ok = actor_holder == holder and target != account and model.range_ok(account, first, last)

        def update():
            for s in range(first, last + 1):
                model.serials[s][0] = target
        return act, ok, update
    if op == "retire":
        claimed_in = JURISDICTIONS[j % 3]
        valid_range = model.range_ok(account, first, last)
        adjustments = model.adjustments_for(first, last, claimed_in) if valid_range else []
        if flag and adjustments:
            adjustments = []  # a claim elsewhere without its adjustment
        act = _signed(seq, actor_holder, act="retire", account=account, first=first, last=last,
                      beneficiary="Beijing Sub-center Metro Co.", purpose="offset 2025 scope 2",
                      claimed_in=claimed_in, adjustments=adjustments)
        ok = actor_holder == holder and valid_range and adjustments == model.adjustments_for(first, last, claimed_in)

        def update():
            for s in range(first, last + 1):
                model.serials[s][1] = "retired"
            for jurisdiction, vintage, tonnes in adjustments:
                model.adjustments[(jurisdiction, vintage)] += tonnes
        return act, ok, update
    if op == "cancel":
        source = "buffer" if flag else account
        principal = admin if actor != 3 else "alice"
        act = _signed(seq, principal, act="cancel", account=source, first=first, last=last, reason="reversal")
        ok = principal == admin and model.range_ok(source, first, last)

        def update():
            for s in range(first, last + 1):
                model.serials[s][1] = "cancelled"
        return act, ok, update
    if op == "replay" and history:
        return history[a % len(history)], False, None
    if op == "tamper" and history:
        original = history[a % len(history)]
        forged = dict(original.body, seq=seq)
        return SignedAct(forged, original.signature), False, None
    act = _signed(seq, holder, act="open", account=account, jurisdiction="110112", kind="holding")
    return act, False, None
