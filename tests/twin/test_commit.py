"""Committing records: validation with named reasons, idempotency, versions, atomicity with the log."""

from datetime import UTC, datetime, timedelta

import pytest

from citytwin.errors import BadInputError, NotFoundError
from citytwin.twin import Entity, Twin
from twin_records import DONGSI_STATION, STATIONS, TONGZHOU_STATION, reading


def test_commit_stores_entities_and_observations_with_their_log_indices(twin):
    result = twin.commit([*STATIONS, reading(TONGZHOU_STATION, "pm25", 0, 35.0),
                          reading(TONGZHOU_STATION, "co", 0, 1200.0, unit="ug/m3")])
    assert (result.accepted, result.duplicates, result.rejected) == (5, 0, [])
    assert twin.log.size == result.log_size == 5
    rows = twin.observations(TONGZHOU_STATION.id, "co")
    assert rows["value"].tolist() == [1.2] and rows["unit"].tolist() == ["mg/m3"]
    assert rows["log_index"].tolist() == [4]
    assert [e.log_index for e in twin.entities()] == [2, 0, 1]  # sorted by id: dongsi, tongzhou, yongledian


def test_same_reading_twice_is_stored_once(twin):
    twin.commit(STATIONS)
    first = twin.commit([reading(TONGZHOU_STATION, "pm25", 0, 35.0)] * 2)
    again = twin.commit([reading(TONGZHOU_STATION, "pm25", 0, 35.0)])
    assert (first.accepted, first.duplicates) == (1, 1)
    assert (again.accepted, again.duplicates) == (0, 1)
    assert len(twin.observations(TONGZHOU_STATION.id, "pm25")) == 1
    other_source = twin.commit([reading(TONGZHOU_STATION, "pm25", 0, 35.0, source="sensor-2")])
    assert other_source.accepted == 1


@pytest.mark.parametrize(
    "record,reason",
    [
        ({"entity_id": "urn:ngsi-ld:AirQualityObserved:nowhere"}, "unknown entity 'urn:ngsi-ld:AirQ.*:nowhere'"),
        ({"attribute": "pm1"}, "unknown attribute 'pm1'"),
        ({"unit": "furlong"}, "unknown unit 'furlong'"),
        ({"unit": "hPa"}, "'hPa' \\(pressure\\) cannot be converted to 'ug/m3'"),
        ({"value": float("nan")}, "value nan is not a finite number"),
        ({"value": float("inf")}, "value inf is not a finite number"),
        ({"value": "high"}, "value 'high' is not a number"),
        ({"value": -3.0}, "pm25 value -3 ug/m3 is outside the physical range 0..5000 ug/m3"),
        ({"observed_at": "2024-01-01T08:00:00"}, "timestamp '2024-01-01T08:00:00' has no time zone"),
        ({"observed_at": "yesterday"}, "timestamp 'yesterday' has no time zone"),
        ({"observed_at": "2024-13-01T08:00:00Z"}, "timestamp '2024-13-01T08:00:00Z' is not ISO 8601"),
        ({"observed_at": (datetime.now(UTC) + timedelta(days=30)).isoformat()}, "more than 5 minutes in the future"),
        ({"source": ""}, "source '' is not a non-empty string"),
        ({"source": "s" * 70_000}, "source 'sss.*… \\(70002 characters\\) is not a non-empty string of at most 1024"),
    ],
)
def test_bad_readings_are_refused_with_a_reason_and_the_rest_is_stored(twin, record, reason):
    twin.commit(STATIONS)
    bad = {**reading(TONGZHOU_STATION, "pm25", 1, 20.0), **record}
    good = reading(DONGSI_STATION, "pm25", 1, 50.0)
    result = twin.commit([bad, good])
    assert result.accepted == 1
    assert len(result.rejected) == 1
    assert repr(result.rejected[0].record) == repr(bad)  # as received (repr: nan != nan)
    import re

    assert re.search(reason, result.rejected[0].reason), result.rejected[0].reason
    assert twin.observations(TONGZHOU_STATION.id, "pm25").empty
    assert twin.observations(DONGSI_STATION.id, "pm25")["value"].tolist() == [50.0]
    assert twin.log.size == len(STATIONS) + 1


