"""Errors of chain anchoring, all rooted in :mod:`citytwin.errors`::

    CityTwinError
    ├── BadInputError
    │   └── AnchorRefused      the contract reverted a transaction (not a poster, size not larger, ...)
    ├── NotFoundError
    │   └── NoDeployment       no contract address: neither --contract, [anchor] contract, nor a deploy
    ├── ChainUnavailable       the JSON-RPC node cannot be reached or did not mine in time; retry later
    └── VerificationError
        └── ForkDetected       an anchored (tree size, root hash) disagrees with the log
"""

from __future__ import annotations

from citytwin.errors import BadInputError, CityTwinError, NotFoundError, VerificationError

__all__ = ["AnchorRefused", "ChainUnavailable", "ForkDetected", "NoDeployment"]


class AnchorRefused(BadInputError):
    """The contract refused a transaction; ``error`` is the Solidity custom error's name and
    ``args`` its decoded arguments (Solidity ABI spec, "Errors")."""

    def __init__(self, message: str, error: str = "", args: tuple = ()) -> None:
        super().__init__(message)
        self.error = error
        self.args_ = args


class NoDeployment(NotFoundError):
    """No anchoring contract is configured for this data directory."""


class ChainUnavailable(CityTwinError):
    """The node did not answer (EIP-1474 transport failure) or a transaction is still pending.

    Nothing is lost: a signed transaction that was sent is kept in the data directory and sent
    again, unchanged, by the next ``citytwin anchor post``.
    """


class ForkDetected(VerificationError):
    """An anchored checkpoint disagrees with the log. ``problems`` lists one message per fork."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])
