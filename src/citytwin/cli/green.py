"""CLI of green space: `citytwin green indicators|load-reference|reference`.

Every reporting command takes `--json`. Errors are raised as `CityTwinError`; the root command maps
them to exit codes 1 and 2.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from citytwin.cli._common import console, emit_json, open_twin

green_app = typer.Typer(help="Green space: parks, service radii, forest cover. 绿色空间：公园、服务半径、森林覆盖率。",
                        no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table. 输出 JSON。")]

_LABELS = [
    ("area_m2", "面积 area [km²]", 1e-6),
    ("green_area_m2", "绿地面积 green area [km²]", 1e-6),
    ("park_area_m2", "公园面积 park area [km²]", 1e-6),
    ("parks", "公园数 parks", 0),
    ("forest_cover_pct", "森林覆盖率 forest cover [%]", 1),
    ("residents", "居民 residents", 1),
    ("park_area_per_resident_m2", "人均公园面积 park per resident [m²]", 1),
    ("residents_within_300m_pct", "公园300米内居民 residents ≤300 m [%]", 1),
    ("residents_within_500m_pct", "公园500米内居民 residents ≤500 m [%]", 1),
    ("area_within_300m_pct", "公园300米内面积 area ≤300 m [%] (area-based)", 1),
    ("area_within_500m_pct", "公园500米内面积 area ≤500 m [%] (area-based)", 1),
]


def register(app: typer.Typer) -> None:
    """Mount `citytwin green ...` on the root app."""
    app.add_typer(green_app, name="green")


def _cell(value, scale) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if scale == 0 else f"{value:,.2f}" if scale == 1 else f"{value * scale:,.3f}"


def _table(results: list[dict]) -> None:
    table = Table(title="绿色空间指标 Green-space indicators")
    table.add_column("指标 indicator")
    for r in results:
        table.add_column(str(r["zone"]), justify="right")
    for key, label, scale in _LABELS:
        table.add_row(escape(label), *(_cell(r[key], scale) for r in results))
    console.print(table)
    for r in results[:1]:
        console.print(f"人口 population: {r['population_basis']}; 方法 method: {r['method']}", highlight=False)
        for note in ("area_based_note", "forest_note"):
            if note in r:
                console.print(f"注 note: {r[note]}", highlight=False)


@green_app.command("indicators")
def indicators_cmd(
    ctx: typer.Context,
    jurisdiction: Annotated[list[str], typer.Option("--jurisdiction", "-j",
                                                    help="Jurisdiction code (repeatable). 行政区划代码。")] = [],  # noqa: B006
    json: JsonOption = False,
) -> None:
    """Indicators per jurisdiction (default: Tongzhou and the three counties). 按行政区计算绿色空间指标。"""
    from citytwin.green.district import indicators, read_layers, zone_geometry

    codes = jurisdiction or ["110112", "131082", "131028", "131024"]
    with open_twin(ctx) as twin:
        layers = read_layers(twin)
        results = [indicators(layers, code, zone_geometry(twin, code)) for code in codes]
    emit_json(results) if json else _table(results)


@green_app.command("load-reference")
def load_reference_cmd(ctx: typer.Context, json: JsonOption = False) -> None:
    """Commit the reference park (City Green Heart, OSM, ODbL) as a Park entity. 载入参考公园。"""
    from citytwin.green.reference import load_reference

    with open_twin(ctx) as twin:
        done = load_reference(twin)
    emit_json(done) if json else console.print(f"{done['accepted']} park(s) committed, {done['duplicates']} already "
                                               f"stored: {', '.join(done['parks'])}", highlight=False)


@green_app.command("reference")
def reference_cmd(ctx: typer.Context, json: JsonOption = False) -> None:
    """Tongzhou's computed figures beside the published ones, with sources. 计算值与公布值对照。"""
    from citytwin.green.reference import reference_report

    with open_twin(ctx) as twin:
        report = reference_report(twin)
    if json:
        emit_json(report)
        return
    _table([report["computed"]])
    for park in report["reference_parks"]:
        console.print(f"公园 park {park['name']}: {park['area_km2_geodesic']:.3f} km² (geodesic) — {park['source']}; "
                      f"{park['licence']}", highlight=False)
    per = report["park_area_per_resident_on_census_m2"]
    console.print(f"人均公园面积 park per resident: {per['value']:.2f} m² — {per['basis']}", highlight=False)
    table = Table(title="公布值 Published figures (not computed here)")
    for column in ("指标 metric", "值 value", "年份 year", "来源 source"):
        table.add_column(column)
    for row in report["published"]:
        table.add_row(row["metric"], f"{row['value']:g} {row['unit']}", row["year"] or "—", row["source"])
    console.print(table)
