"""CLI of the importers: `citytwin import osm|facilities|gtfs PATH`.

Each command reads one file, checks every entity, commits them all at once and prints the
counts by type (`--json` for JSON). A malformed file exits 2 with the file and line or element
named, and nothing is committed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from citytwin.cli._common import console, emit_json, open_twin
from citytwin.errors import BadInputError

import_app = typer.Typer(help="Import open formats into the twin: OSM, facility registries, GTFS. 导入开放格式数据。",
                         no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table. 以 JSON 输出。")]
CrsOption = Annotated[str, typer.Option("--crs", help="Source coordinates: wgs84, gcj02, bd09 or bd09mc. 源坐标系。")]


def register(app: typer.Typer) -> None:
    """Mount `citytwin import ...` on the root app."""
    app.add_typer(import_app, name="import")


def _show(report, json: bool) -> None:
    if json:
        emit_json(report.to_dict())
        return
    table = Table(title=f"{report.path} ({report.format})")
    table.add_column("type 类型")
    table.add_column("entities 实体", justify="right")
    for entity_type, count in report.counts().items():
        table.add_row(entity_type, str(count))
    for reason, count in sorted(report.skipped.items()):
        table.add_row(f"skipped 跳过: {reason}", str(count))
    console.print(table)
    console.print(f"committed 已提交 {report.accepted}, unchanged 未变 {report.duplicates}, "
                  f"log size 日志长度 {report.log_size}")


@import_app.command("osm")
def osm_cmd(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="OSM XML (.osm) or GeoJSON FeatureCollection. OSM XML 或 GeoJSON。")],
    crs: CrsOption = "wgs84",
    json: JsonOption = False,
) -> None:
    """Import parks, forest, water, facilities, stations and roads from OpenStreetMap. 导入 OSM 要素。"""
    from citytwin.importers import import_osm

    with open_twin(ctx) as twin:
        _show(import_osm(twin, path, crs.lower()), json)


@import_app.command("facilities")
def facilities_cmd(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="CSV or XLSX registry, one facility per row. 设施名录 CSV/XLSX。")],
    mapping: Annotated[Path | None, typer.Option("--mapping", help="TOML or JSON mapping file. 字段映射文件。")] = None,
    column: Annotated[list[str] | None, typer.Option(
        "--column", help="FIELD=COLUMN, e.g. lon=经度; overrides the mapping file. 字段=列名。")] = None,
    crs: Annotated[str | None, typer.Option(
        "--crs", help="Source coordinates (overrides the mapping): wgs84, gcj02, bd09, bd09mc. 源坐标系。")] = None,
    json: JsonOption = False,
) -> None:
    """Import facilities (hospitals, elderly care, schools) with capacity and occupancy. 导入设施名录。"""
    from citytwin.importers import import_facilities, load_mapping

    columns = {}
    for pair in column or []:
        field, sep, name = pair.partition("=")
        if not sep or not field or not name:
            raise BadInputError(f"--column {pair!r}: expected FIELD=COLUMN")
        columns[field.strip()] = name.strip()
    chosen = load_mapping(mapping, columns, crs.lower() if crs else None)
    with open_twin(ctx) as twin:
        _show(import_facilities(twin, path, chosen), json)


@import_app.command("gtfs")
def gtfs_cmd(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="GTFS feed: a directory or a .zip. GTFS 目录或 zip。")],
    source: Annotated[str | None, typer.Option(
        "--source", help="Id prefix of the feed's entities [default: the file name]. 实体编号前缀。")] = None,
    json: JsonOption = False,
) -> None:
    """Import the stations, stops and routes of a GTFS feed. 导入 GTFS 站点与线路。"""
    from citytwin.importers import import_gtfs

    with open_twin(ctx) as twin:
        _show(import_gtfs(twin, path, source), json)
