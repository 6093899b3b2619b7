"""The fake's themes, article reviews and feedback, suppressions, searches, bulk and form writes.

These operations are known from usepylon 0.1.0a4 alone (``_res_sdk_misc``, ``_res_sdk_misc2``);
they are exercised over raw HTTP, and their answers are checked against the OpenAPI document
that describes them (:data:`FRAGMENT`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema  # type: ignore[import-untyped]  # no stubs are installed for jsonschema
import pytest
import yaml
from fake_harness import OFFICIAL_PATH, open_client, to_json_schema
from sdk_walks import answers as sdk_answers
from sdk_walks import walk_sdk_misc

from pylon_client.testing import FakeClock, FakePylon, _res_sdk_misc, seed_demo
from pylon_client.testing._objects import FILES_URL, new_knowledge_base
from pylon_client.testing._validate import parse_time

pytestmark = pytest.mark.anyio

FRAGMENT = Path(__file__).parents[1] / "openapi" / "pylon-sdk-supplement.yml"
"""The document describing these operations (later the merged supplement)."""

_THEME = "/knowledge-bases/{kb}/themes/{theme}"


def _fake() -> tuple[FakePylon, FakeClock]:
    clock = FakeClock()
    fake = FakePylon(seed=5, clock=clock)
    seed_demo(fake, seed=5, accounts=6, issues_days=2, issues_per_day=1)
    return fake, clock


def _theme_path(fake: FakePylon, suffix: str = "") -> str:
    theme = next(iter(fake.state.kb_themes.values()))
    return _THEME.format(kb=theme["knowledge_base_id"], theme=theme["id"]) + suffix


def _articles(fake: FakePylon) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return a seeded unpublished article and a seeded published one."""
    articles = list(fake.state.articles.values())
    draft = next(a for a in articles if not a["is_published"])
    published = next(a for a in articles if a["is_published"])
    return draft, published


def _review_path(fake: FakePylon, article: dict[str, Any]) -> str:
    kb_id = fake.state.kb_of[article["id"]]
    return f"/knowledge-bases/{kb_id}/articles/{article['id']}/request-review"


async def _submit(client: httpx.AsyncClient, form_id: str, body: Any) -> httpx.Response:
    return await client.post(f"/ticket-forms/{form_id}/submissions", json=body)


def _form_id(fake: FakePylon) -> str:
    """Return the id of the seeded "Report a bug" form (fields title, what_happened required)."""
    return str(
        next(f["id"] for f in fake.state.ticket_forms.values() if f["slug"] == "report-a-bug")
    )


async def _custom_object(client: httpx.AsyncClient, object_type: str, name: str) -> str:
    response = await client.post(f"/custom-objects/{object_type}", json={"name": name})
    assert response.status_code == 200, response.text
    object_id: str = response.json()["data"]["id"]
    return object_id


async def test_every_seeded_knowledge_base_has_its_published_theme() -> None:
    """The demo seed gives each knowledge base an active theme with every file published."""
    fake, _ = _fake()
    themes = list(fake.state.kb_themes.values())
    assert {t["knowledge_base_id"] for t in themes} == set(fake.state.knowledge_bases)
    async with open_client(fake, validate=False) as client:
        theme = (await client.get(_theme_path(fake))).json()["data"]
    kb = fake.state.knowledge_bases[theme["knowledge_base_id"]]
    assert kb["active_theme_id"] == theme["id"]
    assert theme["has_unpublished_changes"] is False
    assert all(a["content"] == a["published_content"] for a in theme["assets"])


