from __future__ import annotations

import datetime as dt
import importlib
import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from harness import Api, body_of, complete, connect, task_body
from openapi_python_client.strings import snake_case

import pylon_client._generated.api as generated_api
from pylon_client import AsyncPylon, F, Page, PylonInputError
from pylon_client._generated._endpoints import ENDPOINTS, Endpoint
from pylon_client._generated.models.account import Account
from pylon_client._generated.models.create_task_request import CreateTaskRequest
from pylon_client._generated.models.delete_response import DeleteResponse
from pylon_client._generated.models.issue import Issue
from pylon_client._generated.models.me_user import MeUser
from pylon_client._generated.models.milestone import Milestone
from pylon_client._generated.models.mini_account import MiniAccount
from pylon_client._generated.models.mini_project import MiniProject
from pylon_client._generated.models.organization import Organization
from pylon_client._generated.models.project import Project
from pylon_client._generated.models.snooze_issue_request import SnoozeIssueRequest
from pylon_client._generated.models.task import Task
from pylon_client._generated.models.update_task_request import UpdateTaskRequest
from pylon_client._generated.models.user import User

DOCS = Path(__file__).resolve().parent.parent / "docs" / "operations.md"
SNOOZE_UNTIL = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)

Call = Callable[[AsyncPylon], Awaitable[Any]]


def attr(obj: Any, dotted: str) -> Any:
    """Follow a dotted attribute path such as ``account.id``."""
    for name in dotted.split("."):
        obj = getattr(obj, name)
    return obj


def snake(operation_id: str) -> str:
    """``listIssueFollowers`` -> ``list_issue_followers``, as the generator names modules."""
    return snake_case(operation_id)


# ---------------------------------------------------------------------- single-object calls


@pytest.mark.anyio
async def test_tasks_create_sends_only_the_given_fields_and_returns_a_task() -> None:
    """tasks.create POSTs /tasks with exactly the keyword fields given and returns a Task."""
    api = Api(
        {
            "data": task_body(
                "task_1",
                title="Kickoff call",
                status="not_started",
                account={"id": "acc_1"},
                project={"id": "p1"},
                created_at="2026-10-21T07:28:00Z",
            ),
            "request_id": "req_create",
        }
    )
    async with connect(api) as pylon:
        task = await pylon.tasks.create(title="Kickoff call", account_id="acc_1", project_id="p1")
        assert pylon.last_request_id == "req_create"
    assert len(api.requests) == 1
    request = api.last
    assert (request.method, request.url.raw_path) == ("POST", b"/tasks")
    assert request.headers["Content-Type"] == "application/json"
    assert body_of(request) == {"title": "Kickoff call", "account_id": "acc_1", "project_id": "p1"}
    assert type(task) is Task
    assert task.id == "task_1"
    assert task.title == "Kickoff call"
    assert task.status == "not_started"
    assert isinstance(task.account, MiniAccount)
    assert task.account.id == "acc_1"
    assert isinstance(task.project, MiniProject)
    assert task.project.id == "p1"
    assert task.created_at == dt.datetime(2026, 10, 21, 7, 28, tzinfo=dt.UTC)


def _data(model: type[Any], **fields: Any) -> dict[str, Any]:
    """A 200 body holding a complete ``model`` with ``fields``."""
    return {"data": complete(model, **fields), "request_id": "req_1"}


SUCCESS = {"success": True, "request_id": "req_1"}
DELETED = {"request_id": "req_1"}

