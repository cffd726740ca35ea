"""UCUM unit conversion of observations."""

import pytest
from numpy.testing import assert_allclose

from citytwin.errors import BadInputError
from citytwin.twin.units import convert


@pytest.mark.parametrize(
    "value,source,target,expected",
    [
        (1.0, "mg/m3", "ug/m3", 1000.0),
        (1500.0, "ug/m3", "mg/m3", 1.5),
        (0.0, "Cel", "K", 273.15),
        (212.0, "[degF]", "Cel", 100.0),
        (101325.0, "Pa", "hPa", 1013.25),
        (36.0, "km/h", "m/s", 10.0),
        (1.0, "kWh", "MJ", 3.6),
        (50.0, "%", "1", 0.5),
        (3.0, "µg/m3", "ug/m3", 3.0),
    ],
)
def test_conversions(value, source, target, expected):
    assert_allclose(convert(value, source, target), expected)


def test_arrays_convert_elementwise():
    assert_allclose(convert([0.0, 100.0], "Cel", "[degF]"), [32.0, 212.0])


def test_unknown_unit_is_refused_with_its_name():
    with pytest.raises(BadInputError, match="unknown unit 'furlong'"):
        convert(1.0, "furlong", "m")


def test_other_dimension_is_refused():
    with pytest.raises(BadInputError, match="'hPa' \\(pressure\\) cannot be converted to 'ug/m3'"):
        convert(1.0, "hPa", "ug/m3")
