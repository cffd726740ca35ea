"""The chain account that posts anchors: a secp256k1 key in ``<data>/keys/chain.key``.

The file holds one line, the 32-byte private key in hex (``0x``-prefixed), mode 0600. The key is
only ever used to sign transactions locally (EIP-155 replay protection, sent with
``eth_sendRawTransaction``, EIP-1474), so the node never holds it; it is never printed, logged
or put in an error message: only the account's address is.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from citytwin.errors import BadInputError, NotFoundError

__all__ = ["CHAIN_KEY_NAME", "ChainAccount", "create_chain_key", "load_chain_key"]

CHAIN_KEY_NAME = "chain.key"


class ChainAccount:
    """A local signing account whose ``repr`` shows the address only."""

    def __init__(self, account: LocalAccount) -> None:
        self._account = account

    @property
    def address(self) -> str:
        """The checksummed address (EIP-55)."""
        return self._account.address

    def sign_transaction(self, tx: dict) -> bytes:
        """The signed raw transaction bytes for ``eth_sendRawTransaction``."""
        return bytes(self._account.sign_transaction(tx).raw_transaction)

    def __repr__(self) -> str:
        return f"ChainAccount({self.address})"

    __str__ = __repr__

    @classmethod
    def from_key(cls, key: bytes | str) -> ChainAccount:
        try:
            return cls(Account.from_key(key))
        except (ValueError, TypeError) as e:
            raise BadInputError("chain key: expected 32 bytes of hex (a secp256k1 private key)") from e

    @classmethod
    def generate(cls) -> tuple[ChainAccount, str]:
        """A fresh account and its key as hex text (for the key file only)."""
        acct = Account.create()
        return cls(acct), "0x" + bytes(acct.key).hex()


def load_chain_key(path: Path) -> ChainAccount:
    """Read the key file; refuse one readable by group or others."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError as e:
        raise NotFoundError(f"chain key {path}: no such file; `citytwin anchor deploy` creates one, "
                            "or put a 0x-prefixed hex private key there (mode 0600)") from e
    except UnicodeDecodeError as e:
        raise BadInputError(f"chain key {path}: expected one line of hex") from e
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise BadInputError(f"chain key {path} has mode {stat.S_IMODE(mode):04o}: expected 0600 "
                            f"(run: chmod 600 {path})")
    try:
        return ChainAccount.from_key(text)
    except BadInputError as e:
        raise BadInputError(f"chain key {path}: expected 0x followed by 64 hex digits") from e


def create_chain_key(path: Path) -> ChainAccount:
    """Create a new key file (mode 0600); refuse to overwrite one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    account, text = ChainAccount.generate()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as e:
        raise BadInputError(f"chain key {path} exists already: refusing to overwrite it") from e
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(text + "\n")
    return account
