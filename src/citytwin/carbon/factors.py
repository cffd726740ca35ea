"""The factor library: emission factors, calorific values and GWPs as data files with provenance.

Three tables ship beside this module, in ``carbon/factors/`` (one row per figure, each with its
``source``, ``table``, publication ``year``, ``unit``, ``licence`` and a ``check`` flag: ``V``
read in the cited document or its verbatim reproduction, ``S`` from a secondary page quoting the
official release, ``M`` transcribed and still to be checked against the printed table):

- ``ipcc2006.csv``: IPCC 2006 Guidelines, Vol. 2 defaults: net calorific values (Ch. 1, Table 1.2)
  [TJ/Gg], CO2 factors (Table 1.4) [kg/TJ], CH4 and N2O per fuel and sector: stationary
  combustion (Ch. 2, Tables 2.2-2.5) and mobile combustion (Ch. 3, Tables 3.2.2, 3.3.1, 3.4.1,
  3.5.3, 3.6.5) [kg/TJ]; the density of natural gas [kg/m3] to turn volumes into mass.
- ``china_grid.csv``: China's electricity CO2 emission factors published by MEE and NBS for
  data years 2021-2023: national average, residual and fossil; regional grids; provincial
  [kgCO2/kWh].
- ``gwp.csv``: 100-year global warming potentials of the IPCC AR4, AR5 and AR6 [t CO2e/t].

Each table is versioned (column ``version``); callers choose a version or take the default.
Lookups are pure functions of the loaded tables; a missing figure raises
:class:`citytwin.errors.BadInputError` naming what was asked and what exists.

References
----------
IPCC (2006) 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 2 Energy.
MEE & NBS (2024, 2025) announcements of electricity CO2 emission factors (data years 2021-2023).
IPCC AR4 WGI Table 2.14; AR5 WGI Table 8.A.1; AR6 WGI Table 7.SM.7.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pandas as pd

from citytwin.errors import BadInputError

__all__ = [
    "DEFAULT_FUEL_VERSION",
    "Factor",
    "GWP_SETS",
    "electricity_factor",
    "electricity_table",
    "fuel_factor",
    "fuel_table",
    "fuels",
    "gwp",
    "gwp_table",
]

DEFAULT_FUEL_VERSION = "ipcc2006"
GWP_SETS = ("AR4", "AR5", "AR6")


@dataclass(frozen=True)
class Factor:
    """One figure of the library with where it came from."""

    parameter: str
    value: float
    unit: str
    source: str
    table: str
    version: str
    check: str
    low: float | None = None
    high: float | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def _read(name: str) -> pd.DataFrame:
    with resources.files("citytwin.carbon").joinpath("factors", name).open("rb") as fh:
        return pd.read_csv(fh, keep_default_na=False, na_values=[""])


@lru_cache(maxsize=1)
def fuel_table() -> pd.DataFrame:
    """The IPCC 2006 fuel table (NCV, CO2, CH4, N2O, density), one row per figure."""
    return _read("ipcc2006.csv")


@lru_cache(maxsize=1)
def electricity_table() -> pd.DataFrame:
    """China's electricity CO2 factors, one row per (version, region, kind, data year)."""
    return _read("china_grid.csv")


@lru_cache(maxsize=1)
def gwp_table() -> pd.DataFrame:
    """GWP100 values of AR4, AR5 and AR6 [t CO2e/t]."""
    return _read("gwp.csv")


def fuels(version: str = DEFAULT_FUEL_VERSION) -> list[str]:
    """The fuels with factors in ``version``."""
    table = fuel_table()
    return sorted(table.loc[table["version"] == version, "fuel"].unique().tolist())


def _factor(row: pd.Series, parameter: str) -> Factor:
    low = row.get("low")
    high = row.get("high")
    return Factor(
        parameter=parameter,
        value=float(row["value"]),
        unit=str(row["unit"]),
        source=str(row["source"]),
        table=str(row["table"]),
        version=str(row["version"]),
        check=str(row["check"]),
        low=None if pd.isna(low) else float(low),
        high=None if pd.isna(high) else float(high),
    )


