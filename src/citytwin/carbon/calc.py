"""One activity to emissions: fuel burnt or electricity used → CO2, CH4, N2O and CO2e.

Fuel combustion follows the IPCC 2006 Tier 1 method (Vol. 2, Ch. 2, Eq. 2.1; Ch. 3, Eq. 3.2.1):

    energy [TJ] = mass [Gg] × NCV [TJ/Gg]
    emission_gas [t] = energy [TJ] × EF_gas [kg/TJ] / 1000

with the CH4 and N2O factors of the IPCC combustion class of the GPC sub-sector (GPC v1.1,
stationary energy and transportation chapters). Grid electricity (GPC v1.1, scope 2, location
based) is kWh × the MEE/NBS factor of the data year [kgCO2/kWh]; those factors cover CO2 only.
CO2e = CO2 + CH4 × GWP_CH4 + N2O × GWP_N2O with the GWP set chosen (AR4, AR5, AR6).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from citytwin.carbon import factors as _factors
from citytwin.carbon.gpc import subsector
from citytwin.errors import BadInputError

__all__ = ["ACTIVITIES", "DEFAULT_GWP", "Emission", "emissions", "to_energy_tj"]

DEFAULT_GWP = "AR5"
ELECTRICITY = "electricity"

# unit → factor to the base of its dimension: mass [Gg], energy [TJ], volume [m3], electricity [kWh]
_MASS_GG = {"t": 1e-3, "kg": 1e-6, "kt": 1.0, "Gg": 1.0, "Mt": 1e3}
_ENERGY_TJ = {"TJ": 1.0, "GJ": 1e-3, "MJ": 1e-6, "PJ": 1e3}
_VOLUME_M3 = {"m3": 1.0, "Nm3": 1.0, "1e4m3": 1e4, "Mm3": 1e6}
_ELECTRICITY_KWH = {"kWh": 1.0, "MWh": 1e3, "GWh": 1e6, "TWh": 1e9}

ACTIVITIES = {
    # activity: (name_en, name_zh)
    "gasoline": ("motor gasoline", "汽油"),
    "diesel": ("gas/diesel oil", "柴油"),
    "natural_gas": ("natural gas", "天然气"),
    "bituminous_coal": ("other bituminous coal", "烟煤"),
    "anthracite": ("anthracite", "无烟煤"),
    "coking_coal": ("coking coal", "炼焦煤"),
    "sub_bituminous_coal": ("sub-bituminous coal", "次烟煤"),
    "lignite": ("lignite", "褐煤"),
    "lpg": ("liquefied petroleum gas", "液化石油气"),
    "fuel_oil": ("residual fuel oil", "燃料油"),
    "jet_kerosene": ("jet kerosene", "航空煤油"),
    "kerosene": ("other kerosene", "煤油"),
    "crude_oil": ("crude oil", "原油"),
    "coke": ("coke oven coke", "焦炭"),
    "coke_oven_gas": ("coke oven gas", "焦炉煤气"),
    ELECTRICITY: ("grid electricity", "电网电力"),
}
_GASEOUS = {"natural_gas", "coke_oven_gas"}


@dataclass
class Emission:
    """Emissions of one activity [t] and the factors used, each with its source."""

    activity: str
    quantity: float
    unit: str
    sector: str
    year: int | None
    gwp_set: str
    energy_tj: float | None
    co2_t: float
    ch4_t: float
    n2o_t: float
    co2e_t: float
    factors: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _check_quantity(quantity: object) -> float:
    if isinstance(quantity, bool) or not isinstance(quantity, (int, float)):
        raise BadInputError(f"quantity {quantity!r}: expected a number")
    value = float(quantity)
    if not math.isfinite(value) or value < 0:
        raise BadInputError(f"quantity {quantity!r}: expected a finite number >= 0")
    return value


def to_energy_tj(fuel: str, quantity: float, unit: str, version: str = _factors.DEFAULT_FUEL_VERSION):
    """Energy content of ``quantity`` ``unit`` of ``fuel`` [TJ] and the factors used (NCV, density).

    Mass units (t, kg, kt, Gg, Mt) use the NCV (IPCC 2006 Vol. 2, Table 1.2); energy units (TJ,
    GJ, MJ, PJ) pass through; volumes (m3, Nm3, 1e4m3, Mm3) only for gaseous fuels, via density.
    """
    value = _check_quantity(quantity)
    used = []
    if unit in _ENERGY_TJ:
        return value * _ENERGY_TJ[unit], used
    if unit in _MASS_GG:
        mass_gg = value * _MASS_GG[unit]
    elif unit in _VOLUME_M3 and fuel in _GASEOUS:
        density = _factors.fuel_factor(fuel, "density", version=version)
        used.append(density.as_dict())
        mass_gg = value * _VOLUME_M3[unit] * density.value * 1e-6  # m3 × kg/m3 → kg → Gg
    else:
        allowed = list(_MASS_GG) + list(_ENERGY_TJ) + (list(_VOLUME_M3) if fuel in _GASEOUS else [])
        raise BadInputError(f"unit {unit!r} does not fit fuel {fuel!r}: expected one of {allowed}")
    ncv = _factors.fuel_factor(fuel, "ncv", version=version)
    used.append(ncv.as_dict())
    return mass_gg * ncv.value, used


def _gwp_factors(gwp_set: str):
    return _factors.gwp("CH4", gwp_set), _factors.gwp("N2O", gwp_set)


def emissions(
    activity: str,
    quantity: float,
    unit: str,
    *,
    year: int | None = None,
    sector: str | None = None,
    gwp_set: str = DEFAULT_GWP,
    region: str = "CN",
    version: str = _factors.DEFAULT_FUEL_VERSION,
    grid_kind: str | None = None,
) -> Emission:
    """Emissions of one activity: ``quantity`` [``unit``] of ``activity`` in GPC sub-sector ``sector``.

    ``sector`` defaults to I.2.1 for fuels and I.2.2 for electricity (commercial and institutional).
    Electricity needs ``year`` (the data year of the MEE/NBS factor) and a scope-2 sub-sector;
    ``grid_kind`` picks ``national_residual`` (market-based) or ``national_fossil`` instead of the
    national average. A fuel needs a scope-1 combustion sub-sector; ``version`` picks the fuel
    factor table version. Returns tonnes of each gas and of CO2e.
    """
    if activity not in ACTIVITIES:
        raise BadInputError(f"activity {activity!r}: expected one of {sorted(ACTIVITIES)}")
    ch4_gwp, n2o_gwp = _gwp_factors(gwp_set)
    if activity == ELECTRICITY:
        ref = sector or "I.2.2"
        row = subsector(ref)
        if row.scope != 2:
            raise BadInputError(
                f"sub-sector {ref} is scope {row.scope}: grid electricity belongs to a scope-2 sub-sector "
                "(I.x.2 or II.x.2)"
            )
        if unit not in _ELECTRICITY_KWH:
            raise BadInputError(f"unit {unit!r} does not fit electricity: expected one of {list(_ELECTRICITY_KWH)}")
        kwh = _check_quantity(quantity) * _ELECTRICITY_KWH[unit]
        if year is None:
            raise BadInputError("electricity needs a year: the MEE/NBS factor depends on the data year")
        grid = _factors.electricity_factor(int(year), region, grid_kind)
        co2_t = kwh * grid.value / 1000.0
        return Emission(
            activity,
            float(quantity),
            unit,
            ref,
            int(year),
            gwp_set,
            None,
            co2_t,
            0.0,
            0.0,
            co2_t,
            [grid.as_dict()],
        )
    ref = sector or "I.2.1"
    row = subsector(ref)
    if row.ipcc_sector is None:
        raise BadInputError(
            f"sub-sector {ref} ({row.name_en}) is not fuel combustion: burning {activity} belongs to a "
            "scope-1 combustion sub-sector (I.1.1-I.6.1, I.4.4, II.1.1-II.5.1)"
        )
    energy_tj, used = to_energy_tj(activity, quantity, unit, version)
    gas_t = {}
    for gas in ("co2", "ch4", "n2o"):
        ef = _factors.fuel_factor(activity, gas, row.ipcc_sector, version)
        used.append(ef.as_dict())
        gas_t[gas] = energy_tj * ef.value / 1000.0  # TJ × kg/TJ → kg → t
    used += [ch4_gwp.as_dict(), n2o_gwp.as_dict()]
    co2e_t = gas_t["co2"] + gas_t["ch4"] * ch4_gwp.value + gas_t["n2o"] * n2o_gwp.value
    return Emission(
        activity,
        float(quantity),
        unit,
        ref,
        None if year is None else int(year),
        gwp_set,
        energy_tj,
        gas_t["co2"],
        gas_t["ch4"],
        gas_t["n2o"],
        co2e_t,
        used,
    )
