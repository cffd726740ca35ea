"""Full verification of a stored log: recompute every tile and the root from the entries.

Implements the check of C2SP tlog-tiles data against an RFC 9162 tree head: every entry bundle
is hashed (RFC 9162 §2.1.1), every full tile and each partial tile of the checkpoint's size is
rebuilt and compared byte for byte with the stored file, and the root with the checkpoint's.
The first disagreement raises :class:`~citytwin.ledger.errors.LogCorrupted` naming the file.
"""

from __future__ import annotations

from hashlib import sha256
from pathlib import Path

from citytwin.ledger._builder import TreeBuilder
from citytwin.ledger._store import read_file
from citytwin.ledger.errors import LogCorrupted
from citytwin.ledger.tiles import TILE_HEIGHT, TILE_WIDTH, decode_bundle, entries_path, tile_path

__all__ = ["verify_tiles"]


def _short(h: bytes) -> str:
    return h.hex()[:16] + "…"


def _read(directory: Path, level: int | None, index: int, width: int) -> tuple[str, bytes]:
    """A stored tile or bundle; a missing partial falls back to the prefix of the full file."""
    path = entries_path if level is None else (lambda i, w=TILE_WIDTH: tile_path(level, i, w))
    rel = path(index, width)
    data = read_file(directory / rel)
    if data is None and width != TILE_WIDTH:
        full = read_file(directory / path(index))
        if full is not None:
            return path(index), full
    if data is None:
        raise LogCorrupted(f"{rel} is missing from the log at {directory}")
    return rel, data


def _compare(directory: Path, level: int, index: int, width: int, expected: bytes) -> None:
    rel, stored = _read(directory, level, index, width)
    if rel.endswith(tile_path(level, index)) and width != TILE_WIDTH:
        stored = stored[: width * 32]
    if stored == expected:
        return
    if len(stored) != len(expected):
        raise LogCorrupted(f"{rel}: expected {len(expected)} bytes ({width} hashes), got {len(stored)} "
                           "(truncated or overwritten tile)")
    i = next(k for k in range(width) if stored[k * 32 : k * 32 + 32] != expected[k * 32 : k * 32 + 32])
    got, want = stored[i * 32 : i * 32 + 32], expected[i * 32 : i * 32 + 32]
    if level == 0:
        entry = index * TILE_WIDTH + i
        raise LogCorrupted(f"entry {entry}: {rel} holds leaf hash {_short(got)}, but the entry in "
                           f"{entries_path(index, width)} hashes to {_short(want)}")
    raise LogCorrupted(f"{rel}: hash {i} is {_short(got)}, expected {_short(want)} from the tiles below")


def verify_tiles(directory: Path, size: int, root: bytes) -> None:
    """Recompute the tree of ``size`` from the entry bundles under ``directory``; compare all
    tiles and the root hash; raise :class:`LogCorrupted` at the first difference."""
    builder = TreeBuilder()
    sha = sha256
    n_bundles = (size + TILE_WIDTH - 1) >> TILE_HEIGHT
    for b in range(n_bundles):
        width = min(TILE_WIDTH, size - b * TILE_WIDTH)
        rel, data = _read(directory, None, b, width)
        try:
            entries = decode_bundle(data)
        except ValueError as e:
            raise LogCorrupted(f"{rel}: {e}") from e
        expect = TILE_WIDTH if rel == entries_path(b) else width
        if len(entries) != expect:
            raise LogCorrupted(f"{rel}: expected {expect} entries, got {len(entries)}")
        full, _ = builder.add(b"".join([sha(b"\x00" + e).digest() for e in entries[:width]]))
        for level, index, tile in full:
            _compare(directory, level, index, TILE_WIDTH, tile)
    for level, index, width, tile in builder.partials():
        _compare(directory, level, index, width, tile)
    got = builder.root()
    if got != root:
        raise LogCorrupted(f"root hash at size {size}: expected {_short(root)} (checkpoint), "
                           f"got {_short(got)} (from the tiles)")
