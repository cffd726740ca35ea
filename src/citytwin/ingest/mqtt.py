"""The MQTT adapter: subscribe, batch, commit durably, then acknowledge (OASIS MQTT 5.0).

Delivery guarantee: the ingester subscribes at QoS 1 in a persistent session (Clean Start 0 and
a Session Expiry Interval of 2³²−1 s, MQTT 5.0 §3.1.2.4 and §3.1.2.11.2) and acknowledges each
PUBLISH itself (paho-mqtt ``manual_ack``): a PUBACK (§3.4) is sent only after the message's
readings are in the log and the store and its refusals in the quarantine. A message that is not
acknowledged when the ingester dies is sent again by the broker when it reconnects under the
same client id (§4.4); the twin's idempotency key makes the second copy a duplicate, never a
second row. Messages are committed in batches — every `batch_messages` messages or
`batch_seconds`, whichever comes first — and the Receive Maximum (§3.1.2.11.3) lets the broker
have a whole batch in flight.

Topics (README, "MQTT topics and payloads"): ``citytwin/<jurisdiction>/<Type>/<local-id>``
names the entity ``urn:ngsi-ld:<Type>:<local-id>``; shorter topics carry documents that name
their entity. A reading of an entity of another jurisdiction than the topic's is refused, so
that broker ACLs per jurisdiction subtree decide who may write what. The observation's source
is ``mqtt:<topic>``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from threading import Event, Lock
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from citytwin.errors import BadInputError, CityTwinError
from citytwin.ingest.pipeline import IngestResult, Payload, Pipeline

__all__ = ["BrokerAddress", "BrokerUnavailable", "IngestStats", "MqttIngester", "connect_client", "entity_of_topic",
           "jurisdiction_of_topic", "parse_broker_url", "source_of_topic"]

_SESSION_FOREVER = 0xFFFFFFFF  # MQTT 5.0 §3.1.2.11.2: the session does not expire


class BrokerUnavailable(CityTwinError):
    """The broker refused the connection or could not be reached."""


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    tls: bool = False


def parse_broker_url(url: str) -> BrokerAddress:
    """``mqtt://HOST[:PORT]`` (default 1883) or ``mqtts://HOST[:PORT]`` (TLS, default 8883)."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts", "tcp") or not parts.hostname:
        raise BadInputError(f"broker URL {url!r}: expected mqtt://HOST:PORT or mqtts://HOST:PORT")
    try:
        port = parts.port
    except ValueError:
        raise BadInputError(f"broker URL {url!r}: the port is not a number in 1..65535") from None
    tls = parts.scheme == "mqtts"
    return BrokerAddress(parts.hostname, port or (8883 if tls else 1883), tls)


def entity_of_topic(topic: str) -> str | None:
    """``urn:ngsi-ld:<Type>:<local-id>`` for ``citytwin/<jurisdiction>/<Type>/<local-id>``, else None."""
    levels = topic.split("/")
    if len(levels) == 4 and all(levels[2:]):
        return f"urn:ngsi-ld:{levels[2]}:{levels[3]}"
    return None


def jurisdiction_of_topic(topic: str) -> str | None:
    """The administrative code of ``citytwin/<jurisdiction>/…`` (six digits), else None."""
    levels = topic.split("/")
    code = levels[1] if len(levels) > 1 else ""
    return code if len(code) == 6 and code.isdigit() else None


def source_of_topic(topic: str) -> str:
    return f"mqtt:{topic}"


@dataclass
class IngestStats:
    """Running totals of an ingester."""

    messages: int = 0
    batches: int = 0
    readings_stored: int = 0
    readings_duplicate: int = 0
    records_refused: int = 0
    quarantined: int = 0

    def add(self, messages: int, result: IngestResult) -> None:
        self.messages += messages
        self.batches += 1
        self.readings_stored += result.readings_stored
        self.readings_duplicate += result.readings_duplicate
        self.records_refused += result.refused
        self.quarantined += result.quarantined


PROTOCOLS = {"5": mqtt.MQTTv5, "3.1.1": mqtt.MQTTv311}


def connect_client(address: BrokerAddress, client_id: str, *, manual_ack: bool = False,
                   clean_start: bool = True, receive_maximum: int | None = None,
                   max_inflight: int = 20, keepalive: int = 30, protocol: str = "5") -> mqtt.Client:
    """A connected paho client (network loop not started), MQTT 5.0 or 3.1.1.

    `max_inflight` bounds the QoS 1 messages it publishes without a PUBACK yet. In 3.1.1 a
    persistent session is Clean Session 0 (§3.1.2.4) and the broker's own in-flight limit applies.
    """
    if protocol not in PROTOCOLS:
        raise BadInputError(f"MQTT version {protocol!r}: expected one of {sorted(PROTOCOLS)}")
    version = PROTOCOLS[protocol]
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=version,
                         manual_ack=manual_ack, clean_session=clean_start if version == mqtt.MQTTv311 else None)
    client.max_inflight_messages_set(max_inflight)
    if address.tls:
        client.tls_set()
    options: dict = {}
    if version == mqtt.MQTTv5:
        properties = Properties(PacketTypes.CONNECT)
        if not clean_start:
            properties.SessionExpiryInterval = _SESSION_FOREVER
        if receive_maximum:
            properties.ReceiveMaximum = min(receive_maximum, 65535)
        options = {"clean_start": clean_start, "properties": properties}
    try:
        client.connect(address.host, address.port, keepalive=keepalive, **options)
    except OSError as e:
        raise BrokerUnavailable(f"cannot reach the MQTT broker {address.host}:{address.port}: {e}") from e
    return client


