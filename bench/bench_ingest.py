"""Benchmark of ingestion (issue 4): readings/s through MQTT and through files, committed and durable.

Prints one JSON line per figure, with the peer measured in the same run and their ratio:
* MQTT: Mosquitto on 127.0.0.1, a QoS 1 publisher and the ingester in this process; readings
  batched 50 per message (10 key-value documents of 5 pollutants). The clock stops when the last
  reading is in the log and the store. Peer: the bare broker round trip — the same messages
  published at QoS 1 and received at QoS 1 by a subscriber that does nothing with them — the
  limit of the MQTT path (goal: at least 50 % of it).
* files: a Parquet and a CSV file of long-form readings through `ingest_file`, against the goal
  of 200,000 readings/s; the line also gives the twin's own commit rate on the same readings
  already in memory (`Twin.commit_observations`), the floor under any adapter.

The readings are synthetic (load-test data, labelled so) at the reference pack's real stations.
Needs Mosquitto (`apt-get install mosquitto`).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import orjson
import pandas as pd

from citytwin.datasets.load import reference_entities
from citytwin.ingest import Pipeline, Quarantine
from citytwin.ingest.files import ingest_file, load_mapping
from citytwin.ingest.mqtt import MqttIngester, connect_client, parse_broker_url
from citytwin.twin import Twin

MESSAGES = 4000
DOCS_PER_MESSAGE = 10
POLLUTANTS = ("pm25", "pm10", "so2", "no2", "o3")
FILE_READINGS = 1_000_000
GOAL_FILE_PER_S = 200_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _mosquitto(directory: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    config = directory / "mosquitto.conf"
    config.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
                      f"persistence_location {directory}/\nmax_queued_messages 0\n")
    process = subprocess.Popen([shutil.which("mosquitto"), "-c", str(config)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    for _ in range(500):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.01)
    return process, f"mqtt://127.0.0.1:{port}"


def _messages(stations: list) -> list[tuple[str, bytes]]:
    rng = np.random.default_rng(4)
    start = pd.Timestamp("2020-01-01T00:00Z")
    messages = []
    for m in range(MESSAGES):
        station = stations[m % len(stations)]
        base = (m // len(stations)) * DOCS_PER_MESSAGE
        docs = [{"observedAt": (start + pd.Timedelta(hours=base + d)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                 **{p: {"value": round(float(v), 1), "unitCode": "ug/m3"}
                    for p, v in zip(POLLUTANTS, rng.uniform(1, 300, len(POLLUTANTS)), strict=True)}}
                for d in range(DOCS_PER_MESSAGE)]
        local = station.id.rsplit(":", 1)[1]
        messages.append((f"citytwin/{station.jurisdiction}/AirQualityObserved/{local}", orjson.dumps(docs)))
    return messages


def _publish(url: str, client_id: str, messages) -> None:
    client = connect_client(parse_broker_url(url), client_id, max_inflight=1000)
    client.loop_start()
    infos = [client.publish(t, p, qos=1) for t, p in messages]
    for info in infos:
        info.wait_for_publish(120)
    client.disconnect()
    client.loop_stop()


def bare_round_trip(url: str, messages) -> float:
    """Seconds to publish and receive `messages` at QoS 1 with no processing."""
    received = threading.Event()
    count = [0]

    def on_message(client, userdata, message) -> None:
        count[0] += 1
        if count[0] == len(messages):
            received.set()

    subscriber = connect_client(parse_broker_url(url), "bench-bare-sub", receive_maximum=1000)
    subscriber.on_message = on_message
    subscriber.subscribe("citytwin/#", qos=1)
    subscriber.loop_start()
    time.sleep(0.3)
    started = time.perf_counter()
    _publish(url, "bench-bare-pub", messages)
    received.wait(300)
    elapsed = time.perf_counter() - started
    subscriber.disconnect()
    subscriber.loop_stop()
    assert count[0] == len(messages), count[0]
    return elapsed


def mqtt_ingest(url: str, data_dir: Path, messages, readings: int) -> float:
    """Seconds from the first publish until every reading is committed (log and store)."""
    with Twin.open(data_dir) as twin:
        ingester = MqttIngester(Pipeline(twin, Quarantine.in_data_dir(data_dir)), url, client_id="bench-ingest",
                                batch_messages=500, batch_seconds=0.1)
        stop, ready = threading.Event(), threading.Event()
        worker = threading.Thread(target=ingester.run, args=(stop,), kwargs={"on_ready": ready.set})
        worker.start()
        ready.wait(30)
        started = time.perf_counter()
        _publish(url, "bench-ingest-pub", messages)
        while ingester.stats.readings_stored < readings and time.perf_counter() - started < 600:
            time.sleep(0.005)
        elapsed = time.perf_counter() - started
        stop.set()
        worker.join()
        assert ingester.stats.readings_stored == readings, ingester.stats
    return elapsed


def _file_frame(stations: list) -> pd.DataFrame:
    n_hours = FILE_READINGS // (len(stations) * len(POLLUTANTS)) + 1
    hours = pd.date_range("2019-01-01", periods=n_hours, freq="h", tz="UTC")
    grid = pd.MultiIndex.from_product([[s.id for s in stations], hours, POLLUTANTS],
                                      names=["entity_id", "observed_at", "attribute"]).to_frame(index=False)
    grid = grid.iloc[:FILE_READINGS]
    grid["value"] = np.random.default_rng(5).uniform(1, 300, len(grid)).round(1)
    grid["unit"] = "ug/m3"
    return grid


def file_ingest(data_dir: Path, path: Path) -> float:
    with Twin.open(data_dir) as twin:
        started = time.perf_counter()
        report = ingest_file(Pipeline(twin, Quarantine.in_data_dir(data_dir)), path, load_mapping(None),
                             batch_rows=200_000)
        elapsed = time.perf_counter() - started
    assert report.readings_stored == FILE_READINGS, report
    return elapsed


def twin_commit(data_dir: Path, frame: pd.DataFrame) -> float:
    with Twin.open(data_dir) as twin:
        started = time.perf_counter()
        for start in range(0, len(frame), 200_000):
            twin.commit_observations(frame.iloc[start:start + 200_000].assign(source="bench:memory"))
        return time.perf_counter() - started


def _fresh(root: Path, name: str, entities) -> Path:
    with Twin.init(root / name, origin=f"bench.citytwin/{name}") as twin:
        twin.commit(entities)
    return root / name


def main() -> None:
    entities = reference_entities()
    stations = [e for e in entities if e.type == "AirQualityObserved"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "broker").mkdir()
        broker, url = _mosquitto(root / "broker")
        try:
            messages = _messages(stations)
            readings = MESSAGES * DOCS_PER_MESSAGE * len(POLLUTANTS)
            bare_s = bare_round_trip(url, messages)
            ingest_s = mqtt_ingest(url, _fresh(root, "mqtt", entities), messages, readings)
        finally:
            broker.terminate()
            broker.wait()
        value, peer = readings / ingest_s, readings / bare_s
        print(json.dumps({"figure": "MQTT ingest, committed and durable [readings/s]", "value": round(value),
                          "readings": readings, "readings_per_message": DOCS_PER_MESSAGE * len(POLLUTANTS),
                          "peer": "Mosquitto QoS 1 round trip, no processing [readings/s]",
                          "peer_value": round(peer), "ratio": round(value / peer, 3), "goal_ratio": 0.5}))

        frame = _file_frame(stations)
        memory_s = twin_commit(_fresh(root, "memory", entities), frame)
        for suffix in ("parquet", "csv"):
            path = root / f"readings.{suffix}"
            if suffix == "parquet":
                frame.to_parquet(path)
            else:
                frame.assign(observed_at=frame["observed_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")).to_csv(
                    path, index=False)
            seconds = file_ingest(_fresh(root, suffix, entities), path)
            value = FILE_READINGS / seconds
            print(json.dumps({"figure": f"file ingest ({suffix}), committed and durable [readings/s]",
                              "value": round(value), "readings": FILE_READINGS, "peer": "goal",
                              "peer_value": GOAL_FILE_PER_S, "ratio": round(value / GOAL_FILE_PER_S, 3),
                              "twin_commit_in_memory_per_s": round(FILE_READINGS / memory_s)}))


if __name__ == "__main__":
    main()
