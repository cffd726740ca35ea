"""CLI of dual carbon: `citytwin carbon calc|inventory|pathway|submit|approve|return|prove`.

Every reporting command takes `--json`; tables show their labels in Chinese and English. Bad
input raises `BadInputError`, which the root command turns into exit code 2.
"""

from __future__ import annotations

import json as _json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from citytwin.cli._common import console, data_dir, emit_json
from citytwin.errors import BadInputError

carbon_app = typer.Typer(
    help="Dual carbon: GPC inventories, factors, pathways, MRV on the ledger. 双碳：清单、因子、路径与核查。",
    no_args_is_help=True,
)
inventory_app = typer.Typer(help="GPC inventories. 城市温室气体清单。", no_args_is_help=True)
carbon_app.add_typer(inventory_app, name="inventory")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
ReferenceOption = Annotated[
    str | None,
    typer.Option("--reference", help="A reference inventory: beijing (CEADs) or tongzhou (ESTIMATE), with --year."),
]
GwpOption = Annotated[str, typer.Option("--gwp", help="GWP set: AR4, AR5 or AR6.")]


def register(app: typer.Typer) -> None:
    """Mount `citytwin carbon ...` on the root app."""
    app.add_typer(carbon_app, name="carbon")


# ---- calc -----------------------------------------------------------------------------------
@carbon_app.command("calc")
def calc(
    activity: Annotated[str, typer.Option(help="diesel, gasoline, natural_gas, bituminous_coal, electricity, ...")],
    quantity: Annotated[float, typer.Option(help="Quantity, in --unit.")],
    unit: Annotated[str, typer.Option(help="t, kg, kt, TJ, GJ, m3 (gases), kWh, MWh, GWh (electricity).")],
    year: Annotated[int | None, typer.Option(help="Data year (required for electricity).")] = None,
    sector: Annotated[str | None, typer.Option(help="GPC sub-sector, e.g. I.1.1, II.1.1, I.2.2.")] = None,
    gwp: GwpOption = "AR5",
    region: Annotated[str, typer.Option(help="Grid region for electricity: CN, CN-NORTH, CN-BJ, ...")] = "CN",
    grid_kind: Annotated[
        str | None, typer.Option(help="national_average (default for CN), national_residual, national_fossil.")
    ] = None,
    factor_version: Annotated[str, typer.Option(help="Fuel factor table version.")] = "ipcc2006",
    json: JsonOption = False,
) -> None:
    """Emissions of one activity, with the factors used and their sources. 单项活动排放计算。"""
    from citytwin.carbon.calc import ACTIVITIES, emissions

    result = emissions(
        activity,
        quantity,
        unit,
        year=year,
        sector=sector,
        gwp_set=gwp,
        region=region,
        version=factor_version,
        grid_kind=grid_kind,
    )
    if json:
        emit_json(result.as_dict())
        return
    name_en, name_zh = ACTIVITIES[activity]
    table = Table(title=f"{quantity:g} {unit} {name_zh} / {name_en} — {result.sector}, {gwp}")
    table.add_column("气体 / Gas")
    table.add_column("排放 [吨] / Emissions [t]", justify="right")
    for label, value in (
        ("CO2", result.co2_t),
        ("CH4", result.ch4_t),
        ("N2O", result.n2o_t),
        ("CO2e 二氧化碳当量", result.co2e_t),
    ):
        table.add_row(label, f"{value:,.4f}")
    console.print(table)
    factors = Table(title="所用因子 / Factors used")
    for column in ("参数 / Parameter", "值 / Value", "单位 / Unit", "来源 / Source", "表 / Table"):
        factors.add_column(column)
    for f in result.factors:
        factors.add_row(f["parameter"], f"{f['value']:g}", f["unit"], f["source"], f["table"])
    console.print(factors)


