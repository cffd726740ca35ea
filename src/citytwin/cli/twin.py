"""CLI of the twin core: init, load, entities, observations, status, verify, rebuild, demo."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from citytwin.cli._common import console, data_dir, emit_json, err_console, open_twin, progress_bar
from citytwin.twin.config import DEFAULT_ORIGIN

REFERENCE_PROJECTS_PRINCIPAL = "subcenter-planning"

load_app = typer.Typer(help="Load data into the twin. 向孪生体加载数据。", no_args_is_help=True)
entities_app = typer.Typer(help="Entities of the twin. 孪生实体。", no_args_is_help=True)
observations_app = typer.Typer(help="Observations of the twin. 观测数据。", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _records(frame) -> list[dict]:
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(out[column]):
            out[column] = out[column].map(lambda t: t.isoformat() if pd.notna(t) else None)
    return out.astype(object).where(out.notna(), None).to_dict("records")


def init(
    ctx: typer.Context,
    origin: Annotated[str, typer.Option(help="The log's origin line, unique per log.")] = DEFAULT_ORIGIN,
    district: Annotated[str, typer.Option(help="A name for the district.")] = "",
    json: JsonOption = False,
) -> None:
    """Create a data directory: configuration, log signing key, empty log and store. 初始化数据目录。"""
    from citytwin.twin import Twin

    with Twin.init(data_dir(ctx), origin=origin, district=district) as twin:
        status = twin.status()
        status["verifier_key"] = twin.config.verifier_key_path.read_text().strip()
    if json:
        emit_json(status)
    else:
        console.print(f"initialised {status['data_dir']}: log {origin!r}, verifier key {status['verifier_key']}")


def load_reference(
    ctx: typer.Context,
    projects_principal: Annotated[str, typer.Option(
        "--projects-principal",
        help="The principal who signs the reference investment projects (its key is created if missing). "
             "签署参考投资项目的主体。")] = REFERENCE_PROJECTS_PRINCIPAL,
    json: JsonOption = False,
) -> None:
    """Load the reference district: boundaries, air stations and their hourly observations, the
    park, the metro stations and the named investment projects. 加载参考区域数据。"""
    from citytwin.datasets.load import load_reference as load
    from citytwin.datasets.load import reference_observation_count

    with open_twin(ctx) as twin:
        with progress_bar("loading observations 加载观测", reference_observation_count(), enabled=not json) as advance:
            report = load(twin, progress=advance)
        programs = _load_programs(twin, projects_principal)
        status = twin.status()
    summary = {
        "entities": {"stored": report.entities.accepted, "unchanged": report.entities.duplicates,
                     "rejected": len(report.entities.rejected)},
        "observations": {"stored": report.observations.accepted, "already_stored": report.observations.duplicates,
                         "rejected": len(report.observations.rejected)},
        "rejections": [{"reason": r.reason} for r in
                       (report.entities.rejected + report.observations.rejected)[:20]],
        "programs": programs,
        "status": status,
    }
    if json:
        emit_json(summary)
        return
    console.print(
        f"entities: {summary['entities']['stored']} stored, {summary['entities']['unchanged']} unchanged; "
        f"observations: {summary['observations']['stored']:,} stored, "
        f"{summary['observations']['already_stored']:,} already stored, "
        f"{summary['observations']['rejected']:,} rejected; log size {status['log_size']:,}"
    )
    console.print(f"programs: {programs['parks']} park, {programs['metro_stations']} metro stations, "
                  f"{programs['projects']} investment projects stored", highlight=False)
    for rejection in summary["rejections"]:
        err_console.print(f"rejected: {rejection['reason']}", highlight=False)


def _load_programs(twin, principal: str) -> dict:
    """Commit the reference data of the other programs (issue 11): the City Green Heart park, the
    metro stations, and the named investment projects signed by ``principal``; counts stored now."""
    from citytwin.green.reference import load_reference as load_parks
    from citytwin.projects.load import load_reference as load_projects
    from citytwin.transport.load import load_reference as load_stations
    from citytwin.twin.signed import create_principal, principal_dir

    if not (principal_dir(twin.config.data_dir) / f"{principal}.key").exists():
        create_principal(twin.config.data_dir, principal)
    return {"parks": load_parks(twin)["accepted"], "metro_stations": load_stations(twin).accepted,
            "projects": load_projects(twin, principal).registered}


def entities_ls(
    ctx: typer.Context,
    type: Annotated[str | None, typer.Option("--type", help="Entity type, e.g. AirQualityObserved.")] = None,
    jurisdiction: Annotated[str | None, typer.Option(help="Administrative code, e.g. 110112.")] = None,
    json: JsonOption = False,
) -> None:
    """List entities (latest versions). 列出实体。"""
    with open_twin(ctx) as twin:
        found = twin.entities(type=type, jurisdiction=jurisdiction)
    rows = [
        {"id": e.id, "type": e.type, "jurisdiction": e.jurisdiction, "version": e.version,
         "name_zh": e.properties.get("name_zh"), "name_en": e.properties.get("name_en"),
         "location": e.location if e.location and e.location["type"] == "Point" else None,
         "log_index": e.log_index}
        for e in found
    ]
    if json:
        emit_json(rows)
        return
    table = Table("id", "type", "jurisdiction 辖区", "name 名称", "version", "log index")
    for r in rows:
        table.add_row(r["id"], r["type"], r["jurisdiction"] or "", f"{r['name_zh'] or ''} {r['name_en'] or ''}",
                      str(r["version"]), str(r["log_index"]))
    console.print(table)
    console.print(f"{len(rows)} entities")


def observations_query(
    ctx: typer.Context,
    entity_id: Annotated[str, typer.Argument(help="Entity id (URN).")],
    attr: Annotated[str, typer.Option("--attr", help="Attribute, e.g. pm25.")],
    start: Annotated[str | None, typer.Option("--from", help="Start (ISO 8601 with zone), inclusive.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="End (ISO 8601 with zone), exclusive.")] = None,
    every: Annotated[str | None, typer.Option(
        "--every", help="Aggregate per 1h, 1d or 1mo (days and months in Asia/Shanghai).")] = None,
    json: JsonOption = False,
) -> None:
    """Readings of one attribute of one entity, raw or aggregated. 查询观测数据。"""
    with open_twin(ctx) as twin:
        twin.entity(entity_id)
        if every:
            frame = twin.aggregate(attr, every, entity_id=entity_id, start=start, end=end).drop(columns="entity_id")
        else:
            frame = twin.observations(entity_id, attr, start, end)
    rows = _records(frame)
    if json:
        emit_json(rows)
        return
    table = Table(*frame.columns)
    for r in rows:
        table.add_row(*(f"{v:.4g}" if isinstance(v, float) else str(v) for v in r.values()))
    console.print(table)
    console.print(f"{len(rows)} rows")


def status(ctx: typer.Context, json: JsonOption = False) -> None:
    """Entities, observations, log size and latest checkpoint. 孪生体状态。"""
    with open_twin(ctx) as twin:
        result = twin.status()
    if json:
        emit_json(result)
        return
    cp = result["checkpoint"]
    console.print(
        f"data directory 数据目录: {result['data_dir']}\n"
        f"entities 实体: {result['entities']:,} ({result['entity_versions']:,} versions)\n"
        f"observations 观测: {result['observations']:,}\n"
        f"log 日志: {cp['origin']} size {cp['size']:,} root {cp['root']}"
    )


def verify(ctx: typer.Context, json: JsonOption = False) -> None:
    """Check every stored row against the log, the log against its checkpoint and signature. 校验。"""
    with open_twin(ctx) as twin:
        with progress_bar("verifying 校验", twin.log.size, enabled=not json) as advance:
            report = twin.verify(progress=advance)
    if json:
        emit_json({"ok": True, "log_size": report.log_size, "rows_checked": report.rows_checked})
    else:
        console.print(f"ok: {report.rows_checked:,} rows match the {report.log_size:,} log entries; "
                      "tiles, root and signature verify")


def rebuild(ctx: typer.Context, json: JsonOption = False) -> None:
    """Recreate the store from the log's entries alone. 由日志重建存储。"""
    with open_twin(ctx) as twin:
        with progress_bar("rebuilding 重建", twin.log.size, enabled=not json) as advance:
            applied = twin.rebuild(progress=advance)
        result = twin.status()
    if json:
        emit_json({"entries_applied": applied, **result})
    else:
        console.print(f"rebuilt the store from {applied:,} log entries")


