"""CLI of regional transport: `citytwin transport lines|stations|route|reach|links|load|measures`.

The network is the reference metro (Beijing-Subway-Tools distances, Baidu 2023 positions);
travel times use `citytwin.transport.travel.TravelModel`, whose values (running speed = factor ×
design speed, dwell, transfer) are assumptions that every command lets you change. `measures`
turns public-transport and EV shares into measures of the carbon pathway's scenario form.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from citytwin.cli._common import console, data_dir, emit_json
from citytwin.errors import BadInputError

transport_app = typer.Typer(help="Regional transport: metro network, travel times, reach. "
                                 "区域交通：地铁网络、出行时间、可达性。", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table. 以 JSON 输出。")]
SpeedOption = Annotated[float, typer.Option("--speed-factor", help="Running speed as a fraction of design speed "
                                            "(assumption). 运行速度占设计速度比例（假设）。")]
DwellOption = Annotated[float, typer.Option("--dwell", help="Dwell time per intermediate stop \\[s] (assumption). "
                                            "中间站停站时间 [秒]。")]
TransferOption = Annotated[float, typer.Option("--transfer", help="Time per change of line \\[s] (assumption). "
                                               "换乘时间 [秒]。")]


def register(app: typer.Typer) -> None:
    """Mount `citytwin transport ...` on the root app."""
    app.add_typer(transport_app, name="transport")


def _graph(speed_factor: float, dwell: float, transfer: float):
    from citytwin.transport.network import reference_network
    from citytwin.transport.travel import TravelGraph, TravelModel

    return TravelGraph(reference_network(), TravelModel(speed_factor, dwell, transfer))


def _places():
    from citytwin.datasets.reference import boundaries
    from citytwin.transport.network import reference_network
    from citytwin.transport.places import station_places

    network = reference_network()
    return network, station_places(network, boundaries())


@transport_app.command("lines")
def lines_cmd(json: JsonOption = False) -> None:
    """Lines of the network: stations, length, design speed. 线路：车站数、长度、设计速度。"""
    from citytwin.transport.network import reference_network

    rows = [{"line": line.name, "name_en": line.name_en, "stations": len(line.stations), "length_m": line.length_m,
             "design_speed_kmh": line.design_speed_kmh, "loop": line.loop} for line in reference_network().lines]
    if json:
        emit_json(rows)
        return
    table = Table(title="Metro lines 地铁线路 (Beijing-Subway-Tools, Yihe Li, MIT)")
    for column in ("line 线路", "name", "stations 站数", "length 长度 [m]", "design 设计 [km/h]", "loop 环线"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["line"], r["name_en"], str(r["stations"]), f"{r['length_m']:,.0f}",
                      f"{r['design_speed_kmh']:g}", "yes" if r["loop"] else "")
    console.print(table)


@transport_app.command("stations")
def stations_cmd(
    jurisdiction: Annotated[str | None, typer.Option("--jurisdiction", help="Administrative code, e.g. 110112. "
                                                     "行政区划代码。")] = None,
    json: JsonOption = False,
) -> None:
    """Stations with position and jurisdiction (those without a position listed too). 车站及所属行政区。"""
    network, places = _places()
    rows = [{"station": r["station"], "lon": None if not r["located"] else round(r["lon"], 6),
             "lat": None if not r["located"] else round(r["lat"], 6), "jurisdiction": r["jurisdiction"],
             "lines": network.lines_at(r["station"])} for r in places.to_dict("records")]
    if jurisdiction is not None:
        rows = [r for r in rows if r["jurisdiction"] == jurisdiction]
    if json:
        emit_json({"stations": rows, "count": len(rows),
                   "without_position": [r["station"] for r in rows if r["lon"] is None]})
        return
    table = Table(title=f"Stations 车站 ({len(rows)}; positions © Baidu Maps 2023, ±0.6 km)")
    for column in ("station 车站", "lines 线路", "lon", "lat", "jurisdiction 行政区"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["station"], ", ".join(r["lines"]), "" if r["lon"] is None else f"{r['lon']:.4f}",
                      "" if r["lat"] is None else f"{r['lat']:.4f}", r["jurisdiction"] or "—")
    console.print(table)


@transport_app.command("route")
def route_cmd(
    origin: Annotated[str, typer.Argument(help="Origin station, e.g. 潞城. 起点站。")],
    destination: Annotated[str, typer.Argument(help="Destination station, e.g. 通州北关. 终点站。")],
    speed_factor: SpeedOption = 0.6, dwell: DwellOption = 30.0, transfer: TransferOption = 300.0,
    json: JsonOption = False,
) -> None:
    """Fastest metro trip between two stations, leg by leg. 两站间最快地铁路线。"""
    trip = _graph(speed_factor, dwell, transfer).route(origin, destination)
    if json:
        emit_json(trip.to_dict())
        return
    console.print(f"{origin} → {destination}: {trip.time_s / 60:.1f} min 分钟, {trip.distance_m / 1000:.3f} km, "
                  f"{trip.transfers} transfer(s) 换乘", highlight=False)
    for leg in trip.legs:
        console.print(f"  {leg.line}: {leg.board} → {leg.alight}, {len(leg.stations) - 1} stops 站, "
                      f"{leg.distance_m:,.0f} m, {leg.time_s / 60:.1f} min", highlight=False)


@transport_app.command("reach")
def reach_cmd(
    minutes: Annotated[float, typer.Option("--minutes", help="Time budget \\[min]. 时间 [分钟]。")] = 30.0,
    jurisdiction: Annotated[list[str] | None, typer.Option("--jurisdiction", help="Administrative code; repeat. "
                                                           "Default: 110112 131082 131028 131024.")] = None,
    speed_factor: SpeedOption = 0.6, dwell: DwellOption = 30.0, transfer: TransferOption = 300.0,
    json: JsonOption = False,
) -> None:
    """Stations of each jurisdiction and the stations reachable from them within a time. 各辖区车站及可达车站。"""
    from citytwin.transport.places import REFERENCE_JURISDICTIONS, jurisdiction_reach

    _, places = _places()
    rows = jurisdiction_reach(_graph(speed_factor, dwell, transfer), places, minutes,
                              tuple(jurisdiction) if jurisdiction else REFERENCE_JURISDICTIONS)
    if json:
        emit_json(rows)
        return
    table = Table(title=f"Reach within {minutes:g} min 分钟内可达")
    for column in ("jurisdiction 辖区", "stations 车站", "lines 线路", "reachable 可达", "by jurisdiction 按辖区"):
        table.add_column(column)
    for r in rows:
        by = ", ".join(f"{k}: {v}" for k, v in r["reachable_by_jurisdiction"].items())
        table.add_row(r["jurisdiction"], str(len(r["stations"])) if r["stations"] else "0 (none in the data 数据中无)",
                      ", ".join(r["lines"]), str(r["reachable"]), by)
    console.print(table)


@transport_app.command("links")
def links_cmd(
    jurisdiction: Annotated[str | None, typer.Option("--jurisdiction", help="Only links touching this code. "
                                                     "仅显示涉及该辖区的连接。")] = None,
    json: JsonOption = False,
) -> None:
    """Metro segments that cross a jurisdiction border. 跨辖区地铁区间。"""
    from citytwin.transport.places import cross_border_links

    network, places = _places()
    rows = [r for r in cross_border_links(network, places)
            if jurisdiction is None or jurisdiction in (r["from_jurisdiction"], r["to_jurisdiction"])]
    if json:
        emit_json(rows)
        return
    table = Table(title="Cross-border segments 跨界区间")
    for column in ("line 线路", "from 起", "to 止", "jurisdictions 辖区", "distance 距离 [m]"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["line"], r["from"], r["to"], f"{r['from_jurisdiction']} → {r['to_jurisdiction']}",
                      f"{r['distance_m']:,.0f}")
    console.print(table)


@transport_app.command("load")
def load_cmd(ctx: typer.Context, json: JsonOption = False) -> None:
    """Commit the reference stations to the twin as TransportStation entities. 将车站写入孪生体。"""
    from citytwin.transport.load import load_reference
    from citytwin.twin import Twin

    with Twin.open(data_dir(ctx)) as twin:
        report = load_reference(twin)
    if json:
        emit_json(report.to_dict())
        return
    console.print(f"{report.accepted} stations committed 已提交, {report.duplicates} already there 已存在; "
                  f"{report.located} of {report.stations} with a position 有坐标", highlight=False)


@transport_app.command("measures")
def measures_cmd(
    pt_share: Annotated[float, typer.Option("--pt-share", help="Present share of trips by public transport "
                                            "\\[0–1]. 当前公共交通出行分担率。")],
    pt_source: Annotated[str, typer.Option("--pt-source", help="Where --pt-share comes from (required). "
                                           "数据来源（必填）。")],
    ev_share: Annotated[float, typer.Option("--ev-share", help="Present share of road vehicle-km driven "
                                            "electrically \\[0–1]. 当前电动汽车行驶里程占比。")],
    ev_source: Annotated[str, typer.Option("--ev-source", help="Where --ev-share comes from (required). "
                                           "数据来源（必填）。")],
    year: Annotated[int, typer.Option("--year", help="Year of the present shares. 现状年份。")],
    target_year: Annotated[int, typer.Option("--target-year", help="Year of the target shares. 目标年份。")],
    target_pt_share: Annotated[float, typer.Option("--target-pt-share", help="Target public-transport share "
                                                   "\\[0–1]. 目标公共交通分担率。")],
    target_ev_share: Annotated[float, typer.Option("--target-ev-share", help="Target EV share of vehicle-km "
                                                   "\\[0–1]. 目标电动汽车里程占比。")],
    target_source: Annotated[str, typer.Option("--target-source", help="Where the targets come from (required). "
                                               "目标来源（必填）。")],
    ev_cost: Annotated[float, typer.Option("--ev-cost", help="Cost of the EV measure per tonne abated "
                                           "\\[CNY/t CO2]. 电动化减排成本 [元/吨]。")],
    pt_cost: Annotated[float, typer.Option("--pt-cost", help="Cost of the public-transport measure per tonne "
                                           "abated \\[CNY/t CO2]. 公交化减排成本 [元/吨]。")],
    jurisdiction: Annotated[str, typer.Option("--jurisdiction", help="Administrative code. 行政区划代码。")] = "110112",
    start: Annotated[int | None, typer.Option("--start", help="First year of adoption \\[year] "
                                              "(default: --year). 开始年份。")] = None,
    midpoint: Annotated[float | None, typer.Option("--midpoint", help="Year of half adoption \\[year] (default: "
                                                   "halfway to --target-year). 采用过半年份。")] = None,
    steepness: Annotated[float, typer.Option("--steepness", help="Logistic adoption rate \\[1/yr]. "
                                             "采用曲线陡度。")] = 0.3,
    efficiency_ratio: Annotated[float, typer.Option("--efficiency-ratio", help="Energy per vehicle-km, combustion "
                                                    "over electric \\[-]. 燃油车与电动车单位里程能耗比。")] = 3.0,
    toml: Annotated[bool, typer.Option("--toml", help="Print the \\[\\[measures]] tables to append to a scenario "
                                       "file. 输出可追加到情景文件的 TOML。")] = False,
    json: JsonOption = False,
) -> None:
    """Public-transport and EV shares, present and target, as carbon-pathway measures. 低碳交通指标转为碳路径措施。"""
    from citytwin.transport.indicators import Indicators, check_share, measures_report, measures_toml

    if toml and json:
        raise BadInputError("--toml and --json: expected one of them, not both")
    for flag, value in (("--pt-share", pt_share), ("--ev-share", ev_share), ("--target-pt-share", target_pt_share),
                        ("--target-ev-share", target_ev_share)):
        check_share(value, flag)
    report = measures_report(
        Indicators(jurisdiction, year, pt_share, ev_share, pt_source, ev_source),
        Indicators(jurisdiction, target_year, target_pt_share, target_ev_share, target_source, target_source),
        start=start, midpoint=midpoint, steepness=steepness, ev_cost_cny_per_t=ev_cost, pt_cost_cny_per_t=pt_cost,
        efficiency_ratio=efficiency_ratio)
    if toml:
        typer.echo(measures_toml(report["measures"]), nl=False)
    elif json:
        emit_json(report)
    else:
        _print_measures(report, target_year)


def _print_measures(report: dict, target_year: int) -> None:
    table = Table(title="Transport measures for the carbon pathway 碳路径交通措施")
    for column in ("measure 措施", "kind 类型", "potential 潜力 [0–1]", "cost 成本 [CNY/t]", "source 来源"):
        table.add_column(column)
    for m in report["measures"]:
        table.add_row(f"{m['id']}\n{m['name_zh']}\n{m['name_en']}", m["kind"], f"{m['potential']:.3f}",
                      f"{m['cost_cny_per_t']:,.0f}", m["source"])
    console.print(table)
    first = report["measures"][0] if report["measures"] else None
    if first is not None:
        console.print(f"Adoption 采用: from {first['start']}, half by {first['midpoint']:g}, steepness "
                      f"{first['steepness']:g}/yr; by {target_year} {report['adoption_at_target_year']:.0%} of each "
                      "potential. --toml prints the [[measures]] tables for a scenario file.",
                      markup=False, highlight=False)
    context = report["context"]
    table = Table(title=f"{context['scope_en']}\n{context['scope_zh']}")
    for column in ("figure 指标", "value 值", "unit 单位"):
        table.add_column(column)
    for name, figure in context["figures"].items():
        table.add_row(name, f"{figure['value']:,g}", figure["unit"])
    console.print(table)
    for source in dict.fromkeys(figure["source"] for figure in context["figures"].values()):
        console.print(f"Source 来源: {source}", highlight=False)
