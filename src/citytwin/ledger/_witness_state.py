"""The durable state of a witness: per log origin, the latest checkpoint it cosigned.

Part of :mod:`citytwin.ledger.witness_server`, which re-exports :class:`WitnessState` and
:func:`read_state`.

References
----------
[1] C2SP tlog-witness, https://c2sp.org/tlog-witness, section "add-checkpoint": the witness
    "MUST persist the new checkpoint before responding", and the check of the old size and
    the update are one atomic step.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from citytwin.ledger.errors import BadInputError, MalformedError, NotFoundError

__all__ = ["WitnessState", "read_state"]

_STATE_FORMAT = "citytwin-witness-state/v1"


@dataclass(frozen=True)
class _Head:
    size: int
    root: bytes


def _load_doc(path: Path) -> dict:
    """The state document ``{"format", "witness", "logs"}``; an empty one if the file is absent."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {"format": _STATE_FORMAT, "witness": None, "logs": {}}
    try:
        doc = json.loads(raw)
        if doc.get("format") != _STATE_FORMAT:
            raise ValueError(f"format {doc.get('format')!r}, expected {_STATE_FORMAT!r}")
        logs = doc["logs"]
        for origin, rec in logs.items():
            if not isinstance(rec["size"], int) or rec["size"] < 0:
                raise ValueError(f"origin {origin!r}: size {rec['size']!r}")
            if len(base64.b64decode(rec["root"], validate=True)) != 32:
                raise ValueError(f"origin {origin!r}: root {rec['root']!r} is not 32 bytes")
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise MalformedError(f"witness state {str(path)!r} is not readable: {e}") from e
    return {"format": _STATE_FORMAT, "witness": doc.get("witness"), "logs": logs}


def _load_evidence(path: Path) -> list[dict]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    kept = []
    for line in raw.split(b"\n"):
        try:
            kept.append(json.loads(line))
        except ValueError:  # a line torn by a crash while appending
            continue
    return kept


def read_state(path: str | os.PathLike[str]) -> dict:
    """What a witness's state file holds, read without taking its lock (for status reports).

    ``{"witness": vkey, "logs": {origin: {"size", "root", "cosigned_at", "checkpoint"}},
    "evidence": [...]}``.
    """
    path = Path(path)
    if not path.exists():
        raise NotFoundError(f"witness state {str(path)!r} does not exist")
    doc = _load_doc(path)
    return {
        "witness": doc["witness"],
        "logs": doc["logs"],
        "evidence": _load_evidence(Path(str(path) + ".evidence")),
    }


class WitnessState:
    """The witness's durable record: per origin, the latest checkpoint it cosigned.

    One JSON file, replaced atomically (write to a temporary file, fsync, rename, fsync the
    directory), so that a crash leaves either the old or the new record and never a torn one.
    An exclusive ``flock`` on ``<file>.lock`` keeps a second witness process off the same
    state, which would break the atomic check-and-update [1] requires. Refused requests that
    may prove log misbehavior are appended to ``<file>.evidence`` (JSON lines).

    ``witness`` (the witness's verifier key) binds the file to one witness: a state written
    by another key is refused, so that a witness never starts from another one's record. A
    witness whose state is lost must not go on with the same key and an empty state (it could
    then cosign a fork of what it cosigned before): give it a new key.
    """

    def __init__(self, path: str | os.PathLike[str], witness: str | None = None) -> None:
        self.path = Path(path)
        self.witness = witness
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock_fd = os.open(str(self.path) + ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            os.close(self._lock_fd)
            raise BadInputError(
                f"witness state {str(self.path)!r} is in use by another witness process; "
                "expected one process per state file"
            ) from e
        try:
            doc = _load_doc(self.path)
            if witness is not None and doc["witness"] not in (None, witness):
                raise BadInputError(
                    f"witness state {str(self.path)!r} belongs to witness {doc['witness']!r}; "
                    f"expected the state of {witness!r}"
                )
            self._logs: dict[str, dict] = doc["logs"]
            self.witness = witness or doc["witness"]
            self.created = not self.path.exists()
            if self.created:
                self._write(self._logs)
        except BaseException:
            self.close()
            raise
        self.evidence_path = Path(str(self.path) + ".evidence")
        self._evidence = {e.get("sha256") for e in _load_evidence(self.evidence_path)}

    def head(self, origin: str) -> _Head | None:
        """The size and root of the latest cosigned checkpoint of ``origin``, or None."""
        rec = self._logs.get(origin)
        if rec is None:
            return None
        return _Head(rec["size"], base64.b64decode(rec["root"]))

    def record(self, origin: str, size: int, root: bytes, checkpoint: bytes, cosigned_at: int) -> None:
        """Store a newly cosigned checkpoint and make it durable before returning."""
        logs = dict(self._logs)
        logs[origin] = {
            "size": size,
            "root": base64.b64encode(root).decode(),
            "cosigned_at": cosigned_at,
            "checkpoint": checkpoint.decode("utf-8"),
        }
        self._write(logs)
        self._logs = logs

    def _write(self, logs: dict[str, dict]) -> None:
        doc = {"format": _STATE_FORMAT, "witness": self.witness, "logs": logs}
        data = json.dumps(doc, indent=1, sort_keys=True).encode()
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        dfd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)

    def record_evidence(self, origin: str, status: int, reason: str, request: bytes, at: int) -> bool:
        """Keep a refused, log-signed request that may prove log misbehavior; True if written.

        [1]: "If the origin is known, and the signature is valid, the witness MAY log the
        request even if the consistency proof doesn't verify (but MUST NOT cosign the
        checkpoint) as it might be proof of log misbehavior." A request already kept is not
        written again, so replaying one does not grow the file.
        """
        digest = hashlib.sha256(request).hexdigest()
        if digest in self._evidence:
            return False
        entry = {
            "origin": origin,
            "status": status,
            "reason": reason,
            "refused_at": at,
            "sha256": digest,
            "request": request.decode("utf-8", "replace"),
        }
        fd = os.open(self.evidence_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, b"\n" + json.dumps(entry, sort_keys=True).encode() + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
        self._evidence.add(digest)
        return True

    def close(self) -> None:
        """Release the state lock."""
        if self._lock_fd >= 0:
            os.close(self._lock_fd)
            self._lock_fd = -1
