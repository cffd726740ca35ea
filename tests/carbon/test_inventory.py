"""GPC inventories: totals by scope and level, notation keys, GWP recorded, exports, bad input."""

import json

import openpyxl
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from citytwin.carbon import factors, gpc
from citytwin.carbon.calc import emissions
from citytwin.carbon.inventory import ActivityRecord, Inventory, ReportedEmission, build_inventory
from citytwin.errors import BadInputError

J, Y = "110112", 2022


def _records():
    return [
        ActivityRecord("I.1.1", "natural_gas", 2.0e7, "m3", Y, J, data_quality="H", source="gas utility"),
        ActivityRecord("I.1.2", "electricity", 120, "GWh", Y, J, source="grid company"),
        ActivityRecord("I.3.1", "bituminous_coal", 5000, "t", Y, J),
        ActivityRecord("I.4.4", "natural_gas", 1000, "TJ", Y, J),
        ActivityRecord("II.1.1", "diesel", 1000, "t", Y, J),
        ActivityRecord("II.1.1", "gasoline", 3000, "t", Y, J),
        ReportedEmission("IV.1", 12_000.0, Y, J, source="cement plant report"),
        ReportedEmission("III.1.2", 0.0, Y, J, source="landfill operator", ch4_t=150.0),
    ]


_NOTATION = {
    "II.3.1": {"key": "NO", "explanation": "landlocked district: no waterborne navigation"},
    "II.4.1": {"key": "IE", "explanation": "airport fuel reported by Beijing", "included_in": "II.4.3"},
    "I.7.1": {"key": "NE", "explanation": "no coal mine data available"},
}


def _inventory(gwp_set="AR5"):
    return build_inventory(_records(), jurisdiction=J, year=Y, gwp_set=gwp_set, notation=_NOTATION)


def test_totals_by_scope_and_level():
    inv = _inventory()
    co2e = {}
    for rec in _records():
        if isinstance(rec, ActivityRecord):
            value = emissions(rec.activity, rec.quantity, rec.unit, year=Y, sector=rec.subsector).co2e_t
        else:
            value = rec.co2_t + rec.ch4_t * factors.gwp("CH4", "AR5").value
        co2e[rec.subsector] = co2e.get(rec.subsector, 0.0) + value
    totals = inv.totals()
    scope1 = sum(v for k, v in co2e.items() if gpc.subsector(k).scope == 1)
    assert_allclose(totals["scope1_t"], scope1)
    assert_allclose(totals["scope2_t"], co2e["I.1.2"])
    assert_allclose(totals["scope3_t"], co2e["III.1.2"])
    # BASIC leaves out I.4.4 (grid supply) and IPPU; BASIC+ adds IPPU
    assert_allclose(totals["basic_t"], sum(co2e.values()) - co2e["I.4.4"] - co2e["IV.1"])
    assert_allclose(totals["basic_plus_t"], totals["basic_t"] + co2e["IV.1"])
    assert_allclose(totals["territorial_t"], scope1)


def test_reporting_table_has_every_subsector_and_the_notation_keys():
    table = _inventory().rows()
    assert list(table["ref"]) == list(gpc.SUBSECTORS)
    row = table.set_index("ref").loc["II.4.1"]
    assert row["notation_key"] == "IE" and "II.4.3" in row["explanation"]
    assert table.set_index("ref").loc["I.1.1", "data_quality"] == "H"
    assert table["name_zh"].str.len().gt(0).all()


def test_changing_the_gwp_set_changes_co2e_and_is_recorded():
    ar4, ar6 = _inventory("AR4"), _inventory("AR6")
    assert ar4.to_dict()["gwp_set"] == "AR4" and ar6.to_dict()["gwp_set"] == "AR6"
    landfill = {inv.gwp_set: inv.rows().set_index("ref").loc["III.1.2", "co2e_t"] for inv in (ar4, ar6)}
    assert_allclose(landfill["AR4"], 150.0 * factors.gwp("CH4", "AR4").value)
    assert_allclose(landfill["AR6"], 150.0 * factors.gwp("CH4", "AR6").value)
    assert ar4.gas_totals()["co2_t"] == ar6.gas_totals()["co2_t"]
    assert ar4.totals()["basic_t"] != ar6.totals()["basic_t"]


