"""The file path: CSV, Parquet and JSON lines with mappings; refusals by row; an interrupted run."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time

import orjson
import pandas as pd
import pytest
from typer.testing import CliRunner

from citytwin.cli import app
from citytwin.errors import BadInputError
from citytwin.ingest.files import ingest_file, load_mapping
from citytwin.twin import Twin
from twin_records import STATIONS, TONGZHOU_STATION

WIDE_MAPPING = """
source = "file:bureau"
zone = "Asia/Shanghai"
entity_id = "station"
entity_prefix = "urn:ngsi-ld:AirQualityObserved:"
observed_at = "time"
[columns]
"PM2.5" = { attribute = "pm25", unit = "ug/m3" }
CO = { attribute = "co", unit = "ug/m3" }
"""


def synthetic_long(n: int) -> pd.DataFrame:
    """Synthetic readings (labelled so: load-test data, not observations) of the test stations."""
    hours = pd.date_range("2024-01-01", periods=n // len(STATIONS) + 1, freq="h", tz="UTC")
    frame = pd.DataFrame([(s.id, t) for t in hours for s in STATIONS][:n], columns=["entity_id", "observed_at"])
    frame["attribute"] = "pm25"
    frame["value"] = (frame.index % 500).astype(float)
    frame["unit"] = "ug/m3"
    return frame


def test_wide_csv_with_mapping_and_refusals_by_row(pipeline, tmp_path):
    csv = tmp_path / "bureau.csv"
    csv.write_text("station,time,PM2.5,CO\n"
                   "tongzhou,2024-01-01 08:00,35,900\n"
                   "tongzhou,2024-01-01 09:00,,1100\n"       # an empty cell is no reading
                   "tongzhou,2024-01-01 10:00,-4,1000\n"     # out of range
                   "atlantis,2024-01-01 10:00,12,800\n")     # unknown entity (two readings)
    mapping = tmp_path / "bureau.toml"
    mapping.write_text(WIDE_MAPPING)
    report = ingest_file(pipeline, csv, load_mapping(mapping))
    assert (report.rows, report.readings_stored, report.refused) == (4, 4, 3)
    co = pipeline.twin.store.observations(TONGZHOU_STATION.id, "co", None, None)
    assert co["value"].tolist() == pytest.approx([0.9, 1.1, 1.0])  # µg/m³ → mg/m³
    assert co["observed_at"].iloc[0] == pd.Timestamp("2024-01-01T00:00Z")  # Asia/Shanghai → UTC
    refused = pipeline.quarantine.list()
    assert sorted(r.origin for r in refused) == ["bureau.csv#3", "bureau.csv#4", "bureau.csv#4"]
    assert any("outside the physical range" in r.reason for r in refused)


def test_parquet_long_table(pipeline, tmp_path):
    path = tmp_path / "readings.parquet"
    synthetic_long(3000).to_parquet(path)
    report = ingest_file(pipeline, path, load_mapping(None), batch_rows=1000)
    assert (report.rows, report.readings_stored) == (3000, 3000)
    again = ingest_file(pipeline, path, load_mapping(None), batch_rows=1000)
    assert (again.readings_stored, again.readings_duplicate) == (0, 3000)


def test_json_lines_of_documents(pipeline, tmp_path):
    path = tmp_path / "readings.jsonl"
    lines = [orjson.dumps({"id": TONGZHOU_STATION.id, "observedAt": f"2024-01-01T0{h}:00:00Z",
                           "PM2.5": {"value": 10 + h, "unitCode": "GQ"}}) for h in range(5)]
    path.write_bytes(b"\n".join([*lines, b"{broken"]) + b"\n")
    report = ingest_file(pipeline, path, load_mapping(None))
    assert (report.readings_stored, report.refused) == (5, 1)
    assert pipeline.quarantine.list()[0].origin == "readings.jsonl#6"


def test_mapping_errors(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('colums = {}\n')
    with pytest.raises(BadInputError, match=r"unknown keys \['colums'\]"):
        load_mapping(bad)
    bad.write_text('[columns]\nPM25 = "pm25"\n')
    with pytest.raises(BadInputError, match="columns.PM25 = 'pm25', expected"):
        load_mapping(bad)


def test_a_rerun_after_an_interrupted_run_stores_nothing_twice(data_dir, tmp_path):
    path = tmp_path / "load.csv"
    frame = synthetic_long(60_000)
    frame.assign(observed_at=frame["observed_at"].map(lambda t: t.isoformat())).to_csv(path, index=False)
    # `citytwin ingest file` in a forked child (no fresh interpreter to start), killed mid-run
    args = ["--data-dir", str(data_dir), "ingest", "file", str(path), "--batch-rows", "2000", "--json"]
    process = multiprocessing.get_context("fork").Process(target=app, args=(args,), daemon=True)
    process.start()
    checkpoint = data_dir / "log" / "checkpoint"
    first_size = int(checkpoint.read_text().splitlines()[1])
    deadline = time.monotonic() + 120
    while int(checkpoint.read_text().splitlines()[1]) < first_size + 6000:  # three batches in
        assert process.is_alive() and time.monotonic() < deadline, f"exit code {process.exitcode}"
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)
    process.join(10)
    with Twin.open(data_dir) as twin:
        partial = twin.store.counts()["observations"]
    assert 6000 <= partial < len(frame)

    result = CliRunner().invoke(app, ["--data-dir", str(data_dir), "ingest", "file", str(path), "--json"])
    assert result.exit_code == 0, result.stderr
    report = orjson.loads(result.stdout)
    assert report["readings_duplicate"] == partial
    assert report["readings_stored"] == len(frame) - partial
    with Twin.open(data_dir) as twin:
        assert twin.store.counts()["observations"] == len(frame)
        assert twin.verify().ok
