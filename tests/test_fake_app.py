"""CRUD round trips, envelopes and error responses of the fake Pylon app, in process."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fake_harness import TOKEN, open_client, small_fake

from pylon_client.testing import MAX_BODY_BYTES, FakePylon

Body = Callable[[FakePylon], dict[str, Any]]


def _first(fake: FakePylon, collection: str) -> str:
    return str(next(iter(getattr(fake.state, collection))))


CRUD_CASES = [
    pytest.param(
        "/tasks",
        lambda f: {
            "title": "Ship it",
            "account_id": _first(f, "accounts"),
            "status": "in_progress",
        },
        {"status": "completed", "due_date": "2026-03-01T00:00:00Z"},
        {"status": "completed", "due_date": "2026-03-01T00:00:00Z"},
        id="task",
    ),
    pytest.param(
        "/projects",
        lambda f: {"name": "Rollout", "account_id": _first(f, "accounts")},
        {"name": "Rollout v2", "is_archived": True},
        {"name": "Rollout v2", "is_archived": True},
        id="project",
    ),
    pytest.param(
        "/milestones",
        lambda f: {"name": "Kickoff", "project_id": _first(f, "projects")},
        {"due_date": "2026-04-01T12:00:00Z"},
        {"due_date": "2026-04-01T12:00:00Z"},
        id="milestone",
    ),
    pytest.param(
        "/issues",
        lambda f: {"title": "Login broken", "body_html": "<p>help</p>", "tags": ["bug"]},
        {"state": "closed", "tags": ["bug", "billing"]},
        {"state": "closed", "tags": ["bug", "billing"]},
        id="issue",
    ),
    pytest.param(
        "/accounts",
        lambda f: {"name": "Fresh Co", "domains": ["fresh.example"]},
        {"name": "Fresh Company"},
        {"name": "Fresh Company", "domain": "fresh.example"},
        id="account",
    ),
    pytest.param(
        "/contacts",
        lambda f: {"name": "Ada", "email": "ada@fresh.example"},
        {"account_id": "ACCOUNT"},
        {},
        id="contact",
    ),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("path", "create", "patch", "expected"), CRUD_CASES)
async def test_crud_round_trip(
    path: str, create: Body, patch: dict[str, Any], expected: dict[str, Any]
) -> None:
    """Create, read, update, and delete one object; each step is reflected in the state."""
    fake = small_fake()
    if patch.get("account_id") == "ACCOUNT":
        patch = {"account_id": _first(fake, "accounts")}
        expected = {"account": {"id": patch["account_id"]}}
    collection = getattr(fake.state, path.strip("/"))
    async with open_client(fake) as client:
        created = await client.post(path, json=create(fake))
        assert created.status_code == 200, created.text
        object_id = created.json()["data"]["id"]
        assert collection[object_id] == created.json()["data"]

        fetched = await client.get(f"{path}/{object_id}")
        assert fetched.json()["data"] == created.json()["data"]

        updated = await client.patch(f"{path}/{object_id}", json=patch)
        assert updated.status_code == 200, updated.text
        for key, value in expected.items():
            assert updated.json()["data"][key] == value

        deleted = await client.delete(f"{path}/{object_id}")
        assert deleted.json() == {"request_id": fake.requests[-1].request_id}
        assert object_id not in collection
        assert (await client.get(f"{path}/{object_id}")).status_code == 404


@pytest.mark.anyio
async def test_task_has_nested_references_and_clearable_due_date() -> None:
    """A task's refs are nested ``{id}`` objects; ``due_date: ""`` clears the date."""
    fake = small_fake()
    project_id = _first(fake, "projects")
    user_id = fake.state.me_user_id
    async with open_client(fake) as client:
        task = (
            await client.post(
                "/tasks",
                json={
                    "title": "t",
                    "project_id": project_id,
                    "assignee_id": user_id,
                    "due_date": "2026-02-01T00:00:00Z",
                },
            )
        ).json()["data"]
        assert task["project"] == {"id": project_id}
        assert task["assignee"] == {"user": {"id": user_id}}
        cleared = (await client.patch(f"/tasks/{task['id']}", json={"due_date": ""})).json()
    assert "due_date" not in cleared["data"]