@lru_cache(maxsize=4096)
def fuel_factor(fuel: str, parameter: str, sector: str = "any", version: str = DEFAULT_FUEL_VERSION) -> Factor:
    """One IPCC figure of a fuel: ``parameter`` is ncv [TJ/Gg], co2, ch4, n2o [kg/TJ] or density [kg/m3].

    ``sector`` is the IPCC combustion class (energy, manufacturing, commercial, residential, road,
    rail, water, aviation, offroad) for CH4 and N2O; NCV, CO2 and density hold for any sector.
    """
    table = fuel_table()
    if version not in set(table["version"]):
        raise BadInputError(f"fuel factor version {version!r}: expected one of {sorted(set(table['version']))}")
    of_fuel = table[(table["version"] == version) & (table["fuel"] == fuel)]
    if of_fuel.empty:
        raise BadInputError(f"fuel {fuel!r}: no factors in {version}; expected one of {fuels(version)}")
    rows = of_fuel[(of_fuel["parameter"] == parameter) & of_fuel["sector"].isin([sector, "any"])]
    if rows.empty:
        have = sorted(of_fuel.loc[of_fuel["parameter"] == parameter, "sector"].unique().tolist())
        raise BadInputError(
            f"no {parameter} factor for fuel {fuel!r} in sector {sector!r} ({version}); "
            f"sectors with one: {have or 'none'}"
        )
    return _factor(rows.iloc[0], parameter)


@lru_cache(maxsize=1024)
def electricity_factor(year: int, region: str = "CN", kind: str | None = None, version: str | None = None) -> Factor:
    """The MEE/NBS electricity CO2 factor of data year ``year`` for ``region`` [kgCO2/kWh].

    ``region`` is ``CN`` (national), a grid (``CN-NORTH``, ...) or a province (``CN-BJ``, ...);
    ``kind`` defaults to ``national_average`` for CN and to the region's only kind otherwise.
    No factor is borrowed from another year: a year without one is an error.
    """
    table = electricity_table()
    rows = table[(table["region_code"] == region) & (table["data_year"] == int(year))]
    if version is not None:
        rows = rows[rows["version"] == version]
    if kind is None and region == "CN":
        kind = "national_average"
    if kind is not None:
        rows = rows[rows["kind"] == kind]
    if rows.empty:
        years = sorted(table.loc[table["region_code"] == region, "data_year"].unique().tolist())
        if not years:
            raise BadInputError(
                f"electricity region {region!r}: expected CN, a grid (CN-NORTH, ...) or a province code "
                f"(CN-BJ, ...) of {sorted(set(table['region_code']))}"
            )
        raise BadInputError(
            f"no electricity factor for year {year} (region {region}, kind {kind or 'any'}"
            f"{', version ' + version if version else ''}); years with one: {years}"
        )
    row = rows.iloc[0]
    factor = _factor(row.drop(labels=["low", "high"], errors="ignore"), "co2_grid")
    return Factor(**{**factor.__dict__, "table": f"{row['table']}; {row['region_en']} {row['data_year']}"})


@lru_cache(maxsize=64)
def gwp(gas: str, gwp_set: str = "AR5") -> Factor:
    """The 100-year GWP of ``gas`` (CO2, CH4, N2O, SF6, NF3) in ``gwp_set`` (AR4, AR5, AR6) [t CO2e/t]."""
    if gwp_set not in GWP_SETS:
        raise BadInputError(f"GWP set {gwp_set!r}: expected one of {list(GWP_SETS)}")
    table = gwp_table()
    rows = table[(table["set"] == gwp_set) & (table["gas"] == gas)]
    if rows.empty:
        raise BadInputError(f"gas {gas!r}: no GWP in {gwp_set}; expected one of {sorted(set(table['gas']))}")
    row = rows.iloc[0]
    return Factor(
        parameter=f"gwp_{gas.lower()}",
        value=float(row["value"]),
        unit=str(row["unit"]),
        source=str(row["source"]),
        table=str(row["table"]),
        version=gwp_set,
        check=str(row["check"]),
    )
