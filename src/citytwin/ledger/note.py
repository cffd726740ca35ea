"""Signed notes, keys and cosignatures (C2SP signed-note, C2SP tlog-cosignature).

Public names:

- :func:`generate_key` — a new Ed25519 key as signed-note texts ``(private, verifier)``.
- :class:`Signer` / :class:`Verifier` — Ed25519 note signatures, signature type 0x01
  (signed-note, "Ed25519 signatures").
- :class:`CosignatureSigner` / :class:`CosignatureVerifier` — timestamped Ed25519
  cosignatures ``cosignature/v1``, signature type 0x04 (tlog-cosignature, "Ed25519 signed message").
- :func:`sign_note` — body + signers → the signed note bytes.
- :func:`open_note` — signed note bytes + verifiers → a :class:`Note` holding the verified
  signatures; signatures of unknown keys are kept apart and never trusted.
- :func:`cosign` — one cosignature line for a signed checkpoint (what a witness returns).
- :func:`parse_note` — split a signed note into text and signature lines, verifying nothing.
- :func:`key_id` — ``SHA-256(name || 0x0A || type || public key)[:4]`` as an int.

Key texts (signed-note, "Verifier keys"; golang.org/x/mod/sumdb/note):
``PRIVATE+KEY+<name>+<hex key ID>+base64(type || 32-byte seed)`` and
``<name>+<hex key ID>+base64(type || 32-byte public key)``.

A witness key may be written with type 0x01 (as ``note.GenerateKey`` in Go writes it) or 0x04;
:class:`CosignatureSigner` and :class:`CosignatureVerifier` accept both and always sign and
verify with the type-0x04 key ID, as transparency-dev/formats does.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from citytwin.ledger.errors import MalformedError, SignatureError

__all__ = [
    "ALG_COSIGNATURE_V1",
    "ALG_ED25519",
    "CosignatureSigner",
    "CosignatureVerifier",
    "Note",
    "NoteSignature",
    "Signer",
    "Verifier",
    "cosign",
    "cosignature_message",
    "generate_key",
    "key_id",
    "open_note",
    "parse_note",
    "sign_note",
]

ALG_ED25519 = 0x01  # signed-note, "Signature types"
ALG_COSIGNATURE_V1 = 0x04  # tlog-cosignature, timestamped Ed25519
_SIG_PREFIX = "\u2014 "  # em dash, space (signed-note, "Format")
_MAX_SIGNATURES = 100  # the spec asks for at least 16; Go's note.Open allows 100
_COSIG_HEADER = b"cosignature/v1\n"
_MAX_TIMESTAMP = 2**63 - 1


def key_id(name: str, alg: int, public_key: bytes) -> int:
    """The 32-bit key ID of signed-note: ``SHA-256(name || 0x0A || alg || key)[:4]``, big-endian."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def _valid_name(name: str) -> bool:
    """Key names are non-empty, without Unicode spaces or '+' (signed-note, "Format")."""
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as e:
        raise MalformedError(f"{what}: expected standard base64 (RFC 4648 §4), got {text!r}") from e


def _parse_key(text: str, private: bool) -> tuple[str, int, int, bytes]:
    """Split a key text into (name, key ID, type, key material); checks form, not the key ID."""
    kind = "private key" if private else "verifier key"
    text = text.strip()
    if private:
        if not text.startswith("PRIVATE+KEY+"):
            want = "'PRIVATE+KEY+<name>+<hex id>+<base64>'"
            raise MalformedError(f"{kind}: expected {want}, got {text[:20]!r}…")
        text = text[len("PRIVATE+KEY+") :]
    parts = text.split("+", 2)
    if len(parts) != 3:
        shown = "…" if private else repr(text)
        raise MalformedError(f"{kind}: expected '<name>+<hex id>+<base64>', got {shown}")
    name, hex_id, b64 = parts
    if not _valid_name(name):
        raise MalformedError(f"{kind}: invalid key name {name!r} (non-empty, no spaces, no '+')")
    if len(hex_id) != 8 or any(c not in "0123456789abcdefABCDEF" for c in hex_id):
        raise MalformedError(f"{kind} {name}: key ID must be 8 hex digits, got {hex_id!r}")
    raw = _b64decode(b64, f"{kind} {name}")
    if len(raw) != 33:
        raise MalformedError(f"{kind} {name}: expected 1 type byte + 32 key bytes, got {len(raw)} bytes")
    return name, int(hex_id, 16), raw[0], raw[1:]