async def test_a_theme_update_is_a_draft_until_published() -> None:
    """An update replaces whole files as drafts; publishing makes them live; again is a no-op."""
    fake, _ = _fake()
    body = {
        "assets": [
            {"asset_type": "css", "content": "body { color: teal; }"},
            {"asset_type": "not_found", "content": "<p>Lost?</p>"},
        ]
    }
    async with open_client(fake, validate=False) as client:
        updated = (await client.patch(_theme_path(fake), json=body)).json()["data"]
        published = (await client.post(_theme_path(fake, "/publish"))).json()["data"]
        again = (await client.post(_theme_path(fake, "/publish"))).json()["data"]
    by_type = {a["asset_type"]: a for a in updated["assets"]}
    assert updated["has_unpublished_changes"] is True
    assert by_type["css"]["content"] == "body { color: teal; }"
    assert by_type["css"]["published_content"] == "body { font-family: sans-serif; }"
    assert by_type["css"]["has_unpublished_changes"] is True
    assert "published_content" not in by_type["not_found"]
    assert by_type["header"]["has_unpublished_changes"] is False
    assert published["has_unpublished_changes"] is False
    assert all(a["published_content"] == a["content"] for a in published["assets"])
    assert again == published


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param({}, "assets is required", id="no-assets"),
        pytest.param({"assets": []}, "at least one", id="empty"),
        pytest.param(
            {"assets": [{"asset_type": "logo", "content": "x"}]}, "must be one of", id="bad-type"
        ),
        pytest.param({"assets": [{"asset_type": "css"}]}, "content is required", id="no-content"),
        pytest.param(
            {
                "assets": [
                    {"asset_type": "css", "content": "a"},
                    {"asset_type": "css", "content": "b"},
                ]
            },
            "given twice",
            id="twice",
        ),
        pytest.param(
            {"assets": [{"asset_type": "css", "content": "a"}, {"asset_type": 3, "content": "b"}]},
            "wrong type",
            id="one-bad-of-two",
        ),
    ],
)
async def test_a_bad_theme_update_is_a_400_and_changes_nothing(body: Any, message: str) -> None:
    """The update is atomic: any bad asset is a 400 naming it, and no file changes."""
    fake, _ = _fake()
    before = json.dumps(list(fake.state.kb_themes.values()))
    async with open_client(fake, validate=False) as client:
        response = await client.patch(_theme_path(fake), json=body)
    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"])
    assert json.dumps(list(fake.state.kb_themes.values())) == before


async def test_a_theme_is_found_only_under_its_knowledge_base() -> None:
    """An unknown knowledge base or theme, or a theme asked for under another one, is a 404."""
    fake, _ = _fake()
    other = fake.state.add(fake.state.knowledge_bases, new_knowledge_base("kb-2", title="Other"))
    theme = next(iter(fake.state.kb_themes.values()))
    paths = [
        _THEME.format(kb="ghost", theme=theme["id"]),
        _THEME.format(kb=theme["knowledge_base_id"], theme="ghost"),
        _THEME.format(kb=other["id"], theme=theme["id"]),
    ]
    async with open_client(fake, validate=False) as client:
        for path in paths:
            for method, suffix in (("GET", ""), ("PATCH", ""), ("POST", "/publish")):
                body = {"assets": [{"asset_type": "css", "content": ""}]}
                response = await client.request(
                    method, path + suffix, json=body if method == "PATCH" else None
                )
                assert response.status_code == 404, (method, path + suffix)


async def test_a_review_request_is_recorded_on_the_article() -> None:
    """Asking for a review sets ``approval_info``; the same draft is the same version."""
    fake, clock = _fake()
    draft, _ = _articles(fake)
    reviewer = next(iter(fake.state.users))
    kb_id = fake.state.kb_of[draft["id"]]
    async with open_client(fake, validate=False) as client:
        first = await client.post(_review_path(fake, draft), json={"reviewer_user_ids": [reviewer]})
        clock.advance(60)
        second = await client.post(_review_path(fake, draft), json={"request_ai_review": True})
        await client.patch(
            f"/knowledge-bases/{kb_id}/articles/{draft['id']}", json={"body_html": "<p>New</p>"}
        )
        third = await client.post(_review_path(fake, draft), json={"request_ai_review": True})
    assert [r.status_code for r in (first, second, third)] == [200, 200, 200]
    data = first.json()["data"]
    assert data["approval_status"] == "needs_review"
    assert data["article_id"] == draft["id"]
    assert second.json()["data"]["article_version_id"] == data["article_version_id"]
    assert third.json()["data"]["article_version_id"] != data["article_version_id"]
    info = fake.state.articles[draft["id"]]["approval_info"]
    assert info == {"status": "needs_review", "requested_at": fake.state.now()}


