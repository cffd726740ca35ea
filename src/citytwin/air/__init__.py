"""Air quality: the AQI of China (HJ 633-2012, HJ 633-2026) and the US (EPA-2024), daily
products, episodes, sensor QA, joint prevention and PM2.5 forecasts.

Standards math lives in :mod:`citytwin.air.aqi` (pure functions over scalars and arrays); the
other modules are pure functions over pandas DataFrames.
"""

from citytwin.air.aqi import (
    PERIODS,
    POLLUTANTS,
    STANDARDS,
    AQIArray,
    AQIResult,
    Category,
    aqi,
    aqi_array,
    category,
    iaqi,
    standard_for,
)

__all__ = [
    "AQIArray",
    "AQIResult",
    "Category",
    "PERIODS",
    "POLLUTANTS",
    "STANDARDS",
    "aqi",
    "aqi_array",
    "category",
    "iaqi",
    "standard_for",
]
