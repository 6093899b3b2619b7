"""Tests of the codegen pipeline: the vendored spec, the overlay, the generated code."""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_python_client.strings import snake_case

from pylon_client._generated._endpoints import ENDPOINTS
from pylon_client._generated.models.account import Account
from pylon_client._generated.models.issue import Issue
from pylon_client._generated.models.project import Project
from pylon_client._generated.models.task import Task
from pylon_client._generated.types import UNSET

ROOT = Path(__file__).resolve().parent.parent
SPEC_SHA256 = "08a4879d9cf420f7690d4b4649118787c1beec8dae42b2dbf045a48e9d4a8c71"
OFFICIAL_SHA256 = "d9fab27866e076deb7ab38f96f668db8fb534f1d17be0bb651dc05dd6a34588d"
RATE_LIMITS_SHA256 = "83672a90db737192ea94f9f63884cc947b138d1a06c12174f5b34f5d7144244a"

sys.path.insert(0, str(ROOT / "codegen"))


def _effective() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "openapi" / "pylon-openapi.effective.yml").read_text()))


def test_vendored_spec_is_byte_for_byte_the_shared_one() -> None:
    """The vendored spec has the recorded sha256 (and equals the shared copy when present)."""
    vendored = (ROOT / "openapi" / "pylon-openapi.yml").read_bytes()
    assert hashlib.sha256(vendored).hexdigest() == SPEC_SHA256
    assert SPEC_SHA256 in (ROOT / "openapi" / "README.md").read_text()
    shared = ROOT.parent / "shared" / "openapi" / "pylon-openapi.yml"
    if shared.exists():
        assert shared.read_bytes() == vendored


@pytest.mark.parametrize(
    ("name", "sha256", "shared"),
    [
        pytest.param(
            "pylon-official.json", OFFICIAL_SHA256, "openapi/pylon-official.json", id="official"
        ),
        pytest.param("rate-limits.tsv", RATE_LIMITS_SHA256, "rate-limits.tsv", id="rate-limits"),
    ],
)
def test_pylon_sources_are_byte_for_byte_the_shared_ones(
    name: str, sha256: str, shared: str
) -> None:
    """Pylon's own document and rate-limit table have their recorded sha256 (and equal shared/)."""
    vendored = (ROOT / "openapi" / name).read_bytes()
    assert hashlib.sha256(vendored).hexdigest() == sha256
    assert sha256 in (ROOT / "openapi" / "README.md").read_text()
    copy = ROOT.parent / "shared" / shared
    if copy.exists():
        assert copy.read_bytes() == vendored


def test_effective_spec_has_the_corrections() -> None:
    """The effective spec carries the overlay's main corrections."""
    spec = _effective()
    paths = spec["paths"]
    methods = ("get", "post", "patch", "delete")
    ops = [(m, p) for p, item in paths.items() for m in item if m in methods]
    # 68 vendored, POST /milestones/search, 50 from Pylon's document, 49 from the SDK supplement
    assert len(ops) == 168
    assert "https://api.eu.usepylon.com" in [s["url"] for s in spec["servers"]]
    schemas = spec["components"]["schemas"]
    assert schemas["CreateTaskRequest"]["required"] == ["title"]
    assert schemas["CreateContactRequest"]["required"] == ["name"]
    assert set(schemas["CreateTagRequest"]["required"]) == {"value", "object_type"}
    assert "snooze_until" in schemas["SnoozeIssueRequest"]["properties"]
    assert schemas["UpdateAccountsRequest"]["properties"]["account_ids"]["maxItems"] == 100
    assert [p["name"] for p in paths["/tasks"]["get"]["parameters"]] == ["cursor", "limit"]
    for path, item in paths.items():
        for method, op in item.items():
            if method == "parameters":
                continue
            # 30/120/300 from usepylon (October 2026); the three import endpoints, which it
            # lacks, keep the figure of their own documentation (April 2026).
            allowed = (20,) if path.startswith("/import/") else (30, 120, 300)
            assert op["x-pylon-rate-limit-per-minute"] in allowed, (method, path)
            assert {"400", "401", "403", "404", "409", "413", "429", "500"} <= set(op["responses"])
    assert paths["/issues"]["get"]["x-pylon-rate-limit-per-minute"] == 30


def test_every_operation_has_a_generated_function_and_a_facade_entry() -> None:
    """Each operation of the effective spec has an api module and an ENDPOINTS row."""
    spec = _effective()
    api = ROOT / "pylon_client" / "_generated" / "api"
    modules = {p.stem for p in api.rglob("*.py")}
    keys = set()
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            keys.add(f"{method.upper()} {path}")
            assert snake_case(op["operationId"]) in modules, op["operationId"]
    assert keys == set(ENDPOINTS)


