"""Reference inventories: CEADs Beijing totals reproduced, the GPC mapping, the Tongzhou ESTIMATE."""

from pathlib import Path

import pandas as pd
import pytest
from numpy.testing import assert_allclose

from citytwin.carbon import ceads, gpc

CEADS_RAW = Path(__file__).resolve().parents[3] / "shared" / "data" / "carbon" / "ceads"
needs_raw = pytest.mark.skipif(not CEADS_RAW.is_dir(), reason="../shared/data/carbon/ceads not present")


@needs_raw
def test_shipped_extracts_equal_the_raw_workbooks():
    city, cells = ceads.extract_raw(CEADS_RAW)
    shipped_city = ceads._read("ceads_city_totals.csv")
    shipped_cells = ceads._read("ceads_beijing_sectors.csv")
    pd.testing.assert_frame_equal(city, shipped_city, check_exact=True)
    pd.testing.assert_frame_equal(cells, shipped_cells, check_exact=True)


@needs_raw
def test_beijing_totals_per_year_reproduced_from_the_raw_sheets():
    from openpyxl import load_workbook

    book = load_workbook(
        CEADS_RAW / "raw_cities" / "The_Emission_Inventories_for_290_Chinese_Cities_from_1997_to_2019.xlsx",
        read_only=True,
    )
    raw = {r[2]: r[3] for r in book["emission vector"].iter_rows(min_row=2, values_only=True) if r[1] == "北京"}
    assert sorted(raw) == list(range(1997, 2020))
    totals = ceads.city_totals("Beijing")
    assert_allclose(totals.loc[sorted(raw)].to_numpy(), [raw[y] * 1e6 for y in sorted(raw)], rtol=1e-15)
    for year in ceads.SECTOR_YEARS:
        sheet = load_workbook(
            CEADS_RAW / "raw_provinces" / f"Emission_Inventories_for_30_Provinces_{year}.xlsx", read_only=True
        )[f"Beijing{year}"]
        total_row = next(
            r for r in sheet.iter_rows(values_only=True) if r[0] in ("Total Consumption", "TotalEmissions")
        )
        inventory = ceads.beijing_inventory(year)
        assert_allclose(inventory.totals()["territorial_t"], total_row[-1] * 1e6, rtol=1e-12)


def test_gpc_inventory_reproduces_the_sheet_total_row_each_year():
    for year in ceads.SECTOR_YEARS:
        table = ceads.sector_table(year)
        total = table.query("sector == 'Total' and fuel == 'Scope_1_Total'")["co2_mt"].iloc[0] * 1e6
        inventory = ceads.beijing_inventory(year)
        assert_allclose(inventory.totals()["territorial_t"], total, rtol=1e-12)
        assert_allclose(inventory.gas_totals()["co2_t"], total, rtol=1e-12)
        # every fuel column of the total row equals the sum of its sector cells
        cells = table[(table["sector"] != "Total") & (table["fuel"] != "Scope_1_Total")]
        by_fuel = cells.groupby("fuel")["co2_mt"].sum()
        row = table[(table["sector"] == "Total") & (table["fuel"] != "Scope_1_Total")].set_index("fuel")["co2_mt"]
        assert_allclose(by_fuel.reindex(row.index).fillna(0).to_numpy(), row.to_numpy(), rtol=1e-9, atol=1e-9)


def test_city_sheet_and_provincial_sheet_agree_for_2015_to_2017():
    totals = ceads.city_totals("Beijing")
    for year in (2015, 2016, 2017):
        assert_allclose(totals[year], ceads.beijing_inventory(year).totals()["territorial_t"], rtol=1e-6)
    # the two CEADs datasets part in 2018-2019 (city 88.41 Mt vs provincial 89.69 Mt in 2018)
    assert round(totals[2018] / 1e6, 2) == 88.41
    assert round(ceads.beijing_inventory(2018).totals()["territorial_t"] / 1e6, 2) == 89.69