def _public_bytes(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _load_private(text: str, allowed: tuple[int, ...]) -> tuple[str, int, Ed25519PrivateKey, bytes]:
    name, kid, alg, seed = _parse_key(text, private=True)
    if alg not in allowed:
        raise MalformedError(f"private key {name}: signature type {alg:#04x}, expected one of "
                             + ", ".join(f"{a:#04x}" for a in allowed))
    private = Ed25519PrivateKey.from_private_bytes(seed)
    public = _public_bytes(private)
    if key_id(name, alg, public) != kid:
        raise MalformedError(f"private key {name}: key ID {kid:08x} does not match the key, "
                             f"expected {key_id(name, alg, public):08x}")
    return name, alg, private, public


def _load_public(text: str, allowed: tuple[int, ...]) -> tuple[str, int, bytes]:
    name, kid, alg, public = _parse_key(text, private=False)
    if alg not in allowed:
        raise MalformedError(f"verifier key {name}: signature type {alg:#04x}, expected one of "
                             + ", ".join(f"{a:#04x}" for a in allowed))
    if key_id(name, alg, public) != kid:
        raise MalformedError(f"verifier key {name}: key ID {kid:08x} does not match the key, "
                             f"expected {key_id(name, alg, public):08x}")
    return name, alg, public


def _vkey_text(name: str, alg: int, public: bytes) -> str:
    return f"{name}+{key_id(name, alg, public):08x}+{base64.b64encode(bytes([alg]) + public).decode()}"


def generate_key(name: str, alg: int = ALG_ED25519) -> tuple[str, str]:
    """A new Ed25519 key named ``name``: ``(private key text, verifier key text)``.

    ``alg`` is 0x01 for a log's note key, 0x04 for a witness's cosignature key (signed-note,
    "Verifier keys"; tlog-cosignature, "Format").
    """
    if not _valid_name(name):
        raise MalformedError(f"key name {name!r}: expected non-empty, no spaces, no '+'")
    if alg not in (ALG_ED25519, ALG_COSIGNATURE_V1):
        raise MalformedError(f"signature type {alg:#04x}: expected 0x01 or 0x04")
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes_raw()
    public = _public_bytes(private)
    kid = key_id(name, alg, public)
    priv_text = f"PRIVATE+KEY+{name}+{kid:08x}+{base64.b64encode(bytes([alg]) + seed).decode()}"
    return priv_text, _vkey_text(name, alg, public)


class NoteSigner(Protocol):
    """What :func:`sign_note` needs of a signer."""

    name: str
    key_id: int

    def signature(self, body: bytes) -> bytes: ...


class NoteVerifier(Protocol):
    """What :func:`open_note` needs of a verifier."""

    name: str
    key_id: int

    def verify(self, body: bytes, signature: bytes) -> bool: ...


class Signer:
    """An Ed25519 note signer, signature type 0x01 (signed-note, "Ed25519 signatures")."""

    def __init__(self, name: str, private: Ed25519PrivateKey) -> None:
        self.name = name
        self._private = private
        self.public_key = _public_bytes(private)
        self.key_id = key_id(name, ALG_ED25519, self.public_key)

    @classmethod
    def from_text(cls, text: str) -> Signer:
        """Parse ``PRIVATE+KEY+<name>+<hex id>+base64(0x01 || seed)``; the key ID must match."""
        name, _, private, _ = _load_private(text, (ALG_ED25519,))
        return cls(name, private)

    def signature(self, body: bytes) -> bytes:
        """The 64-byte Ed25519 signature of the note text ``body`` (RFC 8032)."""
        return self._private.sign(body)

    @property
    def verifier_text(self) -> str:
        """The verifier key text of this signer."""
        return _vkey_text(self.name, ALG_ED25519, self.public_key)

    def verifier(self) -> Verifier:
        return Verifier(self.name, self.public_key)


class Verifier:
    """An Ed25519 note verifier, signature type 0x01."""

    alg = ALG_ED25519

    def __init__(self, name: str, public_key: bytes) -> None:
        self.name = name
        self.public_key = public_key
        self.key_id = key_id(name, ALG_ED25519, public_key)
        self._public = Ed25519PublicKey.from_public_bytes(public_key)

    @classmethod
    def from_text(cls, text: str) -> Verifier:
        """Parse ``<name>+<hex id>+base64(0x01 || public key)``; the key ID must match."""
        name, _, public = _load_public(text, (ALG_ED25519,))
        return cls(name, public)

    @property
    def text(self) -> str:
        return _vkey_text(self.name, ALG_ED25519, self.public_key)

    def verify(self, body: bytes, signature: bytes) -> bool:
        if len(signature) != 64:
            return False
        try:
            self._public.verify(signature, body)
        except InvalidSignature:
            return False
        return True


def cosignature_message(body: bytes, timestamp: int) -> bytes:
    """The message an Ed25519 cosigner signs (tlog-cosignature, "Ed25519 signed message")."""
    return _COSIG_HEADER + b"time %d\n" % timestamp + body


class CosignatureSigner:
    """A witness's timestamped Ed25519 cosigner, ``cosignature/v1``, signature type 0x04."""

    def __init__(self, name: str, private: Ed25519PrivateKey) -> None:
        self.name = name
        self._private = private
        self.public_key = _public_bytes(private)
        self.key_id = key_id(name, ALG_COSIGNATURE_V1, self.public_key)

    @classmethod
    def from_text(cls, text: str) -> CosignatureSigner:
        """Parse a private key of type 0x04 or 0x01; it signs with the type-0x04 key ID."""
        name, _, private, _ = _load_private(text, (ALG_COSIGNATURE_V1, ALG_ED25519))
        return cls(name, private)

    def signature(self, body: bytes, timestamp: int | None = None) -> bytes:
        """``timestamped_signature``: u64 big-endian POSIX time [s] || 64-byte Ed25519 signature."""
        ts = int(time.time()) if timestamp is None else timestamp
        if not 0 <= ts <= _MAX_TIMESTAMP:
            raise MalformedError(f"cosignature timestamp {ts}: expected 0..2^63-1")
        return ts.to_bytes(8, "big") + self._private.sign(cosignature_message(body, ts))

    @property
    def verifier_text(self) -> str:
        return _vkey_text(self.name, ALG_COSIGNATURE_V1, self.public_key)

    def verifier(self) -> CosignatureVerifier:
        return CosignatureVerifier(self.name, self.public_key)


class CosignatureVerifier:
    """Verifies ``cosignature/v1`` signatures (type 0x04) of one witness."""

    alg = ALG_COSIGNATURE_V1

    def __init__(self, name: str, public_key: bytes) -> None:
        self.name = name
        self.public_key = public_key
        self.key_id = key_id(name, ALG_COSIGNATURE_V1, public_key)
        self._public = Ed25519PublicKey.from_public_bytes(public_key)

    @classmethod
    def from_text(cls, text: str) -> CosignatureVerifier:
        """Parse a verifier key of type 0x04 (or 0x01, converted to the type-0x04 key ID)."""
        name, _, public = _load_public(text, (ALG_COSIGNATURE_V1, ALG_ED25519))
        return cls(name, public)

    @property
    def text(self) -> str:
        return _vkey_text(self.name, ALG_COSIGNATURE_V1, self.public_key)

    @staticmethod
    def timestamp(signature: bytes) -> int:
        """The POSIX time [s] carried by a 72-byte cosignature."""
        if len(signature) != 72:
            got = len(signature)
            raise MalformedError(f"cosignature: expected 72 bytes (timestamp + Ed25519), got {got}")
        return int.from_bytes(signature[:8], "big")

    def verify(self, body: bytes, signature: bytes) -> bool:
        if len(signature) != 72:
            return False
        ts = int.from_bytes(signature[:8], "big")
        if ts > _MAX_TIMESTAMP:
            return False
        try:
            self._public.verify(signature[8:], cosignature_message(body, ts))
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: key name, key ID and the signature bytes after the key ID."""

    name: str
    key_id: int
    signature: bytes

    @property
    def line(self) -> str:
        """The signature line ``— <name> base64(key ID || signature)\\n``."""
        raw = self.key_id.to_bytes(4, "big") + self.signature
        return f"{_SIG_PREFIX}{self.name} {base64.b64encode(raw).decode()}\n"


@dataclass
class Note:
    """An opened note: its text (``body``), verified signatures, and those of unknown keys."""

    body: bytes
    signatures: list[NoteSignature] = field(default_factory=list)
    unverified: list[NoteSignature] = field(default_factory=list)

    def verified_by(self, verifier: NoteVerifier) -> bool:
        return any(s.name == verifier.name and s.key_id == verifier.key_id for s in self.signatures)


def _check_text(data: bytes, what: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise MalformedError(f"{what}: not valid UTF-8 at byte {e.start}") from e
    for i, ch in enumerate(text):
        if ch < " " and ch != "\n":
            raise MalformedError(f"{what}: control character {ch!r} at position {i} (only newline allowed)")
    return text


def sign_note(body: bytes | str, signers: Iterable[NoteSigner]) -> bytes:
    """The signed note: ``body``, a blank line, one signature line per signer (signed-note, "Format")."""
    data = body.encode() if isinstance(body, str) else bytes(body)
    text = _check_text(data, "note text")
    if not text.endswith("\n"):
        raise MalformedError(f"note text must end with a newline, got …{text[-20:]!r}")
    lines = [NoteSignature(s.name, s.key_id, s.signature(data)).line for s in signers]
    if not lines:
        raise MalformedError("a signed note needs at least one signer, got none")
    return data + b"\n" + "".join(lines).encode()


def parse_note(data: bytes | str) -> tuple[bytes, list[NoteSignature]]:
    """Split a signed note into its text and its signature lines, without verifying anything."""
    raw = data.encode() if isinstance(data, str) else bytes(data)
    text = _check_text(raw, "signed note")
    split = text.rfind("\n\n")
    if split < 0:
        raise MalformedError("signed note: no blank line separates the text from the signatures")
    body, sig_text = text[: split + 1], text[split + 2 :]
    if not sig_text or not sig_text.endswith("\n"):
        raise MalformedError("signed note: expected signature lines ending in a newline after the blank line")
    lines = sig_text[:-1].split("\n")
    if len(lines) > _MAX_SIGNATURES:
        raise MalformedError(f"signed note: {len(lines)} signatures, at most {_MAX_SIGNATURES} accepted")
    sigs = []
    for n, line in enumerate(lines, 1):
        if not line.startswith(_SIG_PREFIX):
            raise MalformedError(f"signed note: signature line {n} {line[:40]!r} does not start with '— '")
        name, sep, b64 = line[len(_SIG_PREFIX) :].partition(" ")
        if not sep or not _valid_name(name):
            raise MalformedError(f"signed note: signature line {n} has invalid key name {name!r}")
        sig = _b64decode(b64, f"signed note: signature line {n} ({name})")
        if len(sig) < 5:
            got = len(sig)
            raise MalformedError(f"signed note: signature line {n} ({name}) has {got} bytes, expected ≥ 5")
        sigs.append(NoteSignature(name, int.from_bytes(sig[:4], "big"), sig[4:]))
    return body.encode(), sigs


def open_note(data: bytes | str, verifiers: Sequence[NoteVerifier]) -> Note:
    """Parse and verify a signed note (signed-note, "Signatures").

    Signatures whose (name, key ID) match no verifier are ignored (kept in ``unverified``).
    A known key's failing signature raises :class:`SignatureError`; so does a note that no
    known key signed.
    """
    body, sigs = parse_note(data)
    by_id: dict[tuple[str, int], NoteVerifier] = {}
    ambiguous: set[tuple[str, int]] = set()
    for v in verifiers:
        k = (v.name, v.key_id)
        if k in by_id and by_id[k] is not v:
            ambiguous.add(k)
        by_id[k] = v
    note = Note(body)
    seen: set[tuple[str, int]] = set()
    for s in sigs:
        k = (s.name, s.key_id)
        v = by_id.get(k)
        if v is None:
            if s not in note.unverified:
                note.unverified.append(s)
            continue
        if k in ambiguous:
            raise MalformedError(f"ambiguous key {s.name}+{s.key_id:08x}: two verifiers share name and ID")
        if not v.verify(body, s.signature):
            first = body.split(b"\n", 1)[0].decode()
            raise SignatureError(f"invalid signature for key {s.name}+{s.key_id:08x} on note {first!r}")
        if k not in seen:
            seen.add(k)
            note.signatures.append(s)
    if not note.signatures:
        known = ", ".join(f"{v.name}+{v.key_id:08x}" for v in verifiers) or "none"
        found = ", ".join(f"{s.name}+{s.key_id:08x}" for s in sigs)
        raise SignatureError(f"note has no verifiable signatures: expected one of [{known}], got [{found}]")
    return note


def cosign(signed_note: bytes | str, cosigner: CosignatureSigner, timestamp: int | None = None) -> str:
    """A witness's cosignature line for a signed checkpoint (tlog-cosignature, "Format").

    Only the note text is signed; the caller must already have verified the log's signature.
    """
    body, _ = parse_note(signed_note)
    return NoteSignature(cosigner.name, cosigner.key_id, cosigner.signature(body, timestamp)).line
