"""The GPC structure as data: sectors, sub-sectors, scopes, reporting levels and notation keys.

GPC v1.1 (WRI, C40, ICLEI, 2021; aligned with the 2019 Refinement to the IPCC 2006 Guidelines):
the sectors and sub-sectors of city GHG emissions, the scope definitions, the notation keys and
the BASIC / BASIC+ reporting levels of Part I (chapters on principles, boundary and reporting
requirements; the table numbers of the PDF were not re-read here). Reference numbers follow the
GPC reporting template: ``I.1.1`` is stationary energy / residential buildings / scope 1. The
sub-category rows and their reporting levels were checked against the open implementation in
Open-Earth-Foundation/CityCatalyst (``app/src/data/inventory-structure.json``).

Reporting levels (GPC v1.1, Part I):

- BASIC: stationary energy scopes 1 and 2 (except I.4.4), transportation scopes 1 and 2, waste
  scopes 1 and 3 (III.x.1, III.x.2);
- BASIC+: BASIC plus scope 3 transmission and distribution losses (I.x.3), scope 3 of
  transboundary transport (II.x.3), IPPU (IV) and AFOLU (V);
- territorial only: I.4.4 (energy generation supplied to the grid) and III.x.3 (waste from
  outside treated inside), reported in the scope 1 total but in neither BASIC nor BASIC+ so
  that nothing is counted twice; VI (other scope 3) is reported beside them.
"""

from __future__ import annotations

from dataclasses import dataclass

from citytwin.errors import BadInputError

__all__ = [
    "NOTATION_KEYS",
    "SECTORS",
    "SUBSECTORS",
    "NotationKey",
    "SubSector",
    "check_notation",
    "level_totals",
    "subsector",
]


@dataclass(frozen=True)
class SubSector:
    """One row of the GPC reporting table."""

    ref: str
    sector: str
    scope: int
    level: str  # "BASIC", "BASIC+", "territorial" or "other"
    name_en: str
    name_zh: str
    ipcc_sector: str | None  # combustion class of the IPCC default CH4/N2O tables, when fuel is burnt


@dataclass(frozen=True)
class NotationKey:
    key: str
    name_en: str
    name_zh: str
    requires_en: str  # what the explanation must say (GPC v1.1, use of notation keys)


SECTORS = {
    "I": ("Stationary energy", "固定源能源活动"),
    "II": ("Transportation", "交通"),
    "III": ("Waste", "废弃物"),
    "IV": ("Industrial processes and product use (IPPU)", "工业过程与产品使用"),
    "V": ("Agriculture, forestry and other land use (AFOLU)", "农业、林业和其他土地利用"),
    "VI": ("Other scope 3", "其他范围三"),
}

# sub-sector: (name_en, name_zh, IPCC combustion class)
_STATIONARY = {
    "I.1": ("Residential buildings", "居住建筑", "residential"),
    "I.2": ("Commercial and institutional buildings and facilities", "商业和公共建筑及设施", "commercial"),
    "I.3": ("Manufacturing industries and construction", "制造业和建筑业", "manufacturing"),
    "I.4": ("Energy industries", "能源工业", "energy"),
    "I.5": ("Agriculture, forestry and fishing activities", "农林牧渔业", "residential"),
    "I.6": ("Non-specified sources", "未列明来源", "commercial"),
}
_TRANSPORT = {
    "II.1": ("On-road", "道路交通", "road"),
    "II.2": ("Railways", "铁路", "rail"),
    "II.3": ("Waterborne navigation", "水运", "water"),
    "II.4": ("Aviation", "航空", "aviation"),
    "II.5": ("Off-road", "非道路移动源", "offroad"),
}
_WASTE = {
    "III.1": ("Solid waste disposal", "固体废弃物处置"),
    "III.2": ("Biological treatment of waste", "废弃物生物处理"),
    "III.3": ("Incineration and open burning", "焚烧和露天燃烧"),
    "III.4": ("Wastewater treatment and discharge", "污水处理与排放"),
}
_SCOPE_TEXT = {
    ("I", 1): ("fuel combustion within the city boundary", "城市边界内燃料燃烧"),
    ("I", 2): ("grid-supplied energy consumed within the city boundary", "城市边界内消费的电网供能"),
    ("I", 3): ("transmission and distribution losses of grid-supplied energy", "电网供能的输配损耗"),
    ("II", 1): ("fuel combustion within the city boundary", "城市边界内燃料燃烧"),
    ("II", 2): ("grid-supplied energy for transport", "交通消费的电网供能"),
    ("II", 3): (
        "portion of transboundary journeys outside the city boundary, and T&D losses of grid energy",
        "跨界出行的边界外部分及电网供能输配损耗",
    ),
    ("III", 1): ("waste generated and treated within the city", "城市内产生并处理的废弃物"),
    ("III", 2): ("waste generated within but treated outside the city", "城市内产生、城市外处理的废弃物"),
    ("III", 3): ("waste generated outside but treated within the city", "城市外产生、城市内处理的废弃物"),
}


