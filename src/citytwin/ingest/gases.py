"""Volume mixing ratio → mass concentration for the gaseous pollutants (SO2, NO2, O3, CO).

GB 3095-2012 *Ambient air quality standards*, as amended in 2018 (修改单, MEE announcement
2018 No. 29), states the gaseous pollutants' concentrations at the **reference state** of
298.15 K and 101.325 kPa (particulate matter stays at actual conditions). At that state one
mole of an ideal gas fills

    V_m = R · T / p = 8.314 462 618 J/(mol·K) × 298.15 K / 101 325 Pa = 24.465 L/mol,

so a mixing ratio x of a gas of molar mass M converts as

    c [µg/m³] = x [ppb] × M [g/mol] / V_m [L/mol]
    c [mg/m³] = x [ppm] × M [g/mol] / V_m [L/mol]

Molar masses [g/mol] from the IUPAC 2021 conventional atomic weights (C 12.011, N 14.007,
O 15.999, S 32.06): SO2 64.058, NO2 46.005, O3 47.997, CO 28.010.

Pure functions of values: no I/O.
"""

from __future__ import annotations

from citytwin.errors import BadInputError

__all__ = ["MOLAR_MASS_G_PER_MOL", "MOLAR_VOLUME_L_PER_MOL", "MIXING_RATIO_UNITS", "mixing_ratio_factor"]

MOLAR_VOLUME_L_PER_MOL = 24.465  # GB 3095-2012 (2018 amendment) reference state: 298.15 K, 101.325 kPa

MOLAR_MASS_G_PER_MOL = {"so2": 64.058, "no2": 46.005, "o3": 47.997, "co": 28.010}

# mixing-ratio unit → (mass-concentration unit it converts to at the factor M / V_m)
# ppb maps to µg/m³ and ppm to mg/m³ with the same factor (both are 10⁻⁹ resp. 10⁻⁶ scalings).
MIXING_RATIO_UNITS = {"ppb": "ug/m3", "[ppb]": "ug/m3", "ppbv": "ug/m3",
                      "ppm": "mg/m3", "[ppm]": "mg/m3", "ppmv": "mg/m3"}


def mixing_ratio_factor(attribute: str, unit: str) -> tuple[float, str]:
    """(factor, mass unit) with ``mass = mixing ratio × factor`` for a gas, per the module docstring.

    `BadInputError` if `unit` is not ppb or ppm, or `attribute` is not one of the gases.
    """
    target = MIXING_RATIO_UNITS.get(unit)
    if target is None:
        raise BadInputError(f"unit {unit!r} is not a mixing ratio: expected one of {sorted(MIXING_RATIO_UNITS)}")
    molar_mass = MOLAR_MASS_G_PER_MOL.get(attribute)
    if molar_mass is None:
        raise BadInputError(
            f"{attribute} in {unit!r}: a mixing ratio converts to a mass concentration only for "
            f"{', '.join(MOLAR_MASS_G_PER_MOL)}"
        )
    return molar_mass / MOLAR_VOLUME_L_PER_MOL, target
