"""The twin's commands, run as a user runs them (typer's CliRunner on the real app and data)."""

import json
import shutil

from typer.testing import CliRunner

from citytwin.cli import app
from citytwin.twin import Twin

TONGZHOU = "urn:ngsi-ld:AirQualityObserved:tongzhou"


def run(directory, *args):
    return CliRunner().invoke(app, ["--data-dir", str(directory), *args], env={"COLUMNS": "200"})


def test_status_entities_and_observations_as_json(small_twin):
    status = json.loads(run(small_twin, "status", "--json").output)
    assert status["log_size"] == status["checkpoint"]["size"] == status["store_log_size"]
    assert status["entities"] == 22 and status["observations"] > 20_000

    stations = json.loads(run(small_twin, "entities", "ls", "--type", "AirQualityObserved",
                              "--jurisdiction", "110112", "--json").output)
    assert [s["id"] for s in stations] == [TONGZHOU, "urn:ngsi-ld:AirQualityObserved:yongledian"]
    assert stations[0]["name_zh"] == "通州"

    raw = json.loads(run(small_twin, "observations", "query", TONGZHOU, "--attr", "pm25",
                         "--from", "2018-03-01T00:00:00+08:00", "--to", "2018-03-02T00:00:00+08:00",
                         "--json").output)
    daily = json.loads(run(small_twin, "observations", "query", TONGZHOU, "--attr", "pm25",
                           "--from", "2018-03-01T00:00:00+08:00", "--to", "2018-03-02T00:00:00+08:00",
                           "--every", "1d", "--json").output)
    assert len(daily) == 1 and daily[0]["count"] == len(raw)
    assert abs(daily[0]["mean"] - sum(r["value"] for r in raw) / len(raw)) < 1e-9


def test_tables_for_people(small_twin):
    result = run(small_twin, "entities", "ls", "--type", "AirQualityObserved")
    assert result.exit_code == 0 and "通州 Tongzhou" in result.output and "3 entities" in result.output
    assert "log 日志" in run(small_twin, "status").output


def test_bad_input_exits_2_with_the_value_named(small_twin, tmp_path):
    unknown = run(small_twin, "observations", "query", TONGZHOU, "--attr", "pm1", "--json")
    assert unknown.exit_code == 2 and "unknown attribute 'pm1'" in unknown.output
    missing = run(small_twin, "observations", "query", "urn:ngsi-ld:AirQualityObserved:x", "--attr", "pm25")
    assert missing.exit_code == 2 and "no entity 'urn:ngsi-ld:AirQualityObserved:x'" in missing.output
    every = run(small_twin, "observations", "query", TONGZHOU, "--attr", "pm25", "--every", "2d")
    assert every.exit_code == 2 and "aggregation period '2d'" in every.output
    nowhere = run(tmp_path / "nowhere", "status")
    assert nowhere.exit_code == 2 and "init" in nowhere.output


def test_verify_passes_then_fails_with_exit_1_naming_the_altered_row_and_rebuild_repairs(small_twin, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(small_twin, copy)
    ok = run(copy, "verify", "--json")
    assert ok.exit_code == 0 and json.loads(ok.output)["ok"] is True
    with Twin.open(copy) as twin:
        twin.store.db.execute("UPDATE observations SET value = 999 WHERE log_index = 500")
    tampered = run(copy, "verify")
    assert tampered.exit_code == 1
    assert "altered row at log index 500" in tampered.output
    rebuilt = run(copy, "rebuild", "--json")
    assert rebuilt.exit_code == 0 and json.loads(rebuilt.output)["entries_applied"] > 20_000
    assert run(copy, "verify").exit_code == 0


def test_error_messages_keep_bracketed_text(tmp_path):
    """Messages naming TOML tables such as [log] are printed as written, not read as markup."""
    directory = tmp_path / "broken"
    directory.mkdir()
    (directory / "citytwin.toml").write_text("[log]\norigin = 7\n")
    result = run(directory, "status")
    assert result.exit_code == 2
    assert "[log] origin must be a non-empty string, got 7" in result.output