_FACTOR_LABELS_ZH = {
    "version": "版本",
    "parameter": "参数",
    "fuel": "燃料",
    "sector": "部门",
    "value": "值",
    "unit": "单位",
    "table": "表",
    "year": "发布年",
    "check": "核对",
    "region_code": "区域代码",
    "region_en": "区域",
    "region_zh": "区域（中文）",
    "kind": "类别",
    "data_year": "数据年",
    "set": "版本",
    "gas": "气体",
}


@carbon_app.command("factors")
def factors_cmd(
    table: Annotated[str, typer.Option(help="ipcc2006, grid or gwp.")] = "grid",
    year: Annotated[int | None, typer.Option(help="Data year (grid factors).")] = None,
    version: Annotated[str | None, typer.Option(help="Table version, e.g. ipcc2006, mee-nbs-2023.")] = None,
    json: JsonOption = False,
) -> None:
    """List the factor library with the provenance of each row. 排放因子库及其来源。"""
    from citytwin.carbon import factors

    frames = {"ipcc2006": factors.fuel_table, "grid": factors.electricity_table, "gwp": factors.gwp_table}
    if table not in frames:
        raise BadInputError(f"--table {table!r}: expected one of {sorted(frames)}")
    frame = frames[table]()
    if year is not None:
        if "data_year" not in frame.columns:
            raise BadInputError(f"--year applies to the grid table, not {table!r}")
        frame = frame[frame["data_year"] == year]
    if version is not None:
        column = "set" if table == "gwp" else "version"
        frame = frame[frame[column] == version]
    if frame.empty:
        raise BadInputError(f"no {table} factors for year {year} version {version}")
    records = _json.loads(frame.to_json(orient="records", force_ascii=False))
    if json:
        emit_json(records)
        return
    shown = [c for c in frame.columns if c not in ("licence", "source", "low", "high")]
    out = Table(title=f"{table} — 因子 / factors ({len(frame)}); sources: --json")
    for column in shown:
        out.add_column(f"{_FACTOR_LABELS_ZH.get(column, '')} / {column}".lstrip(" /"))
    for row in frame[shown].itertuples(index=False):
        out.add_row(*(str(v) for v in row))
    console.print(out)


@carbon_app.command("totals")
def totals_cmd(
    city: Annotated[str, typer.Option(help="Beijing (1997-2019) or Langfang (2000-2016).")] = "Beijing",
    json: JsonOption = False,
) -> None:
    """CEADs city CO2 totals per year (reference series). CEADs城市二氧化碳排放总量。"""
    from citytwin.carbon import ceads

    series = ceads.city_totals(city)
    source = "CEADs 290-city inventory 1997-2019, sheet 'emission vector' (Shan et al. 2019, 2022)"
    if json:
        emit_json(
            {"city": city, "unit": "t CO2", "source": source, "co2_t": {int(y): float(v) for y, v in series.items()}}
        )
        return
    out = Table(title=f"{city} — CO2 [Mt] ({source})")
    out.add_column("年份 / Year")
    out.add_column("二氧化碳 [百万吨] / CO2 [Mt]", justify="right")
    for y, v in series.items():
        out.add_row(str(y), f"{v / 1e6:,.2f}")
    console.print(out)


# ---- inventories ----------------------------------------------------------------------------
def _reference(reference: str, year: int | None, gwp: str):
    from citytwin.carbon import ceads

    if year is None:
        raise BadInputError(f"--reference {reference}: give --year (2015-2019)")
    if reference == "beijing":
        return ceads.beijing_inventory(year, gwp)
    if reference == "tongzhou":
        return ceads.tongzhou_estimate(year, gwp)
    raise BadInputError(f"--reference {reference!r}: expected beijing or tongzhou")


def _read_json(path: Path):
    try:
        return _json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise BadInputError(f"file {str(path)!r}: {e.strerror or e}") from e
    except ValueError as e:
        raise BadInputError(f"file {str(path)!r} is not JSON: {e}") from e


