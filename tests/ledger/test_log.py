"""The on-disk tlog-tiles log: contents against the plain RFC 9162 functions, known answers,
locking, witness quorum and pending checkpoints, tamper detection."""

from __future__ import annotations

import base64
import os
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citytwin.errors import BadInputError, NotFoundError, VerificationError
from citytwin.ledger import (
    EntryTooLarge,
    Log,
    LogCorrupted,
    LogLocked,
    QuorumNotReached,
    SignatureError,
    Signer,
    Verifier,
    merkle,
    open_checkpoint,
    verify_proof,
)
from citytwin.ledger.tiles import encode_bundle
from ledger_support import GO_LEAVES, ORIGIN, LocalWitnesses, new_keys

PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
# the root of all eight GO_LEAVES (transparency-dev/merkle proof/verify_test.go)
GO_ROOT_8 = bytes.fromhex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")


def _files(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))


def test_known_answer_files(tmp_path):
    """A log of the transparency-dev leaves, one batch, signed with the Go note test key."""
    d = tmp_path / "log"
    with Log.create(d, "PeterNeumann", Signer.from_text(PETER_SKEY), durable=False) as log:
        assert log.append(GO_LEAVES) == 0
    assert _files(d) == ["checkpoint", "tile/0/000.p/8", "tile/entries/000.p/8"]
    assert (d / "tile/0/000.p/8").read_bytes() == b"".join(merkle.leaf_hash(e) for e in GO_LEAVES)
    assert (d / "tile/entries/000.p/8").read_bytes() == encode_bundle(GO_LEAVES)
    assert (d / "tile/entries/000.p/8").read_bytes()[:6] == b"\x00\x00\x00\x01\x00\x00"
    text = (d / "checkpoint").read_text()
    body = f"PeterNeumann\n8\n{base64.b64encode(GO_ROOT_8).decode()}\n"
    # Ed25519 is deterministic, and sign_note equals Go's note.Sign on its own test vector
    # (test_note.py), so this is the checkpoint Go's note package writes for this tree and key.
    sig = "x08gozdSgLMzAnw63LH1RGViJhUfW60EUGKY7Kmr004fQNOSqfrcd1hIk3BCtdcLWIqvGtX67sL24VN+44uTlxMnbAA="
    assert text == body + "\n— PeterNeumann " + sig + "\n"
    cp, _ = open_checkpoint(text, Verifier.from_text(PETER_VKEY))
    assert (cp.origin, cp.size, cp.root) == ("PeterNeumann", 8, GO_ROOT_8)


def test_empty_log_checkpoint(tmp_path):
    signer, verifier = new_keys()
    with Log.create(tmp_path / "log", ORIGIN, signer, durable=False) as log:
        assert (log.size, log.root, log.origin) == (0, merkle.EMPTY_ROOT, ORIGIN)
        assert log.checkpoint.text.startswith(f"{ORIGIN}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— ")
        log.verify(verifier)
        assert log.append([]) == 0


def test_append_matches_plain_tree_across_reopen(tmp_path):
    rng = random.Random(7)
    signer, verifier = new_keys()
    d = tmp_path / "log"
    entries: list[bytes] = []
    log = Log.create(d, ORIGIN, signer, durable=False)
    for batch in range(14):
        n = rng.choice([1, 2, 255, 256, 257, 700, 3000])
        new = [rng.randbytes(rng.randrange(0, 300)) for _ in range(n)]
        assert log.append(new) == len(entries)
        entries += new
        if batch % 4 == 3:  # reopen: the right edge comes back from the tiles
            log.close()
            log = Log.open(d, signer, durable=False)
    leaves = [merkle.leaf_hash(e) for e in entries]
    assert (log.size, log.root) == (len(entries), merkle.root_hash(leaves))
    assert list(log.entries(0, len(entries))) == entries
    assert list(log.entries(250, 270)) == entries[250:270]
    for i in rng.sample(range(len(entries)), 40):
        assert log.inclusion_proof(i) == merkle.inclusion_proof(leaves, i)
        size = rng.randrange(i + 1, len(entries) + 1)
        assert log.inclusion_proof(i, size) == merkle.inclusion_proof(leaves[:size], i)
    for m in rng.sample(range(len(entries) + 1), 40):
        assert log.consistency_proof(m) == merkle.consistency_proof(leaves, m)
    log.verify(verifier)
    log.close()
    reader = Log.open(d)
    assert (reader.size, reader.root) == (len(entries), merkle.root_hash(leaves))
    reader.verify(verifier)
    with pytest.raises(BadInputError, match="read-only"):
        reader.append([b"x"])


