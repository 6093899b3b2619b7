from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pylon_client._exceptions import InvalidFilterError, PylonInputError
from pylon_client._filters.builder import F, Filter, and_, filter_to_dict, or_
from pylon_client._filters.rules import MAX_FILTER_DEPTH, OPERATORS, validate_filter

JAN_1 = datetime(2026, 1, 1, tzinfo=UTC)


def leaf(field: str = "state", value: str = "new") -> dict[str, str]:
    return {"field": field, "operator": "equals", "value": value}


@pytest.mark.parametrize(
    ("built", "expected"),
    [
        pytest.param(F("status").equals("in_progress"),
                     {"field": "status", "operator": "equals", "value": "in_progress"},
                     id="equals"),
        pytest.param(F("status").not_equals("done"),
                     {"field": "status", "operator": "not_equals", "value": "done"},
                     id="not_equals"),
        pytest.param(F("tags").contains("vip"),
                     {"field": "tags", "operator": "contains", "value": "vip"}, id="contains"),
        pytest.param(F("tags").does_not_contain("vip"),
                     {"field": "tags", "operator": "does_not_contain", "value": "vip"},
                     id="does_not_contain"),
        pytest.param(F("account_id").in_(["a", "b"]),
                     {"field": "account_id", "operator": "in", "values": ["a", "b"]}, id="in_"),
        pytest.param(F("account_id").not_in(("a",)),
                     {"field": "account_id", "operator": "not_in", "values": ["a"]}, id="not_in"),
        pytest.param(F("tags").includes_all_of(iter(["x", "y"])),
                     {"field": "tags", "operator": "includes_all_of", "values": ["x", "y"]},
                     id="includes_all_of"),
        pytest.param(F("created_at").time_is_after(JAN_1),
                     {"field": "created_at", "operator": "time_is_after",
                      "value": "2026-01-01T00:00:00Z"}, id="time_is_after"),
        pytest.param(F("created_at").time_is_before("2026-01-01T00:00:00Z"),
                     {"field": "created_at", "operator": "time_is_before",
                      "value": "2026-01-01T00:00:00Z"}, id="time_is_before"),
        pytest.param(F("created_at").time_range(date(2026, 1, 1), JAN_1 + timedelta(days=31)),
                     {"field": "created_at", "operator": "time_range",
                      "values": ["2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"]},
                     id="time_range"),
        pytest.param(F("title").string_contains("refund"),
                     {"field": "title", "operator": "string_contains", "value": "refund"},
                     id="string_contains"),
        pytest.param(F("title").string_does_not_contain("test"),
                     {"field": "title", "operator": "string_does_not_contain", "value": "test"},
                     id="string_does_not_contain"),
        pytest.param(F("name").starts_with("Acme"),
                     {"field": "name", "operator": "starts_with", "value": "Acme"},
                     id="starts_with"),
        pytest.param(F("domain").ends_with(".io"),
                     {"field": "domain", "operator": "ends_with", "value": ".io"},
                     id="ends_with"),
        pytest.param(F("assignee_id").is_set(),
                     {"field": "assignee_id", "operator": "is_set"}, id="is_set"),
        pytest.param(F("assignee_id").is_unset(),
                     {"field": "assignee_id", "operator": "is_unset"}, id="is_unset"),
        pytest.param(F("number").greater_than(10),
                     {"field": "number", "operator": "greater_than", "value": 10},
                     id="greater_than"),
        pytest.param(F("number").less_than(2.5),
                     {"field": "number", "operator": "less_than", "value": 2.5}, id="less_than"),
        pytest.param(F("number").greater_than_or_equals(0),
                     {"field": "number", "operator": "greater_than_or_equals", "value": 0},
                     id="greater_than_or_equals"),
        pytest.param(F("number").less_than_or_equals(99),
                     {"field": "number", "operator": "less_than_or_equals", "value": 99},
                     id="less_than_or_equals"),
    ],
)  # fmt: skip
def test_builder_leaf_outputs(built: Filter, expected: dict[str, Any]) -> None:
    """Each builder method produces the exact JSON body Pylon expects."""
    assert built.to_dict() == expected


def test_builder_covers_every_leaf_operator() -> None:
    """The builder has a method for every operator except and / or."""
    methods = {name.rstrip("_") for name in dir(F) if not name.startswith("_")} - {"name"}
    assert methods == OPERATORS - {"and", "or"}


