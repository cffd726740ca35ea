"""The medical-institution registry reproduces the counts of its source (shared/data/services/SOURCE.md)."""

import pytest

from citytwin.errors import BadInputError, NotFoundError
from citytwin.services.registry import institutions, registry_summary


def test_counts_match_the_source():
    frame = institutions()
    assert len(frame) == 4279 and frame["code"].is_unique
    by_type = {g["type"]: g["institutions"] for g in registry_summary("110112", "type")["groups"]}
    # SOURCE.md: 通州区 村卫生室 124, 社区卫生站 62, 对外综合 32, 对外专科 9, 对外中医 8, 对内 4
    assert by_type == {"村卫生室": 124, "社区卫生站": 62, "对外综合": 32, "对外专科": 9, "对外中医": 8, "对内": 4}
    by_grade = {g["grade"]: g["institutions"] for g in registry_summary("110112", "grade")["groups"]}
    assert (by_grade["三级甲等"], by_grade["三级无等"], by_grade["二级甲等"], by_grade["二级无等"],
            by_grade["一级甲等"]) == (1, 3, 2, 5, 17)
    towns = {g["town"]: g["institutions"] for g in registry_summary("110112", "town")["groups"]}
    assert towns["宋庄镇"] == 27 and towns["(not parsed from the name)"] == 239 - 208


def test_per_thousand_residents_is_labelled_with_the_census_year():
    summary = registry_summary("110112")
    per = summary["per_1000_residents"]
    assert per["value"] == pytest.approx(1000 * 239 / 1_184_000)
    assert "2010 census" in per["basis"] and "registry, 2023" in per["basis"]
    assert "lacks" in summary["distance_note"]
    print(f"\nTongzhou: {summary['institutions']} institutions, {per['value']:.3f} per 1,000 residents",
          f"— {per['basis']}")
    assert registry_summary("110105")["per_1000_residents"] is None  # no census figure for Chaoyang in the pack


def test_bad_requests():
    with pytest.raises(BadInputError, match="by = 'beds'"):
        registry_summary("110112", "beds")
    with pytest.raises(NotFoundError, match="'131082' has no institution"):
        registry_summary("131082")
