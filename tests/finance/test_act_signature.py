"""The signed bytes of an act (orjson fast path against the RFC 8785 encoder) and the libsodium check."""

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citytwin.errors import BadInputError
from citytwin.finance.act_signature import CONTEXT, ActKey, act_bytes
from citytwin.finance.registry import sign_act
from citytwin.ledger.note import Signer, generate_key
from citytwin.twin.canonical import canonicalize

EVERY_CODE_POINT = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)

json_values = st.recursive(
    st.none() | st.booleans() | st.text() | st.integers(-(2**60), 2**60)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


def test_every_code_point_is_written_as_rfc8785_writes_it():
    assert act_bytes({"s": EVERY_CODE_POINT}) == canonicalize({"s": EVERY_CODE_POINT})


@settings(max_examples=120, deadline=None)
@given(json_values)
def test_act_bytes_are_the_rfc8785_bytes(value):
    try:
        expected = canonicalize(value)
    except BadInputError:  # an integer beyond 2^53: refused alike
        with pytest.raises(BadInputError):
            act_bytes(value)
        return
    assert act_bytes(value) == expected


def test_names_and_numbers_outside_the_fast_path():
    value = {"é": 1, "z": 1e21, "\U0001f600": [100.0, 2**53], "\uff61": None}  # UTF-16 order: U+D83D < U+FF61
    assert act_bytes(value) == canonicalize(value)
    assert act_bytes(value).startswith('{"z":1e+21,"é":1,"\U0001f600":[100,9007199254740992]'.encode())


def test_text_that_is_not_json_is_refused_by_name():
    with pytest.raises(BadInputError, match="not JSON text"):
        act_bytes({"beneficiary": "\ud800"})
    with pytest.raises(BadInputError, match="IEEE 754"):
        act_bytes({"quantity": 2**53 + 1})


def test_libsodium_check_accepts_the_signers_signature_only():
    signer, other = (Signer.from_text(generate_key(name)[0]) for name in ("alice", "bob"))
    body = {"seq": 0, "principal": "alice", "act": "genesis", "key": signer.verifier_text}
    message = CONTEXT + act_bytes(body)
    signature = signer.signature(message)
    key = ActKey(signer.verifier_text)
    assert key.name == "alice" and key.verify(message, signature)
    assert not key.verify(message + b" ", signature)
    assert not key.verify(message, signature[:-1])
    assert not key.verify(message, bytes([signature[0] ^ 1]) + signature[1:])
    assert not ActKey(other.verifier_text).verify(message, signature)
    assert sign_act(signer, body).signature == sign_act(signer, dict(reversed(body.items()))).signature
