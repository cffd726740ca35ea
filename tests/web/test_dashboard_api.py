"""The dashboard's air answer is what `citytwin.air.report` computes, read faster: compared on a
small real twin with TestClient."""

import pandas as pd
from fastapi.testclient import TestClient

from citytwin.air import report
from citytwin.api import create_app
from citytwin.datasets.load import reference_entities, reference_observations
from citytwin.twin import Twin

STATIONS = ("tongzhou", "dongsi", "yongledian", "fangshan")  # three jurisdictions


def test_air_answer_matches_the_air_reports(tmp_path):
    data = tmp_path / "data"
    ids = [f"urn:ngsi-ld:AirQualityObserved:{s}" for s in STATIONS]
    with Twin.init(data, origin="test.citytwin/dashboard-air") as twin:
        entities = [e for e in reference_entities() if e.id in ids or e.type == "AdministrativeArea"]
        assert twin.commit(entities).rejected == []
        batch = reference_observations("kdd2018")
        batch = batch[batch["entity_id"].isin(ids) & (batch["observed_at"] >= "2018-05-10")]
        assert twin.commit_observations(batch).rejected == []
        first, last = pd.Timestamp("2018-05-18").date(), pd.Timestamp("2018-06-01").date()
        joint = report.joint_report(twin, first, last)
        episodes = report.episodes_report(twin, None, first, last, "jurisdiction")["episodes"]
    with TestClient(create_app(data)) as client:
        answer = client.get("/api/v1/dashboard/air", params={"days": 15}).json()
    assert (answer["from"], answer["to"]) == (str(first), str(last))
    names = ("name_zh", "name_en")
    assert [{k: v for k, v in j.items() if k not in names} for j in answer["joint"]["jurisdictions"]] == joint[
        "jurisdictions"]
    assert len(joint["jurisdictions"]) == 3 and answer["joint"]["jurisdictions"][0]["name_zh"]
    co = dict(joint["co_exceedance"])
    co.pop("pairs")
    assert answer["joint"]["co_exceedance"] == co and co["hours_any"] > 0
    assert [{k: v for k, v in e.items() if k not in names} for e in answer["episodes"]] == episodes
