"""Search filters: the rules Pylon applies to a filter tree, checked before sending.

Pylon's search endpoints (``POST /issues/search``, ``/accounts/search``, ...) take a body
``{"filter": {...}, "cursor": "...", "limit": 100}``. A filter is one of:

- a leaf ``{"field": ..., "operator": ..., "value": ...}``;
- a leaf ``{"field": ..., "operator": ..., "values": [...]}`` for ``in``, ``not_in``,
  ``includes_all_of`` and ``time_range``;
- a leaf ``{"field": ..., "operator": "is_set" | "is_unset"}`` with no value;
- a compound ``{"operator": "and" | "or", "subfilters": [...]}`` with no field.

The tree is at most 3 levels deep, counting the top. :func:`validate_filter` checks all of this
before anything is sent, so a mistake is reported with the path of the offending node rather than
as a bare 400 from Pylon.

The builder in ``_filters.builder`` (``F``, ``Filter``, ``and_``, ``or_``) produces trees that
pass through :func:`validate_filter` too. Everything here is pure: no I/O.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from .._exceptions import InvalidFilterError, PylonInputError
from .._export.windows import format_rfc3339, to_utc

__all__ = ["MAX_FILTER_DEPTH", "OPERATORS", "validate_filter"]

MAX_FILTER_DEPTH = 3
"""The deepest filter tree Pylon accepts, counting the top node as level 1."""

_VALUE_OPERATORS = frozenset(
    {
        "equals",
        "not_equals",
        "contains",
        "does_not_contain",
        "time_is_after",
        "time_is_before",
        "string_contains",
        "string_does_not_contain",
        "starts_with",
        "ends_with",
        "greater_than",
        "less_than",
        "greater_than_or_equals",
        "less_than_or_equals",
    }
)
_VALUES_OPERATORS = frozenset({"in", "not_in", "includes_all_of", "time_range"})
_NO_VALUE_OPERATORS = frozenset({"is_set", "is_unset"})
_COMPOUND_OPERATORS = frozenset({"and", "or"})

OPERATORS = _VALUE_OPERATORS | _VALUES_OPERATORS | _NO_VALUE_OPERATORS | _COMPOUND_OPERATORS
"""Every operator Pylon's search filters accept."""

_KEYS = frozenset({"field", "operator", "value", "values", "subfilters"})


def validate_filter(filter: Mapping[str, Any]) -> dict[str, Any]:
    """Check a filter tree and return a plain ``dict`` copy ready for JSON.

    The rules: only known operators; ``value`` for comparison operators, ``values`` (a non-empty
    list) for ``in``, ``not_in``, ``includes_all_of`` and ``time_range``, neither for ``is_set``
    and ``is_unset``; ``and`` / ``or`` take a non-empty ``subfilters`` list and no field; leaves
    need a non-empty string ``field``; no unknown keys; at most 3 levels deep.

    A key whose value is ``None`` counts as absent and is left out of the copy, because Pylon
    treats ``null`` as omitted. Datetimes and dates in ``value`` / ``values`` become RFC 3339
    strings in UTC (a naive datetime is an error, as everywhere in this library).

    >>> validate_filter({"field": "state", "operator": "in", "values": ["new", "on_hold"]})
    {'field': 'state', 'operator': 'in', 'values': ['new', 'on_hold']}

    Raises:
        InvalidFilterError: with the path of the offending node, e.g.
            ``filter.subfilters[1].operator: unknown operator 'eq' (did you mean 'equals'?)``.

    """
    return _validate_node(_as_mapping(filter), "filter", 1)


