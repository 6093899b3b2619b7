"""Search filters: validate a filter tree once, then evaluate it against stored objects.

A filter is ``{"field", "operator", "value"}``; ``in``, ``not_in``, ``includes_all_of`` and
``time_range`` take ``"values": [...]`` instead; ``and`` / ``or`` take ``"subfilters"``. The
tree may be at most three levels deep, counting the top. String operators
(``string_contains``, ``starts_with``, ...) ignore case; ``equals`` does not. On a list field
(``tags``) ``equals`` and ``contains`` mean membership and ``in`` means any overlap.
``time_range`` is ``[start, end)``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from ._protocol import ApiError
from ._validate import parse_time, parse_time_lenient

__all__ = [
    "MAX_DEPTH",
    "OPERATORS",
    "FieldGetter",
    "Predicate",
    "compile_filter",
    "key",
    "ref",
]

MAX_DEPTH = 3
FieldGetter = Callable[[Mapping[str, Any]], Any]
Predicate = Callable[[Mapping[str, Any]], bool]

_VALUES_OPS = frozenset({"in", "not_in", "includes_all_of", "time_range"})
_NO_VALUE_OPS = frozenset({"is_set", "is_unset"})
_TIME_OPS = frozenset({"time_is_after", "time_is_before"})
_ORDER_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "greater_than": operator.gt,
    "less_than": operator.lt,
    "greater_than_or_equals": operator.ge,
    "less_than_or_equals": operator.le,
}
_STRING_OPS: dict[str, Callable[[str, str], bool]] = {
    "string_contains": lambda have, want: want in have,
    "string_does_not_contain": lambda have, want: want not in have,
    "starts_with": str.startswith,
    "ends_with": str.endswith,
}
OPERATORS = frozenset(
    {"and", "or", "equals", "not_equals", "contains", "does_not_contain"}
    | _VALUES_OPS
    | _NO_VALUE_OPS
    | _TIME_OPS
    | _ORDER_OPS.keys()
    | _STRING_OPS.keys()
)


def key(name: str) -> FieldGetter:
    """Read a top-level field."""
    return lambda obj: obj.get(name)


def ref(name: str, *path: str) -> FieldGetter:
    """Read the id of a nested reference such as ``account{id}`` or ``assignee{user{id}}``."""
    keys = (name, *path, "id")

    def get(obj: Mapping[str, Any]) -> Any:
        value: Any = obj
        for step in keys:
            if not isinstance(value, Mapping):
                return None
            value = value.get(step)
        return value

    return get


def compile_filter(raw: Any, fields: Mapping[str, FieldGetter], *, depth: int = 1) -> Predicate:
    """Validate ``raw`` against ``fields`` and return a predicate; 400 on any problem."""
    if not isinstance(raw, dict):
        raise ApiError.bad_request("filter must be an object")
    op = raw.get("operator")
    if op not in OPERATORS:
        raise ApiError.bad_request(
            f"unknown filter operator {op!r}; expected one of {', '.join(sorted(OPERATORS))}"
        )
    if depth > MAX_DEPTH:
        raise ApiError.bad_request(f"filter is nested more than {MAX_DEPTH} levels deep")
    if op in ("and", "or"):
        subs = raw.get("subfilters")
        if not isinstance(subs, list) or not subs:
            raise ApiError.bad_request(f"operator {op!r} needs a non-empty subfilters array")
        preds = [compile_filter(sub, fields, depth=depth + 1) for sub in subs]
        combine = all if op == "and" else any
        return lambda obj: combine(p(obj) for p in preds)
    field = raw.get("field")
    if not isinstance(field, str) or field not in fields:
        raise ApiError.bad_request(
            f"unknown filter field {field!r}; expected one of {', '.join(sorted(fields))}"
        )
    getter = fields[field]
    test = _leaf(op, field, raw)
    return lambda obj: test(getter(obj))


def _leaf(op: str, field: str, raw: Mapping[str, Any]) -> Callable[[Any], bool]:
    if op in _NO_VALUE_OPS:
        want_set = op == "is_set"
        return lambda have: _is_set(have) == want_set
    if op in _VALUES_OPS:
        values = raw.get("values")
        if not isinstance(values, list) or not values:
            raise ApiError.bad_request(
                f"operator {op!r} on {field!r} needs a non-empty values array"
            )
        return _values_test(op, field, values)
    if "value" not in raw or raw["value"] is None:
        raise ApiError.bad_request(f"operator {op!r} on {field!r} needs a value")
    value = raw["value"]
    if op in _TIME_OPS:
        moment = _moment(value, field)
        after = op == "time_is_after"
        return lambda have: (
            (t := _as_time(have)) is not None and (t > moment if after else t < moment)
        )
    if op in _STRING_OPS:
        if not isinstance(value, str):
            raise ApiError.bad_request(f"operator {op!r} on {field!r} needs a string value")
        check = _STRING_OPS[op]
        negative = op == "string_does_not_contain"
        return lambda have: (
            check(have.lower(), value.lower()) if isinstance(have, str) else negative
        )
    if op in _ORDER_OPS:
        return _order_test(_ORDER_OPS[op], value)
    member = _member_test(value)
    return member if op in ("equals", "contains") else (lambda have: not member(have))


def _is_set(have: Any) -> bool:
    return have not in (None, "", [], {})


def _member_test(value: Any) -> Callable[[Any], bool]:
    return lambda have: value in have if isinstance(have, list) else bool(have == value)


def _values_test(op: str, field: str, values: list[Any]) -> Callable[[Any], bool]:
    if op == "time_range":
        if len(values) != 2:
            raise ApiError.bad_request(f"time_range on {field!r} needs exactly two values")
        start, end = (_moment(v, field) for v in values)
        return lambda have: (t := _as_time(have)) is not None and start <= t < end
    wanted = list(values)

    def overlaps(have: Any) -> bool:
        return any(v in wanted for v in have) if isinstance(have, list) else have in wanted

    if op == "in":
        return overlaps
    if op == "not_in":
        return lambda have: not overlaps(have)
    return lambda have: isinstance(have, list) and all(v in have for v in wanted)


def _order_test(compare: Callable[[Any, Any], bool], value: Any) -> Callable[[Any], bool]:
    moment = parse_time(value) if isinstance(value, str) else None

    def test(have: Any) -> bool:
        if moment is not None:
            t = _as_time(have)
            return t is not None and compare(t, moment)
        try:
            return have is not None and compare(have, value)
        except TypeError:
            return False

    return test


def _moment(value: Any, field: str) -> datetime:
    moment = parse_time(value) if isinstance(value, str) else None
    if moment is None:
        raise ApiError.bad_request(f"{field!r} filter needs RFC 3339 date-times, got {value!r}")
    return moment


def _as_time(have: Any) -> datetime | None:
    return parse_time_lenient(have) if isinstance(have, str) and have else None
