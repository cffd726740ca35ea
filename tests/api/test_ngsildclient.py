"""A third-party NGSI-LD client from PyPI, ngsildclient (Orange), against a running `citytwin serve`:
it creates entities, queries them by type and by geo-query, and reads temporal data.

ngsildclient 0.5.2 pins httpx<0.24 and rich<13, which conflict with this project's (and
FastAPI's) own; it is therefore installed with its own dependencies into a folder of its own
(`<venv>/clients/ngsildclient-0.5.2`, once) and run in a separate process with that folder first
on its path: the client as its users have it, talking HTTP to the server.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLIENT_VERSION = "0.5.2"
CLIENT_DIR = Path(sys.prefix) / "clients" / f"ngsildclient-{CLIENT_VERSION}"
SCRIPT = Path(__file__).with_name("ngsild_client_script.py")


def _install_client() -> Path:
    if not (CLIENT_DIR / "ngsildclient").is_dir():
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "--target", str(CLIENT_DIR), f"ngsildclient=={CLIENT_VERSION}"],
                       check=True, capture_output=True, timeout=300)
    return CLIENT_DIR


@pytest.fixture(scope="module")
def client_dir():
    return _install_client()


def test_ngsildclient_creates_queries_and_reads_history(server, keys, client_dir):
    env = {**os.environ, "PYTHONPATH": str(client_dir), "CITYTWIN_PORT": str(server.port),
           "CITYTWIN_KEY": keys["tongzhou"]}
    run = subprocess.run([sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout)
    assert seen["created"] == [True, True]
    assert "urn:ngsi-ld:AirQualityObserved:ngsildclient-0" in seen["by_type"]
    assert len(seen["by_type"]) == seen["count"] == 6
    assert seen["near"] == ["urn:ngsi-ld:AirQualityObserved:ngsildclient-0"]
    assert seen["fetched_pm25"] == 30.0 and seen["fetched_location"] == [116.7, 39.9]
    history = seen["temporal"][0] if isinstance(seen["temporal"], list) else seen["temporal"]
    assert [v[0] for v in history["pm25"]["values"]] == [20.0 + h for h in range(24)]
    daily = {e["id"]: e for e in seen["aggregated"]}
    tongzhou = daily["urn:ngsi-ld:AirQualityObserved:tongzhou"]["pm25"]["avg"]
    # 2024-01-01T00-15Z is 08:00-23:00 on 1 January in Asia/Shanghai, 16-23Z falls on 2 January
    assert [d[0] for d in tongzhou] == [sum(range(20, 36)) / 16, sum(range(36, 44)) / 8]
