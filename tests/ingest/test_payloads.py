"""Parsing payloads and documents, and timestamps with and without a declared zone."""

import pandas as pd
import pytest

from citytwin.errors import BadInputError
from citytwin.ingest.payloads import MAX_PAYLOAD_BYTES, document_readings, parse_payload
from citytwin.ingest.times import check_zone, utc_times

TZ = "urn:ngsi-ld:AirQualityObserved:tongzhou"


def test_key_value_document():
    doc = {"id": TZ, "observedAt": "2024-01-01T08:00:00+08:00", "name": "Tongzhou",
           "PM2.5": {"value": 35, "unitCode": "GQ"}, "CO": {"value": 0.9, "unitCode": "mg/m3"}}
    assert document_readings(doc) == [
        {"entity_id": TZ, "attribute": "pm25", "observed_at": "2024-01-01T08:00:00+08:00", "value": 35,
         "unit": "GQ"},
        {"entity_id": TZ, "attribute": "co", "observed_at": "2024-01-01T08:00:00+08:00", "value": 0.9,
         "unit": "mg/m3"},
    ]


def test_normalized_document_skips_geoproperties_and_takes_each_observed_at():
    doc = {"id": TZ, "type": "AirQualityObserved",
           "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [116.6, 39.9]}},
           "no2": {"type": "Property", "value": 40, "unitCode": "GQ", "observedAt": "2024-01-01T00:00:00Z"},
           "refDevice": {"type": "Relationship", "object": "urn:ngsi-ld:Device:1"}}
    assert document_readings(doc) == [{"entity_id": TZ, "attribute": "no2", "observed_at": "2024-01-01T00:00:00Z",
                                       "value": 40, "unit": "GQ"}]


def test_flat_reading_and_topic_entity():
    doc = {"attribute": "temperature", "observed_at": "2024-01-01T00:00:00Z", "value": -3.5, "unit": "Cel"}
    assert document_readings(doc, default_entity=TZ)[0]["entity_id"] == TZ


def test_unknown_numeric_member_is_a_reading_to_refuse_and_bare_numbers_have_no_unit():
    readings = document_readings({"id": TZ, "observedAt": "2024-01-01T00:00:00Z", "benzene": 3, "pm10": 80})
    assert [(r["attribute"], r["unit"]) for r in readings] == [("benzene", None), ("pm10", None)]


@pytest.mark.parametrize(("doc", "match"), [
    ([1, 2], "record is a JSON list: expected a JSON object"),
    ({"observedAt": "2024-01-01T00:00:00Z", "pm25": {"value": 1, "unitCode": "GQ"}}, "record names no entity"),
    ({"id": TZ, "observedAt": "2024-01-01T00:00:00Z", "name": "x"}, "holds no readings"),
    ({"id": "urn:ngsi-ld:AirQualityObserved:dongsi", "pm25": 3}, "differs from the entity of its topic"),
])
def test_bad_documents(doc, match):
    with pytest.raises(BadInputError, match=match):
        document_readings(doc, default_entity=TZ if "dongsi" in str(doc) else None)


def test_payload_limits_and_garbage():
    assert parse_payload(b'[{"a": 1}, {"b": 2}]') == [{"a": 1}, {"b": 2}]
    with pytest.raises(BadInputError, match=f"payload is {MAX_PAYLOAD_BYTES + 1} bytes: at most 65536"):
        parse_payload(b" " * (MAX_PAYLOAD_BYTES + 1))
    with pytest.raises(BadInputError, match="malformed JSON"):
        parse_payload(b"\xff\xfe{not json")


def test_naive_timestamps_need_a_declared_zone():
    column = pd.Series(["2024-01-01 08:00", "2024-01-01T08:00:00+08:00", "2024-01-01T00:00Z", "yesterday", 17])
    times, reasons = utc_times(column)
    assert reasons[0].startswith("timestamp '2024-01-01 08:00' has no time zone and its source declares none")
    assert times[1] == times[2] == pd.Timestamp("2024-01-01T00:00Z")
    assert "'yesterday' is not ISO 8601" in reasons[3]
    assert "17 is not ISO 8601 text" in reasons[4]
    times, reasons = utc_times(column, "Asia/Shanghai")
    assert times[0] == pd.Timestamp("2024-01-01T00:00Z") and reasons[0] is None


def test_datetime64_columns():
    naive = pd.Series(pd.to_datetime(["2024-01-01 08:00"]))
    assert utc_times(naive, "Asia/Shanghai")[0][0] == pd.Timestamp("2024-01-01T00:00Z")
    assert "no time zone" in utc_times(naive)[1][0]
    with pytest.raises(BadInputError, match="'Mars/Olympus' is not an IANA zone name"):
        check_zone("Mars/Olympus")
