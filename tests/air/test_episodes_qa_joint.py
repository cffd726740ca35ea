"""Episodes and alert levels, sensor QA flags, and joint-prevention functions on real PRSA data."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from citytwin.air import daily, episodes, joint, qa
from citytwin.errors import BadInputError

# ------------------------------------------------------------------ episodes


@pytest.mark.parametrize(
    ("over_200", "over_300", "at_500", "level"),
    [
        (0, 0, 0, None),
        (1, 0, 0, "blue"),
        (1, 1, 0, "blue"),
        (2, 0, 0, "yellow"),
        (2, 2, 0, "yellow"),
        (3, 0, 0, "yellow"),
        (3, 1, 0, "orange"),
        (4, 1, 0, "orange"),
        (4, 2, 0, "red"),
        (1, 1, 1, "red"),
    ],
)
def test_alert_levels(over_200, over_300, at_500, level):
    assert episodes.alert_level(over_200, over_300, at_500) == level


def test_alert_level_bad_counts():
    with pytest.raises(BadInputError, match="expected days_over_200 >= days_over_300"):
        episodes.alert_level(1, 2, 0)


def test_december_2015_episodes(winter_2015):
    d = daily.daily_aqi(winter_2015)
    e = episodes.episodes(d)
    dongsi = e.loc[e["station_id"] == "dongsi"]
    # Beijing issued red alerts for 2015-12-08..10 and 2015-12-19..22
    hit = dongsi.loc[
        (dongsi["start"] <= dt.date(2015, 12, 20)) & (dongsi["end"] >= dt.date(2015, 12, 20))
    ].iloc[0]
    assert hit["alert"] == "red" and hit["alert_zh"] == "红色预警"
    days = d.loc[(d["station_id"] == "dongsi") & (d["day"] >= hit["start"]) & (d["day"] <= hit["end"])]
    assert (days["aqi"] > 200).all() and len(days) == hit["days"]
    before = d.loc[(d["station_id"] == "dongsi") & (d["day"] == hit["start"] - dt.timedelta(days=1)), "aqi"]
    assert not (before > 200).any()
    assert hit["days_over_300"] == int((days["aqi"] > 300).sum())


def test_na_day_ends_a_run():
    d = pd.DataFrame(
        {
            "station_id": ["a"] * 5,
            "day": pd.date_range("2016-01-01", periods=5).date,
            "aqi": [250.0, 260.0, np.nan, 310.0, 220.0],
        }
    )
    e = episodes.episodes(d)
    assert list(e["days"]) == [2, 2] and list(e["alert"]) == ["yellow", "yellow"]


# ------------------------------------------------------------------ QA


def test_qa_flags_real_stuck_sensor(prsa):
    # Aotizhongxin's O3 reads 84 µg/m3 for 13 hours on 2013-03-04/05 (as published).
    part = prsa.loc[(prsa["station_id"] == "aotizhongxin") & (prsa["observed_at"] < "2013-03-10")]
    flags = qa.qa_flags(part)
    stuck = flags.loc[(flags["flag"] == "stuck") & (flags["attribute"] == "o3")]
    assert len(stuck) >= 13 and set(stuck["value"]) >= {84.0}
    assert stuck["detail"].iloc[0] == "13 h identical"
    assert part.equals(prsa.loc[part.index])  # nothing changed


def test_qa_flags_spike_impossible_and_neighbours(winter_2015, stations):
    f = winter_2015.copy()
    i = f.index[(f["station_id"] == "dongsi")][200]
    f.loc[i, "co"] = 900.0  # beyond the physical range (500 mg/m3): a unit error
    j = f.index[(f["station_id"] == "tiantan")][300]
    f.loc[j, "so2"] = f.loc[j, "so2"] + 400.0  # a one-hour jump
    flags = qa.qa_flags(f, stations, radius_km=60)
    got = {(r.station_id, r.attribute, r.flag) for r in flags.itertuples()}
    assert ("dongsi", "co", "impossible") in got
    assert ("tiantan", "so2", "spike") in got
    assert set(flags["flag"]) <= set(qa.FLAGS)
    at = flags.loc[(flags["station_id"] == "dongsi") & (flags["attribute"] == "co")]
    assert (at["observed_at"] == f.loc[i, "observed_at"]).any()
    assert len(f) == len(winter_2015)  # data never dropped


def test_neighbours_and_bad_params(stations):
    n = qa.neighbours(stations, 10)
    assert "tiantan" in n["dongsi"] and "huairou" not in n["dongsi"]
    with pytest.raises(BadInputError, match="stuck_hours 1: expected at least 2"):
        qa.qa_flags(
            pd.DataFrame({"station_id": [], "observed_at": pd.to_datetime([], utc=True)}), stuck_hours=1
        )


# ------------------------------------------------------------------ joint


def test_jurisdiction_comparison(winter_2015, jurisdictions):
    j = daily.jurisdiction_daily(winter_2015, jurisdictions)
    c = joint.jurisdiction_comparison(j)
    assert set(c["jurisdiction"]) == {"110101", "110114", "110116"}
    row = c.loc[c["jurisdiction"] == "110101"].iloc[0]
    days = j.loc[(j["jurisdiction"] == "110101") & j["aqi"].notna()]
    assert row["days"] == len(days) and row["days_over_200"] == int((days["aqi"] > 200).sum())
    assert row["top_primary"] == "pm25"


def test_co_exceedance(winter_2015, jurisdictions):
    ce = joint.co_exceedance(winter_2015, jurisdictions)
    assert ce.threshold == 75.0
    h = ce.hours.set_index("observed_at")
    t = winter_2015.loc[
        (winter_2015["station_id"] == "dongsi") & (winter_2015["pm25"] > 75), "observed_at"
    ].iloc[0]
    assert "dongsi" in h.loc[t, "stations"].split(",")
    over = winter_2015.loc[winter_2015["observed_at"] == t]
    assert h.loc[t, "n_exceeding"] == int((over["pm25"] > 75).sum())
    p = ce.pairs.set_index(["station_a", "station_b"]).loc[("dongsi", "tiantan")]
    assert 0 < p["p_b_given_a"] <= 1 and p["hours_both"] <= p["hours_a"]
    assert ce.hours["cross_boundary"].any()


def test_lagged_correlation_north_wind_transport(prsa):
    # Dingling lies ~40 km north-west of Dongsi: with northerly winds the changes at Dingling
    # lead those at Dongsi by 1-2 hours.
    part = prsa.loc[prsa["station_id"].isin(["dingling", "dongsi"]) & (prsa["observed_at"] < "2015-03-01")]
    lc = joint.lagged_correlation(part, "dingling", "dongsi", max_lag=6)
    nw = lc.loc[lc["sector"] == "NW"].set_index("lag")["r"]
    assert nw.idxmax() in (1, 2) and nw.max() > nw.loc[0]
    assert set(lc["sector"]) == {*joint.SECTORS, "calm", "all"}


def test_wind_sector():
    assert list(joint.wind_sector([0, 22.4, 22.5, 337.5, 180, np.nan], [3, 3, 3, 3, 0.2, 1])) == [
        "N",
        "N",
        "NE",
        "N",
        "calm",
        None,
    ]
