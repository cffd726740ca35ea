"""``/api/v1/dashboard/carbon/inventory``: a reference GPC inventory by sector and scope.

The inventories are :func:`citytwin.carbon.ceads.beijing_inventory` (CEADs, mapped to GPC v1.1
sub-sectors) and :func:`citytwin.carbon.ceads.tongzhou_estimate` (an ESTIMATE downscaled from
it by population), as ``citytwin carbon inventory show --reference`` prints them. Sector and
scope follow the GPC v1.1 reporting table (Table 4.1); totals are
:meth:`citytwin.carbon.inventory.Inventory.totals` (scopes, BASIC, BASIC+, territorial).
"""

from __future__ import annotations

import functools
from typing import Annotated

from fastapi import APIRouter, Query

from citytwin.api.deps import ReadAccess
from citytwin.api.problems import BadRequestData

__all__ = ["REFERENCES", "router"]

router = APIRouter()
REFERENCES = ("tongzhou", "beijing")


@functools.lru_cache(maxsize=16)
def _inventory(reference: str, year: int) -> dict:
    from citytwin.carbon import ceads
    from citytwin.carbon.gpc import SECTORS
    from citytwin.carbon.inventory import TOTAL_LABELS

    inv = ceads.tongzhou_estimate(year) if reference == "tongzhou" else ceads.beijing_inventory(year)
    rows = inv.rows().dropna(subset=["co2e_t"])
    cells = rows.groupby(["sector", "scope"])["co2e_t"].sum()
    sectors = [{"sector": s, "name_en": SECTORS[s][0], "name_zh": SECTORS[s][1],
                "by_scope_t": {str(scope): float(cells.get((s, scope), 0.0)) for scope in (1, 2, 3)}}
               for s in SECTORS]
    subsectors = [{"ref": r.ref, "sector": r.sector, "scope": int(r.scope), "name_en": r.name_en,
                   "name_zh": r.name_zh, "co2e_t": float(r.co2e_t)} for r in rows.itertuples()]
    totals = [{"total": k, "name_en": TOTAL_LABELS[k][0], "name_zh": TOTAL_LABELS[k][1], "co2e_t": v}
              for k, v in inv.totals().items()]
    return {"reference": reference, "jurisdiction": inv.jurisdiction, "year": inv.year, "gwp_set": inv.gwp_set,
            "name": inv.name, "label": inv.label, "method": inv.method, "sectors": sectors,
            "subsectors": subsectors, "totals": totals}


@router.get("/carbon/inventory", summary="A reference GPC inventory by sector and scope [t CO2e]")
def inventory(_: ReadAccess,
              reference: Annotated[str, Query(description="tongzhou (ESTIMATE) or beijing (CEADs).")] = "tongzhou",
              year: Annotated[int, Query(description="Inventory year, 2015-2019.")] = 2019) -> dict:
    """Per GPC sector (I-VI) its emissions per scope, the reported sub-sectors and the totals
    [t CO2e]; ``label`` is ``estimate`` for the Tongzhou downscaling, shown wherever it shows."""
    from citytwin.carbon.ceads import SECTOR_YEARS

    if reference not in REFERENCES:
        raise BadRequestData(f"reference {reference!r}: expected one of {', '.join(REFERENCES)}")
    if year not in SECTOR_YEARS:
        raise BadRequestData(f"year {year}: expected {min(SECTOR_YEARS)}-{max(SECTOR_YEARS)}")
    return {**_inventory(reference, year), "years": sorted(SECTOR_YEARS)}
