"""The search filter builder: ``F("status").equals("in_progress") & F("account_id").in_([...])``.

Filters built here are immutable :class:`Filter` objects; ``&`` and ``|`` combine them
(flattening chains of one operator, since Pylon allows only 3 levels), and :meth:`Filter.to_dict`
checks the tree with :func:`~pylon_client._filters.rules.validate_filter` and returns the JSON Pylon
expects. :func:`filter_to_dict` accepts a Filter or a filter written as a dict. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import attrs

from .._exceptions import InvalidFilterError
from .rules import _COMPOUND_OPERATORS, _VALUE_OPERATORS, _VALUES_OPERATORS, validate_filter

__all__ = ["F", "Filter", "and_", "filter_to_dict", "or_"]


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
