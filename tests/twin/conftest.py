"""Fixtures of the twin tests: real data directories with real DuckDB files and logs."""

import pytest

from citytwin.twin import Twin


@pytest.fixture
def twin(tmp_path):
    with Twin.init(tmp_path / "data", origin="test.citytwin/district") as t:
        yield t
