"""C2SP tlog-proof bundles: the spec's example, round trips, witness policy, malformed input."""

from __future__ import annotations

import base64

import pytest

from citytwin.errors import BadInputError
from citytwin.ledger import (
    Log,
    MalformedError,
    ProofError,
    QuorumNotReached,
    SignatureError,
    format_proof,
    parse_proof,
    verify_proof,
)
from ledger_support import ORIGIN, LocalWitnesses, new_keys

SPEC_EXAMPLE = """c2sp.org/tlog-proof@v1
extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ
index 73894
gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=
B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=
EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=
RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=
AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=

example.com/fancylog
109482
sFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=

— example.com/fancylog hI2DJw[...]1roloI=
"""


def test_spec_example_parses_and_formats_back():
    p = parse_proof(SPEC_EXAMPLE)
    assert p.index == 73894 and len(p.hashes) == 5
    assert p.extra.startswith(b"age-v1.2.1-darwin-arm64.tar.gz")
    assert p.checkpoint.startswith(b"example.com/fancylog\n109482\n")
    assert format_proof(p.index, p.hashes, p.checkpoint, p.extra) == SPEC_EXAMPLE


@pytest.fixture
def witnessed_log(tmp_path):
    signer, verifier = new_keys()
    policy = LocalWitnesses(verifier, n=3, quorum=2)
    with Log.create(tmp_path / "log", ORIGIN, signer, policy, durable=False) as log:
        log.append([f"record {i}".encode() for i in range(1000)])
        policy.up = [True, False, True]
        log.append([b"record 1000"])
        yield log, verifier, policy


def test_bundle_verifies_offline_with_policy(witnessed_log):
    log, verifier, policy = witnessed_log
    bundle = log.prove(517)
    assert bundle.startswith("c2sp.org/tlog-proof@v1\nextra ")
    r = verify_proof(bundle, verifier, witnesses=policy.verifiers, quorum=2)
    assert (r.index, r.checkpoint.size, r.entry_source) == (517, 1001, "extra")
    assert r.witnesses == ("w0.example", "w2.example")
    r = verify_proof(log.prove(517, include_entry=False), verifier, entry=b"record 517")
    assert r.entry_source == "entry"
    with pytest.raises(QuorumNotReached, match="at least 3 of 3 witnesses, got 2 \\(w0.example, w2.example\\)"):
        verify_proof(bundle, verifier, witnesses=policy.verifiers, quorum=3)
    with pytest.raises(BadInputError, match="quorum 4: expected 0..3"):
        verify_proof(bundle, verifier, witnesses=policy.verifiers, quorum=4)
    with pytest.raises(BadInputError, match="no 'extra' entry"):
        verify_proof(log.prove(517, include_entry=False), verifier)


def test_wrong_entry_index_or_origin_is_rejected(witnessed_log):
    log, verifier, _ = witnessed_log
    bundle = log.prove(517)
    with pytest.raises(ProofError, match="root hash at size 1001"):
        verify_proof(bundle, verifier, entry=b"record 518")
    with pytest.raises(ProofError):
        verify_proof(bundle.replace("index 517", "index 518"), verifier)
    with pytest.raises(SignatureError, match="origin: expected 'other.example/log'"):
        verify_proof(bundle, verifier, origin="other.example/log")
    _, stranger = new_keys()
    with pytest.raises(SignatureError, match="no verifiable signatures"):
        verify_proof(bundle, stranger)


def test_tampered_proof_hash_is_rejected(witnessed_log):
    log, verifier, _ = witnessed_log
    lines = log.prove(3).split("\n")
    h = bytearray(base64.b64decode(lines[3]))
    h[0] ^= 1
    lines[3] = base64.b64encode(bytes(h)).decode()
    with pytest.raises(ProofError):
        verify_proof("\n".join(lines), verifier)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t: t.replace("c2sp.org/tlog-proof@v1", "c2sp.org/tlog-proof@v2"), "line 1: expected"),
        (lambda t: t.replace("index 3", "index 03"), "leading zeros"),
        (lambda t: t.replace("index 3", "idx 3"), "expected 'index <N>'"),
        (
            lambda t: t.replace("\nindex 3\n", "\nindex 3\ngarbage line!\n"),
            "line 4 \\(inclusion proof hash\\): expected base64",
        ),
        (lambda t: t.replace("\nindex 3\n", "\nindex 3\nAAAA\n"), "line 4: hash of 3 bytes, expected 32"),
        (lambda t: t.split("\n\n")[0], "blank line"),
        (lambda t: t.split("\n\n")[0] + "\n\n", "checkpoint after the blank line is missing"),
        (lambda t: t.replace("extra ", "extra !!"), "extra\\): expected base64"),
    ],
)
def test_malformed_bundles_name_the_line(witnessed_log, mutate, message):
    log, verifier, _ = witnessed_log
    with pytest.raises(MalformedError, match=message):
        verify_proof(mutate(log.prove(3)), verifier)


def test_garbage_in_the_checkpoint_part(witnessed_log):
    log, verifier, _ = witnessed_log
    text = log.prove(3)
    head, _, note = text.partition("\n\n")
    with pytest.raises((MalformedError, SignatureError)):
        verify_proof(head + "\n\n" + note.replace("\n\n", "\n\ngarbage\n", 1), verifier)
    with pytest.raises(MalformedError, match="UTF-8"):
        verify_proof(text.encode() + b"\xff\xfe", verifier)


# transparency-dev/merkle proof/tlog_proof_test.go, TestVerifyTLogProofErrors
GO_BAD_PROOFS = [
    ("wrong-header\nindex 0\n\ncheckpoint\n", "line 1: expected 'c2sp.org/tlog-proof@v1'"),
    ("c2sp.org/tlog-proof@v1\nextra !!notbase64!!\nindex 0\n\ncheckpoint\n", "extra\\): expected base64"),
    ("c2sp.org/tlog-proof@v1\n\n\ncheckpoint\n", "expected 'index <N>'"),
    ("c2sp.org/tlog-proof@v1\nindex notanumber\n\ncheckpoint\n", "not a decimal"),
    ("c2sp.org/tlog-proof@v1\nindex -5\n\ncheckpoint\n", "not a decimal"),
    ("c2sp.org/tlog-proof@v1\nindex 0\n!!notbase64!!\n\ncheckpoint\n", "line 3 \\(inclusion proof hash\\)"),
    (
        "c2sp.org/tlog-proof@v1\nindex 0\n" + base64.b64encode(bytes(64)).decode() + "\n\ncheckpoint\n",
        "hash of 64 bytes, expected 32",
    ),
]


@pytest.mark.parametrize(("text", "message"), GO_BAD_PROOFS)
def test_go_malformed_proof_cases(text, message):
    with pytest.raises(MalformedError, match=message):
        parse_proof(text)


def test_go_layout_of_a_bundle():
    """NewTLogProofWithExtra writes header, extra, index, hashes, a blank line, the checkpoint."""
    import hashlib

    hashes = [hashlib.sha256(b"hash1").digest(), hashlib.sha256(b"hash2").digest()]
    text = format_proof(10, hashes, b"checkpoint data\n", b"extra information")
    b64 = [base64.b64encode(h).decode() for h in hashes]
    assert text == (
        f"c2sp.org/tlog-proof@v1\nextra ZXh0cmEgaW5mb3JtYXRpb24=\nindex 10\n{b64[0]}\n{b64[1]}\n\ncheckpoint data\n"
    )
    assert format_proof(0, [], b"checkpoint\n") == "c2sp.org/tlog-proof@v1\nindex 0\n\ncheckpoint\n"
