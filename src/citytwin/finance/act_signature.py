"""The signed bytes of a registry act and their Ed25519 check, at the registry's rate.

Bytes: an act is signed over ``CONTEXT`` followed by the RFC 8785 (JSON Canonicalization
Scheme) bytes of its body. :func:`act_bytes` gives them with orjson (sorted keys, no whitespace)
when the body is *plain* — objects with ASCII member names, strings, integers within ±2^53,
booleans, null and arrays of them — for which orjson's output is the RFC 8785 output: ASCII
names sort the same by UTF-16 code units (§3.2.3) as by bytes, orjson escapes strings as §3.2.2.2
does (``tests/finance/test_act_signature.py`` compares every code point), and such integers are
written as ECMAScript writes them (§3.2.2.3). Any other body (a float, a non-ASCII name, a
subclass of ``str``...) goes through :func:`citytwin.twin.canonical.canonicalize`.

Check: Ed25519 (RFC 8032 §5.1.7) by libsodium (``crypto_sign_open``, through PyNaCl), about
1.8 times as many verifications per CPU second as pyca/cryptography's OpenSSL binding on this
machine (12,121 against 6,570 in one run of ``bench/bench_registry.py``, which measures both).
libsodium also refuses signatures whose ``R`` or key is of small order, which only a forger makes
and OpenSSL accepted: a log holding such an act verified before and is refused now. The key text is parsed (signed-note
verifier key: name, key ID, Ed25519 public key) once per key and the parsed key kept.
"""

from __future__ import annotations

import orjson
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from citytwin.errors import BadInputError
from citytwin.ledger.note import Verifier
from citytwin.twin.canonical import canonicalize

__all__ = ["CONTEXT", "ActKey", "act_bytes", "act_key", "failures"]

CONTEXT = b"citytwin.finance.registry/v1\n"
_LIMIT = 2**53
_SIGNATURE_BYTES = 64


def _plain(value: object) -> bool:
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        return -_LIMIT <= value <= _LIMIT
    if kind is list:
        return all(map(_plain, value))
    if kind is dict:
        return all(type(k) is str and k.isascii() and _plain(v) for k, v in value.items())
    return False


def act_bytes(body: object) -> bytes:
    """The RFC 8785 canonical bytes of ``body``; :class:`BadInputError` if it is not JSON."""
    try:
        if _plain(body):
            return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
        return canonicalize(body)
    except (TypeError, UnicodeEncodeError) as e:  # orjson and UTF-8 refuse lone surrogates
        raise BadInputError(f"{body!r} is not JSON text: {e}") from e


class ActKey:
    """A principal's parsed Ed25519 key: its signed-note ``name`` and a libsodium verify key."""

    def __init__(self, text: str) -> None:
        verifier = Verifier.from_text(text)
        self.name = verifier.name
        self._key = VerifyKey(verifier.public_key)

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (64 bytes) is this key's Ed25519 signature of ``message``."""
        if len(signature) != _SIGNATURE_BYTES:
            return False
        try:
            self._key.verify(message, signature)
        except BadSignatureError:
            return False
        return True


def act_key(cache: dict[str, ActKey], text: str) -> ActKey:
    """The parsed key of ``text`` from ``cache``, parsed and kept there on first use; raises
    :class:`BadInputError` or ``ValueError`` if ``text`` is not an Ed25519 verifier key."""
    key = cache.get(text)
    if key is None:
        key = cache[text] = ActKey(text)
    return key


_PROCESS_KEYS: dict[str, ActKey] = {}  # parsed keys of this process (a worker's, when run in a pool)


def failures(work: list[tuple[str, bytes, bytes]]) -> list[int]:
    """The positions in ``work`` of the ``(key text, message, signature)`` that do not verify,
    a key that does not parse included; run in a worker process of a pool (``registry_log``)."""
    bad = []
    for i, (text, message, signature) in enumerate(work):
        try:
            ok = act_key(_PROCESS_KEYS, text).verify(message, signature)
        except (BadInputError, ValueError):
            ok = False
        if not ok:
            bad.append(i)
    return bad