SINGLE_CALLS = [
    pytest.param(
        lambda p: p.tasks.get("task_1"),
        "GET",
        "/tasks/task_1",
        None,
        _data(Task, id="task_1", title="Kickoff call"),
        Task,
        {"id": "task_1", "title": "Kickoff call"},
        id="tasks.get",
    ),
    pytest.param(
        lambda p: p.tasks.update("task_1", status="in_progress"),
        "PATCH",
        "/tasks/task_1",
        {"status": "in_progress"},
        _data(Task, id="task_1", status="in_progress"),
        Task,
        {"id": "task_1", "status": "in_progress"},
        id="tasks.update",
    ),
    pytest.param(
        lambda p: p.tasks.delete("task_1"),
        "DELETE",
        "/tasks/task_1",
        None,
        DELETED,
        DeleteResponse,
        {"request_id": "req_1"},
        id="tasks.delete",
    ),
    pytest.param(
        lambda p: p.projects.create(account_id="acc_1", name="Onboarding"),
        "POST",
        "/projects",
        {"account_id": "acc_1", "name": "Onboarding"},
        _data(Project, id="p1", name="Onboarding", account={"id": "acc_1"}, is_archived=False),
        Project,
        {"id": "p1", "name": "Onboarding", "account.id": "acc_1", "is_archived": False},
        id="projects.create",
    ),
    pytest.param(
        lambda p: p.projects.get("p1"),
        "GET",
        "/projects/p1",
        None,
        _data(Project, id="p1", progress=0.5),
        Project,
        {"id": "p1", "progress": 0.5},
        id="projects.get",
    ),
    pytest.param(
        lambda p: p.projects.update("p1", is_archived=True),
        "PATCH",
        "/projects/p1",
        {"is_archived": True},
        _data(Project, id="p1", is_archived=True),
        Project,
        {"id": "p1", "is_archived": True},
        id="projects.update",
    ),
    pytest.param(
        lambda p: p.projects.delete("p1"),
        "DELETE",
        "/projects/p1",
        None,
        DELETED,
        DeleteResponse,
        {"request_id": "req_1"},
        id="projects.delete",
    ),
    pytest.param(
        lambda p: p.milestones.create(name="Phase 1", project_id="p1", account_id="acc_1"),
        "POST",
        "/milestones",
        {"name": "Phase 1", "project_id": "p1", "account_id": "acc_1"},
        _data(Milestone, id="m1", name="Phase 1", project={"id": "p1"}, account={"id": "acc_1"}),
        Milestone,
        {"id": "m1", "name": "Phase 1", "project.id": "p1", "account.id": "acc_1"},
        id="milestones.create",
    ),
    pytest.param(
        lambda p: p.milestones.get("m1"),
        "GET",
        "/milestones/m1",
        None,
        _data(Milestone, id="m1", name="Phase 1"),
        Milestone,
        {"id": "m1", "name": "Phase 1"},
        id="milestones.get",
    ),
    pytest.param(
        lambda p: p.milestones.update("m1", due_date=""),
        "PATCH",
        "/milestones/m1",
        {"due_date": ""},
        _data(Milestone, id="m1", due_date=None),
        Milestone,
        {"id": "m1", "due_date": None},
        id="milestones.update-clears-date",
    ),
    pytest.param(
        lambda p: p.milestones.delete("m1"),
        "DELETE",
        "/milestones/m1",
        None,
        DELETED,
        DeleteResponse,
        {"request_id": "req_1"},
        id="milestones.delete",
    ),
    pytest.param(
        lambda p: p.issues.create(title="Printer on fire", body_html="<p>Smoke.</p>"),
        "POST",
        "/issues",
        {"title": "Printer on fire", "body_html": "<p>Smoke.</p>"},
        _data(Issue, id="iss_1", number=42, title="Printer on fire", state="new"),
        Issue,
        {"id": "iss_1", "number": 42, "title": "Printer on fire", "state": "new"},
        id="issues.create",
    ),
    pytest.param(
        lambda p: p.issues.get("iss_1"),
        "GET",
        "/issues/iss_1",
        None,
        _data(Issue, id="iss_1", account={"id": "acc_1"}),
        Issue,
        {"id": "iss_1", "account.id": "acc_1"},
        id="issues.get",
    ),
    pytest.param(
        lambda p: p.issues.update("iss_1", state="closed", tags=["billing"]),
        "PATCH",
        "/issues/iss_1",
        {"state": "closed", "tags": ["billing"]},
        _data(Issue, id="iss_1", state="closed", tags=["billing"]),
        Issue,
        {"id": "iss_1", "state": "closed", "tags": ["billing"]},
        id="issues.update",
    ),
    pytest.param(
        lambda p: p.issues.delete("iss_1"),
        "DELETE",
        "/issues/iss_1",
        None,
        DELETED,
        DeleteResponse,
        {"request_id": "req_1"},
        id="issues.delete",
    ),
    pytest.param(
        lambda p: p.issues.snooze("iss_1", snooze_until=SNOOZE_UNTIL),
        "POST",
        "/issues/iss_1/snooze",
        {"snooze_until": "2026-11-02T09:30:00+00:00"},
        _data(Issue, id="iss_1", snoozed_until_time="2026-11-02T09:30:00Z"),
        Issue,
        {"id": "iss_1", "snoozed_until_time": SNOOZE_UNTIL},
        id="issues.snooze-datetime",
    ),
    pytest.param(
        lambda p: p.issues.snooze("iss_1", snooze_until="2026-11-02T09:30:00Z"),
        "POST",
        "/issues/iss_1/snooze",
        {"snooze_until": "2026-11-02T09:30:00Z"},
        _data(Issue, id="iss_1"),
        Issue,
        {"id": "iss_1"},
        id="issues.snooze-string",
    ),
    pytest.param(
        lambda p: p.issues.update_followers("iss_1", user_ids=["u1", "u2"], operation="add"),
        "POST",
        "/issues/iss_1/followers",
        {"user_ids": ["u1", "u2"], "operation": "add"},
        {
            "data": [{"id": "u1", "type": "user"}, {"id": "c1", "type": "contact"}],
            "request_id": "req_1",
        },
        list,
        {"__len__": 2},
        id="issues.update_followers",
    ),
    pytest.param(
        lambda p: p.accounts.create(name="Acme"),
        "POST",
        "/accounts",
        {"name": "Acme"},
        _data(Account, id="acc_1", name="Acme", type="customer"),
        Account,
        {"id": "acc_1", "name": "Acme", "type_": "customer"},
        id="accounts.create",
    ),
    pytest.param(
        lambda p: p.accounts.get("acc_1"),
        "GET",
        "/accounts/acc_1",
        None,
        _data(Account, id="acc_1", domains=["acme.test"], owner={"id": "u1"}),
        Account,
        {"id": "acc_1", "domains": ["acme.test"], "owner.id": "u1"},
        id="accounts.get",
    ),
    pytest.param(
        lambda p: p.accounts.update("acc_1", name="Acme Corp", tags=["vip"]),
        "PATCH",
        "/accounts/acc_1",
        {"name": "Acme Corp", "tags": ["vip"]},
        _data(Account, id="acc_1", name="Acme Corp", tags=["vip"]),
        Account,
        {"id": "acc_1", "name": "Acme Corp", "tags": ["vip"]},
        id="accounts.update",
    ),
    pytest.param(
        lambda p: p.accounts.delete("acc_1"),
        "DELETE",
        "/accounts/acc_1",
        None,
        DELETED,
        DeleteResponse,
        {"request_id": "req_1"},
        id="accounts.delete",
    ),
    pytest.param(
        lambda p: p.me(),
        "GET",
        "/me",
        None,
        _data(
            Organization,
            id="org_1",
            name="Acme Support",
            user=complete(User, id="u1", email="a@acme.test"),
        ),
        Organization,
        {"id": "org_1", "name": "Acme Support", "user.id": "u1", "user.email": "a@acme.test"},
        id="me",
    ),
]


