"""`anchors_covering(index)`: the anchors whose tree holds a record, for proof bundles and the dashboard."""

import pytest
from anchor_support import commit, run

from citytwin.anchor import anchor_links, anchors_covering, verify_anchor_link
from citytwin.anchor.errors import NoDeployment
from citytwin.errors import BadInputError
from citytwin.ledger import Log, ProofError, Verifier, verify_proof
from citytwin.ledger.merkle import verify_consistency


def test_anchors_covering_an_entry(data_dir, node):
    with pytest.raises(NoDeployment, match="no anchoring contract"):
        anchors_covering(0, data_dir, rpc=node.rpc)
    assert run(data_dir, "deploy", "--rpc", node.rpc).exit_code == 0
    assert anchors_covering(0, data_dir) == []
    assert run(data_dir, "post").exit_code == 0  # size 3
    assert commit(data_dir, 35.0, 41.0) == 5
    assert run(data_dir, "post").exit_code == 0  # size 5

    at0 = anchors_covering(0, data_dir)
    assert [a["size"] for a in at0] == [3, 5]
    assert set(at0[0]) == {"tx", "block", "size", "root"}
    assert at0[0]["block"] < at0[1]["block"] and at0[0]["tx"] != at0[1]["tx"]
    assert [a["size"] for a in anchors_covering(3, data_dir)] == [5]
    assert anchors_covering(5, data_dir) == []
    with pytest.raises(BadInputError, match="entry index -1: expected 0 or more"):
        anchors_covering(-1, data_dir)

    # each covering root is the log's root at its size: a consistency proof links it to the checkpoint
    with Log.open(data_dir / "log") as log:
        for a in at0:
            root = bytes.fromhex(a["root"][2:])
            verify_consistency(a["size"], log.size, root, log.root, log.consistency_proof(a["size"]))
    assert at0[1]["root"] == "0x" + log.root.hex()

    assert commit(data_dir, 50.0, hour0=2) == 6  # read again, only the new blocks are scanned
    assert run(data_dir, "post").exit_code == 0
    assert [a["size"] for a in anchors_covering(5, data_dir)] == [6]


def test_links_from_anchors_to_a_proof_bundle(data_dir, node):
    assert run(data_dir, "deploy", "--rpc", node.rpc).exit_code == 0
    assert run(data_dir, "post").exit_code == 0  # size 3
    assert commit(data_dir, 35.0, 41.0, 12.0) == 6
    assert run(data_dir, "post").exit_code == 0  # size 6
    assert commit(data_dir, 20.0, hour0=3) == 7  # the bundle's checkpoint is ahead of every anchor

    links = anchor_links(1, data_dir)
    vkey = Verifier.from_text((data_dir / "keys" / "log.vkey").read_text().strip())
    with Log.open(data_dir / "log") as log:
        bundle = verify_proof(log.prove(1), vkey)  # what a third party holds, checked offline
        assert links["checkpoint"] == {"size": 7, "root": "0x" + log.root.hex()}
    assert [a["size"] for a in links["anchors"]] == [3, 6]
    for link in links["anchors"]:
        assert link["consistency"]
        verify_anchor_link(link, bundle.checkpoint.size, bundle.checkpoint.root)
    forged = {**links["anchors"][0], "root": "0x" + "ab" * 32}
    with pytest.raises(ProofError, match="root hash at size 3 from the consistency proof 3 → 7: expected abab"):
        verify_anchor_link(forged, bundle.checkpoint.size, bundle.checkpoint.root)
    with pytest.raises(BadInputError, match="anchored root '0x12': expected 32 bytes, got 1"):
        verify_anchor_link({**forged, "root": "0x12"}, 7, bytes(32))