def test_argument_errors(tmp_path):
    signer, _ = new_keys()
    with Log.create(tmp_path / "log", ORIGIN, signer, durable=False) as log:
        log.append([b"a", b"b"])
        with pytest.raises(BadInputError, match="entry index 2: expected 0..1"):
            log.inclusion_proof(2)
        with pytest.raises(BadInputError, match="tree size 3: expected 0..2"):
            log.inclusion_proof(0, 3)
        with pytest.raises(BadInputError, match="old tree size 3"):
            log.consistency_proof(3)
        with pytest.raises(BadInputError, match="must be bytes"):
            log.append(["text"])
        assert log.size == 2
    with pytest.raises(BadInputError, match="already holds a log"):
        Log.create(tmp_path / "log", ORIGIN, signer)
    with pytest.raises(NotFoundError, match="no log at"):
        Log.open(tmp_path / "nowhere")
    with pytest.raises(BadInputError, match="origin"):
        Log.create(tmp_path / "other", "two\nlines", signer)


def test_entry_too_large(tmp_path):
    signer, _ = new_keys()
    with Log.create(tmp_path / "log", ORIGIN, signer, durable=False) as log:
        log.append([b"ok"])
        with pytest.raises(EntryTooLarge, match="entry 2 \\(item 1 of the batch\\): 65536 bytes, at most 65535"):
            log.append([b"fine", b"x" * 65536])
        assert log.size == 1
        assert log.append([b"y" * 65535]) == 1
        assert next(log.entries(1, 2)) == b"y" * 65535
    assert issubclass(EntryTooLarge, BadInputError)


def test_one_writer_per_directory(tmp_path):
    signer, _ = new_keys()
    d = tmp_path / "log"
    with Log.create(d, ORIGIN, signer, durable=False):
        with pytest.raises(LogLocked, match="locked by another writer"):
            Log.open(d, signer)
        Log.open(d).close()  # readers do not lock
    Log.open(d, signer).close()


def test_wrong_key_cannot_write(tmp_path):
    signer, _ = new_keys()
    other, _ = new_keys()
    Log.create(tmp_path / "log", ORIGIN, signer, durable=False).close()
    with pytest.raises(SignatureError, match="no verifiable signatures"):
        Log.open(tmp_path / "log", other)


def test_quorum_and_pending_checkpoint(tmp_path):
    signer, verifier = new_keys()
    policy = LocalWitnesses(verifier, n=3, quorum=2)
    d = tmp_path / "log"
    log = Log.create(d, ORIGIN, signer, policy, durable=False)
    log.append([b"a", b"b"])
    assert len(log.checkpoint.signature_lines()) == 4  # the log and three witnesses
    policy.up = [True, False, False]
    with pytest.raises(QuorumNotReached, match="1 of 3"):
        log.append([b"c"])
    assert log.size == 2 and log.tree_size == 3 and log.pending is not None
    pending, _ = open_checkpoint(log.pending, verifier)
    assert (d / ".checkpoint.pending").exists()
    log.close()
    # after a restart the pending checkpoint is extended, never re-signed differently
    log = Log.open(d, signer, policy, durable=False)
    assert (log.size, log.tree_size) == (2, 3)
    policy.up = [False, True, True]
    assert log.append([b"d"]) == 3
    assert log.size == 4 and log.pending is None and not (d / ".checkpoint.pending").exists()
    leaves = [merkle.leaf_hash(e) for e in (b"a", b"b", b"c", b"d")]
    assert pending.root == merkle.root_hash(leaves[:3])
    merkle.verify_consistency(3, 4, pending.root, log.root, log.consistency_proof(3))
    bundle = log.prove(2)
    result = verify_proof(bundle, verifier, witnesses=policy.verifiers, quorum=2)
    assert set(result.witnesses) == {"w1.example", "w2.example"}
    with pytest.raises(QuorumNotReached, match="at least 3 of 3 witnesses, got 2"):
        verify_proof(bundle, verifier, witnesses=policy.verifiers)
    # an empty batch retries the publication of a pending checkpoint
    policy.up = [False, False, False]
    with pytest.raises(QuorumNotReached):
        log.append([b"e"])
    policy.up = [True, True, False]
    assert log.append([]) == 5 and log.size == 5
    log.close()


def _tampered(tmp_path, n=700):
    signer, verifier = new_keys()
    d = tmp_path / "log"
    with Log.create(d, ORIGIN, signer, durable=False) as log:
        log.append([i.to_bytes(4, "big") * 8 for i in range(n)])
    return d, verifier


def test_verify_names_an_altered_entry(tmp_path):
    d, verifier = _tampered(tmp_path)
    p = d / "tile/entries/001"
    data = bytearray(p.read_bytes())
    data[2 + 34 * 5 + 3] ^= 1  # a byte of entry 256 + 5
    p.write_bytes(bytes(data))
    with pytest.raises(
        LogCorrupted,
        match="entry 261: tile/0/001 holds leaf hash .* but the entry in tile/entries/001 hashes to",
    ):
        Log.open(d).verify(verifier)


