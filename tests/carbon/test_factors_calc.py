"""Factor library and one-activity calculator: the issue's pinned figures come from the tables."""

import math

import pytest
from numpy.testing import assert_allclose

from citytwin.carbon import factors
from citytwin.carbon.calc import emissions
from citytwin.errors import BadInputError


def _table_value(table, **where):
    rows = table
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, where
    return float(rows["value"].iloc[0])


def test_diesel_1000_t_gives_3186_3_t_co2_from_the_ipcc_table():
    table = factors.fuel_table()
    ncv = _table_value(table, fuel="diesel", parameter="ncv")  # TJ/Gg
    ef = _table_value(table, fuel="diesel", parameter="co2")  # kg/TJ
    expected_t = 1000 * 1e-3 * ncv * ef / 1000  # t → Gg, × TJ/Gg × kg/TJ, kg → t
    result = emissions("diesel", 1000, "t")
    assert_allclose(result.co2_t, expected_t, rtol=1e-12)
    assert round(result.co2_t, 1) == 3186.3
    used = {f["parameter"]: f for f in result.factors}
    assert used["ncv"]["table"] == "Ch. 1, Table 1.2"
    assert "IPCC" in used["co2"]["source"]


def test_one_gwh_in_2022_gives_536_6_t_co2_from_the_national_average():
    table = factors.electricity_table()
    ef = _table_value(table, region_code="CN", data_year=2022, kind="national_average")  # kgCO2/kWh
    result = emissions("electricity", 1, "GWh", year=2022)
    assert_allclose(result.co2_t, 1e6 * ef / 1000, rtol=1e-12)
    assert round(result.co2_t, 1) == 536.6
    assert result.ch4_t == 0 and result.co2e_t == result.co2_t
    assert "MEE" in result.factors[0]["source"]


def test_national_factors_of_each_year_and_the_2023_provincial_table():
    assert factors.electricity_factor(2021).value == 0.5568
    assert factors.electricity_factor(2023).value == 0.5306
    assert factors.electricity_factor(2023, "CN-BJ").value == pytest.approx(0.5554)
    assert factors.electricity_factor(2023, "CN-NORTH").value == 0.6361
    provinces = factors.electricity_table().query("kind == 'provincial' and data_year == 2023")
    assert len(provinces) == 30


def test_every_factor_row_carries_its_provenance():
    for table in (factors.fuel_table(), factors.electricity_table(), factors.gwp_table()):
        for column in ("source", "table", "year", "unit", "licence", "check"):
            assert column in table.columns
            assert table[column].notna().all(), column


@pytest.mark.parametrize("gwp_set", ["AR4", "AR5", "AR6"])
def test_gwp_set_changes_co2e_of_ch4_and_n2o_only(gwp_set):
    table = factors.gwp_table()
    ch4 = _table_value(table, set=gwp_set, gas="CH4")
    n2o = _table_value(table, set=gwp_set, gas="N2O")
    result = emissions("bituminous_coal", 500, "t", sector="I.1.1", gwp_set=gwp_set)
    assert_allclose(result.co2e_t, result.co2_t + result.ch4_t * ch4 + result.n2o_t * n2o, rtol=1e-12)
    assert result.gwp_set == gwp_set
    assert result.co2_t == emissions("bituminous_coal", 500, "t", sector="I.1.1", gwp_set="AR4").co2_t


def test_gwp_sets_give_different_co2e():
    values = {s: emissions("natural_gas", 1, "TJ", sector="II.1.1", gwp_set=s).co2e_t for s in factors.GWP_SETS}
    assert len(set(values.values())) == 3
    assert factors.gwp("CH4", "AR6").value == 27.9 and factors.gwp("N2O", "AR4").value == 298


def test_sector_selects_the_ipcc_ch4_table():
    residential = emissions("bituminous_coal", 1, "TJ", sector="I.1.1")
    energy = emissions("bituminous_coal", 1, "TJ", sector="I.4.4")
    # residential coal 300 kg/TJ (Table 2.5) vs energy industries 1 kg/TJ (Table 2.2)
    assert residential.ch4_t / energy.ch4_t == pytest.approx(
        factors.fuel_factor("bituminous_coal", "ch4", "residential").value
        / factors.fuel_factor("bituminous_coal", "ch4", "energy").value
    )
    road = emissions("gasoline", 1, "t", sector="II.1.1")
    assert road.ch4_t == pytest.approx(road.energy_tj * factors.fuel_factor("gasoline", "ch4", "road").value / 1e3)


def test_natural_gas_by_volume_uses_the_density_row():
    density = factors.fuel_factor("natural_gas", "density").value
    by_volume = emissions("natural_gas", 10_000, "m3")
    by_mass = emissions("natural_gas", 10_000 * density / 1000, "t")
    assert_allclose(by_volume.co2_t, by_mass.co2_t, rtol=1e-12)
    assert_allclose(by_volume.co2_t, 18.8496, rtol=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"activity": "diesel", "quantity": 1, "unit": "kWh"}, "unit 'kWh' does not fit fuel 'diesel'"),
        ({"activity": "diesel", "quantity": 1, "unit": "m3"}, "unit 'm3' does not fit fuel 'diesel'"),
        (
            {"activity": "electricity", "quantity": 1, "unit": "t", "year": 2022},
            "unit 't' does not fit electricity",
        ),
        ({"activity": "diesel", "quantity": -5, "unit": "t"}, "quantity -5: expected a finite number >= 0"),
        ({"activity": "diesel", "quantity": math.nan, "unit": "t"}, "quantity nan"),
        (
            {"activity": "diesel", "quantity": 1, "unit": "t", "sector": "I.9.1"},
            "sub-sector 'I.9.1' does not exist",
        ),
        (
            {"activity": "electricity", "quantity": 1, "unit": "kWh", "year": 2019},
            "no electricity factor for year 2019",
        ),
        ({"activity": "electricity", "quantity": 1, "unit": "kWh"}, "electricity needs a year"),
        (
            {"activity": "electricity", "quantity": 1, "unit": "kWh", "year": 2022, "sector": "I.1.1"},
            "scope-2",
        ),
        ({"activity": "diesel", "quantity": 1, "unit": "t", "sector": "III.1.1"}, "is not fuel combustion"),
        ({"activity": "peat", "quantity": 1, "unit": "t"}, "activity 'peat'"),
        ({"activity": "diesel", "quantity": 1, "unit": "t", "gwp_set": "AR3"}, "GWP set 'AR3'"),
        ({"activity": "jet_kerosene", "quantity": 1, "unit": "t", "sector": "II.1.1"}, "no ch4 factor"),
    ],
)
def test_bad_input_names_the_value(kwargs, match):
    with pytest.raises(BadInputError, match=match):
        emissions(**kwargs)


def test_market_based_residual_factor_and_factor_version():
    residual = emissions("electricity", 1, "GWh", year=2021, grid_kind="national_residual")
    assert residual.co2_t == pytest.approx(
        1e6 * factors.electricity_factor(2021, "CN", "national_residual").value / 1e3
    )
    assert residual.co2_t > emissions("electricity", 1, "GWh", year=2021).co2_t
    with pytest.raises(BadInputError, match="kind national_residual"):
        emissions("electricity", 1, "GWh", year=2023, grid_kind="national_residual")
    with pytest.raises(BadInputError, match="fuel factor version 'ipcc1996'"):
        emissions("diesel", 1, "t", version="ipcc1996")
