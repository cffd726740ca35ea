"""Air quality: the AQI of China (HJ 633-2012, HJ 633-2026) and the US (EPA-2024), daily
products, episodes, sensor QA, joint prevention and PM2.5 forecasts.

Standards math lives in :mod:`citytwin.air.aqi` (pure functions over scalars and arrays:
``from citytwin.air.aqi import aqi, iaqi, standard_for``); the other modules are pure functions
over pandas DataFrames: :mod:`~citytwin.air.daily`, :mod:`~citytwin.air.episodes`,
:mod:`~citytwin.air.qa`, :mod:`~citytwin.air.joint`, :mod:`~citytwin.air.forecast`.
Nothing is re-exported here, so that ``citytwin.air.aqi`` always names the module.
"""

__all__: list[str] = []
