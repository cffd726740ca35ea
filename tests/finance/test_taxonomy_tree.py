"""The catalogues as code trees: published level counts, code structure, lookups and their errors."""

import json

import pytest

from citytwin.errors import BadInputError, NotFoundError
from citytwin.finance import taxonomy
from citytwin.finance.classifier import classify

PUBLISHED = {"2021": [6, 25, 48, 204], "2025": [9, 38, 271]}


@pytest.mark.parametrize("edition", taxonomy.EDITIONS)
def test_recorded_levels_against_published_counts(edition):
    coverage = taxonomy.coverage(edition)
    assert [row["published"] for row in coverage] == PUBLISHED[edition]
    for row in coverage:
        recorded = len(taxonomy.categories(edition, row["level"]))
        assert row["recorded"] == recorded <= row["published"]
        assert row["complete"] == (recorded == row["published"])
        if recorded:  # a level is recorded only in full: a partial list would pass for the catalogue
            assert row["complete"], f"{edition} level {row['level']}: {recorded} of {row['published']}"
    assert coverage[0]["complete"]


@pytest.mark.parametrize("edition", taxonomy.EDITIONS)
def test_codes_unique_and_nested(edition):
    nodes = taxonomy.categories(edition)
    codes = [c.code for c in nodes]
    assert len(codes) == len(set(codes))
    references = {r["id"] for r in taxonomy.edition(edition)["references"]}
    for c in nodes:
        assert c.level == len(c.code.split("."))
        assert c.source in references and c.zh
        assert c.en_source == "our translation" or c.en_source.startswith("published (")
        up = taxonomy.parent(edition, c.code)
        if c.level == 1:
            assert up is None
        else:
            assert c.code.startswith(up.code + ".") and up.level == c.level - 1
            assert c in taxonomy.children(edition, up.code)
        assert [p.code for p in taxonomy.path(edition, c.code)][-1] == c.code
    assert sum(1 + _count(n["children"]) for n in taxonomy.tree(edition)) == len(nodes)


def _count(children):
    return sum(1 + _count(n["children"]) for n in children)


def test_english_names_say_whose_they_are():
    assert {c.en_source for c in taxonomy.categories("2021")} == {
        "published (SynTao Green Finance, summary of the 2020 consultation draft)"}
    assert {c.en_source for c in taxonomy.categories("2025")} == {"our translation"}


@pytest.mark.parametrize("edition", taxonomy.EDITIONS)
def test_every_activity_points_at_a_recorded_category(edition):
    for item in taxonomy.activities():
        code = item.categories.get(edition)
        if code is None:
            continue
        node = taxonomy.category(edition, code)
        result = classify(item.id, {}, edition)
        assert result.category == node
        assert [c.code for c in result.path] == [c.code for c in taxonomy.path(edition, code)]
        assert result.path[0].level == 1 and result.to_dict()["path"][-1]["code"] == code


def test_bad_codes_and_levels_are_refused():
    for bad in ("", "x", "1.", "0", "1..2", "01", 1):
        with pytest.raises(BadInputError, match="expected dotted numbers"):
            taxonomy.category("2021", bad)
    with pytest.raises(BadInputError, match="the 2025 catalogue has 3 levels"):
        taxonomy.category("2025", "1.1.1.1")
    with pytest.raises(BadInputError, match="levels 1 to 3"):
        taxonomy.categories("2025", 4)
    with pytest.raises(BadInputError, match="levels 1 to 4"):
        taxonomy.categories("2021", 0)
    with pytest.raises(NotFoundError, match="'7' is not recorded for the 2021 catalogue"):
        taxonomy.category("2021", "7")
    with pytest.raises(BadInputError, match="edition '2019'"):
        taxonomy.children("2019", "1")


def test_tree_functions_on_a_deeper_table(monkeypatch):
    """The tree logic over a table with levels II and III (a test table, not catalogue data)."""
    data = json.loads(json.dumps(taxonomy._data()))
    nodes = data["editions"]["2021"]["categories"]
    nodes += [{"code": code, "zh": f"测试 {code}", "en": f"test {code}", "en_source": "our translation",
               "source": "syntao-2020"} for code in ("1.1", "1.2", "1.1.1", "1.1.2", "1.1.1.1")]
    data["activities"] = [{"id": "t", "zh": "测试", "en": "test", "categories": {"2021": "1.1.1.1"}, "criteria": []}]
    data["editions"]["2021"]["levels"] = {"level_1": 6, "level_2": 2, "level_3": 2, "level_4": 1}
    monkeypatch.setattr(taxonomy, "_data", lambda: data)
    taxonomy._nodes.cache_clear()
    try:
        assert [c.code for c in taxonomy.children("2021", "1")] == ["1.1", "1.2"]
        assert [c.code for c in taxonomy.children("2021", "1.1")] == ["1.1.1", "1.1.2"]
        assert taxonomy.children("2021", "2") == [] and taxonomy.parent("2021", "1.1.2").code == "1.1"
        assert [c.code for c in taxonomy.path("2021", "1.1.1.1")] == ["1", "1.1", "1.1.1", "1.1.1.1"]
        assert [n["code"] for n in taxonomy.tree("2021", "1.1")[0]["children"]] == ["1.1.1", "1.1.2"]
        assert all(row["complete"] for row in taxonomy.coverage("2021"))
        result = classify("t", {}, "2021")
        assert result.eligible and result.category.code == "1.1.1.1" and result.category.level == 4
        assert result.reason_en.startswith("eligible: 2021 catalogue category 1 Energy-saving") and "> 1.1.1.1 " in \
            result.reason_en
    finally:
        taxonomy._nodes.cache_clear()
