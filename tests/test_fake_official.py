"""The fake against Pylon's own OpenAPI document, operation by operation.

A walk drives every operation the fake serves (``FakePylon.operations``) to a 200, and every
operation with a path parameter to a 404; each answer goes through ``fake_harness``: its JSON
Schema in Pylon's document (``openapi/pylon-official.json``, April 2026), and the presence of
every field usepylon 0.1.0a4 marks required (the fact table ``fake_harness.REQUIRED``, one entry
per type with its ``types/<file>.py``). Fifty-four operations the fake serves are not in Pylon's
April document, all of them usepylon's (``fake_harness.EXTRA_OPERATIONS``): five
(``GET /projects/{id}``, ``GET /milestones/{id}``,
``PATCH /knowledge-bases/{id}/collections/{collection_id}``, ``POST /accounts/merge``,
``POST /milestones/search``) are checked against usepylon's required fields only; forty-nine
(a task's comments, its links to external and Pylon issues, ``GET /task-statuses``, and the
operations of ``sdk_walks``) against their schemas in ``openapi/pylon-sdk-supplement.yml``. The
fake serves every operation of Pylon's document (114) and these fifty-four; the walks of
uploads, conversations, imports, settings, other records and a task's comments and links live
in ``fake_walks``, those of the operations known from usepylon alone in ``sdk_walks``. Requests
Pylon refuses get its 400 envelope.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fake_harness import (
    EXTRA_OPERATIONS,
    REQUIRED,
    SUPPLEMENT_OPERATIONS,
    normalize,
    official,
    official_operations,
    open_client,
    small_fake,
    supplement,
)
from fake_walks import WALKS

from pylon_client.testing import FakePylon

WINDOW = {"start_time": "2026-01-01T00:00:00Z", "end_time": "2026-01-31T00:00:00Z"}


def _data(response: httpx.Response) -> Any:
    assert response.status_code == 200, f"{response.request.url}: {response.text}"
    return response.json().get("data")


async def _walk_issues(client: httpx.AsyncClient, fake: FakePylon, ids: dict[str, str]) -> None:
    issue = _data(
        await client.post(
            "/issues",
            json={
                "title": "Walk",
                "body_html": "<p>walk</p>",
                "account_id": ids["account"],
                "requester_email": "walker@walk.example",
                "requester_name": "Walker",
                "tags": ["bug"],
                "priority": "high",
                "custom_fields": [{"slug": "tier", "value": "gold"}],
                "created_at": "2026-01-15T00:00:00Z",
            },
        )
    )
    path = f"/issues/{issue['id']}"
    _data(await client.get("/issues", params={**WINDOW, "limit": 5}))
    flt = {"field": "state", "operator": "equals", "value": "new"}
    _data(await client.post("/issues/search", json={"filter": flt, "limit": 5}))
    _data(await client.get(path))
    patch = {"state": "on_hold", "type": "ticket", "team_id": ids["team"], "assignee_id": ids["me"]}
    _data(await client.patch(path, json=patch))
    _data(await client.post(f"{path}/snooze", json={"snooze_until": "2026-07-01T00:00:00Z"}))
    follow = {"user_ids": [ids["me"]], "contact_ids": [issue["requester"]["id"]]}
    _data(await client.post(f"{path}/followers", json=follow))
    _data(await client.get(f"{path}/followers"))
    link = {"external_issue_id": "ENG-1", "source": "linear", "operation": "link"}
    _data(await client.post(f"{path}/external-issues", json=link))
    _data(await client.delete(path))


async def _walk_accounts(client: httpx.AsyncClient, fake: FakePylon, ids: dict[str, str]) -> None:
    body = {
        "name": "Walk Co",
        "account_type": "partner",
        "domains": ["walk.example", "walk.io"],
        "primary_domain": "walk.io",
        "external_ids": [{"external_id": "crm-1", "label": "crm"}],
        "channels": [{"channel_id": "C1", "source": "slack", "is_primary": True}],
        "logo_url": "https://walk.example/logo.png",
    }
    account = _data(await client.post("/accounts", json=body))
    ids["account"] = account["id"]
    twin = _data(await client.post("/accounts", json={"name": "Walk Co (old)"}))
    path = f"/accounts/{account['id']}"
    _data(await client.get("/accounts", params={"limit": 5}))
    _data(await client.get(path))
    _data(await client.patch(path, json={"owner_id": ids["me"], "subaccount_ids": [twin["id"]]}))
    bulk = {"account_ids": [twin["id"]], "tags": ["vip"], "is_disabled": True}
    assert (await client.patch("/accounts", json=bulk)).json()["success"] is True
    flt = {"field": "tags", "operator": "contains", "value": "vip"}
    _data(await client.post("/accounts/search", json={"filter": flt, "search_text": "walk"}))
    doomed = _data(await client.post("/accounts", json={"name": "Doomed"}))
    _data(await client.delete(f"/accounts/{doomed['id']}"))
    merge = {"merge_into_account_id": account["id"], "merge_account_ids": [twin["id"]]}
    _data(await client.post("/accounts/merge", json=merge))


async def _walk_contacts(client: httpx.AsyncClient, fake: FakePylon, ids: dict[str, str]) -> None:
    body = {
        "name": "Ada",
        "email": "ada@walk.example",
        "account_id": ids["account"],
        "phone_numbers": ["+15550100"],
        "portal_role": "member",
        "external_ids": [{"external_id": "u-1", "label": "app"}],
    }
    contact = _data(await client.post("/contacts", json=body))
    path = f"/contacts/{contact['id']}"
    _data(await client.get("/contacts", params={"limit": 5}))
    flt = {"field": "email", "operator": "equals", "value": "ada@walk.example"}
    _data(await client.post("/contacts/search", json={"filter": flt}))
    _data(await client.get(path))
    emails = [{"email": "ada@walk.io", "is_primary": True}, {"email": "ada@walk.example"}]
    _data(await client.patch(path, json={"emails": emails}))
    _data(await client.delete(path))


async def _walk_work(client: httpx.AsyncClient, fake: FakePylon, ids: dict[str, str]) -> None:
    project = _data(
        await client.post(
            "/projects",
            json={"name": "Rollout", "account_id": ids["account"], "owner_id": ids["me"]},
        )
    )
    path = f"/projects/{project['id']}"
    _data(await client.post("/projects/search", json={"limit": 5}))
    _data(await client.get(path))
    cf = [{"slug": "phase", "value": "beta"}]
    _data(await client.patch(path, json={"is_archived": True, "custom_fields": cf}))
    milestone = _data(
        await client.post("/milestones", json={"name": "Kickoff", "project_id": project["id"]})
    )
    m_path = f"/milestones/{milestone['id']}"
    flt = {"field": "project_id", "operator": "equals", "value": project["id"]}
    _data(await client.post("/milestones/search", json={"filter": flt}))
    _data(await client.get(m_path))
    _data(await client.patch(m_path, json={"due_date": "2026-05-01T00:00:00Z"}))
    task = _data(
        await client.post(
            "/tasks",
            json={"title": "Call", "project_id": project["id"], "milestone_id": milestone["id"]},
        )
    )
    t_path = f"/tasks/{task['id']}"
    _data(await client.get("/tasks", params={"limit": 5}))
    _data(await client.post("/tasks/search", json={"limit": 5}))
    _data(await client.get(t_path))
    _data(await client.patch(t_path, json={"status": "completed", "assignee_id": ids["me"]}))
    for path_ in (t_path, m_path, path):
        _data(await client.delete(path_))


async def _walk_org(client: httpx.AsyncClient, fake: FakePylon, ids: dict[str, str]) -> None:
    _data(await client.get("/me"))
    _data(await client.get("/users"))
    _data(await client.post("/users/search", json={"limit": 5}))
    _data(await client.get(f"/users/{ids['me']}"))
    _data(await client.patch(f"/users/{ids['me']}", json={"status": "away"}))
    team = _data(await client.post("/teams", json={"name": "Walkers", "user_ids": [ids["me"]]}))
    ids["team"] = team["id"]
    _data(await client.get("/teams"))
    _data(await client.get(f"/teams/{team['id']}"))
    _data(await client.patch(f"/teams/{team['id']}", json={"name": "Walkers 2"}))
    tag = _data(await client.post("/tags", json={"value": "walk", "object_type": "issue"}))
    _data(await client.get("/tags"))
    _data(await client.get(f"/tags/{tag['id']}"))
    _data(await client.patch(f"/tags/{tag['id']}", json={"hex_color": "#00ff00"}))
    _data(await client.delete(f"/tags/{tag['id']}"))
    body = {
        "label": "Tier",
        "object_type": "account",
        "type": "select",
        "select_options": [{"label": "Gold"}, {"label": "Silver", "slug": "silver"}],
    }
    field = _data(await client.post("/custom-fields", json=body))
    _data(await client.get("/custom-fields", params={"object_type": "account"}))
    _data(await client.get(f"/custom-fields/{field['id']}"))
    _data(await client.patch(f"/custom-fields/{field['id']}", json={"description": "Plan"}))


async def _walk_kb(client: httpx.AsyncClient, fake: FakePylon, ids: dict[str, str]) -> None:
    kb = _data(await client.get("/knowledge-bases"))[0]
    path = f"/knowledge-bases/{kb['id']}"
    _data(await client.get(path))
    _data(await client.get(f"{path}/collections"))
    collection = _data(await client.post(f"{path}/collections", json={"title": "FAQ"}))
    c_path = f"{path}/collections/{collection['id']}"
    _data(await client.get(c_path))
    _data(await client.patch(c_path, json={"description": "Questions"}))
    body = {
        "title": "Reset a password",
        "body_html": "<p>Click reset.</p>",
        "author_user_id": ids["me"],
        "collection_id": collection["id"],
        "is_published": True,
    }
    article = _data(await client.post(f"{path}/articles", json=body))
    a_path = f"{path}/articles/{article['id']}"
    _data(await client.get(f"{path}/articles", params={"limit": 5}))
    _data(await client.get(a_path))
    _data(await client.patch(a_path, json={"body_html": "<p>v2</p>", "is_published": True}))
    redirect = {"from_path": "/old", "object_id": article["id"], "object_type": "article"}
    _data(await client.post(f"{path}/route-redirects", json=redirect))
    _data(await client.delete(a_path))
    _data(await client.delete(c_path))


@pytest.mark.anyio
async def test_every_operation_answers_as_pylons_document_says() -> None:
    """Every operation the fake serves answers a 200 that passes both checks of the harness."""
    fake = small_fake()
    ids = {"me": fake.state.me_user_id}
    async with open_client(fake) as client:
        core = (_walk_org, _walk_accounts, _walk_issues, _walk_contacts, _walk_work, _walk_kb)
        for walk in (*core, *WALKS):
            await walk(client, fake, ids)
    answered = {r.operation for r in fake.requests if r.status == 200}
    assert sorted(set(FakePylon.operations) - answered) == []
    assert len(FakePylon.operations) == 168


def test_the_fake_serves_every_operation_of_pylons_document() -> None:
    """The fake serves all 114 operations of Pylon's document, plus the 54 only usepylon has."""
    served = {(m, normalize(t)) for m, t in (op.split(" ") for op in FakePylon.operations)}
    assert len(official_operations()) == 114
    assert sorted(set(official_operations()) - served) == []
    assert served == set(official_operations()) | {(m, normalize(t)) for m, t in EXTRA_OPERATIONS}
    assert len(served) == len(FakePylon.operations)


