"""Offline proof bundles (C2SP tlog-proof): make, parse and verify with a witness policy.

A bundle is ``c2sp.org/tlog-proof@v1``, an optional ``extra <base64>`` line, ``index <N>``,
the inclusion proof (one base64 hash per line, leaf's sibling first), a blank line, and the
checkpoint verbatim (tlog-proof, "Format"). citytwin puts the entry itself in ``extra`` unless
asked not to: it is trusted only because its leaf hash verifies against the signed root.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass

from citytwin.ledger.checkpoint import Checkpoint, open_checkpoint
from citytwin.ledger.errors import BadInputError, MalformedError, QuorumNotReached
from citytwin.ledger.merkle import leaf_hash as _leaf_hash
from citytwin.ledger.merkle import verify_inclusion
from citytwin.ledger.note import NoteVerifier

__all__ = ["HEADER", "TLogProof", "VerifiedProof", "format_proof", "parse_proof", "verify_proof"]

HEADER = "c2sp.org/tlog-proof@v1"
_MAX_HASHES = 63  # a tree of up to 2**63 leaves


@dataclass(frozen=True)
class TLogProof:
    """A parsed bundle: entry ``index``, inclusion proof ``hashes``, signed ``checkpoint`` note, ``extra``."""

    index: int
    hashes: tuple[bytes, ...]
    checkpoint: bytes
    extra: bytes | None = None


@dataclass(frozen=True)
class VerifiedProof:
    """What a verified bundle establishes."""

    index: int
    checkpoint: Checkpoint
    leaf_hash: bytes
    entry_source: str  # "entry" (given by the caller), "leaf hash" or "extra" (from the bundle)
    witnesses: tuple[str, ...]  # names of the witnesses whose cosignatures verified


def format_proof(
    index: int, hashes: Sequence[bytes], checkpoint: bytes | str, extra: bytes | None = None
) -> str:
    """The bundle text (tlog-proof, "Format")."""
    lines = [HEADER]
    if extra is not None:
        lines.append("extra " + base64.b64encode(extra).decode())
    lines.append(f"index {index}")
    lines.extend(base64.b64encode(h).decode() for h in hashes)
    note = checkpoint.decode() if isinstance(checkpoint, bytes) else checkpoint
    return "\n".join(lines) + "\n\n" + note


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as e:
        raise MalformedError(f"{what}: expected base64, got {text[:60]!r}") from e


def parse_proof(data: bytes | str) -> TLogProof:
    """Parse a bundle; :class:`MalformedError` names the first bad line."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise MalformedError(f"proof: not valid UTF-8 at byte {e.start}") from e
    head, sep, note = data.partition("\n\n")
    if not sep:
        raise MalformedError("proof: expected a blank line before the checkpoint, found none")
    lines = head.split("\n")
    if lines[0] != HEADER:
        raise MalformedError(f"proof line 1: expected {HEADER!r}, got {lines[0][:60]!r}")
    pos, extra = 1, None
    if pos < len(lines) and lines[pos].startswith("extra "):
        extra = _b64(lines[pos][6:], f"proof line {pos + 1} (extra)")
        pos += 1
    if pos >= len(lines) or not lines[pos].startswith("index "):
        got = lines[pos][:60] if pos < len(lines) else "end of header"
        raise MalformedError(f"proof line {pos + 1}: expected 'index <N>', got {got!r}")
    text = lines[pos][6:]
    if not text.isascii() or not text.isdigit() or (text != "0" and text[0] == "0"):
        raise MalformedError(f"proof line {pos + 1}: index {text!r} is not a decimal without leading zeros")
    index = int(text)
    if index >= 1 << 64:
        raise MalformedError(f"proof line {pos + 1}: index {text} does not fit in 64 bits")
    hashes = []
    for n, line in enumerate(lines[pos + 1 :], pos + 2):
        h = _b64(line, f"proof line {n} (inclusion proof hash)")
        if len(h) != 32:
            raise MalformedError(f"proof line {n}: hash of {len(h)} bytes, expected 32")
        hashes.append(h)
    if len(hashes) > _MAX_HASHES:
        raise MalformedError(f"proof: {len(hashes)} inclusion proof hashes, at most {_MAX_HASHES}")
    if not note:
        raise MalformedError("proof: the checkpoint after the blank line is missing")
    return TLogProof(index, tuple(hashes), note.encode(), extra)


def verify_proof(
    data: bytes | str,
    log_verifier: NoteVerifier,
    *,
    entry: bytes | None = None,
    leaf_hash: bytes | None = None,
    witnesses: Sequence[NoteVerifier] = (),
    quorum: int | None = None,
    origin: str | None = None,
) -> VerifiedProof:
    """Verify a bundle offline against the log key and a k-of-n witness policy (tlog-proof).

    The leaf is ``entry`` if given, else ``leaf_hash``, else the bundle's ``extra`` bytes.
    ``quorum`` defaults to all ``witnesses``. Raises :class:`SignatureError`,
    :class:`QuorumNotReached` or :class:`ProofError` (all ``VerificationError``), or
    :class:`MalformedError` for a bundle that does not parse.
    """
    bundle = parse_proof(data)
    witnesses = list({(w.name, w.key_id): w for w in witnesses}.values())
    need = len(witnesses) if quorum is None else quorum
    if not 0 <= need <= len(witnesses):
        raise BadInputError(f"quorum {need}: expected 0..{len(witnesses)} (the number of witness keys)")
    cp, note = open_checkpoint(bundle.checkpoint, log_verifier, origin=origin, cosigners=witnesses)
    cosigned = tuple(w.name for w in witnesses if note.verified_by(w))
    if len(cosigned) < need:
        names = ", ".join(cosigned) or "none"
        raise QuorumNotReached(f"checkpoint {cp.origin} at size {cp.size}: expected cosignatures of at least "
                               f"{need} of {len(witnesses)} witnesses, got {len(cosigned)} ({names})",
                               got=len(cosigned), needed=need)
    if entry is not None:
        leaf, source = _leaf_hash(entry), "entry"
    elif leaf_hash is not None:
        leaf, source = leaf_hash, "leaf hash"
    elif bundle.extra is not None:
        leaf, source = _leaf_hash(bundle.extra), "extra"
    else:
        raise BadInputError("proof has no 'extra' entry and no entry was given: pass the entry to check")
    verify_inclusion(leaf, bundle.index, cp.size, bundle.hashes, cp.root)
    return VerifiedProof(bundle.index, cp, leaf, source, cosigned)
