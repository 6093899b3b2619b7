"""``make api-diff`` on small crafted specs: each kind of change, classified in both views.

Each variant changes one thing of a three-operation spec (``BASE``). Its client is generated
for real (openapi-python-client and the facade, into a temporary folder) and read by both
views; the spec view and the Python view must find the same changes, classified as
``codegen/api_items.py`` says, and going back must report the inverse of each.
"""

from __future__ import annotations

import copy
import importlib
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "codegen"))
apidiff = importlib.import_module("apidiff")
api_items = importlib.import_module("api_items")
api_python = importlib.import_module("api_python")
generate = importlib.import_module("generate")
sources = importlib.import_module("sources")

Spec = dict[str, Any]


def _json(ref: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


BASE: Spec = {
    "openapi": "3.0.3",
    "info": {"title": "Tiny", "version": "1"},
    "paths": {
        "/tasks": {
            "get": {
                "operationId": "listTasks",
                "parameters": [
                    {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                ],
                "responses": {"200": {"description": "ok", **_json("TaskList")}},
            },
            "post": {
                "operationId": "createTask",
                "requestBody": _json("CreateTask"),
                "responses": {"200": {"description": "ok", **_json("TaskEnvelope")}},
            },
        },
        "/tasks/{id}": {
            "get": {
                "operationId": "getTask",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": {"description": "ok", **_json("TaskEnvelope")}},
            }
        },
    },
    "components": {
        "schemas": {
            "Task": {
                "type": "object",
                "required": ["id", "title"],
                "properties": {
                    "id": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"$ref": "#/components/schemas/Status"},
                },
            },
            "Status": {"type": "string", "enum": ["open", "done"]},
            "CreateTask": {
                "type": "object",
                "required": ["title"],
                "properties": {
                    "title": {"type": "string"},
                    "status": {"$ref": "#/components/schemas/Status"},
                    "priority": {"type": "string", "enum": ["low", "high"]},
                },
            },
            "TaskEnvelope": {
                "type": "object",
                "required": ["data"],
                "properties": {
                    "data": {"$ref": "#/components/schemas/Task"},
                    "request_id": {"type": "string"},
                },
            },
            "TaskList": {
                "type": "object",
                "required": ["data"],
                "properties": {
                    "data": {"type": "array", "items": {"$ref": "#/components/schemas/Task"}},
                    "pagination": {
                        "type": "object",
                        "properties": {
                            "cursor": {"type": "string"},
                            "has_next_page": {"type": "boolean"},
                        },
                    },
                },
            },
        }
    },
}
LIMITS = {("GET", "/tasks"): 60, ("POST", "/tasks"): 60, ("GET", "/tasks/{id}"): 60}
READS = ("tasks.create", "tasks.get", "tasks.list")  # the three calls that return a Task


def _schemas(spec: Spec) -> dict[str, Any]:
    return dict(spec["components"]["schemas"])


def _delete(spec: Spec) -> None:
    spec["paths"]["/tasks/{id}"]["delete"] = {
        "operationId": "deleteTask",
        "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
        ],
        "responses": {"204": {"description": "gone"}},
    }


def _task(change: Callable[[dict[str, Any]], object]) -> Callable[[Spec], object]:
    return lambda spec: change(spec["components"]["schemas"]["Task"])


def _create(change: Callable[[dict[str, Any]], object]) -> Callable[[Spec], object]:
    return lambda spec: change(spec["components"]["schemas"]["CreateTask"])


def _rename_title(body: dict[str, Any]) -> None:
    body["properties"]["name"] = body["properties"].pop("title")
    body["required"] = ["name"]


def _rename_task(spec: Spec) -> None:
    schemas = spec["components"]["schemas"]
    schemas["Ticket"] = schemas.pop("Task")
    text = json.dumps(spec).replace('#/components/schemas/Task"', '#/components/schemas/Ticket"')
    spec.clear()
    spec.update(json.loads(text))


