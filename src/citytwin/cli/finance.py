"""CLI of green finance: `citytwin finance catalogue|classify|registry|project|bond`.

Principals' keys are those of `citytwin carbon principal`. Every reporting command takes `--json`.
`citytwin finance registry verify` replays the log and checks every invariant (exit 1 if one fails).
Errors are raised as `CityTwinError`; the root command maps them to exit codes 1 and 2.
"""

from __future__ import annotations

import json as _json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from citytwin.cli._common import console, emit_json, open_twin
from citytwin.errors import BadInputError

finance_app = typer.Typer(help="Green finance: catalogue, projects, bonds, carbon-credit registry. 绿色金融。",
                          no_args_is_help=True)
registry_app = typer.Typer(help="Carbon-credit registry on the log. 碳信用登记簿。", no_args_is_help=True)
project_app = typer.Typer(help="Green project registry. 绿色项目库。", no_args_is_help=True)
bond_app = typer.Typer(help="Green bonds: allocation and impact. 绿色债券。", no_args_is_help=True)
finance_app.add_typer(registry_app, name="registry")
finance_app.add_typer(project_app, name="project")
finance_app.add_typer(bond_app, name="bond")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
EditionOption = Annotated[str, typer.Option("--edition", help="Catalogue edition: 2021 or 2025.")]


def register(app: typer.Typer) -> None:
    """Mount `citytwin finance ...` on the root app."""
    app.add_typer(finance_app, name="finance")


def _attributes(pairs: list[str]) -> dict:
    out = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep:
            raise BadInputError(f"--attr {pair!r}: expected NAME=VALUE")
        try:
            out[key] = _json.loads(text)
        except ValueError:
            out[key] = text
    return out


@finance_app.command("catalogue")
def catalogue_cmd(
    edition: EditionOption = "2025",
    level: Annotated[int | None, typer.Option("--level", help="Only this level (1 = level I). 只列该级。")] = None,
    code: Annotated[str | None, typer.Option("--code", help="One category, its path and children. 某一分类。")] = None,
    json: JsonOption = False,
) -> None:
    """Categories of a catalogue edition as a code tree, with recorded vs published counts. 目录分类树。"""
    from citytwin.finance import taxonomy

    meta, coverage = taxonomy.edition(edition), taxonomy.coverage(edition)
    if code is not None:
        node = taxonomy.category(edition, code)
        view = {"category": node.__dict__, "path": [c.__dict__ for c in taxonomy.path(edition, code)],
                "children": [c.__dict__ for c in taxonomy.children(edition, code)]}
        if json:
            emit_json({"edition": edition, **view})
            return
        console.print(" > ".join(f"{c.code} {c.zh} / {c.en}" for c in taxonomy.path(edition, code)), highlight=False)
        console.print(f"English name: {node.en_source}; source: {node.source}", highlight=False)
        for c in taxonomy.children(edition, code):
            console.print(f"  {c.code} {c.zh} / {c.en}", highlight=False)
        return
    cats = taxonomy.categories(edition, level)
    if json:
        emit_json({**meta, "coverage": coverage, "categories": [c.__dict__ for c in cats],
                   "tree": taxonomy.tree(edition) if level is None else None})
        return
    table = Table(title=f"{meta['title_zh']} / {meta['title_en']} (in force {meta['effective']})")
    for column in ("code 代码", "名称", "name", "English name 英文名"):
        table.add_column(column)
    for c in cats:
        table.add_row("  " * (c.level - 1) + c.code, c.zh, c.en, c.en_source)
    console.print(table)
    for row in coverage:
        state = "complete" if row["complete"] else "not all recorded"
        console.print(f"level {row['level']}: {row['recorded']} of {row['published']} published ({state})",
                      highlight=False)


@finance_app.command("classify")
def classify_cmd(
    activity: Annotated[str, typer.Argument(help="Activity id or name, e.g. solar_power or 绿色建筑.")],
    attr: Annotated[list[str], typer.Option("--attr", help="Declared attribute NAME=VALUE (JSON value).")] = [],  # noqa: B006
    edition: EditionOption = "2025",
    json: JsonOption = False,
) -> None:
    """Classify a project's activity under a catalogue, with each criterion checked. 项目分类。"""
    from citytwin.finance.classifier import classify

    result = classify(activity, _attributes(attr), edition)
    if json:
        emit_json(result.to_dict())
    else:
        console.print(f"{result.reason_en}\n{result.reason_zh}", highlight=False)
        for check in result.checks:
            mark = "✓" if check.passed else "✗"
            console.print(f"  {mark} {check.attribute} = {check.value!r}, expected {check.expected} — {check.basis}",
                          highlight=False)
    if not result.eligible:
        raise typer.Exit(1)