def test_langfang_city_totals():
    totals = ceads.city_totals("Langfang")
    assert 2004 not in totals.index and totals.index.min() == 2000 and totals.index.max() == 2016
    assert round(totals[2015] / 1e6, 2) == 27.55


def test_mapping_places_transport_fuels_and_cement_process():
    cells = ceads.gpc_cells(2019)
    assert set(cells["subsector"]) <= set(gpc.SUBSECTORS)
    place = cells.set_index(["sector", "fuel"])["subsector"]
    assert place[("Transportation, Storage, Post and Telecommunication Services", "Kerosene")] == "II.4.1"
    assert place[("Urban", "Gasoline")] == "II.1.1"
    assert place[("Nonmetal Mineral Products", "Process")] == "IV.1"
    assert place[("Production and Supply of Electric Power, Steam and Hot Water", "Natural_Gas")] == "I.4.4"
    inventory = ceads.beijing_inventory(2019)
    assert inventory.unreported() == []  # every other sub-sector carries NE with its reason
    # I.4.4 is territorial only: BASIC leaves out the power plants
    rows = inventory.rows().set_index("ref")
    assert_allclose(
        inventory.totals()["territorial_t"] - inventory.totals()["basic_t"],
        rows.loc["I.4.4", "co2e_t"] + rows.loc["IV.1", "co2e_t"],
        rtol=1e-12,
    )


def test_tongzhou_is_a_labelled_estimate_scaled_by_population():
    estimate = ceads.tongzhou_estimate(2019)
    assert estimate.label == "estimate" and "ESTIMATE" in estimate.name and "ESTIMATE" in estimate.method
    assert estimate.to_dict()["label"] == "estimate"
    assert all(line["source"].startswith("ESTIMATE") for line in estimate.lines)
    beijing = ceads.beijing_inventory(2019).rows().set_index("ref")["co2e_t"]
    tongzhou = estimate.rows().set_index("ref")
    assert_allclose(tongzhou.loc["I.1.1", "co2e_t"], beijing["I.1.1"] * ceads.TONGZHOU_POPULATION_SHARE)
    assert tongzhou.loc["II.4.1", "notation_key"] == "NO"
    assert 0.08 < ceads.TONGZHOU_POPULATION_SHARE < 0.09


def test_estimate_label_survives_export(tmp_path):
    import openpyxl

    estimate = ceads.tongzhou_estimate(2019)
    frame = pd.read_csv(estimate.to_csv(tmp_path / "tz.csv"), dtype={"jurisdiction": str})
    assert set(frame["label"]) == {"estimate"} and set(frame["jurisdiction"]) == {"110112"}
    book = openpyxl.load_workbook(estimate.to_xlsx(tmp_path / "tz.xlsx"))
    assert book.sheetnames[0] == "GPC ESTIMATE 估算"
    about = {r[0]: r[1] for r in book["About"].iter_rows(min_row=2, values_only=True)}
    assert about["label / 类型"] == "ESTIMATE 估算" and "ESTIMATE" in about["name / 名称"]


def test_years_without_sector_detail_are_refused():
    with pytest.raises(ceads.BadInputError, match="year 2010: CEADs sector detail"):
        ceads.beijing_inventory(2010)


@needs_raw
def test_openclimate_processed_series_agree_with_ours():
    provinces = pd.read_csv(CEADS_RAW / "processed_provinces" / "EmissionsAgg.csv")
    beijing = provinces[provinces["actor_id"] == "CN-BJ"].set_index("year")["total_emissions"]
    for year in ceads.SECTOR_YEARS:  # integer tonnes in the processed file
        assert abs(beijing[year] - ceads.beijing_inventory(year).totals()["territorial_t"]) <= 1.0
    city = ceads.city_totals("Beijing")
    for year in range(1998, 2018):  # the provincial and city series agree to 1e-6 until 2017
        assert_allclose(beijing[year], city[year], rtol=1e-6)
