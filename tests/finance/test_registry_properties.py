"""Property tests of the registry's state machine: random acts, valid and invalid (issue 9)."""

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citytwin.errors import BadInputError
from citytwin.finance.registry import (
    ActRefused,
    State,
    apply,
    balances,
    check_invariants,
    check_transition,
)
from finance.registry_model import SETUP_INTENTS, Model, intents, next_act, setup_acts


def _setup(credits: bool = True) -> tuple[State, list, Model]:
    state, history, model = State(), [], Model()
    for act in setup_acts():
        state = apply(state, act)
        history.append(act)
    for intent in SETUP_INTENTS if credits else ():  # credits in every account before the random acts
        act, ok, update = next_act(state, model, intent, history)
        state = apply(state, act)
        update()
        history.append(act)
    return state, history, model


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(intents)
def test_random_acts_agree_with_the_model_and_keep_the_invariants(sequence):
    state, history, model = _setup()
    for intent in sequence:
        act, expected_ok, update = next_act(state, model, intent, history)
        before = copy.deepcopy(state)
        try:
            after = apply(state, act)
        except ActRefused as e:
            assert not expected_ok, f"valid act refused: {e}"
            assert e.reason and str(e).startswith(f"act {state.seq} (")
            assert state == before  # a refused act changes nothing
            continue
        assert expected_ok, f"invalid act accepted: {act.body}"
        assert state == before  # apply is pure
        update()
        check_invariants(after)
        check_transition(state, after)
        assert balances(after) == model.balances()
        state = after
        history.append(act)
    recorded = {}
    for _, jurisdiction, vintage, tonnes in state.adjustments:
        recorded[(jurisdiction, vintage)] = recorded.get((jurisdiction, vintage), 0) + tonnes
    assert recorded == dict(model.adjustments)


def _issued(state, quantity=10, account="alice-1"):
    from finance.registry_model import _signed

    return apply(state, _signed(state.seq, "registry-admin", act="issue", reduction="r-tongzhou", account=account,
                                quantity=quantity, buffer_quantity=0, buffer_account="buffer"))


def test_named_refusals():
    from finance.registry_model import _signed

    state, _, _ = _setup(credits=False)
    state = _issued(state, 10)
    cases = [
        (_signed(state.seq, "bob", act="transfer", **{"from": "alice-1", "to": "bob-1"}, first=0, last=3),
         "held by 'alice': 'bob' may not act on it"),
        (_signed(state.seq, "registry-admin", act="issue", reduction="r-tongzhou", account="alice-1", quantity=31,
                 buffer_quantity=0, buffer_account="buffer"), "at most its verified 40 t (over-issuance)"),
        (_signed(state.seq, "alice", act="transfer", **{"from": "alice-1", "to": "bob-1"}, first=5, last=12),
         "serial 12 was never issued"),
        (_signed(state.seq, "registry-admin", act="issue", reduction="r-none", account="alice-1", quantity=1,
                 buffer_quantity=0, buffer_account="buffer"), "issuance needs a verified reduction"),
        (_signed(state.seq + 1, "alice", act="transfer", **{"from": "alice-1", "to": "bob-1"}, first=0, last=0),
         f"expected {state.seq}"),
    ]
    for act, reason in cases:
        with pytest.raises(ActRefused, match=reason.replace("(", r"\(").replace(")", r"\)")):
            apply(state, act)
    state = apply(state, _signed(state.seq, "alice", act="transfer", **{"from": "alice-1", "to": "bob-1"},
                                 first=0, last=4))
    with pytest.raises(ActRefused, match=r"serials 0-4 are in account 'bob-1', not in 'alice-1' \(double spend\)"):
        apply(state, _signed(state.seq, "alice", act="transfer", **{"from": "alice-1", "to": "carol-1"},
                             first=0, last=4))
    state = apply(state, _signed(state.seq, "bob", act="retire", account="bob-1", first=0, last=4,
                                 beneficiary="Tongzhou Bank", purpose="2025 offset", claimed_in="131082",
                                 adjustments=[["110112", 2024, 5]]))
    assert state.adjustments == [(state.seq - 1, "110112", 2024, 5)]
    with pytest.raises(ActRefused, match="serials 2-2 are retired: a retired serial never moves"):
        apply(state, _signed(state.seq, "bob", act="transfer", **{"from": "bob-1", "to": "alice-1"}, first=2, last=2))
    with pytest.raises(ActRefused, match="serials 3-3 are retired"):
        apply(state, _signed(state.seq, "registry-admin", act="cancel", account="bob-1", first=3, last=3,
                             reason="error"))
    assert isinstance(ActRefused(0, "x", "y"), BadInputError)


_values = st.one_of(st.none(), st.booleans(), st.integers(-5, 60), st.text(max_size=6),
                    st.sampled_from(["alice-1", "bob-1", "buffer", "r-tongzhou", "110112", "131082"]),
                    st.lists(st.integers(0, 9), max_size=3))
_fields = ["account", "from", "to", "first", "last", "quantity", "buffer_quantity", "buffer_account", "reduction",
           "jurisdiction", "kind", "beneficiary", "purpose", "claimed_in", "adjustments", "reason", "verified_t",
           "vintage", "mrv", "key"]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["genesis", "open", "reduction", "issue", "transfer", "retire", "cancel", "burn", None]),
       st.sampled_from(["registry-admin", "alice", "bob"]),
       st.dictionaries(st.sampled_from(_fields), _values, max_size=8))
def test_malformed_acts_are_refused_by_name_never_crash(kind, principal, fields):
    from citytwin.finance.registry import sign_act
    from finance.registry_model import SIGNERS

    state, _, _ = _setup()
    before = copy.deepcopy(state)
    act = sign_act(SIGNERS[principal], {**fields, "act": kind, "seq": state.seq, "principal": principal})
    try:
        after = apply(state, act)
    except ActRefused as e:
        assert e.reason and state == before
        return
    check_invariants(after)
    check_transition(state, after)