async def test_a_bad_review_request_is_a_400_or_404() -> None:
    """No reviewer, an unknown user or nothing unpublished is a 400; an unknown path is a 404."""
    fake, _ = _fake()
    draft, published = _articles(fake)
    kb_id = fake.state.kb_of[draft["id"]]
    async with open_client(fake, validate=False) as client:
        cases = [
            (_review_path(fake, draft), {}, 400),
            (_review_path(fake, draft), {"request_ai_review": False}, 400),
            (_review_path(fake, draft), {"reviewer_user_ids": ["ghost"]}, 400),
            (_review_path(fake, draft), {"reviewer_user_ids": "me"}, 400),
            (_review_path(fake, published), {"request_ai_review": True}, 400),
            (f"/knowledge-bases/ghost/articles/{draft['id']}/request-review", {}, 404),
            (f"/knowledge-bases/{kb_id}/articles/ghost/request-review", {}, 404),
        ]
        for path, body, status in cases:
            response = await client.post(path, json=body)
            assert response.status_code == status, (path, body, response.text)
    assert "approval_info" not in fake.state.articles[draft["id"]]
    assert "approval_info" not in fake.state.articles[published["id"]]


async def test_article_feedback_is_listed_newest_first_filtered_and_paged() -> None:
    """Feedback comes newest first, narrowed by knowledge base and article, a page at a time."""
    fake, _ = _fake()
    feedback = list(fake.state.article_feedback.values())
    assert len(feedback) == len(fake.state.articles)
    article_id = feedback[0]["article_id"]
    kb_id = feedback[0]["knowledge_base_id"]
    async with open_client(fake, validate=False) as client:
        everything = (await client.get("/article-feedback")).json()
        one = (await client.get("/article-feedback", params={"article_id": article_id})).json()
        of_kb = (await client.get("/article-feedback", params={"knowledge_base_id": kb_id})).json()
        none = (await client.get("/article-feedback", params={"knowledge_base_id": "x"})).json()
        first = (await client.get("/article-feedback", params={"limit": 2})).json()
        cursor = first["pagination"]["cursor"]
        rest = (await client.get("/article-feedback", params={"cursor": cursor})).json()
        bad_limit = await client.get("/article-feedback", params={"limit": 1000})
        bad_cursor = await client.get("/article-feedback", params={"cursor": "nope"})
    stamps = [f["submitted_at"] for f in everything["data"]]
    assert stamps == sorted(stamps, reverse=True)
    assert [f["article_id"] for f in one["data"]] == [article_id]
    assert len(of_kb["data"]) == len(feedback)
    assert none["data"] == []
    assert first["pagination"]["has_next_page"] is True
    assert [f["id"] for f in first["data"] + rest["data"]] == [f["id"] for f in everything["data"]]
    assert (bad_limit.status_code, bad_cursor.status_code) == (400, 400)


async def test_email_suppressions_are_listed_checked_and_lifted() -> None:
    """Suppressions are listed newest first or for one address; deleting one lifts it."""
    fake, _ = _fake()
    async with open_client(fake, validate=False) as client:
        listed = (await client.get("/email-suppressions")).json()["data"]
        target = listed[-1]
        checked = await client.get("/email-suppressions", params={"email": target["email"].upper()})
        unknown = await client.get("/email-suppressions", params={"email": "nobody@example.com"})
        deleted = await client.delete(f"/email-suppressions/{target['id']}")
        after = await client.get("/email-suppressions", params={"email": target["email"]})
        again = await client.delete(f"/email-suppressions/{target['id']}")
        bad_limit = await client.get("/email-suppressions", params={"limit": 1001})
        max_limit = await client.get("/email-suppressions", params={"limit": 1000})
    assert len(listed) == 2
    assert listed[0]["created_at"] > listed[1]["created_at"]
    assert {s["reason"] for s in listed} == {"hard_bounce", "manual"}
    assert checked.json()["data"] == [target]
    assert unknown.json()["data"] == []
    assert (deleted.status_code, deleted.json().keys()) == (200, {"request_id"})
    assert after.json()["data"] == []
    assert target["id"] not in fake.state.email_suppressions
    assert (again.status_code, bad_limit.status_code, max_limit.status_code) == (404, 400, 200)


