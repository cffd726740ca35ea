"""MRV on the ledger: signed submissions, signed reviews, figures proven from the log."""

import base64
import copy
import json

import pytest

from citytwin.carbon import ceads, mrv
from citytwin.carbon.inventory import ActivityRecord, build_inventory
from citytwin.errors import BadInputError, NotFoundError, VerificationError
from citytwin.twin import Twin
from citytwin.twin.canonical import canonicalize

REPORTER, BUREAU = "tongzhou-eco", "beijing-mee"


@pytest.fixture
def twin(tmp_path):
    data = tmp_path / "data"
    with Twin.init(data, origin="test.citytwin/carbon") as t:
        mrv.create_principal(data, REPORTER)
        mrv.create_principal(data, BUREAU)
        yield t


def _approved(twin, inventory):
    submitted = mrv.submit(twin, inventory, REPORTER)
    mrv.approve(twin, submitted.id, BUREAU, "checked against CEADs")
    return submitted.id


def test_submit_approve_prove_a_figure(twin):
    inventory = ceads.tongzhou_estimate(2019)
    entity_id = _approved(twin, inventory)
    assert entity_id == "urn:ngsi-ld:GHGInventory:110112-2019-1"
    history = twin.entity_history(entity_id)
    assert [v.properties["status"] for v in history] == ["submitted", "approved"]
    assert history[1].log_index > history[0].log_index
    bundle = json.loads(json.dumps(mrv.prove(twin, entity_id)))  # as a third party receives it
    proven = mrv.verify_figure(bundle, "totals.basic_t", log_verifier_key=twin.verifier.text)
    assert proven.value == pytest.approx(inventory.totals()["basic_t"])
    assert (proven.version, proven.log_index, proven.reporter, proven.reviewer) == (
        2,
        history[1].log_index,
        REPORTER,
        BUREAU,
    )
    assert mrv.verify_figure(bundle, "gwp_set").value == "AR5"
    assert mrv.verify_figure(bundle, "label").value == "estimate"


def test_tampering_is_detected(twin):
    entity_id = _approved(twin, ceads.tongzhou_estimate(2018))
    bundle = mrv.prove(twin, entity_id)
    forged = copy.deepcopy(bundle)
    forged["document"]["totals"]["basic_t"] = 1.0
    with pytest.raises(VerificationError, match="document sha256: expected"):
        mrv.verify_figure(forged, "totals.basic_t")
    # a forged log entry (other totals in the approved version) no longer fits the inclusion proof
    lines = bundle["proof"].split("\n")
    assert lines[1].startswith("extra ")
    entry = json.loads(base64.b64decode(lines[1][len("extra ") :]))
    entry["properties"]["totals"]["basic_t"] = 1.0
    lines[1] = "extra " + base64.b64encode(canonicalize(entry)).decode()
    with pytest.raises(VerificationError):
        mrv.verify_figure({**bundle, "proof": "\n".join(lines)}, "totals.basic_t")
    other = Twin.init(twin.config.data_dir.parent / "other", origin="test.citytwin/other")
    with pytest.raises(VerificationError):
        mrv.verify_figure(bundle, "totals.basic_t", log_verifier_key=other.verifier.text)
    other.close()
    with pytest.raises(VerificationError, match="reporter key: expected"):
        mrv.verify_figure(bundle, "totals.basic_t", reporter_key=twin.verifier.text)
    with pytest.raises(BadInputError, match="no 'nope'"):
        mrv.verify_figure(bundle, "totals.nope")


def test_returned_submission_is_not_provable_and_cannot_be_reviewed_again(twin):
    submitted = mrv.submit(twin, ceads.tongzhou_estimate(2017), REPORTER)
    with pytest.raises(BadInputError, match="needs a reason"):
        mrv.return_submission(twin, submitted.id, BUREAU, " ")
    returned = mrv.return_submission(twin, submitted.id, BUREAU, "aviation must be IE, not NO")
    assert returned.properties["status"] == "returned" and returned.version == 2
    with pytest.raises(NotFoundError, match="no approved version"):
        mrv.prove(twin, submitted.id)
    with pytest.raises(BadInputError, match="'returned': only a 'submitted'"):
        mrv.approve(twin, submitted.id, BUREAU)
    again = mrv.submit(twin, ceads.tongzhou_estimate(2017), REPORTER)
    assert again.id.endswith("110112-2017-2")


def test_large_document_is_stored_by_hash(twin):
    records = [
        ActivityRecord("I.3.1", fuel, 100 + i, "t", 2022, "110112", source=f"plant {i}")
        for i in range(40)
        for fuel in ("diesel", "bituminous_coal")
    ]
    records += [ActivityRecord("I.2.2", "electricity", 5, "GWh", 2022, "110112")]
    inventory = build_inventory(records, jurisdiction="110112", year=2022)
    entity_id = _approved(twin, inventory)
    props = twin.entity(entity_id).properties
    assert "document" not in props and props["document_bytes"] > mrv.INLINE_LIMIT
    stored = twin.config.data_dir / "carbon" / "documents" / f"{props['document_sha256']}.json"
    assert stored.is_file()
    bundle = mrv.prove(twin, entity_id)
    assert mrv.verify_figure(bundle, "totals.scope2_t").value == pytest.approx(inventory.totals()["scope2_t"])
    stored.unlink()
    with pytest.raises(NotFoundError, match="is not stored"):
        mrv.prove(twin, entity_id)


def test_unknown_principal_commits_nothing(twin):
    size = twin.log.size
    with pytest.raises(NotFoundError, match="principal 'nobody'"):
        mrv.submit(twin, ceads.tongzhou_estimate(2019), "nobody")
    assert twin.log.size == size
    with pytest.raises(BadInputError, match="already has a key"):
        mrv.create_principal(twin.config.data_dir, REPORTER)


def test_witness_policy_is_applied(twin):
    from citytwin.ledger.note import ALG_COSIGNATURE_V1, CosignatureSigner, generate_key

    entity_id = _approved(twin, ceads.tongzhou_estimate(2016))
    bundle = mrv.prove(twin, entity_id)
    private, _ = generate_key("witness.sanhe.example", alg=ALG_COSIGNATURE_V1)
    witness = CosignatureSigner.from_text(private).verifier_text
    with pytest.raises(VerificationError, match="cosignatures of at least 1 of 1"):
        mrv.verify_figure(bundle, "totals.basic_t", witness_keys=[witness])
    assert mrv.verify_figure(bundle, "year", witness_keys=[witness], quorum=0).value == 2016
