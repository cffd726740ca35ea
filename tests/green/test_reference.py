"""The reference district: the real park committed as a Park entity, its figures beside the published ones."""

import json

import pytest

from citytwin.green.district import indicators, read_layers
from citytwin.green.projection import geodesic_area_m2
from citytwin.green.reference import load_reference, published, reference_report
from citytwin.twin import Entity, Twin


@pytest.fixture
def twin(tmp_path):
    with Twin.init(tmp_path / "data", origin="test.citytwin/green") as twin:
        yield twin


def test_load_reference_commits_the_park_once(twin):
    first = load_reference(twin)
    assert first["accepted"] == 1
    assert load_reference(twin)["accepted"] == 0
    park = twin.entity(first["parks"][0])
    assert park.type == "Park" and park.jurisdiction == "110112"
    assert park.log_index is not None  # committed through the log
    assert "OpenStreetMap" in park.properties["licence"]


def test_reference_figures_beside_their_sources(twin):
    load_reference(twin)
    report = reference_report(twin)
    park = report["reference_parks"][0]
    # shared/data/green/SOURCE.md: geodesic area 6.089 km² (OSM way 779532223)
    assert park["area_km2_geodesic"] == pytest.approx(6.089, abs=0.0005)
    computed = report["computed"]
    # the whole park lies in Tongzhou; the equal-area frame agrees with the geodesic area
    assert computed["park_area_m2"] == pytest.approx(park["area_km2_geodesic"] * 1e6, rel=1e-4)
    # Tongzhou's polygon: 919.33 km² geodesic (shared/data/boundaries/SOURCE.md)
    assert computed["area_m2"] / 1e6 == pytest.approx(919.33, rel=1e-3)
    assert computed["population_basis"] == "none loaded"
    assert computed["residents_within_500m_pct"] is None and computed["forest_cover_pct"] is None
    assert 0 < computed["area_within_500m_pct"] < 100
    census = report["park_area_per_resident_on_census_m2"]
    assert census["value"] == pytest.approx(computed["park_area_m2"] / 1_184_000)
    assert "2010 census" in census["basis"]
    by_metric = {(r["metric"], r["year"]): r for r in report["published"]}
    assert by_metric[("forest_cover_pct", "2016")]["value"] == 28.5
    assert by_metric[("forest_cover_pct", "2022")]["value"] == 34.0
    assert by_metric[("residents_within_500m_pct", None)]["value"] == 87.33
    assert by_metric[("park_area_per_resident_m2", None)]["value"] == 18.11
    assert all(r["source"] for r in published())
    print("\ncomputed (reference data loaded in the twin):")
    print(f"  park {park['name']}: {park['area_km2_geodesic']:.3f} km² geodesic — {park['source']}, {park['licence']}")
    print(f"  Tongzhou area {computed['area_m2'] / 1e6:.2f} km², park area {computed['park_area_m2'] / 1e6:.3f} km²,"
          f" area within 500 m of a park {computed['area_within_500m_pct']:.2f} % (area-based)")
    print(f"  park area per resident {census['value']:.2f} m² — {census['basis']}")
    print("published:")
    for row in report["published"]:
        print(f"  {row['metric']} {row['value']} {row['unit']} ({row['year'] or 'year not given'}) — {row['source']}")


def test_population_cells_make_the_shares_residents_based(twin):
    load_reference(twin)
    inside = [116.7218, 39.8721]  # the park's centroid (SOURCE.md)
    far = [116.60, 39.80]
    twin.commit([
        Entity(id="urn:ngsi-ld:PopulationCell:a", type="PopulationCell", jurisdiction="110112",
               location={"type": "Point", "coordinates": inside}, properties={"population": 300}),
        Entity(id="urn:ngsi-ld:PopulationCell:b", type="PopulationCell", jurisdiction="110112",
               location={"type": "Point", "coordinates": far}, properties={"population": 100}),
    ])
    layers = read_layers(twin)
    result = indicators(layers, "110112", json.loads(json.dumps(_tongzhou())))
    assert result["residents"] == 400
    assert result["residents_within_500m_pct"] == pytest.approx(75.0)
    assert result["park_area_per_resident_m2"] == pytest.approx(geodesic_area_m2(layers.parks[0]) / 400, rel=1e-4)


def _tongzhou():
    from citytwin.datasets import boundaries

    return next(f["geometry"] for f in boundaries()["features"] if f["properties"]["adcode"] == "110112")
