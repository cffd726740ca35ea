"""Fixtures of the air tests: the real PRSA reference data (12 Beijing stations, 2013–2017)."""

from __future__ import annotations

import pandas as pd
import pytest

from citytwin.air import frames
from citytwin.datasets import reference


@pytest.fixture(scope="session")
def prsa() -> pd.DataFrame:
    """The PRSA hourly observations as a station-hour frame (CO in mg/m³)."""
    return frames.from_reference(reference.observations("prsa"), co_unit="ug/m3")


@pytest.fixture(scope="session")
def stations() -> pd.DataFrame:
    return reference.stations()


@pytest.fixture(scope="session")
def jurisdictions(stations) -> dict[str, str]:
    return dict(zip(stations["station_id"], stations["jurisdiction"], strict=True))


@pytest.fixture(scope="session")
def winter_2015(prsa) -> pd.DataFrame:
    """Four stations, 2015-11-20 .. 2016-01-10 (Beijing time): the red alerts of December 2015."""
    keep = prsa["station_id"].isin(["dongsi", "tiantan", "dingling", "huairou"])
    t = prsa["observed_at"]
    window = (t >= pd.Timestamp("2015-11-19 16:00", tz="UTC")) & (
        t < pd.Timestamp("2016-01-10 16:00", tz="UTC")
    )
    return prsa.loc[keep & window].reset_index(drop=True)