def test_and_or_example() -> None:
    """& and | build and / or nodes with their operands as subfilters."""
    built = F("status").equals("in_progress") & (
        F("account_id").in_(["a", "b"]) | F("assignee_id").is_unset()
    )
    assert built.to_dict() == {
        "operator": "and",
        "subfilters": [
            {"field": "status", "operator": "equals", "value": "in_progress"},
            {
                "operator": "or",
                "subfilters": [
                    {"field": "account_id", "operator": "in", "values": ["a", "b"]},
                    {"field": "assignee_id", "operator": "is_unset"},
                ],
            },
        ],
    }


@pytest.mark.parametrize(
    ("built", "operator"),
    [
        pytest.param(F("a").is_set() & F("b").is_set() & F("c").is_set(), "and", id="and-left"),
        pytest.param(F("a").is_set() & (F("b").is_set() & F("c").is_set()), "and", id="and-right"),
        pytest.param(F("a").is_set() | F("b").is_set() | F("c").is_set(), "or", id="or-chain"),
        pytest.param(and_(F("a").is_set(), and_(F("b").is_set(), F("c").is_set())), "and",
                     id="and_-nested"),
        pytest.param(or_(F("a").is_set() | F("b").is_set(), F("c").is_set()), "or",
                     id="or_-nested"),
    ],
)  # fmt: skip
def test_same_operator_chains_flatten(built: Filter, operator: str) -> None:
    """A chain of one operator becomes one node with every operand as a direct subfilter."""
    assert built.to_dict() == {
        "operator": operator,
        "subfilters": [
            {"field": "a", "operator": "is_set"},
            {"field": "b", "operator": "is_set"},
            {"field": "c", "operator": "is_set"},
        ],
    }


def test_mixed_operators_do_not_flatten() -> None:
    """(a | b) & c keeps the or as a subfilter of the and."""
    built = (F("a").is_set() | F("b").is_set()) & F("c").is_set()
    assert built.operator == "and"
    assert [sub.operator for sub in built.subfilters] == ["or", "is_set"]


@given(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=2, max_size=30))
def test_long_and_chains_stay_one_level(fields: list[str]) -> None:
    """However long the chain, a & b & ... is one and node of leaves: depth 2."""
    built = F(fields[0]).is_set()
    for field in fields[1:]:
        built = built & F(field).is_set()
    result = built.to_dict()
    assert result["operator"] == "and"
    assert [sub["field"] for sub in result["subfilters"]] == fields


def test_and_or_helpers_with_one_filter_return_it() -> None:
    """and_(f) and or_(f) are f itself: a one-child node would only spend depth."""
    only = F("a").is_set()
    assert and_(only) is only
    assert or_(only) is only


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(lambda: and_(), r"and_\(\) needs at least one filter", id="and_-empty"),
        pytest.param(lambda: or_(), r"or_\(\) needs at least one filter", id="or_-empty"),
        pytest.param(lambda: and_(F("a").is_set(), leaf()),  # type: ignore[arg-type]  # the error under test
                     "argument 1: expected a Filter", id="and_-dict"),
        pytest.param(lambda: F("id").in_("abc"), r"in_\(\) takes a list", id="in_-string"),
        pytest.param(lambda: F("id").not_in({"a": 1}), r"not_in\(\) takes a list",
                     id="not_in-mapping"),
    ],
)  # fmt: skip
def test_builder_rejects_misuse_at_once(call: Callable[[], object], message: str) -> None:
    """Misusing a helper raises InvalidFilterError when the filter is built."""
    with pytest.raises(InvalidFilterError, match=message):
        call()


def test_filters_are_immutable_and_comparable() -> None:
    """Filter objects cannot be changed and compare by value."""
    built = F("state").equals("new")
    assert built == F("state").equals("new")
    with pytest.raises(AttributeError):
        built.value = "closed"  # type: ignore[misc]


def test_and_with_a_non_filter_is_a_type_error() -> None:
    """`filter & dict` is not a filter; Python raises TypeError."""
    with pytest.raises(TypeError):
        _ = F("a").is_set() & leaf()  # type: ignore[operator]


def test_dict_filters_are_accepted() -> None:
    """A filter written as a dict is validated and copied."""
    written = {
        "operator": "or",
        "subfilters": [leaf(), {"field": "tags", "operator": "in", "values": ("a", "b")}],
    }
    result = filter_to_dict(written)
    assert result == {
        "operator": "or",
        "subfilters": [leaf(), {"field": "tags", "operator": "in", "values": ["a", "b"]}],
    }
    assert result is not written
    assert result["subfilters"][0] is not written["subfilters"][0]


