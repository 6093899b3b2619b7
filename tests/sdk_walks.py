"""Walks through the fake's operations known from usepylon alone, for ``test_fake_official``.

Each walk drives every operation of one module of the fake to a 200: account activities, notes
and relationships and the issue operations (``_res_sdk_people``); call recordings, select
options, feature request writes and issue groups (``_res_sdk_records``); themes, article
reviews and feedback, suppressions, searches, bulk and form writes (``_res_sdk_misc``). Each
makes what it needs, or takes what the demo seed has; ``ids`` is read by none of them.
``fake_walks`` runs them after its own walks (:data:`SDK_WALKS`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpx

from pylon_client.testing import FakePylon

Walk = Callable[[httpx.AsyncClient, FakePylon, dict[str, str]], Awaitable[None]]

ISSUE = {"title": "Login fails", "body_html": "<p>I cannot log in</p>"}
RECORDING: dict[str, Any] = {
    "app_type": "custom_call_recorder",
    "start_time": "2026-01-05T10:00:00Z",
    "end_time": "2026-01-05T10:30:00Z",
    "participant_emails": "ann@elsewhere.example, api-user@example.com",
    "call_recording_messages": [
        {"speaker_email": "Ann@Elsewhere.example", "message_content": "Hello", "message_at_ms": 0}
    ],
    "recording_id": "rec-1",
    "title": "Discovery",
}
"""A valid ``POST /call-recordings`` body."""
FORM_ANSWERS = [{"slug": "title", "value": "T"}, {"slug": "what_happened", "value": "W"}]
"""Answers to the required fields of the seeded "Report a bug" form."""


def data(response: httpx.Response) -> Any:
    """Return the ``data`` of a 200, failing with the body otherwise."""
    assert response.status_code == 200, f"{response.request.url}: {response.text}"
    return response.json().get("data")


async def walk_sdk_people(client: httpx.AsyncClient, fake: FakePylon, ids: dict[str, str]) -> None:
    """An account's activities, notes and relationships; bulk, spam, merge and issue writes."""
    slug = next(iter(fake.state.activity_types.values()))["slug"]
    child = data(await client.post("/accounts", json={"name": "Child"}))
    parent = data(await client.post("/accounts", json={"name": "Parent"}))
    account = f"/accounts/{child['id']}"
    activity = {"slug": slug, "body_html": "<p>x</p>"}
    assert (await client.post(f"{account}/activities", json=activity)).status_code == 200
    data(await client.get(f"{account}/activities"))
    notes = f"{account}/notebook-blocks/b1/notes"
    data(await client.post(notes, json={"content_html": "<p>n</p>", "title": "T"}))
    data(await client.get(notes))
    body = {"related_object_id": parent["id"], "relationship_type": "parent_account"}
    made = data(await client.post(f"{account}/relationship", json=body))
    data(await client.get(f"{account}/relationships"))
    data(await client.delete(f"{account}/relationships/{made['id']}"))
    issues = [
        data(await client.post("/issues", json={**ISSUE, "account_id": child["id"]}))
        for _ in range(4)
    ]
    one, two, three, four = (i["id"] for i in issues)
    data(await client.patch("/issues", json={"issue_ids": [one, "ghost"], "state": "closed"}))
    fake.issues[four]["source"] = "email"
    data(await client.post("/issues/mark-spam", json={"issue_ids": [three, four]}))
    data(
        await client.post(
            "/issues/merge", json={"primary_issue_id": one, "duplicate_issue_ids": [two]}
        )
    )
    issue = f"/issues/{one}"
    data(await client.post(f"{issue}/draft-reply", json={"body_html": "<p>d</p>"}))
    incident = {"incident_id": "ROOT-1", "source": "rootly"}
    data(await client.post(f"{issue}/external-incidents", json=incident))
    first = data(await client.get(f"{issue}/messages"))[0]
    data(await client.patch(f"{issue}/messages/{first['id']}", json={"body_html": "<p>e</p>"}))
    seeded = [r for rs in fake.state.survey_responses.values() for r in rs if r.get("issue_id")]
    data(await client.get(f"/issues/{seeded[0]['issue_id']}/survey-responses"))
    data(await client.get(f"/issues/{next(iter(fake.state.voice_calls))}/voice-calls"))


