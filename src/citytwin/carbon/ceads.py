"""Reference inventories from real data: CEADs for Beijing and Langfang, and a Tongzhou ESTIMATE.

Data (shipped in ``carbon/data/``, extracted from the CEADs workbooks by :func:`extract_raw`;
see DATA_SOURCES.md, "Carbon"):

- ``ceads_city_totals.csv``: CO2 totals of Beijing 1997-2019 and Langfang 2000-2016 (CEADs
  290-city inventory, sheet "emission vector") [Mt CO2].
- ``ceads_beijing_sectors.csv``: Beijing 2015-2019 by 47 sectors × 17 fuels plus cement process
  CO2 (CEADs provincial inventories, IPCC sectoral approach, sheets ``Beijing<yyyy>``) [Mt CO2],
  and the sheets' total row (sector ``Total``).

CEADs estimates scope-1 CO2 from fossil fuel combustion (apparent consumption) and cement
process emissions (Shan et al. 2018, Sci. Data 5:170201). :data:`SECTOR_MAP` and
:data:`FUEL_OVERRIDES` place each (sector, fuel) cell in a GPC v1.1 sub-sector; the other
sub-sectors get the notation key NE with the reason. Sector detail exists for 2015-2019 only;
earlier years are city totals (:func:`city_totals`).

Tongzhou (110112) has no published inventory. :func:`tongzhou_estimate` downscales Beijing's
sub-sector emissions by Tongzhou's share of Beijing's resident population (Seventh National
Population Census, 2020), leaving out aviation (no airport in the district). It is labelled
``estimate`` everywhere it shows. Downscaling provincial CEADs inventories to counties by a
proxy follows Chen J. et al. (2020) "County-level CO2 emissions and sequestration in China
during 1997-2017", Sci. Data 7:391 (who used night-time light as the proxy).

References: Shan Y. et al. (2016) Appl. Energy 184:742; (2018) Sci. Data 5:170201; (2020) Sci.
Data 7:54; Guan Y. et al. (2021) Earth's Future 9:e2021EF002241; Shan Y. et al. (2019) Sci. Data
6:190027 and (2022) Sci. Bull. 67:1910 (cities). Data: https://www.ceads.net/
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd

from citytwin.carbon.calc import DEFAULT_GWP
from citytwin.carbon.gpc import SUBSECTORS
from citytwin.carbon.inventory import Inventory, ReportedEmission, build_inventory
from citytwin.errors import BadInputError

__all__ = [
    "BEIJING",
    "FUEL_OVERRIDES",
    "SECTOR_MAP",
    "TONGZHOU",
    "TONGZHOU_POPULATION_SHARE",
    "beijing_inventory",
    "city_totals",
    "extract_raw",
    "gpc_cells",
    "sector_table",
    "tongzhou_estimate",
]

BEIJING, TONGZHOU = "110000", "110112"
SECTOR_YEARS = range(2015, 2020)
_CITATION = "CEADs provincial inventory {year} (Shan et al. 2018, 2020; Guan et al. 2021), sheet Beijing{year}"

# Resident population, Seventh National Population Census (reference date 2020-11-01):
# Beijing 21,893,095; Tongzhou 1,840,295 (Beijing Municipal Bureau of Statistics, Seventh Census
# bulletin No. 2, 2021-05-19). ASSUMPTION: the 2020 share is held for every year downscaled.
TONGZHOU_POPULATION = 1_840_295
BEIJING_POPULATION = 21_893_095
TONGZHOU_POPULATION_SHARE = TONGZHOU_POPULATION / BEIJING_POPULATION

_MANUFACTURING = [
    "Ferrous Metals Mining and Dressing",
    "Nonferrous Metals Mining and Dressing",
    "Nonmetal Minerals Mining and Dressing",
    "Other Minerals Mining and Dressing",
    "Logging and Transport of Wood and Bamboo",
    "Food Processing",
    "Food Production",
    "Beverage Production",
    "Tobacco Processing",
    "Textile Industry",
    "Garments and Other Fiber Products",
    "Leather, Furs, Down and Related Products",
    "Timber Processing, Bamboo, Cane, Palm Fiber & Straw Products",
    "Furniture Manufacturing",
    "Papermaking and Paper Products",
    "Printing and Record Medium Reproduction",
    "Cultural, Educational and Sports Articles",
    "Raw Chemical Materials and Chemical Products",
    "Medical and Pharmaceutical Products",
    "Chemical Fiber",
    "Rubber Products",
    "Plastic Products",
    "Nonmetal Mineral Products",
    "Smelting and Pressing of Ferrous Metals",
    "Smelting and Pressing of Nonferrous Metals",
    "Metal Products",
    "Ordinary Machinery",
    "Equipment for Special Purposes",
    "Transportation Equipment",
    "Electric Equipment and Machinery",
    "Electronic and Telecommunications Equipment",
    "Instruments, Meters, Cultural and Office Machinery",
    "Other Manufacturing Industry",
    "Scrap and waste",
    "Construction",
]
#: CEADs sector → GPC sub-sector (IPCC 2006 categories in brackets).
SECTOR_MAP: dict[str, str] = {
    "Farming, Forestry, Animal Husbandry, Fishery and Water Conservancy": "I.5.1",  # 1.A.4.c
    **{name: "I.3.1" for name in _MANUFACTURING},  # 1.A.2 incl. mining and quarrying, construction
    "Coal Mining and Dressing": "I.4.1",  # 1.A.1.c, energy industries other than grid supply
    "Petroleum and Natural Gas Extraction": "I.4.1",  # 1.A.1.c
    "Petroleum Processing and Coking": "I.4.1",  # 1.A.1.b, 1.A.1.c
    "Production and Supply of Gas": "I.4.1",  # 1.A.1.c
    "Production and Supply of Electric Power, Steam and Hot Water": "I.4.4",  # 1.A.1.a, supplied to the grid
    "Production and Supply of Tap Water": "I.2.1",  # 1.A.4.a
    "Transportation, Storage, Post and Telecommunication Services": "I.2.1",  # buildings; fuels below
    "Wholesale, Retail Trade and Catering Services": "I.2.1",  # 1.A.4.a
    "Others": "I.2.1",  # 1.A.4.a
    "Urban": "I.1.1",  # 1.A.4.b
    "Rural": "I.1.1",  # 1.A.4.b
}
_TRANSPORT = "Transportation, Storage, Post and Telecommunication Services"
_ROAD_FUELS = ("Gasoline", "Diesel_Oil", "Fuel_Oil", "LPG", "Natural_Gas", "Other_Petroleum_Products")
#: (sector, fuel) cells placed elsewhere than their sector: transport fuels go to transportation
#: (GPC v1.1, transportation); cement and other process CO2 go to IPPU.
FUEL_OVERRIDES: dict[tuple[str, str], str] = {
    **{(_TRANSPORT, fuel): "II.1.1" for fuel in _ROAD_FUELS},  # on-road (rail diesel not separable)
    (_TRANSPORT, "Kerosene"): "II.4.1",  # jet fuel loaded at Beijing's airports
    **{
        (s, f): "II.1.1"
        for s in ("Urban", "Rural", "Wholesale, Retail Trade and Catering Services", "Others")
        for f in ("Gasoline", "Diesel_Oil")
    },  # private and service vehicles
    ("Construction", "Diesel_Oil"): "II.5.1",  # off-road machinery
    ("Farming, Forestry, Animal Husbandry, Fishery and Water Conservancy", "Diesel_Oil"): "II.5.1",
}
_NOT_COVERED = (
    "CEADs covers scope-1 CO2 from fossil fuel combustion and cement process only "
    "(Shan et al. 2018, Sci. Data 5:170201); this source is not estimated"
)


def _data_file(name: str):
    return resources.files("citytwin.carbon").joinpath("data", name)


@cache
def _read(name: str) -> pd.DataFrame:
    with _data_file(name).open("rb") as fh:
        return pd.read_csv(fh)


def city_totals(city: str = "Beijing") -> pd.Series:
    """CEADs city CO2 totals per year [t CO2] (``Beijing`` 1997-2019, ``Langfang`` 2000-2016)."""
    frame = _read("ceads_city_totals.csv")
    rows = frame[frame["city_en"] == city]
    if rows.empty:
        raise BadInputError(f"city {city!r}: expected one of {sorted(frame['city_en'].unique())}")
    return pd.Series(rows["co2_mt"].to_numpy() * 1e6, index=rows["year"].to_numpy(), name="co2_t")


def sector_table(year: int) -> pd.DataFrame:
    """Beijing's CEADs sector × fuel cells of ``year`` (2015-2019), total row included [Mt CO2]."""
    frame = _read("ceads_beijing_sectors.csv")
    rows = frame[frame["year"] == int(year)]
    if rows.empty:
        raise BadInputError(f"year {year}: CEADs sector detail for Beijing exists for {list(SECTOR_YEARS)}")
    return rows.reset_index(drop=True)