B, C = "breaking", "compatible"
VARIANTS: dict[str, tuple[Callable[[Spec], object], set[tuple[str, str, str]]]] = {
    "operation added": (
        _delete,
        {
            ("tasks.delete", "added", C),
            ("tasks.delete(id)", "added", C),
            ("tasks.delete returns", "added", C),
        },
    ),
    "operation removed": (
        lambda s: s["paths"].pop("/tasks/{id}"),
        {
            ("tasks.get", "removed", B),
            ("tasks.get(id)", "removed", B),
            ("tasks.get returns", "removed", B),
        }
        | {(f"tasks.get -> {f}", "removed", B) for f in ("id", "title", "status")},
    ),
    "optional argument added": (
        _create(lambda b: b["properties"].update(due={"type": "string"})),
        {("tasks.create(due)", "added", C)},
    ),
    "required argument added": (
        _create(
            lambda b: (
                b["properties"].update(project_id={"type": "string"}),
                b["required"].append("project_id"),
            )
        ),
        {("tasks.create(project_id)", "added", B)},
    ),
    "argument removed": (
        _create(lambda b: b["properties"].pop("status")),
        {("tasks.create(status)", "removed", B)},
    ),
    "argument renamed": (_create(_rename_title), {("tasks.create(title)", "renamed", B)}),
    "argument became required": (
        _create(lambda b: b["required"].append("status")),
        {("tasks.create(status)", "became required", B)},
    ),
    "argument became optional": (
        _create(lambda b: b["required"].remove("title")),
        {("tasks.create(title)", "became optional", C)},
    ),
    "field added": (
        _task(lambda t: t["properties"].update(priority={"type": "integer"})),
        {(f"{call} -> priority", "added", C) for call in READS},
    ),
    "field removed": (
        _task(lambda t: (t["properties"].pop("title"), t["required"].remove("title"))),
        {(f"{call} -> title", "removed", B) for call in READS},
    ),
    "field became optional": (
        _task(lambda t: t["required"].remove("title")),
        {(f"{call} -> title", "became optional", B) for call in READS},
    ),
    "field became nullable": (
        _task(lambda t: t["properties"]["title"].update(nullable=True)),
        {(f"{call} -> title", "may be None", B) for call in READS},
    ),
    "field changed type": (
        _task(lambda t: t["properties"].update(title={"type": "integer"})),
        {(f"{call} -> title", "type changed", B) for call in READS},
    ),
    "enumeration narrowed": (
        lambda s: s["components"]["schemas"]["Status"].update(enum=["open"]),
        {(f"{call} -> status", "enumeration narrowed", B) for call in READS}
        | {("tasks.create(status)", "enumeration narrowed", B)},
    ),
    "enumeration widened": (
        lambda s: s["components"]["schemas"]["Status"].update(enum=["open", "done", "blocked"]),
        {(f"{call} -> status", "enumeration widened", C) for call in READS}
        | {("tasks.create(status)", "enumeration widened", C)},
    ),
    "inline enumeration narrowed": (
        _create(lambda b: b["properties"]["priority"].update(enum=["low"])),
        {("tasks.create(priority)", "enumeration narrowed", B)},
    ),
    "argument no longer an enumeration": (
        _create(lambda b: b["properties"]["priority"].pop("enum")),
        {("tasks.create(priority)", "no longer an enumeration", C)},
    ),
    "rate limit changed": (
        lambda s: s.update({"x-limit": 30}),
        {("tasks.list", "rate limit changed", C)},
    ),
}


MODEL_GONE = {"argument no longer an enumeration": "CreateTaskPriority"}
"""Variants whose Python view loses a name of ``pylon_client.types`` (the spec view has none)."""


