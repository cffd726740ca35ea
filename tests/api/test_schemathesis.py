"""Schemathesis against the OpenAPI document of a running `citytwin serve`: generated requests to
every operation (anonymous and with an admin key) never get a server error, and every error
answer is a problem document."""

import atexit
import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from api.support import Server, add_keys, make_data_dir

MAX_EXAMPLES = 4

# schemathesis parametrizes at collection time, so the server starts when the module is imported
_DIR = Path(tempfile.mkdtemp(prefix="citytwin-fuzz-"))
_KEYS = add_keys(make_data_dir(_DIR / "data"))
_SERVER = Server(_DIR / "data")
atexit.register(_SERVER.stop)  # also when the module is collected but its test deselected
schema = schemathesis.openapi.from_url(f"{_SERVER.url}/openapi.json")


@pytest.fixture(scope="module", autouse=True)
def _stop_server():
    yield
    _SERVER.stop()
    shutil.rmtree(_DIR, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_server_error(case):
    for headers in ({}, {"Authorization": f"Bearer {_KEYS['admin']}"}):
        response = case.call(headers=headers)
        assert response.status_code < 500, (case.method, case.formatted_path, case.query, response.text[:500])
        if response.status_code >= 400 and response.status_code != 405:
            content_type = response.headers.get("content-type")
            content_type = content_type[0] if isinstance(content_type, list) else content_type
            assert content_type.startswith("application/problem+json"), content_type
            assert {"type", "title", "status", "detail"} <= set(response.json())
