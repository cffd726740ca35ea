"""Fixtures of the twin tests: real data directories with real DuckDB files and logs."""

import pytest

from citytwin.datasets.load import reference_entities, reference_observations
from citytwin.twin import Twin

STATIONS = ["tongzhou", "yongledian", "dongsi"]
IDS = [f"urn:ngsi-ld:AirQualityObserved:{s}" for s in STATIONS]


@pytest.fixture
def twin(tmp_path):
    with Twin.init(tmp_path / "data", origin="test.citytwin/district") as t:
        yield t


@pytest.fixture(scope="session")
def small_twin(tmp_path_factory):
    """A twin of three real stations (KDD Cup 2018, Jan–May 2018) and the district boundaries."""
    directory = tmp_path_factory.mktemp("small") / "data"
    with Twin.init(directory) as twin:
        entities = [e for e in reference_entities() if e.type == "AdministrativeArea" or e.id in IDS]
        assert twin.commit(entities).rejected == []
        batch = reference_observations("kdd2018")
        batch = batch[batch["entity_id"].isin(IDS)]
        result = twin.commit_observations(batch)
        assert result.rejected == [] and result.accepted == len(batch)
    return directory
