"""The pipeline over a real twin and quarantine: units, sources, duplicates, refusals, retry."""

from datetime import UTC, datetime, timedelta

import orjson
import pytest
from typer.testing import CliRunner

from citytwin.cli import app
from citytwin.errors import BadInputError
from citytwin.ingest import Payload, retry
from twin_records import DONGSI_STATION, TONGZHOU_STATION, YONGLEDIAN_STATION

TZ = TONGZHOU_STATION.id


def kv(attribute, value, unit, hour=0, entity=TZ, time=None):
    return {"id": entity, "observedAt": time or f"2024-01-01T{hour:02d}:00:00Z",
            attribute: {"value": value, "unitCode": unit}}


def stored(pipeline, attribute, entity=TZ):
    return pipeline.twin.store.db.execute(
        "SELECT observed_at, value, unit, source FROM observations WHERE entity_id = ? AND attribute = ? "
        "ORDER BY observed_at, source", [entity, attribute]).fetchall()


def test_mg_and_ug_store_the_same_value(pipeline):
    result = pipeline.ingest([kv("pm10", 0.085, "mg/m3", 0), kv("pm10", 85, "ug/m3", 1),
                              kv("pm10", 85, "GQ", 2)], "sensor-a")
    assert (result.accepted, result.refused) == (3, 0)
    values = [row[1] for row in stored(pipeline, "pm10")]
    assert values == pytest.approx([85, 85, 85])
    assert {row[2] for row in stored(pipeline, "pm10")} == {"ug/m3"}


def test_ppb_and_ppm_convert_at_the_reference_state(pipeline):
    result = pipeline.ingest([kv("NO2", 100, "ppb", 0), kv("CO", 2, "ppm", 0), kv("O3", 50, "61", 0)], "s")
    assert result.accepted == 3
    assert stored(pipeline, "no2")[0][1:3] == (pytest.approx(188.04, abs=0.01), "ug/m3")
    assert stored(pipeline, "co")[0][1:3] == (pytest.approx(2.290, abs=0.001), "mg/m3")
    assert stored(pipeline, "o3")[0][1] == pytest.approx(98.09, abs=0.01)


def test_unknown_unit_is_refused_never_stored_and_quarantined(pipeline):
    result = pipeline.ingest([kv("pm25", 35, "furlong/fortnight")], "sensor-a")
    assert result.outcomes[0].status == "refused"
    assert "unknown unit 'furlong/fortnight'" in result.outcomes[0].reason
    assert stored(pipeline, "pm25") == []
    [record] = pipeline.quarantine.get()
    assert orjson.loads(record.raw)["pm25"]["unitCode"] == "furlong/fortnight"
    assert (record.source, record.reason) == ("sensor-a", result.outcomes[0].reason)


def test_source_is_part_of_the_key(pipeline):
    reading = kv("pm25", 35, "ug/m3")
    assert pipeline.ingest([reading], "sensor-a").accepted == 1
    assert pipeline.ingest([reading], "sensor-a").duplicates == 1
    assert pipeline.ingest([reading], "sensor-b").accepted == 1
    assert [row[3] for row in stored(pipeline, "pm25")] == ["sensor-a", "sensor-b"]


def test_each_bad_kind_is_refused_with_a_reason_naming_it(pipeline):
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    records = [kv("pm25", "high", "ug/m3"), kv("pm25", -5, "ug/m3", 1), kv("pm25", 5, "ug/m3", time=future),
               kv("pm25", 5, "ug/m3", time="2024-01-01 08:00"), kv("pm25", 5, "ug/m3", entity="urn:ngsi-ld:X:y"),
               {"id": TZ, "observedAt": "2024-01-01T00:00:00Z", "pm25": 12}, kv("pm25", True, "ug/m3", 2),
               kv("pm25", 7, {"code": "GQ"}, 3), kv("pm25", 7, 42, 4)]
    outcomes = pipeline.ingest(records, "s").outcomes
    reasons = [o.reason for o in outcomes]
    assert [o.status for o in outcomes] == ["refused"] * len(records)
    for reason, expected in zip(reasons, ["value 'high' is not a number", "outside the physical range",
                                          "more than 5 minutes in the future", "has no time zone",
                                          "unknown entity 'urn:ngsi-ld:X:y'", "pm25 reading has no unit",
                                          "value True is not a number",
                                          "pm25 unit {'code': 'GQ'} is not a string",
                                          "pm25 unit 42 is not a string"], strict=True):
        assert expected in reason
    assert pipeline.quarantine.count() == len(records)


def test_declared_zone_applies_to_naive_timestamps(pipeline):
    result = pipeline.ingest([kv("pm25", 5, "ug/m3", time="2024-01-01 08:00")], "s", zone="Asia/Shanghai")
    assert result.accepted == 1
    assert stored(pipeline, "pm25")[0][0] == datetime(2024, 1, 1, tzinfo=UTC)