def _limits(spec: Spec) -> str:
    rows = ["method\tpath\trequests_per_minute\tofficial_sdk_method"]
    for path, item in spec["paths"].items():
        for method in item:
            limit = LIMITS.get((method.upper(), path), 60)
            if (method, path) == ("get", "/tasks") and "x-limit" in spec:
                limit = spec["x-limit"]
            rows.append(f"{method.upper()}\t{path}\t{limit}\tx")
    return "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Any]:
    """Generate the client of a variant (``base`` for BASE) once, and read it in both views."""
    done: dict[str, Any] = {}
    folder = tmp_path_factory.mktemp("variants")
    overlay = folder / "overlay.yaml"
    overlay.write_text("overlay: 1.0.0\ninfo: {title: none, version: '1'}\nactions: []\n")

    def one(name: str) -> Any:
        if name not in done:
            spec = copy.deepcopy(BASE)
            if name == "schema renamed":
                _rename_task(spec)
            elif name != "base":
                VARIANTS[name][0](spec)
            here = folder / name.replace(" ", "-")
            here.mkdir()
            (here / "spec.json").write_text(
                json.dumps({k: v for k, v in spec.items() if k != "x-limit"})
            )
            (here / "limits.tsv").write_text(_limits(spec))
            declared = (
                sources.Source("tiny", "spec", here / "spec.json", 1, ""),
                sources.Source("limits", "rate-limits", here / "limits.tsv", 2, ""),
            )
            (here / "out").mkdir()
            result = generate.build(here / "out", declared, overlay)
            done[name] = apidiff.side(
                name, json.loads(json.dumps(_effective(result))), result.package
            )
        return done[name]

    return one


def _effective(result: Any) -> Spec:
    return dict(sources.read_yaml(result.effective_yaml))


def _shown(changes: list[Any]) -> set[tuple[str, str, str]]:
    return {(c.label, c.what, c.verdict) for c in changes if c.key[0] != "model"}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_each_kind_of_change_is_classified_alike_in_both_views(name: str, build: Any) -> None:
    found = apidiff.diff(build("base"), build(name))
    want = VARIANTS[name][1]
    assert _shown(found.spec) == want
    assert _shown(found.python) == want
    gone = MODEL_GONE.get(name)
    if gone is None:
        assert found.disagreements == []
    else:  # the wire takes any string now; the Literal alias the generator made is gone
        assert len(found.disagreements) == 1
        assert f"types (breaking): {gone}." in found.disagreements[0]


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_going_back_reports_the_inverse_of_each_change(name: str, build: Any) -> None:
    forward = apidiff.diff(build("base"), build(name))
    back = apidiff.diff(build(name), build("base"))
    for view in ("spec", "python"):
        there = getattr(forward, view)
        again = getattr(back, view)
        assert len(again) == len(there)
        expected = set()
        for change in there:
            key = change.key
            if change.what == "renamed":  # back: named by the old name, old and new swapped
                old, new = change.detail.split(" -> ")
                key = (key[0], key[1], old)
                assert any(c.key == key and c.detail == f"{new} -> {old}" for c in again)
            expected.add((key, api_items.inverse_of(change.what)))
        assert {(c.key, c.what) for c in again} == expected


def test_a_renamed_schema_changes_nothing_on_the_wire_and_the_views_say_they_disagree(
    build: Any,
) -> None:
    found = apidiff.diff(build("base"), build("schema renamed"))
    assert found.spec == []
    assert {(c.key[1], c.what, c.verdict) for c in found.python} == {
        ("Task", "removed", "breaking"),
        ("Ticket", "added", "compatible"),
    }
    assert len(found.disagreements) == 1
    assert "Task" in found.disagreements[0]
    assert "The wire is the same" in found.disagreements[0]
    report = apidiff.render(found)
    assert "where the views disagree (1)" in report
    assert "models (pylon_client.types)" in report


def test_the_report_groups_by_resource_and_merges_a_field_shared_by_methods(build: Any) -> None:
    report = apidiff.render(apidiff.diff(build("base"), build("field removed")))
    assert "3 breaking, 0 compatible (spec view: 3 and 0; Python view: 3 and 0)" in report
    assert "## tasks" in report
    assert "breaking   tasks.create, tasks.get, tasks.list -> title: removed" in report
    assert "the spec view and the Python view agree on every change" in report


def test_the_python_view_round_trips_through_its_text_form(build: Any) -> None:
    items = build("base").python
    assert api_python.load(api_python.dump(items)) == items


