"""The reference registry of medical institutions: Beijing's medical-insurance designated institutions.

``data/medical_institutions_2023.parquet``: 4,279 institutions (Tongzhou 239) from 北京市医疗保障局
定点医疗机构名单 (via github.com/nwjf/hospital, state of about March 2023), with code, name, district,
type, grade and the town parsed from the name. ``data/population_facts.csv``: census figures with
their publishers (Tongzhou 2010: 1,184,000 residents). Sources: ``DATA_SOURCES.md``.

The registry has NO coordinates and no beds, so it supports counts by kind, grade and town and
institutions per 1,000 residents (with the census figure and its year), but no distance indicator.
"""

from __future__ import annotations

import csv
from importlib import resources

import pandas as pd

from citytwin.errors import BadInputError, NotFoundError

__all__ = ["DISTANCE_NOTE", "GROUPS", "TYPES_EN", "census", "institutions", "registry_summary"]

#: The registry's institution types, in English.
TYPES_EN = {
    "对外综合": "general hospital (open to the public)",
    "对外专科": "specialist hospital (open to the public)",
    "对外中医": "traditional Chinese medicine hospital (open to the public)",
    "社区卫生站": "community health station",
    "村卫生室": "village clinic",
    "对内": "internal clinic (staff only)",
}
GROUPS = ("type", "grade", "town")
DISTANCE_NOTE = ("distance indicators need facility coordinates, which the reference registry lacks: "
                 "load facilities with locations (PointOfInterest entities) for nearest, reach and sharing")
_SOURCE = "北京市医疗保障局 定点医疗机构名单 (via github.com/nwjf/hospital), about March 2023"


def _data(name: str):
    return resources.files("citytwin.services") / "data" / name


def _adcodes() -> dict[str, str]:
    from citytwin.datasets import boundaries

    return {f["properties"]["name_zh"]: f["properties"]["adcode"] for f in boundaries()["features"]}


def institutions() -> pd.DataFrame:
    """The registry: ``code``, ``name``, ``district``, ``jurisdiction`` (adcode, or None for the economic-
    technological development zone, which has none), ``type``, ``type_en``, ``grade``, ``town``."""
    frame = pd.read_parquet(str(_data("medical_institutions_2023.parquet")))
    codes = _adcodes()
    frame["jurisdiction"] = frame["district"].map(lambda d: codes.get(d))
    frame["type_en"] = frame["type"].map(TYPES_EN)
    return frame


def census(jurisdiction: str) -> list[dict]:
    """Published resident populations of one jurisdiction (year, value [persons], publisher, url), newest first."""
    with _data("population_facts.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["adcode"] == jurisdiction and r["metric"] == "resident_population"]
    return sorted(({"year": int(r["year"]), "residents": float(r["value"]), "note": r["note"],
                    "publisher": r["publisher"], "url": r["url_as_stored"]} for r in rows),
                  key=lambda r: -r["year"])


def registry_summary(jurisdiction: str = "110112", by: str = "type") -> dict:
    """Institutions of one jurisdiction counted by ``type``, ``grade`` or ``town``, and per 1,000 residents.

    The per-1,000 figure divides the 2023 registry by the latest census figure published for the
    jurisdiction; both years are stated, since they differ.
    """
    if by not in GROUPS:
        raise BadInputError(f"by = {by!r}: expected one of {', '.join(GROUPS)}")
    frame = institutions()
    mine = frame[frame["jurisdiction"] == jurisdiction]
    if mine.empty:
        known = sorted(frame["jurisdiction"].dropna().unique())
        raise NotFoundError(f"jurisdiction {jurisdiction!r} has no institution in the registry: "
                            f"expected one of {', '.join(known)}")
    counts = mine[by].fillna("(not parsed from the name)" if by == "town" else "(none)").value_counts()
    groups = [{by: key, "institutions": int(n), **({"type_en": TYPES_EN.get(key)} if by == "type" else {})}
              for key, n in counts.items()]
    population = census(jurisdiction)
    per_1000 = None
    if population:
        latest = population[0]
        per_1000 = {"value": 1000.0 * len(mine) / latest["residents"],
                    "basis": f"{len(mine)} institutions (registry, 2023) / {int(latest['residents']):,} residents "
                             f"({latest['year']} census; {latest['publisher']}, {latest['url']})"}
    return {"jurisdiction": jurisdiction, "institutions": int(len(mine)), "by": by, "groups": groups,
            "per_1000_residents": per_1000, "source": _SOURCE, "distance_note": DISTANCE_NOTE}