def test_a_document_keeps_its_good_readings(pipeline):
    doc = {"id": TZ, "observedAt": "2024-01-01T00:00:00Z", "pm25": {"value": 30, "unitCode": "ug/m3"},
           "no2": {"value": 20, "unitCode": "bogus"}}
    result = pipeline.ingest([doc], "s")
    assert result.outcomes[0].status == "refused" and "no2 in unknown unit 'bogus'" in result.outcomes[0].reason
    assert (result.readings_stored, result.readings_refused) == (1, 1)


def test_garbage_payloads(pipeline):
    result = pipeline.ingest_payloads([Payload(b"{oops", "mqtt:t"), Payload(b"[]", "mqtt:t"),
                                       Payload(b"x" * 70_000, "mqtt:t"), Payload(b'"text"', "mqtt:t")])
    assert [o.reason.split(":")[0] for o in result.outcomes] == [
        "malformed JSON", "payload is an empty JSON array", "payload is 70000 bytes", "record is a JSON str"]
    big = [r for r in pipeline.quarantine.get() if r.size == 70_000][0]
    assert len(big.raw) == 65536


def test_empty_source_is_bad_input(pipeline):
    with pytest.raises(BadInputError, match="source '': expected a non-empty string"):
        pipeline.ingest([kv("pm25", 1, "ug/m3")], "")


def test_retry_after_the_entity_is_committed(pipeline):
    from dataclasses import replace

    new_station = replace(YONGLEDIAN_STATION, id="urn:ngsi-ld:AirQualityObserved:new", properties={})
    refused = pipeline.ingest([kv("pm25", 40, "ug/m3", entity=new_station.id), kv("pm25", 1, "bogus")], "s")
    assert refused.refused == 2
    pipeline.twin.commit([new_station])
    report = retry(pipeline)
    assert len(report.accepted) == 1 and len(report.refused) == 1
    assert "unknown unit 'bogus'" in report.refused[0][1]
    assert [r.attempts for r in pipeline.quarantine.list()] == [2]
    assert stored(pipeline, "pm25", new_station.id)[0][1] == 40


def test_a_redelivered_refusal_is_kept_once(pipeline):
    payload = Payload(b'{"id": "urn:ngsi-ld:X:y", "pm25": 1}', "mqtt:t", "t")
    pipeline.ingest_payloads([payload])
    pipeline.ingest_payloads([payload])
    [record] = pipeline.quarantine.list()
    assert record.attempts == 2


def test_quarantine_cli(pipeline, data_dir):
    pipeline.ingest([kv("pm25", 35, "bogus"), kv("pm25", 36, "ug/m3", time="2024-01-01 09:00")], "http:dept")
    pipeline.twin.close()
    runner = CliRunner()
    base = ["--data-dir", str(data_dir)]
    listed = orjson.loads(runner.invoke(app, [*base, "quarantine", "ls", "--json"]).stdout)
    assert [r["source"] for r in listed] == ["http:dept", "http:dept"]
    shown = runner.invoke(app, [*base, "quarantine", "show", str(listed[0]["id"]), "--json"])
    assert orjson.loads(orjson.loads(shown.stdout)["payload"])["pm25"]["unitCode"] == "bogus"
    retried = runner.invoke(app, [*base, "quarantine", "retry", "--all", "--json"])
    assert retried.exit_code == 0 and len(orjson.loads(retried.stdout)["refused"]) == 2
    dropped = runner.invoke(app, [*base, "quarantine", "drop", str(listed[0]["id"]), "--json"])
    assert orjson.loads(dropped.stdout) == {"dropped": 1}
    missing = runner.invoke(app, [*base, "quarantine", "show", "999"])
    assert missing.exit_code == 2 and "no quarantined record with id 999" in missing.stderr
    both = runner.invoke(app, [*base, "quarantine", "retry"])
    assert both.exit_code == 2 and "give record ids or --all" in both.stderr


def test_a_channel_writes_only_its_own_jurisdiction(pipeline):
    doc = orjson.dumps(kv("pm25", 30, "ug/m3", entity=DONGSI_STATION.id))  # Dongcheng, 110101
    own = Payload(doc, "mqtt:citytwin/110101", "citytwin/110101", jurisdiction="110101")
    other = Payload(doc, "mqtt:citytwin/110112", "citytwin/110112", jurisdiction="110112")
    result = pipeline.ingest_payloads([own, other])
    assert [o.status for o in result.outcomes] == ["accepted", "refused"]
    assert "channel of jurisdiction 110112 sent a reading of urn:ngsi-ld:AirQualityObserved:dongsi, which " \
           "belongs to 110101" in result.outcomes[1].reason
    assert retry(pipeline).refused[0][1] == result.outcomes[1].reason  # a retry does not forget the channel
