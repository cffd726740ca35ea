"""The MQTT path with a real Mosquitto broker: bad readings, duplicates, floods, oversized payloads."""

from __future__ import annotations

import os
import threading
import time

import pytest
from mqtt_support import Publisher, expected_rows, make_stream, stored_rows, topic

from citytwin.ingest.mqtt import MqttIngester, entity_of_topic, jurisdiction_of_topic, parse_broker_url
from twin_records import STATIONS, TONGZHOU_STATION


def run_ingester(pipeline, url, client_id, **kwargs):
    ingester = MqttIngester(pipeline, url, client_id=client_id, **kwargs)
    stop, ready = threading.Event(), threading.Event()
    thread = threading.Thread(target=ingester.run, args=(stop,), kwargs={"on_ready": ready.set}, daemon=True)
    thread.start()
    assert ready.wait(10), "the ingester did not subscribe"
    return ingester, stop, thread


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_topics_and_urls():
    assert entity_of_topic("citytwin/110112/AirQualityObserved/tongzhou") == TONGZHOU_STATION.id
    assert entity_of_topic("citytwin/110112") is None
    assert jurisdiction_of_topic("citytwin/131082/AirQualityObserved/x") == "131082"
    assert jurisdiction_of_topic("sensors/roof/3") is None
    assert parse_broker_url("mqtt://127.0.0.1").port == 1883
    assert parse_broker_url("mqtts://broker.example:8884").tls


def test_stream_with_bad_readings_stores_every_good_one_once(mosquitto, pipeline):
    stream = make_stream(1000)
    assert 25 <= len(stream.bad) <= 60
    ingester, stop, thread = run_ingester(pipeline, mosquitto.url, "test-stream", batch_messages=100)
    log_before = pipeline.twin.log.size
    publisher = Publisher(mosquitto.url, "test-stream-publisher")
    publisher.publish_all(stream.messages)
    wait_for(lambda: ingester.stats.messages == len(stream.messages))
    stop.set()
    thread.join(10)
    publisher.close()

    rows = stored_rows(pipeline.twin)
    assert len(rows) == len(stream.good) and all(row[4] == 1 for row in rows)
    assert {(r[0], r[1], r[2]): r[3] for r in rows} == pytest.approx(expected_rows(stream))
    assert ingester.stats.readings_duplicate == len(stream.messages) - len(stream.good) - len(stream.bad)
    assert pipeline.twin.log.size == log_before + len(stream.good)
    assert pipeline.twin.verify().ok
    quarantined = pipeline.quarantine.list()
    assert len(quarantined) == len(stream.bad)
    for word in set(stream.bad):
        assert sum(word in q.reason for q in quarantined) == stream.bad.count(word), word
    assert all(q.source.startswith("mqtt:citytwin/") for q in quarantined)


def test_floods_and_oversized_payloads_do_not_stop_it(mosquitto, pipeline):
    ingester, stop, thread = run_ingester(pipeline, mosquitto.url, "test-flood", batch_messages=200)
    publisher = Publisher(mosquitto.url, "test-flood-publisher")
    station = STATIONS[0]
    good = make_stream(40, seed=9)
    good_messages = [m for m in good.messages if m[1].startswith(b'{"observedAt":"2024-03-01')]
    garbage = [(topic(station), os.urandom(64) + bytes([i % 256])) for i in range(300)]
    huge = [(topic(station), b'{"pad": "' + b"x" * (100 * 1024) + b'"}')] * 3
    flood = []
    for i, message in enumerate(garbage):
        flood.append(message)
        if i % 10 == 0 and good_messages:
            flood.append(good_messages.pop())
        if i % 100 == 0:
            flood.extend(huge[:1])
    flood.extend(good_messages)
    publisher.publish_all(flood)
    wait_for(lambda: ingester.stats.messages == len(flood))
    stop.set()
    thread.join(10)
    publisher.close()

    stored = pipeline.twin.store.counts()["observations"]
    assert stored == len({m for m in flood if m[1].startswith(b'{"observedAt":"2024-03-01')})
    reasons = [q.reason for q in pipeline.quarantine.list()]
    assert sum(r.startswith("malformed JSON") for r in reasons) == len(garbage)
    assert sum("bytes: at most 65536 bytes" in r for r in reasons) == 1  # the same payload, kept once
    assert [q.attempts for q in pipeline.quarantine.list() if q.size > 65536] == [3]
