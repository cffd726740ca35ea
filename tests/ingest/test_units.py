"""Pure conversions: mixing ratios of the gases (GB 3095-2012 reference state), names and codes."""

import pytest
from numpy.testing import assert_allclose

from citytwin.errors import BadInputError
from citytwin.ingest.gases import MOLAR_VOLUME_L_PER_MOL, mixing_ratio_factor
from citytwin.ingest.vocabulary import canonical_attribute, ucum_unit


def test_molar_volume_is_the_ideal_gas_at_the_reference_state():
    r, t, p = 8.314462618, 298.15, 101.325  # J/(mol·K), K, kPa
    assert_allclose(r * t / p, MOLAR_VOLUME_L_PER_MOL, rtol=1e-4)


@pytest.mark.parametrize(("gas", "unit", "factor", "target"), [
    ("no2", "ppb", 1.880, "ug/m3"),   # the 25 °C factors tabulated by WHO and US EPA
    ("so2", "ppb", 2.618, "ug/m3"),
    ("o3", "ppb", 1.962, "ug/m3"),
    ("co", "ppm", 1.145, "mg/m3"),
    ("co", "ppb", 1.145, "ug/m3"),
])
def test_mixing_ratio_factors(gas, unit, factor, target):
    got, unit_to = mixing_ratio_factor(gas, unit)
    assert_allclose(got, factor, atol=6e-4)
    assert unit_to == target


def test_mixing_ratio_of_particles_is_refused():
    with pytest.raises(BadInputError, match=r"pm25 in 'ppb'.*only for so2, no2, o3, co"):
        mixing_ratio_factor("pm25", "ppb")


def test_mixing_ratio_needs_a_mixing_ratio_unit():
    with pytest.raises(BadInputError, match="unit 'ug/m3' is not a mixing ratio"):
        mixing_ratio_factor("no2", "ug/m3")


@pytest.mark.parametrize(("name", "expected"), [
    ("PM2.5", "pm25"), ("pm2_5", "pm25"), ("PM10", "pm10"), ("NO2", "no2"), ("TEMP", "temperature"),
    ("atmosphericPressure", "pressure"), ("WSPM", "windSpeed"), ("relativeHumidity", "relativeHumidity"),
    ("name", None), ("benzene", None),
])
def test_attribute_aliases(name, expected):
    assert canonical_attribute(name) == expected


def test_unece_codes_map_to_ucum_and_others_pass():
    assert [ucum_unit(c) for c in ("GQ", "GP", "CEL", "A97", "59", "61", "ug/m3", "furlong")] == [
        "ug/m3", "mg/m3", "Cel", "hPa", "ppm", "ppb", "ug/m3", "furlong"]