@pytest.mark.parametrize(
    "location,reason",
    [
        ({"type": "Point", "coordinates": [116.6]}, "malformed Point geometry"),
        ({"type": "Point", "coordinates": [216.6, 39.9]}, "outside WGS84"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}, "invalid Polygon geometry"),
        ({"type": "Circle", "coordinates": [0, 0]}, "type 'Circle'"),
        ("POINT (1 2)", "malformed geometry"),
    ],
)
def test_malformed_geometry_is_refused(twin, location, reason):
    bad = Entity("urn:ngsi-ld:Park:p1", "Park", "110112", location, {})
    result = twin.commit([bad, TONGZHOU_STATION])
    assert result.accepted == 1 and len(result.rejected) == 1
    assert reason in result.rejected[0].reason
    with pytest.raises(NotFoundError, match="no entity 'urn:ngsi-ld:Park:p1'"):
        twin.entity("urn:ngsi-ld:Park:p1")


def test_entity_id_type_and_jurisdiction_are_checked(twin):
    result = twin.commit([
        Entity("park-1", "Park"),
        Entity("urn:ngsi-ld:Park:p1", "Building"),
        Entity("urn:ngsi-ld:Park:p1", "Park", jurisdiction="Tongzhou"),
        Entity("urn:ngsi-ld:Park:p1", "Park", properties={"area": float("nan")}),
    ])
    reasons = [r.reason for r in result.rejected]
    assert result.accepted == 0
    assert "entity id 'park-1' is not a URN" in reasons[0]
    assert "type 'Building' does not match the type in its id 'Park'" in reasons[1]
    assert "jurisdiction 'Tongzhou' is not a 6-digit administrative code" in reasons[2]
    assert "finite number" in reasons[3]


def test_a_change_makes_a_new_version_and_as_of_answers_the_past(twin):
    twin.commit([TONGZHOU_STATION])
    between = datetime.now(UTC)
    moved = Entity(**{**TONGZHOU_STATION.__dict__, "location": {"type": "Point", "coordinates": [116.70, 39.90]},
                      "version": None, "log_index": None})
    assert twin.commit([moved]).accepted == 1
    assert twin.commit([moved]).duplicates == 1  # unchanged: no new version
    assert twin.entity(TONGZHOU_STATION.id).location["coordinates"] == [116.70, 39.90]
    assert twin.entity(TONGZHOU_STATION.id, as_of=between).location["coordinates"] == [116.663, 39.886]
    assert [e.version for e in twin.entity_history(TONGZHOU_STATION.id)] == [1, 2]


def test_crash_between_log_and_store_is_recovered_on_open(tmp_path):
    """A batch in the log but not in the store (the process died in between) is applied on open."""
    directory = tmp_path / "data"
    with Twin.init(directory) as twin:
        twin.commit(STATIONS)
        entries = [b'{"attribute":"pm25","entity_id":"urn:ngsi-ld:AirQualityObserved:dongsi","kind":"observation",'
                   b'"observed_at":"2024-01-01T00:00:00Z","source":"test","unit":"ug/m3","value":12}']
        twin.log.append(entries)  # the log has it; the store does not
        assert twin.store.log_size == 3
    with Twin.open(directory) as twin:
        assert twin.store.log_size == 4
        assert twin.observations(DONGSI_STATION.id, "pm25")["value"].tolist() == [12.0]
        twin.verify()


def test_open_without_init_names_the_fix(tmp_path):
    with pytest.raises(NotFoundError, match="citytwin --data-dir .* init"):
        Twin.open(tmp_path / "nothing")


def test_init_refuses_to_overwrite(tmp_path):
    Twin.init(tmp_path / "d").close()
    with pytest.raises(BadInputError, match="exists already"):
        Twin.init(tmp_path / "d")


def test_latest_reading_follows_observation_time_not_arrival(twin):
    twin.commit(STATIONS)
    twin.commit([reading(TONGZHOU_STATION, "pm25", 5, 50.0)])
    twin.commit([reading(TONGZHOU_STATION, "pm25", 3, 30.0)])  # late arrival of an older reading
    assert twin.latest(TONGZHOU_STATION.id, "pm25")["value"].tolist() == [50.0]
    twin.commit([reading(TONGZHOU_STATION, "pm25", 5, 55.0, source="sensor-2")])  # same time, later entry
    twin.commit([reading(TONGZHOU_STATION, "pm25", 7, 70.0), reading(DONGSI_STATION, "pm25", 1, 10.0)])
    latest = twin.latest(attribute="pm25")
    assert dict(zip(latest["entity_id"], latest["value"], strict=True)) == {
        DONGSI_STATION.id: 10.0, TONGZHOU_STATION.id: 70.0}
    with_same_time = twin.latest(TONGZHOU_STATION.id, "pm25")
    twin.commit([reading(TONGZHOU_STATION, "pm25", 7, 71.0, source="sensor-2")])
    assert twin.latest(TONGZHOU_STATION.id, "pm25")["value"].tolist() == [71.0] != with_same_time["value"].tolist()
