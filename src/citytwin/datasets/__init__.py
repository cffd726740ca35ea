"""The reference district data pack: real, attributed boundaries, stations and observations.

Built by ``scripts/build_reference_pack.py`` from ``shared/data``; sources, licences and changes
are in ``DATA_SOURCES.md``. The loaders return plain GeoJSON dicts and pandas DataFrames; turning
them into twin records is the job of the twin glue, not of this package.
"""

from citytwin.datasets.reference import (
    ATTRIBUTES,
    DATASETS,
    UNITS,
    boundaries,
    data_file,
    observations,
    observations_long,
    stations,
)

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
