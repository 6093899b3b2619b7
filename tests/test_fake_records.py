"""The fake's settings, imports, custom objects, feature requests and training data."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fake_harness import open_client, small_fake
from fake_walks import Parts

from pylon_client.testing import FakePylon


async def _ok(response: Any) -> Any:
    result: httpx.Response = await response
    assert result.status_code == 200, result.text
    return result.json()["data"]


@pytest.mark.anyio
async def test_issue_statuses_are_seeded_with_the_built_in_states() -> None:
    """Every fake lists the five built-in states as default statuses, plus custom ones."""
    async with open_client(FakePylon(seed=1)) as client:
        statuses = await _ok(client.get("/issue-statuses"))
    defaults = [s["slug"] for s in statuses if s["is_default_status"]]
    assert defaults == ["new", "waiting_on_you", "waiting_on_customer", "on_hold", "closed"]
    custom = [s for s in statuses if not s["is_default_status"]]
    assert custom
    assert all(s["category"] in defaults for s in custom)


@pytest.mark.anyio
async def test_ticket_forms_are_listed_and_read_by_id() -> None:
    """The seeded ticket forms are listed, and each is read by its id with its fields."""
    async with open_client(FakePylon(seed=1)) as client:
        forms = await _ok(client.get("/ticket-forms"))
        one = await _ok(client.get(f"/ticket-forms/{forms[0]['id']}"))
        missing = await client.get("/ticket-forms/ghost")
    assert len(forms) >= 2
    assert one == forms[0]
    assert [f["slug"] for f in one["fields"]][:2] == ["title", "what_happened"]
    assert missing.status_code == 404


def test_seeded_settings_do_not_move_the_ids_of_later_objects() -> None:
    """Seeded ids come from the seed alone: the same seed gives the same settings and RNG."""
    one, two = FakePylon(seed=7), FakePylon(seed=7)
    assert one.state.ticket_forms == two.state.ticket_forms
    assert one.state.new_id() == two.state.new_id()
    assert set(FakePylon(seed=8).state.ticket_forms).isdisjoint(one.state.ticket_forms)


@pytest.mark.anyio
async def test_user_roles_are_the_role_ids_users_carry() -> None:
    """Every user's ``role_id`` is the id of a role ``GET /user-roles`` lists."""
    fake = small_fake()
    async with open_client(fake) as client:
        roles = {r["id"] for r in await _ok(client.get("/user-roles"))}
    assert {u["role_id"] for u in fake.users.values()} <= roles


@pytest.mark.anyio
async def test_an_imported_issue_keeps_its_messages_in_time_order() -> None:
    """An import's messages become the conversation, oldest first; the earliest is the body."""
    fake = FakePylon(seed=1)
    messages = [
        {"body_html": "<p>later</p>", "is_private": False, "created_at": "2026-01-02T10:00:00Z"},
        {"body_html": "<p>first</p>", "is_private": False, "created_at": "2026-01-02T09:00:00Z"},
    ]
    body = {"title": "Old ticket", "state": "closed", "messages": messages}
    async with open_client(fake) as client:
        issue = await _ok(client.post("/import/issues", json=body))
        mid = {"body_html": "<p>mid</p>", "is_private": True, "created_at": "2026-01-02T09:30:00Z"}
        more = {"messages": [mid]}
        await _ok(client.post(f"/import/issues/{issue['id']}/messages", json=more))
        listed = await _ok(client.get(f"/issues/{issue['id']}/messages"))
    assert (issue["body_html"], issue["created_at"]) == ("<p>first</p>", "2026-01-02T09:00:00Z")
    assert [m["message_html"] for m in listed] == ["<p>first</p>", "<p>mid</p>", "<p>later</p>"]
    assert fake.issues[issue["id"]]["latest_message_time"] == "2026-01-02T10:00:00Z"


REFUSED = [
    pytest.param(
        "POST",
        "/import/issues",
        {"title": "t", "state": "new"},
        "messages is required",
        id="import-no-messages",
    ),
    pytest.param(
        "POST",
        "/import/issues",
        {"title": "t", "state": "new", "messages": [{"body_html": "b"}]},
        "is_private is required",
        id="import-message-no-private",
    ),
    pytest.param(
        "POST", "/import/contacts", {"name": "n"}, "email is required", id="import-contact-no-email"
    ),
    pytest.param(
        "POST",
        "/macros",
        {"name": "n", "text_html": "t"},
        "macro_group_id is required",
        id="macro-no-group",
    ),
    pytest.param(
        "POST",
        "/macros",
        {"macro_group_id": "@group", "name": "n", "text_html": "t", "visibility": {"type": "team"}},
        "team_ids is required",
        id="macro-team-without-teams",
    ),
    pytest.param(
        "POST",
        "/accounts/@account/highlights",
        {},
        "content_html is required",
        id="highlight-no-content",
    ),
    pytest.param(
        "POST",
        "/accounts/@account/activities",
        {"slug": "ghost"},
        "no activity type",
        id="activity-unknown-slug",
    ),
    pytest.param(
        "POST",
        "/custom-objects/companies",
        {"custom_fields": {}},
        "name is required",
        id="custom-object-no-name",
    ),
    pytest.param(
        "POST",
        "/training-data/upload-content",
        {"content": "c"},
        "training_data_id or training_data_name",
        id="training-content-nowhere",
    ),
    pytest.param(
        "PATCH",
        "/feature-requests/@feature",
        {"request_status": "Not A Slug"},
        "request_status must be",
        id="feature-bad-status",
    ),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("method", "url", "body", "message"), REFUSED)
