"""C2SP signed-note and tlog-cosignature: vectors of golang.org/x/mod/sumdb/note and
transparency-dev/formats, pinned byte for byte."""

from __future__ import annotations

import base64

import pytest

from citytwin.ledger import MalformedError, SignatureError
from citytwin.ledger.note import (
    ALG_COSIGNATURE_V1,
    ALG_ED25519,
    CosignatureSigner,
    CosignatureVerifier,
    Signer,
    Verifier,
    cosign,
    cosignature_message,
    generate_key,
    key_id,
    open_note,
    sign_note,
)

# golang.org/x/mod/sumdb/note note_test.go
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
PETER_SIG = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"  # noqa: E501 (published vector)
ENOCH_SIG = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"  # noqa: E501 (published vector)


def test_sign_matches_go_byte_for_byte():
    signed = sign_note(TEXT, [Signer.from_text(PETER_SKEY)])
    assert signed.decode() == TEXT + "\n" + PETER_SIG


def test_signer_and_verifier_agree_with_go_key_ids():
    s = Signer.from_text(PETER_SKEY)
    v = Verifier.from_text(PETER_VKEY)
    assert s.key_id == v.key_id == 0xC74F20A3
    assert s.verifier_text == PETER_VKEY
    assert v.text == PETER_VKEY
    assert key_id("PeterNeumann", ALG_ED25519, v.public_key) == 0xC74F20A3


def test_open_one_known_one_unknown():
    note = open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [Verifier.from_text(PETER_VKEY)])
    assert note.body == TEXT.encode()
    assert [s.name for s in note.signatures] == ["PeterNeumann"]
    assert [s.name for s in note.unverified] == ["EnochRoot"]
    both = open_note(
        TEXT + "\n" + PETER_SIG + ENOCH_SIG, [Verifier.from_text(PETER_VKEY), Verifier.from_text(ENOCH_VKEY)]
    )
    assert [s.name for s in both.signatures] == ["PeterNeumann", "EnochRoot"]


def test_open_without_known_key_fails():
    with pytest.raises(SignatureError, match="no verifiable signatures"):
        open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [])


def test_invalid_signature_of_known_key_fails():
    bad = PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    with pytest.raises((SignatureError, MalformedError)):
        open_note(TEXT + "\n" + bad, [Verifier.from_text(PETER_VKEY)])
    flipped = base64.b64decode(PETER_SIG.split()[-1])
    flipped = flipped[:10] + bytes([flipped[10] ^ 1]) + flipped[11:]
    line = "— PeterNeumann " + base64.b64encode(flipped).decode() + "\n"
    with pytest.raises(SignatureError, match="invalid signature for key PeterNeumann\\+c74f20a3"):
        open_note(TEXT + "\n" + line, [Verifier.from_text(PETER_VKEY)])


def test_duplicate_signatures_count_once():
    note = open_note(TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG, [Verifier.from_text(PETER_VKEY)])
    assert len(note.signatures) == 1


@pytest.mark.parametrize(
    "msg",
    [
        TEXT,
        TEXT + "\n",
        TEXT + "\n" + PETER_SIG[:-1],
        "\x01" + TEXT + "\n" + PETER_SIG,
        TEXT
        + "\n"
        + "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",  # noqa: E501 (published vector)
        TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
        TEXT + "\n" + PETER_SIG * 101,
    ],
)
def test_malformed_notes_go_cases(msg):
    with pytest.raises(MalformedError):
        open_note(msg, [Verifier.from_text(PETER_VKEY)])


def test_invalid_utf8_is_malformed():
    with pytest.raises(MalformedError, match="UTF-8"):
        open_note(b"\xff" + TEXT.encode() + b"\n" + PETER_SIG.encode(), [Verifier.from_text(PETER_VKEY)])


