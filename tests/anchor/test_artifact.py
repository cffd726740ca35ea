"""The committed contract build: it matches the source, records its compiler, and the ledger stays
free of web3.py."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from citytwin.anchor import ChainAccount, load_chain_key
from citytwin.anchor.artifact import artifact, decode_error
from citytwin.anchor.errors import AnchorRefused
from citytwin.errors import BadInputError, NotFoundError

ROOT = Path(__file__).resolve().parents[2]


def test_artifact_is_built_from_the_committed_source():
    art = artifact()
    source = (ROOT / "contracts" / art["sourceName"]).read_bytes()
    assert art["sourceSha256"] == hashlib.sha256(source).hexdigest()
    pinned = json.loads((ROOT / "contracts" / "package.json").read_text())["devDependencies"]["solc"]
    assert art["compiler"]["version"].startswith(pinned + "+commit.")
    assert f"pragma solidity {pinned};" in source.decode()
    assert art["compiler"]["settings"]["evmVersion"] == "paris"
    assert art["compiler"]["settings"]["optimizer"] == {"enabled": True, "runs": 200}
    assert art["bytecode"].startswith("0x60") and len(art["deployedBytecode"]) > 1000


def test_abi_has_the_anchor_interface():
    items = {(i["type"], i.get("name")) for i in artifact()["abi"]}
    assert {("function", "anchor"), ("function", "latest"), ("function", "addPoster"),
            ("function", "removePoster"), ("event", "Anchored"), ("error", "SizeNotLarger"),
            ("error", "NotPoster"), ("error", "NotOwner")} <= items
    anchored = next(i for i in artifact()["abi"] if i.get("name") == "Anchored")
    assert [(i["name"], i["type"], i["indexed"]) for i in anchored["inputs"]] == [
        ("originKey", "bytes32", True), ("treeSize", "uint64", False), ("rootHash", "bytes32", False),
        ("poster", "address", True)]


def test_custom_errors_decode_per_the_abi_spec():
    # NotPoster(address): selector = keccak256("NotPoster(address)")[:4], then the ABI-encoded address
    from eth_utils import keccak
    data = keccak(text="NotPoster(address)")[:4] + bytes(12) + bytes.fromhex("11" * 20)
    assert decode_error("0x" + data.hex()) == ("NotPoster", ("0x" + "11" * 20,))
    assert decode_error(b"\x00\x01") is None
    assert decode_error("0xdeadbeef") is None
    assert issubclass(AnchorRefused, BadInputError)


def test_ledger_does_not_load_web3():
    code = "import sys, citytwin.ledger; print('web3' in sys.modules, 'citytwin.anchor' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_chain_key_is_private_and_never_shown(tmp_path):
    path = tmp_path / "chain.key"
    with pytest.raises(NotFoundError, match="no such file"):
        load_chain_key(path)
    acct, text = ChainAccount.generate()
    path.write_text(text + "\n")
    path.chmod(0o644)
    with pytest.raises(BadInputError, match="mode 0644: expected 0600"):
        load_chain_key(path)
    path.chmod(0o600)
    loaded = load_chain_key(path)
    assert loaded.address == acct.address
    assert text[2:] not in repr(loaded) and acct.address in repr(loaded)
    path.write_text("0x1234\n")
    with pytest.raises(BadInputError, match="expected 0x followed by 64 hex digits") as e:
        load_chain_key(path)
    assert "1234" not in str(e.value)


def test_every_anchor_command_and_setting_is_documented():
    from citytwin.cli.anchor import anchor_app

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Anchoring"):]
    for command in anchor_app.registered_commands:
        assert f"`citytwin anchor {command.name}" in section
    for option in ("--rpc", "--contract", "--every", "--rounds", "--revoke", "--force"):
        assert option in section
    for setting in ("rpc", "contract", "chain_id", "from_block", "log_chunk", "receipt_timeout"):
        assert f"\n{setting} = " in section