def test_document_round_trip_and_tamper_check():
    inv = _inventory()
    doc = json.loads(json.dumps(inv.to_dict()))
    again = Inventory.from_dict(doc)
    assert again.totals() == pytest.approx(inv.totals())
    doc["lines"][0]["co2e_t"] += 1000
    with pytest.raises(BadInputError, match="stored .* recomputed"):
        Inventory.from_dict(doc)


def test_csv_and_xlsx_exports(tmp_path):
    inv = _inventory()
    frame = pd.read_csv(inv.to_csv(tmp_path / "gpc.csv"))
    subs = frame[frame["row_type"] == "subsector"]
    assert set(frame["label"]) == {"inventory"} and set(frame["gwp_set"]) == {"AR5"}
    assert len(subs) == len(gpc.SUBSECTORS)
    total = frame[(frame["row_type"] == "total") & (frame["ref"] == "basic_t")]["co2e_t"].iloc[0]
    assert_allclose(total, inv.totals()["basic_t"])
    wb = openpyxl.load_workbook(inv.to_xlsx(tmp_path / "gpc.xlsx"))
    assert wb.sheetnames == ["GPC", "Totals", "Activities", "About"]
    header = [c.value for c in wb["GPC"][1]]
    assert "CO2e [t] / 二氧化碳当量 [吨]" in header
    assert wb["GPC"].max_row == len(gpc.SUBSECTORS) + 1
    about = {r[0]: r[1] for r in wb["About"].iter_rows(min_row=2, values_only=True)}
    assert about["GWP set / 全球增温潜势版本"] == "AR5"


@pytest.mark.parametrize(
    ("record", "match"),
    [
        (
            ActivityRecord("I.1.1", "diesel", 1, "kWh", Y, J),
            "record 8 .*unit 'kWh' does not fit fuel 'diesel'",
        ),
        (ActivityRecord("I.1.1", "diesel", -1, "t", Y, J), "record 8 .*quantity -1"),
        (ActivityRecord("I.99.1", "diesel", 1, "t", Y, J), "sub-sector 'I.99.1' does not exist"),
        (ActivityRecord("I.2.2", "electricity", 1, "GWh", 2019, J), "year 2019 does not match"),
        (
            ActivityRecord("I.2.2", "electricity", 1, "GWh", Y, J, factor_year=2020),
            "no electricity factor for year 2020",
        ),
        (ActivityRecord("I.1.1", "diesel", 1, "t", Y, "131082"), "jurisdiction '131082'"),
        (ActivityRecord("I.1.1", "diesel", 1, "t", Y, J, data_quality="X"), "data quality 'X'"),
        (ActivityRecord("I.1.1", "diesel", 1, "t", Y, J, scope=2), "scope 2 does not match the sub-sector's scope 1"),
    ],
)
def test_bad_record_raises_and_builds_nothing(record, match):
    with pytest.raises(BadInputError, match=match):
        build_inventory([*_records(), record], jurisdiction=J, year=Y)


@pytest.mark.parametrize(
    ("notation", "match"),
    [
        ({"II.3.1": {"key": "NO", "explanation": ""}}, "needs an explanation"),
        ({"II.3.1": {"key": "XX", "explanation": "x"}}, "notation key 'XX'"),
        ({"II.4.1": {"key": "IE", "explanation": "x"}}, "needs included_in"),
        ({"II.4.1": {"key": "IE", "explanation": "x", "included_in": "II.9.9"}}, "'II.9.9' does not exist"),
        ({"I.1.1": {"key": "NE", "explanation": "x"}}, "has figures and notation key NE"),
    ],
)
def test_bad_notation_keys(notation, match):
    with pytest.raises(BadInputError, match=match):
        build_inventory(_records(), jurisdiction=J, year=Y, notation=notation)