def _big_body() -> bytes:
    return b'{"title": "' + b"x" * MAX_BODY_BYTES + b'"}'


ERROR_CASES = [
    pytest.param(None, "GET", "/tasks", None, 401, "invalid_authorization_header", id="no-auth"),
    pytest.param(
        "Basic abc", "GET", "/tasks", None, 401, "invalid_authorization_header", id="not-bearer"
    ),
    pytest.param("Bearer wrong", "GET", "/tasks", None, 401, "invalid_api_token", id="bad-token"),
    pytest.param(TOKEN, "GET", "/tasks/nope", None, 404, "not_found", id="unknown-task"),
    pytest.param(TOKEN, "PATCH", "/accounts/nope", {}, 404, "not_found", id="unknown-account"),
    pytest.param(TOKEN, "GET", "/nowhere", None, 404, "not_found", id="unknown-route"),
    pytest.param(TOKEN, "POST", "/tasks", {}, 400, "invalid_request_body", id="task-no-title"),
    pytest.param(
        TOKEN, "POST", "/tasks", {"title": 5}, 400, "invalid_request_body", id="task-title-type"
    ),
    pytest.param(
        TOKEN,
        "POST",
        "/tasks",
        {"title": "t", "status": "Done!"},
        400,
        "invalid_request_body",
        id="task-bad-status",
    ),
    pytest.param(
        TOKEN,
        "POST",
        "/tasks",
        {"title": "t", "due_date": "tomorrow"},
        400,
        "invalid_request_body",
        id="task-bad-date",
    ),
    pytest.param(
        TOKEN,
        "POST",
        "/projects",
        {"name": "p"},
        400,
        "invalid_request_body",
        id="project-no-account",
    ),
    pytest.param(
        TOKEN,
        "POST",
        "/milestones",
        {"name": "m"},
        400,
        "invalid_request_body",
        id="milestone-no-project",
    ),
    pytest.param(
        TOKEN,
        "POST",
        "/contacts",
        {"email": "a@b.c"},
        400,
        "invalid_request_body",
        id="contact-no-name",
    ),
    pytest.param(
        TOKEN, "POST", "/tags", {"value": "x"}, 400, "invalid_request_body", id="tag-no-object-type"
    ),
    pytest.param(
        TOKEN,
        "PATCH",
        "/accounts",
        {"account_ids": []},
        400,
        "invalid_request_body",
        id="bulk-no-ids",
    ),
    pytest.param(
        TOKEN,
        "PATCH",
        "/accounts",
        {"account_ids": [str(i) for i in range(101)]},
        400,
        "invalid_request_body",
        id="bulk-101-ids",
    ),
    pytest.param(
        TOKEN,
        "POST",
        "/accounts/merge",
        {"merge_into_account_id": "a", "merge_account_ids": []},
        400,
        "invalid_request_body",
        id="merge-no-ids",
    ),
    pytest.param(
        TOKEN, "GET", "/tasks?limit=1000", None, 400, "invalid_request_body", id="list-limit-1000"
    ),
    pytest.param(
        TOKEN, "GET", "/tasks?limit=0", None, 400, "invalid_request_body", id="list-limit-0"
    ),
    pytest.param(
        TOKEN, "GET", "/tasks?limit=ten", None, 400, "invalid_request_body", id="list-limit-text"
    ),
    pytest.param(
        TOKEN,
        "POST",
        "/tasks/search",
        {"limit": 1001},
        400,
        "invalid_request_body",
        id="search-limit-1001",
    ),
    pytest.param(
        TOKEN, "GET", "/tasks?cursor=garbage", None, 400, "invalid_request_body", id="bad-cursor"
    ),
    pytest.param(
        TOKEN, "POST", "/tasks", b"{not json", 400, "invalid_request_body", id="malformed-json"
    ),
    pytest.param(TOKEN, "POST", "/tasks", [1, 2], 400, "invalid_request_body", id="json-array"),
    pytest.param(TOKEN, "POST", "/tasks", _big_body(), 413, "payload_too_large", id="too-large"),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("auth", "method", "url", "body", "status", "code"), ERROR_CASES)
