"""Principals of the API: who may read and write, stored hashed in the data directory.

``<data>/principals.json`` lists each principal: a name, a role, a jurisdiction (administrative
code) and the SHA-256 of its API key. A key is ``ctk_`` followed by 32 random bytes in base64url
(``secrets.token_urlsafe``); it is shown once, when the principal is added, and never stored.
With 256 bits of entropy a plain SHA-256 is enough (no password stretching is needed), and it
keeps the lookup of a key on every request cheap.

Roles:

* ``reader`` reads everything; ``witness`` reads everything too (a witness fetches the log);
* ``writer`` reads everything and writes the entities of its own jurisdiction only;
* ``admin`` reads and writes everything.

Anonymous callers read only when ``[api] public_read`` in ``citytwin.toml`` is true (the default).
The file is replaced atomically on every change and re-read by a running server as soon as it
changes, so a revoked key is refused at the next request.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import secrets
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import orjson

from citytwin.errors import BadInputError, NotFoundError

__all__ = ["KEY_PREFIX", "PRINCIPALS_FILE", "Principal", "Principals", "ROLES", "hash_key"]

PRINCIPALS_FILE = "principals.json"
KEY_PREFIX = "ctk_"
ROLES = ("reader", "writer", "admin", "witness")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


def hash_key(key: str) -> str:
    """The SHA-256 (hex) under which an API key is stored."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Principal:
    """One holder of an API key."""

    name: str
    role: str
    jurisdiction: str | None
    key_sha256: str
    created_at: str
    revoked_at: str | None = None

    @property
    def source(self) -> str:
        """The `source` recorded with every observation this principal writes."""
        return f"principal:{self.name}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def may_write(self, jurisdiction: str | None) -> bool:
        """Whether this principal may write an entity of `jurisdiction`."""
        if self.role == "admin":
            return True
        return self.role == "writer" and jurisdiction is not None and jurisdiction == self.jurisdiction

    def public(self) -> dict:
        """The principal without its key hash."""
        return {k: v for k, v in asdict(self).items() if k != "key_sha256"}


def _check_jurisdiction(code: str | None, role: str) -> str | None:
    if code is None or code == "":
        if role == "writer":
            raise BadInputError("a writer needs a jurisdiction: expected a 6-digit administrative code, e.g. 110112")
        return None
    if not (isinstance(code, str) and code.isdigit() and len(code) == 6):
        raise BadInputError(f"jurisdiction {code!r}: expected a 6-digit administrative code, e.g. 110112")
    return code


class Principals:
    """The principals file of a data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / PRINCIPALS_FILE
        self._stamp: tuple[int, int] | None = None
        self._by_hash: dict[str, Principal] = {}

    # ---- reading ------------------------------------------------------------------------
    def _read(self) -> list[Principal]:
        try:
            data = orjson.loads(self.path.read_bytes())
        except FileNotFoundError:
            return []
        except orjson.JSONDecodeError as e:
            raise BadInputError(f"{self.path} is not valid JSON: {e}") from e
        try:
            return [Principal(**p) for p in data.get("principals", [])]
        except TypeError as e:
            raise BadInputError(f"{self.path}: malformed principal: {e}") from e

    def list(self) -> list[Principal]:
        """Every principal, revoked ones included, in the order they were added."""
        return self._read()

    def authenticate(self, key: str) -> Principal | None:
        """The active principal holding `key`, or None. Re-reads the file when it changed."""
        try:
            stat = self.path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except FileNotFoundError:
            stamp = None
        if stamp != self._stamp:
            self._by_hash = {p.key_sha256: p for p in self._read() if p.active}
            self._stamp = stamp
        return self._by_hash.get(hash_key(key))

    # ---- changing -----------------------------------------------------------------------
    @contextmanager
    def _locked(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _write(self, principals: list[Principal]) -> None:
        tmp = self.path.with_suffix(".tmp")
        descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as f:
            f.write(orjson.dumps({"principals": [asdict(p) for p in principals]}, option=orjson.OPT_INDENT_2))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    def add(self, name: str, role: str, jurisdiction: str | None = None) -> tuple[Principal, str]:
        """Add a principal; returns it and its API key (the only time the key is known)."""
        if not isinstance(name, str) or not _NAME.match(name):
            raise BadInputError(f"principal name {name!r}: expected 1-64 letters, digits, '.', '_', '@' or '-'")
        if role not in ROLES:
            raise BadInputError(f"role {role!r}: expected one of {', '.join(ROLES)}")
        jurisdiction = _check_jurisdiction(jurisdiction, role)
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        principal = Principal(name, role, jurisdiction, hash_key(key),
                              datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"))
        with self._locked():
            principals = self._read()
            if any(p.name == name and p.active for p in principals):
                raise BadInputError(f"principal {name!r} exists already: revoke it first to issue a new key")
            self._write([*principals, principal])
        return principal, key

    def revoke(self, name: str) -> Principal:
        """Revoke the active principal called `name`; its key is refused from then on."""
        with self._locked():
            principals = self._read()
            for i, p in enumerate(principals):
                if p.name == name and p.active:
                    principals[i] = replace(
                        p, revoked_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"))
                    self._write(principals)
                    return principals[i]
        raise NotFoundError(f"no active principal {name!r} in {self.path}")
