"""XLSX export of the GPC reporting table (openpyxl); headers in English and Chinese."""

from __future__ import annotations

import math
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

__all__ = ["write_inventory_xlsx"]


def _cell(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _sheet(wb: Workbook, title: str, headers: list[str], rows: list[list], first: bool = False):
    ws = wb.active if first else wb.create_sheet(title)
    ws.title = title
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_cell(v) for v in row])
    ws.freeze_panes = "A2"
    return ws


def write_inventory_xlsx(inv, path: Path, table_labels: dict, total_labels: dict) -> None:
    """Write ``inv`` to ``path``: sheets GPC (reporting table), Totals, Activities and About."""
    wb = Workbook()
    table = inv.rows()
    columns = list(table_labels)
    headers = [f"{table_labels[c][0]} / {table_labels[c][1]}" for c in columns]
    # an estimate says so in the name of the sheet people open first (GPC reporting table)
    _sheet(
        wb,
        "GPC ESTIMATE 估算" if inv.label == "estimate" else "GPC",
        headers,
        table[columns].values.tolist(),
        first=True,
    )
    totals = inv.totals()
    _sheet(
        wb,
        "Totals",
        ["Total / 合计", "Total (zh) / 合计", "CO2e [t] / 二氧化碳当量 [吨]"],
        [[total_labels[k][0], total_labels[k][1], v] for k, v in totals.items()],
    )
    line_cols = [
        "subsector",
        "activity",
        "quantity",
        "unit",
        "period",
        "data_quality",
        "source",
        "co2_t",
        "ch4_t",
        "n2o_t",
        "co2e_t",
    ]
    _sheet(wb, "Activities", line_cols, [[line.get(c) for c in line_cols] for line in inv.lines])
    about = [
        ["jurisdiction / 行政区划代码", inv.jurisdiction],
        ["year / 年份", inv.year],
        ["GWP set / 全球增温潜势版本", inv.gwp_set],
        ["label / 类型", "ESTIMATE 估算" if inv.label == "estimate" else "inventory 清单"],
        ["name / 名称", inv.name],
        ["method / 方法", inv.method],
        ["standard / 标准", "GPC v1.1 (WRI, C40, ICLEI); IPCC 2006 Guidelines"],
    ]
    _sheet(wb, "About", ["field / 字段", "value / 值"], about)
    wb.save(path)
