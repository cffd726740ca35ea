"""Helpers of the anchoring tests: the CLI runner, commits of real readings, settings, accounts."""

from __future__ import annotations

from typer.testing import CliRunner

from citytwin.anchor import ChainAccount, load_settings
from citytwin.cli import app
from citytwin.twin import Twin
from twin_records import TONGZHOU_STATION, reading

ORIGIN = "anchor.test.citytwin/district"


def run(directory, *args):
    """``citytwin --data-dir DIRECTORY anchor ARGS...`` as a user runs it."""
    return CliRunner().invoke(app, ["--data-dir", str(directory), "anchor", *args], env={"COLUMNS": "200"})


def commit(data_dir, *values: float, hour0: int = 0) -> int:
    """Commit one pm25 reading per value at hours hour0, hour0+1, ...; the log's new size."""
    with Twin.open(data_dir) as twin:
        twin.commit([reading(TONGZHOU_STATION, "pm25", hour0 + i, v) for i, v in enumerate(values)])
        return twin.log.size


def settings(data_dir, node, contract=None):
    return load_settings(data_dir, rpc=node.rpc, contract=contract)


def funded_account(node) -> ChainAccount:
    acct, _ = ChainAccount.generate()
    node.fund(acct.address)
    return acct