@pytest.mark.anyio
async def test_every_operation_on_an_unknown_id_is_pylons_404() -> None:
    """An unknown id in the path is 404 ``not_found`` in Pylon's error envelope."""
    fake = small_fake()
    with_ids = [op for op in FakePylon.operations if "{" in op]
    async with open_client(fake) as client:
        for op in with_ids:
            method, template = op.split(" ")
            path = re.sub(r"\{[^}]+\}", "ghost", template)
            response = await client.request(method, path, json={} if method != "GET" else None)
            assert (response.status_code, response.json()["code"]) == (404, "not_found"), op
    assert len(with_ids) == 109


def test_every_operation_is_in_one_of_pylons_sources() -> None:
    """Each fake operation is in Pylon's document, or among the 54 only usepylon has."""
    outside = {
        (m, normalize(t))
        for m, t in (op.split(" ") for op in FakePylon.operations)
        if (m, normalize(t)) not in official_operations()
    }
    assert outside == {(m, normalize(t)) for m, t in EXTRA_OPERATIONS}


def test_every_operation_of_the_supplement_is_served_and_checked_against_it() -> None:
    """The supplement's operations are the ones its schemas check, and the fake serves each."""
    documented = {
        (method.upper(), template)
        for template, item in supplement()["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert documented == set(SUPPLEMENT_OPERATIONS)
    assert {f"{m} {t}" for m, t in documented} <= set(FakePylon.operations)


def test_the_fact_table_names_types_of_pylons_document() -> None:
    """Each type of the fact table is a schema of Pylon's document, or one only usepylon has."""
    schemas = official()["components"]["schemas"]
    assert {t for t in REQUIRED if t not in schemas} == {"MeUser", "MiniIssue"}


REFUSED = [
    pytest.param("POST", "/issues", {"title": "t"}, "body_html is required", id="issue-no-body"),
    pytest.param("POST", "/issues", {"body_html": "b"}, "title is required", id="issue-no-title"),
    pytest.param("GET", "/custom-fields", None, "object_type is required", id="cf-no-type"),
    pytest.param(
        "GET", "/custom-fields?object_type=ticket", None, "object_type must be", id="cf-bad-type"
    ),
    pytest.param(
        "POST",
        "/custom-fields",
        {"label": "L", "object_type": "account"},
        "type is required",
        id="cf-create-no-type",
    ),
    pytest.param("POST", "/tags", {"value": "x"}, "object_type is required", id="tag-no-type"),
    pytest.param("POST", "/contacts", {"email": "a@b.c"}, "name is required", id="contact-no-name"),
    pytest.param(
        "POST",
        "/accounts",
        {"name": "A", "external_ids": ["crm-1"]},
        "external_ids[0] must be an object",
        id="account-external-ids-strings",
    ),
    pytest.param(
        "POST",
        "/issues",
        {"title": "t", "body_html": "b", "custom_fields": [{"slug": "n", "value": 5}]},
        "custom_fields must be",
        id="custom-field-number",
    ),
]
REDIRECT = {"from_path": "/old", "object_id": "@article", "object_type": "article"}


@pytest.mark.anyio
@pytest.mark.parametrize(("method", "url", "body", "message"), REFUSED)
async def test_requests_pylon_refuses_get_its_400(
    method: str, url: str, body: Any, message: str
) -> None:
    """A request Pylon refuses is 400 ``invalid_request_body`` saying why."""
    async with open_client(small_fake()) as client:
        response = await client.request(method, url, json=body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request_body"
    assert any(message in m for m in response.json()["errors"]), response.json()["errors"]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("drop", "change", "message"),
    [
        pytest.param("object_type", {}, "object_type is required", id="no-object-type"),
        pytest.param("object_id", {}, "object_id is required", id="no-object-id"),
        pytest.param("from_path", {}, "from_path is required", id="no-from-path"),
        pytest.param(None, {"object_type": "page"}, "object_type must be", id="bad-object-type"),
        pytest.param(None, {"object_id": "ghost"}, "no article with id", id="unknown-object"),
        pytest.param(None, {"object_type": "collection"}, "no collection", id="wrong-object-type"),
    ],
)
async def test_a_route_redirect_pylon_refuses_gets_its_400(
    drop: str | None, change: dict[str, str], message: str
) -> None:
    """A route redirect without a required field, or to no such object, is 400."""
    fake = small_fake()
    kb_id = next(iter(fake.state.knowledge_bases))
    article_id = next(iter(fake.state.articles))
    body = {**REDIRECT, "object_id": article_id, **change}
    if drop is not None:
        del body[drop]
    async with open_client(fake) as client:
        response = await client.post(f"/knowledge-bases/{kb_id}/route-redirects", json=body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request_body"
    assert any(message in m for m in response.json()["errors"]), response.json()["errors"]
    assert fake.state.route_redirects == {}
