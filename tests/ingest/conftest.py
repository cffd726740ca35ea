"""Fixtures of the ingest tests: a real Mosquitto broker, a real twin with the test stations."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from citytwin.ingest import Pipeline, Quarantine
from citytwin.twin import Twin
from twin_records import STATIONS

ORIGIN = "test.citytwin/ingest"
sys.path.insert(0, str(Path(__file__).parent))  # the helpers beside the tests (mqtt_support)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mosquitto:
    """A Mosquitto broker on a free 127.0.0.1 port with persistence in a temporary directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        directory.mkdir(parents=True, exist_ok=True)
        self.config = directory / "mosquitto.conf"
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\n"
            "allow_anonymous true\n"
            "persistence true\n"
            f"persistence_location {directory}/\n"
            "max_queued_messages 100000\n"
            f"log_dest file {directory}/mosquitto.log\n"
        )
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen([shutil.which("mosquitto"), "-c", str(self.config)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"mosquitto did not listen on {self.port}: {self.log()}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)

    def log(self) -> str:
        path = self.directory / "mosquitto.log"
        return path.read_text() if path.exists() else ""


@pytest.fixture
def mosquitto(tmp_path):
    if shutil.which("mosquitto") is None:
        raise RuntimeError("mosquitto is not installed: `make test` installs it (apt-get install mosquitto)")
    broker = Mosquitto(tmp_path / "mosquitto")
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """A data directory holding the test stations, closed (a subprocess may open it)."""
    directory = tmp_path / "data"
    with Twin.init(directory, origin=ORIGIN) as twin:
        twin.commit(STATIONS)
    return directory


@pytest.fixture
def pipeline(data_dir):
    twin = Twin.open(data_dir)
    yield Pipeline(twin, Quarantine.in_data_dir(data_dir))
    twin.close()