def _build() -> dict[str, SubSector]:
    rows: dict[str, SubSector] = {}

    def add(ref, scope, level, en, zh, ipcc=None):
        rows[ref] = SubSector(ref, ref.split(".")[0], scope, level, en, zh, ipcc)

    for ref, (en, zh, ipcc) in _STATIONARY.items():
        for scope, level in ((1, "BASIC"), (2, "BASIC"), (3, "BASIC+")):
            s_en, s_zh = _SCOPE_TEXT[("I", scope)]
            add(f"{ref}.{scope}", scope, level, f"{en}: {s_en}", f"{zh}：{s_zh}", ipcc if scope == 1 else None)
    # I.4 has its own rows in the GPC template: auxiliary operations, then generation supplied to the grid
    add(
        "I.4.1",
        1,
        "BASIC",
        "Energy industries: energy used in power plant auxiliary operations",
        "能源工业：电厂辅助运行用能",
        "energy",
    )
    add(
        "I.4.4",
        1,
        "territorial",
        "Energy industries: energy generation supplied to the grid",
        "能源工业：向电网供应的发电",
        "energy",
    )
    add(
        "I.7.1",
        1,
        "BASIC",
        "Fugitive emissions from mining, processing, storage and transportation of coal",
        "煤炭开采、加工、储存和运输的逸散排放",
    )
    add("I.8.1", 1, "BASIC", "Fugitive emissions from oil and natural gas systems", "石油和天然气系统逸散排放")
    for ref, (en, zh, ipcc) in _TRANSPORT.items():
        for scope, level in ((1, "BASIC"), (2, "BASIC"), (3, "BASIC+")):
            if ref == "II.5" and scope == 3:
                continue  # off-road: scopes 1 and 2 only
            s_en, s_zh = _SCOPE_TEXT[("II", scope)]
            add(f"{ref}.{scope}", scope, level, f"{en}: {s_en}", f"{zh}：{s_zh}", ipcc if scope == 1 else None)
    for ref, (en, zh) in _WASTE.items():
        for part, scope, level in ((1, 1, "BASIC"), (2, 3, "BASIC"), (3, 1, "territorial")):
            s_en, s_zh = _SCOPE_TEXT[("III", part)]
            add(f"{ref}.{part}", scope, level, f"{en}: {s_en}", f"{zh}：{s_zh}")
    add("IV.1", 1, "BASIC+", "Industrial processes within the city boundary", "城市边界内的工业过程")
    add("IV.2", 1, "BASIC+", "Product use within the city boundary", "城市边界内的产品使用")
    add("V.1", 1, "BASIC+", "Livestock", "畜牧业")
    add("V.2", 1, "BASIC+", "Land", "土地")
    add(
        "V.3",
        1,
        "BASIC+",
        "Aggregate sources and non-CO2 emission sources on land",
        "土地上的综合排放源和非CO2排放源",
    )
    add("VI.1", 3, "other", "Other scope 3", "其他范围三排放")
    return dict(sorted(rows.items(), key=lambda item: _sort_key(item[0])))


_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6}


def _sort_key(ref: str) -> tuple[int, ...]:
    head, *rest = ref.split(".")
    return (_ROMAN[head], *map(int, rest))


SUBSECTORS: dict[str, SubSector] = _build()

NOTATION_KEYS = {
    "NO": NotationKey("NO", "not occurring", "未发生", "why the activity does not occur in the city"),
    "IE": NotationKey(
        "IE",
        "included elsewhere",
        "已计入其他类别",
        "the sub-sector (reference number) where the emissions are reported",
    ),
    "NE": NotationKey("NE", "not estimated", "未估算", "why the emissions were not estimated (justification)"),
    "C": NotationKey("C", "confidential", "保密", "why the data cannot be reported (confidentiality restriction)"),
}


def subsector(ref: str) -> SubSector:
    """The GPC sub-sector row ``ref`` (e.g. ``"I.1.1"``); a reference number that does not exist raises."""
    try:
        return SUBSECTORS[ref]
    except (KeyError, TypeError):
        raise BadInputError(
            f"GPC sub-sector {ref!r} does not exist: expected a reference number of the GPC v1.1 reporting template "
            f"such as I.1.1, II.1.2, III.1.1, IV.1, V.2 or VI.1"
        ) from None


def check_notation(ref: str, key: str, explanation: str | None, included_in: str | None = None) -> None:
    """Check a notation key for sub-sector ``ref`` (GPC v1.1, notation keys NO, IE, NE, C).

    Every key needs an explanation; ``IE`` also needs ``included_in``, an existing sub-sector
    other than ``ref`` where the emissions are reported.
    """
    subsector(ref)
    if key not in NOTATION_KEYS:
        raise BadInputError(f"notation key {key!r} for {ref}: expected one of {list(NOTATION_KEYS)}")
    if not (explanation or "").strip():
        raise BadInputError(f"notation key {key} for {ref} needs an explanation: {NOTATION_KEYS[key].requires_en}")
    if key == "IE":
        if not included_in:
            raise BadInputError(f"notation key IE for {ref} needs included_in: the sub-sector that holds it")
        if included_in == ref:
            raise BadInputError(f"notation key IE for {ref}: included_in must name another sub-sector")
        subsector(included_in)


def level_totals(co2e_by_ref: dict[str, float]) -> dict[str, float]:
    """Scope 1/2/3, BASIC, BASIC+ and territorial totals of CO2e per sub-sector [t CO2e].

    ``territorial_t`` is every scope-1 emission inside the boundary, I.4.4 and III.x.3 included
    (GPC v1.1, reporting levels); ``basic_t`` and ``basic_plus_t`` follow the levels above.
    """
    totals = {
        "scope1_t": 0.0,
        "scope2_t": 0.0,
        "scope3_t": 0.0,
        "basic_t": 0.0,
        "basic_plus_t": 0.0,
        "territorial_t": 0.0,
    }
    for ref, value in co2e_by_ref.items():
        row = subsector(ref)
        totals[f"scope{row.scope}_t"] += value
        if row.scope == 1:
            totals["territorial_t"] += value
        if row.level == "BASIC":
            totals["basic_t"] += value
        if row.level in ("BASIC", "BASIC+"):
            totals["basic_plus_t"] += value
    return totals
