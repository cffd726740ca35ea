"""The log's checkpoint history: every checkpoint it published, with the time of publication.

C2SP tlog-tiles keeps only the latest checkpoint; a log's users (the dashboard's ledger view, an
auditor comparing what they saw) also want the earlier ones. Each publication appends one JSON
line ``{"published": "<RFC 3339 UTC>", "note": "<the checkpoint note with its cosignatures>"}``
to the private file ``.checkpoint.history`` of the log directory.

The history is a convenience, not a source of truth: it is not synced, so a crash may lose its
last lines, and a reader skips a torn last line. Each note is a signed checkpoint that verifies on
its own (C2SP tlog-checkpoint), so nothing in the file has to be trusted.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["HISTORY_FILE", "append_history", "read_history"]

HISTORY_FILE = ".checkpoint.history"
_BLOCK = 1 << 16


def append_history(directory: Path, note: bytes, published: datetime | None = None) -> None:
    """Append one published checkpoint note to the history of the log in ``directory``."""
    when = (published or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # A leading newline ends any line torn by a crash mid-append, so it cannot swallow this one.
    line = "\n" + json.dumps({"published": when, "note": note.decode()}, ensure_ascii=False) + "\n"
    fd = os.open(Path(directory) / HISTORY_FILE, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def read_history(directory: Path, limit: int | None = None) -> list[tuple[datetime, bytes]]:
    """The published checkpoints as ``(published, note)``, oldest first; with ``limit``, the
    latest ``limit`` only (read from the end of the file, so a long history costs no more)."""
    path = Path(directory) / HISTORY_FILE
    if limit is not None and limit <= 0:
        return []
    try:
        with path.open("rb") as f:
            lines = _tail_lines(f, limit)
    except FileNotFoundError:
        return []
    history = []
    for raw in lines:
        try:
            record = json.loads(raw)
            history.append((datetime.fromisoformat(record["published"]), record["note"].encode()))
        except (ValueError, KeyError, TypeError):
            continue  # a torn line from a crash mid-append
    return history


def _tail_lines(f, limit: int | None) -> list[bytes]:
    if limit is None:
        return [line for line in f.read().splitlines() if line]
    end = f.seek(0, os.SEEK_END)
    data, pos = b"", end
    while pos > 0 and data.count(b"\n") <= 2 * limit:
        step = min(_BLOCK, pos)
        pos -= step
        f.seek(pos)
        data = f.read(step) + data
    lines = data.splitlines()
    if pos > 0:
        lines = lines[1:]  # the first line may be cut at the block boundary
    return [line for line in lines if line][-limit:]