class MqttIngester:
    """Feeds an MQTT subscription into a pipeline; run it with :meth:`run`.

    paho's network thread receives while this thread commits: messages wait in a list, tagged
    with the connection they came on; a batch is acknowledged only on the connection that
    delivered it (after a reconnect the broker sends them again, and their packet ids are void).
    """

    def __init__(self, pipeline: Pipeline, broker: str, *, topic: str = "citytwin/#",
                 client_id: str = "citytwin-ingest", zone: str | None = None, batch_messages: int = 500,
                 batch_seconds: float = 0.2, protocol: str = "5") -> None:
        if batch_messages < 1 or batch_seconds <= 0:
            raise BadInputError(f"batch of {batch_messages} messages / {batch_seconds} s: expected ≥ 1 and > 0")
        self.pipeline = pipeline
        self.address = parse_broker_url(broker)
        self.topic = topic
        self.client_id = client_id
        self.zone = zone
        self.batch_messages = batch_messages
        self.batch_seconds = batch_seconds
        self.protocol = protocol
        self.stats = IngestStats()
        self._lock = Lock()  # guards _pending, _first_pending and _connection
        self._pending: list[tuple[int, mqtt.MQTTMessage]] = []
        self._first_pending = 0.0
        self._connection = 0
        self._wake = Event()
        self._subscribed = Event()
        self._closing = False

    def run(self, stop: Event | None = None, *, on_ready: Callable[[], None] | None = None,
            on_batch: Callable[[IngestStats], None] | None = None) -> IngestStats:
        """Ingest until `stop` is set; paho reconnects after a lost connection."""
        stop = stop or Event()
        self._closing = False
        client = self._connect()
        client.loop_start()
        ready_told = False
        try:
            while not stop.is_set():
                self._wake.wait(0.02)
                self._wake.clear()
                if not ready_told and self._subscribed.is_set():
                    ready_told = True
                    if on_ready:
                        on_ready()
                with self._lock:
                    due = bool(self._pending) and (len(self._pending) >= self.batch_messages
                                                   or time.monotonic() - self._first_pending >= self.batch_seconds)
                if due:
                    self._flush(client)
                    if on_batch:
                        on_batch(self.stats)
            with self._lock:
                self._closing = True  # what arrives now stays unacknowledged, for the next run
            while self._pending:
                self._flush(client)
        finally:
            client.disconnect()
            client.loop_stop()
        return self.stats

    # ---- internals -----------------------------------------------------------------------
    def _connect(self) -> mqtt.Client:
        client = connect_client(self.address, self.client_id, manual_ack=True, clean_start=False,
                                receive_maximum=self.batch_messages * 2, protocol=self.protocol)
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        client.reconnect_delay_set(0.1, 5)
        return client

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            return
        with self._lock:  # what the last connection delivered is void: the broker sends it again
            self._connection += 1
            self._pending.clear()
        client.subscribe(self.topic, qos=1)
        if flags.session_present:  # the subscription is part of the session: delivery starts now
            self._subscribed.set()

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        self._subscribed.set()

    def _on_message(self, client, userdata, message: mqtt.MQTTMessage) -> None:
        with self._lock:
            if self._closing:
                return
            if not self._pending:
                self._first_pending = time.monotonic()
            self._pending.append((self._connection, message))
            if len(self._pending) >= self.batch_messages:
                self._wake.set()

    def _flush(self, client: mqtt.Client) -> None:
        with self._lock:  # at most one batch per commit, whatever the broker has sent meanwhile
            batch, self._pending = self._pending[:self.batch_messages], self._pending[self.batch_messages:]
            if self._pending:
                self._first_pending = time.monotonic()
                self._wake.set()
        if not batch:
            return
        messages = [m for _, m in batch]
        payloads = [Payload(m.payload, source_of_topic(m.topic), m.topic, entity_of_topic(m.topic),
                            jurisdiction_of_topic(m.topic)) for m in messages]
        result = self.pipeline.ingest_payloads(payloads, zone=self.zone)  # durable when it returns
        with self._lock:
            for connection, message in batch:
                if connection == self._connection:
                    client.ack(message.mid, message.qos)
        self.stats.add(len(messages), result)
