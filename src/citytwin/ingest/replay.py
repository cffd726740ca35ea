"""Replay: publish the reference history to MQTT as if the stations sent it live.

Each station-hour becomes one key-value document on ``citytwin/<jurisdiction>/AirQualityObserved/
<station>`` (the topic convention of `citytwin.ingest.mqtt`), with every attribute's value and
UCUM ``unitCode`` and the hour's ``observedAt``, published at QoS 1. With ``speed`` s, data time
runs ``speed`` times faster than wall time: 3600 publishes one hour of data per second; 0 publishes
as fast as the broker takes it (load tests).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from threading import Event

import numpy as np
import orjson
import pandas as pd

from citytwin.errors import BadInputError
from citytwin.ingest.mqtt import connect_client, parse_broker_url

__all__ = ["ReplayReport", "reference_messages", "replay", "replay_reference"]


@dataclass
class ReplayReport:
    """What a replay published: messages, readings, and the data-time span covered."""

    messages: int = 0
    readings: int = 0
    first: datetime | None = None
    last: datetime | None = None

    def as_dict(self) -> dict:
        return {"messages": self.messages, "readings": self.readings,
                "first": self.first.isoformat() if self.first else None,
                "last": self.last.isoformat() if self.last else None}


def _batch(datasets: tuple[str, ...], start: datetime | None, end: datetime | None) -> pd.DataFrame:
    from citytwin.datasets.load import reference_observations

    frames = []
    for dataset in datasets:
        frame = reference_observations(dataset)
        if start is not None:
            frame = frame[frame["observed_at"] >= pd.Timestamp(start)]
        if end is not None:
            frame = frame[frame["observed_at"] < pd.Timestamp(end)]
        frames.append(frame)
    batch = pd.concat(frames, ignore_index=True)
    return batch.sort_values(["observed_at", "entity_id", "attribute"], kind="stable", ignore_index=True)


def reference_messages(datasets: tuple[str, ...] = ("prsa", "kdd2018"), start: datetime | None = None,
                       end: datetime | None = None) -> Iterator[tuple[pd.Timestamp, str, bytes, int]]:
    """(observed_at, topic, payload, readings) per station-hour of the reference pack, in time order."""
    from citytwin.datasets.load import reference_entities

    jurisdiction = {e.id: e.jurisdiction for e in reference_entities()}
    batch = _batch(datasets, start, end)
    if not len(batch):
        return
    times = batch["observed_at"].to_numpy()
    entities = batch["entity_id"].to_numpy(dtype=object)
    keys = np.flatnonzero((times[1:] != times[:-1]) | (entities[1:] != entities[:-1])) + 1
    bounds = np.concatenate([[0], keys, [len(batch)]])
    attributes = batch["attribute"].to_numpy(dtype=object)
    values = batch["value"].to_numpy(dtype=float)
    units = batch["unit"].to_numpy(dtype=object)
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        entity = entities[lo]
        observed_at = pd.Timestamp(times[lo]).tz_localize("UTC") if pd.Timestamp(times[lo]).tzinfo is None \
            else pd.Timestamp(times[lo])
        doc = {"observedAt": observed_at.strftime("%Y-%m-%dT%H:%M:%SZ")}
        for i in range(lo, hi):
            doc[attributes[i]] = {"value": float(values[i]), "unitCode": units[i]}
        local = entity.rsplit(":", 1)[1]
        topic = f"citytwin/{jurisdiction.get(entity) or 'unknown'}/AirQualityObserved/{local}"
        yield observed_at, topic, orjson.dumps(doc), int(hi - lo)


def replay(messages: Iterator[tuple[pd.Timestamp, str, bytes, int]], publish: Callable[[str, bytes], None],
           speed: float, *, stop: Event | None = None, seconds: float | None = None,
           sleep: Callable[[float], None] = time.sleep) -> ReplayReport:
    """Publish `messages` paced so that data time runs `speed` times wall time (0: unpaced),
    until they end, `stop` is set, or `seconds` of wall time have passed since the first."""
    if speed < 0:
        raise BadInputError(f"replay speed {speed}: expected ≥ 0 (0 publishes as fast as possible)")
    report = ReplayReport()
    wall0 = float("inf")
    for observed_at, topic, payload, readings in messages:
        if (stop is not None and stop.is_set()) or (seconds is not None and time.monotonic() - wall0 > seconds):
            break
        if report.first is None:
            report.first, wall0 = observed_at.to_pydatetime(), time.monotonic()
        if speed:
            due = wall0 + (observed_at.to_pydatetime() - report.first).total_seconds() / speed
            delay = due - time.monotonic()
            if delay > 0:
                sleep(delay)
        publish(topic, payload)
        report.messages += 1
        report.readings += readings
        report.last = observed_at.to_pydatetime()
    return report


def replay_reference(broker: str, *, speed: float = 3600, start: datetime | None = None,
                     end: datetime | None = None, datasets: tuple[str, ...] = ("prsa", "kdd2018"),
                     client_id: str = "citytwin-replay", stop: Event | None = None,
                     seconds: float | None = None, protocol: str = "5") -> ReplayReport:
    """Publish the reference history to `broker` at QoS 1; returns once the broker has every message."""
    client = connect_client(parse_broker_url(broker), client_id, max_inflight=1000, protocol=protocol)
    client.loop_start()
    last = None

    def publish(topic: str, payload: bytes) -> None:
        nonlocal last
        last = client.publish(topic, payload, qos=1)

    try:
        report = replay(reference_messages(datasets, start, end), publish, speed, stop=stop, seconds=seconds)
        if last is not None:
            last.wait_for_publish(timeout=60)
    finally:
        client.disconnect()
        client.loop_stop()
    return report
