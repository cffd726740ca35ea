"""Fixtures of the transport tests."""

import pytest
from fastapi.testclient import TestClient

from citytwin.api import create_app
from citytwin.twin import Twin


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """A TestClient of the API over a fresh data directory (the transport endpoints read the
    reference network, not the twin)."""
    data = tmp_path_factory.mktemp("transport") / "data"
    Twin.init(data, origin="test.citytwin/transport-api").close()
    with TestClient(create_app(data)) as client:
        yield client
