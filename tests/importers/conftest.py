from pathlib import Path

import pytest

from citytwin.twin import Twin

DATA = Path(__file__).parent / "data"


@pytest.fixture
def twin(tmp_path):
    with Twin.init(tmp_path / "data", origin="test.citytwin/importers") as twin:
        yield twin


@pytest.fixture
def data():
    return DATA