@pytest.mark.parametrize(
    ("call", "method", "path", "body", "reply", "model", "expected"), SINGLE_CALLS
)
@pytest.mark.anyio
async def test_single_object_call_sends_the_request_and_returns_the_model(
    call: Call,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    reply: dict[str, Any],
    model: type,
    expected: dict[str, Any],
) -> None:
    """Each facade method sends one request (method, path, no query, JSON body) and parses it."""
    api = Api(reply)
    async with connect(api) as pylon:
        result = await call(pylon)
        assert pylon.last_request_id == "req_1"
    assert len(api.requests) == 1
    request = api.last
    assert request.method == method
    assert request.url.raw_path == path.encode()
    assert request.url.query == b""
    assert body_of(request) == body
    assert type(result) is model
    for name, value in expected.items():
        got = attr(result, name)() if name == "__len__" else attr(result, name)
        assert got == value, name


@pytest.mark.anyio
async def test_me_returns_the_organization_with_the_calling_user() -> None:
    """pylon.me() returns an Organization whose user is the token's user (usepylon's MeUser)."""
    user = {"id": "u1", "email": "ada@acme.test", "name": "Ada"}
    api = Api(_data(Organization, id="org_1", name="Acme", user=user))
    async with connect(api) as pylon:
        org = await pylon.me()
    assert isinstance(org, Organization)
    assert isinstance(org.user, MeUser)
    assert (org.user.id, org.user.email) == ("u1", "ada@acme.test")
    assert org.user.additional_properties == {"name": "Ada"}


