"""Temporal pagination (CIM 009 §6.3.10): 206 Partial Content with ``Content-Range: date-time …``,
pages that never split one timestamp, and clients that walk them get every instance once, in order."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from citytwin.api import create_app
from citytwin.twin import Twin
from twin_records import DONGSI_STATION, TONGZHOU_STATION, reading

BASE = "/ngsi-ld/v1/temporal/entities"
TZ = TONGZHOU_STATION.id
LIMIT = 5


@pytest.fixture(scope="module")
def paged(template, tmp_path_factory):
    """The API test twin with a limit of 5 instances per attribute, and NO2 readings whose
    timestamps repeat (one reading per source): hours 0-1 once, hour 2 three times, hours 3-4
    once, hour 5 six times (more than the limit), hours 6-7 once."""
    path = tmp_path_factory.mktemp("paged") / "data"
    shutil.copytree(template[0], path)
    with open(path / "citytwin.toml", "a") as config:
        config.write(f"\n[api]\ntemporal_limit = {LIMIT}\n")
    copies = {0: 1, 1: 1, 2: 3, 3: 1, 4: 1, 5: 6, 6: 1, 7: 1}
    with Twin.open(path) as twin:
        result = twin.commit([reading(TONGZHOU_STATION, "no2", hour, 10.0 * hour + k, source=f"test:{k}")
                              for hour, n in copies.items() for k in range(n)])
        assert result.accepted == sum(copies.values())
    with TestClient(create_app(path)) as client:
        yield client


def _walk(client, url, params):
    """Follow rel="next" links from a first request; the answers (status, headers, body)."""
    answers = []
    while True:
        response = client.get(url, params=params) if not answers else client.get(url)
        assert response.status_code in (200, 206), response.text
        answers.append(response)
        if response.status_code == 200:
            return answers
        link = response.headers["link"]
        assert 'rel="next"' in link
        url = [part for part in link.split(", ") if 'rel="next"' in part][0].split(">")[0].lstrip("<")
        params = None


def _instances(answers, name, entity=None):
    out = []
    for response in answers:
        body = response.json()
        for item in body if isinstance(body, list) else [body]:
            if entity is None or item["id"] == entity:
                out += item.get(name, [])
    return out


def test_forward_pages_carry_content_range_and_cover_every_instance_once(paged):
    first = paged.get(f"{BASE}/{TZ}", params={"attrs": "pm25"})
    assert first.status_code == 206
    assert first.headers["content-range"] == "date-time 2024-01-01T00:00:00Z-2024-01-01T04:00:00Z/*"
    assert len(first.json()["pm25"]) == LIMIT
    answers = _walk(paged, f"{BASE}/{TZ}", {"attrs": "pm25"})
    assert [a.status_code for a in answers] == [206, 206, 206, 206, 200]
    assert [a.headers.get("content-range") for a in answers[1:4]] == [
        f"date-time 2024-01-01T{a:02d}:00:00Z-2024-01-01T{b:02d}:00:00Z/*" for a, b in ((4, 9), (9, 14), (14, 19))]
    instances = _instances(answers, "pm25")
    assert [i["value"] for i in instances] == [20.0 + h for h in range(24)]
    assert len({i["instanceId"] for i in instances}) == 24


def test_a_client_reading_only_content_range_walks_forward_with_after(paged):
    values, params = [], {"attrs": "pm25", "options": "temporalValues"}
    while True:
        response = paged.get(f"{BASE}/{TZ}", params=params)
        values += [v[0] for v in response.json()["pm25"]["values"]]
        if response.status_code == 200:
            break
        end = response.headers["content-range"].removeprefix("date-time ").split("/")[0][len("2024-01-01T00:00:00Z-"):]
        params = {**params, "timerel": "after", "timeAt": end}
    assert values == [20.0 + h for h in range(24)]


def test_between_window_range_starts_at_time_at_and_next_page_starts_a_microsecond_later(paged):
    response = paged.get(f"{BASE}/{TZ}", params={"attrs": "pm25", "timerel": "between",
                                                 "timeAt": "2024-01-01T02:00:00Z", "endTimeAt": "2024-01-01T20:00:00Z"})
    assert response.status_code == 206
    assert response.headers["content-range"] == "date-time 2024-01-01T02:00:00Z-2024-01-01T06:00:00Z/*"
    assert "timeAt=2024-01-01T06%3A00%3A00.000001Z&endTimeAt=2024-01-01T20%3A00%3A00Z" in response.headers["link"]
    answers = _walk(paged, f"{BASE}/{TZ}", {"attrs": "pm25", "timerel": "between", "timeAt": "2024-01-01T02:00:00Z",
                                            "endTimeAt": "2024-01-01T20:00:00Z"})
    assert [i["value"] for i in _instances(answers, "pm25")] == [20.0 + h for h in range(2, 20)]


def test_last_n_pages_backwards_with_its_size(paged):
    answers = _walk(paged, f"{BASE}/{TZ}", {"attrs": "pm25", "lastN": 12})
    assert [a.status_code for a in answers] == [206, 206, 200]
    assert answers[0].headers["content-range"] == "date-time 2024-01-01T23:00:00Z-2024-01-01T19:00:00Z/12"
    assert answers[1].headers["content-range"] == "date-time 2024-01-01T19:00:00Z-2024-01-01T14:00:00Z/7"
    pages = [[i["value"] for i in a.json()["pm25"]] for a in answers]
    assert pages == [[39.0, 40.0, 41.0, 42.0, 43.0], [34.0, 35.0, 36.0, 37.0, 38.0], [32.0, 33.0]]
    within_lastn = paged.get(f"{BASE}/{TZ}", params={"attrs": "pm25", "lastN": LIMIT})
    assert within_lastn.status_code == 200 and "content-range" not in within_lastn.headers


def test_pages_never_split_one_timestamp(paged):
    answers = _walk(paged, f"{BASE}/{TZ}", {"attrs": "no2"})
    pages = [[(i["observedAt"], i["value"]) for i in a.json()["no2"]] for a in answers]
    # hours 0-1 and the three of hour 2 (5); hours 3-4, not hour 5 (6 readings would exceed 5);
    # hour 5 alone, all six (more than the limit share it); hours 6-7
    assert [len(p) for p in pages] == [5, 2, 6, 2]
    flat = [v for p in pages for _, v in p]
    assert flat == [0.0, 10.0, 20.0, 21.0, 22.0, 30.0, 40.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 60.0, 70.0]
    backwards = _walk(paged, f"{BASE}/{TZ}", {"attrs": "no2", "lastN": 100})
    assert sorted(v for a in backwards for v in (i["value"] for i in a.json()["no2"])) == flat


def test_a_query_of_many_entities_is_cut_to_one_range_for_all(paged):
    params = {"type": "AirQualityObserved", "attrs": "pm25,no2", "options": "temporalValues"}
    first = paged.get(BASE, params=params)
    assert first.status_code == 206
    # no2 of Tongzhou ends its first page at hour 2: every attribute of every entity stops there
    assert first.headers["content-range"] == "date-time 2024-01-01T00:00:00Z-2024-01-01T02:00:00Z/*"
    answers = _walk(paged, BASE, params)
    def values(entity, name):
        return [v for a in answers for e in a.json() if e["id"] == entity for v in e.get(name, {}).get("values", [])]

    assert [v[1] for v in values(DONGSI_STATION.id, "no2")] == [f"2024-01-01T0{h}:00:00Z" for h in range(3)]
    tongzhou = [v[0] for v in values(TZ, "pm25")]
    assert tongzhou == [20.0 + h for h in range(24)]


@pytest.mark.parametrize(("params", "name"), [
    ({"lastN": "many"}, "lastN"), ({"lastN": -3}, "lastN"), ({"timerel": "after", "timeAt": "next"}, "timeAt"),
    ({"timerel": "between", "timeAt": "2024-01-01T06:00:00.000001Z", "endTimeAt": "soon"}, "endTimeAt"),
])
def test_bad_page_requests_are_refused_naming_the_parameter(paged, params, name):
    response = paged.get(f"{BASE}/{TZ}", params={"attrs": "pm25", **params})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert name in response.json()["detail"]


def test_the_default_limit_answers_small_histories_whole(read_client):
    response = read_client.get(f"{BASE}/{TZ}", params={"attrs": "pm25"})
    assert response.status_code == 200 and "content-range" not in response.headers
    assert len(response.json()["pm25"]) == 24


def test_last_n_over_several_series_beyond_one_page_is_refused_not_shortened(paged):
    """One lastN in the next page's link cannot say what each series still owes, so a client
    would miss a sparser attribute's older instances: such a query is refused, naming lastN."""
    response = paged.get(f"{BASE}/{TZ}", params={"attrs": "pm25,no2", "lastN": 12})
    assert response.status_code == 400
    assert "lastN=12 over 2 attributes" in response.json()["detail"]
    whole = paged.get(f"{BASE}/{TZ}", params={"attrs": "pm25,no2", "lastN": LIMIT})
    assert whole.status_code == 200
    assert len(whole.json()["pm25"]) == LIMIT and len(whole.json()["no2"]) == LIMIT
    # the way the refusal points to: one attribute at a time, each gets exactly its own last N once, in order
    dense = _walk(paged, f"{BASE}/{TZ}", {"attrs": "pm25", "lastN": 12})
    sparse = _walk(paged, f"{BASE}/{TZ}", {"attrs": "no2", "lastN": 10})
    assert len(dense) > 1 and len(sparse) > 1
    def oldest_first(answers, name):
        return [i["value"] for a in reversed(answers) for i in a.json()[name]]

    assert oldest_first(dense, "pm25") == [20.0 + h for h in range(12, 24)]
    assert oldest_first(sparse, "no2") == [30.0, 40.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 60.0, 70.0]


def test_a_bad_temporal_limit_stops_the_app_at_start_not_each_request(template, tmp_path):
    from citytwin.errors import BadInputError

    path = tmp_path / "data"
    shutil.copytree(template[0], path)
    with open(path / "citytwin.toml", "a") as config:
        config.write('\n[api]\ntemporal_limit = "lots"\n')
    with pytest.raises(BadInputError, match=r"\[api\] temporal_limit = 'lots' in citytwin.toml: expected a whole"):
        create_app(path)
    # `citytwin serve` stops before listening, exit code 2 (bad input), naming the setting; a
    # server that started anyway would outlive the timeout and fail the test instead of hanging it
    serve = subprocess.run([str(Path(sys.executable).parent / "citytwin"), "--data-dir", str(path), "serve",
                            "--port", "0"], capture_output=True, text=True, timeout=120)
    assert serve.returncode == 2, serve.stderr
    assert "temporal_limit = 'lots'" in serve.stdout + serve.stderr