async def test_writes_pylon_refuses_get_its_400(
    method: str, url: str, body: dict[str, Any], message: str
) -> None:
    """A write missing a field Pylon's document requires, or naming nothing, is 400."""
    fake = small_fake()
    names = {
        "@account": next(iter(fake.accounts)),
        "@group": next(iter(fake.state.macro_groups)),
        "@feature": next(iter(fake.state.feature_requests)),
    }
    for name, value in names.items():
        url = url.replace(name, value)
    body = {k: names.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    async with open_client(fake) as client:
        response = await client.request(method, url, json=body)
    assert (response.status_code, response.json()["code"]) == (400, "invalid_request_body")
    assert any(message in m for m in response.json()["errors"]), response.json()["errors"]


@pytest.mark.anyio
async def test_account_paths_take_an_external_id() -> None:
    """A highlight can be made on an account named by its external id."""
    fake = small_fake()
    account = next(a for a in fake.accounts.values() if a["external_ids"])
    external = account["external_ids"][0]["external_id"]
    async with open_client(fake) as client:
        body = {"content_html": "<p>VIP</p>", "expires_at": "2027-01-01T00:00:00Z"}
        highlight = await _ok(client.post(f"/accounts/{external}/highlights", json=body))
        path = f"/accounts/{account['id']}/highlights/{highlight['id']}"
        cleared = await _ok(client.patch(path, json={"expires_at": ""}))
    assert highlight["account_id"] == account["id"]
    assert "expires_at" not in cleared


@pytest.mark.anyio
async def test_custom_objects_exist_only_for_defined_types() -> None:
    """An undefined type is 404; once the organization defines it, objects can be made."""
    fake = FakePylon(seed=1)
    async with open_client(fake) as client:
        before = await client.get("/custom-objects/licenses")
        fake.state.custom_object_types.add("licenses")
        made = await _ok(client.post("/custom-objects/licenses", json={"name": "Seat pack"}))
        listed = await _ok(client.get("/custom-objects/licenses"))
        other = await client.get(f"/custom-objects/companies/{made['id']}")
    assert (before.status_code, before.json()["code"]) == (404, "not_found")
    assert [o["id"] for o in listed] == [made["id"]]
    assert other.status_code == 404


@pytest.mark.anyio
async def test_custom_object_fields_are_set_and_unset_by_slug() -> None:
    """``custom_fields`` is keyed by slug; a null entry unsets that field on update."""
    async with open_client(FakePylon(seed=1)) as client:
        fields = {"tier": {"value": "gold"}, "regions": {"values": ["eu", "us"]}}
        made = await _ok(
            client.post("/custom-objects/companies", json={"name": "A", "custom_fields": fields})
        )
        path = f"/custom-objects/companies/{made['id']}"
        updated = await _ok(client.patch(path, json={"custom_fields": {"tier": None}}))
    assert made["custom_fields"]["regions"] == {"slug": "regions", "values": ["eu", "us"]}
    assert set(updated["custom_fields"]) == {"regions"}


@pytest.mark.anyio
async def test_feature_requests_are_searched_by_text_status_and_account() -> None:
    """Search matches ``query`` in the text, ``request_statuses``, and evidence accounts."""
    fake = FakePylon(seed=1)
    dark = next(r for r in fake.state.feature_requests.values() if r["title"] == "Dark mode")
    fake.state.feature_request_evidence[dark["id"]][0]["account_id"] = "acct-1"
    async with open_client(fake) as client:
        by_text = await _ok(client.post("/feature-requests/search", json={"query": "OKTA"}))
        by_status = await _ok(
            client.post("/feature-requests/search", json={"request_statuses": ["new"]})
        )
        by_account = await _ok(
            client.post("/feature-requests/search", json={"account_ids": ["acct-1"]})
        )
        with_evidence = await _ok(
            client.get(f"/feature-requests/{dark['id']}", params={"fetch_evidence": "true"})
        )
    assert [r["title"] for r in by_text] == ["SSO with Okta"]
    assert [r["title"] for r in by_status] == ["Dark mode"]
    assert [(r["id"], r["account_ids"]) for r in by_account] == [(dark["id"], ["acct-1"])]
    assert len(with_evidence["evidence"]) == with_evidence["evidence_count"]


@pytest.mark.anyio
async def test_training_documents_are_deleted_by_repeated_query_keys() -> None:
    """``document_ids`` given twice deletes both documents (every value of the key counts)."""
    fake = FakePylon(seed=1)
    async with open_client(fake) as client:
        parts: Parts = [("files", (f"{n}.txt", b"x", "text/plain")) for n in "abc"]
        parts.append(("training_data_name", (None, b"Docs", None)))
        training = await _ok(client.post("/training-data/upload", files=parts))
        doomed = [d["id"] for d in training["documents"][:2]]
        path = f"/training-data/{training['id']}"
        deleted = await client.delete(f"{path}/documents", params={"document_ids": doomed})
        after = await _ok(client.get(path))
    assert deleted.json()["deleted_count"] == 2
    assert [d["file_name"] for d in after["documents"]] == ["c.txt"]


@pytest.mark.anyio
async def test_training_content_with_an_external_id_replaces_its_document() -> None:
    """Uploading content again under the same ``external_id`` replaces the document."""
    fake = FakePylon(seed=1)
    async with open_client(fake) as client:
        body = {"content": "v1", "external_id": "faq", "training_data_name": "FAQ"}
        first = await _ok(client.post("/training-data/upload-content", json=body))
        again = {"content": "version 2", "external_id": "faq", "training_data_id": first["id"]}
        second = await _ok(client.post("/training-data/upload-content", json=again))
    assert [d["file_size"] for d in second["documents"]] == [len("version 2")]
