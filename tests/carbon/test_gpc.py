"""GPC v1.1 structure as data: reference numbers, scopes, reporting levels, notation keys."""

import pytest

from citytwin.carbon import gpc
from citytwin.errors import BadInputError


@pytest.mark.parametrize(
    ("ref", "scope", "level"),
    [
        ("I.1.1", 1, "BASIC"),
        ("I.1.2", 2, "BASIC"),
        ("I.1.3", 3, "BASIC+"),
        ("I.4.1", 1, "BASIC"),
        ("I.4.4", 1, "territorial"),
        ("I.7.1", 1, "BASIC"),
        ("I.8.1", 1, "BASIC"),
        ("II.1.1", 1, "BASIC"),
        ("II.1.2", 2, "BASIC"),
        ("II.1.3", 3, "BASIC+"),
        ("II.5.2", 2, "BASIC"),
        ("III.1.1", 1, "BASIC"),
        ("III.1.2", 3, "BASIC"),
        ("III.4.3", 1, "territorial"),
        ("IV.1", 1, "BASIC+"),
        ("IV.2", 1, "BASIC+"),
        ("V.1", 1, "BASIC+"),
        ("V.3", 1, "BASIC+"),
        ("VI.1", 3, "other"),
    ],
)
def test_reference_numbers_scopes_and_levels(ref, scope, level):
    row = gpc.subsector(ref)
    assert (row.scope, row.level) == (scope, level)
    assert row.name_en and row.name_zh


def test_table_shape():
    refs = list(gpc.SUBSECTORS)
    assert refs[0] == "I.1.1" and refs[-1] == "VI.1"
    assert "II.5.3" not in gpc.SUBSECTORS  # off-road: scopes 1 and 2 only
    assert "I.7.2" not in gpc.SUBSECTORS and "I.8.2" not in gpc.SUBSECTORS
    assert sum(1 for r in refs if r.startswith("I.")) == 6 * 3 + 1 + 2  # I.1-I.6 × 3, I.4.4, I.7.1, I.8.1
    assert sum(1 for r in refs if r.startswith("II.")) == 4 * 3 + 2
    assert sum(1 for r in refs if r.startswith("III.")) == 4 * 3


def test_level_totals():
    totals = gpc.level_totals(
        {"I.1.1": 10.0, "I.1.2": 5.0, "I.1.3": 1.0, "I.4.4": 100.0, "IV.1": 7.0, "III.1.2": 3.0, "VI.1": 50.0}
    )
    assert totals == {
        "scope1_t": 117.0,
        "scope2_t": 5.0,
        "scope3_t": 54.0,
        "basic_t": 18.0,
        "basic_plus_t": 26.0,
        "territorial_t": 117.0,
    }


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("X.1.1", "NO", "x"), "GPC sub-sector 'X.1.1' does not exist"),
        (("II.3.1", "NA", "x"), "notation key 'NA'"),
        (("II.3.1", "NE", ""), "needs an explanation: why the emissions were not estimated"),
        (("II.3.1", "IE", "x", "II.3.1"), "must name another sub-sector"),
    ],
)
def test_bad_notation(args, match):
    with pytest.raises(BadInputError, match=match):
        gpc.check_notation(*args)