async def test_a_macro_is_deleted_for_good() -> None:
    """``DELETE /macros/{id}`` forgets the macro; the next read or delete is a 404."""
    fake, _ = _fake()
    macro_id = next(iter(fake.state.macros))
    async with open_client(fake, validate=False) as client:
        deleted = await client.delete(f"/macros/{macro_id}")
        read = await client.get(f"/macros/{macro_id}")
        again = await client.delete(f"/macros/{macro_id}")
    assert (deleted.status_code, deleted.json().keys()) == (200, {"request_id"})
    assert (read.status_code, again.status_code) == (404, 404)
    assert macro_id not in fake.state.macros


async def test_tags_are_searched_newest_first_by_type_and_text() -> None:
    """Tag search narrows by object type and by text, separators alike, and pages."""
    fake, _ = _fake()
    state = fake.state
    for value, object_type in (("needs review", "article"), ("Needs_Review-2", "issue")):
        state.add(state.tags, {"id": state.new_id(), "value": value, "object_type": object_type})
    async with open_client(fake, validate=False) as client:
        everything = (await client.post("/tags/search", json={})).json()
        text = (await client.post("/tags/search", json={"search_text": "NEEDS-review"})).json()
        typed = await client.post(
            "/tags/search", json={"search_text": "needs review", "object_type": "article"}
        )
        first = (await client.post("/tags/search", json={"limit": 3})).json()
        rest = await client.post(
            "/tags/search", json={"limit": 100, "cursor": first["pagination"]["cursor"]}
        )
        bad_type = await client.post("/tags/search", json={"object_type": "contact"})
        bad_limit = await client.post("/tags/search", json={"limit": 0})
    ids = [t["id"] for t in everything["data"]]
    assert ids == list(reversed(state.tags))
    assert [t["value"] for t in text["data"]] == ["Needs_Review-2", "needs review"]
    assert [t["value"] for t in typed.json()["data"]] == ["needs review"]
    assert [t["id"] for t in first["data"] + rest.json()["data"]] == ids
    assert (bad_type.status_code, bad_limit.status_code) == (400, 400)


async def test_audit_logs_are_searched_by_filter_newest_first() -> None:
    """The filter takes action, action_happened_at and object_id with their own operators."""
    fake, _ = _fake()
    logs = sorted(fake.state.audit_logs.values(), key=lambda e: e["created_at"], reverse=True)
    newest = logs[0]
    window = [newest["action_happened_at"], "2100-01-01T00:00:00Z"]
    filters: list[tuple[Any, list[str]]] = [
        (None, [e["id"] for e in logs]),
        ({"field": "action", "operator": "equals", "value": newest["action"]}, [newest["id"]]),
        ({"field": "action", "operator": "string_contains", "value": "."}, [e["id"] for e in logs]),
        ({"field": "object_id", "operator": "in", "values": [newest["object_id"]]}, [newest["id"]]),
        (
            {"field": "action_happened_at", "operator": "time_range", "values": window},
            [newest["id"]],
        ),
        (
            {
                "operator": "and",
                "subfilters": [
                    {"field": "action", "operator": "not_in", "values": [newest["action"]]},
                    {"field": "object_id", "operator": "equals", "value": newest["object_id"]},
                ],
            },
            [],
        ),
    ]
    async with open_client(fake, validate=False) as client:
        for raw, want in filters:
            body = {} if raw is None else {"filter": raw}
            response = await client.post("/audit-logs/search", json=body)
            assert [e["id"] for e in response.json()["data"]] == want, raw
        paged = (await client.post("/audit-logs/search", json={"limit": 1})).json()
        bad = [
            {"field": "object_id", "operator": "string_contains", "value": "x"},
            {"field": "action", "operator": "time_is_after", "value": "2026-01-01T00:00:00Z"},
            {"field": "source", "operator": "equals", "value": "api"},
            {"operator": "or", "subfilters": [{"field": "object_id", "operator": "is_set"}]},
        ]
        statuses = [
            (await client.post("/audit-logs/search", json={"filter": f})).status_code for f in bad
        ]
        bad_limit = await client.post("/audit-logs/search", json={"limit": 1000})
    assert paged["pagination"]["has_next_page"] is True
    assert statuses == [400, 400, 400, 400]
    assert bad_limit.status_code == 400