def demo(
    ctx: typer.Context,
    serve_api: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the API and dashboard after loading.")]
    = True,
    port: Annotated[int, typer.Option(help="TCP port of the API on 127.0.0.1.")] = 8000,
    live: Annotated[float, typer.Option(
        "--live", metavar="SECONDS",
        help="Instead of the bulk load, replay the KDD 2018 history live for SECONDS through an in-process MQTT "
             "broker (amqtt; one hour of data per second) into the twin. 以内置 MQTT 代理实时回放。")] = 0,
) -> None:
    """Initialise if needed, load the reference district, summarise it, and serve it. 演示。"""
    from citytwin.twin.config import CONFIG_NAME

    directory = data_dir(ctx)
    if live > 0:
        _live_demo(directory, live)
    else:
        if not (directory / CONFIG_NAME).exists():
            ctx.invoke(init, ctx=ctx)
        ctx.invoke(load_reference, ctx=ctx)
    import pandas as pd

    with open_twin(ctx) as twin:
        stations = twin.entities(type="AirQualityObserved")
        by_jurisdiction = pd.Series([s.jurisdiction for s in stations]).value_counts().sort_index()
        tongzhou = twin.aggregate("pm25", "1mo", jurisdiction="110112", by="jurisdiction")
    console.print(f"{len(stations)} air-quality stations 空气质量监测站 by jurisdiction: "
                  + ", ".join(f"{k}: {v}" for k, v in by_jurisdiction.items()))
    table = Table("month 月份", "Tongzhou PM2.5 mean 通州 PM2.5 月均值 [µg/m³]", "hours 小时数")
    for row in tongzhou.to_dict("records"):
        table.add_row(row["period"].strftime("%Y-%m"), f"{row['mean']:.1f}", str(row["count"]))
    console.print(table)
    status(ctx)
    if serve_api:
        from citytwin.cli.serve import serve

        ctx.invoke(serve, ctx=ctx, host="127.0.0.1", port=port)


def _live_demo(directory, seconds: float) -> None:
    from citytwin.ingest.demo import run_live_demo

    console.print(f"replaying the reference history live for {seconds:g} s through an in-process MQTT broker "
                  "实时回放参考数据……")
    summary = run_live_demo(directory, seconds)
    console.print(f"broker {summary['broker']}: {summary['published_readings']:,} readings published "
                  f"({summary['first']} → {summary['last']}), {summary['readings_stored']:,} stored, "
                  f"{summary['readings_duplicate']:,} already there, {summary['records_refused']:,} refused "
                  "(see `citytwin quarantine ls`)", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Mount the twin's commands on the root app."""
    app.command()(init)
    app.command()(status)
    app.command()(verify)
    app.command()(rebuild)
    app.command()(demo)
    load_app.command("reference")(load_reference)
    entities_app.command("ls")(entities_ls)
    observations_app.command("query")(observations_query)
    app.add_typer(load_app, name="load")
    app.add_typer(entities_app, name="entities")
    app.add_typer(observations_app, name="observations")
