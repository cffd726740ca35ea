"""The registry on the log: issuance against approved MRV records, replay, verify, and a third
party's offline check of a retirement with only the log's verifier key."""

import json
import tempfile
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings

from citytwin.carbon import ceads, mrv
from citytwin.errors import BadInputError, NotFoundError, VerificationError
from citytwin.finance.registry import ActRefused, adjusted_inventory, balances
from citytwin.finance.registry_log import ACT_TYPE, Registry, replay, verify
from citytwin.finance.retirement import prove_retirement, verify_retirement
from citytwin.twin import Twin
from finance.registry_model import SETUP_INTENTS, Model, intents, next_act, setup_acts

ADMIN, BUREAU, REPORTER, SELLER, BUYER = "bgex-registry", "beijing-mee", "tongzhou-eco", "tongzhou-heat", "sanhe-steel"


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    data = tmp_path_factory.mktemp("finance") / "data"
    with Twin.init(data, origin="test.citytwin/finance") as twin:
        for name in (ADMIN, BUREAU, REPORTER, SELLER, BUYER):
            mrv.create_principal(data, name)
        ids = {}
        for year in (2018, 2019):
            submitted = mrv.submit(twin, ceads.tongzhou_estimate(year), REPORTER)
            mrv.approve(twin, submitted.id, BUREAU, "checked")
            ids[year] = submitted.id
        reg = Registry(twin)
        reg.genesis(ADMIN)
        reg.open_account(ADMIN, "buffer", "110000", kind="buffer")
        reg.open_account(SELLER, "tz-heat", "110112")
        reg.open_account(BUYER, "sh-steel", "131082")
        reg.register_reduction("tz-2019", reported_id=ids[2019], baseline_id=ids[2018])
        yield reg, ids


def test_issuance_is_bounded_by_the_verified_reduction(registry):
    reg, ids = registry
    reduction = reg.state.reductions["tz-2019"]
    basic = {y: ceads.tongzhou_estimate(y).totals()["basic_t"] for y in (2018, 2019)}
    expected = int(basic[2018] - basic[2019])
    assert (reduction.verified_t, reduction.jurisdiction, reduction.vintage) == (expected, "110112", 2019)
    with pytest.raises(ActRefused, match=f"at most its verified {expected} t"):
        reg.issue("tz-2019", "tz-heat", expected, buffer_quantity=1)
    with pytest.raises(ActRefused, match="already backs reduction 'tz-2019'"):
        reg.register_reduction("tz-2019-again", reported_id=ids[2019], baseline_id=ids[2018])
    with pytest.raises(BadInputError, match="expected a reduction of at least 1 t"):
        reg.register_reduction("backwards", reported_id=ids[2018], baseline_id=ids[2019])


