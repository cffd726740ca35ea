"""The program's yearly figures equal the published ones in the data file, qualifiers shown."""

from pathlib import Path

import pandas as pd
import pytest

from citytwin.errors import BadInputError
from citytwin.projects.program import TARGET_YI, investment_facts, named_projects, qualifier, yearly_totals

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "projects"


def test_yearly_totals_equal_the_published_figures():
    rows = {(r["year"], r["kind"]): r for r in yearly_totals()}
    # (year, kind) → (亿元, qualifier, publisher) as published (subcenter_investment_facts.csv)
    published = {
        ("2021", "completed"): (1000.6, "", "新华社 via 71.cn"),
        ("2022", "planned"): (1000.0, "计划", "新华社 via 71.cn"),
        ("2023", "planned"): (1000.0, "约", "中国新闻网 via china.com.cn"),
        ("2024", "planned"): (1000.0, "约", "北京市政府工作报告 2024 (mirror page)"),
        ("2021-2025", "annual average"): (1000.0, "约", "新华社 (mirror page)"),
        ("2016-2025", "cumulative"): (9600.0, "超", "中国产业经济信息网, citing Beijing government press office"),
    }
    assert set(rows) == set(published)
    for key, (value, q, publisher) in published.items():
        assert (rows[key]["value_yi"], rows[key]["qualifier_zh"], rows[key]["publisher"]) == (value, q, publisher)
        print(f"\n{key[0]} {rows[key]['display_zh']} — {publisher}, {rows[key]['url']}")
    assert rows[("2021", "completed")]["vs_target"] == pytest.approx(1000.6 / TARGET_YI)
    assert rows[("2016-2025", "cumulative")]["vs_target"] is None
    assert rows[("2016-2025", "cumulative")]["display_zh"] == "累计超9600亿元"
    assert rows[("2023", "planned")]["display_zh"] == "计划约1000亿元"


def test_packaged_facts_equal_the_shared_csv_when_present():
    if not SHARED.is_dir():
        pytest.skip("../shared/data is not here; the packaged copy is all there is")
    csv = pd.read_csv(SHARED / "subcenter_investment_facts.csv", dtype={"year": str})
    pd.testing.assert_frame_equal(investment_facts().reset_index(drop=True), csv, check_dtype=False)
    names = pd.read_csv(SHARED / "subcenter_named_projects.csv", dtype=str)
    pd.testing.assert_frame_equal(named_projects(), names, check_dtype=False)


def test_qualifiers():
    assert qualifier('lower bound ("超9600亿元")') == ("超", "more than")
    assert qualifier('approximate ("近400亿元")') == ("近", "nearly")
    assert qualifier('approximate ("千亿元投资规模")') == ("约", "about")
    assert qualifier("plan") == ("计划", "planned")
    assert qualifier(None) == ("", "")
    with pytest.raises(BadInputError, match=r"qualifier 'roughly': expected approximate"):
        qualifier("roughly")
    with pytest.raises(BadInputError, match=r"target -1 亿元: expected > 0"):
        yearly_totals(target_yi=-1)