def test_filter_to_dict_accepts_a_filter() -> None:
    """filter_to_dict takes a Filter as well as a dict."""
    assert filter_to_dict(F("state").equals("new")) == leaf()


def test_filter_objects_inside_dict_trees() -> None:
    """A Filter may appear as a subfilter of a dict filter."""
    written = {"operator": "and", "subfilters": [F("state").equals("new"), leaf("title", "x")]}
    assert validate_filter(written) == {
        "operator": "and",
        "subfilters": [leaf(), leaf("title", "x")],
    }


def test_none_keys_count_as_absent() -> None:
    """A key set to None is dropped, as Pylon treats null as omitted."""
    assert validate_filter({"field": "a", "operator": "is_set", "value": None}) == {
        "field": "a",
        "operator": "is_set",
    }


def test_datetime_values_become_rfc3339() -> None:
    """Aware datetimes and dates in values become UTC RFC 3339 strings."""
    written = {
        "field": "created_at",
        "operator": "time_range",
        "values": [datetime(2026, 1, 1, 1, tzinfo=timezone(timedelta(hours=1))), date(2026, 2, 1)],
    }
    assert validate_filter(written)["values"] == ["2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"]


def test_three_levels_are_allowed() -> None:
    """An and holding an or holding a leaf is 3 levels deep, the most Pylon accepts."""
    written = {"operator": "and", "subfilters": [{"operator": "or", "subfilters": [leaf()]}]}
    assert validate_filter(written) == written
    assert MAX_FILTER_DEPTH == 3


def test_output_is_json() -> None:
    """The validated dict serialises to JSON as is."""
    built = F("created_at").time_is_after(JAN_1) & F("number").greater_than(3)
    assert json.loads(json.dumps(built.to_dict())) == built.to_dict()


DEPTH_4 = {
    "operator": "and",
    "subfilters": [
        leaf(),
        {"operator": "or", "subfilters": [{"operator": "and", "subfilters": [leaf()]}]},
    ],
}


