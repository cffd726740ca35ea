"""Unit conversion for observations, by UCUM code (The Unified Code for Units of Measure, ucum.org).

Every attribute has one canonical unit (`citytwin.twin.attributes`); values arriving in another
unit of the same dimension are converted at ingest by an affine map ``canonical = value * scale +
offset``. A unit that is not in this table, or of another dimension, cannot be converted and the
reading is refused — it is never stored as-is.

Conversions between volume mixing ratios (ppb, ppm) and mass concentrations need a molar mass
and reference conditions; they belong to ingestion (`citytwin.ingest`), which knows the gas.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from citytwin.errors import BadInputError

__all__ = ["Unit", "UNITS", "conversion", "convert"]


@dataclass(frozen=True)
class Unit:
    """A UCUM unit as an affine map onto its dimension's base unit: base = value * scale + offset."""

    code: str
    dimension: str
    scale: float
    offset: float = 0.0


_UNITS = [
    # mass concentration, base kg/m3
    Unit("ng/m3", "mass concentration", 1e-12),
    Unit("ug/m3", "mass concentration", 1e-9),
    Unit("mg/m3", "mass concentration", 1e-6),
    Unit("g/m3", "mass concentration", 1e-3),
    # temperature, base K (UCUM Cel and [degF] are affine in K)
    Unit("K", "temperature", 1.0),
    Unit("Cel", "temperature", 1.0, 273.15),
    Unit("[degF]", "temperature", 5 / 9, 273.15 - 32 * 5 / 9),
    # pressure, base Pa
    Unit("Pa", "pressure", 1.0),
    Unit("hPa", "pressure", 100.0),
    Unit("mbar", "pressure", 100.0),
    Unit("kPa", "pressure", 1000.0),
    Unit("bar", "pressure", 1e5),
    # speed, base m/s
    Unit("m/s", "speed", 1.0),
    Unit("km/h", "speed", 1000 / 3600),
    Unit("[kn_i]", "speed", 1852 / 3600),
    # length (precipitation depth), base m
    Unit("mm", "length", 1e-3),
    Unit("cm", "length", 1e-2),
    Unit("m", "length", 1.0),
    # plane angle, base degree
    Unit("deg", "angle", 1.0),
    Unit("rad", "angle", 180 / np.pi),
    # ratio, base 1
    Unit("1", "ratio", 1.0),
    Unit("%", "ratio", 1e-2),
    # energy, base J
    Unit("J", "energy", 1.0),
    Unit("kJ", "energy", 1e3),
    Unit("MJ", "energy", 1e6),
    Unit("GJ", "energy", 1e9),
    Unit("W.h", "energy", 3600.0),
    Unit("kW.h", "energy", 3.6e6),
    Unit("MW.h", "energy", 3.6e9),
    # power, base W
    Unit("W", "power", 1.0),
    Unit("kW", "power", 1e3),
    Unit("MW", "power", 1e6),
    # mass, base kg
    Unit("g", "mass", 1e-3),
    Unit("kg", "mass", 1.0),
    Unit("t", "mass", 1e3),
    # volume, base m3
    Unit("L", "volume", 1e-3),
    Unit("m3", "volume", 1.0),
]
UNITS: dict[str, Unit] = {u.code: u for u in _UNITS}
# Common spellings that are not UCUM codes but name a UCUM unit without ambiguity.
_ALIASES = {"µg/m3": "ug/m3", "μg/m3": "ug/m3", "µg/m³": "ug/m3", "μg/m³": "ug/m3", "mg/m³": "mg/m3",
            "°C": "Cel", "degC": "Cel", "℃": "Cel", "kWh": "kW.h", "MWh": "MW.h", "Wh": "W.h"}


def _lookup(code: str) -> Unit:
    unit = UNITS.get(code) or UNITS.get(_ALIASES.get(code, ""))
    if unit is None:
        raise BadInputError(f"unknown unit {code!r}: expected a UCUM code such as {', '.join(sorted(UNITS)[:8])}, …")
    return unit


def conversion(from_code: str, to_code: str) -> tuple[float, float]:
    """(scale, offset) with ``to = from * scale + offset``; `BadInputError` if not convertible."""
    source, target = _lookup(from_code), _lookup(to_code)
    if source.dimension != target.dimension:
        raise BadInputError(
            f"unit {from_code!r} ({source.dimension}) cannot be converted to {to_code!r} ({target.dimension})"
        )
    if source.code == target.code:
        return 1.0, 0.0
    scale = source.scale / target.scale
    offset = (source.offset - target.offset) / target.scale
    return scale, offset


def convert(values, from_code: str, to_code: str):
    """Convert a scalar or array of values from one UCUM unit to another of the same dimension."""
    scale, offset = conversion(from_code, to_code)
    if scale == 1.0 and offset == 0.0:
        return values
    return np.asarray(values, dtype=float) * scale + offset if not np.isscalar(values) else values * scale + offset