# ---------------------------------------------------------------------- lists and searches


def _page(
    model: type[Any], *ids: str, cursor: str | None = None, more: bool = False
) -> dict[str, Any]:
    return {
        "data": [complete(model, id=i) for i in ids],
        "pagination": {"cursor": cursor, "has_next_page": more},
        "request_id": f"req_{'_'.join(ids) or 'empty'}",
    }


@pytest.mark.anyio
async def test_tasks_list_sends_limit_then_the_cursor_of_the_next_page() -> None:
    """tasks.list(limit=50) GETs /tasks?limit=50, then the next page with the cursor."""
    api = Api(_page(Task, "t1", "t2", cursor="c1", more=True), _page(Task, "t3"))
    async with connect(api) as pylon:
        tasks = await pylon.tasks.list(limit=50).collect()
    assert [t.id for t in tasks] == ["t1", "t2", "t3"]
    assert all(type(t) is Task for t in tasks)
    assert [r.method for r in api.requests] == ["GET", "GET"]
    assert [r.url.path for r in api.requests] == ["/tasks", "/tasks"]
    assert [dict(r.url.params) for r in api.requests] == [
        {"limit": "50"},
        {"limit": "50", "cursor": "c1"},
    ]
    assert [r.content for r in api.requests] == [b"", b""]


STATUS_FILTER = {"field": "status", "operator": "equals", "value": "in_progress"}

SEARCHES = [
    pytest.param(
        lambda p: p.tasks.search(filter=dict(STATUS_FILTER), limit=2),
        "/tasks/search",
        {"filter": STATUS_FILTER, "limit": 2},
        Task,
        id="tasks.search-dict-filter",
    ),
    pytest.param(
        lambda p: p.tasks.search(filter=F("status").equals("in_progress"), limit=2),
        "/tasks/search",
        {"filter": STATUS_FILTER, "limit": 2},
        Task,
        id="tasks.search-F-filter",
    ),
    pytest.param(
        lambda p: p.milestones.search(filter=F("project_id").equals("p1")),
        "/milestones/search",
        {"filter": {"field": "project_id", "operator": "equals", "value": "p1"}},
        Milestone,
        id="milestones.search",
    ),
    pytest.param(
        lambda p: p.projects.search(),
        "/projects/search",
        {},
        Project,
        id="projects.search-no-filter",
    ),
    pytest.param(
        lambda p: p.accounts.search(search_text="acme"),
        "/accounts/search",
        {"search_text": "acme"},
        Account,
        id="accounts.search-text",
    ),
    pytest.param(
        lambda p: p.issues.search(filter=F("state").equals("new"), search_text="printer"),
        "/issues/search",
        {
            "search_text": "printer",
            "filter": {"field": "state", "operator": "equals", "value": "new"},
        },
        Issue,
        id="issues.search-text-and-filter",
    ),
]