async def test_custom_objects_are_updated_in_bulk() -> None:
    """The same values land on every listed object of the type; others are skipped."""
    fake, clock = _fake()
    fake.state.custom_object_types.add("deals")
    account_id = next(iter(fake.state.accounts))
    async with open_client(fake, validate=False) as client:
        one = await _custom_object(client, "companies", "One")
        two = await _custom_object(client, "companies", "Two")
        deal = await _custom_object(client, "deals", "Deal")
        clock.advance(60)
        fields = {"tier": {"value": "gold"}, "regions": {"values": ["eu", "us"]}}
        fields["account"] = {"value": account_id}
        body = {"ids": [one, two, "ghost", deal, one], "custom_fields": fields}
        set_response = await client.patch("/custom-objects/companies", json=body)
        clock.advance(60)
        unset = {"ids": [two], "custom_fields": {"tier": {"value": ""}, "regions": {}}}
        unset_response = await client.patch("/custom-objects/companies", json=unset)
    assert set_response.json() == {
        "success": True,
        "updated_ids": [one, two],
        "request_id": set_response.json()["request_id"],
    }
    objects = fake.state.custom_objects
    assert objects[one]["custom_fields"] == {
        "tier": {"slug": "tier", "value": "gold"},
        "regions": {"slug": "regions", "values": ["eu", "us"]},
        "account": {"slug": "account", "value": account_id},
    }
    assert objects[deal]["custom_fields"] == {}
    assert objects[deal]["updated_at"] < objects[one]["updated_at"]
    assert unset_response.json()["updated_ids"] == [two]
    assert objects[two]["custom_fields"] == {"account": {"slug": "account", "value": account_id}}
    assert objects[two]["updated_at"] > objects[one]["updated_at"]


@pytest.mark.parametrize(
    ("object_type", "body", "status"),
    [
        pytest.param("ghosts", {"ids": ["x"]}, 404, id="unknown-type"),
        pytest.param("companies", {}, 400, id="no-ids"),
        pytest.param("companies", {"ids": []}, 400, id="empty-ids"),
        pytest.param("companies", {"ids": [f"id{i}" for i in range(101)]}, 400, id="101-ids"),
        pytest.param("companies", {"ids": ["x"], "custom_fields": []}, 400, id="fields-array"),
        pytest.param(
            "companies", {"ids": ["x"], "custom_fields": {"tier": "gold"}}, 400, id="bare-value"
        ),
        pytest.param(
            "companies",
            {"ids": ["x"], "custom_fields": {"tier": {"values": [1]}}},
            400,
            id="values-not-strings",
        ),
        pytest.param(
            "companies",
            {"ids": ["x"], "custom_fields": {"account": {"value": "ghost"}}},
            400,
            id="unknown-account",
        ),
    ],
)
async def test_a_bad_bulk_update_is_refused(object_type: str, body: Any, status: int) -> None:
    """An unknown type is a 404; bad ids or field values are a 400 and change nothing."""
    fake, _ = _fake()
    async with open_client(fake, validate=False) as client:
        made = await _custom_object(client, "companies", "Kept")
        before = json.dumps(fake.state.custom_objects[made])
        response = await client.patch(f"/custom-objects/{object_type}", json=body)
    assert response.status_code == status, response.text
    assert json.dumps(fake.state.custom_objects[made]) == before


