"""Objects and writes where the fake once followed the effective spec and now follows Pylon."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fake_harness import open_client, small_fake

from pylon_client.testing import FakePylon


def _first(fake: FakePylon, collection: str) -> str:
    return str(next(iter(getattr(fake.state, collection))))


async def _ok(response: Any) -> Any:
    result: httpx.Response = await response
    assert result.status_code == 200, result.text
    return result.json()["data"]


@pytest.mark.anyio
async def test_milestone_nests_its_project_and_account() -> None:
    """A milestone has ``project{id}`` and ``account{id}`` (its project's, unless given)."""
    fake = small_fake()
    project_id = _first(fake, "projects")
    other = _first(fake, "accounts")
    async with open_client(fake) as client:
        inherited = await _ok(
            client.post("/milestones", json={"name": "M1", "project_id": project_id})
        )
        given = await _ok(
            client.post(
                "/milestones", json={"name": "M2", "project_id": project_id, "account_id": other}
            )
        )
        moved = await _ok(client.patch(f"/milestones/{given['id']}", json={"project_id": "x"}))
    assert inherited["project"] == {"id": project_id}
    assert inherited["account"] == fake.projects[project_id]["account"]
    assert given["account"] == {"id": other}
    assert "project_id" not in inherited
    assert moved["project"] == {"id": project_id}


@pytest.mark.anyio
async def test_project_has_owner_id_archive_time_and_custom_fields() -> None:
    """A project has ``owner_id``; archiving stamps ``archived_at``; PATCH takes custom fields."""
    fake = small_fake()
    me = fake.state.me_user_id
    async with open_client(fake) as client:
        body = {"account_id": _first(fake, "accounts"), "owner_id": me}
        created = await _ok(client.post("/projects", json={**body, "project_template_id": "t1"}))
        path = f"/projects/{created['id']}"
        cf = [{"slug": "phase", "value": "beta"}]
        archived = await _ok(client.patch(path, json={"is_archived": True, "custom_fields": cf}))
        restored = await _ok(client.patch(path, json={"is_archived": False, "owner_id": ""}))
    assert (created["owner_id"], created["project_template"]) == (me, {"id": "t1"})
    assert "owner" not in created
    assert archived["archived_at"] == archived["updated_at"]
    assert archived["custom_fields"] == {"phase": {"slug": "phase", "value": "beta"}}
    assert "archived_at" not in restored
    assert "owner_id" not in restored


@pytest.mark.anyio
async def test_task_update_takes_completed_at_but_not_account_id() -> None:
    """PATCH sets ``completed_at``, ignores ``account_id``; a new task has Pylon's defaults."""
    fake = small_fake()
    account = _first(fake, "accounts")
    async with open_client(fake) as client:
        task = await _ok(client.post("/tasks", json={"title": "t", "account_id": account}))
        path = f"/tasks/{task['id']}"
        moment = "2026-03-01T09:00:00Z"
        done = await _ok(client.patch(path, json={"completed_at": moment, "account_id": "x"}))
        reopened = await _ok(client.patch(path, json={"status": "completed"}))
        reopened = await _ok(client.patch(path, json={"status": "in_progress"}))
    assert (task["body_html"], task["customer_portal_visible"]) == ("", False)
    assert (task["external_issues"], task["linked_issues"]) == ([], [])
    assert (done["completed_at"], done["account"]) == (moment, {"id": account})
    assert "completed_at" not in reopened


@pytest.mark.anyio
async def test_contact_has_account_emails_phones_and_external_ids() -> None:
    """A contact nests ``account{id}`` and lists its emails and phones, one of each primary."""
    fake = small_fake()
    account = fake.accounts[_first(fake, "accounts")]
    external_id = account["external_ids"][0]["external_id"]
    async with open_client(fake) as client:
        body = {
            "name": "Ada",
            "email": "ada@x.example",
            "account_external_id": external_id,
            "phone_numbers": ["+1555", "+1666"],
            "primary_phone_number": "+1666",
            "external_ids": [{"external_id": "u-1", "label": "app"}],
        }
        contact = await _ok(client.post("/contacts", json=body))
        emails = [{"email": "ada@y.example", "is_primary": True}, {"email": "ada@x.example"}]
        patched = await _ok(client.patch(f"/contacts/{contact['id']}", json={"emails": emails}))
        taken = await client.post("/contacts", json={"name": "Eve", "email": "ada@y.example"})
    assert contact["account"] == {"id": account["id"]}
    assert (contact["emails"], contact["portal_role"]) == (["ada@x.example"], "no_access")
    assert contact["primary_phone_number"] == "+1666"
    assert contact["external_ids"] == [{"external_id": "u-1", "label": "app"}]
    assert (patched["email"], patched["emails"]) == (
        "ada@y.example",
        ["ada@y.example", "ada@x.example"],
    )
    assert (taken.status_code, taken.json()["exists_id"]) == (409, contact["id"])


@pytest.mark.anyio
async def test_account_writes_take_account_type_not_type() -> None:
    """Writes set ``type`` from ``account_type`` (``type`` is ignored); one domain is primary."""
    fake = FakePylon(seed=1)
    async with open_client(fake) as client:
        sub = await _ok(client.post("/accounts", json={"name": "Sub", "type": "partner"}))
        body = {
            "name": "Parent",
            "account_type": "partner",
            "domains": ["p.example", "p.io"],
            "external_ids": [{"external_id": "crm-9", "label": "crm"}],
            "subaccount_ids": [sub["id"]],
        }
        parent = await _ok(client.post("/accounts", json=body))
        moved = await _ok(
            client.patch(f"/accounts/{parent['id']}", json={"primary_domain": "p.io"})
        )
        bad = await client.patch(f"/accounts/{parent['id']}", json={"account_type": "vendor"})
    assert sub["type"] == "customer"
    assert (parent["type"], parent["primary_domain"], parent["domain"]) == (
        "partner",
        "p.example",
        "p.example",
    )
    assert parent["external_ids"] == [{"external_id": "crm-9", "label": "crm"}]
    assert fake.accounts[sub["id"]]["parent_account_id"] == parent["id"]
    assert (moved["primary_domain"], moved["domains"]) == ("p.io", ["p.example", "p.io"])
    assert bad.status_code == 400


@pytest.mark.anyio
async def test_issue_create_and_update_take_pylons_fields() -> None:
    """POST takes requester email, priority and visibility; PATCH ignores body and priority."""
    fake = small_fake()
    account = _first(fake, "accounts")
    async with open_client(fake) as client:
        body = {
            "title": "Help",
            "body_html": "<p>help</p>",
            "account_id": account,
            "requester_email": "new@cust.example",
            "requester_name": "New Person",
            "priority": "urgent",
            "customer_portal_visible": True,
            "state": "closed",
        }
        issue = await _ok(client.post("/issues", json=body))
        again = await _ok(client.post("/issues", json=body))
        path = f"/issues/{issue['id']}"
        patch = {"body_html": "<p>x</p>", "priority": "low", "type": "ticket", "state": "on_hold"}
        patched = await _ok(client.patch(path, json=patch))
        both = await client.post(
            "/issues", json={**body, "user_id": fake.state.me_user_id, "contact_id": "c"}
        )
    contact = fake.contacts[issue["requester"]["id"]]
    assert (contact["name"], contact["email"]) == ("New Person", "new@cust.example")
    assert again["requester"] == issue["requester"]
    assert (issue["state"], issue["customer_portal_visible"]) == ("new", True)
    assert issue["custom_fields"]["priority"] == {"slug": "priority", "value": "urgent"}
    assert fake.accounts[account]["latest_customer_activity_time"] == again["created_at"]
    assert (patched["body_html"], patched["type"], patched["state"]) == (
        "<p>help</p>",
        "ticket",
        "on_hold",
    )
    assert patched["custom_fields"]["priority"]["value"] == "urgent"
    assert both.status_code == 400


@pytest.mark.anyio
async def test_custom_fields_are_listed_by_object_type_and_unset_by_null() -> None:
    """Select options land in ``select_metadata``; a null value unsets a field on an object."""
    fake = small_fake()
    async with open_client(fake) as client:
        body = {
            "label": "Health Score",
            "object_type": "task",
            "type": "select",
            "select_options": [{"label": "Very Good"}, {"label": "Bad", "slug": "poor"}],
        }
        field = await _ok(client.post("/custom-fields", json=body))
        listed = await _ok(client.get("/custom-fields", params={"object_type": "task"}))
        task = await _ok(client.post("/tasks", json={"title": "t"}))
        path = f"/tasks/{task['id']}"
        cf = [{"slug": "health_score", "value": "poor"}, {"slug": "other", "values": ["a"]}]
        await _ok(client.patch(path, json={"custom_fields": cf}))
        unset = [{"slug": "health_score", "value": None}]
        after = await _ok(client.patch(path, json={"custom_fields": unset}))
    assert field["slug"] == "health_score"
    options = field["select_metadata"]["options"]
    assert options == [
        {"slug": "very_good", "label": "Very Good"},
        {"label": "Bad", "slug": "poor"},
    ]
    assert [f["id"] for f in listed] == [field["id"]]
    assert after["custom_fields"] == {"other": {"slug": "other", "values": ["a"]}}


@pytest.mark.anyio
async def test_articles_keep_a_draft_and_a_published_version() -> None:
    """``body_html`` edits the draft; publishing copies it; ``is_published: false`` withdraws."""
    fake = small_fake()
    kb = f"/knowledge-bases/{_first(fake, 'knowledge_bases')}"
    body = {"title": "FAQ", "body_html": "<p>v1</p>", "author_user_id": fake.state.me_user_id}
    async with open_client(fake) as client:
        draft = await _ok(client.post(f"{kb}/articles", json=body))
        path = f"{kb}/articles/{draft['id']}"
        published = await _ok(client.patch(path, json={"is_published": True}))
        edited = await _ok(client.patch(path, json={"body_html": "<p>v2</p>"}))
        republished = await _ok(
            client.patch(path, json={"body_html": "<p>v3</p>", "publish_updated_body_html": True})
        )
        withdrawn = await _ok(client.patch(path, json={"is_published": False}))
        no_author = await client.post(f"{kb}/articles", json={"title": "x", "body_html": "y"})
    assert (draft["is_published"], draft["current_draft_content_html"]) == (False, "<p>v1</p>")
    assert "current_published_content_html" not in draft
    assert published["current_published_content_html"] == "<p>v1</p>"
    assert edited["current_published_content_html"] == "<p>v1</p>"
    assert republished["current_published_content_html"] == "<p>v3</p>"
    assert withdrawn["is_published"] is False
    assert no_author.status_code == 400


@pytest.mark.anyio
async def test_followers_are_users_and_contacts_by_type() -> None:
    """Followers are ``{id, type}``; ``operation: remove`` takes them off again."""
    fake = small_fake()
    issue = f"/issues/{_first(fake, 'issues')}"
    me, contact = fake.state.me_user_id, _first(fake, "contacts")
    async with open_client(fake) as client:
        body = {"user_ids": [me], "contact_ids": [contact]}
        added = await _ok(client.post(f"{issue}/followers", json=body))
        left = await _ok(
            client.post(f"{issue}/followers", json={"user_ids": [me], "operation": "remove"})
        )
        listed = await _ok(client.get(f"{issue}/followers"))
    assert added == [{"id": me, "type": "user"}, {"id": contact, "type": "contact"}]
    assert left == listed == [{"id": contact, "type": "contact"}]