@pytest.mark.parametrize(("call", "path", "first_body", "model"), SEARCHES)
@pytest.mark.anyio
async def test_search_posts_the_filter_and_the_cursor_in_the_body(
    call: Callable[[AsyncPylon], Any], path: str, first_body: dict[str, Any], model: type
) -> None:
    """A search POSTs its filter in the JSON body, then the same body plus the next cursor."""
    api = Api(_page(model, "a", "b", cursor="c1", more=True), _page(model, "c"))
    async with connect(api) as pylon:
        items = await call(pylon).collect()
    assert [i.id for i in items] == ["a", "b", "c"]
    assert all(type(i) is model for i in items)
    assert [(r.method, r.url.path, r.url.query) for r in api.requests] == [
        ("POST", path, b""),
        ("POST", path, b""),
    ]
    assert body_of(api.requests[0]) == first_body
    assert body_of(api.requests[1]) == {**first_body, "cursor": "c1"}


@pytest.mark.anyio
async def test_accounts_list_gets_accounts_without_query() -> None:
    """accounts.list() GETs /accounts with no query and yields Account models."""
    api = Api(_page(Account, "acc_1", "acc_2"))
    async with connect(api) as pylon:
        accounts = await pylon.accounts.list().collect()
    assert [(r.method, r.url.raw_path) for r in api.requests] == [("GET", b"/accounts")]
    assert [a.id for a in accounts] == ["acc_1", "acc_2"]
    assert all(type(a) is Account for a in accounts)


@pytest.mark.anyio
async def test_search_pages_carry_the_request_id_of_their_response() -> None:
    """Each page of a search exposes its own request id."""
    api = Api(_page(Task, "a", cursor="c1", more=True), _page(Task, "b"))
    async with connect(api) as pylon:
        pages = [page async for page in pylon.tasks.search().pages()]
    assert all(isinstance(page, Page) for page in pages)
    assert [page.request_id for page in pages] == ["req_a", "req_b"]


# ---------------------------------------------------------------------- body= and arguments


BODIES = [
    pytest.param(
        lambda p: p.tasks.create(body=CreateTaskRequest(title="Kickoff call", account_id="acc_1")),
        "/tasks",
        {"title": "Kickoff call", "account_id": "acc_1"},
        Task,
        id="tasks.create-model",
    ),
    pytest.param(
        lambda p: p.tasks.create(body={"title": "Kickoff call", "x_new_field": 1}),
        "/tasks",
        {"title": "Kickoff call", "x_new_field": 1},
        Task,
        id="tasks.create-dict",
    ),
    pytest.param(
        lambda p: p.tasks.update("task_1", body=UpdateTaskRequest(status="completed")),
        "/tasks/task_1",
        {"status": "completed"},
        Task,
        id="tasks.update-model",
    ),
    pytest.param(
        lambda p: p.issues.snooze(
            "iss_1", body=SnoozeIssueRequest(snooze_until=SNOOZE_UNTIL.isoformat())
        ),
        "/issues/iss_1/snooze",
        {"snooze_until": "2026-11-02T09:30:00+00:00"},
        Issue,
        id="issues.snooze-model",
    ),
    pytest.param(
        lambda p: p.accounts.update("acc_1", body={"name": "Acme"}),
        "/accounts/acc_1",
        {"name": "Acme"},
        Account,
        id="accounts.update-dict",
    ),
]


@pytest.mark.parametrize(("call", "path", "body", "model"), BODIES)
@pytest.mark.anyio
async def test_body_is_accepted_as_a_generated_model_or_a_dict(
    call: Call, path: str, body: dict[str, Any], model: type
) -> None:
    """``body=`` sends a generated model's to_dict() or a mapping unchanged."""
    api = Api(_data(model, id="x"))
    async with connect(api) as pylon:
        await call(pylon)
    assert api.last.url.raw_path == path.encode()
    assert body_of(api.last) == body


