"""Search filters: validate filter trees and build them with a small typed builder.

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

The builder reads like the query it makes::

    F("status").equals("in_progress") & F("account_id").in_(["a", "b"])

Everything here is pure: no I/O.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import attrs

from ._errors import InvalidFilterError, PylonInputError
from ._windows import format_rfc3339, to_utc

__all__ = [
    "MAX_FILTER_DEPTH",
    "OPERATORS",
    "F",
    "Filter",
    "and_",
    "filter_to_dict",
    "or_",
    "validate_filter",
]

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
    # A Filter may appear inside a dict tree; its raw form is validated along with the rest.
    return node._raw() if isinstance(node, Filter) else node


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


def _to_tuple(values: Iterable[Any], method: str) -> tuple[Any, ...]:
    # Iterating a string gives its characters: F("id").in_("abc") would silently search for
    # "a", "b" and "c". Refuse it, like a mapping, which would give only its keys.
    if isinstance(values, str | bytes | Mapping):
        raise InvalidFilterError(
            f"{method}() takes a list of values, got {type(values).__name__}: {values!r}"
        )
    return tuple(values)


@attrs.frozen
class Filter:
    """An immutable search filter; build it with :class:`F`, :func:`and_` and :func:`or_`.

    ``a & b`` is ``and``, ``a | b`` is ``or``; chains of the same operator are flattened, so
    ``a & b & c`` is one ``and`` with three subfilters. :meth:`to_dict` validates the tree and
    returns the JSON body Pylon expects.

    >>> (F("state").equals("new") | F("state").equals("on_hold")).to_dict()
    ... # doctest: +NORMALIZE_WHITESPACE
    {'operator': 'or', 'subfilters': [{'field': 'state', 'operator': 'equals', 'value': 'new'},
                                     {'field': 'state', 'operator': 'equals', 'value': 'on_hold'}]}
    """

    operator: str
    field: str | None = None
    value: Any = None
    values: tuple[Any, ...] | None = None
    subfilters: tuple[Filter, ...] = ()

    def __and__(self, other: Filter) -> Filter:
        if not isinstance(other, Filter):  # e.g. a dict: let Python raise TypeError
            return NotImplemented
        return _combine("and", (self, other))

    def __or__(self, other: Filter) -> Filter:
        if not isinstance(other, Filter):  # e.g. a dict: let Python raise TypeError
            return NotImplemented
        return _combine("or", (self, other))

    def to_dict(self) -> dict[str, Any]:
        """Validate the filter and return it as a plain dict ready for JSON.

        Raises:
            InvalidFilterError: the filter breaks one of Pylon's rules (see validate_filter).

        """
        return validate_filter(self._raw())

    def _raw(self) -> dict[str, Any]:
        if self.operator in _COMPOUND_OPERATORS:
            return {"operator": self.operator, "subfilters": [f._raw() for f in self.subfilters]}
        raw: dict[str, Any] = {"field": self.field, "operator": self.operator}
        if self.operator in _VALUES_OPERATORS:
            raw["values"] = list(self.values or ())
        elif self.operator in _VALUE_OPERATORS:
            raw["value"] = self.value
        return raw


def _combine(operator: str, filters: Sequence[Filter]) -> Filter:
    # Flattening a & b & c into one node keeps the tree shallow: Pylon allows only 3 levels.
    subfilters: list[Filter] = []
    for f in filters:
        if f.operator == operator:
            subfilters.extend(f.subfilters)
        else:
            subfilters.append(f)
    return Filter(operator, subfilters=tuple(subfilters))


def and_(*filters: Filter) -> Filter:
    """Return a filter matching when every one of ``filters`` matches.

    Nested ``and`` filters are flattened into one; a single filter is returned unchanged, since
    an ``and`` of one filter would only spend a level of the 3 Pylon allows.

    >>> and_(F("state").equals("new"), F("account_id").is_set()).operator
    'and'
    """
    return _compound("and", filters)


def or_(*filters: Filter) -> Filter:
    """Return a filter matching when any one of ``filters`` matches.

    Nested ``or`` filters are flattened into one; a single filter is returned unchanged.

    >>> or_(F("state").equals("new"), F("state").equals("on_hold")).operator
    'or'
    """
    return _compound("or", filters)


def _compound(operator: str, filters: Sequence[Filter]) -> Filter:
    if not filters:
        raise InvalidFilterError(f"{operator}_() needs at least one filter")
    for i, f in enumerate(filters):
        if not isinstance(f, Filter):
            raise InvalidFilterError(
                f"{operator}_() argument {i}: expected a Filter, got {type(f).__name__}"
            )
    if len(filters) == 1:
        return filters[0]
    return _combine(operator, filters)


@attrs.frozen
class F:
    """A field to filter on; its methods make leaf :class:`Filter` objects.

    >>> F("status").equals("in_progress").to_dict()
    {'field': 'status', 'operator': 'equals', 'value': 'in_progress'}
    >>> F("created_at").time_range(date(2026, 1, 1), date(2026, 2, 1)).to_dict()["values"]
    ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z']
    """

    name: str

    def _value(self, operator: str, value: Any) -> Filter:
        return Filter(operator, field=self.name, value=value)

    def _values(self, operator: str, values: Iterable[Any], method: str) -> Filter:
        return Filter(operator, field=self.name, values=_to_tuple(values, method))

    def equals(self, value: Any) -> Filter:
        """Match when the field equals ``value``."""
        return self._value("equals", value)

    def not_equals(self, value: Any) -> Filter:
        """Match when the field does not equal ``value``."""
        return self._value("not_equals", value)

    def contains(self, value: Any) -> Filter:
        """Match when the (list) field contains ``value``."""
        return self._value("contains", value)

    def does_not_contain(self, value: Any) -> Filter:
        """Match when the (list) field does not contain ``value``."""
        return self._value("does_not_contain", value)

    def in_(self, values: Iterable[Any]) -> Filter:
        """Match when the field equals any of ``values`` (a list, not a string)."""
        return self._values("in", values, "in_")

    def not_in(self, values: Iterable[Any]) -> Filter:
        """Match when the field equals none of ``values``."""
        return self._values("not_in", values, "not_in")

    def includes_all_of(self, values: Iterable[Any]) -> Filter:
        """Match when the (list) field includes every one of ``values``."""
        return self._values("includes_all_of", values, "includes_all_of")

    def time_is_after(self, value: datetime | date | str) -> Filter:
        """Match when the time field is after ``value`` (aware datetime, date or RFC 3339)."""
        return self._value("time_is_after", value)

    def time_is_before(self, value: datetime | date | str) -> Filter:
        """Match when the time field is before ``value`` (aware datetime, date or RFC 3339)."""
        return self._value("time_is_before", value)

    def time_range(self, start: datetime | date | str, end: datetime | date | str) -> Filter:
        """Match when the time field lies between ``start`` and ``end``."""
        return Filter("time_range", field=self.name, values=(start, end))

    def string_contains(self, value: str) -> Filter:
        """Match when the text field contains the substring ``value``."""
        return self._value("string_contains", value)

    def string_does_not_contain(self, value: str) -> Filter:
        """Match when the text field does not contain the substring ``value``."""
        return self._value("string_does_not_contain", value)

    def starts_with(self, value: str) -> Filter:
        """Match when the text field starts with ``value``."""
        return self._value("starts_with", value)

    def ends_with(self, value: str) -> Filter:
        """Match when the text field ends with ``value``."""
        return self._value("ends_with", value)

    def is_set(self) -> Filter:
        """Match when the field has a value."""
        return Filter("is_set", field=self.name)

    def is_unset(self) -> Filter:
        """Match when the field has no value."""
        return Filter("is_unset", field=self.name)

    def greater_than(self, value: Any) -> Filter:
        """Match when the field is greater than ``value``."""
        return self._value("greater_than", value)

    def less_than(self, value: Any) -> Filter:
        """Match when the field is less than ``value``."""
        return self._value("less_than", value)

    def greater_than_or_equals(self, value: Any) -> Filter:
        """Match when the field is greater than or equal to ``value``."""
        return self._value("greater_than_or_equals", value)

    def less_than_or_equals(self, value: Any) -> Filter:
        """Match when the field is less than or equal to ``value``."""
        return self._value("less_than_or_equals", value)


def filter_to_dict(filter: Filter | Mapping[str, Any]) -> dict[str, Any]:
    """Return the validated JSON form of a :class:`Filter` or of a filter written as a dict.

    >>> filter_to_dict({"field": "account_id", "operator": "is_set"})
    {'field': 'account_id', 'operator': 'is_set'}

    Raises:
        InvalidFilterError: the filter is neither a Filter nor a mapping, or breaks a rule.

    """
    if isinstance(filter, Filter):
        return filter.to_dict()
    if isinstance(filter, Mapping):
        return validate_filter(filter)
    raise InvalidFilterError(
        f"filter: expected a Filter or a mapping (dict), got {type(filter).__name__}: {filter!r}"
    )
