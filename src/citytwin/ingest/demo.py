"""A live demo with no server to install: an in-process MQTT broker (amqtt, MQTT 3.1.1), the
ingester and a replay of the reference history into it, for `citytwin demo`.

Call ``run_live_demo(data_dir, seconds)``: it creates the data directory if needed, commits the
reference entities, starts the broker on a free 127.0.0.1 port, ingests what the replay publishes
for `seconds`, and returns a summary. Tests and deployments use Mosquitto instead.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from datetime import UTC, datetime
from pathlib import Path

from citytwin.errors import CityTwinError

__all__ = ["InProcessBroker", "run_live_demo"]

DEMO_START = datetime(2018, 1, 1, tzinfo=UTC)  # the KDD Cup 2018 stations, the pack's latest hours


class InProcessBroker:
    """An amqtt broker on 127.0.0.1 in a thread of its own, with anonymous access (demo only)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or _free_port()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="amqtt", daemon=True)
        self._broker = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> InProcessBroker:
        from amqtt.broker import Broker

        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"127.0.0.1:{self.port}"}},
            "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
        }
        self._thread.start()

        async def start() -> None:
            self._broker = Broker(config)
            await self._broker.start()

        try:
            asyncio.run_coroutine_threadsafe(start(), self._loop).result(30)
        except Exception as e:  # amqtt raises its own errors and OSErrors alike
            self.stop()
            raise CityTwinError(f"cannot start the in-process MQTT broker on port {self.port}: {e}") from e
        return self

    def stop(self) -> None:
        if self._broker is not None:
            asyncio.run_coroutine_threadsafe(self._broker.shutdown(), self._loop).result(30)
            self._broker = None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def __enter__(self) -> InProcessBroker:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_live_demo(data_dir: Path, seconds: float, *, speed: float = 3600,
                  start: datetime = DEMO_START) -> dict:
    """Replay the reference history live through an in-process broker into the twin for `seconds`.

    Returns {broker, published_messages, published_readings, readings_stored, readings_duplicate,
    records_refused, first, last}.
    """
    from citytwin.datasets.load import reference_entities
    from citytwin.ingest.mqtt import MqttIngester
    from citytwin.ingest.pipeline import Pipeline
    from citytwin.ingest.quarantine import Quarantine
    from citytwin.ingest.replay import replay_reference
    from citytwin.twin import Twin
    from citytwin.twin.config import CONFIG_NAME

    data_dir = Path(data_dir)
    twin = Twin.open(data_dir) if (data_dir / CONFIG_NAME).exists() else Twin.init(data_dir)
    try:
        twin.commit(reference_entities())
        pipeline = Pipeline(twin, Quarantine.in_data_dir(data_dir))
        with InProcessBroker() as broker:
            ingester = MqttIngester(pipeline, broker.url, client_id="citytwin-demo", protocol="3.1.1",
                                    batch_messages=100, batch_seconds=0.2)
            halt, ready = threading.Event(), threading.Event()
            worker = threading.Thread(target=ingester.run, args=(halt,), kwargs={"on_ready": ready.set},
                                      name="ingester", daemon=True)
            worker.start()
            if not ready.wait(30):
                halt.set()
                raise CityTwinError(f"the demo ingester did not subscribe to {broker.url} within 30 s")
            report = replay_reference(broker.url, speed=speed, start=start, datasets=("kdd2018",),
                                      client_id="citytwin-demo-replay", seconds=seconds, protocol="3.1.1")
            pause = threading.Event()
            for _ in range(100):  # let the last batch arrive and commit (≤ 10 s)
                if ingester.stats.messages >= report.messages:
                    break
                pause.wait(0.1)
            halt.set()
            worker.join(30)
    finally:
        twin.close()
    stats = ingester.stats
    return {"broker": broker.url, "published_messages": report.messages, "published_readings": report.readings,
            "readings_stored": stats.readings_stored, "readings_duplicate": stats.readings_duplicate,
            "records_refused": stats.records_refused, **{k: v for k, v in report.as_dict().items()
                                                         if k in ("first", "last")}}