async def test_invalid_requests_get_the_documented_error(
    auth: str | None, method: str, url: str, body: Any, status: int, code: str
) -> None:
    """Each invalid request gets Pylon's status, error code, and a human message."""
    fake = small_fake()
    async with open_client(fake, token=None) as client:
        headers = {"Authorization": auth} if auth is not None else {}
        if auth == TOKEN:
            headers = {"Authorization": f"Bearer {TOKEN}"}
        kwargs: dict[str, Any] = {"content": body} if isinstance(body, bytes) else {"json": body}
        response = await client.request(method, url, headers=headers, **kwargs)
    assert response.status_code == status
    envelope = response.json()
    assert envelope["code"] == code
    assert envelope["errors"]
    assert all(isinstance(m, str) and m for m in envelope["errors"])
    assert envelope["request_id"] == fake.requests[-1].request_id
    assert fake.requests[-1].status == status


@pytest.mark.anyio
async def test_every_problem_of_a_body_is_reported() -> None:
    """A body with several problems gets one 400 listing all of them."""
    async with open_client(small_fake()) as client:
        response = await client.post("/tasks", json={"status": "BAD", "account_id": "nope"})
    messages = " | ".join(response.json()["errors"])
    assert "title is required" in messages
    assert "status must be one of not_started, in_progress, completed" in messages
    assert "no account with id 'nope'" in messages


@pytest.mark.anyio
async def test_duplicate_domain_is_409_with_exists_id() -> None:
    """Creating an account on a taken domain is 409 ``duplicate_object`` naming the holder."""
    fake = small_fake()
    holder = next(iter(fake.accounts.values()))
    async with open_client(fake) as client:
        response = await client.post("/accounts", json={"name": "x", "domains": holder["domains"]})
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_object"
    assert response.json()["exists_id"] == holder["id"]


@pytest.mark.anyio
async def test_null_equals_omitting() -> None:
    """A field sent as null leaves the stored value alone, as if it were omitted."""
    fake = small_fake()
    task_id = _first(fake, "tasks")
    before = dict(fake.tasks[task_id])
    async with open_client(fake) as client:
        response = await client.patch(f"/tasks/{task_id}", json={"title": None, "extra": 1})
    assert response.status_code == 200
    assert response.json()["data"]["title"] == before["title"]


@pytest.mark.anyio
async def test_issue_side_operations() -> None:
    """Snooze, followers and external issues use the published field names."""
    fake = small_fake()
    issue_id = _first(fake, "issues")
    user_id = fake.state.me_user_id
    async with open_client(fake) as client:
        snoozed = await client.post(
            f"/issues/{issue_id}/snooze", json={"snooze_until": "2026-06-01T00:00:00Z"}
        )
        assert snoozed.json()["data"]["snoozed_until_time"] == "2026-06-01T00:00:00Z"
        await client.post(
            f"/issues/{issue_id}/followers", json={"user_ids": [user_id], "operation": "add"}
        )
        followers = (await client.get(f"/issues/{issue_id}/followers")).json()["data"]
        assert [f["id"] for f in followers] == [user_id]
        linked = await client.post(
            f"/issues/{issue_id}/external-issues",
            json={"external_issue_id": "JIRA-1", "source": "jira", "operation": "link"},
        )
        assert linked.json()["data"] == fake.issues[issue_id]
    assert fake.issues[issue_id]["external_issues"][0]["external_id"] == "JIRA-1"


def test_same_seed_gives_identical_data() -> None:
    """Two fakes seeded alike hold identical objects, ids included."""
    one, two = small_fake(seed=9), small_fake(seed=9)
    for name in ("accounts", "contacts", "issues", "tasks", "projects", "milestones", "users"):
        assert getattr(one.state, name) == getattr(two.state, name)
    assert small_fake(seed=10).accounts != one.accounts
