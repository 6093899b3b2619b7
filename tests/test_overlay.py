"""The overlay engine: what each action does to a document, and how it reports it."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "codegen"))
overlay = importlib.import_module("overlay")


def _doc() -> dict[str, Any]:
    return {
        "openapi": "3.0.1",
        "paths": {
            "/tasks": {
                "get": {
                    "parameters": [
                        {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                        {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                    ],
                    "responses": {"200": {"description": "OK"}},
                },
            },
        },
        "components": {
            "schemas": {
                "Pagination": {
                    "type": "object",
                    "properties": {"cursor": {"type": "string"}},
                    "required": ["cursor"],
                },
            },
        },
    }


def _run(*actions: dict[str, Any], doc: dict[str, Any] | None = None) -> tuple[Any, list[Any]]:
    reports: list[Any] = []
    result = overlay.apply_overlay(
        doc or _doc(), {"overlay": "1.0.0", "actions": list(actions)}, reports=reports
    )
    return result, reports


@pytest.mark.parametrize(
    ("action", "kind"),
    [
        pytest.param(
            {
                "target": "$.components.schemas.Pagination.properties.cursor",
                "update": {"nullable": True},
            },
            "applied",
            id="update-that-changes",
        ),
        pytest.param(
            {
                "target": "$.components.schemas.Pagination.properties.cursor",
                "update": {"type": "string"},
            },
            "already true",
            id="update-already-carried",
        ),
        pytest.param(
            {"target": "$.components.schemas.Pagination", "update": {"required": ["cursor"]}},
            "already true",
            id="array-item-already-there",
        ),
        pytest.param(
            {"target": "$.components.schemas.Gone.properties", "update": {"x": {}}},
            "absent",
            id="schema-not-in-the-document",
        ),
        pytest.param(
            {"target": "$.paths['/projects'].get.parameters", "remove": True},
            "absent",
            id="operation-not-in-the-document",
        ),
        pytest.param(
            {
                "target": "$.paths['/tasks'].get.parameters[?@.name == 'page'].schema",
                "update": {"minimum": 1},
            },
            "stale",
            id="parameter-vanished-inside-an-operation",
        ),
        pytest.param(
            {"target": "$.paths['/tasks'].get.deprecated", "remove": True},
            "already true",
            id="nothing-left-to-remove",
        ),
        pytest.param(
            {"target": "$.components.schemas", "update": {"New": {"type": "object"}}},
            "applied",
            id="the-document-is-always-there",
        ),
    ],
)
def test_each_action_is_reported_as_one_kind(action: dict[str, Any], kind: str) -> None:
    """Applied, already true, absent or stale, read from what the document holds."""
    if kind == "stale":
        with pytest.raises(overlay.StaleAction) as raised:
            _run(action)
        assert [r.kind for r in raised.value.reports] == ["stale"]
        return
    _, reports = _run(action)
    assert [r.kind for r in reports] == [kind]


def test_a_stale_action_names_itself_what_is_missing_and_the_closest_match() -> None:
    """The message a user reads when a new version moved a corrected thing."""
    action = {
        "target": "$.paths['/tasks'].get.parameters[?@.name == 'limits'].schema",
        "description": "Bound the page size",
        "update": {"maximum": 999},
    }
    with pytest.raises(overlay.StaleAction) as raised:
        _run(action)
    text = str(raised.value)
    assert "action #1 ('Bound the page size')" in text
    assert "GET /tasks has no" in text
    assert "closest: 'limit'" in text


def test_absent_subjects_are_named_by_method_and_path_or_schema() -> None:
    """A union names each subject; those the document lacks are listed on the report."""
    action = {
        "target": "$.components.schemas['Pagination','Cursor'].properties",
        "update": {"has_next_page": {"type": "boolean"}},
    }
    _, reports = _run(action)
    assert reports[0].kind == "applied"
    assert reports[0].absent == ("schema Cursor",)
    gone = {"target": "$.paths['/a','/b']['get','post']", "update": {"x-y": 1}}
    _, reports = _run(gone)
    assert reports[0].kind == "absent"
    assert reports[0].absent == ("GET /a", "POST /a", "GET /b", "POST /b")


def test_a_parameter_merges_into_the_one_of_the_same_name() -> None:
    """Adding a parameter a document already declares bounds it instead of declaring it twice."""
    action = {
        "target": "$.paths['/tasks'].get",
        "update": {
            "parameters": [
                {"name": "limit", "in": "query", "schema": {"minimum": 1, "maximum": 999}},
                {"name": "order", "in": "query", "schema": {"type": "string"}},
            ]
        },
    }
    result, reports = _run(action)
    params = result["paths"]["/tasks"]["get"]["parameters"]
    assert [p["name"] for p in params] == ["cursor", "limit", "order"]
    assert params[1]["schema"] == {"type": "integer", "minimum": 1, "maximum": 999}
    assert reports[0].kind == "applied"
    _, again = _run(action, doc=result)
    assert again[0].kind == "already true"


def test_replace_sets_a_key_wholesale() -> None:
    """x-replace swaps the node for the corrected one; merging would have kept old keys."""
    action: dict[str, Any] = {
        "target": "$.components.schemas",
        "x-replace": True,
        "update": {"Pagination": {"type": "object", "properties": {"next": {"type": "string"}}}},
    }
    result, reports = _run(action)
    assert result["components"]["schemas"]["Pagination"] == action["update"]["Pagination"]
    assert reports[0].kind == "applied"
    _, again = _run(action, doc=result)
    assert again[0].kind == "already true"


def test_update_merges_and_remove_deletes_without_touching_the_input() -> None:
    """An update merges objects and adds missing array items; a remove deletes each node."""
    spec = {"a": {"b": 1, "list": [1]}, "c": {"d": {"e": 1}, "f": {"e": 2}}}
    actions: list[dict[str, Any]] = [
        {"target": "$.a", "update": {"g": 2, "list": [1, 2]}},
        {"target": "$.c.*.e", "remove": True},
    ]
    result, _ = _run(*actions, doc=spec)
    assert result == {"a": {"b": 1, "list": [1, 2], "g": 2}, "c": {"d": {}, "f": {}}}
    assert spec["c"] == {"d": {"e": 1}, "f": {"e": 2}}


@pytest.mark.parametrize(
    ("overlay_doc", "message"),
    [
        pytest.param(
            {"overlay": "2.0.0", "actions": []}, "unsupported overlay version", id="version"
        ),
        pytest.param(
            {"overlay": "1.0.0", "actions": [{"target": "$[", "update": {}}]},
            "invalid JSONPath",
            id="bad-target",
        ),
        pytest.param(
            {"overlay": "1.0.0", "actions": [{"target": "$.paths"}]},
            "needs an object `update` or `remove: true`",
            id="no-kind",
        ),
    ],
)
def test_a_malformed_overlay_is_an_error(overlay_doc: dict[str, Any], message: str) -> None:
    """Errors in the overlay itself stop generation with what is wrong."""
    with pytest.raises(overlay.OverlayError, match=message):
        overlay.apply_overlay(_doc(), overlay_doc)


def test_the_project_overlay_names_no_document() -> None:
    """Corrections say what they fix, never which document they expect."""
    actions = yaml.safe_load((ROOT / "codegen" / "overlay.yaml").read_text())["actions"]
    assert actions
    for action in actions:
        assert not any(key in action for key in ("x-documents", "x-optional")), action["target"]


def test_the_summary_counts_each_kind() -> None:
    """The one line a run ends with."""
    reports = [
        overlay.Report(1, "applied", "a"),
        overlay.Report(2, "absent", "b", ("GET /x",)),
        overlay.Report(3, "applied", "c"),
    ]
    assert overlay.summary(reports) == (
        "overlay: 3 actions: 2 applied, 0 already true, 1 absent, 0 stale"
    )
    assert "[absent here: GET /x]" in str(reports[1])