async def walk_sdk_records(client: httpx.AsyncClient, fake: FakePylon, ids: dict[str, str]) -> None:
    """A call recording's life, a field's select options, feature requests and issue groups."""
    account = next(iter(fake.accounts))
    a, b, c = [i for i, issue in fake.issues.items() if not issue["is_issue_group"]][:3]
    tier = next(f for f in fake.state.custom_fields.values() if f["slug"] == "tier")["id"]
    made = data(await client.post("/call-recordings", json={**RECORDING, "account_id": account}))
    recording = f"/call-recordings/{made['id']}"
    data(await client.post("/call-recordings/search", json={"limit": 1}))
    data(await client.get(recording))
    data(await client.patch(recording, json={"account_id": ""}))
    data(await client.delete(recording))
    options = f"/custom-fields/{tier}/select-options"
    option = {"label": "Iron", "slug": "iron", "ai_description": "Low"}
    data(await client.post(options, json=option))
    current = {"current_slug": "iron"}
    data(await client.patch(options, params=current, json={"label": "Steel"}))
    data(await client.delete(options, params=current))
    request = data(await client.post("/feature-requests", json={"title": "One"}))["id"]
    other = data(await client.post("/feature-requests", json={"title": "Two"}))["id"]
    path = f"/feature-requests/{request}"
    data(await client.post(f"{path}/evidence", json={"account_id": account}))
    link = {"external_issue_id": "ENG-1", "source": "linear"}
    data(await client.post(f"{path}/external-issues", json=link))
    visibility = {"account_ids": [account], "visible": True}
    data(await client.post(f"{path}/set-portal-visibility", json=visibility))
    merge = {"merge_into_feature_request_id": request, "merge_feature_request_ids": [other]}
    data(await client.post("/feature-requests/merge", json=merge))
    group = data(await client.post("/issue-groups", json={"title": "G", "child_issue_ids": [a, b]}))
    children = f"/issue-groups/{group['id']}/children"
    data(await client.post(children, json={"child_issue_ids": [c]}))
    data(await client.delete(f"{children}/{a}"))


async def walk_sdk_misc(client: httpx.AsyncClient, fake: FakePylon, ids: dict[str, str]) -> None:
    """Themes, an article review, feedback, suppressions, searches, bulk and form writes."""
    state = fake.state
    theme = next(iter(state.kb_themes.values()))
    themes = f"/knowledge-bases/{theme['knowledge_base_id']}/themes/{theme['id']}"
    draft = next(a for a in state.articles.values() if not a["is_published"])
    review = f"/knowledge-bases/{state.kb_of[draft['id']]}/articles/{draft['id']}/request-review"
    form = next(f["id"] for f in state.ticket_forms.values() if f["slug"] == "report-a-bug")
    company = data(await client.post("/custom-objects/companies", json={"name": "Acme"}))["id"]
    data(await client.get("/article-feedback"))
    data(await client.post("/audit-logs/search", json={}))
    data(await client.get("/email-suppressions"))
    data(await client.delete(f"/email-suppressions/{next(iter(state.email_suppressions))}"))
    data(await client.post(review, json={"request_ai_review": True}))
    data(await client.get(themes))
    assets = {"assets": [{"asset_type": "not_found", "content": "<p>?</p>"}]}
    data(await client.patch(themes, json=assets))
    data(await client.post(f"{themes}/publish"))
    data(await client.delete(f"/macros/{next(iter(state.macros))}"))
    data(await client.post("/tags/search", json={"search_text": "a"}))
    fields = {"ids": [company], "custom_fields": {"tier": {"value": "gold"}}}
    data(await client.patch("/custom-objects/companies", json=fields))
    submission = {
        "requester_email": "a@example.com",
        "requester_name": "A",
        "fields": FORM_ANSWERS,
        "attachment_urls": ["https://x.example/a.png"],
    }
    data(await client.post(f"/ticket-forms/{form}/submissions", json=submission))


SDK_WALKS: tuple[Walk, ...] = (walk_sdk_people, walk_sdk_records, walk_sdk_misc)
"""The walks, in the order they run (after those of ``fake_walks``)."""


async def answers(
    client: httpx.AsyncClient, fake: FakePylon, walk: Walk, routes: Iterable[tuple[Any, ...]]
) -> list[tuple[str, str, Any]]:
    """Run ``walk``; return ``(method, template, body)`` of each answer of one of ``routes``.

    ``routes`` are a module's ``ROUTES`` (``(method, template, handler)``); the template of a
    request is the operation the fake routed it to.
    """
    wanted = {f"{method} {template}" for method, template, *_ in routes}
    responses: list[httpx.Response] = []

    async def keep(response: httpx.Response) -> None:
        await response.aread()
        responses.append(response)

    client.event_hooks = {"response": [*client.event_hooks["response"], keep]}
    await walk(client, fake, {})
    seen = list(fake.requests)[-len(responses) :]
    out = []
    for recorded, response in zip(seen, responses, strict=True):
        if recorded.operation is not None and recorded.operation in wanted:
            method, template = recorded.operation.split(" ")
            out.append((method, template, response.json()))
    return out
