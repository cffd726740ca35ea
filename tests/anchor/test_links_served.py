"""Issue 10, point 3: a record's proof leads to the chain transactions and blocks that cover it,
over HTTP (`/api/v1/proofs/anchors/{index}`) and in the CLI (`citytwin anchor show`)."""

from __future__ import annotations

import json

from anchor_support import commit, run
from fastapi.testclient import TestClient

from citytwin.anchor import verify_anchor_link
from citytwin.api.access import Principals
from citytwin.api.main import create_app
from citytwin.ledger import Verifier, verify_proof
from twin_records import TONGZHOU_STATION


def _client(data_dir):
    key = Principals(data_dir).add("bank", "reader", "110000")[1]
    return TestClient(create_app(data_dir), headers={"Authorization": f"Bearer {key}"})


def test_no_contract_means_not_configured(data_dir):
    with _client(data_dir) as c:
        proof = c.get(f"/api/v1/proofs/{TONGZHOU_STATION.id}")
        assert proof.status_code == 200
        index = int(proof.headers["X-Log-Index"])
        assert proof.headers["Link"] == f'</api/v1/proofs/anchors/{index}>; rel="anchors"'
        body = c.get(f"/api/v1/proofs/anchors/{index}").json()
        assert body["configured"] is False and body["anchors"] == [] and body["error"] is None
        missing = c.get("/api/v1/proofs/anchors/99")
        assert missing.status_code == 404 and "the log has 3 entries" in missing.json()["detail"]


def test_proof_and_anchor_links_served_and_checked_offline(data_dir, node):
    assert run(data_dir, "deploy", "--rpc", node.rpc).exit_code == 0
    assert run(data_dir, "post").exit_code == 0  # anchors size 3
    assert commit(data_dir, 35.0, 41.0) == 5  # the checkpoint moves past the anchor
    vkey = Verifier.from_text((data_dir / "keys" / "log.vkey").read_text().strip())
    with _client(data_dir) as c:
        proof = c.get(f"/api/v1/proofs/{TONGZHOU_STATION.id}")
        index = int(proof.headers["X-Log-Index"])
        bundle = verify_proof(proof.text, vkey)
        body = c.get(proof.links["anchors"]["url"]).json()
    assert body["configured"] is True and body["error"] is None
    assert body["checkpoint"]["size"] == bundle.checkpoint.size == 5
    [link] = body["anchors"]
    assert link["size"] == 3 and link["block"] >= 1 and link["tx"].startswith("0x")
    verify_anchor_link(link, bundle.checkpoint.size, bundle.checkpoint.root)

    shown = run(data_dir, "show", str(index), "--json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["anchors"][0]["tx"] == link["tx"]
    text = run(data_dir, "show", str(index))
    assert f"block {link['block']}, tx {link['tx']}" in text.output
    late = run(data_dir, "show", "4")
    assert late.exit_code == 0 and "no anchor covers it yet" in late.output
    beyond = run(data_dir, "show", "9")
    assert beyond.exit_code == 2 and "the log has 5 entries" in beyond.output


def test_an_unreachable_node_is_reported_not_fatal(data_dir, node):
    assert run(data_dir, "deploy", "--rpc", node.rpc).exit_code == 0
    with (data_dir / "citytwin.toml").open("a") as f:
        f.write('\n[anchor]\nrpc = "http://127.0.0.1:9"\n')  # nothing listens on the discard port
    with _client(data_dir) as c:
        body = c.get("/api/v1/proofs/anchors/0").json()
    assert body["configured"] is True and body["anchors"] == []
    assert "127.0.0.1:9" in body["error"] and "did not answer" in body["error"]
