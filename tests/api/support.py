"""Helpers of the API tests: a real data directory (DuckDB store and log), principals with real
keys, and a real `citytwin serve` process on a free local port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from citytwin.api.access import Principals
from citytwin.twin import Entity, Twin
from twin_records import DONGSI_STATION, STATIONS, TONGZHOU_STATION, reading

SANHE_STATION = Entity(
    id="urn:ngsi-ld:AirQualityObserved:sanhe-yanjiao",
    type="AirQualityObserved",
    jurisdiction="131082",
    location={"type": "Point", "coordinates": [116.80, 39.95]},
    properties={"name_en": "Yanjiao", "name_zh": "燕郊"},
)


def make_data_dir(path: Path) -> Path:
    """A data directory with the test stations, a Sanhe station and a day of Tongzhou PM2.5."""
    with Twin.init(path, origin="test.citytwin/api") as twin:
        twin.commit([*STATIONS, SANHE_STATION]
                    + [reading(TONGZHOU_STATION, "pm25", h, 20.0 + h) for h in range(24)]
                    + [reading(DONGSI_STATION, "no2", h, 40.0) for h in range(3)])
    return path


def add_keys(data_dir: Path) -> dict[str, str]:
    """API keys by role: tongzhou and sanhe writers, a reader, an admin, a witness."""
    principals = Principals(data_dir)
    return {
        "tongzhou": principals.add("tongzhou-ees", "writer", "110112")[1],
        "sanhe": principals.add("sanhe-ees", "writer", "131082")[1],
        "reader": principals.add("bank", "reader", "110000")[1],
        "admin": principals.add("ops", "admin")[1],
        "witness": principals.add("witness.sanhe", "witness", "131082")[1],
    }


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A `citytwin serve` process on 127.0.0.1 and a free port."""

    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "CITYTWIN_DATA": str(data_dir)}
        self.log_path = Path(data_dir).parent / f"serve-{self.port}.log"
        self.log = open(self.log_path, "wb")  # a file, not a pipe nobody reads: the server never blocks
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "citytwin"), "serve", "--port", str(self.port),
             "--log-level", "warning"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"citytwin serve exited: {self.log_path.read_text(errors='replace')}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("citytwin serve did not answer /healthz within 90 s")

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