def gpc_cells(year: int) -> pd.DataFrame:
    """The CEADs cells of ``year`` with their GPC sub-sector (columns sector, fuel, subsector, co2_t)."""
    cells = sector_table(year)
    cells = cells[(cells["sector"] != "Total") & (cells["fuel"] != "Scope_1_Total")].copy()
    unknown = sorted(set(cells["sector"]) - set(SECTOR_MAP))
    if unknown:
        raise BadInputError(f"CEADs sectors without a GPC mapping: {unknown}")
    cells["subsector"] = [
        "IV.1" if fuel == "Process" else FUEL_OVERRIDES.get((sector, fuel), SECTOR_MAP[sector])
        for sector, fuel in zip(cells["sector"], cells["fuel"], strict=True)
    ]
    cells["co2_t"] = cells["co2_mt"] * 1e6
    return cells[["sector", "fuel", "subsector", "co2_t"]].reset_index(drop=True)


def _records(year: int, jurisdiction: str, scale: float, source: str, drop: set[str]):
    cells = gpc_cells(year)
    grouped = cells[~cells["subsector"].isin(drop)].groupby(["subsector", "fuel"], sort=True)["co2_t"].sum()
    return [
        ReportedEmission(
            ref,
            float(value) * scale,
            int(year),
            jurisdiction,
            source,
            fuel=fuel,
            data_quality="M" if scale == 1 else "L",
        )
        for (ref, fuel), value in grouped.items()
        if value != 0
    ]