# ---- registry -------------------------------------------------------------------------------
def _registry(twin):
    from citytwin.finance.registry_log import Registry

    return Registry(twin)


def _done(index: int, json: bool) -> None:
    emit_json({"log_index": index}) if json else console.print(f"committed at log index {index}")


@registry_app.command("init")
def registry_init(ctx: typer.Context, admin: Annotated[str, typer.Option(help="Administrator principal.")],
                  json: JsonOption = False) -> None:
    """Start the registry (genesis act) and open its buffer account. 建立登记簿。"""
    with open_twin(ctx) as twin:
        registry = _registry(twin)
        registry.genesis(admin)
        _done(registry.open_account(admin, "buffer", "110000", kind="buffer"), json)


@registry_app.command("open")
def registry_open(ctx: typer.Context, holder: Annotated[str, typer.Option()], account: Annotated[str, typer.Option()],
                  jurisdiction: Annotated[str, typer.Option()], json: JsonOption = False) -> None:
    """Open a holding account, signed by its holder. 开户。"""
    with open_twin(ctx) as twin:
        _done(_registry(twin).open_account(holder, account, jurisdiction), json)


@registry_app.command("reduction")
def registry_reduction(ctx: typer.Context, reduction: Annotated[str, typer.Option("--id")],
                       reported: Annotated[str, typer.Option(help="Approved MRV inventory entity id.")],
                       baseline: Annotated[str, typer.Option(help="Approved baseline inventory entity id.")],
                       figure: Annotated[str, typer.Option()] = "totals.basic_t", json: JsonOption = False) -> None:
    """Record a verified reduction proven from two approved MRV records. 登记核证减排量。"""
    with open_twin(ctx) as twin:
        _done(_registry(twin).register_reduction(reduction, reported, baseline, figure), json)


@registry_app.command("issue")
def registry_issue(ctx: typer.Context, reduction: Annotated[str, typer.Option()],
                   account: Annotated[str, typer.Option()], quantity: Annotated[int, typer.Option(help="\\[t CO2e]")],
                   buffer: Annotated[int, typer.Option(help="Buffer pool share \\[t CO2e].")] = 0,
                   json: JsonOption = False) -> None:
    """Issue serial-numbered credits (one per tonne) against a verified reduction. 签发。"""
    with open_twin(ctx) as twin:
        _done(_registry(twin).issue(reduction, account, quantity, buffer), json)


@registry_app.command("transfer")
def registry_transfer(ctx: typer.Context, holder: Annotated[str, typer.Option()],
                      source: Annotated[str, typer.Option("--from")], target: Annotated[str, typer.Option("--to")],
                      first: Annotated[int, typer.Option()], last: Annotated[int, typer.Option()],
                      json: JsonOption = False) -> None:
    """Transfer serials first..last, signed by the sending holder. 转让。"""
    with open_twin(ctx) as twin:
        _done(_registry(twin).transfer(holder, source, target, first, last), json)


@registry_app.command("retire")
def registry_retire(ctx: typer.Context, holder: Annotated[str, typer.Option()],
                    account: Annotated[str, typer.Option()], first: Annotated[int, typer.Option()],
                    last: Annotated[int, typer.Option()], beneficiary: Annotated[str, typer.Option()],
                    purpose: Annotated[str, typer.Option()],
                    claimed_in: Annotated[str, typer.Option(help="Jurisdiction where the reduction is claimed.")],
                    json: JsonOption = False) -> None:
    """Retire serials for a beneficiary and purpose (with the host's inventory adjustment). 注销抵消。"""
    with open_twin(ctx) as twin:
        _done(_registry(twin).retire(holder, account, first, last, beneficiary, purpose, claimed_in), json)


@registry_app.command("cancel")
def registry_cancel(ctx: typer.Context, account: Annotated[str, typer.Option()], first: Annotated[int, typer.Option()],
                    last: Annotated[int, typer.Option()], reason: Annotated[str, typer.Option()],
                    json: JsonOption = False) -> None:
    """Cancel (invalidate) serials, by the administrator; not a retirement. 作废。"""
    with open_twin(ctx) as twin:
        _done(_registry(twin).cancel(account, first, last, reason), json)


