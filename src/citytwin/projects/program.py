"""The investment program's published figures, year by year, against the yearly target.

The sub-center's plan keeps fixed-asset investment at about 100 billion yuan (1000 亿元) a year
(the sources in ``data/investment_facts.parquet`` say "千亿元投资规模", "千亿级投资强度",
"年均保持千亿元投资强度"). :func:`yearly_totals` gives every published sub-center figure of
fixed-asset investment exactly as the source states it, with its qualifier (约 about, 超 more
than, 近 nearly, 计划 planned), the publisher and the address, and its ratio to the target.
Nothing is summed or estimated: a year with no published figure has no row.

Money is in 亿元 (10^8 CNY) throughout, the unit of the sources.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import pandas as pd

from citytwin.errors import BadInputError

__all__ = ["TARGET_YI", "investment_facts", "named_projects", "qualifier", "yearly_totals"]

#: The yearly investment target of the program [亿元].
TARGET_YI = 1000.0

_METRICS = {
    "fixed_asset_investment_completed": ("completed", "完成"),
    "fixed_asset_investment_planned": ("planned", "计划"),
    "fixed_asset_investment_annual_average": ("annual average", "年均"),
    "fixed_asset_investment_cumulative": ("cumulative", "累计"),
}
_QUOTED = re.compile(r'"([^"]*)"')


@cache
def _read(name: str) -> pd.DataFrame:
    return pd.read_parquet(resources.files("citytwin.projects") / "data" / name)


def investment_facts() -> pd.DataFrame:
    """The 36 published facts: ``year, scope, metric, value, unit, qualifier, note_zh, published,
    publisher, url_as_stored`` (``DATA_SOURCES.md``, "Investment program")."""
    return _read("investment_facts.parquet").copy()


def named_projects() -> pd.DataFrame:
    """The 41 named projects: ``project_zh, sector, status_or_target, year_reported, note, sources``."""
    return _read("named_projects.parquet").copy()


def qualifier(text: str | None) -> tuple[str, str]:
    """(中文, English) label of a source qualifier: 约 / about, 超 / more than, 近 / nearly,
    计划 / planned, or empty for an exact figure. The Chinese word quoted in the qualifier wins
    (``approximate ("近400亿元")`` is 近)."""
    text = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text).strip()
    if not text:
        return "", ""
    quoted = " ".join(_QUOTED.findall(text))
    if "超" in quoted or "以上" in quoted or text.startswith("lower bound"):
        return "超", "more than"
    if "近" in quoted:
        return "近", "nearly"
    if text.startswith("approximate"):
        return "约", "about"
    if text.startswith("plan") or text.startswith("target"):
        return "计划", "planned"
    raise BadInputError(f"qualifier {text!r}: expected approximate, lower bound, plan, target or nothing")


def yearly_totals(facts: pd.DataFrame | None = None, target_yi: float = TARGET_YI) -> list[dict]:
    """Every published sub-center fixed-asset investment figure [亿元], oldest first, with
    ``vs_target`` = value / target for figures of one year (completed, planned, annual average)
    and None for a cumulative figure."""
    if not target_yi > 0:
        raise BadInputError(f"target {target_yi!r} 亿元: expected > 0")
    facts = investment_facts() if facts is None else facts
    rows = facts[(facts["scope"] == "subcenter") & facts["metric"].isin(list(_METRICS))]
    out = []
    for row in rows.sort_values(["year", "metric"], kind="stable").to_dict("records"):
        kind_en, kind_zh = _METRICS[row["metric"]]
        q_zh, q_en = qualifier(row["qualifier"])
        value = float(row["value"])
        # a "plan" qualifier says what the figure is; the amount itself is then stated as is
        amount_zh = f"{'' if q_zh == '计划' else q_zh}{value:g}亿元"
        out.append({
            "year": str(row["year"]), "kind": kind_en, "kind_zh": kind_zh, "value_yi": value,
            "qualifier_zh": q_zh, "qualifier_en": q_en, "display_zh": f"{kind_zh}{amount_zh}",
            "vs_target": None if kind_en == "cumulative" else round(value / target_yi, 4),
            "published": row["published"], "publisher": row["publisher"], "url": row["url_as_stored"],
        })
    return out
