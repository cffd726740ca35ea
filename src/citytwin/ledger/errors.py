"""Errors of the ledger, all rooted in :mod:`citytwin.errors`::

    CityTwinError
    ├── BadInputError
    │   ├── EntryTooLarge        an entry longer than 65,535 bytes (C2SP tlog-tiles, entry bundles)
    │   └── MalformedError       a note, key, checkpoint, tile or proof that does not parse
    ├── NotFoundError
    └── VerificationError
        ├── ProofError           an inclusion or consistency proof does not hold (RFC 9162 §2.1.3-2.1.4)
        ├── SignatureError       a note signature from a known key fails, or no known key signed
        ├── QuorumNotReached     fewer than k of the n witnesses cosigned (C2SP tlog-witness)
        └── LogCorrupted         stored tiles, entries or checkpoint disagree with each other
    LogLocked (BadInputError)    another writer holds the log directory
"""

from __future__ import annotations

from citytwin.errors import BadInputError, CityTwinError, NotFoundError, VerificationError

__all__ = [
    "BadInputError",
    "CityTwinError",
    "EntryTooLarge",
    "LogCorrupted",
    "LogLocked",
    "MalformedError",
    "NotFoundError",
    "ProofError",
    "QuorumNotReached",
    "SignatureError",
    "VerificationError",
]


class ProofError(VerificationError):
    """A Merkle inclusion or consistency proof does not verify (RFC 9162 §2.1.3.2, §2.1.4.2)."""


class SignatureError(VerificationError):
    """A signed note has a bad signature from a known key, or no signature from any known key."""


class QuorumNotReached(VerificationError):
    """Fewer cosignatures than the witness policy requires (C2SP tlog-witness, tlog-policy).

    ``got`` and ``needed`` carry the counts.
    """

    def __init__(self, message: str, got: int = 0, needed: int = 0) -> None:
        super().__init__(message)
        self.got = got
        self.needed = needed


class LogCorrupted(VerificationError):
    """The files of a log disagree: a tile, an entry bundle or the checkpoint was altered or lost."""


class MalformedError(BadInputError):
    """Text or bytes that do not follow the C2SP format they claim (note, key, checkpoint, proof, tile)."""


class EntryTooLarge(BadInputError):
    """An entry longer than 65,535 bytes, the bound of C2SP tlog-tiles entry bundles (uint16 length)."""


class LogLocked(BadInputError):
    """Another process holds the writer lock of the log directory (one writer per log)."""
