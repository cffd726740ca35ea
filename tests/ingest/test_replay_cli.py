"""Replay of the reference history through Mosquitto, the `ingest mqtt` command, the live demo."""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime

import orjson
import pandas as pd
import pytest
from mqtt_support import Publisher, reading_doc, topic
from typer.testing import CliRunner

from citytwin.cli import app
from citytwin.datasets.load import reference_entities, reference_observations
from citytwin.ingest import Pipeline, Quarantine
from citytwin.ingest.mqtt import MqttIngester
from citytwin.ingest.replay import replay_reference
from citytwin.twin import Twin
from twin_records import TONGZHOU_STATION

START, END = datetime(2018, 1, 1, tzinfo=UTC), datetime(2018, 1, 1, 4, tzinfo=UTC)


def test_replay_reference_arrives_whole(mosquitto, tmp_path):
    with Twin.init(tmp_path / "data", origin="test.citytwin/replay") as twin:
        twin.commit(reference_entities())
        ingester = MqttIngester(Pipeline(twin, Quarantine.in_data_dir(tmp_path / "data")), mosquitto.url,
                                client_id="replay-test")
        stop, ready = threading.Event(), threading.Event()
        worker = threading.Thread(target=ingester.run, args=(stop,), kwargs={"on_ready": ready.set}, daemon=True)
        worker.start()
        assert ready.wait(10)
        report = replay_reference(mosquitto.url, speed=0, start=START, end=END, datasets=("kdd2018",))
        deadline = time.monotonic() + 30
        while ingester.stats.messages < report.messages and time.monotonic() < deadline:
            time.sleep(0.02)
        stop.set()
        worker.join(10)
        expected = reference_observations("kdd2018")
        expected = expected[(expected["observed_at"] >= pd.Timestamp(START)) & (expected["observed_at"] < END)]
        assert report.readings == len(expected) and report.last == datetime(2018, 1, 1, 3, tzinfo=UTC)
        assert ingester.stats.readings_stored == len(expected)
        stored = twin.store.db.execute("SELECT sum(value) FILTER (attribute = 'pm25'), count(*), "
                                       "min(source) FROM observations").fetchone()
        assert stored[0] == pytest.approx(expected.loc[expected["attribute"] == "pm25", "value"].sum())
        assert stored[1] == len(expected) and stored[2].startswith("mqtt:citytwin/")


def test_ingest_mqtt_command(mosquitto, data_dir):
    runner = CliRunner()
    command = ["--data-dir", str(data_dir), "ingest", "mqtt", "--broker", mosquitto.url, "--client-id", "cli-test",
               "--json"]
    first = runner.invoke(app, [*command, "--seconds", "0.2"])  # makes the persistent session
    assert first.exit_code == 0 and "subscribed to citytwin/#" in first.stderr, first.stderr
    publisher = Publisher(mosquitto.url, "cli-test-publisher")
    publisher.publish_all([(topic(TONGZHOU_STATION), orjson.dumps(reading_doc("pm25", 10 + h, "ug/m3", h)))
                           for h in range(12)])
    publisher.close()
    second = runner.invoke(app, [*command, "--seconds", "5"])  # the broker kept them for the session
    assert second.exit_code == 0, second.stderr
    assert orjson.loads(second.stdout)["readings_stored"] == 12
    bad = runner.invoke(app, ["--data-dir", str(data_dir), "ingest", "mqtt", "--broker", "http://x"])
    assert bad.exit_code == 2 and "expected mqtt://HOST:PORT" in bad.stderr


def test_citytwin_demo_live_replays_through_the_embedded_broker(tmp_path):
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path / "live"), "demo", "--live", "1.5", "--no-serve"],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    published, stored = (int(re.search(rf"([\d,]+) {what}", result.output).group(1).replace(",", ""))
                         for what in ("readings published", "stored"))
    assert stored == published > 0 and " 0 refused" in result.output
    with Twin.open(tmp_path / "live") as twin:
        assert twin.store.counts()["observations"] == stored
        assert len(twin.entities(type="AirQualityObserved")) == 35