def test_every_generated_file_starts_with_the_header() -> None:
    """Every generated file says DO NOT EDIT, the generator, its inputs' sha256s and the command."""
    spec_sha = hashlib.sha256((ROOT / "openapi" / "pylon-openapi.yml").read_bytes()).hexdigest()
    overlay_sha = hashlib.sha256((ROOT / "codegen" / "overlay.yaml").read_bytes()).hexdigest()
    limits_sha = hashlib.sha256((ROOT / "openapi" / "rate-limits.tsv").read_bytes()).hexdigest()
    files = list((ROOT / "pylon_client" / "_generated").rglob("*.py"))
    assert len(files) > 100
    for path in files:
        head = path.read_text().split("; change codegen/, never this file.\n", 1)[0].split("\n")
        if path.name == "_contract.py":  # copied, not generated: the file to edit is named
            assert head[0] == (
                "# DO NOT EDIT: a copy of codegen/runtime/_contract.py, made by "
                "codegen/generate.py; edit that file."
            )
        else:
            assert head[0].startswith("# DO NOT EDIT: generated by openapi-python-client 0.29.1")
        assert head[1] == f"# spec openapi/pylon-openapi.yml sha256 {spec_sha}"
        assert head[2].startswith("# operations openapi/pylon-official.json sha256 ")
        assert head[3].startswith("# operations openapi/pylon-sdk-supplement.yml sha256 ")
        assert head[4] == f"# rate-limits openapi/rate-limits.tsv sha256 {limits_sha}"
        assert head[5] == f"# overlay codegen/overlay.yaml sha256 {overlay_sha}"
        assert head[6] == "# Regenerate with `make generate`"


# The fields of a Task that Pylon always sends, and nothing else.
TASK_REQUIRED = {
    "id": "t1",
    "title": "Call",
    "body_html": "<p>Agenda</p>",
    "status": "not_started",
    "created_at": "2026-03-01T10:00:00Z",
    "updated_at": "2026-03-01T10:00:00Z",
    "customer_portal_visible": False,
}

TASK = {
    "id": "task_1",
    "title": "Kickoff call",
    "body_html": "<p>Agenda</p>",
    "status": "in_progress",
    "account": {"id": "acc_1"},
    "project": {"id": "proj_1"},
    "milestone": None,
    "assignee": {"user": {"id": "usr_1"}, "contact": None},
    "parent_task_id": None,
    "subtask_ids": None,
    "due_date": None,
    "created_at": "2026-03-01T10:00:00Z",
    "updated_at": "2026-03-02T10:00:00+00:00",
    "completed_at": None,
    "customer_portal_visible": False,
    "custom_fields": None,
    "a_field_pylon_added_later": {"kept": True},
}


@pytest.mark.parametrize(
    ("model", "payload"),
    [
        pytest.param(Task, TASK, id="task"),
        pytest.param(
            Issue,
            {
                "id": "iss_1",
                "number": 7,
                "title": "Broken",
                "body_html": "<p>It broke</p>",
                "state": "a_state_added_later",
                "type": "conversation",
                "source": "email",
                "link": "https://app.usepylon.com/issues/7",
                "is_issue_group": False,
                "number_of_touches": 1,
                "customer_portal_visible": False,
                "account": {"id": "acc_1"},
                "requester": None,
                "assignee": None,
                "team": None,
                "tags": None,
                "custom_fields": {"tier": {"slug": "tier", "value": "gold"}},
                "external_issues": None,
                "created_at": "2026-01-31T00:00:00Z",
                "updated_at": "2026-01-31T08:00:00Z",
                "snoozed_until_time": None,
            },
            id="issue",
        ),
        pytest.param(
            Account,
            {
                "id": "acc_1",
                "name": "Acme",
                "type": "customer",
                "is_disabled": False,
                "logo_url": "https://example.com/acme.png",
                "latest_customer_activity_time": "2026-01-30T12:00:00+00:00",
                "created_at": "2026-01-01T00:00:00Z",
                "updated_at": "2026-01-30T12:00:00Z",
                "owner": None,
                "tags": None,
                "channels": None,
            },
            id="account",
        ),
        pytest.param(
            Project,
            {
                "id": "p",
                "name": "Onboarding",
                "account": {"id": "acc_1"},
                "owner": None,
                "start_date": None,
                "progress": 0.5,
                "is_archived": False,
                "status": "in_progress",
                "customer_portal_visible": False,
                "created_at": "2026-01-01T00:00:00Z",
                "updated_at": "2026-01-02T00:00:00Z",
            },
            id="project",
        ),
    ],
)
def test_models_round_trip_pylon_shaped_payloads(model: Any, payload: dict[str, Any]) -> None:
    """Nested refs, nulls and unknown fields parse, and to_dict gives the payload back."""
    parsed = model.from_dict(payload)
    assert parsed.to_dict() == _normalise(payload)
    if model is Task:
        assert parsed.account.id == "acc_1"
        assert parsed.due_date is None
        assert parsed.assignee.user.id == "usr_1"
        assert parsed.additional_properties["a_field_pylon_added_later"] == {"kept": True}
        assert (
            model.from_dict({k: v for k, v in payload.items() if k != "due_date"}).due_date is UNSET
        )
        with pytest.raises(KeyError, match="title"):
            model.from_dict({k: v for k, v in payload.items() if k != "title"})