def test_retirement_proven_to_a_third_party(registry):
    reg, _ = registry
    size_before = reg.twin.log.size
    reg.issue("tz-2019", "tz-heat", 1000, buffer_quantity=100)
    first = reg.state.starts[-2]
    reg.transfer(SELLER, "tz-heat", "sh-steel", first, first + 499)
    reg.retire(BUYER, "sh-steel", first, first + 99, beneficiary="Sanhe Steel Co.", purpose="2025 scope 1 offset",
               claimed_in="131082")
    assert reg.twin.log.size == size_before + 3
    assert reg.state.adjustments[-1][1:] == ("110112", 2019, 100)  # Tongzhou's inventory adds back 100 t
    shown = adjusted_inventory(reg.state, "110112", 2019, 2_947_988.8)
    assert (shown["adjustment_t"], shown["adjusted_t"]) == (100, pytest.approx(2_948_088.8))
    assert adjusted_inventory(reg.state, "131082", 2019, 5.0)["adjustment_t"] == 0
    assert len(reg.twin.entities(type=ACT_TYPE)) == reg.state.seq

    bundle = json.loads(json.dumps(prove_retirement(reg, first + 42)))  # what the third party receives
    vkey = reg.twin.config.verifier_key_path.read_text()
    fact = verify_retirement(bundle, first + 42, "Sanhe Steel Co.", vkey)
    assert (fact.account, fact.holder, fact.claimed_in, fact.purpose) == (
        "sh-steel", BUYER, "131082", "2025 scope 1 offset")
    with pytest.raises(VerificationError, match="beneficiary: expected 'Someone Else'"):
        verify_retirement(bundle, first + 42, "Someone Else", vkey)
    with pytest.raises(VerificationError, match=f"serial {first + 100}: the retire act covers"):
        verify_retirement(bundle, first + 100, "Sanhe Steel Co.", vkey)
    forged = dict(bundle, retire_proof=bundle["retire_proof"].replace("index ", "index 1", 1))
    with pytest.raises(VerificationError):
        verify_retirement(forged, first + 42, "Sanhe Steel Co.", vkey)
    other_log_key = Twin.init(Path(tempfile.mkdtemp()) / "d", origin="test.citytwin/finance").verifier.text
    with pytest.raises(VerificationError):
        verify_retirement(bundle, first + 42, "Sanhe Steel Co.", other_log_key)
    with pytest.raises(NotFoundError, match=f"serial {first + 100} is active, expected retired"):
        prove_retirement(reg, first + 100)

    with pytest.raises(ActRefused, match="retired: a retired serial never moves"):
        reg.transfer(BUYER, "sh-steel", "tz-heat", first + 50, first + 50)
    with pytest.raises(ActRefused, match="'sanhe-steel' may not act on it"):
        reg.transfer(BUYER, "tz-heat", "sh-steel", first + 600, first + 600)
    reg.cancel("buffer", first + 1000, first + 1009, reason="reversal: boiler retrofit failed")
    assert balances(reg.state)["buffer"] == {"active": 90, "retired": 0, "cancelled": 10}
    assert reg.twin.log.size == size_before + 4  # refused acts committed nothing

    result = verify(reg.twin)
    assert result.state == reg.state and result.refused == []
    assert reg.twin.verify().rows_checked == reg.twin.log.size  # the twin's own check of every stored row


def test_verify_reports_an_act_committed_around_the_registry(registry):
    reg, _ = registry
    twin = reg.twin
    last = orjson.loads(next(twin.log.entries(reg.replayed.log_index[-1], reg.replayed.log_index[-1] + 1)))
    from citytwin.twin import Entity

    twin.commit([Entity(id=f"urn:ngsi-ld:{ACT_TYPE}:replayed", type=ACT_TYPE, properties=last["properties"])])
    with pytest.raises(VerificationError, match="1 registry entries of the log do not apply"):
        verify(twin)
    assert replay(twin).state == reg.state  # the stray entry changed nothing


def test_verify_finds_an_altered_entry_bundle(tmp_path, registry):
    import shutil

    reg, _ = registry
    copy = tmp_path / "copy"
    shutil.copytree(reg.twin.config.data_dir, copy)
    bundles = sorted((copy / "log" / "tile" / "entries").rglob("*"))
    altered = [b for b in bundles if b.is_file() and b"sh-steel" in b.read_bytes()]
    for bundle in altered:  # every width of the partial bundle that holds the open act
        bundle.write_bytes(bundle.read_bytes().replace(b"sh-steel", b"sh-steek"))
    assert altered
    from citytwin.ledger.errors import LogCorrupted

    with pytest.raises(LogCorrupted, match="does not hash to"):  # at open (right edge) or in verify
        with Twin.open(copy) as twin:
            verify(twin, check_reductions=False)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(intents)
def test_replaying_the_log_gives_the_same_registry(sequence):
    with tempfile.TemporaryDirectory() as folder, Twin.init(Path(folder) / "d", origin="test.citytwin/p") as twin:
        reg = Registry(twin, check_mrv=False)
        reg.submit(setup_acts())
        model, history = Model(), []
        for intent in SETUP_INTENTS + list(sequence):
            act, ok, update = next_act(reg.state, model, intent, history)
            size = twin.log.size
            try:
                reg.submit([act])
            except ActRefused:
                assert not ok and twin.log.size == size
                continue
            assert ok
            update()
            history.append(act)
        replayed = verify(twin, check_reductions=False)
        assert replayed.state == reg.state
        assert balances(replayed.state) == model.balances()
        twin.rebuild()
        assert len(twin.entities(type=ACT_TYPE)) == reg.state.seq
