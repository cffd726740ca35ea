"""`anchors_covering(index)`: the anchors whose tree holds a record, for proof bundles and the dashboard."""

import pytest
from anchor_support import commit, run

from citytwin.anchor import anchors_covering
from citytwin.anchor.errors import NoDeployment
from citytwin.errors import BadInputError
from citytwin.ledger import Log
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
