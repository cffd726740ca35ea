"""Batches of acts: applied in place under the state's journal, undone whole when one is refused."""

import copy
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from citytwin.errors import VerificationError
from citytwin.finance.act_signature import act_bytes
from citytwin.finance.registry import ActRefused, SignedAct, State, apply, apply_in_place, check_invariants
from citytwin.finance.registry_log import Registry, _entry, act_id, replay, verify
from citytwin.twin import Twin
from citytwin.twin.model import format_time
from finance.registry_model import SETUP_INTENTS, Model, _signed, intents, next_act, setup_acts


def _setup() -> tuple[State, list, Model]:
    state, history, model = State(), [], Model()
    for act in setup_acts():
        apply_in_place(state, act)
        history.append(act)
    for intent in SETUP_INTENTS:
        act, _, update = next_act(state, model, intent, history)
        apply_in_place(state, act)
        update()
        history.append(act)
    return state, history, model


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(intents)
def test_rollback_restores_the_state_and_commit_keeps_what_apply_gives(sequence):
    state, history, model = _setup()
    before = copy.deepcopy(state)
    pure = state.copy()
    state.begin()
    for intent in sequence:
        act, _, update = next_act(state, model, intent, history)
        try:
            apply_in_place(state, act)
        except ActRefused:
            continue
        pure = apply(pure, act)
        update()
        history.append(act)
    assert state == pure
    check_invariants(state)
    state.rollback()
    assert state == before
    check_invariants(state)


def _forged(act: SignedAct) -> SignedAct:
    return SignedAct(dict(act.body, purpose=act.body.get("purpose", "") + " (altered)"), act.signature)


@pytest.mark.parametrize("workers", [0, 1])
def test_a_refused_act_refuses_its_batch_and_nothing_of_it_is_stored(workers):
    with (tempfile.TemporaryDirectory() as folder, Twin.init(Path(folder) / "d", origin="test.citytwin/b") as twin,
          Registry(twin, check_mrv=False, workers=workers) as reg):
        reg.submit(setup_acts())
        seq = reg.state.seq
        issue = _signed(seq, "registry-admin", act="issue", reduction="r-tongzhou", account="alice-1", quantity=10,
                        buffer_quantity=2, buffer_account="buffer")
        opening = _signed(seq + 1, "carol", act="open", account="carol-2", jurisdiction="131028", kind="holding")
        retire = _signed(seq + 2, "alice", act="retire", account="alice-1", first=0, last=3,
                         beneficiary="Tongzhou Metro", purpose="offset", claimed_in="110112", adjustments=[])
        transfer = _signed(seq + 3, "alice", act="transfer", **{"from": "alice-1", "to": "carol-2"}, first=4, last=5)
        before, size, rows = copy.deepcopy(reg.state), twin.log.size, len(twin.entities(type="CarbonCreditAct"))
        for batch, reason in (([issue, opening, _forged(retire), transfer], "act 9 (retire) refused: the signature"),
                              ([issue, opening, retire, _signed(seq + 3, "alice", act="transfer",
                                                                **{"from": "alice-1", "to": "carol-2"}, first=0,
                                                                last=5)], "act 10 (transfer) refused: serials 0-3 are "
                                                                          "retired")):
            with pytest.raises(ActRefused, match=reason.replace("(", r"\(").replace(")", r"\)")):
                reg.submit(batch)
            assert reg.state == before and "carol-2" not in reg.state.accounts and reg.state.next_serial == 0
            assert twin.log.size == size and len(twin.entities(type="CarbonCreditAct")) == rows
        assert reg.submit([issue, opening, retire, transfer]) == list(range(size, size + 4))
        assert verify(twin, check_reductions=False, workers=workers).state == reg.state


def test_replay_with_workers_refuses_a_forged_entry_as_replay_in_one_process_does():
    with tempfile.TemporaryDirectory() as folder, Twin.init(Path(folder) / "d", origin="test.citytwin/w") as twin:
        reg = Registry(twin, check_mrv=False)
        reg.submit(setup_acts())
        seq = reg.state.seq
        issue = _signed(seq, "registry-admin", act="issue", reduction="r-tongzhou", account="alice-1", quantity=10,
                        buffer_quantity=0, buffer_account="buffer")
        reg.submit([issue])
        forged = _forged(_signed(seq + 1, "registry-admin", act="issue", reduction="r-tongzhou", account="bob-1",
                                 quantity=30, buffer_quantity=0, buffer_account="buffer"))
        when = format_time(datetime.now(UTC))  # the forged act committed around the registry, as a rogue writer would
        twin.log.append([_entry(act_id(forged), "131082", act_bytes(forged.body), forged.signature, when)])
        twin.recover()
        alone, pooled = replay(twin), replay(twin, workers=1)
        assert alone.refused and "signature does not verify" in alone.refused[0][1]
        assert (pooled.state, pooled.refused, pooled.log_index) == (alone.state, alone.refused, alone.log_index)
        assert pooled.state.blocks[0].account == "alice-1" and pooled.state.next_serial == 10
        with pytest.raises(VerificationError, match="1 registry entries of the log do not apply"):
            verify(twin, check_reductions=False, workers=1)
