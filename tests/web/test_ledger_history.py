"""The ledger view's checkpoint history: `/api/v1/dashboard/ledger/history` opens every published
checkpoint against the log's and the witnesses' keys, and the page draws and lists them."""

import base64

import httpx
from fastapi.testclient import TestClient

from citytwin.api import create_app
from citytwin.datasets.load import reference_entities
from citytwin.ledger.history import append_history
from citytwin.twin import Twin


def test_history_lists_each_checkpoint_with_its_cosignature(server, witness_name):
    history = httpx.get(server + "/api/v1/dashboard/ledger/history").json()
    checkpoints = history["checkpoints"]
    assert history["quorum"] == 1 and history["witnesses"] == [witness_name]
    assert all(c["verified"] and c["error"] is None for c in checkpoints)
    # the empty log's, published by `Twin.init` before the witness was configured, then the
    # boundaries and stations, then the readings: each cosigned
    assert checkpoints[0]["size"] == 0 and checkpoints[0]["cosigned_by"] == []
    assert len(checkpoints) >= 3 and all(c["cosigned_by"] == [witness_name] for c in checkpoints[1:])
    sizes = [c["size"] for c in checkpoints]
    assert sizes == sorted(sizes)
    latest = httpx.get(server + "/log/checkpoint").text.split("\n")
    assert checkpoints[-1]["size"] == int(latest[1])
    assert checkpoints[-1]["root"] == base64.b64decode(latest[2]).hex()
    assert httpx.get(server + "/api/v1/dashboard/ledger/history", params={"limit": 1}).json()["checkpoints"] == [
        checkpoints[-1]]


def test_ledger_view_shows_the_history(dashboard, server):
    checkpoints = httpx.get(server + "/api/v1/dashboard/ledger/history").json()["checkpoints"]
    page = dashboard.open("/ledger", view="ledger")
    rows = page.locator("[data-testid=history-table] tbody tr")
    assert rows.count() == min(len(checkpoints), 12)
    assert rows.first.get_attribute("data-size") == str(checkpoints[-1]["size"])  # newest first
    shown = checkpoints[::-1][:12]
    assert [rows.nth(i).locator("[data-testid=cosignatures]").inner_text() for i in range(len(shown))] == [
        f"{len(c['cosigned_by'])} / 1" for c in shown]
    assert page.locator("[data-testid=history-table] td.fail").count() == 0
    assert page.locator("[data-testid=history-chart] canvas").count() == 1
    assert f"{len(checkpoints)} 个检查点" in page.inner_text("[data-testid=history-summary]")
    page.click("[data-testid=lang]")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert "Checkpoint history" in page.inner_text("[data-testid=history]")
    dashboard.screenshot("ledger-history-en")
    assert dashboard.errors == [] and dashboard.blocked == []


def test_a_forged_checkpoint_in_the_history_is_flagged(tmp_path):
    data = tmp_path / "data"
    with Twin.init(data, origin="test.citytwin/history") as twin:
        area = next(e for e in reference_entities() if e.type == "AdministrativeArea")
        assert twin.commit([area]).rejected == []
        note = (data / "log" / "checkpoint").read_bytes()
        lines = note.decode().split("\n")
        lines[1] = str(int(lines[1]) + 1)  # a larger size under the same signature
        append_history(twin.log.directory, "\n".join(lines).encode())
    with TestClient(create_app(data)) as client:
        checkpoints = client.get("/api/v1/dashboard/ledger/history").json()["checkpoints"]
    assert checkpoints[-2]["verified"] and checkpoints[-2]["error"] is None
    forged = checkpoints[-1]
    assert not forged["verified"] and "invalid signature" in forged["error"]
    assert forged["size"] == checkpoints[-2]["size"] + 1