async def test_a_ticket_form_submission_makes_an_issue_and_is_recorded() -> None:
    """A submission by email makes a contact and a form issue; one by id reuses the contact."""
    fake, _ = _fake()
    form_id = _form_id(fake)
    contact = next(c for c in fake.state.contacts.values() if c.get("email"))
    body = {
        "requester_email": "new.person@example.com",
        "requester_name": "New Person",
        "fields": [
            {"slug": "title", "value": "Export fails"},
            {"slug": "what_happened", "value": "It <crashes>"},
            {"slug": "severity", "values": ["high"]},
        ],
        "attachment_urls": ["https://files.example.com/logs/trace.txt"],
    }
    details = {"name": "Details", "slug": "details", "type": "text", "description_html": ""}
    fake.state.ticket_forms["form-2"] = {
        **fake.state.ticket_forms[form_id],
        "id": "form-2",
        "name": "Feedback",
        "fields": [{**details, "required": False, "hidden": False}],
    }
    by_id = {"requester_id": contact["id"], "fields": [{"slug": "details", "value": "Nice"}]}
    contacts_before = len(fake.state.contacts)
    async with open_client(fake, validate=False) as client:
        first = (await _submit(client, form_id, body)).json()["data"]
        second = (await _submit(client, "form-2", by_id)).json()["data"]
        read = (await client.get(f"/issues/{first['id']}")).json()["data"]
    assert len(fake.state.contacts) == contacts_before + 1
    new_contact = next(
        c for c in fake.state.contacts.values() if c.get("email") == "new.person@example.com"
    )
    assert new_contact["name"] == "New Person"
    assert read == first
    assert (first["title"], first["source"], first["state"]) == ("Export fails", "form", "new")
    assert first["requester"] == {"id": new_contact["id"], "email": "new.person@example.com"}
    assert "It &lt;crashes&gt;" in first["body_html"]
    assert "Severity</strong>: high" in first["body_html"]
    assert [u.startswith(FILES_URL) for u in first["attachment_urls"]] == [True]
    assert first["attachment_urls"][0].endswith("/trace.txt")
    assert (second["title"], second["body_html"]) == (
        "Feedback",
        "<p><strong>Details</strong>: Nice</p>",
    )
    assert second["requester"]["id"] == contact["id"]
    assert second["number"] == first["number"] + 1
    recorded = list(fake.state.ticket_form_submissions.values())
    assert [(s["issue_id"], s["requester_id"]) for s in recorded] == [
        (first["id"], new_contact["id"]),
        (second["id"], contact["id"]),
    ]
    assert [s["ticket_form_id"] for s in recorded] == [form_id, "form-2"]
    assert recorded[0]["fields"] == body["fields"]
    assert recorded[0]["attachment_urls"] == first["attachment_urls"]


