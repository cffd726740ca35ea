"""Queries over a twin of real data (KDD Cup 2018, Tongzhou, Yongledian and Dongsi, Jan–May 2018)."""

import math

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from citytwin.datasets import reference
from citytwin.errors import BadInputError, VerificationError
from citytwin.twin import Twin
from citytwin.twin.canonical import canonicalize

STATIONS = ["tongzhou", "yongledian", "dongsi"]
IDS = [f"urn:ngsi-ld:AirQualityObserved:{s}" for s in STATIONS]
TONGZHOU = IDS[0]


@pytest.fixture
def twin(small_twin):
    with Twin.open(small_twin) as t:
        yield t


def tongzhou_boundary():
    return next(f["geometry"] for f in reference.boundaries()["features"] if f["properties"]["adcode"] == "110112")


def _great_circle_m(a, b):
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    cosine = math.sin(lat1) * math.sin(lat2) + math.cos(lat1) * math.cos(lat2) * math.cos(lon2 - lon1)
    return 6_371_008.8 * math.acos(min(1.0, cosine))


def test_entities_by_type_jurisdiction_box_polygon_and_distance(twin):
    stations = twin.entities(type="AirQualityObserved")
    assert [e.id for e in stations] == sorted(IDS)
    assert {e.id for e in twin.entities(type="AirQualityObserved", jurisdiction="110112")} == set(IDS[:2])
    assert [e.id for e in twin.entities(type="AirQualityObserved", bbox=(116.6, 39.8, 116.7, 39.9))] == [TONGZHOU]
    inside = twin.entities(type="AirQualityObserved", within=tongzhou_boundary())
    assert {e.id for e in inside} == set(IDS[:2])
    # distances from the Tongzhou station by the spherical law of cosines (R = 6,371,008.8 m)
    origin = (116.663, 39.886)
    distance = {e.id: _great_circle_m(origin, e.location["coordinates"]) for e in stations}
    for radius in (1_000, 21_600, 21_800, 30_000):
        near = twin.entities(type="AirQualityObserved", near=(*origin, radius))
        expected = sorted((d, i) for i, d in distance.items() if d <= radius)
        assert [e.id for e in near] == [i for _, i in expected]
    assert len(twin.entities(type="AirQualityObserved", near=(*origin, 21_600))) == 2
    areas = twin.entities(type="AdministrativeArea", intersects={"type": "Point", "coordinates": [116.663, 39.886]})
    assert [e.jurisdiction for e in areas] == ["110112"]
    assert len(twin.entities(type="AdministrativeArea")) == len(reference.boundaries()["features"])


def test_daily_means_equal_pandas_on_asia_shanghai_days(twin):
    source = reference.observations("kdd2018")
    source = source[source["station_id"] == "tongzhou"]
    local_day = source["observed_at"].dt.tz_convert("Asia/Shanghai").dt.tz_localize(None).dt.floor("D")
    expected = source.groupby(local_day)["PM2.5"].agg(["mean", "min", "max", "count"])
    expected = expected[expected["count"] > 0]
    got = twin.aggregate("pm25", "1d", entity_id=TONGZHOU).set_index("period")
    assert len(got) == len(expected) > 140
    assert (got.index.values == expected.index.values).all()
    assert got["count"].tolist() == expected["count"].tolist()
    for column in ("mean", "min", "max"):
        assert got[column].to_numpy() == pytest.approx(expected[column].to_numpy(), rel=1e-12)


def test_monthly_per_jurisdiction_and_hourly(twin):
    monthly = twin.aggregate("co", "1mo", jurisdiction="110112", by="jurisdiction")
    assert monthly["jurisdiction"].unique().tolist() == ["110112"]
    # the data end at 2018-05-31 23:00 UTC, which is 1 June 07:00 in Asia/Shanghai
    assert [p.month for p in monthly["period"]] == [1, 2, 3, 4, 5, 6]
    hourly = twin.aggregate("pm25", "1h", entity_id=TONGZHOU, start="2018-02-01T00:00:00Z",
                            end="2018-02-02T00:00:00Z")
    raw = twin.observations(TONGZHOU, "pm25", "2018-02-01T00:00:00Z", "2018-02-02T00:00:00Z")
    assert hourly["mean"].tolist() == raw["value"].tolist()
    assert (hourly["count"] == 1).all()


def test_latest_value_per_entity_and_attribute(twin):
    latest = twin.latest(attribute="pm25")
    assert latest["entity_id"].tolist() == sorted(IDS)
    for row in latest.to_dict("records"):
        series = twin.observations(row["entity_id"], "pm25")
        assert row["observed_at"] == series["observed_at"].max()


def test_bad_query_arguments_are_named(twin):
    with pytest.raises(BadInputError, match="aggregation period '2d'"):
        twin.aggregate("pm25", "2d")
    with pytest.raises(BadInputError, match="unknown attribute 'pm1'"):
        twin.observations(TONGZHOU, "pm1")
    with pytest.raises(BadInputError, match="no time zone"):
        twin.observations(TONGZHOU, "pm25", start="2018-01-01")


def _answers(twin):
    return {
        "entities": pd.DataFrame([{**e.__dict__, "location": canonicalize(e.location),
                                   "properties": canonicalize(e.properties)} for e in twin.entities()]),
        "daily": twin.aggregate("pm25", "1d", entity_id=TONGZHOU),
        "jurisdiction": twin.aggregate("no2", "1mo", by="jurisdiction"),
        "raw": twin.observations(IDS[2], "o3"),
        "latest": twin.latest(),
        "status": pd.Series({k: str(v) for k, v in twin.status().items()}),
    }


def test_rebuild_from_the_log_answers_every_query_as_before(small_twin, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(small_twin, copy)
    with Twin.open(copy) as twin:
        before = _answers(twin)
        twin.store.db.execute("DELETE FROM observations WHERE log_index % 7 = 0")  # damage the store
        assert twin.rebuild() == twin.log.size
        after = _answers(twin)
        twin.verify()
    for name, frame in before.items():
        if isinstance(frame, pd.Series):
            assert frame.equals(after[name]), name
        else:
            assert_frame_equal(frame, after[name], check_exact=True, obj=name)


def test_verify_names_altered_missing_and_extra_rows(small_twin, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(small_twin, copy)
    with Twin.open(copy) as twin:
        assert twin.verify().rows_checked == twin.log.size
        db = twin.store.db
        db.execute("UPDATE observations SET value = value + 1 WHERE log_index = 1000")
        db.execute("DELETE FROM observations WHERE log_index = 2000")
        db.execute("INSERT INTO observations (entity_id, attribute, observed_at, value, unit, source, log_index) "
                   "SELECT entity_id, attribute, observed_at + INTERVAL 1 HOUR, value, unit, source, 999999 "
                   "FROM observations WHERE log_index = 3000")
        with pytest.raises(VerificationError) as failure:
            twin.verify()
    message = str(failure.value)
    assert "1 altered, 1 missing, 1 extra rows" in message
    assert "altered row at log index 1000" in message
    assert "missing row for log index 2000" in message
    assert "extra row with log index 999999" in message
