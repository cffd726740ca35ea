"""citytwin.ledger — a C2SP transparency log in Python.

RFC 9162 Merkle tree (:mod:`.merkle`), C2SP tlog-tiles storage (:mod:`.tiles`, :mod:`.log`),
C2SP signed-note keys, signatures and cosignatures (:mod:`.note`), C2SP tlog-checkpoint
(:mod:`.checkpoint`) and C2SP tlog-proof bundles (:mod:`.proof`). It imports nothing of
citytwin but :mod:`citytwin.errors`.
"""

from __future__ import annotations

from citytwin.ledger import merkle, tiles
from citytwin.ledger.checkpoint import Checkpoint, open_checkpoint, parse_checkpoint_body
from citytwin.ledger.errors import (
    EntryTooLarge,
    LogCorrupted,
    LogLocked,
    MalformedError,
    ProofError,
    QuorumNotReached,
    SignatureError,
)
from citytwin.ledger.log import Log
from citytwin.ledger.note import (
    CosignatureSigner,
    CosignatureVerifier,
    Note,
    Signer,
    Verifier,
    cosign,
    generate_key,
    open_note,
    sign_note,
)
from citytwin.ledger.proof import TLogProof, VerifiedProof, format_proof, parse_proof, verify_proof

__all__ = [
    "Checkpoint",
    "CosignatureSigner",
    "CosignatureVerifier",
    "EntryTooLarge",
    "Log",
    "LogCorrupted",
    "LogLocked",
    "MalformedError",
    "Note",
    "ProofError",
    "QuorumNotReached",
    "SignatureError",
    "TLogProof",
    "VerifiedProof",
    "Signer",
    "Verifier",
    "cosign",
    "format_proof",
    "generate_key",
    "merkle",
    "open_checkpoint",
    "open_note",
    "parse_checkpoint_body",
    "parse_proof",
    "sign_note",
    "tiles",
    "verify_proof",
]