_ANSWERS = [{"slug": "title", "value": "T"}, {"slug": "what_happened", "value": "W"}]
_BY_EMAIL = {"requester_email": "a@example.com", "requester_name": "A"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param({"fields": _ANSWERS}, "give requester_id", id="no-requester"),
        pytest.param(
            {"requester_email": "a@example.com", "fields": _ANSWERS},
            "give requester_id",
            id="email-without-name",
        ),
        pytest.param(
            {"requester_id": "ghost", "fields": _ANSWERS}, "no contact", id="unknown-contact"
        ),
        pytest.param({**_BY_EMAIL, "fields": _ANSWERS[:1]}, "required field", id="required"),
        pytest.param(
            {**_BY_EMAIL, "fields": [*_ANSWERS, {"slug": "colour", "value": "x"}]},
            "no field 'colour'",
            id="unknown-slug",
        ),
        pytest.param(
            {**_BY_EMAIL, "fields": [*_ANSWERS, {"slug": "email", "value": "x"}]},
            "requester_email",
            id="email-as-field",
        ),
        pytest.param(
            {**_BY_EMAIL, "fields": [*_ANSWERS, {"slug": "title", "value": "again"}]},
            "answered twice",
            id="twice",
        ),
        pytest.param(
            {**_BY_EMAIL, "fields": [*_ANSWERS, {"slug": "severity", "value": "a", "values": []}]},
            "one of them",
            id="value-and-values",
        ),
        pytest.param(
            {**_BY_EMAIL, "fields": _ANSWERS, "attachment_urls": ["http://x.example/a"]},
            "HTTPS",
            id="plain-http",
        ),
        pytest.param("not an object", "JSON object", id="not-an-object"),
    ],
)
async def test_a_bad_ticket_form_submission_is_a_400(body: Any, message: str) -> None:
    """A submission without a proper requester or with bad answers makes nothing."""
    fake, _ = _fake()
    issues_before = len(fake.state.issues)
    async with open_client(fake, validate=False) as client:
        response = await _submit(client, _form_id(fake), body)
    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"])
    assert len(fake.state.issues) == issues_before
    assert fake.state.ticket_form_submissions == {}


async def test_requester_id_is_not_combined_with_an_email_and_forms_must_exist() -> None:
    """``requester_id`` with ``requester_email`` is a 400; an unknown form is a 404."""
    fake, _ = _fake()
    contact_id = next(iter(fake.state.contacts))
    both = {"requester_id": contact_id, **_BY_EMAIL, "fields": _ANSWERS}
    async with open_client(fake, validate=False) as client:
        combined = await _submit(client, _form_id(fake), both)
        missing = await _submit(client, "ghost", {**_BY_EMAIL, "fields": _ANSWERS})
    assert combined.status_code == 400
    assert "cannot be combined" in " ".join(combined.json()["errors"])
    assert missing.status_code == 404


def _documents() -> tuple[dict[str, Any], dict[str, Any]]:
    """Return :data:`FRAGMENT` and the ``$defs`` its schemas are checked with.

    Pylon's own schemas stand in for the stubs (and for the types both documents have).
    """
    document: dict[str, Any] = yaml.safe_load(FRAGMENT.read_text())
    official = json.loads(OFFICIAL_PATH.read_text())
    schemas = {**document["components"]["schemas"], **official["components"]["schemas"]}
    defs: dict[str, Any] = to_json_schema(schemas)
    return document, defs


def _validator(
    document: dict[str, Any], defs: dict[str, Any], method: str, template: str
) -> jsonschema.Draft202012Validator:
    """Return a validator of the 200 of ``method template`` as ``document`` describes it."""
    operation = document["paths"][template][method.lower()]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    formats = jsonschema.FormatChecker(formats=())
    formats.checks("date-time")(lambda v: not isinstance(v, str) or bool(parse_time(v)))
    full = {**to_json_schema(schema), "$defs": defs}
    return jsonschema.Draft202012Validator(full, format_checker=formats)


async def test_every_answer_has_the_shape_the_document_gives() -> None:
    """Each operation's 200 body validates against its response schema in :data:`FRAGMENT`."""
    fake, _ = _fake()
    async with open_client(fake, validate=False) as client:
        answers = await sdk_answers(client, fake, walk_sdk_misc, _res_sdk_misc.ROUTES)
    bodies = [((method, template), body) for method, template, body in answers]
    assert {key for key, _ in bodies} == {(m, t) for m, t, _ in _res_sdk_misc.ROUTES}
    document, defs = _documents()
    for (method, template), body in bodies:
        errors = [e.message for e in _validator(document, defs, method, template).iter_errors(body)]
        assert errors == [], (method, template)
    # The lists the check saw were not empty, so their items' shapes were checked too.
    assert all(body["data"] for (method, _), body in bodies if method == "GET")
