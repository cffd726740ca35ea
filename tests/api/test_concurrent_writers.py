"""Eight writers posting batches at once to a running `citytwin serve`, while readers query it,
lose nothing and store nothing twice; no read fails; afterwards the log verifies against the store."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx

from api.support import bearer
from citytwin.twin import Twin

TONGZHOU = "urn:ngsi-ld:AirQualityObserved:tongzhou"
WRITERS, BATCHES, PER_BATCH = 8, 4, 50
START = datetime(2020, 1, 1, tzinfo=UTC)


def _batch(writer: int, batch: int) -> list[dict]:
    first = (writer * BATCHES + batch) * PER_BATCH
    return [{"entity_id": TONGZHOU, "attribute": "no2", "observed_at": (START + timedelta(hours=first + k)).isoformat(),
             "value": float((first + k) % 97), "unit": "ug/m3"} for k in range(PER_BATCH)]


def test_eight_concurrent_writers(server, keys, data_dir):
    def write(writer: int) -> list[dict]:
        answers = []
        with httpx.Client(base_url=server.url, headers=bearer(keys["tongzhou"]), timeout=60) as http:
            for batch in [*range(BATCHES), 0]:  # the first batch is sent twice, as a retry would
                response = http.post("/api/v1/ingest", json=_batch(writer, batch))
                assert response.status_code == 200, response.text
                answers.append(response.json())
        return answers

    def read(reader: int) -> list[int]:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            return [http.get(path).status_code for _ in range(8) for path in (
                f"/ngsi-ld/v1/entities/{TONGZHOU}", "/ngsi-ld/v1/entities?type=AirQualityObserved",
                f"/ngsi-ld/v1/temporal/entities/{TONGZHOU}?attrs=no2&lastN=5")]

    with ThreadPoolExecutor(WRITERS + 4) as pool:
        readers = pool.map(read, range(4))
        answers = [a for per_writer in pool.map(write, range(WRITERS)) for a in per_writer]
        assert set(s for per_reader in readers for s in per_reader) == {200}
    assert sum(a["accepted"] for a in answers) == WRITERS * BATCHES * PER_BATCH
    assert sum(a["duplicates"] for a in answers) == WRITERS * PER_BATCH
    assert sum(a["refused"] for a in answers) == 0
    metrics = httpx.get(server.url + "/metrics").text
    assert f'citytwin_ingest_records_total{{outcome="accepted"}} {float(WRITERS * BATCHES * PER_BATCH)}' in metrics
    server.stop()
    with Twin.open(data_dir) as twin:
        stored = twin.observations(TONGZHOU, "no2")
        assert len(stored) == WRITERS * BATCHES * PER_BATCH
        assert not stored.duplicated(["observed_at", "source"]).any()
        assert set(stored["source"]) == {"principal:tongzhou-ees"}
        expected = {START + timedelta(hours=h) for h in range(WRITERS * BATCHES * PER_BATCH)}
        assert set(stored["observed_at"].dt.to_pydatetime()) == expected
        report = twin.verify()
        assert report.ok and report.rows_checked == twin.log.size
