"""Fixtures of the API tests: the app over a real data directory, principals with real keys.

The data directory is built once per session (store, log, keys) and copied for each test, so
that every test writes to its own twin.
"""

import shutil

import pytest
from fastapi.testclient import TestClient

from api.support import Server, add_keys, make_data_dir
from citytwin.api import create_app


@pytest.fixture(scope="session")
def template(tmp_path_factory):
    path = make_data_dir(tmp_path_factory.mktemp("template") / "data")
    return path, add_keys(path)


@pytest.fixture
def data_dir(tmp_path, template):
    path = tmp_path / "data"
    shutil.copytree(template[0], path)
    return path


@pytest.fixture
def keys(template) -> dict[str, str]:
    return template[1]


@pytest.fixture
def client(data_dir, keys):
    with TestClient(create_app(data_dir)) as c:
        yield c


@pytest.fixture(scope="module")
def read_client(template, tmp_path_factory):
    """One app per test module, for tests that only read (or are refused before writing)."""
    path = tmp_path_factory.mktemp("read") / "data"
    shutil.copytree(template[0], path)
    with TestClient(create_app(path)) as c:
        yield c


@pytest.fixture
def server(data_dir, keys):
    running = Server(data_dir)
    yield running
    running.stop()
