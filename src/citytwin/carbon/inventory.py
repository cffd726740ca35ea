"""City GHG inventories per the GPC: activity records → the GPC reporting table → CSV and XLSX.

GPC v1.1 (2021): reporting requirements (sub-sectors, notation keys, scopes, BASIC/BASIC+) and
data quality ratings H/M/L of activity data and emission factors. An inventory is built from :class:`ActivityRecord`
(an activity with a quantity and unit, turned into emissions by :mod:`citytwin.carbon.calc`)
and :class:`ReportedEmission` (an emission already estimated by a cited third party, such as
CEADs), plus notation keys for the sub-sectors without figures. :func:`build_inventory`
checks every record before computing anything and returns a complete :class:`Inventory` or
raises :class:`~citytwin.errors.BadInputError` naming the record: nothing half-built escapes.

The inventory records its GWP set; its document (:meth:`Inventory.to_dict`) is plain JSON, the
form that is signed and committed by :mod:`citytwin.carbon.mrv`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from citytwin.carbon import factors as _factors
from citytwin.carbon.calc import DEFAULT_GWP, ELECTRICITY, emissions
from citytwin.carbon.gpc import NOTATION_KEYS, SECTORS, SUBSECTORS, check_notation, level_totals, subsector
from citytwin.errors import BadInputError

__all__ = [
    "DOCUMENT_KIND",
    "TABLE_LABELS",
    "ActivityRecord",
    "Inventory",
    "ReportedEmission",
    "build_inventory",
    "line_frame",
    "records_from_frame",
]

DOCUMENT_KIND = "citytwin.carbon.inventory/v1"
DATA_QUALITY = ("H", "M", "L")  # GPC v1.1 data quality: high, medium, low
_GASES = ("co2_t", "ch4_t", "n2o_t", "co2e_t")

TABLE_LABELS = {
    # column: (en, zh)
    "ref": ("GPC ref. no.", "GPC编号"),
    "sector": ("Sector", "部门"),
    "scope": ("Scope", "范围"),
    "level": ("Reporting level", "报告级别"),
    "name_en": ("Sub-sector", "子部门（英文）"),
    "name_zh": ("Sub-sector (zh)", "子部门"),
    "notation_key": ("Notation key", "标注符号"),
    "explanation": ("Explanation", "说明"),
    "co2_t": ("CO2 [t]", "二氧化碳 [吨]"),
    "ch4_t": ("CH4 [t]", "甲烷 [吨]"),
    "n2o_t": ("N2O [t]", "氧化亚氮 [吨]"),
    "co2e_t": ("CO2e [t]", "二氧化碳当量 [吨]"),
    "data_quality": ("Data quality", "数据质量"),
    "sources": ("Sources", "数据来源"),
}
TOTAL_LABELS = {
    "scope1_t": ("Scope 1 total (territorial)", "范围一合计（属地）"),
    "scope2_t": ("Scope 2 total", "范围二合计"),
    "scope3_t": ("Scope 3 total", "范围三合计"),
    "basic_t": ("BASIC total", "BASIC合计"),
    "basic_plus_t": ("BASIC+ total", "BASIC+合计"),
    "territorial_t": ("Territorial total (all scope 1)", "属地合计（全部范围一）"),
}


@dataclass(frozen=True)
class ActivityRecord:
    """One activity: ``quantity`` [``unit``] of ``activity`` in GPC sub-sector ``subsector``.

    ``factor_year`` is the data year of the grid factor for electricity (default: ``year``).
    """

    subsector: str
    activity: str
    quantity: float
    unit: str
    year: int
    jurisdiction: str
    period: str = ""
    data_quality: str = "M"
    source: str = ""
    region: str = "CN"
    factor_year: int | None = None
    scope: int | None = None  # optional; when given it must be the sub-sector's scope


@dataclass(frozen=True)
class ReportedEmission:
    """Emissions of a sub-sector estimated by a cited third party [t]."""

    subsector: str
    co2_t: float
    year: int
    jurisdiction: str
    source: str
    ch4_t: float = 0.0
    n2o_t: float = 0.0
    data_quality: str = "M"
    note: str = ""
    fuel: str = ""


@dataclass
class Inventory:
    """A GPC inventory: lines per record, rows per sub-sector, notation keys and totals."""

    jurisdiction: str
    year: int
    gwp_set: str
    name: str = ""
    label: str = "inventory"  # or "estimate": shown wherever the inventory shows
    method: str = ""
    lines: list[dict] = field(default_factory=list)
    notation: dict[str, dict] = field(default_factory=dict)

    # ---- derived views -------------------------------------------------------------------
    def rows(self) -> pd.DataFrame:
        """The GPC reporting table: one row per sub-sector, emissions [t] or a notation key."""
        sums: dict[str, dict] = {}
        for line in self.lines:
            acc = sums.setdefault(line["subsector"], {g: 0.0 for g in _GASES} | {"q": set(), "s": set()})
            for gas in _GASES:
                acc[gas] += line[gas]
            acc["q"].add(line["data_quality"])
            acc["s"].add(line["source"])
        out = []
        for ref, row in SUBSECTORS.items():
            acc = sums.get(ref)
            key = self.notation.get(ref, {})
            explanation = key.get("explanation", "")
            if key.get("included_in"):
                explanation = f"{explanation} (included in {key['included_in']})"
            out.append(
                {
                    "ref": ref,
                    "sector": row.sector,
                    "scope": row.scope,
                    "level": row.level,
                    "name_en": row.name_en,
                    "name_zh": row.name_zh,
                    "notation_key": key.get("key", ""),
                    "explanation": explanation,
                    **{gas: (acc[gas] if acc else math.nan) for gas in _GASES},
                    "data_quality": max(acc["q"], key=DATA_QUALITY.index) if acc else "",  # the lowest
                    "sources": "; ".join(sorted(s for s in acc["s"] if s)) if acc else "",
                }
            )
        return pd.DataFrame(out, columns=list(TABLE_LABELS))

    def totals(self) -> dict[str, float]:
        """Scope 1/2/3, BASIC, BASIC+ and territorial totals [t CO2e] (GPC v1.1, reporting levels)."""
        table = self.rows()
        reported = table.dropna(subset=["co2e_t"])
        return level_totals(dict(zip(reported["ref"], reported["co2e_t"], strict=True)))

    def gas_totals(self) -> dict[str, float]:
        """Sum of every line per gas [t], territorial view (all scopes)."""
        return {gas: float(sum(line[gas] for line in self.lines)) for gas in _GASES}

    def unreported(self) -> list[str]:
        """Sub-sectors with neither figures nor a notation key (GPC requires one or the other)."""
        have = {line["subsector"] for line in self.lines} | set(self.notation)
        return [ref for ref in SUBSECTORS if ref not in have]

    def sector_totals(self) -> dict[str, float]:
        """CO2e per GPC sector I-VI, every scope [t CO2e]."""
        out = {s: 0.0 for s in SECTORS}
        for line in self.lines:
            out[subsector(line["subsector"]).sector] += line["co2e_t"]
        return out

    # ---- documents and exports -----------------------------------------------------------
    def to_dict(self) -> dict:
        """The inventory as one JSON document (what is signed and committed)."""
        return {
            "kind": DOCUMENT_KIND,
            "jurisdiction": self.jurisdiction,
            "year": self.year,
            "gwp_set": self.gwp_set,
            "name": self.name,
            "label": self.label,
            "method": self.method,
            "lines": self.lines,
            "notation": self.notation,
            "totals": self.totals(),
        }

    @classmethod
    def from_dict(cls, doc: Mapping) -> Inventory:
        """Read a document made by :meth:`to_dict`; its stored totals must match the lines."""
        if not isinstance(doc, Mapping) or doc.get("kind") != DOCUMENT_KIND:
            got = doc.get("kind") if isinstance(doc, Mapping) else type(doc).__name__
            raise BadInputError(f"inventory document kind {got!r}: expected {DOCUMENT_KIND!r}")
        try:
            inv = cls(
                str(doc["jurisdiction"]),
                int(doc["year"]),
                str(doc["gwp_set"]),
                str(doc.get("name", "")),
                str(doc.get("label", "inventory")),
                str(doc.get("method", "")),
                list(doc.get("lines", [])),
                dict(doc.get("notation", {})),
            )
        except (KeyError, TypeError, ValueError) as e:
            raise BadInputError(f"inventory document: missing or bad field {e}") from e
        stored = doc.get("totals")
        if stored is not None:
            for name, value in inv.totals().items():
                if not math.isclose(float(stored.get(name, math.nan)), value, rel_tol=1e-9, abs_tol=1e-6):
                    raise BadInputError(f"inventory totals: {name} stored {stored.get(name)}, recomputed {value}")
        return inv

    def to_csv(self, path: Path) -> Path:
        """The GPC reporting table and totals as CSV (column ``row_type``: subsector or total).

        Every row carries the inventory's ``label`` (``inventory`` or ``estimate``), ``jurisdiction``,
        ``year`` and ``gwp_set``, so that an extract of the file still says what it is.
        """
        frame = self.rows()
        frame.insert(0, "row_type", "subsector")
        totals = pd.DataFrame(
            [
                {
                    "row_type": "total",
                    "ref": name,
                    "name_en": TOTAL_LABELS[name][0],
                    "name_zh": TOTAL_LABELS[name][1],
                    "co2e_t": value,
                }
                for name, value in self.totals().items()
            ]
        )
        frame = pd.concat([frame, totals], ignore_index=True)
        frame["scope"] = frame["scope"].astype("Int64")
        for position, (column, value) in enumerate(
            (("label", self.label), ("jurisdiction", self.jurisdiction), ("year", self.year), ("gwp_set", self.gwp_set))
        ):
            frame.insert(position, column, value)
        frame.to_csv(path, index=False, encoding="utf-8")
        return Path(path)

    def to_xlsx(self, path: Path) -> Path:
        """The GPC reporting table as an XLSX workbook (sheets GPC, Totals, Activities, About), zh and en."""
        from citytwin.carbon._xlsx import write_inventory_xlsx

        write_inventory_xlsx(self, Path(path), TABLE_LABELS, TOTAL_LABELS)
        return Path(path)


def _check_common(i: int, ref: str, year: int, jurisdiction: str, quality: str, inv_year: int, inv_jur: str):
    subsector(ref)
    if int(year) != inv_year:
        raise BadInputError(f"record {i} ({ref}): year {year} does not match the inventory year {inv_year}")
    if str(jurisdiction) != inv_jur:
        raise BadInputError(
            f"record {i} ({ref}): jurisdiction {jurisdiction!r} does not match the inventory's {inv_jur!r}"
        )
    if quality not in DATA_QUALITY:
        raise BadInputError(f"record {i} ({ref}): data quality {quality!r}: expected one of {list(DATA_QUALITY)}")


def _line_of_activity(i: int, rec: ActivityRecord, gwp_set: str) -> dict:
    factor_year = rec.factor_year if rec.factor_year is not None else rec.year
    try:
        result = emissions(
            rec.activity,
            rec.quantity,
            rec.unit,
            year=factor_year if rec.activity == ELECTRICITY else rec.year,
            sector=rec.subsector,
            gwp_set=gwp_set,
            region=rec.region,
        )
    except BadInputError as e:
        raise BadInputError(f"record {i} ({rec.subsector}, {rec.activity}): {e}") from e
    return {
        "subsector": rec.subsector,
        "activity": rec.activity,
        "quantity": float(rec.quantity),
        "unit": rec.unit,
        "period": rec.period or str(rec.year),
        "data_quality": rec.data_quality,
        "source": rec.source,
        "co2_t": result.co2_t,
        "ch4_t": result.ch4_t,
        "n2o_t": result.n2o_t,
        "co2e_t": result.co2e_t,
        "factors": result.factors,
    }


def _line_of_reported(i: int, rec: ReportedEmission, ch4_gwp: float, n2o_gwp: float) -> dict:
    values = {"co2_t": rec.co2_t, "ch4_t": rec.ch4_t, "n2o_t": rec.n2o_t}
    for gas, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise BadInputError(f"record {i} ({rec.subsector}): {gas} {value!r}: expected a finite number")
    if not rec.source:
        raise BadInputError(f"record {i} ({rec.subsector}): a reported emission needs its source")
    co2e = rec.co2_t + rec.ch4_t * ch4_gwp + rec.n2o_t * n2o_gwp
    return {
        "subsector": rec.subsector,
        "activity": rec.fuel or "reported",
        "quantity": None,
        "unit": None,
        "period": str(rec.year),
        "data_quality": rec.data_quality,
        "source": rec.source,
        "note": rec.note,
        **{k: float(v) for k, v in values.items()},
        "co2e_t": float(co2e),
        "factors": [],
    }


def build_inventory(
    records: Iterable[ActivityRecord | ReportedEmission],
    *,
    jurisdiction: str,
    year: int,
    gwp_set: str = DEFAULT_GWP,
    notation: Mapping[str, Mapping] | None = None,
    name: str = "",
    label: str = "inventory",
    method: str = "",
) -> Inventory:
    """Build a GPC inventory; every record and notation key is checked first (all or nothing).

    ``notation`` maps a sub-sector to ``{"key": NO|IE|NE|C, "explanation": ..., "included_in": ...}``.
    A sub-sector may hold figures or a notation key, not both.
    """
    if label not in ("inventory", "estimate"):
        raise BadInputError(f"label {label!r}: expected 'inventory' or 'estimate'")
    year = int(year)
    jurisdiction = str(jurisdiction)
    ch4_gwp = _factors.gwp("CH4", gwp_set).value
    n2o_gwp = _factors.gwp("N2O", gwp_set).value
    lines = []
    for i, rec in enumerate(records):
        if isinstance(rec, ActivityRecord):
            _check_common(i, rec.subsector, rec.year, rec.jurisdiction, rec.data_quality, year, jurisdiction)
            if rec.scope is not None and int(rec.scope) != subsector(rec.subsector).scope:
                raise BadInputError(
                    f"record {i} ({rec.subsector}): scope {rec.scope} does not match the sub-sector's scope "
                    f"{subsector(rec.subsector).scope}"
                )
            lines.append(_line_of_activity(i, rec, gwp_set))
        elif isinstance(rec, ReportedEmission):
            _check_common(i, rec.subsector, rec.year, rec.jurisdiction, rec.data_quality, year, jurisdiction)
            lines.append(_line_of_reported(i, rec, ch4_gwp, n2o_gwp))
        else:
            raise BadInputError(f"record {i}: expected an ActivityRecord or a ReportedEmission, got {rec!r}")
    keys: dict[str, dict] = {}
    with_data = {line["subsector"] for line in lines}
    for ref, spec in (notation or {}).items():
        spec = dict(spec)
        check_notation(ref, spec.get("key", ""), spec.get("explanation"), spec.get("included_in"))
        if ref in with_data:
            raise BadInputError(f"sub-sector {ref} has figures and notation key {spec['key']}: expected one of them")
        keys[ref] = {
            "key": spec["key"],
            "explanation": spec["explanation"].strip(),
            **({"included_in": spec["included_in"]} if spec.get("included_in") else {}),
            "name_en": NOTATION_KEYS[spec["key"]].name_en,
            "name_zh": NOTATION_KEYS[spec["key"]].name_zh,
        }
    return Inventory(jurisdiction, year, gwp_set, name, label, method, lines, keys)


def records_from_frame(frame: pd.DataFrame) -> list[ActivityRecord]:
    """Activity records from a table with columns subsector, activity, quantity, unit, year, jurisdiction
    (optional: period, data_quality, source, region, factor_year)."""
    required = ["subsector", "activity", "quantity", "unit", "year", "jurisdiction"]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise BadInputError(f"activity table lacks columns {missing}: expected at least {required}")
    out = []
    names = set(ActivityRecord.__dataclass_fields__)
    for i, row in enumerate(frame.to_dict("records")):
        kw = {k: v for k, v in row.items() if k in names and not (isinstance(v, float) and math.isnan(v))}
        try:
            kw["quantity"] = float(kw["quantity"])
            kw["year"] = int(kw["year"])
            for key in ("factor_year", "scope"):
                if key in kw:
                    kw[key] = int(kw[key])
        except (TypeError, ValueError) as e:
            raise BadInputError(f"activity row {i}: {e}") from e
        kw["jurisdiction"] = str(kw["jurisdiction"])
        out.append(ActivityRecord(**kw))
    return out


def line_frame(inv: Inventory) -> pd.DataFrame:
    """The inventory's lines as a table (factors left out)."""
    return pd.DataFrame([{k: v for k, v in line.items() if k != "factors"} for line in inv.lines])
