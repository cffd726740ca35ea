"""Canonical bytes of twin records: RFC 8785 JSON Canonicalization Scheme (JCS).

The log stores each accepted record as its JCS bytes, so that anyone re-encoding the
stored row gets the same bytes and therefore the same leaf hash (RFC 9162 §2.1.1).

RFC 8785 in brief (the clauses this module follows):

* §3.2.1 — no whitespace between tokens;
* §3.2.2.2 — strings: UTF-8, with only `"`, `\\`, and U+0000..U+001F escaped, using the
  short forms ``\\b \\t \\n \\f \\r`` where they exist and ``\\u00xx`` (lower-case hex) otherwise;
* §3.2.2.3 — numbers serialised as ECMAScript ``Number.prototype.toString`` does
  (ECMA-262, 7.1.12.1): shortest round-tripping digits, integers without ``.0``, exponent form
  only below 1e-6 or from 1e21 on, ``e+``/``e-`` without leading zeros; NaN and infinities are
  not JSON and are refused;
* §3.2.3 — object members sorted by the UTF-16 code units of their names.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from citytwin.errors import BadInputError

__all__ = ["canonicalize", "format_number", "format_string"]

_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
_ESCAPES = {chr(c): _SHORT_ESCAPES.get(chr(c), f"\\u{c:04x}") for c in range(0x20)}
_ESCAPES.update(_SHORT_ESCAPES)
_ESCAPE_TABLE = str.maketrans(_ESCAPES)


def format_string(value: str) -> str:
    """A JSON string literal per RFC 8785 §3.2.2.2."""
    return '"' + value.translate(_ESCAPE_TABLE) + '"'


def format_number(value: float | int) -> str:
    """A JSON number per RFC 8785 §3.2.2.3 (ECMA-262 Number::toString).

    Raises `BadInputError` for NaN and infinities, which JSON cannot represent.
    """
    if isinstance(value, bool):
        raise BadInputError(f"number expected, got boolean {value!r}")
    if isinstance(value, int):
        if abs(value) > 2**53:
            raise BadInputError(f"integer {value} is outside the IEEE 754 double range that RFC 8785 allows")
        return str(value)
    if not math.isfinite(value):
        raise BadInputError(f"a finite number was expected, got {value!r}")
    if value == 0:
        return "0"  # -0 serialises as 0 (ECMA-262 7.1.12.1 step 2)
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    # repr gives the shortest round-tripping digits (Python's float repr, David Gay's algorithm);
    # only the layout differs from ECMAScript's, so re-lay the digits out.
    mantissa, _, exp_text = repr(abs(value)).partition("e")
    int_part, _, frac_part = mantissa.partition(".")
    digits = (int_part + frac_part).lstrip("0") or "0"
    # decimal exponent n such that value = 0.d1d2... x 10^n  (ECMA-262 notation)
    n = len(int_part.lstrip("0")) if int_part.strip("0") else -(len(frac_part) - len(frac_part.lstrip("0")))
    n += int(exp_text or 0)
    digits = digits.rstrip("0") or "0"
    k = len(digits)
    sign = "-" if value < 0 else ""
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        exponent = n - 1
        head = digits[0] + ("." + digits[1:] if k > 1 else "")
        text = f"{head}e{'+' if exponent >= 0 else '-'}{abs(exponent)}"
    return sign + text


def _encode(value: object, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(format_string(value))
    elif isinstance(value, int | float):
        out.append(format_number(value))
    elif isinstance(value, Mapping):
        out.append("{")
        keys = sorted(value, key=_utf16_key)
        for i, key in enumerate(keys):
            if not isinstance(key, str):
                raise BadInputError(f"object member names must be strings, got {key!r}")
            if i:
                out.append(",")
            out.append(format_string(key))
            out.append(":")
            _encode(value[key], out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _encode(item, out)
        out.append("]")
    else:
        raise BadInputError(f"a JSON value was expected, got {type(value).__name__} {value!r}")


def _utf16_key(name: object) -> bytes:
    return name.encode("utf-16-be") if isinstance(name, str) else b""


def canonicalize(value: object) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a JSON value (dict, list, str, number, bool, None)."""
    out: list[str] = []
    _encode(value, out)
    return "".join(out).encode("utf-8")
