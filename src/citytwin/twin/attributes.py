"""The attributes the twin knows: canonical unit, physical range and labels (DESIGN.md, data model).

Pollutant units follow GB 3095 / HJ 633 (µg/m³, CO in mg/m³). The ranges are physical
plausibility bounds, not air-quality limits: a value outside them cannot be a real reading of
the quantity (for example a negative concentration or a 120 m/s surface wind).
"""

from __future__ import annotations

from dataclasses import dataclass

from citytwin.errors import BadInputError

__all__ = ["ATTRIBUTES", "Attribute", "attribute"]


@dataclass(frozen=True)
class Attribute:
    """One observed quantity: its name, canonical UCUM unit, plausible range and labels."""

    name: str
    unit: str
    minimum: float
    maximum: float
    label_en: str
    label_zh: str


_ATTRIBUTES = [
    Attribute("pm25", "ug/m3", 0, 5000, "PM2.5", "细颗粒物 PM2.5"),
    Attribute("pm10", "ug/m3", 0, 10000, "PM10", "可吸入颗粒物 PM10"),
    Attribute("so2", "ug/m3", 0, 10000, "Sulphur dioxide", "二氧化硫"),
    Attribute("no2", "ug/m3", 0, 5000, "Nitrogen dioxide", "二氧化氮"),
    Attribute("o3", "ug/m3", 0, 5000, "Ozone", "臭氧"),
    Attribute("co", "mg/m3", 0, 500, "Carbon monoxide", "一氧化碳"),
    Attribute("temperature", "Cel", -60, 60, "Air temperature", "气温"),
    Attribute("dewpoint", "Cel", -80, 40, "Dew point", "露点温度"),
    Attribute("pressure", "hPa", 500, 1100, "Air pressure", "气压"),
    Attribute("precipitation", "mm", 0, 500, "Hourly precipitation", "小时降水量"),
    Attribute("windSpeed", "m/s", 0, 75, "Wind speed", "风速"),
    Attribute("windDirection", "deg", 0, 360, "Wind direction (from)", "风向"),
    Attribute("relativeHumidity", "%", 0, 100, "Relative humidity", "相对湿度"),
]
ATTRIBUTES: dict[str, Attribute] = {a.name: a for a in _ATTRIBUTES}


def attribute(name: str) -> Attribute:
    """The attribute called `name`; `BadInputError` naming the known ones otherwise."""
    try:
        return ATTRIBUTES[name]
    except KeyError:
        raise BadInputError(f"unknown attribute {name!r}: expected one of {', '.join(ATTRIBUTES)}") from None
