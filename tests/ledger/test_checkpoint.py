"""C2SP tlog-checkpoint: the note text, its parse errors, signature and origin checks."""

from __future__ import annotations

import pytest

from citytwin.ledger import (
    Checkpoint,
    MalformedError,
    SignatureError,
    open_checkpoint,
    parse_checkpoint_body,
    sign_note,
)
from ledger_support import new_keys

# C2SP tlog-cosignature's example checkpoint body
SOFA = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"


def test_parse_and_format_round_trip():
    cp = parse_checkpoint_body(SOFA)
    assert (cp.origin, cp.size, len(cp.root), cp.extensions) == ("example.com/behind-the-sofa", 20852163, 32, ())
    assert cp.body.decode() == SOFA
    ext = parse_checkpoint_body(SOFA + "extension one\nextension two\n")
    assert ext.extensions == ("extension one", "extension two")
    assert ext.body.decode() == SOFA + "extension one\nextension two\n"
    assert Checkpoint("o", 0, bytes(32)).text == "o\n0\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("example.com/x\n12\n", "expected origin, size and root lines, got 2"),
        ("\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "empty origin"),
        ("o\n012\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "tree size '012' is not a decimal"),
        ("o\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "tree size '-1'"),
        ("o\n1\nnot base64!\n", "root hash 'not base64!' is not base64"),
        ("o\n1\nAAAA\n", "root hash has 3 bytes, expected 32"),
        ("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=", "must end with a newline"),
        ("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n", "empty extension line"),
        ("o\n18446744073709551616\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "64 bits"),
    ],
)
def test_parse_errors_name_the_value(text, message):
    with pytest.raises(MalformedError, match=message):
        parse_checkpoint_body(text)


def test_open_checkpoint_checks_signature_and_origin():
    signer, verifier = new_keys()
    body = Checkpoint(signer.name, 5, bytes(range(32))).body
    note = sign_note(body, [signer])
    cp, opened = open_checkpoint(note, verifier)
    assert (cp.size, cp.root, cp.note) == (5, bytes(range(32)), note)
    assert opened.verified_by(verifier)
    with pytest.raises(SignatureError, match="origin: expected 'other'"):
        open_checkpoint(note, verifier, origin="other")
    _, stranger = new_keys()
    with pytest.raises(SignatureError, match="no verifiable signatures"):
        open_checkpoint(note, stranger)
    with pytest.raises(SignatureError, match="invalid signature"):
        open_checkpoint(note.replace(b"\n5\n", b"\n6\n"), verifier)
