"""CLI of public services: `citytwin services facilities|access|registry`.

Every reporting command takes `--json`. Errors are raised as `CityTwinError`; the root command maps
them to exit codes 1 and 2.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from citytwin.cli._common import console, emit_json, open_twin

services_app = typer.Typer(help="Shared public services: facilities, reach, cross-border sharing. 公共服务共享。",
                           no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table. 输出 JSON。")]


def register(app: typer.Typer) -> None:
    """Mount `citytwin services ...` on the root app."""
    app.add_typer(services_app, name="services")


def _num(value, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


@services_app.command("facilities")
def facilities_cmd(
    ctx: typer.Context,
    kind: Annotated[str | None, typer.Option(help="hospital, elderly_care, school or kindergarten. 设施类型。")] = None,
    json: JsonOption = False,
) -> None:
    """Facilities in the twin with kind, capacity and occupancy. 列出设施。"""
    from citytwin.services.district import facilities

    with open_twin(ctx) as twin:
        frame = facilities(twin, kind)
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    if json:
        emit_json(rows)
        return
    table = Table(title=f"设施 Facilities ({len(rows)})")
    for column in ("id", "名称 name", "类型 kind", "辖区 jurisdiction", "容量 capacity", "使用率 occupancy"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["id"], str(r["name"]), r["kind"], r["jurisdiction"] or "—", _num(r["capacity"], 0),
                      _num(r["occupancy"], 2))
    console.print(table)


@services_app.command("access")
def access_cmd(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="hospital, elderly_care, school or kindergarten. 设施类型。")],
    jurisdiction: Annotated[list[str], typer.Option("--jurisdiction", "-j",
                                                    help="Jurisdiction code (repeatable). 行政区划代码。")] = [],  # noqa: B006
    minutes: Annotated[float, typer.Option(help="Walking time \\[min]. 步行时间。")] = 15.0,
    speed: Annotated[float, typer.Option(help="Speed \\[km/h]. 速度。")] = 5.0,
    mode: Annotated[str, typer.Option(help="walk or drive, over a loaded road network. 步行或驾车（路网）。")] = (
        "walk"),
    json: JsonOption = False,
) -> None:
    """Nearest facility, 15-minute reach and cross-border sharing per jurisdiction; network distance where
    roads are loaded. 最近设施、15分钟可达与跨界共享；已载入路网时按路网距离。"""
    from citytwin.services.district import access_report

    codes = jurisdiction or ["110112", "131082", "131028", "131024"]
    with open_twin(ctx) as twin:
        report = access_report(twin, kind, codes, minutes, speed, mode)
    if json:
        emit_json(report)
        return
    table = Table(title=f"{kind}: {report['facilities']} facilities, reach {report['reach_radius_m']:.0f} m "
                        f"({minutes:g} min at {speed:g} km/h, {mode})")
    for column in ("辖区 jurisdiction", "单元 units", "未达 unreached", "设施 facilities", "平均距离 mean [m]",
                   "最远 max [m]", "可达 within reach [%]", "跨界 served across border [%]",
                   "每千人容量 capacity / 1,000"):
        table.add_column(escape(column), justify="right")
    for r in report["jurisdictions"]:
        table.add_row(f"{r['jurisdiction']} {r['name_zh']}", str(r["units"]), str(r["unreached_units"]),
                      str(r["facilities"]), _num(r["mean_distance_m"], 0), _num(r["max_distance_m"], 0),
                      _num(r["within_reach_pct"]), _num(r["nearest_in_other_jurisdiction_pct"]),
                      _num(r["capacity_per_1000_residents"], 2))
    console.print(table)
    console.print(f"单元 units: {report['basis']}\n距离 distance: {report['distance_basis']}", highlight=False)
    network = report["network"]
    if network:
        console.print(f"路网 network: {network['nodes']:,} nodes, {network['unreached_units']} units reach no "
                      f"facility; 最大接入距离 largest snap to a road vertex: residents "
                      f"{_num(network['max_resident_snap_m'], 0)} m, facilities "
                      f"{_num(network['max_facility_snap_m'], 0)} m", highlight=False)


@services_app.command("registry")
def registry_cmd(
    jurisdiction: Annotated[str, typer.Option("--jurisdiction", "-j", help="Jurisdiction code. 行政区划代码。")] = (
        "110112"),
    by: Annotated[str, typer.Option(help="type, grade or town. 分组。")] = "type",
    json: JsonOption = False,
) -> None:
    """Medical institutions of the reference registry by type, grade or town. 定点医疗机构统计。"""
    from citytwin.services.registry import registry_summary

    summary = registry_summary(jurisdiction, by)
    if json:
        emit_json(summary)
        return
    table = Table(title=f"定点医疗机构 Medical institutions, {jurisdiction}: {summary['institutions']}")
    table.add_column(by)
    table.add_column("机构数 institutions", justify="right")
    for g in summary["groups"]:
        table.add_row(f"{g[by]}" + (f" ({g['type_en']})" if g.get("type_en") else ""), str(g["institutions"]))
    console.print(table)
    per = summary["per_1000_residents"]
    if per:
        console.print(f"每千人 per 1,000 residents: {per['value']:.3f} — {per['basis']}", highlight=False)
    console.print(f"来源 source: {summary['source']}\n注 note: {summary['distance_note']}", highlight=False)