class _Text(str):
    """A ``str`` subclass: not the exact JSON type, still a string."""


@pytest.mark.parametrize(
    ("payload", "extra"),
    [
        pytest.param(TASK_REQUIRED, {}, id="known-keys-only"),
        pytest.param(
            {**TASK_REQUIRED, "later": 1}, {"later": 1}, id="missing-keys-and-one-unknown"
        ),
        pytest.param(
            {**{k: v for k, v in TASK.items() if k != "due_date"}, "later": 2},
            {"a_field_pylon_added_later": {"kept": True}, "later": 2},
            id="as-many-keys-as-fields-one-missing",
        ),
        pytest.param({}, None, id="required-id-missing"),
    ],
)
def test_from_dict_keeps_exactly_the_unknown_keys(
    payload: dict[str, Any], extra: dict[str, Any] | None
) -> None:
    """Unknown keys, and only they, land in additional_properties; the input is left as it was."""
    before = dict(payload)
    if extra is None:
        with pytest.raises(KeyError):
            Task.from_dict(payload)
        return
    parsed = Task.from_dict(payload)
    assert parsed.additional_properties == extra
    assert payload == before
    parsed.additional_properties["mine"] = True
    assert "mine" not in payload


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("title", 3, id="int-for-str"),
        pytest.param("created_at", 1700000000, id="int-for-datetime"),
        pytest.param("account", "acc_1", id="str-for-model"),
        pytest.param("subtask_ids", "a,b", id="str-for-list"),
        pytest.param("customer_portal_visible", "yes", id="str-for-bool"),
    ],
)
def test_from_dict_rejects_a_wrong_type(field: str, value: Any) -> None:
    """A value of the wrong JSON type raises TypeError (ResponseValidationError at the call)."""
    with pytest.raises(TypeError, match=field):
        Task.from_dict({**TASK_REQUIRED, field: value})


def test_from_dict_accepts_subclasses_of_the_json_types() -> None:
    """The exact-type fast path falls back to isinstance: a str subclass is still a string."""
    payload = {
        **TASK_REQUIRED,
        "id": _Text("t"),
        "title": _Text("x"),
        "due_date": _Text("2026-03-01"),
    }
    parsed = Task.from_dict(payload)
    assert (parsed.id, parsed.title, parsed.due_date) == ("t", "x", datetime(2026, 3, 1))


def _normalise(payload: dict[str, Any]) -> dict[str, Any]:
    """Dates come back as isoformat ('Z' becomes '+00:00')."""
    out: dict[str, Any] = {}
    for key, value in payload.items():
        if isinstance(value, str) and value.endswith("Z") and "T" in value:
            value = value[:-1] + "+00:00"
        out[key] = _normalise(value) if isinstance(value, dict) else value
    return out


def test_a_model_repr_shows_what_it_holds() -> None:
    """Fields left UNSET and empty additional_properties stay out of the repr; None stays in."""
    required = (
        "body_html='<p>Agenda</p>', "
        "created_at=datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.timezone.utc), "
        "customer_portal_visible=False, id='t1', status='not_started', title='Call', "
        "updated_at=datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.timezone.utc)"
    )
    task = Task.from_dict({**TASK_REQUIRED, "due_date": None})
    assert repr(task) == f"Task({required}, due_date=None)"
    later = Task.from_dict({**TASK_REQUIRED, "a_field_pylon_added_later": 1})
    assert (
        repr(later) == f"Task({required}, additional_properties={{'a_field_pylon_added_later': 1}})"
    )


def test_to_json_is_the_json_of_to_dict() -> None:
    """``model.to_json()`` is JSON text of what Pylon would send, unset fields left out."""
    task = Task.from_dict({**TASK})
    assert json.loads(task.to_json()) == task.to_dict()
    assert json.loads(Task.from_dict(TASK_REQUIRED).to_json()) == _normalise(TASK_REQUIRED)


def test_a_resource_repr_names_its_class_and_client() -> None:
    """``pylon.tasks`` shows what it is, not an object address."""
    from pylon_client import AsyncPylon

    pylon = AsyncPylon("tok", base_url="https://pylon.test")
    assert repr(pylon.tasks) == "TasksResource(AsyncPylon(base_url='https://pylon.test'))"
    assert repr(pylon.projects) == "ProjectsResource(AsyncPylon(base_url='https://pylon.test'))"
