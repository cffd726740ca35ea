"""The right edge of a tiled RFC 9162 tree, extended in batches (C2SP tlog-tiles). No I/O.

:class:`TreeBuilder` keeps, for each tile level ``L``, the hashes of tree height ``8L`` that
sit in the partial tile of the current size. Adding leaf hashes yields the tiles that became
full; :meth:`TreeBuilder.partials` gives the partial tiles, and :meth:`TreeBuilder.root`
the tree head. Work per leaf: one leaf hash (caller) and about one node hash here.
"""

from __future__ import annotations

from hashlib import sha256

from citytwin.ledger.merkle import EMPTY_ROOT
from citytwin.ledger.tiles import TILE_HEIGHT, TILE_WIDTH

__all__ = ["TreeBuilder", "perfect_root", "tile_levels"]

_NODE = b"\x01"
_FULL_BYTES = TILE_WIDTH * 32


_NODE_HASHER = sha256(_NODE)


def perfect_root(data: bytes) -> bytes:
    """Root of 2**k concatenated 32-byte hashes (RFC 9162 §2.1.1 inner nodes, level by level).

    Each node copies a hasher already fed the 0x01 prefix, which saves building the 65-byte
    message per node.
    """
    start = _NODE_HASHER.copy
    while len(data) > 32:
        out = []
        put = out.append
        for i in range(0, len(data), 64):
            h = start()
            h.update(data[i : i + 64])
            put(h.digest())
        data = b"".join(out)
    return data


def tile_levels(data: bytes) -> list[bytes]:
    """The 8 sublevels of one tile: ``levels[r]`` holds the complete nodes of 2**r tile hashes."""
    start = _NODE_HASHER.copy
    levels = [data]
    while len(data) >= 64:
        out = []
        put = out.append
        for i in range(0, len(data) - 63, 64):
            h = start()
            h.update(data[i : i + 64])
            put(h.digest())
        data = b"".join(out)
        levels.append(data)
    return levels


class TreeBuilder:
    """Partial tiles of a tree of ``size`` leaves; ``rows[L]`` holds ``(size >> 8L) & 255`` hashes."""

    __slots__ = ("rows", "size")

    def __init__(self, size: int = 0, rows: list[bytes] | None = None) -> None:
        self.size = size
        self.rows = list(rows) if rows is not None else []
        for level, row in enumerate(self.rows):
            want = (size >> (TILE_HEIGHT * level)) & (TILE_WIDTH - 1)
            if len(row) != want * 32:
                raise ValueError(f"partial tile at level {level} for size {size}: expected {want} hashes, "
                                 f"got {len(row) / 32:g}")

    def copy(self) -> TreeBuilder:
        return TreeBuilder(self.size, self.rows)

    def add(self, leaf_hashes: bytes) -> tuple[list[tuple[int, int, bytes]], int]:
        """Append concatenated leaf hashes; return the tiles that became full ``(level, index, data)``
        and the highest tile level that changed (-1 if none)."""
        full: list[tuple[int, int, bytes]] = []
        new = leaf_hashes
        count_before = self.size  # hashes at this level before the batch
        self.size += len(leaf_hashes) // 32
        level = -1
        while new:
            level += 1
            if level == len(self.rows):
                self.rows.append(b"")
            row = self.rows[level] + new
            first_tile = count_before >> TILE_HEIGHT
            n_full = len(row) // _FULL_BYTES
            ups = []
            for t in range(n_full):
                chunk = row[t * _FULL_BYTES : (t + 1) * _FULL_BYTES]
                full.append((level, first_tile + t, chunk))
                ups.append(perfect_root(chunk))
            self.rows[level] = row[n_full * _FULL_BYTES :]
            new = b"".join(ups)
            count_before >>= TILE_HEIGHT
        return full, level

    def partials(self, max_level: int | None = None) -> list[tuple[int, int, int, bytes]]:
        """Partial tiles ``(level, index, width, data)`` of the current size, up to ``max_level``."""
        out = []
        for level, row in enumerate(self.rows):
            if max_level is not None and level > max_level:
                break
            if row:
                index = self.size >> (TILE_HEIGHT * (level + 1))
                out.append((level, index, len(row) // 32, row))
        return out

    def root(self) -> bytes:
        """``MTH(D[size])``: the perfect subtrees of the right edge, folded right to left."""
        if self.size == 0:
            return EMPTY_ROOT
        subtrees = []
        for row in reversed(self.rows):  # highest level first: leftmost subtrees
            width, pos = len(row) // 32, 0
            for sub in range(TILE_HEIGHT - 1, -1, -1):
                if width >> sub & 1:
                    n = 1 << sub
                    subtrees.append(perfect_root(row[pos * 32 : (pos + n) * 32]))
                    pos += n
        acc = subtrees[-1]
        for h in reversed(subtrees[:-1]):
            acc = sha256(_NODE + h + acc).digest()
        return acc
