"""C2SP tlog-tiles path and index math: tables of input and expected output."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import citytwin.ledger.tiles as tiles
from citytwin.ledger._builder import TreeBuilder, perfect_root
from citytwin.ledger.merkle import leaf_hash, level_getter, root_hash
from citytwin.ledger.tiles import (
    decode_bundle,
    encode_bundle,
    encode_index,
    entries_path,
    node_location,
    parse_tile_path,
    partial_width,
    tile_path,
    tiles_for_size,
    tiles_touched,
)


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "000"),
        (5, "005"),
        (255, "255"),
        (999, "999"),
        (1000, "x001/000"),
        (1234, "x001/234"),
        (1234067, "x001/x234/067"),
        (1_000_000, "x001/x000/000"),
        (999999999999999999, "x999/x999/x999/x999/x999/999"),
    ],
)
def test_encode_index(n, text):
    assert encode_index(n) == text


@pytest.mark.parametrize(
    ("args", "path"),
    [
        ((0, 1234067), "tile/0/x001/x234/067"),
        ((0, 1234067, 8), "tile/0/x001/x234/067.p/8"),  # the spec's example
        ((0, 0), "tile/0/000"),
        ((3, 999, 7), "tile/3/999.p/7"),
        ((1, 1000), "tile/1/x001/000"),
        ((1, 273, 17), "tile/1/273.p/17"),
        ((2, 0, 1), "tile/2/000.p/1"),
    ],
)
def test_tile_path(args, path):
    assert tile_path(*args) == path
    level, index, width = parse_tile_path(path)
    assert (level, index, width) == (args[0], args[1], args[2] if len(args) == 3 else 256)


@pytest.mark.parametrize(
    ("args", "path"),
    [
        ((5, 12), "tile/entries/005.p/12"),
        ((1_000_000,), "tile/entries/x001/x000/000"),
        ((1234067,), "tile/entries/x001/x234/067"),
        ((273, 112), "tile/entries/273.p/112"),
    ],
)
def test_entries_path(args, path):
    assert entries_path(*args) == path
    assert parse_tile_path(path)[0] is None


@pytest.mark.parametrize(
    "bad",
    [
        "tile/0/x001/x234/067.p/",
        "tile/0/x001/x234/067.p",
        "tile/0/x001/x234/067.p/256",
        "tile/0/x001/x234/067.p/0",
        "tile/0/001/234",
        "tile/64/000",
        "tile/data/000",
        "tile/0/12",
        "tile/-1/000",
        "tile/0/000.p/07",
    ],
)
def test_parse_rejects(bad):
    with pytest.raises(ValueError, match="tile path"):
        parse_tile_path(bad)


def test_parse_level_63_and_widest_partial():
    assert parse_tile_path("tile/63/x999/x999/x999/x999/x999/999.p/255") == (63, 999999999999999999, 255)


def test_widths_and_ranges():
    with pytest.raises(ValueError, match="1..256"):
        tile_path(0, 0, 0)
    with pytest.raises(ValueError, match="0..63"):
        tile_path(64, 0)


def test_size_70000_from_the_reference():
    # 273 full L0 tiles + partial of 112; one full L1 + partial of 17; a partial L2 of 1.
    assert tiles_for_size(70000, 0) == (273, 112)
    assert tiles_for_size(70000, 1) == (1, 17)
    assert tiles_for_size(70000, 2) == (0, 1)
    assert partial_width(70000, 3) == 0


@pytest.mark.parametrize(
    ("old", "new", "want"),
    [
        (0, 0, []),
        (0, 1, [(0, 0, 1)]),
        (255, 256, [(0, 0, 256), (1, 0, 1)]),
        (256, 257, [(0, 1, 1)]),
        (100, 600, [(0, 0, 256), (0, 1, 256), (0, 2, 88), (1, 0, 2)]),
        (65535, 65536, [(0, 255, 256), (1, 0, 256), (2, 0, 1)]),
    ],
)
def test_tiles_touched(old, new, want):
    assert tiles_touched(old, new) == want


@pytest.mark.parametrize(
    ("height", "index", "want"),
    [
        (0, 0, (0, 0, 0, 1)),
        (0, 255, (0, 0, 255, 1)),
        (0, 256, (0, 1, 0, 1)),
        (3, 5, (0, 0, 40, 8)),
        (7, 1, (0, 0, 128, 128)), (7, 2, (0, 1, 0, 128)),
        (8, 0, (1, 0, 0, 1)),
        (9, 3, (1, 0, 6, 2)),
        (16, 2, (2, 0, 2, 1)),
    ],
)
def test_node_location(height, index, want):
    assert node_location(height, index) == want


def test_tiles_rebuild_every_node():
    """Nodes read through node_location from built tiles equal those of the plain tree."""
    n = 70000
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(n)]
    b = TreeBuilder()
    full, _ = b.add(b"".join(leaves))
    stored = {(lvl, idx): data for lvl, idx, data in full}
    stored.update({(lvl, idx): data for lvl, idx, _, data in b.partials()})
    get = level_getter(leaves)

    def from_tiles(height, index):
        lvl, idx, first, count = node_location(height, index)
        seg = stored[(lvl, idx)][first * 32 : (first + count) * 32]
        return perfect_root(seg)

    for height, index in [(0, 69999), (5, 2000), (8, 272), (10, 60), (16, 0), (13, 7), (15, 1)]:
        assert from_tiles(height, index) == get(height, index)
    assert b.root() == root_hash(leaves)


def test_bundles_round_trip_and_refuse_overruns():
    entries = [b"", b"\x01\x02\x03", b"\x09" * 300, b"x" * 65535]
    data = encode_bundle(entries)
    assert data[:2] == b"\x00\x00" and data[2:4] == b"\x00\x03"
    assert decode_bundle(data) == entries
    with pytest.raises(ValueError, match="truncated at byte"):
        decode_bundle(data[:-1])
    with pytest.raises(ValueError, match="2-byte length"):
        decode_bundle(b"\x00")
    with pytest.raises(ValueError, match="65535"):
        encode_bundle([b"x" * 65536])


def test_tile_math_imports_no_storage():
    """tiles.py is pure: standard library only, and no file or OS access."""
    source = Path(tiles.__file__).read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= {"__future__", "re"}, imported
    assert "open(" not in source
