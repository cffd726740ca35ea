"""CLI of the investment program: `citytwin projects totals|load|add|ls|show|report|verify`.

Projects and progress reports are signed by principals' keys (`citytwin carbon principal NAME`).
`citytwin projects verify` checks every project and report: signature, owner, stored row against
its log entry, and inclusion in the signed checkpoint (exit 1 naming each record that fails).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from citytwin.cli._common import console, emit_json, open_twin
from citytwin.errors import BadInputError

projects_app = typer.Typer(help="Investment program: projects, signed progress reports, yearly totals. "
                                "投资项目：项目、签名进度报告、年度投资。", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table. 以 JSON 输出。")]
PrincipalOption = Annotated[str, typer.Option("--principal", help="Principal who signs (key from `citytwin carbon "
                                              "principal`). 签名主体。")]


def register(app: typer.Typer) -> None:
    """Mount `citytwin projects ...` on the root app."""
    app.add_typer(projects_app, name="projects")


@projects_app.command("totals")
def totals_cmd(json: JsonOption = False) -> None:
    """Published yearly investment figures against the 1000 亿元 target. 年度投资与千亿目标。"""
    from citytwin.projects.program import TARGET_YI, yearly_totals

    rows = yearly_totals()
    if json:
        emit_json({"target_yi": TARGET_YI, "totals": rows})
        return
    table = Table(title=f"Sub-center fixed-asset investment 副中心固定资产投资 [亿元], target 目标 {TARGET_YI:g}/yr")
    for column in ("year 年份", "figure 数字", "qualifier", "vs target 对比目标", "publisher 发布", "published"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["year"], r["display_zh"], r["qualifier_en"] or "exact",
                      "—" if r["vs_target"] is None else f"{r['vs_target']:.1%}", r["publisher"], r["published"])
    console.print(table)


@projects_app.command("load")
def load_cmd(ctx: typer.Context, principal: PrincipalOption, json: JsonOption = False) -> None:
    """Register the 41 named sub-center projects of the reference data, signed. 登记参考项目。"""
    from citytwin.projects.load import load_reference

    with open_twin(ctx) as twin:
        report = load_reference(twin, principal)
    if json:
        emit_json(report.__dict__)
    else:
        console.print(f"{report.registered} projects registered 已登记, {report.already_there} already there 已存在")


@projects_app.command("add")
def add_cmd(
    ctx: typer.Context,
    project_id: Annotated[str, typer.Argument(help="Project id, e.g. tz-2026-01. 项目编号。")],
    principal: PrincipalOption,
    name_zh: Annotated[str, typer.Option("--name-zh", help="Chinese name. 中文名称。")],
    jurisdiction: Annotated[str, typer.Option("--jurisdiction", help="Administrative code. 行政区划代码。")],
    category: Annotated[str, typer.Option("--category", help="transport, education, health, ... 类别。")],
    budget: Annotated[float | None, typer.Option("--budget", help="Budget [亿元]. 预算 [亿元]。")] = None,
    milestone: Annotated[list[str] | None, typer.Option("--milestone", help="DATE=TEXT, e.g. 2026-12=主体完工; "
                                                        "repeat. 里程碑。")] = None,
    name_en: Annotated[str, typer.Option("--name-en", help="English name. 英文名称。")] = "",
    json: JsonOption = False,
) -> None:
    """Register a project, signed by its owner. 登记项目（负责人签名）。"""
    from citytwin.projects.registry import register as run

    milestones = []
    for item in milestone or []:
        date, sep, text = item.partition("=")
        if not sep:
            raise BadInputError(f"--milestone {item!r}: expected DATE=TEXT")
        milestones.append({"date": date, "text_zh": text})
    with open_twin(ctx) as twin:
        entity = run(twin, principal, project_id, name_zh=name_zh, name_en=name_en, jurisdiction=jurisdiction,
                     category=category, budget_yi=budget, milestones=milestones)
    _done(entity, json)


def _done(entity, json: bool) -> None:
    if json:
        emit_json({"id": entity.id, "version": entity.version, "log_index": entity.log_index})
    else:
        console.print(f"{entity.id} committed at log index {entity.log_index} 已提交", highlight=False)


@projects_app.command("ls")
def ls_cmd(
    ctx: typer.Context,
    jurisdiction: Annotated[str | None, typer.Option("--jurisdiction", help="Administrative code. 行政区划代码。")]
    = None,
    category: Annotated[str | None, typer.Option("--category", help="Category. 类别。")] = None,
    json: JsonOption = False,
) -> None:
    """List projects (signatures checked). 项目列表。"""
    from citytwin.projects.registry import projects

    with open_twin(ctx) as twin:
        rows = projects(twin, jurisdiction, category)
    if json:
        emit_json(rows)
        return
    table = Table(title=f"Investment projects 投资项目 ({len(rows)})")
    for column in ("id", "name 名称", "category 类别", "jurisdiction 辖区", "budget 预算 [亿元]",
                   "latest milestone 最新节点"):
        table.add_column(column)
    for r in rows:
        last = r["milestones"][-1] if r["milestones"] else None
        table.add_row(r["project_id"], r["name_zh"], r["category"], r["jurisdiction"],
                      "not published 未公布" if r["budget_yi"] is None else f"{r['budget_yi']:g}",
                      f"{last['date']}: {last['text_zh']}" if last else "")
    console.print(table)


@projects_app.command("show")
def show_cmd(ctx: typer.Context, project_id: Annotated[str, typer.Argument(help="Project id. 项目编号。")],
             json: JsonOption = False) -> None:
    """A project with its milestones and progress reports. 项目详情、节点与进度报告。"""
    from citytwin.projects.registry import project, reports

    with open_twin(ctx) as twin:
        record = project(twin, project_id)
        record["reports"] = reports(twin, project_id)
    if json:
        emit_json(record)
        return
    budget = "not published 未公布" if record["budget_yi"] is None else f"{record['budget_yi']:g} 亿元"
    console.print(f"{record['project_id']} {record['name_zh']} {record['name_en']}\n"
                  f"category 类别 {record['category']} · jurisdiction 辖区 {record['jurisdiction']} · budget 预算 "
                  f"{budget} · owner 负责人 {record['owner']} · log index {record['log_index']}", highlight=False)
    for m in record["milestones"]:
        console.print(f"  milestone 节点 {m['date']}: {m['text_zh']}", highlight=False)
    for r in record["reports"]:
        console.print(f"  report 报告 {r['period']}: {r['progress_pct']:g}% {r['note']} (log index {r['log_index']})",
                      highlight=False)
    for url in record["sources"]:
        console.print(f"  source 来源 {url}", highlight=False)


@projects_app.command("report")
def report_cmd(
    ctx: typer.Context,
    project_id: Annotated[str, typer.Argument(help="Project id. 项目编号。")],
    principal: PrincipalOption,
    period: Annotated[str, typer.Option("--period", help="YYYY, YYYY-MM, YYYY-Qn or YYYY-Hn. 报告期。")],
    progress: Annotated[float, typer.Option("--progress", help="Progress [%]. 形象进度 [%]。")],
    spent: Annotated[float | None, typer.Option("--spent", help="Spent to date [亿元]. 累计完成投资。")] = None,
    reached: Annotated[list[str] | None, typer.Option("--reached", help="Milestone reached; repeat. 已达节点。")]
    = None,
    note: Annotated[str, typer.Option("--note", help="Note. 说明。")] = "",
    json: JsonOption = False,
) -> None:
    """Commit a signed progress report for one period. 提交签名进度报告。"""
    from citytwin.projects.registry import report

    with open_twin(ctx) as twin:
        entity = report(twin, principal, project_id, period, progress_pct=progress, spent_yi=spent,
                        milestones_reached=reached or [], note=note)
    _done(entity, json)


@projects_app.command("verify")
def verify_cmd(ctx: typer.Context, json: JsonOption = False) -> None:
    """Check every project and report: signature, owner, log entry, inclusion proof. 校验项目与报告。"""
    from citytwin.projects.registry import verify

    with open_twin(ctx) as twin:
        summary = verify(twin)
    if json:
        emit_json(summary)
    else:
        console.print(f"ok: {summary['records_checked']} project and report records verify against the log "
                      f"(size {summary['log_size']:,})", highlight=False)