def _load(path: Path | None, reference: str | None, year: int | None, gwp: str):
    from citytwin.carbon.inventory import Inventory

    if (path is None) == (reference is None):
        raise BadInputError("give an inventory file or --reference, not both and not neither")
    if reference is not None:
        return _reference(reference, year, gwp)
    return Inventory.from_dict(_read_json(path))


def _activities(path: Path) -> tuple[list, dict]:
    import pandas as pd

    from citytwin.carbon.inventory import records_from_frame

    if path.suffix.lower() == ".json":
        doc = _read_json(path)
        rows, notation = (doc.get("records", []), doc.get("notation", {})) if isinstance(doc, dict) else (doc, {})
        return records_from_frame(pd.DataFrame(rows)), notation
    try:
        frame = pd.read_csv(path, dtype={"jurisdiction": str, "subsector": str})
    except (OSError, ValueError) as e:
        raise BadInputError(f"activity file {str(path)!r}: {e}") from e
    return records_from_frame(frame), {}


def _summary(inv) -> dict:
    return {
        "jurisdiction": inv.jurisdiction,
        "year": inv.year,
        "gwp_set": inv.gwp_set,
        "label": inv.label,
        "name": inv.name,
        "totals": inv.totals(),
        "sector_totals_t": inv.sector_totals(),
        "unreported": inv.unreported(),
    }


def _print_inventory(inv, show_all: bool = False) -> None:
    from citytwin.carbon.inventory import TOTAL_LABELS

    if inv.label == "estimate":
        console.print("[bold yellow]ESTIMATE 估算[/bold yellow] — " + inv.method, highlight=False)
    table = Table(title=f"{inv.name or inv.jurisdiction} — {inv.year}, GWP {inv.gwp_set} (GPC v1.1)")
    for column in ("编号 / Ref", "子部门 / Sub-sector", "范围 / Scope", "标注 / Key", "CO2e [吨 / t]"):
        table.add_column(column, justify="right" if column.startswith("CO2e") else "left")
    hidden = 0
    for row in inv.rows().itertuples():
        if row.notation_key == "NE" and not show_all:
            hidden += 1
            continue
        value = "" if row.co2e_t != row.co2e_t else f"{row.co2e_t:,.0f}"
        table.add_row(row.ref, f"{row.name_zh}\n{row.name_en}", str(row.scope), row.notation_key, value)
    console.print(table)
    if hidden:
        console.print(f"{hidden} sub-sectors NE (not estimated; --all lists them) 未估算", highlight=False)
    totals = Table(title="合计 / Totals")
    totals.add_column("合计 / Total")
    totals.add_column("CO2e [吨 / t]", justify="right")
    for key, value in inv.totals().items():
        totals.add_row(f"{TOTAL_LABELS[key][1]} / {TOTAL_LABELS[key][0]}", f"{value:,.0f}")
    console.print(totals)


