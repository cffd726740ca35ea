"""`citytwin anchor deploy|post|verify` against a real anvil node, as a user runs them."""

import dataclasses
import json
import shutil
import stat

from anchor_node import free_port
from anchor_support import commit, run, settings

from citytwin.anchor import ChainUnavailable, load_chain_key, post_periodically


def test_deploy_post_verify(data_dir, node):
    key_text = (data_dir / "keys" / "chain.key").read_text().strip()
    deployed = run(data_dir, "deploy", "--rpc", node.rpc, "--json")
    assert deployed.exit_code == 0, deployed.output
    info = json.loads(deployed.stdout)
    recorded = json.loads((data_dir / "anchor" / "deployment.json").read_text())
    assert recorded["contract"] == info["contract"] and recorded["chain_id"] == 31337
    assert recorded["block"] == info["block"] and recorded["rpc"] == node.rpc
    assert stat.S_IMODE((data_dir / "keys" / "chain.key").stat().st_mode) == 0o600

    again = run(data_dir, "deploy", "--rpc", node.rpc)
    assert again.exit_code == 2 and "--force" in again.output

    first = run(data_dir, "post", "--json")  # the deployment gives rpc and contract
    assert first.exit_code == 0, first.output
    posted = json.loads(first.stdout)
    assert posted["status"] == "anchored" and posted["size"] == 3
    same = json.loads(run(data_dir, "post", "--json").stdout)
    assert same["status"] == "already" and same["size"] == 3 and "tx" not in same

    assert commit(data_dir, 35.0, 41.0) == 5
    second = json.loads(run(data_dir, "post", "--json").stdout)
    assert second["status"] == "anchored" and second["size"] == 5 and second["block"] > posted["block"]

    checked = run(data_dir, "verify", "--json")
    assert checked.exit_code == 0, checked.output
    report = json.loads(checked.stdout)
    assert report["ok"] is True and report["forks"] == [] and report["log_size"] == 5
    assert [(a["size"], a["tx"], a["ok"]) for a in report["anchors"]] == [
        (3, posted["tx"], True), (5, second["tx"], True)]
    assert report["anchors"][1]["root"] == second["root"] == report["log_root"]

    text = run(data_dir, "verify")
    assert text.exit_code == 0 and "2 anchors" in text.output and ": ok" in text.output
    for result in (deployed, again, first, text):
        assert key_text not in result.output and key_text[2:] not in result.output


def test_forked_log_is_named(data_dir, node, tmp_path):
    assert run(data_dir, "deploy", "--rpc", node.rpc).exit_code == 0
    # a second log with the same origin, signing key and chain account, that then diverges
    fork = tmp_path / "fork"
    shutil.copytree(data_dir, fork)
    assert commit(data_dir, 35.0) == 4
    assert commit(fork, 99.0) == 4  # same size, another reading: another root
    forked = json.loads(run(fork, "post", "--json").stdout)
    assert forked["status"] == "anchored" and forked["size"] == 4

    refused = run(data_dir, "post")  # the honest log at the same size sees the other root on the chain
    assert refused.exit_code == 1
    assert "tree size 4 is anchored with root " + forked["root"] in refused.output

    assert commit(data_dir, 36.0, hour0=1) == 5
    assert run(data_dir, "post").exit_code == 0  # a larger size is accepted by the contract
    result = run(data_dir, "verify")
    assert result.exit_code == 1
    flat = result.output
    assert "1 of 2 anchors" in flat and "FORK" in flat
    assert f"anchor at tree size 4 (tx {forked['tx']}, block {forked['block']})" in flat
    assert f"anchored root {forked['root']} is not the log's root at that size" in flat

    report = json.loads(run(data_dir, "verify", "--json").stdout)
    assert report["ok"] is False and [a["ok"] for a in report["anchors"]] == [False, True]
    assert report["forks"][0].startswith(f"anchor at tree size 4 (tx {forked['tx']}")
    # the forked log, checked against the same chain, finds the honest log's anchor beyond it
    other = run(fork, "verify")
    assert other.exit_code == 1 and "anchored size 5 is beyond the log's size 4" in other.output


def test_no_contract_and_no_node(data_dir, node):
    missing = run(data_dir, "post", "--rpc", node.rpc)
    assert missing.exit_code == 2 and "no anchoring contract" in missing.output
    dead = f"http://127.0.0.1:{free_port()}"
    down = run(data_dir, "post", "--rpc", dead, "--contract", "0x" + "11" * 20)
    assert down.exit_code == 2
    assert f"the JSON-RPC node at {dead} did not answer" in down.output
    bad = run(data_dir, "verify", "--rpc", node.rpc, "--contract", "0x1234")
    assert bad.exit_code == 2 and "expected 0x followed by 40 hex digits" in bad.output


def test_post_every_interval_retries_an_absent_node(data_dir, node):
    assert run(data_dir, "deploy", "--rpc", node.rpc).exit_code == 0
    seen = []
    dead = dataclasses.replace(settings(data_dir, node), rpc=f"http://127.0.0.1:{free_port()}")
    assert post_periodically(dead, 0.01, report=seen.append, rounds=2) == 2
    assert all(isinstance(o, ChainUnavailable) for o in seen)
    looped = run(data_dir, "post", "--every", "0.01", "--rounds", "2", "--json")
    assert looped.exit_code == 0, looped.output
    statuses = [json.loads(doc)["status"] for doc in looped.stdout.replace("}\n{", "}\x00{").split("\x00")]
    assert statuses == ["anchored", "already"]


def test_an_account_without_funds_is_named(data_dir, node):
    address = load_chain_key(data_dir / "keys" / "chain.key").address
    node.fund(address, 0)
    result = run(data_dir, "deploy", "--rpc", node.rpc)
    assert result.exit_code == 2
    assert f"deploying CheckpointAnchor: the node refused the transaction from {address} (fund the account " \
           f"{address})" in result.output
    assert not (data_dir / "anchor" / "deployment.json").exists()


def test_another_chain_or_an_empty_address_is_refused(data_dir, node):
    assert run(data_dir, "deploy", "--rpc", node.rpc).exit_code == 0
    nowhere = run(data_dir, "verify", "--contract", "0x" + "22" * 20)
    assert nowhere.exit_code == 2
    assert f"contract 0x{'22' * 20}: no code on the chain at {node.rpc}" in nowhere.output
    with (data_dir / "citytwin.toml").open("a") as f:
        f.write("\n[anchor]\nchain_id = 1\n")
    other = run(data_dir, "verify")
    assert other.exit_code == 2 and f"chain id of {node.rpc}: expected 1 (configured), got 31337" in other.output


def test_messages_keep_their_bracketed_names(data_dir, node):
    result = run(data_dir, "post", "--rpc", node.rpc)
    assert result.exit_code == 2
    assert "[anchor] contract in citytwin.toml" in result.output
