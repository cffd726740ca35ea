"""Facilities and residents in a real twin: nearest, reach and cross-border sharing per jurisdiction."""

import pytest

from citytwin.errors import BadInputError, NotFoundError
from citytwin.geo.distance import haversine_m
from citytwin.services.district import access_report, facilities
from citytwin.twin import Entity, Twin

TONGZHOU_HOSPITAL = (116.70, 39.90)
SANHE_HOSPITAL = (116.95, 39.98)
YANJIAO = (116.80, 39.95)  # in Sanhe, nearer the Tongzhou hospital
TONGZHOU_HOME = (116.66, 39.91)


def _poi(local, lonlat, props):
    return Entity(id=f"urn:ngsi-ld:PointOfInterest:{local}", type="PointOfInterest",
                  location={"type": "Point", "coordinates": list(lonlat)}, properties=props)


def _cell(local, lonlat, population):
    return Entity(id=f"urn:ngsi-ld:PopulationCell:{local}", type="PopulationCell",
                  location={"type": "Point", "coordinates": list(lonlat)}, properties={"population": population})


@pytest.fixture
def twin(tmp_path):
    with Twin.init(tmp_path / "data", origin="test.citytwin/services") as twin:
        twin.commit([
            _poi("tz-hospital", TONGZHOU_HOSPITAL, {"name": "TZ", "category": ["hospital"], "capacity": 600}),
            _poi("sh-hospital", SANHE_HOSPITAL, {"name": "SH", "tags": {"amenity": "hospital"}, "capacity": 200}),
            _poi("sh-home", YANJIAO, {"name": "Home", "kind": "elderly_care", "capacity": 80, "occupancy": 0.9}),
            _poi("cafe", YANJIAO, {"name": "Cafe", "category": ["cafe"]}),
        ])
        yield twin


def test_facilities_by_kind(twin):
    hospitals = facilities(twin, "hospital")
    assert sorted(hospitals["name"]) == ["SH", "TZ"]
    assert facilities(twin)["kind"].value_counts().to_dict() == {"hospital": 2, "elderly_care": 1}
    with pytest.raises(BadInputError, match="kind 'library'"):
        facilities(twin, "library")


def test_cross_border_share_and_capacity_per_thousand(twin):
    twin.commit([_cell("yanjiao", YANJIAO, 3000), _cell("tongzhou", TONGZHOU_HOME, 1000)])
    report = access_report(twin, "hospital", ["110112", "131082"])
    rows = {r["jurisdiction"]: r for r in report["jurisdictions"]}
    assert report["distance_basis"] == "straight line only: no road network loaded"
    assert report["basis"].startswith("population distribution: 2 ")
    assert rows["110112"]["facilities"] == 1 and rows["131082"]["facilities"] == 1
    # Yanjiao's nearest hospital is across the border in Tongzhou
    to_tz, to_sh = haversine_m(*YANJIAO, *TONGZHOU_HOSPITAL), haversine_m(*YANJIAO, *SANHE_HOSPITAL)
    assert to_tz < to_sh
    assert rows["131082"]["nearest_in_other_jurisdiction_pct"] == 100.0
    assert rows["110112"]["nearest_in_other_jurisdiction_pct"] == 0.0
    assert rows["131082"]["mean_distance_m"] == pytest.approx(to_tz, rel=5e-3)  # haversine is a sphere: < 0.5 %
    assert rows["110112"]["mean_distance_m"] == pytest.approx(haversine_m(*TONGZHOU_HOME, *TONGZHOU_HOSPITAL),
                                                              rel=5e-3)
    assert rows["110112"]["within_reach_pct"] == 0.0  # 4.4 km > 1,250 m
    assert rows["110112"]["capacity_per_1000_residents"] == pytest.approx(600.0)  # 600 beds / 1,000 residents
    assert rows["131082"]["capacity_per_1000_residents"] == pytest.approx(200 / 3)


def test_without_population_the_units_are_labelled_grid_cells(twin):
    report = access_report(twin, "elderly_care", ["131028"])
    assert report["basis"].startswith("zones: no population loaded")
    row = report["jurisdictions"][0]
    assert row["residents"] is None and row["capacity_per_1000_residents"] is None
    assert 150 < row["units"] < 200  # Dachang: 174.65 km² in 1 km cells
    assert row["nearest_in_other_jurisdiction_pct"] == 100.0  # the only home is in Sanhe
    with pytest.raises(NotFoundError, match="jurisdiction '999999'"):
        access_report(twin, "hospital", ["999999"])
