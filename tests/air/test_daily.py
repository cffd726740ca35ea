"""Daily and hourly AQI products over the real PRSA data."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from citytwin.air import daily, frames
from citytwin.air.aqi import aqi, iaqi
from citytwin.errors import BadInputError


def _day(frame, station, day):
    local = frame["observed_at"].dt.tz_convert("Asia/Shanghai")
    return frame.loc[(frame["station_id"] == station) & (local.dt.date == day)]


def test_daily_matches_hand_computation(winter_2015):
    day = dt.date(2015, 12, 8)  # red alert in Beijing
    d = daily.daily_aqi(winter_2015)
    row = d.loc[(d["station_id"] == "dongsi") & (d["day"] == day)].iloc[0]
    hours = _day(winter_2015, "dongsi", day)
    assert len(hours) == 24
    for p in ("pm25", "pm10", "so2", "no2", "co"):
        assert row[p] == pytest.approx(hours[p].mean())
    # O3 daily max 8-h mean: windows ending 07..23 local, each from >= 6 hourly values
    o3 = hours["o3"].to_numpy()
    windows = [
        np.nanmean(o3[e - 7 : e + 1]) for e in range(7, 24) if np.sum(~np.isnan(o3[e - 7 : e + 1])) >= 6
    ]
    assert row["o3_8h"] == pytest.approx(max(windows))
    expected = aqi(
        {
            "pm25": row["pm25"],
            "pm10": row["pm10"],
            "so2": row["so2"],
            "no2": row["no2"],
            "co": row["co"],
            "o3": row["o3_8h"],
            "o3_1h": hours["o3"].max(),
        },
        "24h",
        "HJ633-2012",
    )
    assert row["aqi"] == expected.value and row["level"] == expected.level
    assert row["primary"] == ",".join(expected.primary) == "pm25"
    assert row["category_zh"] == expected.category_zh == "重度污染" and row["standard"] == "HJ633-2012"
    assert row["exceeding"] == ",".join(expected.exceeding)


def test_daily_mean_needs_20_hours(winter_2015):
    day = dt.date(2015, 12, 8)
    hours = _day(winter_2015, "dongsi", day)
    # keep the real values, but drop 5 hours of PM2.5 (19 remain): the daily mean is NA
    thinned = winter_2015.copy()
    thinned.loc[hours.index[:5], "pm25"] = np.nan
    d = daily.daily_concentrations(thinned)
    row = d.loc[(d["station_id"] == "dongsi") & (d["day"] == day)].iloc[0]
    assert math.isnan(row["pm25"]) and row["n_pm25"] == 19
    thinned.loc[hours.index[0], "pm25"] = hours["pm25"].iloc[0]  # 20 values: valid again
    d = daily.daily_concentrations(thinned)
    row = d.loc[(d["station_id"] == "dongsi") & (d["day"] == day)].iloc[0]
    assert row["n_pm25"] == 20 and row["pm25"] == pytest.approx(thinned.loc[hours.index, "pm25"].mean())


def test_o3_8h_needs_6_of_8_and_14_windows(winter_2015):
    day = dt.date(2015, 12, 20)
    hours = _day(winter_2015, "tiantan", day)
    thinned = winter_2015.copy()
    thinned.loc[hours.index[8:24:2], "o3"] = np.nan  # every other hour after 08:00: windows have 4-5 values
    d = daily.daily_concentrations(thinned)
    row = d.loc[(d["station_id"] == "tiantan") & (d["day"] == day)].iloc[0]
    assert math.isnan(row["o3_8h"])


def test_hourly_realtime_2012_uses_sliding_pm(winter_2015):
    h = daily.hourly_aqi(winter_2015)
    f = frames.complete_hours(winter_2015)
    s = f.loc[f["station_id"] == "dongsi"].reset_index(drop=True)
    i = 24 * 18 + 5
    pm25_24h = s["pm25"].iloc[i - 23 : i + 1].mean()
    row = h.loc[(h["station_id"] == "dongsi") & (h["observed_at"] == s["observed_at"].iloc[i])].iloc[0]
    assert row["iaqi_pm25"] == iaqi("pm25", pm25_24h, "24h", "HJ633-2012")
    assert row["iaqi_no2"] == iaqi("no2", s["no2"].iloc[i], "1h", "HJ633-2012")
    assert row["aqi"] == max(row[[f"iaqi_{p}" for p in ("pm25", "pm10", "so2", "no2", "co", "o3")]].dropna())


def test_hourly_2026_uses_1h_values(winter_2015):
    h = daily.hourly_aqi(winter_2015, standard="HJ633-2026")
    row = h.dropna(subset=["pm25"]).iloc[100]
    assert row["iaqi_pm25"] == iaqi("pm25", row["pm25"], "1h", "HJ633-2026")
    assert row["exceeding"] is None


def test_standard_switches_on_2026_03_01(prsa):
    # Real Dongsi hours of 2015-02-27..03-02, relabelled eleven years later to cross the switch
    # day (the only change is the date; the values are the real ones).
    s = prsa.loc[(prsa["station_id"] == "dongsi")]
    t = s["observed_at"]
    start, end = pd.Timestamp("2015-02-26 16:00", tz="UTC"), pd.Timestamp("2015-03-02 16:00", tz="UTC")
    part = s.loc[(t >= start) & (t < end)]
    shifted = part.assign(observed_at=part["observed_at"] + pd.DateOffset(years=11))
    d = daily.daily_aqi(shifted)
    by_day = dict(zip(d["day"], d["standard"], strict=True))
    assert by_day[dt.date(2026, 2, 28)] == "HJ633-2012"
    assert by_day[dt.date(2026, 3, 1)] == "HJ633-2026"
    h = daily.hourly_aqi(shifted)
    local = h["observed_at"].dt.tz_convert("Asia/Shanghai")
    assert set(h.loc[local.dt.date == dt.date(2026, 3, 1), "standard"]) == {"HJ633-2026"}
    assert set(h.loc[local.dt.date == dt.date(2026, 2, 28), "standard"]) == {"HJ633-2012"}


def test_jurisdiction_daily_is_mean_of_stations(winter_2015, jurisdictions):
    j = daily.jurisdiction_daily(winter_2015, jurisdictions)
    d = daily.daily_concentrations(winter_2015)
    day = dt.date(2015, 12, 1)
    # Dongsi and Tiantan are both in Dongcheng (110101)
    both = d.loc[d["station_id"].isin(["dongsi", "tiantan"]) & (d["day"] == day), "pm25"]
    row = j.loc[(j["jurisdiction"] == "110101") & (j["day"] == day)].iloc[0]
    assert row["pm25"] == pytest.approx(both.mean()) and row["n_stations"] == 2
    assert (
        row["aqi"]
        == aqi(
            {k: row[k] for k in ("pm25", "pm10", "so2", "no2", "co")}
            | {"o3": row["o3_8h"], "o3_1h": row["o3_1h"]},
            "24h",
            "HJ633-2012",
        ).value
    )


def test_bad_input(winter_2015):
    with pytest.raises(BadInputError, match="stations without a jurisdiction: dingling"):
        daily.jurisdiction_daily(winter_2015, {"dongsi": "110101", "tiantan": "110101", "huairou": "110116"})
    with pytest.raises(BadInputError, match=r"standard 'EPA-2024' for these products"):
        daily.daily_aqi(winter_2015, standard="EPA-2024")
    naive = winter_2015.assign(observed_at=winter_2015["observed_at"].dt.tz_localize(None))
    with pytest.raises(BadInputError, match="observed_at must be tz-aware UTC"):
        daily.daily_aqi(naive)
    dup = pd.concat([winter_2015.iloc[:2], winter_2015.iloc[:1]])
    with pytest.raises(BadInputError, match="has two rows for hour"):
        daily.hourly_aqi(dup)


def test_from_long_round_trip(winter_2015):
    part = winter_2015.iloc[:48]
    long = part.melt(id_vars=["station_id", "observed_at"], value_vars=["pm25", "co"], var_name="attribute")
    long = long.dropna(subset=["value"])  # the twin stores no missing values
    long["entity_id"] = "urn:ngsi-ld:AirQualityObserved:" + long["station_id"]
    wide = frames.from_long(long.drop(columns="station_id"))
    assert list(wide["station_id"].unique()) == ["dingling"]
    back = part.merge(wide, on=["station_id", "observed_at"], suffixes=("", "_long"))
    assert len(back) == len(wide) >= 40
    assert np.allclose(back["pm25"], back["pm25_long"], equal_nan=True)
    assert np.allclose(back["co"], back["co_long"], equal_nan=True)


def test_jurisdiction_hourly_is_aqi_of_station_means(winter_2015, jurisdictions):
    h = daily.jurisdiction_hourly(winter_2015, jurisdictions, standard="HJ633-2026")
    t = pd.Timestamp("2015-12-08 06:00", tz="UTC")
    both = winter_2015.loc[
        winter_2015["station_id"].isin(["dongsi", "tiantan"]) & (winter_2015["observed_at"] == t)
    ]
    row = h.loc[(h["station_id"] == "110101") & (h["observed_at"] == t)].iloc[0]
    assert row["n_stations"] == 2
    expected = aqi(
        {p: both[p].mean() for p in ("pm25", "pm10", "so2", "no2", "co", "o3")}, "1h", "HJ633-2026"
    )
    assert row["aqi"] == expected.value and row["primary"] == ",".join(expected.primary)