BAD_ARGUMENTS = [
    pytest.param(
        lambda p: p.tasks.create(title="a", body={"title": "b"}), id="tasks.create-body-and-field"
    ),
    pytest.param(
        lambda p: p.tasks.update("t1", status="x", body={}), id="tasks.update-body-and-field"
    ),
    pytest.param(
        lambda p: p.accounts.create(name="a", body={"name": "b"}),
        id="accounts.create-body-and-field",
    ),
    pytest.param(lambda p: p.tasks.create(), id="tasks.create-no-title"),
    pytest.param(lambda p: p.tasks.create(account_id="acc_1"), id="tasks.create-fields-no-title"),
    pytest.param(lambda p: p.projects.create(name="Onboarding"), id="projects.create-no-account"),
    pytest.param(lambda p: p.milestones.create(name="Phase 1"), id="milestones.create-no-project"),
    pytest.param(lambda p: p.issues.create(body_html="<p>hi</p>"), id="issues.create-no-title"),
    pytest.param(lambda p: p.issues.snooze("iss_1"), id="issues.snooze-no-time"),
    pytest.param(lambda p: p.accounts.create(), id="accounts.create-no-name"),
]


@pytest.mark.parametrize("call", BAD_ARGUMENTS)
@pytest.mark.anyio
async def test_bad_keyword_arguments_raise_type_error_before_sending(call: Call) -> None:
    """``body=`` with keyword fields, or a missing required field, is a TypeError; nothing sent."""
    api = Api(_data(Task, id="x"))
    async with connect(api) as pylon:
        with pytest.raises(TypeError):
            await call(pylon)
    assert api.requests == []


@pytest.mark.anyio
async def test_last_response_exposes_status_headers_and_raw_body() -> None:
    """After a call, last_response holds the status, headers and raw body; last_request_id too."""
    raw = json.dumps({"data": task_body("task_1"), "request_id": "req_42"}).encode()
    api = Api(
        httpx.Response(
            201, content=raw, headers={"Content-Type": "application/json", "X-Trace": "abc"}
        )
    )
    async with connect(api) as pylon:
        assert pylon.last_response is None
        assert pylon.last_request_id is None
        await pylon.tasks.create(title="Kickoff call")
        last = pylon.last_response
        assert last is not None
        assert last.status_code == 201
        assert last.headers["x-trace"] == "abc"
        assert last.content == raw
        assert last.request_id == "req_42"
        assert pylon.last_request_id == "req_42"


# ---------------------------------------------------------------------- path ids


TRICKY_IDS = [
    pytest.param("a/b", b"/tasks/a%2Fb", id="slash"),
    pytest.param("a?b=c", b"/tasks/a%3Fb%3Dc", id="question-mark"),
    pytest.param("a#frag", b"/tasks/a%23frag", id="hash"),
    pytest.param("..", b"/tasks/%2E%2E", id="dot-dot"),
    pytest.param(".", b"/tasks/%2E", id="dot"),
    pytest.param("a b", b"/tasks/a%20b", id="space"),
    pytest.param("../me", b"/tasks/..%2Fme", id="dot-dot-slash"),
    pytest.param("a/../../me", b"/tasks/a%2F..%2F..%2Fme", id="traversal"),
    pytest.param("%2F", b"/tasks/%252F", id="already-encoded"),
    pytest.param("tâche", b"/tasks/t%C3%A2che", id="non-ascii"),
]


@pytest.mark.parametrize(("task_id", "raw_path"), TRICKY_IDS)
@pytest.mark.anyio
async def test_path_ids_are_encoded_into_one_segment(task_id: str, raw_path: bytes) -> None:
    """An id with "/", "?", "#", dots or spaces stays one percent-encoded segment of /tasks/."""
    api = Api(_data(Task, id=task_id))
    async with connect(api) as pylon:
        await pylon.tasks.get(task_id)
    url = api.last.url
    assert url.raw_path == raw_path
    assert url.query == b""
    assert url.fragment == ""
    assert url.host == "api.usepylon.com"


@pytest.mark.anyio
async def test_path_ids_in_nested_paths_keep_the_suffix() -> None:
    """An id of ".." in /issues/{id}/followers neither climbs nor drops the /followers suffix."""
    api = Api({"data": [], "request_id": "req_1"}, _data(Issue, id="a/b"))
    async with connect(api) as pylon:
        await pylon.issues.update_followers("..", user_ids=["u1"], operation="remove")
        await pylon.issues.snooze("a/b", snooze_until="2026-11-02T09:30:00Z")
    assert [r.url.raw_path for r in api.requests] == [
        b"/issues/%2E%2E/followers",
        b"/issues/a%2Fb/snooze",
    ]


