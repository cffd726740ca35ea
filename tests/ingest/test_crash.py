"""Crash test: SIGKILL the ingester in the middle of an MQTT stream, restart it, let the broker
redeliver. At the end the store holds exactly the good readings, none twice, the twin verifies,
every refusal is quarantined once, and every checkpoint seen is consistent with the next."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from pathlib import Path

from mqtt_support import Publisher, expected_rows, make_stream, stored_rows

from citytwin.ingest import Pipeline, Quarantine
from citytwin.ingest.mqtt import MqttIngester
from citytwin.ledger import Log, Verifier, merkle
from citytwin.ledger.checkpoint import open_checkpoint
from citytwin.twin import Twin


def _ingest(data_dir: str, url: str, ready) -> None:
    """The child: what `citytwin ingest mqtt` runs (the CLI itself is tested in test_replay_cli.py)."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with Twin.open(data_dir) as twin:
        ingester = MqttIngester(Pipeline(twin, Quarantine.in_data_dir(data_dir)), url, client_id="crash-test",
                                batch_messages=25, batch_seconds=0.02)
        ingester.run(stop, on_ready=ready.set)


class Ingester:
    """The MQTT ingester in a child process, forked so that it starts without importing anew."""

    def __init__(self, data_dir: Path, url: str) -> None:
        self.context = multiprocessing.get_context("fork")
        self.args = (str(data_dir), url)
        self.process = None

    def start(self) -> None:
        ready = self.context.Event()
        self.process = self.context.Process(target=_ingest, args=(*self.args, ready), daemon=True)
        self.process.start()
        assert ready.wait(60), f"the ingester did not subscribe (exit code {self.process.exitcode})"

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.join(10)

    def stop(self) -> int:
        self.process.terminate()  # SIGTERM: finish the batch in hand, then exit
        self.process.join(30)
        return self.process.exitcode


class Checkpoints(threading.Thread):
    """Records every checkpoint the log publishes while the ingester runs."""

    def __init__(self, log_dir: Path, verifier: Verifier) -> None:
        super().__init__(daemon=True)
        self.log_dir, self.verifier = log_dir, verifier
        self.seen: dict[int, bytes] = {}
        self.errors: list[str] = []
        self.halt = threading.Event()

    @property
    def size(self) -> int:
        return max(self.seen, default=0)

    def run(self) -> None:
        while not self.halt.is_set():
            try:
                cp, _ = open_checkpoint((self.log_dir / "checkpoint").read_bytes(), self.verifier)
            except FileNotFoundError:
                continue
            if self.seen.setdefault(cp.size, cp.root) != cp.root:
                self.errors.append(f"two roots at size {cp.size}")
            time.sleep(0.002)


def wait_until(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def test_sigkill_mid_stream_then_redelivery(mosquitto, data_dir):
    stream = make_stream(800, seed=7)
    with Twin.open(data_dir) as twin:
        start_size, verifier = twin.log.size, twin.verifier
    final_size = start_size + len(stream.good)
    checkpoints = Checkpoints(data_dir / "log", verifier)
    checkpoints.start()
    ingester = Ingester(data_dir, mosquitto.url)
    ingester.start()
    publisher = Publisher(mosquitto.url, "crash-test-publisher")
    publishing = threading.Thread(target=publisher.publish_all, args=(stream.messages,), daemon=True)
    publishing.start()

    kills = 0
    for fraction in (0.25, 0.6):
        threshold = start_size + int(len(stream.good) * fraction)
        wait_until(lambda t=threshold: checkpoints.size >= t, 60, f"log size {threshold}")
        ingester.kill()
        kills += 1
        time.sleep(0.2)  # the publisher keeps going; the broker queues for the dead session
        ingester.start()
    publishing.join(60)
    publisher.close()
    wait_until(lambda: checkpoints.size >= final_size, 90, f"log size {final_size}")
    quarantine = Quarantine.in_data_dir(data_dir)
    wait_until(lambda: quarantine.count() >= len(stream.bad), 30, "the quarantine")
    assert ingester.stop() == 0
    checkpoints.halt.set()
    checkpoints.join(5)

    assert kills == 2 and not checkpoints.errors
    with Twin.open(data_dir) as twin:
        rows = stored_rows(twin)
        assert all(row[4] == 1 for row in rows), "a reading was stored twice"
        assert {(r[0], r[1], r[2]): r[3] for r in rows} == expected_rows(stream)
        assert twin.log.size == final_size
        assert twin.verify().ok
    quarantined = quarantine.list()
    assert len(quarantined) == len(stream.bad)
    for word in set(stream.bad):
        assert sum(word in q.reason for q in quarantined) == stream.bad.count(word), word

    log = Log.open(data_dir / "log")
    sizes = sorted(checkpoints.seen)
    assert len(sizes) > 10
    for old, new in zip(sizes, sizes[1:], strict=False):
        merkle.verify_consistency(old, new, checkpoints.seen[old], checkpoints.seen[new],
                                  log.consistency_proof(old, new))
    log.close()
