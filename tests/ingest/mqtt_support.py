"""Helpers of the MQTT tests: a test stream of readings with known bad ones, and a publisher."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import orjson

from citytwin.ingest.mqtt import connect_client, parse_broker_url
from twin_records import STATIONS

ATTRIBUTES = [("pm25", "ug/m3"), ("no2", "ug/m3"), ("co", "mg/m3")]


@dataclass
class Stream:
    """Messages to publish (topic, payload), the good readings among them and the expected refusals."""

    messages: list[tuple[str, bytes]] = field(default_factory=list)
    good: dict[tuple, float] = field(default_factory=dict)  # (entity, attribute, hour index) → value
    bad: list[str] = field(default_factory=list)  # the word each refusal's reason must contain


def topic(station) -> str:
    local = station.id.rsplit(":", 1)[1]
    return f"citytwin/{station.jurisdiction}/AirQualityObserved/{local}"


def reading_doc(attribute, value, unit, hour) -> dict:
    at = datetime(2024, 3, 1, tzinfo=UTC) + timedelta(hours=hour)
    return {"observedAt": at.isoformat().replace("+00:00", "Z"), attribute: {"value": value, "unitCode": unit}}


def make_stream(n: int, seed: int = 4) -> Stream:
    """About `n` readings, one per message, ~5 % of them bad or duplicates, some sent as arrays."""
    rng = random.Random(seed)
    stream = Stream()
    future = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    sent: list[tuple[str, bytes]] = []
    bad_kinds = [
        ("malformed JSON", lambda: b'{"observedAt": "2024-03-01T00:00:00Z", "pm25": {"value": %d'
         % rng.randrange(10**9)),
        ("is not a number", lambda: orjson.dumps(reading_doc("pm25", "forty", "ug/m3", rng.randrange(20_000)))),
        ("unknown unit", lambda: orjson.dumps(reading_doc("pm25", rng.randrange(10**6), "grains/ft3",
                                                          rng.randrange(20_000)))),
        ("outside the physical range", lambda: orjson.dumps(reading_doc("no2", 99999, "ug/m3",
                                                                          rng.randrange(20_000)))),
        ("in the future", lambda: orjson.dumps({"observedAt": future, "pm25": {"value": rng.randrange(10**6),
                                                                                "unitCode": "GQ"}})),
    ]
    for i in range(n):
        station = STATIONS[i % len(STATIONS)]
        roll = rng.random()
        if roll < 0.04:
            word, make = bad_kinds[i % len(bad_kinds)]
            stream.messages.append((topic(station), make()))
            stream.bad.append(word)
        elif roll < 0.05 and sent:
            stream.messages.append(rng.choice(sent))  # a duplicate: the same sender again
        else:
            attribute, unit = ATTRIBUTES[i % len(ATTRIBUTES)]
            value = round(rng.uniform(1, 300) if unit == "ug/m3" else rng.uniform(0.1, 5), 3)
            message = (topic(station), orjson.dumps(reading_doc(attribute, value, unit, i)))
            stream.messages.append(message)
            sent.append(message)
            stream.good[(station.id, attribute, i)] = value
    return stream


class Publisher:
    """A QoS 1 publisher; :meth:`publish_all` returns once the broker has acknowledged everything."""

    def __init__(self, url: str, client_id: str) -> None:
        self.client = connect_client(parse_broker_url(url), client_id, max_inflight=200)
        self.client.loop_start()

    def publish_all(self, messages, timeout: float = 60) -> None:
        infos = [self.client.publish(t, p, qos=1) for t, p in messages]
        for info in infos:
            info.wait_for_publish(timeout)
            assert info.is_published()

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def stored_rows(twin):
    return twin.store.db.execute(
        "SELECT entity_id, attribute, observed_at, value, count(*) OVER (PARTITION BY entity_id, attribute, "
        "observed_at, source) FROM observations").fetchall()


def expected_rows(stream) -> dict:
    start = datetime(2024, 3, 1, tzinfo=UTC)
    return {(entity, attribute, start + timedelta(hours=hour)): value
            for (entity, attribute, hour), value in stream.good.items()}
