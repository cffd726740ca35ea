"""The station-hour frame that the air modules take, and converters into it.

The *station-hour frame* is wide: one row per station and hour, columns

- ``station_id`` (str) and ``observed_at`` (datetime64, UTC, tz-aware; the hour's label);
- pollutants named by their AQI identifiers ``pm25 pm10 so2 no2 o3`` [µg/m³] and ``co`` [mg/m³]
  (the units of HJ 633 and of the twin's canonical attributes);
- optionally weather, named as the twin's attributes: ``temperature`` [°C], ``dewpoint`` [°C],
  ``pressure`` [hPa], ``precipitation`` [mm], ``windSpeed`` [m/s], ``windDirection`` [degrees
  clockwise from north, the direction the wind blows from].

NaN is a missing value. :func:`from_reference` turns a reference-pack frame
(:func:`citytwin.datasets.reference.observations`) into it, :func:`from_long` the twin's long
observations (``entity_id, attribute, observed_at, value``), and :func:`complete_hours` puts each
station on a gap-free hourly grid (what rolling windows need).
"""

from __future__ import annotations

import pandas as pd

from citytwin.errors import BadInputError

__all__ = [
    "POLLUTANT_COLUMNS",
    "WEATHER_COLUMNS",
    "complete_hours",
    "compass_to_degrees",
    "from_long",
    "from_reference",
    "local_day",
]

POLLUTANT_COLUMNS: tuple[str, ...] = ("pm25", "pm10", "so2", "no2", "co", "o3")
WEATHER_COLUMNS: tuple[str, ...] = (
    "temperature",
    "dewpoint",
    "pressure",
    "precipitation",
    "windSpeed",
    "windDirection",
)
TZ = "Asia/Shanghai"

_REFERENCE_NAMES = {
    "PM2.5": "pm25",
    "PM10": "pm10",
    "SO2": "so2",
    "NO2": "no2",
    "CO": "co",
    "O3": "o3",
    "TEMP": "temperature",
    "DEWP": "dewpoint",
    "PRES": "pressure",
    "RAIN": "precipitation",
    "WSPM": "windSpeed",
    "wd": "windDirection",
}
_COMPASS = "N NNE NE ENE E ESE SE SSE S SSW SW WSW W WNW NW NNW".split()


def compass_to_degrees(points: pd.Series) -> pd.Series:
    """16-point compass names (``"NNW"``) to degrees clockwise from north [°]; unknown → NaN."""
    table = {name: i * 22.5 for i, name in enumerate(_COMPASS)}
    return points.map(table).astype("float64")


def _require(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        got = ", ".join(map(str, frame.columns))
        raise BadInputError(f"{what}: missing column(s) {', '.join(missing)}; got {got}")


def _check_utc(frame: pd.DataFrame, what: str) -> None:
    t = frame["observed_at"]
    if not isinstance(t.dtype, pd.DatetimeTZDtype):
        raise BadInputError(f"{what}: observed_at must be tz-aware UTC datetimes, got dtype {t.dtype}")


def from_reference(frame: pd.DataFrame, co_unit: str = "ug/m3") -> pd.DataFrame:
    """A reference-pack frame (source column names) as a station-hour frame.

    Renames ``PM2.5 … wd`` to the identifiers above, converts CO to mg/m³ when the source gives
    µg/m³ (PRSA; ``co_unit="ug/m3"``) and the compass wind direction to degrees.
    """
    _require(frame, ("station_id", "observed_at"), "reference frame")
    _check_utc(frame, "reference frame")
    if co_unit not in ("ug/m3", "mg/m3"):
        raise BadInputError(f"co_unit {co_unit!r}: expected 'ug/m3' or 'mg/m3'")
    out = frame.rename(columns=_REFERENCE_NAMES)
    keep = ["station_id", "observed_at", *[c for c in (*POLLUTANT_COLUMNS, *WEATHER_COLUMNS) if c in out]]
    out = out[keep].copy()
    out["station_id"] = out["station_id"].astype(str)
    if "co" in out and co_unit == "ug/m3":
        out["co"] = out["co"] / 1000.0
    if "windDirection" in out and not pd.api.types.is_numeric_dtype(out["windDirection"]):
        out["windDirection"] = compass_to_degrees(out["windDirection"])
    return out.sort_values(["station_id", "observed_at"], kind="stable").reset_index(drop=True)


def from_long(long: pd.DataFrame, id_column: str = "entity_id") -> pd.DataFrame:
    """Long observations (``<id_column>, attribute, observed_at, value``) as a station-hour frame.

    Values must already be in the canonical units (the twin stores them so). The station id is
    the last ``:``-separated part of an NGSI-LD URN (``urn:ngsi-ld:AirQualityObserved:dongsi`` →
    ``dongsi``). Several values for one station, attribute and hour (several sources) are averaged.
    """
    _require(long, (id_column, "attribute", "observed_at", "value"), "long observations")
    _check_utc(long, "long observations")
    ids = long[id_column].astype(str).str.rsplit(":", n=1).str[-1]
    wide = (
        long.assign(station_id=ids, value=pd.to_numeric(long["value"], errors="coerce"))
        .pivot_table(index=["station_id", "observed_at"], columns="attribute", values="value", aggfunc="mean")
        .reset_index()
    )
    wide.columns.name = None
    return wide.sort_values(["station_id", "observed_at"], kind="stable").reset_index(drop=True)


def complete_hours(frame: pd.DataFrame) -> pd.DataFrame:
    """Each station on a gap-free hourly grid from its first to its last hour (new rows are NaN).

    Hours are floored to the hour; a duplicated station-hour raises.
    """
    _require(frame, ("station_id", "observed_at"), "station-hour frame")
    _check_utc(frame, "station-hour frame")
    f = frame.assign(observed_at=frame["observed_at"].dt.floor("h"))
    dup = f.duplicated(["station_id", "observed_at"])
    if dup.any():
        row = f.loc[dup].iloc[0]
        raise BadInputError(
            f"station {row['station_id']!r} has two rows for hour {row['observed_at']}: expected one per hour"
        )
    parts = []
    for sid, g in f.groupby("station_id", sort=True):
        g = g.set_index("observed_at").sort_index()
        grid = pd.date_range(g.index[0], g.index[-1], freq="h")
        g = g.reindex(grid)
        g.index.name = "observed_at"
        g["station_id"] = sid
        parts.append(g.reset_index())
    if not parts:
        return f.iloc[0:0]
    out = pd.concat(parts, ignore_index=True)
    cols = ["station_id", "observed_at", *[c for c in out.columns if c not in ("station_id", "observed_at")]]
    return out[cols]


def local_day(observed_at: pd.Series) -> pd.Series:
    """The natural day in Asia/Shanghai (the day of HJ 633 daily values) of UTC times, as dates."""
    return observed_at.dt.tz_convert(TZ).dt.date

