"""RFC 8785 canonical JSON: the number, string and ordering rules, pinned to the RFC's own examples."""

import math
import struct

import orjson
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from citytwin.errors import BadInputError
from citytwin.twin.canonical import canonicalize, format_number
from citytwin.twin.entries import encode_observations

# RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text.
APPENDIX_B = {
    "0000000000000000": "0",
    "8000000000000000": "0",
    "0000000000000001": "5e-324",
    "8000000000000001": "-5e-324",
    "7fefffffffffffff": "1.7976931348623157e+308",
    "ffefffffffffffff": "-1.7976931348623157e+308",
    "4340000000000000": "9007199254740992",
    "c340000000000000": "-9007199254740992",
    "4430000000000000": "295147905179352830000",
    "44b52d02c7e14af5": "9.999999999999997e+22",
    "44b52d02c7e14af6": "1e+23",
    "44b52d02c7e14af7": "1.0000000000000001e+23",
    "444b1ae4d6e2ef4e": "999999999999999700000",
    "444b1ae4d6e2ef4f": "999999999999999900000",
    "444b1ae4d6e2ef50": "1e+21",
    "3eb0c6f7a0b5ed8c": "9.999999999999997e-7",
    "3eb0c6f7a0b5ed8d": "0.000001",
    "41b3de4355555553": "333333333.3333332",
    "41b3de4355555554": "333333333.33333325",
    "41b3de4355555555": "333333333.3333333",
    "41b3de4355555556": "333333333.3333334",
    "41b3de4355555557": "333333333.33333343",
    "becbf647612f3696": "-0.0000033333333333333333",
    "43143ff3c1cb0959": "1424953923781206.2",
}


@pytest.mark.parametrize("bits,text", APPENDIX_B.items())
def test_numbers_match_rfc8785_appendix_b(bits, text):
    assert format_number(struct.unpack(">d", bytes.fromhex(bits))[0]) == text


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused(value):
    with pytest.raises(BadInputError, match="finite number"):
        canonicalize({"value": value})


def test_member_order_is_by_utf16_code_units_and_strings_escape_only_what_they_must():
    # RFC 8785 §3.2.3 example: "\u20ac" (Euro) sorts before the emoji U+1F600 (surrogate D83D)
    doc = {"\U0001f600": 3, "\u20ac": 2, "\r": 1, "1": 4, "\u0080": 5, "a": "\u00e9\x1f\"\\/"}
    assert canonicalize(doc) == (
        '{"\\r":1,"1":4,"a":"\u00e9\\u001f\\"\\\\/","\u0080":5,"\u20ac":2,"\U0001f600":3}'.encode()
    )


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_numbers_round_trip(value):
    assert float(format_number(value)) == value


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6), min_size=1))
def test_fast_observation_encoding_equals_the_general_encoder(values):
    frame = pd.DataFrame({
        "entity_id": "urn:ngsi-ld:AirQualityObserved:x",
        "attribute": "pm25",
        "observed_at": pd.Timestamp("2024-01-01T00:00:00.5Z"),
        "value": values,
        "unit": "ug/m3",
        "source": "t\u00e9st",
    })
    for entry, value in zip(encode_observations(frame), values, strict=True):
        doc = orjson.loads(entry)
        assert doc["value"] == value
        assert entry == canonicalize(doc)
        assert doc["observed_at"] == "2024-01-01T00:00:00.500000Z"
