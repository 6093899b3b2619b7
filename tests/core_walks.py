"""The walks through the fake's core objects: issues, accounts, contacts, work, the org, the KB.

Each walk drives every operation of one area to a 200 through the client it is given: the
checking client of ``fake_harness`` in ``test_fake_official``, the facade's ``FacadeClient`` in
``test_facade_walk``, ``test_accel`` and ``test_sync_client``. ``ids`` carries what one walk
makes for the next (``me``, ``team``, ``account``). ``ALL_WALKS`` is every walk of the suite,
these first, then those of ``fake_walks`` (and its ``sdk_walks``), in the order they must run.
"""

from __future__ import annotations

import httpx
from fake_walks import WALKS
from sdk_walks import data

from pylon_client.testing import FakePylon

__all__ = [
    "ALL_WALKS",
    "CORE_WALKS",
    "walk_accounts",
    "walk_contacts",
    "walk_issues",
    "walk_kb",
    "walk_org",
    "walk_work",
]

WINDOW = {"start_time": "2026-01-01T00:00:00Z", "end_time": "2026-01-31T00:00:00Z"}


async def walk_issues(client: httpx.AsyncClient, fake: FakePylon, ids: dict[str, str]) -> None:
    """An issue: create, list, search, get, update, snooze, followers, external issue, delete."""
    issue = data(
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
    data(await client.get("/issues", params={**WINDOW, "limit": 5}))
    flt = {"field": "state", "operator": "equals", "value": "new"}
    data(await client.post("/issues/search", json={"filter": flt, "limit": 5}))
    data(await client.get(path))
    patch = {"state": "on_hold", "type": "ticket", "team_id": ids["team"], "assignee_id": ids["me"]}
    data(await client.patch(path, json=patch))
    data(await client.post(f"{path}/snooze", json={"snooze_until": "2026-07-01T00:00:00Z"}))
    follow = {"user_ids": [ids["me"]], "contact_ids": [issue["requester"]["id"]]}
    data(await client.post(f"{path}/followers", json=follow))
    data(await client.get(f"{path}/followers"))
    link = {"external_issue_id": "ENG-1", "source": "linear", "operation": "link"}
    data(await client.post(f"{path}/external-issues", json=link))
    data(await client.delete(path))


async def walk_accounts(client: httpx.AsyncClient, fake: FakePylon, ids: dict[str, str]) -> None:
    """Accounts: create two, list, get, update, bulk update, search, delete, merge."""
    body = {
        "name": "Walk Co",
        "account_type": "partner",
        "domains": ["walk.example", "walk.io"],
        "primary_domain": "walk.io",
        "external_ids": [{"external_id": "crm-1", "label": "crm"}],
        "channels": [{"channel_id": "C1", "source": "slack", "is_primary": True}],
        "logo_url": "https://walk.example/logo.png",
    }
    account = data(await client.post("/accounts", json=body))
    ids["account"] = account["id"]
    twin = data(await client.post("/accounts", json={"name": "Walk Co (old)"}))
    path = f"/accounts/{account['id']}"
    data(await client.get("/accounts", params={"limit": 5}))
    data(await client.get(path))
    data(await client.patch(path, json={"owner_id": ids["me"], "subaccount_ids": [twin["id"]]}))
    bulk = {"account_ids": [twin["id"]], "tags": ["vip"], "is_disabled": True}
    assert (await client.patch("/accounts", json=bulk)).json()["success"] is True
    flt = {"field": "tags", "operator": "contains", "value": "vip"}
    data(await client.post("/accounts/search", json={"filter": flt, "search_text": "walk"}))
    doomed = data(await client.post("/accounts", json={"name": "Doomed"}))
    data(await client.delete(f"/accounts/{doomed['id']}"))
    merge = {"merge_into_account_id": account["id"], "merge_account_ids": [twin["id"]]}
    data(await client.post("/accounts/merge", json=merge))


async def walk_contacts(client: httpx.AsyncClient, fake: FakePylon, ids: dict[str, str]) -> None:
    """A contact: create, list, search, get, update its emails, delete."""
    body = {
        "name": "Ada",
        "email": "ada@walk.example",
        "account_id": ids["account"],
        "phone_numbers": ["+15550100"],
        "portal_role": "member",
        "external_ids": [{"external_id": "u-1", "label": "app"}],
    }
    contact = data(await client.post("/contacts", json=body))
    path = f"/contacts/{contact['id']}"
    data(await client.get("/contacts", params={"limit": 5}))
    flt = {"field": "email", "operator": "equals", "value": "ada@walk.example"}
    data(await client.post("/contacts/search", json={"filter": flt}))
    data(await client.get(path))
    emails = [{"email": "ada@walk.io", "is_primary": True}, {"email": "ada@walk.example"}]
    data(await client.patch(path, json={"emails": emails}))
    data(await client.delete(path))


async def walk_work(client: httpx.AsyncClient, fake: FakePylon, ids: dict[str, str]) -> None:
    """A project, a milestone and a task: create, search, list, get, update, delete."""
    project = data(
        await client.post(
            "/projects",
            json={"name": "Rollout", "account_id": ids["account"], "owner_id": ids["me"]},
        )
    )
    path = f"/projects/{project['id']}"
    data(await client.post("/projects/search", json={"limit": 5}))
    data(await client.get(path))
    cf = [{"slug": "phase", "value": "beta"}]
    data(await client.patch(path, json={"is_archived": True, "custom_fields": cf}))
    milestone = data(
        await client.post("/milestones", json={"name": "Kickoff", "project_id": project["id"]})
    )
    m_path = f"/milestones/{milestone['id']}"
    flt = {"field": "project_id", "operator": "equals", "value": project["id"]}
    data(await client.post("/milestones/search", json={"filter": flt}))
    data(await client.get(m_path))
    data(await client.patch(m_path, json={"due_date": "2026-05-01T00:00:00Z"}))
    task = data(
        await client.post(
            "/tasks",
            json={"title": "Call", "project_id": project["id"], "milestone_id": milestone["id"]},
        )
    )
    t_path = f"/tasks/{task['id']}"
    data(await client.get("/tasks", params={"limit": 5}))
    data(await client.post("/tasks/search", json={"limit": 5}))
    data(await client.get(t_path))
    data(await client.patch(t_path, json={"status": "completed", "assignee_id": ids["me"]}))
    for path_ in (t_path, m_path, path):
        data(await client.delete(path_))


async def walk_org(client: httpx.AsyncClient, fake: FakePylon, ids: dict[str, str]) -> None:
    """The organization: me, users, teams, tags and custom fields."""
    data(await client.get("/me"))
    data(await client.get("/users"))
    data(await client.post("/users/search", json={"limit": 5}))
    data(await client.get(f"/users/{ids['me']}"))
    data(await client.patch(f"/users/{ids['me']}", json={"status": "away"}))
    team = data(await client.post("/teams", json={"name": "Walkers", "user_ids": [ids["me"]]}))
    ids["team"] = team["id"]
    data(await client.get("/teams"))
    data(await client.get(f"/teams/{team['id']}"))
    data(await client.patch(f"/teams/{team['id']}", json={"name": "Walkers 2"}))
    tag = data(await client.post("/tags", json={"value": "walk", "object_type": "issue"}))
    data(await client.get("/tags"))
    data(await client.get(f"/tags/{tag['id']}"))
    data(await client.patch(f"/tags/{tag['id']}", json={"hex_color": "#00ff00"}))
    data(await client.delete(f"/tags/{tag['id']}"))
    body = {
        "label": "Tier",
        "object_type": "account",
        "type": "select",
        "select_options": [{"label": "Gold"}, {"label": "Silver", "slug": "silver"}],
    }
    field = data(await client.post("/custom-fields", json=body))
    data(await client.get("/custom-fields", params={"object_type": "account"}))
    data(await client.get(f"/custom-fields/{field['id']}"))
    data(await client.patch(f"/custom-fields/{field['id']}", json={"description": "Plan"}))


async def walk_kb(client: httpx.AsyncClient, fake: FakePylon, ids: dict[str, str]) -> None:
    """A knowledge base: its collections, articles and a route redirect."""
    kb = data(await client.get("/knowledge-bases"))[0]
    path = f"/knowledge-bases/{kb['id']}"
    data(await client.get(path))
    data(await client.get(f"{path}/collections"))
    collection = data(await client.post(f"{path}/collections", json={"title": "FAQ"}))
    c_path = f"{path}/collections/{collection['id']}"
    data(await client.get(c_path))
    data(await client.patch(c_path, json={"description": "Questions"}))
    body = {
        "title": "Reset a password",
        "body_html": "<p>Click reset.</p>",
        "author_user_id": ids["me"],
        "collection_id": collection["id"],
        "is_published": True,
    }
    article = data(await client.post(f"{path}/articles", json=body))
    a_path = f"{path}/articles/{article['id']}"
    data(await client.get(f"{path}/articles", params={"limit": 5}))
    data(await client.get(a_path))
    data(await client.patch(a_path, json={"body_html": "<p>v2</p>", "is_published": True}))
    redirect = {"from_path": "/old", "object_id": article["id"], "object_type": "article"}
    data(await client.post(f"{path}/route-redirects", json=redirect))
    data(await client.delete(a_path))
    data(await client.delete(c_path))


CORE_WALKS = (walk_org, walk_accounts, walk_issues, walk_contacts, walk_work, walk_kb)
"""The core walks, in the order they run: the org's walk makes the team, accounts' the account."""

ALL_WALKS = (*CORE_WALKS, *WALKS)
"""Every walk, in order: together they drive each of the fake's 168 operations to a 200."""
