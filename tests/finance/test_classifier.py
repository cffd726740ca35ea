"""The catalogues' data and the classifier, one project per level-I category of each edition."""

import pytest

from citytwin.errors import BadInputError
from citytwin.finance import taxonomy
from citytwin.finance.classifier import classify

# (activity, declared attributes, level-I code in 2021, in 2025); None: not in that edition
PROJECTS = [
    ("nev_manufacturing", {"vehicle_powertrain": "battery-electric"}, "1", "1"),
    ("industrial_pollution_control", {"meets_emission_standard": True}, "2", "2"),
    ("waste_battery_recycling", {"recovery_rate_pct": 92}, "2", "3"),
    ("solar_power", {"capacity_mw": 12.5}, "3", "4"),
    ("carbon_sink_forest", {"area_ha": 300}, "4", "5"),
    ("ultra_low_energy_building", {"energy_standard": "nearly-zero"}, "5", "6"),
    ("urban_rail_transit", {"traction": "electric"}, "5", "6"),
    ("carbon_verification", {"verifier_accredited": True}, "6", "7"),
    ("green_equipment_trade", {"goods_in_catalogue": True}, "1", "8"),
    ("green_consumer_appliance", {"energy_efficiency_grade": 1}, None, "9"),
]


def test_editions_as_published():
    old, new = taxonomy.edition("2021"), taxonomy.edition("2025")
    assert (old["document"], old["effective"], old["superseded_by"]) == ("银发〔2021〕96号", "2021-07-01", "2025")
    assert (new["effective"], new["supersedes"]) == ("2025-10-01", "2021")
    assert [len(taxonomy.categories(e)) for e in taxonomy.EDITIONS] == [old["levels"]["level_1"],
                                                                         new["levels"]["level_1"]] == [6, 9]
    assert [c.zh for c in taxonomy.categories("2021")] == [
        "节能环保产业", "清洁生产产业", "清洁能源产业", "生态环境产业", "基础设施绿色升级", "绿色服务"]
    assert [c.zh for c in taxonomy.categories("2025")][-2:] == ["绿色贸易", "绿色消费"]
    assert all(c.en for e in taxonomy.EDITIONS for c in taxonomy.categories(e))
    with pytest.raises(BadInputError, match="edition '2015'"):
        taxonomy.edition("2015")


@pytest.mark.parametrize("edition", taxonomy.EDITIONS)
def test_one_project_per_level_one_category(edition):
    column = 2 if edition == "2021" else 3
    covered = set()
    for project in PROJECTS:
        activity, attributes, code = project[0], project[1], project[column]
        result = classify(activity, attributes, edition)
        if code is None:
            assert not result.eligible and "has no item" in result.reason_en
            continue
        assert result.eligible, result.reason_en
        assert result.category.code == code
        assert all(c.passed for c in result.checks)
        covered.add(code)
    assert covered == {c.code for c in taxonomy.categories(edition)}


def test_not_eligible_says_why():
    coal = classify("coal_clean_use", {}, "2021")
    assert not coal.eligible and "removed in 2021" in coal.reason_en and coal.reason_zh.startswith("不符合")
    star = classify("绿色建筑", {"green_building_star": 1}, "2025")
    assert not star.eligible and star.category.code == "6"
    assert star.reason_en.startswith("not eligible: green_building_star is 1, expected ≥ 2 (GB/T 50378-2019")
    missing = classify("Solar energy facilities, construction and operation", {}, "2025")
    assert "capacity_mw not declared, expected > 0" in missing.reason_en
    assert [c.passed for c in missing.checks] == [False]
    unknown = classify("casino", {}, "2025")
    assert not unknown.eligible and "'casino' is not an item" in unknown.reason_en
    assert classify("green_building", {"green_building_star": 3}).to_dict()["category"]["zh"] == "基础设施绿色升级"
