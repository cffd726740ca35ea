"""Fixtures of the anchoring tests: a real anvil node and data directories with real records."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helpers beside the tests (anchor_node, anchor_support)
from anchor_node import Node  # noqa: E402
from anchor_support import ORIGIN  # noqa: E402

from citytwin.anchor.account import create_chain_key  # noqa: E402
from citytwin.twin import Twin  # noqa: E402
from twin_records import STATIONS  # noqa: E402


@pytest.fixture(scope="session")
def node():
    n = Node()
    yield n
    n.stop()


@pytest.fixture
def data_dir(tmp_path, node):
    """A data directory whose log holds the three stations, with a funded chain key."""
    path = tmp_path / "a"
    Twin.init(path, origin=ORIGIN).close()
    with Twin.open(path) as twin:
        assert twin.commit(STATIONS).rejected == []
    acct = create_chain_key(path / "keys" / "chain.key")
    node.fund(acct.address)
    return path