def _validate_node(node: object, path: str, depth: int) -> dict[str, Any]:
    if not isinstance(node, Mapping):
        raise InvalidFilterError(
            f"{path}: expected a mapping (dict) or Filter, got {type(node).__name__}: {node!r}"
        )
    if depth > MAX_FILTER_DEPTH:
        raise InvalidFilterError(
            f"{path}: filter is nested {depth} levels deep; Pylon allows at most "
            f"{MAX_FILTER_DEPTH}, counting the top"
        )
    unknown = sorted(repr(key) for key in node if key not in _KEYS)
    if unknown:
        raise InvalidFilterError(
            f"{path}: unknown key {', '.join(unknown)}; a filter has only "
            f"{', '.join(sorted(_KEYS))}"
        )
    # null equals omitted on Pylon's side, so None-valued keys are treated as absent.
    present = {key: value for key, value in node.items() if value is not None}

    operator = present.get("operator")
    if operator is None:
        raise InvalidFilterError(f"{path}.operator: missing")
    if not isinstance(operator, str) or operator not in OPERATORS:
        raise InvalidFilterError(f"{path}.operator: unknown operator {operator!r}{_hint(operator)}")

    if operator in _COMPOUND_OPERATORS:
        return _validate_compound(present, operator, path, depth)

    if "subfilters" in present:
        raise InvalidFilterError(
            f"{path}.subfilters: only 'and' and 'or' take subfilters, not {operator!r}"
        )
    field = present.get("field")
    if field is None:
        raise InvalidFilterError(f"{path}.field: missing (operator {operator!r} needs a field)")
    if not isinstance(field, str) or not field.strip():
        raise InvalidFilterError(f"{path}.field: must be a non-empty string, got {field!r}")
    out: dict[str, Any] = {"field": field, "operator": operator}

    if operator in _VALUE_OPERATORS:
        if "values" in present:
            raise InvalidFilterError(
                f"{path}.values: operator {operator!r} takes 'value', not 'values'"
            )
        if "value" not in present:
            raise InvalidFilterError(
                f"{path}.value: missing (operator {operator!r} needs a value; "
                f"to match an empty field use 'is_unset')"
            )
        value = present["value"]
        if isinstance(value, list | tuple | set | frozenset):
            raise InvalidFilterError(
                f"{path}.value: operator {operator!r} takes one value, got a "
                f"{type(value).__name__}; use 'in' with 'values' to match any of several"
            )
        out["value"] = _json_scalar(value, f"{path}.value")
    elif operator in _VALUES_OPERATORS:
        if "value" in present:
            raise InvalidFilterError(
                f"{path}.value: operator {operator!r} takes 'values' (a list), not 'value'"
            )
        if "values" not in present:
            raise InvalidFilterError(f"{path}.values: missing (operator {operator!r} needs values)")
        values = present["values"]
        if not isinstance(values, list | tuple):
            raise InvalidFilterError(
                f"{path}.values: must be a list, got {type(values).__name__}: {values!r}"
            )
        if not values:
            raise InvalidFilterError(f"{path}.values: must not be empty")
        out["values"] = [_json_scalar(v, f"{path}.values[{i}]") for i, v in enumerate(values)]
    else:  # is_set / is_unset
        for key in ("value", "values"):
            if key in present:
                raise InvalidFilterError(f"{path}.{key}: operator {operator!r} takes no value")
    return out


def _validate_compound(
    present: Mapping[str, Any], operator: str, path: str, depth: int
) -> dict[str, Any]:
    for key in ("field", "value", "values"):
        if key in present:
            raise InvalidFilterError(
                f"{path}.{key}: operator {operator!r} takes only subfilters, not {key!r}"
            )
    subfilters = present.get("subfilters")
    if subfilters is None:
        raise InvalidFilterError(
            f"{path}.subfilters: missing (operator {operator!r} needs a list of filters)"
        )
    if not isinstance(subfilters, list | tuple):
        raise InvalidFilterError(
            f"{path}.subfilters: must be a list, got {type(subfilters).__name__}"
        )
    if not subfilters:
        raise InvalidFilterError(f"{path}.subfilters: must not be empty")
    return {
        "operator": operator,
        "subfilters": [
            _validate_node(_as_mapping(sub), f"{path}.subfilters[{i}]", depth + 1)
            for i, sub in enumerate(subfilters)
        ],
    }


def _as_mapping(node: object) -> object:
    # A Filter (_filter_builder) may appear inside a dict tree; its raw form is validated along
    # with the rest. Duck-typed, so this module need not import the builder that imports it.
    raw = getattr(node, "_raw", None)
    return raw() if callable(raw) and not isinstance(node, Mapping) else node


def _json_scalar(value: object, path: str) -> Any:
    # Filter values are single JSON scalars; catching a set, a dict or an object here gives a
    # pathed message instead of a TypeError from the JSON encoder later.
    if isinstance(value, datetime | date):
        try:
            return format_rfc3339(to_utc(value, name=path))
        except PylonInputError as exc:
            # Re-raised as InvalidFilterError so callers catch one type for every filter mistake.
            raise InvalidFilterError(str(exc)) from exc
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidFilterError(f"{path}: {value!r} is not valid JSON")
    if isinstance(value, str | int | float | bool):
        return value
    raise InvalidFilterError(
        f"{path}: expected a string, number, boolean or datetime, "
        f"got {type(value).__name__}: {value!r}"
    )


# Spellings from other query languages; too short for difflib to match them reliably.
_ALIASES = {
    "eq": "equals",
    "ne": "not_equals",
    "neq": "not_equals",
    "gt": "greater_than",
    "gte": "greater_than_or_equals",
    "lt": "less_than",
    "lte": "less_than_or_equals",
    "nin": "not_in",
}


def _hint(operator: object) -> str:
    if not isinstance(operator, str):
        return ""
    alias = _ALIASES.get(operator.lower())
    close = [alias] if alias else difflib.get_close_matches(operator, sorted(OPERATORS), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