def _notation(with_data: set[str], extra: dict[str, dict]) -> dict[str, dict]:
    keys = dict(extra)
    for ref in SUBSECTORS:
        if ref not in with_data and ref not in keys:
            keys[ref] = {"key": "NE", "explanation": _NOT_COVERED}
    return keys


def beijing_inventory(year: int, gwp_set: str = DEFAULT_GWP) -> Inventory:
    """Beijing's GPC inventory of ``year`` (2015-2019) from the CEADs provincial sheet [t CO2]."""
    records = _records(year, BEIJING, 1.0, _CITATION.format(year=year), set())
    refs = {r.subsector for r in records}
    return build_inventory(
        records,
        jurisdiction=BEIJING,
        year=year,
        gwp_set=gwp_set,
        notation=_notation(refs, {}),
        name=f"Beijing {year} (CEADs) 北京市{year}年（CEADs）",
        method="CEADs IPCC-sectoral inventory mapped to GPC v1.1 sub-sectors (carbon.ceads.SECTOR_MAP)",
    )


def tongzhou_estimate(year: int, gwp_set: str = DEFAULT_GWP) -> Inventory:
    """ESTIMATE of Tongzhou's inventory of ``year`` (2015-2019), downscaled from Beijing's CEADs [t CO2].

    Every sub-sector × Tongzhou's 2020 census population share (0.0841), aviation (II.4.1) left
    out as not occurring. Data quality L: a proxy estimate, not an inventory of the district.
    """
    source = (
        f"ESTIMATE: {_CITATION.format(year=year)} × Tongzhou population share "
        f"{TONGZHOU_POPULATION_SHARE:.4f} (2020 census)"
    )
    records = _records(year, TONGZHOU, TONGZHOU_POPULATION_SHARE, source, {"II.4.1"})
    refs = {r.subsector for r in records}
    extra = {
        "II.4.1": {
            "key": "NO",
            "explanation": "no airport in Tongzhou; Beijing's jet fuel is loaded at "
            "Capital (Shunyi) and Daxing airports",
        }
    }
    return build_inventory(
        records,
        jurisdiction=TONGZHOU,
        year=year,
        gwp_set=gwp_set,
        notation=_notation(refs, extra),
        name=(f"ESTIMATE — Tongzhou {year}, downscaled from Beijing (CEADs) 估算 — 通州区{year}年（北京CEADs降尺度）"),
        label="estimate",
        method=(
            "ESTIMATE: Beijing CEADs sub-sector emissions × Tongzhou/Beijing resident population "
            "(Seventh Census 2020: 1,840,295 / 21,893,095); aviation excluded; proxy downscaling "
            "after Chen et al. (2020) Sci. Data 7:391"
        ),
    )


# ---- extraction from the raw workbooks (used to build and to test the shipped extracts) ----------
_TOTAL_ROWS = {"Total Consumption", "TotalEmissions"}


def _fuel_name(header: str) -> str:
    name = str(header).strip().replace(" ", "_")
    return {"CleanedCoal": "Cleaned_Coal"}.get(name, name)


def extract_raw(ceads_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the CEADs workbooks under ``ceads_dir`` (raw_cities/, raw_provinces/).

    Returns (city totals of Beijing and Langfang [Mt CO2], Beijing sector × fuel cells 2015-2019
    with the total row as sector ``Total`` [Mt CO2], zero cells dropped): the shipped extracts.
    """
    from openpyxl import load_workbook

    ceads_dir = Path(ceads_dir)
    book = load_workbook(
        ceads_dir / "raw_cities" / "The_Emission_Inventories_for_290_Chinese_Cities_from_1997_to_2019.xlsx",
        read_only=True,
    )
    names = {"北京": ("Beijing", "北京"), "河北廊坊": ("Langfang", "廊坊")}
    city = [
        {"city_en": names[r[1]][0], "city_zh": names[r[1]][1], "year": int(r[2]), "co2_mt": float(r[3])}
        for r in book["emission vector"].iter_rows(min_row=2, values_only=True)
        if r[1] in names and r[3] is not None
    ]
    cells = []
    for year in SECTOR_YEARS:
        path = ceads_dir / "raw_provinces" / f"Emission_Inventories_for_30_Provinces_{year}.xlsx"
        sheet = load_workbook(path, read_only=True)[f"Beijing{year}"]
        rows = list(sheet.iter_rows(values_only=True))
        fuels = [_fuel_name(h) for h in rows[0][1:]]
        for row in rows[1:]:
            if not row[0] or str(row[0]).strip() == "unit":
                continue
            sector = "Total" if str(row[0]).strip() in _TOTAL_ROWS else str(row[0]).strip()
            for fuel, value in zip(fuels, row[1:], strict=True):
                if value:
                    cells.append({"year": year, "sector": sector, "fuel": fuel, "co2_mt": float(value)})
    return pd.DataFrame(city), pd.DataFrame(cells)