@registry_app.command("balances")
def registry_balances(ctx: typer.Context, json: JsonOption = False) -> None:
    """Balances per account, replayed from the log [t CO2e]. 余额。"""
    from citytwin.finance.registry import balances

    with open_twin(ctx) as twin:
        state = _registry(twin).state
    rows = {a: {**b, "holder": state.accounts[a].holder} for a, b in balances(state).items()}
    if json:
        emit_json(rows)
        return
    table = Table(title="Balances 余额 [t CO2e]")
    for column in ("account 账户", "holder 持有人", "active 可用", "retired 已注销", "cancelled 已作废"):
        table.add_column(column)
    for account, row in rows.items():
        table.add_row(account, row["holder"], str(row["active"]), str(row["retired"]), str(row["cancelled"]))
    console.print(table)


@registry_app.command("adjustments")
def registry_adjustments(
    ctx: typer.Context,
    inventory: Annotated[str | None, typer.Option(help="Approved MRV inventory to show with its adjustment.")] = None,
    figure: Annotated[str, typer.Option()] = "totals.basic_t",
    json: JsonOption = False,
) -> None:
    """Inventory adjustments for reductions claimed outside their host jurisdiction. 清单相应调整。"""
    from citytwin.carbon import mrv
    from citytwin.finance.registry import adjusted_inventory

    with open_twin(ctx) as twin:
        state = _registry(twin).state
        shown = None
        if inventory:
            key = twin.verifier.text
            bundle = mrv.prove(twin, inventory)
            total, year, where = (mrv.verify_figure(bundle, p, log_verifier_key=key).value
                                  for p in (figure, "year", "jurisdiction"))
            shown = adjusted_inventory(state, where, int(year), float(total))
    rows = [{"act": s, "jurisdiction": j, "vintage": v, "co2e_t": t} for s, j, v, t in state.adjustments]
    if json:
        emit_json({"adjustments": rows, "inventory": shown})
        return
    for row in rows:
        console.print(f"act {row['act']}: add {row['co2e_t']} t CO2e back to {row['jurisdiction']}'s "
                      f"{row['vintage']} inventory (claimed elsewhere)", highlight=False)
    if shown:
        console.print(f"{shown['jurisdiction']} {shown['vintage']}: reported {shown['reported_t']:,.1f} t + "
                      f"adjustment {shown['adjustment_t']} t = {shown['adjusted_t']:,.1f} t CO2e "
                      "(报告值 + 相应调整)", highlight=False)


@registry_app.command("verify")
def registry_verify(ctx: typer.Context, json: JsonOption = False) -> None:
    """Replay the log, check every signature and invariant and every reduction's MRV records. 校验。"""
    from citytwin.finance.registry_log import verify

    with open_twin(ctx) as twin:
        result = verify(twin)
    summary = {"acts": result.state.seq, "serials": result.state.next_serial, "accounts": len(result.state.accounts),
               "log_size": result.position, "ok": True}
    emit_json(summary) if json else console.print(
        f"ok: {summary['acts']} acts, {summary['serials']} serials, {summary['accounts']} accounts")


@registry_app.command("prove")
def registry_prove(ctx: typer.Context, serial: Annotated[int, typer.Argument()],
                   out: Annotated[Path | None, typer.Option(help="Write the bundle here.")] = None) -> None:
    """Proof bundle that a serial was retired (for a third party). 注销证明。"""
    from citytwin.finance.retirement import prove_retirement

    with open_twin(ctx) as twin:
        bundle = prove_retirement(_registry(twin), serial)
    out.write_text(_json.dumps(bundle)) if out else emit_json(bundle)


@registry_app.command("check")
def registry_check(bundle: Annotated[Path, typer.Argument()], serial: Annotated[int, typer.Option()],
                   beneficiary: Annotated[str, typer.Option()],
                   log_key: Annotated[Path, typer.Option(help="The log's verifier key file.")],
                   json: JsonOption = False) -> None:
    """Check a retirement proof offline with the log's verifier key only. 离线核验注销。"""
    from citytwin.finance.retirement import verify_retirement

    fact = verify_retirement(_json.loads(bundle.read_text()), serial, beneficiary, log_key.read_text())
    emit_json(fact.__dict__) if json else console.print(
        f"ok: serial {fact.serial} retired for {fact.beneficiary!r} ({fact.purpose}) by {fact.holder}, "
        f"log index {fact.log_index}", highlight=False)


# ---- projects and bonds ---------------------------------------------------------------------
@project_app.command("register")
def project_register(ctx: typer.Context, principal: Annotated[str, typer.Option()],
                     file: Annotated[Path, typer.Argument(help="JSON: project_id, name_zh, name_en, jurisdiction, "
                                                          "location, activity, attributes, investment_cny, "
                                                          "expected_impact, edition")],
                     json: JsonOption = False) -> None:
    """Classify and register a green project. 登记绿色项目。"""
    from citytwin.finance import projects

    spec = _json.loads(file.read_text())
    with open_twin(ctx) as twin:
        entity = projects.register(twin, principal, spec.pop("project_id"), **spec)
    _done(entity.log_index, json)


