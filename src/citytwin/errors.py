"""The error tree of citytwin.

Every error raised by library code is a :class:`CityTwinError`; the CLI catches it once
and exits non-zero with its message::

    CityTwinError
    ├── BadInputError        input that does not meet the expected form (CLI exit 2)
    │   └── RecordRejected   one record refused by validation; carries the record and the reason
    ├── NotFoundError        a named entity, file or key does not exist (CLI exit 2)
    └── VerificationError    a check failed: a proof, a signature, a stored row (CLI exit 1)

This module imports nothing, so that every package, the ledger included, may use it.
"""

from __future__ import annotations

__all__ = ["BadInputError", "CityTwinError", "NotFoundError", "RecordRejected", "VerificationError"]


class CityTwinError(Exception):
    """Base of every citytwin error. The message names the bad value and what was expected."""


class BadInputError(CityTwinError, ValueError):
    """Input that does not have the expected form, type, unit or range."""


class RecordRejected(BadInputError):
    """One record refused by validation.

    ``record`` is the raw record as received and ``reason`` the human-readable cause.
    """

    def __init__(self, reason: str, record: object = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.record = record


class NotFoundError(CityTwinError, LookupError):
    """A named entity, file, key or log entry does not exist."""


class VerificationError(CityTwinError):
    """A verification failed: a proof, a signature, a checkpoint or a stored row."""