@inventory_app.command("build")
def inventory_build(
    out: Annotated[Path, typer.Option("--out", help="Write the inventory document (JSON) here.")],
    activities: Annotated[
        Path | None, typer.Option("--activities", help="Activity records, CSV or JSON (see docs).")
    ] = None,
    reference: ReferenceOption = None,
    jurisdiction: Annotated[str | None, typer.Option(help="Administrative code, e.g. 110112.")] = None,
    year: Annotated[int | None, typer.Option(help="Inventory year.")] = None,
    gwp: GwpOption = "AR5",
    notation: Annotated[Path | None, typer.Option(help="Notation keys, JSON {ref: {key, explanation}}.")] = None,
    name: Annotated[str, typer.Option(help="A name for the inventory.")] = "",
    json: JsonOption = False,
) -> None:
    """Build a GPC inventory from activity records or a reference. 编制温室气体清单。"""
    from citytwin.carbon.inventory import build_inventory

    if (activities is None) == (reference is None):
        raise BadInputError("give --activities FILE or --reference beijing|tongzhou")
    if reference is not None:
        inv = _reference(reference, year, gwp)
    else:
        if jurisdiction is None or year is None:
            raise BadInputError("--activities needs --jurisdiction and --year")
        records, keys = _activities(activities)
        if notation is not None:
            keys = {**keys, **_read_json(notation)}
        inv = build_inventory(records, jurisdiction=jurisdiction, year=year, gwp_set=gwp, notation=keys, name=name)
    out.write_text(_json.dumps(inv.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
    if json:
        emit_json({"out": str(out), **_summary(inv)})
    else:
        _print_inventory(inv)
        console.print(f"written {out}")


@inventory_app.command("show")
def inventory_show(
    path: Annotated[Path | None, typer.Argument(help="An inventory document (JSON).")] = None,
    reference: ReferenceOption = None,
    year: Annotated[int | None, typer.Option(help="Year of --reference.")] = None,
    gwp: GwpOption = "AR5",
    show_all: Annotated[bool, typer.Option("--all", help="List the NE sub-sectors too.")] = False,
    json: JsonOption = False,
) -> None:
    """Show an inventory: the GPC table and its totals. 查看清单。"""
    inv = _load(path, reference, year, gwp)
    if json:
        emit_json({**_summary(inv), "rows": _json.loads(inv.rows().to_json(orient="records", force_ascii=False))})
    else:
        _print_inventory(inv, show_all)


@inventory_app.command("export")
def inventory_export(
    out: Annotated[Path, typer.Option("--out", help="Output file (.csv or .xlsx).")],
    path: Annotated[Path | None, typer.Argument(help="An inventory document (JSON).")] = None,
    reference: ReferenceOption = None,
    year: Annotated[int | None, typer.Option(help="Year of --reference.")] = None,
    gwp: GwpOption = "AR5",
    format: Annotated[str | None, typer.Option("--format", help="csv or xlsx [default: from --out].")] = None,
    json: JsonOption = False,
) -> None:
    """Export the GPC reporting table as CSV or XLSX. 导出GPC报告表。"""
    inv = _load(path, reference, year, gwp)
    kind = (format or out.suffix.lstrip(".")).lower()
    if kind == "csv":
        inv.to_csv(out)
    elif kind == "xlsx":
        inv.to_xlsx(out)
    else:
        raise BadInputError(f"--format {kind!r}: expected csv or xlsx")
    if json:
        emit_json({"out": str(out), "format": kind, "label": inv.label, "totals": inv.totals()})
    else:
        console.print(f"written {out} ({kind}{', ESTIMATE 估算' if inv.label == 'estimate' else ''})")


# ---- pathway --------------------------------------------------------------------------------
@carbon_app.command("pathway")
def pathway_cmd(
    scenario: Annotated[Path, typer.Option("--scenario", help="Scenario TOML, e.g. carbon/scenarios/tongzhou.toml.")],
    runs: Annotated[int | None, typer.Option(help="Monte Carlo runs [default: the scenario's].")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed [default: the scenario's].")] = None,
    json: JsonOption = False,
) -> None:
    """Pathway to peak and neutrality: sectors, wedges, MAC, Monte Carlo. 碳达峰碳中和路径。"""
    from citytwin.carbon.pathway import load_scenario, run_pathway

    out = run_pathway(load_scenario(scenario), runs=runs, seed=seed)
    if json:
        emit_json(out)
        return
    years = out["years"]
    table = Table(title=f"{out['scenario']} [kt CO2]")
    table.add_column("部门 / Sector", min_width=14)
    shown = [i for i, y in enumerate(years) if y % 5 == 0]
    for i in shown:
        table.add_column(str(years[i]), justify="right")
    for sector, values in out["by_sector_t"].items():
        zh, en = out["sector_names"][sector]
        table.add_row(f"{zh}\n{en}".strip(), *(f"{values[i] / 1e3:,.0f}" for i in shown))
    table.add_row("碳汇 / sinks", *(f"{-out['sink_t'][i] / 1e3:,.0f}" for i in shown))
    table.add_row("净排放 / net", *(f"{out['net_t'][i] / 1e3:,.0f}" for i in shown))
    table.add_row("基准 / baseline", *(f"{out['baseline_t'][i] / 1e3:,.0f}" for i in shown))
    console.print(table)
    mc = out["monte_carlo"]
    console.print(
        f"峰值 peak: {out['peak']['year']}, {out['peak']['net_t'] / 1e3:,.0f} kt; "
        f"{out['residual_final']['year']} 剩余 residual: {out['residual_final']['net_t'] / 1e3:,.0f} kt net; "
        f"P(peak by {mc['p_peak_by']['year']}) = {mc['p_peak_by']['probability']:.3f} over {mc['runs']:,} runs; "
        f"residual p5/p50/p95 = "
        + "/".join(f"{mc['residual_final_t'][k] / 1e3:,.0f}" for k in ("p5", "p50", "p95"))
        + " kt",
        highlight=False,
    )
    mac = Table(title="边际减排成本曲线 / Marginal abatement cost curve")
    for column in ("措施 / Measure", "成本 [元/吨] / Cost [CNY/t]", "2030 [kt]", f"{years[-1]} [kt]"):
        mac.add_column(column, justify="left" if column.startswith("措施") else "right")
    for row in out["mac"]:
        mac.add_row(
            f"{row['name_zh']}\n{row['name_en']}",
            f"{row['cost_cny_per_t']:,.0f}",
            f"{(row['abatement_2030_t'] or 0) / 1e3:,.0f}",
            f"{row['abatement_final_t'] / 1e3:,.0f}",
        )
    console.print(mac)


# ---- MRV on the ledger ----------------------------------------------------------------------
def _entity_summary(entity) -> dict:
    props = entity.properties
    out = {
        "entity_id": entity.id,
        "version": entity.version,
        "log_index": entity.log_index,
        "status": props.get("status"),
        "document_sha256": props.get("document_sha256"),
        "reporter": props.get("reporter", {}).get("name"),
        "label": props.get("label"),
    }
    if "review" in props:
        out["reviewer"] = props["review"]["reviewer"]["name"]
        out["reason"] = props["review"]["reason"]
    return out


def _print_entity(entity) -> None:
    s = _entity_summary(entity)
    status_zh = {"submitted": "已提交", "approved": "已核准", "returned": "已退回"}.get(s["status"], "")
    console.print(
        f"{s['entity_id']} v{s['version']} (log index {s['log_index']}): "
        f"{status_zh} {s['status']}; sha256 {s['document_sha256']}",
        highlight=False,
    )


@carbon_app.command("principal")
def principal_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Principal name, e.g. tongzhou-eco or beijing-mee.")],
    json: JsonOption = False,
) -> None:
    """Create a reporting or verifying principal's Ed25519 key. 创建报告/核查主体密钥。"""
    from citytwin.carbon.mrv import create_principal

    vkey = create_principal(data_dir(ctx), name)
    emit_json({"principal": name, "verifier_key": vkey}) if json else console.print(vkey, highlight=False)


@carbon_app.command("submit")
def submit_cmd(
    ctx: typer.Context,
    principal: Annotated[str, typer.Option(help="The reporting principal who signs.")],
    path: Annotated[Path | None, typer.Argument(help="An inventory document (JSON).")] = None,
    reference: ReferenceOption = None,
    year: Annotated[int | None, typer.Option(help="Year of --reference.")] = None,
    gwp: GwpOption = "AR5",
    json: JsonOption = False,
) -> None:
    """Sign and commit an inventory submission to the ledger. 签名并提交清单。"""
    from citytwin.carbon.mrv import submit
    from citytwin.twin import Twin

    inv = _load(path, reference, year, gwp)
    with Twin.open(data_dir(ctx)) as twin:
        entity = submit(twin, inv, principal)
    emit_json(_entity_summary(entity)) if json else _print_entity(entity)


def _review_cmd(ctx, entity_id: str, principal: str, reason: str, approve: bool, json: bool) -> None:
    from citytwin.carbon.mrv import approve as approve_fn
    from citytwin.carbon.mrv import return_submission
    from citytwin.twin import Twin

    with Twin.open(data_dir(ctx)) as twin:
        fn = approve_fn if approve else return_submission
        entity = fn(twin, entity_id, principal, reason)
    emit_json(_entity_summary(entity)) if json else _print_entity(entity)


@carbon_app.command("approve")
def approve_cmd(
    ctx: typer.Context,
    entity_id: Annotated[str, typer.Argument(help="urn:ngsi-ld:GHGInventory:<jurisdiction>-<year>-<n>")],
    principal: Annotated[str, typer.Option(help="The verifying principal who signs.")],
    reason: Annotated[str, typer.Option(help="A note on the approval.")] = "",
    json: JsonOption = False,
) -> None:
    """Approve a submission with a signed review. 核准清单。"""
    _review_cmd(ctx, entity_id, principal, reason, True, json)


@carbon_app.command("return")
def return_cmd(
    ctx: typer.Context,
    entity_id: Annotated[str, typer.Argument(help="urn:ngsi-ld:GHGInventory:<jurisdiction>-<year>-<n>")],
    principal: Annotated[str, typer.Option(help="The verifying principal who signs.")],
    reason: Annotated[str, typer.Option(help="Why it is returned (required).")],
    json: JsonOption = False,
) -> None:
    """Return a submission for correction with a signed review. 退回清单。"""
    _review_cmd(ctx, entity_id, principal, reason, False, json)


@carbon_app.command("prove")
def prove_cmd(
    ctx: typer.Context,
    entity_id: Annotated[str, typer.Argument(help="urn:ngsi-ld:GHGInventory:<jurisdiction>-<year>-<n>")],
    figure: Annotated[str, typer.Option(help="A figure of the document, e.g. totals.basic_t.")] = "totals.basic_t",
    out: Annotated[Path | None, typer.Option(help="Write the proof bundle (JSON) here.")] = None,
    json: JsonOption = False,
) -> None:
    """Prove a figure of an approved inventory from the log. 从日志证明已核准清单中的数值。"""
    from citytwin.carbon.mrv import prove, verify_figure
    from citytwin.twin import Twin

    with Twin.open(data_dir(ctx)) as twin:
        bundle = prove(twin, entity_id)
    proven = verify_figure(bundle, figure)
    if out is not None:
        out.write_text(_json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    result = {**proven.__dict__, "bundle": str(out) if out else None}
    if json:
        emit_json(result)
    else:
        console.print(
            f"{figure} = {proven.value} — {entity_id} v{proven.version}, log index {proven.log_index} "
            f"of {proven.tree_size}; signed by {proven.reporter}, approved by {proven.reviewer}. 已验证 verified",
            highlight=False,
        )


@carbon_app.command("verify")
def verify_cmd(
    bundle: Annotated[Path, typer.Argument(help="A proof bundle written by `carbon prove --out`.")],
    figure: Annotated[str, typer.Option(help="A figure of the document, e.g. totals.basic_t.")] = "totals.basic_t",
    log_vkey: Annotated[str | None, typer.Option(help="The log's verifier key [default: the bundle's].")] = None,
    witness_vkey: Annotated[
        list[str] | None, typer.Option("--witness-vkey", help="A witness's cosignature key. Repeatable.")
    ] = None,
    quorum: Annotated[int | None, typer.Option(help="Cosignatures required [default: all witnesses].")] = None,
    json: JsonOption = False,
) -> None:
    """Verify a proof bundle offline and print the figure (exit 1 if it fails). 离线验证证明。"""
    from citytwin.carbon.mrv import verify_figure

    proven = verify_figure(
        _read_json(bundle), figure, log_verifier_key=log_vkey, witness_keys=witness_vkey or [], quorum=quorum
    )
    if json:
        emit_json(proven.__dict__)
    else:
        console.print(f"{figure} = {proven.value} (log index {proven.log_index}) 已验证 verified", highlight=False)