def test_verify_names_an_altered_or_truncated_tile(tmp_path):
    d, verifier = _tampered(tmp_path)
    p = d / "tile/0/002.p/188"
    p.write_bytes(p.read_bytes()[:100])
    with pytest.raises(LogCorrupted, match="tile/0/002.p/188: expected 6016 bytes \\(188 hashes\\), got 100"):
        Log.open(d).verify(verifier)
    d2, verifier2 = _tampered(tmp_path / "b")
    p = d2 / "tile/1/000.p/2"
    data = bytearray(p.read_bytes())
    data[40] ^= 0x80
    p.write_bytes(bytes(data))
    with pytest.raises(LogCorrupted, match="tile/1/000.p/2: hash 1 is"):
        Log.open(d2).verify(verifier2)


def test_verify_missing_files_and_bad_signatures(tmp_path):
    d, verifier = _tampered(tmp_path)
    (d / "tile/entries/000").unlink()
    with pytest.raises(LogCorrupted, match="tile/entries/000 is missing"):
        Log.open(d).verify(verifier)
    d2, verifier2 = _tampered(tmp_path / "b")
    text = (d2 / "checkpoint").read_text()
    (d2 / "checkpoint").write_text(text.replace("\n700\n", "\n701\n"))
    with pytest.raises(SignatureError, match="invalid signature for key"):
        Log.open(d2).verify(verifier2)
    _, stranger = new_keys()
    (d2 / "checkpoint").write_text(text)
    with pytest.raises(SignatureError, match="no verifiable signatures"):
        Log.open(d2).verify(stranger)
    assert issubclass(LogCorrupted, VerificationError)


def test_durable_writes_and_writer_reopen_check(tmp_path):
    signer, verifier = new_keys()
    d = tmp_path / "log"
    with Log.create(d, ORIGIN, signer) as log:  # durable: fsync files and directories
        for _ in range(3):
            log.append([os.urandom(50) for _ in range(300)])
    # a right-edge tile that disagrees with the checkpoint is refused when a writer opens
    p = d / "tile/0/003.p/132"
    data = bytearray(p.read_bytes())
    data[0] ^= 1
    p.write_bytes(bytes(data))
    with pytest.raises(LogCorrupted, match="root hash at size 900"):
        Log.open(d, signer)


def test_signed_checkpoint_caught_mid_rename_is_honoured(tmp_path):
    """A crash after the pending checkpoint was written to its temporary file but before the
    rename: a whole signature is adopted (never re-signed differently), a torn one ignored."""
    signer, verifier = new_keys()
    policy = LocalWitnesses(verifier, n=1, quorum=1)
    d = tmp_path / "log"
    with Log.create(d, ORIGIN, signer, policy, durable=False) as log:
        log.append([b"a", b"b"])
        policy.up = [False]
        with pytest.raises(QuorumNotReached):
            log.append([b"c"])
    staged = d / "..checkpoint.pending.tmp"
    os.rename(d / ".checkpoint.pending", staged)
    with Log.open(d, signer, durable=False) as log:
        assert (log.size, log.tree_size) == (2, 3)
        assert open_checkpoint(log.pending, verifier)[0].size == 3
    raw = (d / ".checkpoint.pending").read_bytes()
    (d / ".checkpoint.pending").unlink()
    staged.write_bytes(raw[:-20])  # torn
    with Log.open(d, signer, durable=False) as log:
        assert (log.size, log.tree_size, log.pending) == (2, 2, None)
        assert not staged.exists()
        log.append([b"c"])
        assert log.root == merkle.root_hash([merkle.leaf_hash(e) for e in (b"a", b"b", b"c")])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 600), min_size=1, max_size=6), st.integers(0, 5))
def test_any_batch_split_gives_the_same_files(tmp_path_factory, batches, reopen_at):
    """However the entries are split into batches (and the writer reopened), the tiles and the
    root are those of the whole tree, and verification passes."""
    signer, verifier = new_keys()
    d = tmp_path_factory.mktemp("log") / "log"
    total = sum(batches)
    entries = [i.to_bytes(3, "big") * (i % 5) for i in range(total)]
    log = Log.create(d, ORIGIN, signer, durable=False)
    pos = 0
    for k, n in enumerate(batches):
        if k == reopen_at:
            log.close()
            log = Log.open(d, signer, durable=False)
        log.append(entries[pos : pos + n])
        pos += n
    leaves = [merkle.leaf_hash(e) for e in entries]
    assert log.root == merkle.root_hash(leaves)
    for i in {0, total // 2, total - 1}:
        assert log.inclusion_proof(i) == merkle.inclusion_proof(leaves, i)
    log.verify(verifier)
    log.close()
