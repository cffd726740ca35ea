"""The node going away mid-run: a clear error, a retry later, never a lost or duplicated anchor.

The node is a real anvil that keeps its chain in a state file across restarts (``--state``). Mining
is switched off (``evm_setAutomine``) so that a posted transaction stays pending; the node is then
stopped, which drops the pending transaction; after a restart, ``anchor post`` sends the same
signed transaction again from ``anchor/pending.json``.
"""

import json

import pytest
from anchor_node import Node
from anchor_support import ORIGIN, run, settings

from citytwin.anchor import ChainUnavailable, post, read_anchors
from citytwin.anchor.account import create_chain_key
from citytwin.twin import Twin
from twin_records import STATIONS


@pytest.fixture
def restartable(tmp_path):
    state = tmp_path / "anvil-state.json"
    node = Node("--state", str(state))
    yield node, state
    node.stop()


def test_node_gone_mid_post_then_resumed_once(tmp_path, restartable):
    node, state = restartable
    data = tmp_path / "data"
    Twin.init(data, origin=ORIGIN).close()
    with Twin.open(data) as twin:
        twin.commit(STATIONS)
    node.fund(create_chain_key(data / "keys" / "chain.key").address)
    assert run(data, "deploy", "--rpc", node.rpc).exit_code == 0
    with (data / "citytwin.toml").open("a") as f:
        f.write("\n[anchor]\nreceipt_timeout = 1\n")

    node.call("evm_setAutomine", False)
    with pytest.raises(ChainUnavailable, match=r"transaction 0x[0-9a-f]{64} was not mined within 1 s; the signed "
                                               r"transaction is kept in .*pending.json") as e:
        post(settings(data, node))
    pending = json.loads((data / "anchor" / "pending.json").read_text())
    assert pending["tx"] in str(e.value)

    node.stop()  # the node goes away with the transaction still pending
    down = run(data, "post")
    assert down.exit_code == 2 and f"the JSON-RPC node at {node.rpc} did not answer" in down.output
    assert json.loads((data / "anchor" / "pending.json").read_text()) == pending  # kept for the retry

    node = Node("--state", str(state), port=node.port)  # back, with the chain but not the pending transaction
    try:
        assert node.call("eth_getTransactionByHash", pending["tx"]) is None
        resumed = run(data, "post", "--json")
        assert resumed.exit_code == 0, resumed.output
        out = json.loads(resumed.stdout)
        assert out["status"] == "resumed" and out["tx"] == pending["tx"] and out["size"] == 3
        assert not (data / "anchor" / "pending.json").exists()
        assert json.loads(run(data, "post", "--json").stdout)["status"] == "already"
        s = settings(data, node)
        anchors = read_anchors(s.chain(), ORIGIN, s.from_block)
        assert [(a.size, a.tx) for a in anchors] == [(3, pending["tx"])]  # one anchor, not two
        assert run(data, "verify").exit_code == 0
    finally:
        node.stop()


def test_pending_transaction_mined_later_is_not_sent_twice(data_dir, node):
    assert run(data_dir, "deploy", "--rpc", node.rpc).exit_code == 0
    with (data_dir / "citytwin.toml").open("a") as f:
        f.write("\n[anchor]\nreceipt_timeout = 1\n")
    node.call("evm_setAutomine", False)
    try:
        first = run(data_dir, "post")
        assert first.exit_code == 2 and "was not mined within 1 s" in first.output
        again = run(data_dir, "post")  # the node still holds it: sent again unchanged, still pending
        assert again.exit_code == 2 and "was not mined within 1 s" in again.output
        pending = json.loads((data_dir / "anchor" / "pending.json").read_text())
        node.call("evm_mine")
    finally:
        node.call("evm_setAutomine", True)
    out = json.loads(run(data_dir, "post", "--json").stdout)
    assert out["status"] == "resumed" and out["tx"] == pending["tx"]
    s = settings(data_dir, node)
    assert [a.tx for a in read_anchors(s.chain(), ORIGIN, s.from_block)] == [pending["tx"]]
