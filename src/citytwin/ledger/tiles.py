"""Tile paths and index math of C2SP tlog-tiles; entry-bundle encoding. No I/O.

A tile at level ``L`` and index ``N`` holds up to 256 consecutive hashes of tree level ``8L``:
``MTH(D[(N*256+i) * 256**L : (N*256+i+1) * 256**L])`` for i in 0..255 (tlog-tiles, "Merkle
Tree"). A tree of size ``s`` has, at level ``L``, ``s >> 8(L+1)`` full tiles and a partial tile
of width ``(s >> 8L) & 255`` when that is not zero (tlog-tiles, "Partial Tiles").
An entry bundle ``tile/entries/<N>`` holds entries ``N*256 .. N*256+255``, each as a big-endian
uint16 length and the entry bytes (tlog-tiles, "Log Entries").

Only the standard library is imported here; storage lives in :mod:`citytwin.ledger.log`.
"""

from __future__ import annotations

import re

__all__ = [
    "MAX_ENTRY_SIZE",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "decode_bundle",
    "encode_bundle",
    "encode_index",
    "entries_path",
    "node_location",
    "parse_tile_path",
    "partial_width",
    "tile_path",
    "tiles_for_size",
    "tiles_touched",
]

TILE_HEIGHT = 8  # tlog-tiles: tiles are 8 levels high
TILE_WIDTH = 1 << TILE_HEIGHT  # 256 hashes in a full tile
MAX_ENTRY_SIZE = 0xFFFF  # uint16 length prefix in entry bundles

_PATH = re.compile(
    r"^tile/(entries|[0-9]|[1-5][0-9]|6[0-3])/((?:x[0-9]{3}/)*[0-9]{3})(?:\.p/([1-9][0-9]{0,2}))?$"
)


def encode_index(n: int) -> str:
    """``<N>`` of a tile path: 3-digit groups, all but the last prefixed ``x`` (1234067 → x001/x234/067)."""
    if n < 0:
        raise ValueError(f"tile index {n}: expected ≥ 0")
    groups = [f"{n % 1000:03d}"]
    n //= 1000
    while n:
        groups.append(f"x{n % 1000:03d}")
        n //= 1000
    return "/".join(reversed(groups))


def _suffix(width: int) -> str:
    if not 1 <= width <= TILE_WIDTH:
        raise ValueError(f"tile width {width}: expected 1..256")
    return "" if width == TILE_WIDTH else f".p/{width}"


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """``tile/<L>/<N>[.p/<W>]`` (tlog-tiles, "Merkle Tree"); level 0..63."""
    if not 0 <= level < 64:
        raise ValueError(f"tile level {level}: expected 0..63")
    return f"tile/{level}/{encode_index(index)}{_suffix(width)}"


def entries_path(index: int, width: int = TILE_WIDTH) -> str:
    """``tile/entries/<N>[.p/<W>]`` (tlog-tiles, "Log Entries")."""
    return f"tile/entries/{encode_index(index)}{_suffix(width)}"


def parse_tile_path(path: str) -> tuple[int | None, int, int]:
    """``(level, index, width)`` of a tile path; level is None for an entry bundle."""
    m = _PATH.match(path)
    if not m:
        raise ValueError(f"tile path {path!r}: expected tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>]")
    level_text, index_text, width_text = m.groups()
    groups = index_text.split("/")
    index = 0
    for g in groups:
        index = index * 1000 + int(g.lstrip("x"))
    if len(groups) > 1 and groups[0] == "x000":
        raise ValueError(f"tile path {path!r}: leading x000 group, expected the shortest encoding")
    width = int(width_text) if width_text else TILE_WIDTH
    if width_text and width >= TILE_WIDTH:
        raise ValueError(f"tile path {path!r}: partial width must be 1..255")
    return (None if level_text == "entries" else int(level_text)), index, width


def partial_width(size: int, level: int) -> int:
    """Hashes in the partial tile at ``level`` for a tree of ``size`` (0 if there is none)."""
    return (size >> (TILE_HEIGHT * level)) & (TILE_WIDTH - 1)


def tiles_for_size(size: int, level: int) -> tuple[int, int]:
    """``(full tiles, partial width)`` at ``level`` for a tree of ``size``."""
    return size >> (TILE_HEIGHT * (level + 1)), partial_width(size, level)


def tiles_touched(old_size: int, new_size: int) -> list[tuple[int, int, int]]:
    """The tiles ``(level, index, width)`` a tree of ``new_size`` has that one of ``old_size`` has not."""
    out = []
    level = 0
    while new_size >> (TILE_HEIGHT * level):
        old_count = old_size >> (TILE_HEIGHT * level)
        new_count = new_size >> (TILE_HEIGHT * level)
        if new_count != old_count:
            first = old_count >> TILE_HEIGHT
            last_full = new_count >> TILE_HEIGHT
            out.extend((level, n, TILE_WIDTH) for n in range(first, last_full))
            w = new_count & (TILE_WIDTH - 1)
            if w:
                out.append((level, last_full, w))
        level += 1
    return out


def node_location(height: int, index: int) -> tuple[int, int, int, int]:
    """Where the tree node at ``height`` (0 = leaves) and ``index`` is stored.

    Returns ``(tile level, tile index, first, count)``: the node is the root of the ``count``
    hashes from position ``first`` in that tile (count = 2**(height mod 8)).
    """
    level, sub = divmod(height, TILE_HEIGHT)
    first_hash = index << sub
    return level, first_hash >> TILE_HEIGHT, first_hash & (TILE_WIDTH - 1), 1 << sub


def encode_bundle(entries: list[bytes]) -> bytes:
    """An entry bundle: each entry as big-endian uint16 length || bytes (tlog-tiles, "Log Entries")."""
    parts = []
    for e in entries:
        if len(e) > MAX_ENTRY_SIZE:
            raise ValueError(f"entry of {len(e)} bytes: at most {MAX_ENTRY_SIZE}")
        parts.append(len(e).to_bytes(2, "big"))
        parts.append(e)
    return b"".join(parts)


def decode_bundle(data: bytes) -> list[bytes]:
    """The entries of a bundle; ValueError naming the offset if it is truncated."""
    out = []
    pos, end = 0, len(data)
    while pos < end:
        if pos + 2 > end:
            raise ValueError(f"entry bundle truncated at byte {pos}: expected a 2-byte length")
        n = int.from_bytes(data[pos : pos + 2], "big")
        if pos + 2 + n > end:
            raise ValueError(f"entry bundle truncated at byte {pos}: entry of {n} bytes, "
                             f"{end - pos - 2} left")
        out.append(data[pos + 2 : pos + 2 + n])
        pos += 2 + n
    return out