@project_app.command("update")
def project_update(ctx: typer.Context, principal: Annotated[str, typer.Option()],
                   project_id: Annotated[str, typer.Argument()], status: Annotated[str | None, typer.Option()] = None,
                   impact: Annotated[list[str], typer.Option("--impact", help="Reported NAME=VALUE.")] = [],  # noqa: B006
                   json: JsonOption = False) -> None:
    """New signed version: status and/or reported impact. 更新项目。"""
    from citytwin.finance import projects

    with open_twin(ctx) as twin:
        entity = projects.update(twin, principal, project_id, status=status,
                                 reported_impact=_attributes(impact) if impact else None)
    _done(entity.log_index, json)


@project_app.command("show")
def project_show(ctx: typer.Context, project_id: Annotated[str, typer.Argument()], json: JsonOption = False) -> None:
    """Every signed version of a project. 项目版本。"""
    from citytwin.finance import projects

    with open_twin(ctx) as twin:
        versions = projects.history(twin, project_id)
    if json:
        emit_json(versions)
        return
    for v in versions:
        console.print(f"v{v['version']} @{v['log_index']}: {v['status']} {v['name_zh']} / {v['name_en']} "
                      f"category {v['classification']['category']['code']} reported {v['reported_impact']}",
                      highlight=False)


@bond_app.command("issue")
def bond_issue(ctx: typer.Context, issuer: Annotated[str, typer.Option()], bond_id: Annotated[str, typer.Argument()],
               name: Annotated[str, typer.Option()], amount_cny: Annotated[float, typer.Option()],
               issued_on: Annotated[str, typer.Option(help="YYYY-MM-DD")], json: JsonOption = False) -> None:
    """Record a green bond. 登记绿色债券。"""
    from citytwin.finance import bonds

    with open_twin(ctx) as twin:
        record = bonds.issue(twin, issuer, bond_id, name=name, amount_cny=amount_cny, issued_on=issued_on)
    emit_json(record) if json else console.print(f"bond {bond_id}: edition {record['edition']}")


@bond_app.command("allocate")
def bond_allocate(ctx: typer.Context, issuer: Annotated[str, typer.Option()],
                  bond_id: Annotated[str, typer.Argument()], project: Annotated[str, typer.Option()],
                  amount_cny: Annotated[float, typer.Option()], json: JsonOption = False) -> None:
    """Allocate proceeds to a registered eligible project. 募集资金投向。"""
    from citytwin.finance import bonds

    with open_twin(ctx) as twin:
        record = bonds.allocate(twin, issuer, bond_id, project, amount_cny)
    emit_json(record) if json else console.print(f"allocated {amount_cny} CNY to {project}")


@bond_app.command("report")
def bond_report(ctx: typer.Context, bond_id: Annotated[str, typer.Argument()],
                prove: Annotated[bool, typer.Option("--prove", help="Include a tlog-proof of every record.")] = False,
                json: JsonOption = False) -> None:
    """Allocation and pro-rata impact report of a bond. 环境效益报告。"""
    from citytwin.finance import bonds

    with open_twin(ctx) as twin:
        report = bonds.prove_report(twin, bond_id) if prove else bonds.impact_report(twin, bond_id)
    if json or prove:
        emit_json(report)
        return
    console.print(f"{bond_id}: allocated {report['allocated_cny']} of {report['amount_cny']} CNY", highlight=False)
    for line in report["allocations"]:
        console.print(f"  {line['project_id']}: {line['amount_cny']} CNY, share {line['share']:.3f}, "
                      f"{line['impact_basis']} impact {line['impact']}", highlight=False)
    console.print(f"  total impact: {report['impact_totals']}", highlight=False)


@bond_app.command("verify")
def bond_verify(bundle: Annotated[Path, typer.Argument()],
                log_key: Annotated[Path, typer.Option(help="The log's verifier key file.")],
                json: JsonOption = False) -> None:
    """Check a proven report offline and recompute its figures. 离线核验报告。"""
    from citytwin.finance import bonds

    report = bonds.verify_report(_json.loads(bundle.read_text()), log_key.read_text())
    emit_json(report) if json else console.print(f"ok: {report['bond_id']} impact {report['impact_totals']}",
                                                 highlight=False)