@pytest.mark.parametrize(
    ("written", "message"),
    [
        pytest.param({"field": "a", "operator": "eq", "value": 1},
                     "filter.operator: unknown operator 'eq' (did you mean 'equals'?)",
                     id="unknown-operator"),
        pytest.param({"operator": "and", "subfilters": [leaf(), {"field": "a", "operator": "eq",
                                                                 "value": 1}]},
                     "filter.subfilters[1].operator: unknown operator 'eq'",
                     id="unknown-operator-nested"),
        pytest.param({"field": "a", "operator": "GT", "value": 1},
                     "filter.operator: unknown operator 'GT' (did you mean 'greater_than'?)",
                     id="alias-operator"),
        pytest.param({"field": "a", "operator": "startswith", "value": "x"},
                     "filter.operator: unknown operator 'startswith' (did you mean 'starts_with'?)",
                     id="misspelt-operator"),
        pytest.param({"field": "a", "operator": 3, "value": 1},
                     "filter.operator: unknown operator 3", id="non-string-operator"),
        pytest.param({"field": "a", "value": 1}, "filter.operator: missing",
                     id="missing-operator"),
        pytest.param({"field": "a", "operator": "in", "value": "x"},
                     "filter.value: operator 'in' takes 'values' (a list), not 'value'",
                     id="value-for-in"),
        pytest.param({"field": "a", "operator": "equals", "values": ["x"]},
                     "filter.values: operator 'equals' takes 'value', not 'values'",
                     id="values-for-equals"),
        pytest.param({"field": "a", "operator": "in", "values": []},
                     "filter.values: must not be empty", id="empty-values"),
        pytest.param({"field": "a", "operator": "in", "values": "abc"},
                     "filter.values: must be a list, got str", id="values-not-a-list"),
        pytest.param({"field": "a", "operator": "in"}, "filter.values: missing",
                     id="missing-values"),
        pytest.param({"field": "a", "operator": "equals"}, "filter.value: missing",
                     id="missing-value"),
        pytest.param({"field": "a", "operator": "equals", "value": None},
                     "filter.value: missing", id="null-value"),
        pytest.param({"field": "a", "operator": "equals", "value": ["x", "y"]},
                     "filter.value: operator 'equals' takes one value, got a list",
                     id="list-value"),
        pytest.param({"field": "a", "operator": "is_set", "value": True},
                     "filter.value: operator 'is_set' takes no value", id="value-for-is_set"),
        pytest.param({"field": "a", "operator": "is_unset", "values": ["x"]},
                     "filter.values: operator 'is_unset' takes no value",
                     id="values-for-is_unset"),
        pytest.param({"operator": "equals", "value": 1}, "filter.field: missing",
                     id="missing-field"),
        pytest.param({"field": 7, "operator": "equals", "value": 1},
                     "filter.field: must be a non-empty string, got 7", id="non-string-field"),
        pytest.param({"field": "  ", "operator": "equals", "value": 1},
                     "filter.field: must be a non-empty string", id="blank-field"),
        pytest.param({"operator": "and"}, "filter.subfilters: missing", id="and-no-subfilters"),
        pytest.param({"operator": "or", "subfilters": []}, "filter.subfilters: must not be empty",
                     id="or-empty-subfilters"),
        pytest.param({"operator": "and", "subfilters": leaf()},
                     "filter.subfilters: must be a list, got dict", id="subfilters-not-a-list"),
        pytest.param({"operator": "and", "field": "a", "subfilters": [leaf()]},
                     "filter.field: operator 'and' takes only subfilters", id="and-with-field"),
        pytest.param({"field": "a", "operator": "equals", "value": 1, "subfilters": [leaf()]},
                     "filter.subfilters: only 'and' and 'or' take subfilters",
                     id="leaf-with-subfilters"),
        pytest.param(DEPTH_4,
                     "filter.subfilters[1].subfilters[0].subfilters[0]: filter is nested 4 "
                     "levels deep; Pylon allows at most 3", id="depth-4"),
        pytest.param({"field": "a", "operator": "equals", "value": 1, "op": "x"},
                     "filter: unknown key 'op'", id="unknown-key"),
        pytest.param({"operator": "or", "subfilters": [leaf(), ["a", "equals", 1]]},
                     "filter.subfilters[1]: expected a mapping (dict) or Filter, got list",
                     id="non-dict-node"),
        pytest.param({"field": "a", "operator": "equals", "value": {"nested": 1}},
                     "filter.value: expected a string, number, boolean or datetime, got dict",
                     id="dict-value"),
        pytest.param({"field": "a", "operator": "greater_than", "value": float("nan")},
                     "filter.value: nan is not valid JSON", id="nan-value"),
        pytest.param({"field": "a", "operator": "in", "values": ["x", None]},
                     "filter.values[1]: expected a string, number, boolean or datetime",
                     id="null-in-values"),
        pytest.param({"field": "t", "operator": "time_is_after", "value": datetime(2026, 1, 1)},
                     "filter.value is a naive datetime", id="naive-datetime-value"),
    ],
)  # fmt: skip
def test_invalid_filters_name_the_offending_node(written: Any, message: str) -> None:
    """Each invalid filter raises InvalidFilterError (a ValueError) with the node's path."""
    with pytest.raises(InvalidFilterError) as excinfo:
        filter_to_dict(written)
    assert message in str(excinfo.value)
    assert isinstance(excinfo.value, ValueError)
    assert isinstance(excinfo.value, PylonInputError)


@pytest.mark.parametrize(
    "written",
    [
        pytest.param([leaf()], id="list"),
        pytest.param("status = new", id="string"),
        pytest.param(None, id="none"),
    ],
)
def test_filter_to_dict_rejects_non_filters(written: Any) -> None:
    """Anything but a Filter or a mapping is refused with a message saying what came."""
    with pytest.raises(InvalidFilterError, match=r"^filter: expected a Filter or a mapping"):
        filter_to_dict(written)


def test_builder_validates_on_to_dict() -> None:
    """A builder filter breaking a rule fails in to_dict(), with the path."""
    too_deep = F("a").is_set() & (F("b").is_set() | and_(F("c").is_set(), F("d").is_set()))
    with pytest.raises(InvalidFilterError, match=r"filter\.subfilters\[1\]\.subfilters\[1\]"):
        too_deep.to_dict()
    with pytest.raises(InvalidFilterError, match=r"filter\.value: missing"):
        F("a").equals(None).to_dict()
    with pytest.raises(InvalidFilterError, match=r"filter\.field: must be a non-empty string"):
        F("").is_set().to_dict()


def test_filter_type_is_exported() -> None:
    """Filter is the type the builder returns."""
    assert isinstance(F("a").is_set(), Filter)
