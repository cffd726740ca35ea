"""Names senders use for attributes and units, mapped onto the twin's names and UCUM codes.

* Attribute aliases: the spellings of monitoring networks and data sets (``PM2.5``, ``pm2_5``,
  ``TEMP``, ``WSPM``…) and of the FIWARE Smart Data Models (``atmosphericPressure``,
  ``dewPoint``…), matched without regard to case or to ``.``, ``_``, ``-`` and spaces.
* Unit codes: NGSI-LD's ``unitCode`` is a UN/CEFACT Recommendation 20 common code (ETSI GS CIM
  009, §4.5.2); the ones used for air quality and weather are mapped to the UCUM codes the twin
  converts (`citytwin.twin.units`). UCUM codes themselves pass unchanged.
"""

from __future__ import annotations

import re

from citytwin.twin.attributes import ATTRIBUTES

__all__ = ["UNECE_UNITS", "canonical_attribute", "ucum_unit"]

_ALIASES = {
    "pm25": "pm25", "pm2p5": "pm25", "pm10": "pm10", "so2": "so2", "no2": "no2", "o3": "o3", "co": "co",
    "temperature": "temperature", "temp": "temperature", "airtemperature": "temperature",
    "dewpoint": "dewpoint", "dewp": "dewpoint", "dewpointtemperature": "dewpoint",
    "pressure": "pressure", "pres": "pressure", "atmosphericpressure": "pressure", "airpressure": "pressure",
    "precipitation": "precipitation", "rain": "precipitation", "prcp": "precipitation",
    "windspeed": "windSpeed", "wspm": "windSpeed", "ws": "windSpeed",
    "winddirection": "windDirection", "wd": "windDirection",
    "relativehumidity": "relativeHumidity", "humidity": "relativeHumidity", "rh": "relativeHumidity",
}
_FOLD = re.compile(r"[._\-\s]")

# UN/CEFACT Recommendation 20 common codes → UCUM
UNECE_UNITS = {
    "GQ": "ug/m3", "GP": "mg/m3", "61": "ppb", "59": "ppm",
    "CEL": "Cel", "KEL": "K", "FAH": "[degF]",
    "PAL": "Pa", "A97": "hPa", "KPA": "kPa", "MBR": "mbar", "BAR": "bar",
    "MTS": "m/s", "KMH": "km/h", "KNT": "[kn_i]",
    "MMT": "mm", "CMT": "cm", "MTR": "m",
    "DD": "deg", "C81": "rad", "P1": "%",
}


def canonical_attribute(name: str) -> str | None:
    """The twin's attribute name for a sender's spelling, or None if it names no known attribute."""
    if name in ATTRIBUTES:
        return name
    return _ALIASES.get(_FOLD.sub("", name).lower())


def ucum_unit(code: str) -> str:
    """The UCUM code for a UN/CEFACT common code; any other code is returned unchanged."""
    return UNECE_UNITS.get(code, code)
