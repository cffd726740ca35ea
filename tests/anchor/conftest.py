"""Fixtures of the anchoring tests: a real anvil node and data directories with real records."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helpers beside the tests (anchor_node)
from anchor_node import Node  # noqa: E402

from citytwin.anchor import ChainAccount, load_settings  # noqa: E402
from citytwin.anchor.account import create_chain_key  # noqa: E402
from citytwin.twin import Twin  # noqa: E402
from twin_records import STATIONS, TONGZHOU_STATION, reading  # noqa: E402

ORIGIN = "anchor.test.citytwin/district"


@pytest.fixture(scope="session")
def node():
    n = Node()
    yield n
    n.stop()


def commit(data_dir, *values: float, hour0: int = 0) -> int:
    """Commit one pm25 reading per value at hours hour0, hour0+1, ...; the log's new size."""
    with Twin.open(data_dir) as twin:
        twin.commit([reading(TONGZHOU_STATION, "pm25", hour0 + i, v) for i, v in enumerate(values)])
        return twin.log.size


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


def settings(data_dir, node, contract=None):
    return load_settings(data_dir, rpc=node.rpc, contract=contract)


def funded_account(node) -> ChainAccount:
    acct, _ = ChainAccount.generate()
    node.fund(acct.address)
    return acct
