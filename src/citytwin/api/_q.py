"""The NGSI-LD query language (ETSI GS CIM 009, §4.9): parse ``q`` and test it on an entity.

Supported: terms ``attr`` (the attribute exists), ``attr op value`` with ``==``, ``!=``,
``>``, ``>=``, ``<``, ``<=``, ``~=`` (regular expression) and ``!~=``; values as numbers,
``"quoted strings"``, ``true``/``false``, unquoted date-times or URIs, lists ``a,b,c`` (equal to
any) and ranges ``a..b`` (inclusive); attribute paths ``attr.subAttr`` (``observedAt``,
``unitCode``) and ``attr[key.key]`` into compound values; ``;`` (and), ``|`` (or) and
parentheses. ``;`` binds tighter than ``|``. A term on an attribute the entity lacks is false.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from citytwin.api.problems import InvalidRequest

__all__ = ["Query", "parse_q"]

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<open>\()|(?P<close>\))|(?P<and>;)|(?P<or>\|)
    | (?P<op>==|!=|>=|<=|!~=|~=|>|<)
    | (?P<path>[A-Za-z_@][\w:/#@-]*(?:\.[A-Za-z_][\w:/#@-]*)*(?:\[[^\]]+\])?)
    )""",
    re.VERBOSE,
)
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$")


@dataclass(frozen=True)
class _Term:
    attribute: str
    sub: str | None
    keys: tuple[str, ...]
    op: str | None
    value: Any  # a scalar, ("range", lo, hi), ("list", [...]) or a compiled regex


def _scalar(text: str) -> Any:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    if _NUMBER.match(text):
        return float(text)
    if text in ("true", "false"):
        return text == "true"
    if not text:
        raise InvalidRequest("q: a comparison lacks its value")
    return text


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    parts, current, quoted = [], "", False
    i = 0
    while i < len(text):
        if text[i] == '"':
            quoted = not quoted
        if not quoted and text.startswith(separator, i):
            parts.append(current)
            current = ""
            i += len(separator)
            continue
        current += text[i]
        i += 1
    parts.append(current)
    return parts


def _value(text: str, op: str) -> Any:
    if op in ("~=", "!~="):
        pattern = text.strip()
        if len(pattern) >= 2 and pattern[0] == pattern[-1] == '"':
            pattern = pattern[1:-1]
        try:
            return re.compile(pattern)
        except re.error as e:
            raise InvalidRequest(f"q: {pattern!r} is not a valid regular expression: {e}") from None
    items = _split_outside_quotes(text, ",")
    if len(items) > 1:
        return ("list", [_scalar(i) for i in items])
    bounds = _split_outside_quotes(text, "..")
    if len(bounds) == 2:
        return ("range", _scalar(bounds[0]), _scalar(bounds[1]))
    return _scalar(text)


def _read_value(q: str, pos: int) -> tuple[str, int]:
    """The raw value text from `pos` up to the next ``;``, ``|`` or unbalanced ``)`` outside quotes."""
    quoted, depth, start = False, 0, pos
    while pos < len(q):
        c = q[pos]
        if c == '"':
            quoted = not quoted
        elif not quoted:
            if c in ";|" and depth == 0:
                break
            if c == "(":
                depth += 1
            elif c == ")":
                if depth == 0:
                    break
                depth -= 1
        pos += 1
    if quoted:
        raise InvalidRequest(f"q: unterminated quoted string at position {start}")
    return q[start:pos], pos


class Query:
    """A parsed ``q`` expression: a disjunction of conjunctions of terms or groups."""

    def __init__(self, any_of: list[list]) -> None:
        self.any_of = any_of

    def matches(self, values: dict, meta: dict | None = None) -> bool:
        """Whether an entity whose attribute values are `values` (keyValues) and whose
        sub-attributes are `meta[attr][sub]` satisfies the query."""
        return any(all(_test(t, values, meta or {}) for t in group) for group in self.any_of)


def _test(term, values: dict, meta: dict) -> bool:
    if isinstance(term, Query):
        return term.matches(values, meta)
    if term.attribute not in values:
        return False
    target = meta.get(term.attribute, {}).get(term.sub) if term.sub else values[term.attribute]
    for key in term.keys:
        target = target.get(key) if isinstance(target, dict) else None
    if term.op is None:
        return target is not None
    if target is None:
        return False
    candidates = target if isinstance(target, list) else [target]
    if term.op == "!=":
        return not any(_compare("==", c, term.value) for c in candidates)
    if term.op == "!~=":
        return not any(_compare("~=", c, term.value) for c in candidates)
    return any(_compare(term.op, c, term.value) for c in candidates)


def _compare(op: str, actual: Any, expected: Any) -> bool:
    if op == "~=":
        return isinstance(actual, str) and expected.search(actual) is not None
    if isinstance(expected, tuple) and expected[0] == "list":
        return op == "==" and any(_compare("==", actual, e) for e in expected[1])
    if isinstance(expected, tuple) and expected[0] == "range":
        return op == "==" and _compare(">=", actual, expected[1]) and _compare("<=", actual, expected[2])
    if isinstance(actual, bool) or isinstance(expected, bool):
        return op == "==" and isinstance(actual, bool) and isinstance(expected, bool) and actual == expected
    if isinstance(actual, str) and isinstance(expected, float):
        try:  # an unquoted number against a text value such as a jurisdiction code
            actual = float(actual)
        except ValueError:
            return False
    comparable = (isinstance(actual, int | float) and isinstance(expected, float)) or (
        isinstance(actual, str) and isinstance(expected, str))
    if not comparable:
        return False
    if op == "==":
        return actual == expected
    if op == ">":
        return actual > expected
    if op == ">=":
        return actual >= expected
    if op == "<":
        return actual < expected
    if op == "<=":
        return actual <= expected
    return False


def parse_q(q: str) -> Query:
    """Parse a ``q`` expression; `InvalidRequest` naming the position of a syntax error."""
    if not q or not q.strip():
        raise InvalidRequest("q: empty query")
    query, pos = _parse_or(q, 0)
    if pos < len(q.rstrip()):
        raise InvalidRequest(f"q: unexpected {q[pos:pos + 10]!r} at position {pos}")
    return query


def _parse_or(q: str, pos: int) -> tuple[Query, int]:
    groups, group = [], []
    while True:
        term, pos = _parse_term(q, pos)
        group.append(term)
        m = _TOKEN.match(q, pos)
        if m and m.group("and"):
            pos = m.end()
        elif m and m.group("or"):
            groups.append(group)
            group = []
            pos = m.end()
        else:
            groups.append(group)
            return Query(groups), pos


def _parse_term(q: str, pos: int):
    m = _TOKEN.match(q, pos)
    if m is None or not (m.group("open") or m.group("path")):
        raise InvalidRequest(f"q: expected an attribute or '(' at position {pos}")
    if m.group("open"):
        inner, pos = _parse_or(q, m.end())
        close = _TOKEN.match(q, pos)
        if close is None or not close.group("close"):
            raise InvalidRequest(f"q: expected ')' at position {pos}")
        return inner, close.end()
    path = m.group("path")
    pos = m.end()
    keys: tuple[str, ...] = ()
    if "[" in path:
        path, _, rest = path.partition("[")
        keys = tuple(rest.rstrip("]").split("."))
    attribute, _, sub = path.partition(".")
    op_match = _TOKEN.match(q, pos)
    if op_match is None or not op_match.group("op"):
        return _Term(attribute, sub or None, keys, None, None), pos
    op = op_match.group("op")
    text, pos = _read_value(q, op_match.end())
    return _Term(attribute, sub or None, keys, op, _value(text, op)), pos