@pytest.mark.parametrize(
    "bad_id",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param("\t\n", id="whitespace"),
        pytest.param(None, id="none"),
        pytest.param(5, id="int"),
        pytest.param(b"task_1", id="bytes"),
    ],
)
@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda p, i: p.tasks.get(i), id="tasks.get"),
        pytest.param(lambda p, i: p.tasks.update(i, status="x"), id="tasks.update"),
        pytest.param(lambda p, i: p.accounts.delete(i), id="accounts.delete"),
        pytest.param(lambda p, i: p.issues.snooze(i, snooze_until="x"), id="issues.snooze"),
    ],
)
@pytest.mark.anyio
async def test_bad_path_ids_raise_input_error_before_sending(
    call: Callable[[AsyncPylon, Any], Awaitable[Any]], bad_id: Any
) -> None:
    """An empty, blank or non-string id raises PylonInputError (a ValueError); nothing is sent."""
    api = Api(_data(Task, id="x"))
    async with connect(api) as pylon:
        with pytest.raises(PylonInputError, match="must be a non-empty string") as info:
            await call(pylon, bad_id)
    assert isinstance(info.value, ValueError)
    assert api.requests == []


# ---------------------------------------------------------------------- operation coverage


ALL_ENDPOINTS = [pytest.param(e, id=e.key) for e in ENDPOINTS.values()]


def test_endpoint_table_has_168_operations() -> None:
    """ENDPOINTS lists the 168 operations of the client, each keyed by its own key."""
    assert len(ENDPOINTS) == 168
    assert all(key == e.key == f"{e.method} {e.path}" for key, e in ENDPOINTS.items())


@pytest.mark.parametrize("endpoint", ALL_ENDPOINTS)
@pytest.mark.anyio
async def test_every_endpoint_has_a_callable_facade_method(endpoint: Endpoint) -> None:
    """``Endpoint.call`` ("pylon.tasks.get", "pylon.me") resolves to a callable on a client."""
    parts = endpoint.call.split(".")
    assert parts[0] == "pylon"
    assert 2 <= len(parts) <= 3
    async with connect(Api(SUCCESS)) as pylon:
        target: Any = pylon
        for name in parts[1:]:
            target = getattr(target, name)
        assert callable(target)


@pytest.mark.parametrize("endpoint", ALL_ENDPOINTS)
def test_every_endpoint_has_a_generated_function(endpoint: Endpoint) -> None:
    """Each operationId has one generated module, api/**/<snake_case>.py, with asyncio_detailed."""
    root = Path(generated_api.__file__).parent
    matches = list(root.rglob(f"{snake(endpoint.operation_id)}.py"))
    assert len(matches) == 1, matches
    relative = matches[0].relative_to(root).with_suffix("")
    module = importlib.import_module(".".join((generated_api.__name__, *relative.parts)))
    assert callable(module.asyncio_detailed)


def _doc_rows() -> list[tuple[str, str, str]]:
    row = re.compile(r"^\| (GET|POST|PATCH|PUT|DELETE) \| `([^`]+)` \| `([^`]+)` \|")
    matches = [row.match(line) for line in DOCS.read_text().splitlines()]
    return [(m[1], m[2], m[3]) for m in matches if m]


def test_operations_doc_has_one_row_per_endpoint() -> None:
    """docs/operations.md has exactly one table row per endpoint, naming its Python call."""
    rows = _doc_rows()
    assert len(rows) == len(ENDPOINTS)
    by_key = {f"{method} {path}": python for method, path, python in rows}
    assert len(by_key) == len(rows), "a row is repeated"
    assert set(by_key) == set(ENDPOINTS)
    for key, python in by_key.items():
        assert python.startswith(ENDPOINTS[key].call + "("), (key, python)