def test_the_generated_section_of_the_changelog(tmp_path: Path, build: Any) -> None:
    log = tmp_path / "CHANGELOG.md"
    log.write_text("# Changelog\n\n## [Unreleased]\n\n### Added\n- a thing\n")
    first = apidiff.section_lines(apidiff.diff(build("base"), build("field removed")))
    assert first[0].startswith("- **BREAKING** ")
    apidiff.update_changelog(log, "### API changes: tiny (generated)", first)
    more = apidiff.section_lines(apidiff.diff(build("base"), build("optional argument added")))
    apidiff.update_changelog(log, "### API changes: tiny (generated)", more)
    text = log.read_text()
    assert text.count("### API changes: tiny (generated)") == 1
    assert text.index("### API changes") < text.index("### Added")
    assert all(line in text for line in first + more)
    assert "- a thing" in text
    # Once the maintainer deletes the marker, the section is theirs: the next one is new.
    log.write_text(
        text.replace(apidiff.MARKER + "\n", "").replace("tasks.create(due)", "due (edited)")
    )
    apidiff.update_changelog(log, "### API changes: tiny (generated)", more)
    again = log.read_text()
    assert again.count("### API changes: tiny (generated)") == 2
    assert "due (edited)" in again


def _git(repo: Path, *argv: str) -> None:
    subprocess.run(["git", *argv], cwd=repo, check=True, capture_output=True)  # noqa: S603,S607


def _commit(repo: Path, items: dict[Any, Any], changelog: str, message: str) -> None:
    (repo / "docs").mkdir(exist_ok=True)
    (repo / "docs" / "public-api.txt").write_text(api_python.dump(items))
    (repo / "CHANGELOG.md").write_text(changelog)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", message)


def test_the_guard_fails_on_a_breaking_change_that_does_not_say_so(
    tmp_path: Path, build: Any
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "dev@example.com")
    _git(repo, "config", "user.name", "Dev")
    base, removed = build("base").python, build("field removed").python
    added = build("optional argument added").python
    _commit(repo, base, "# Changelog\n", "start")
    _commit(repo, added, "# Changelog\n- tasks.create takes due\n", "compatible, said plainly")
    assert apidiff.guard(repo) == 0
    _commit(
        repo, removed, "# Changelog\n- tasks.create takes due\n- title gone\n", "breaking, unsaid"
    )
    assert apidiff.guard(repo) == 1
    _git(repo, "reset", "-q", "--hard", "HEAD^")
    _commit(repo, removed, "# Changelog\n- **BREAKING** title gone\n", "breaking, said")
    assert apidiff.guard(repo) == 0
    # The tree: a change not yet committed is held to the same rule.
    (repo / "docs" / "public-api.txt").write_text(
        api_python.dump(build("field became optional").python)
    )
    assert apidiff.guard(repo) == 0  # from "removed", an optional title is an added field
    (repo / "docs" / "public-api.txt").write_text(
        api_python.dump(build("operation removed").python)
    )
    assert apidiff.guard(repo) == 1
    log = repo / "CHANGELOG.md"
    log.write_text(log.read_text() + "- **BREAKING** tasks.get is gone\n")
    assert apidiff.guard(repo) == 0


def test_the_committed_client_reads_the_same_at_head_and_in_the_tree(tmp_path: Path) -> None:
    """``--against REF`` reads a ref's committed client; HEAD against itself changes nothing."""
    head = apidiff.at_ref("HEAD", tmp_path)
    assert len(head.spec) > 3000
    assert {k[0] for k in head.python} == {"operation", "argument", "response", "model"}
    found = apidiff.diff(head, head)
    assert (found.spec, found.python) == ([], [])
    assert "no change to the public API" in apidiff.render(found)


def test_the_committed_public_api_file_is_the_generated_packages() -> None:
    """``docs/public-api.txt`` is what the Python view reads from ``pylon_client/_generated``."""
    text = (ROOT / "docs" / "public-api.txt").read_text()
    assert api_python.load(text) == api_python.python_items(ROOT / "pylon_client" / "_generated")