def test_mangled_keys_are_refused():
    """As note_test.go: every proper substring and every single-byte change of a key fails."""
    for key, parse in ((PETER_VKEY, Verifier.from_text), (PETER_SKEY, Signer.from_text)):
        b = key.encode()
        for i in range(len(b) + 1):
            for j in range(i + 1, len(b) + 1):
                if i == 0 and j == len(b):
                    continue
                with pytest.raises(MalformedError):
                    parse(b[i:j].decode())
        for i in range(len(b)):
            mangled = b[:i] + bytes([b[i] + 1]) + b[i + 1 :]
            with pytest.raises(MalformedError):
                parse(mangled.decode("latin-1"))
    with pytest.raises(MalformedError, match="33|type"):
        Verifier.from_text("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==")
    with pytest.raises(MalformedError, match="signature type 0x65"):
        Verifier.from_text("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")


def test_generate_key_round_trip():
    priv, vkey = generate_key("example.org/log")
    assert priv.startswith("PRIVATE+KEY+example.org/log+")
    signer, verifier = Signer.from_text(priv), Verifier.from_text(vkey)
    assert signer.verifier_text == vkey
    note = open_note(sign_note(b"hello\n", [signer]), [verifier])
    assert note.verified_by(verifier)
    with pytest.raises(MalformedError, match="key name 'bad name'"):
        generate_key("bad name")


def test_sign_note_refuses_bad_text():
    s = Signer.from_text(PETER_SKEY)
    with pytest.raises(MalformedError, match="end with a newline"):
        sign_note("abc", [s])
    with pytest.raises(MalformedError, match="control character"):
        sign_note("a\tb\n", [s])


# transparency-dev/formats note/note_cosigv1_test.go
def test_cosignature_verifier_keys_of_transparency_dev():
    native = CosignatureVerifier.from_text(
        "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
    )
    assert native.key_id == 0xDA77ADE7
    converted = CosignatureVerifier.from_text("TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6")
    assert converted.key_id == key_id("TEST", ALG_COSIGNATURE_V1, converted.public_key)
    for bad in (
        "bananas.sigstore.dev+12344556",
        "rekor.sigstore.dev+12345678+THIS_IS_NOT_BASE64!",
        "rekor.sigstore.dev+12345678+AwEB",
    ):
        with pytest.raises(MalformedError):
            CosignatureVerifier.from_text(bad)


def test_cosignature_timestamp_of_transparency_dev():
    sig = base64.b64decode(
        "ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA=="  # noqa: E501 (published vector)
    )
    assert CosignatureVerifier.timestamp(sig[4:]) == 1727964367
    with pytest.raises(MalformedError, match="72 bytes"):
        CosignatureVerifier.timestamp(b"\x00" * 64)


def test_cosignature_message_is_c2sp():
    body = b"example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    assert cosignature_message(body, 1679315147) == b"cosignature/v1\ntime 1679315147\n" + body


def test_cosign_and_open_with_log_and_witness():
    log_priv, log_vkey = generate_key("example.org/log")
    w_priv, w_vkey = generate_key("witness.example/w1", ALG_COSIGNATURE_V1)
    signed = sign_note(
        b"example.org/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", [Signer.from_text(log_priv)]
    )
    line = cosign(signed, CosignatureSigner.from_text(w_priv), timestamp=1700000000)
    raw = base64.b64decode(line.split()[-1])
    assert len(raw) == 4 + 8 + 64 and int.from_bytes(raw[4:12], "big") == 1700000000
    witness = CosignatureVerifier.from_text(w_vkey)
    note = open_note(signed + line.encode(), [Verifier.from_text(log_vkey), witness])
    assert note.verified_by(witness)
    # the log's Ed25519 key cannot stand in for the cosignature key and vice versa
    assert CosignatureVerifier.from_text(w_vkey).key_id != Verifier(witness.name, witness.public_key).key_id
    # a 0x01 private key also cosigns, under the 0x04 key ID
    cs = CosignatureSigner.from_text(PETER_SKEY)
    assert cs.key_id == key_id("PeterNeumann", ALG_COSIGNATURE_V1, Verifier.from_text(PETER_VKEY).public_key)
    tampered = signed.replace(b"\n1\n", b"\n2\n") + line.encode()
    with pytest.raises(SignatureError):
        open_note(tampered, [witness])
