"""CLI of ingestion: `citytwin ingest mqtt|file`, `citytwin quarantine ls|show|retry|drop`,
`citytwin replay reference`."""

from __future__ import annotations

import signal
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from citytwin.cli._common import console, data_dir, emit_json, err_console, progress_bar
from citytwin.errors import BadInputError

ingest_app = typer.Typer(help="Ingest readings from MQTT or files. 数据接入。", no_args_is_help=True)
quarantine_app = typer.Typer(help="Refused input, kept with the reason. 隔离区。", no_args_is_help=True)
replay_app = typer.Typer(help="Publish history to MQTT as if live. 历史数据回放。", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _pipeline(ctx: typer.Context):
    from citytwin.ingest import Pipeline, Quarantine
    from citytwin.twin import Twin

    directory = data_dir(ctx)
    twin = Twin.open(directory)
    return Pipeline(twin, Quarantine.in_data_dir(directory))


def _time(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    from citytwin.twin.model import parse_time

    try:
        return parse_time(value)
    except BadInputError as e:
        raise BadInputError(f"{option}: {e}") from None


def ingest_mqtt(
    ctx: typer.Context,
    broker: Annotated[str, typer.Option(help="Broker URL, mqtt://HOST:PORT or mqtts://HOST:PORT.")],
    topic: Annotated[str, typer.Option(help="Topic filter to subscribe to.")] = "citytwin/#",
    client_id: Annotated[str, typer.Option("--client-id", help="Client id of the persistent session.")] = (
        "citytwin-ingest"),
    zone: Annotated[str | None, typer.Option(help="IANA zone of naive timestamps (none: refuse them).")] = None,
    batch_messages: Annotated[int, typer.Option(help="Commit after this many messages…")] = 500,
    batch_ms: Annotated[int, typer.Option(help="…or this many milliseconds after the first.")] = 200,
    seconds: Annotated[float | None, typer.Option(help="Stop this many seconds after subscribing (default: "
                                                       "run until interrupted).")] = None,
    mqtt_version: Annotated[str, typer.Option("--mqtt-version", help="5 or 3.1.1.")] = "5",
    json: JsonOption = False,
) -> None:
    """Subscribe at QoS 1 and commit each message before acknowledging it. MQTT 接入。"""
    from citytwin.ingest.mqtt import MqttIngester

    pipeline = _pipeline(ctx)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    ingester = MqttIngester(pipeline, broker, topic=topic, client_id=client_id, zone=zone,
                            batch_messages=batch_messages, batch_seconds=batch_ms / 1000, protocol=mqtt_version)
    last = [0.0]

    def report(stats) -> None:
        if time.monotonic() - last[0] >= 5:
            last[0] = time.monotonic()
            err_console.print(f"{stats.messages:,} messages: {stats.readings_stored:,} readings stored, "
                              f"{stats.readings_duplicate:,} duplicates, {stats.records_refused:,} refused",
                              highlight=False)

    def ready() -> None:
        err_console.print(f"subscribed to {topic} on {broker} as {client_id}", highlight=False)
        if seconds is not None:
            threading.Timer(seconds, stop.set).start()

    try:
        stats = ingester.run(stop, on_ready=ready, on_batch=report)
    finally:
        pipeline.twin.close()
    summary = stats.__dict__
    if json:
        emit_json(summary)
    else:
        console.print(", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in summary.items()))


def ingest_file(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="CSV, Parquet or JSON lines file.")],
    mapping: Annotated[Path | None, typer.Option(help="Mapping TOML: columns, units, source, zone.")] = None,
    batch_rows: Annotated[int, typer.Option(help="Rows per commit.")] = 100_000,
    json: JsonOption = False,
) -> None:
    """Ingest a file; a re-run stores nothing twice. 文件接入。"""
    from citytwin.ingest.files import count_rows, load_mapping
    from citytwin.ingest.files import ingest_file as run

    spec = load_mapping(mapping)
    if not path.is_file():
        raise BadInputError(f"file {path} does not exist")
    pipeline = _pipeline(ctx)
    try:
        with progress_bar(f"ingesting {path.name} 接入", count_rows(path, spec), enabled=not json) as advance:
            report = run(pipeline, path, spec, batch_rows=batch_rows, progress=advance)
    finally:
        pipeline.twin.close()
    if json:
        emit_json(report.__dict__)
    else:
        console.print(f"{report.rows:,} rows: {report.readings_stored:,} readings stored, "
                      f"{report.readings_duplicate:,} already stored, {report.refused:,} refused "
                      f"({report.quarantined:,} newly quarantined)")


def _quarantine(ctx: typer.Context):
    from citytwin.ingest import Quarantine

    return Quarantine.in_data_dir(data_dir(ctx))


def quarantine_ls(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many.")] = None,
    json: JsonOption = False,
) -> None:
    """List refused records, oldest first. 列出隔离记录。"""
    records = _quarantine(ctx).list(source=source, limit=limit)
    if json:
        emit_json([r.as_dict() for r in records])
        return
    table = Table("id", "source", "origin", "last seen", "tries", "reason")
    for r in records:
        table.add_row(str(r.id), r.source, r.origin, r.last_seen.strftime("%Y-%m-%d %H:%M:%S"), str(r.attempts),
                      r.reason)
    console.print(table)


def quarantine_show(ctx: typer.Context, id: Annotated[int, typer.Argument(help="Record id.")],
                    json: JsonOption = False) -> None:
    """Show one refused record with its raw payload. 查看隔离记录。"""
    record = _quarantine(ctx).get([id])[0].as_dict(with_payload=True)
    if json:
        emit_json(record)
        return
    payload = record.pop("payload", "")
    for key, value in record.items():
        console.print(f"[bold]{key}[/bold]: {value}", highlight=False)
    console.print("[bold]payload[/bold]:")
    console.print(payload, markup=False, highlight=False)


def quarantine_retry(
    ctx: typer.Context,
    ids: Annotated[list[int] | None, typer.Argument(help="Record ids.")] = None,
    all: Annotated[bool, typer.Option("--all", help="Retry every record.")] = False,
    json: JsonOption = False,
) -> None:
    """Run refused records through the pipeline again; remove those now stored. 重试隔离记录。"""
    from citytwin.ingest import retry

    if bool(ids) == all:
        raise BadInputError("quarantine retry: give record ids or --all (one of them)")
    pipeline = _pipeline(ctx)
    try:
        report = retry(pipeline, None if all else ids)
    finally:
        pipeline.twin.close()
    if json:
        emit_json(report.as_dict())
        return
    console.print(f"{len(report.accepted)} stored, {len(report.duplicates)} already stored (removed from "
                  f"quarantine), {len(report.refused)} still refused")
    for record_id, reason in report.refused[:20]:
        err_console.print(f"{record_id}: {reason}", highlight=False)


def quarantine_drop(ctx: typer.Context, ids: Annotated[list[int], typer.Argument(help="Record ids.")],
                    json: JsonOption = False) -> None:
    """Delete refused records for good. 删除隔离记录。"""
    dropped = _quarantine(ctx).drop(ids)
    if json:
        emit_json({"dropped": dropped})
    else:
        console.print(f"dropped {dropped} record(s)")


def replay_reference(
    broker: Annotated[str, typer.Option(help="Broker URL, mqtt://HOST:PORT.")],
    speed: Annotated[float, typer.Option(help="Data seconds per wall second (3600: an hour per second; "
                                              "0: as fast as possible).")] = 3600,
    from_: Annotated[str | None, typer.Option("--from", help="First instant (ISO 8601 with zone).")] = None,
    to: Annotated[str | None, typer.Option(help="End instant, exclusive (ISO 8601 with zone).")] = None,
    dataset: Annotated[list[str] | None, typer.Option(help="prsa and/or kdd2018 (default both).")] = None,
    client_id: Annotated[str, typer.Option("--client-id", help="MQTT client id.")] = "citytwin-replay",
    mqtt_version: Annotated[str, typer.Option("--mqtt-version", help="5 or 3.1.1.")] = "5",
    json: JsonOption = False,
) -> None:
    """Publish the reference history to MQTT as if live. 回放参考数据。"""
    from citytwin.datasets.reference import DATASETS
    from citytwin.ingest.replay import replay_reference as run

    chosen = tuple(dataset or DATASETS)
    unknown = sorted(set(chosen) - set(DATASETS))
    if unknown:
        raise BadInputError(f"--dataset {unknown}: expected some of {list(DATASETS)}")
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    report = run(broker, speed=speed, start=_time(from_, "--from"), end=_time(to, "--to"), datasets=chosen,
                 client_id=client_id, stop=stop, protocol=mqtt_version)
    if json:
        emit_json(report.as_dict())
    else:
        console.print(f"published {report.messages:,} messages ({report.readings:,} readings) covering "
                      f"{report.first} .. {report.last}")


def register(app: typer.Typer) -> None:
    """Mount `ingest`, `quarantine` and `replay` on the root app."""
    ingest_app.command("mqtt")(ingest_mqtt)
    ingest_app.command("file")(ingest_file)
    quarantine_app.command("ls")(quarantine_ls)
    quarantine_app.command("show")(quarantine_show)
    quarantine_app.command("retry")(quarantine_retry)
    quarantine_app.command("drop")(quarantine_drop)
    replay_app.command("reference")(replay_reference)
    app.add_typer(ingest_app, name="ingest")
    app.add_typer(quarantine_app, name="quarantine")
    app.add_typer(replay_app, name="replay")
