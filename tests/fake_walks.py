"""Walks through the fake's operations beyond the core objects (those are ``core_walks``).

Each walk drives every operation of one area to a 200 through a checking client of
``fake_harness`` (so each answer is also checked against Pylon's document and usepylon's
required fields): uploads, an issue's conversation, imports, the organization's settings,
account highlights, activities, custom objects and feature requests, and a task's comments and
links. ``ids`` carries what one walk makes for the next (``account``, ``attachment_url``, ...).
"""

from __future__ import annotations

import httpx
from sdk_walks import SDK_WALKS, data

from pylon_client.testing import FakePylon

Parts = list[tuple[str, tuple[str | None, bytes, str | None]]]
"""Multipart parts as httpx takes them: ``(field, (filename, content, content type))``."""


async def walk_files(client: httpx.AsyncClient, fake: FakePylon, ids: dict[str, str]) -> None:
    """Attachments, account files and training data."""
    files = {"file": ("trace.log", b"boom\n" * 10, "text/plain")}
    attachment = data(
        await client.post("/attachments", files=files, data={"description": "The trace"})
    )
    ids["attachment_url"] = attachment["url"]
    by_url = {"file_url": (None, b"https://example.com/report.pdf")}
    data(await client.post(f"/accounts/{ids['account']}/files", files=by_url))
    training = data(await client.post("/training-data", json={"training_data_name": "Docs"}))
    path = f"/training-data/{training['id']}"
    parts: Parts = [
        ("files", ("a.md", b"# A", "text/markdown")),
        ("files", ("b.txt", b"B", "text/plain")),
        ("external_ids", (None, b"ext-a", None)),
        ("external_ids", (None, b"ext-b", None)),
        ("training_data_id", (None, training["id"].encode(), None)),
    ]
    uploaded = data(await client.post("/training-data/upload", files=parts))
    assert [d["file_name"] for d in uploaded["documents"]] == ["a.md", "b.txt"]
    body = {"content": "Reset via settings.", "training_data_name": "FAQ", "file_name": "faq.md"}
    data(await client.post("/training-data/upload-content", json=body))
    data(await client.get("/training-data"))
    data(await client.get(path))
    document = uploaded["documents"][0]["id"]
    query = {"document_ids": document, "external_ids": "ext-b"}
    deleted = await client.delete(f"{path}/documents", params=query)
    assert deleted.status_code == 200
    assert deleted.json()["deleted_count"] == 2


async def walk_conversation(
    client: httpx.AsyncClient, fake: FakePylon, ids: dict[str, str]
) -> None:
    """An issue's messages, reply, note, threads, redaction, deletion and AI response."""
    urls = [ids["attachment_url"]]
    body = {"title": "Crash", "body_html": "<p>It crashed</p>", "attachment_urls": urls}
    issue = data(await client.post("/issues", json=body))
    path = f"/issues/{issue['id']}"
    first = data(await client.get(f"{path}/messages"))[0]
    cc = {"cc_emails": ["boss@walk.example"]}
    answer = {"body_html": "<p>Looking</p>", "message_id": first["id"], "email_info": cc}
    reply = data(await client.post(f"{path}/reply", json=answer))
    data(await client.post(f"{path}/note", json={"body_html": "<p>hm</p>", "thread_name": "Eng"}))
    data(await client.post(f"{path}/threads", json={"name": "Billing"}))
    data(await client.get(f"{path}/threads"))
    data(await client.get(f"{path}/messages", params={"limit": 2}))
    data(await client.post(f"{path}/messages/{reply['id']}/redact"))
    assert (await client.delete(f"{path}/messages/{reply['id']}")).status_code == 200
    ai = await client.post(f"{path}/ai-response", json={"ai_agent_id": "agent-1"})
    assert ai.status_code == 200
    assert ai.json()["response_valid"] is True


async def walk_imports(client: httpx.AsyncClient, fake: FakePylon, ids: dict[str, str]) -> None:
    """Imports of a contact, an issue with its messages, and more messages."""
    contact = data(
        await client.post("/import/contacts", json={"email": "imp@walk.example", "name": "Imp"})
    )
    messages = [
        {
            "body_html": "<p>Help</p>",
            "is_private": False,
            "contact_id": contact["id"],
            "created_at": "2026-01-02T00:00:00Z",
        },
        {"body_html": "<p>On it</p>", "is_private": False, "user_id": ids["me"]},
    ]
    body = {
        "title": "Imported",
        "state": "closed",
        "messages": messages,
        "requester_id": contact["id"],
        "tags": ["legacy"],
        "external_issues": [{"external_issue_id": "ZD-1", "source": "zendesk"}],
        "created_at": "2026-01-02T00:00:00Z",
        "resolution_time": "2026-01-03T00:00:00Z",
    }
    issue = data(await client.post("/import/issues", json=body))
    more = {"messages": [{"body_html": "<p>note</p>", "is_private": True}]}
    data(await client.post(f"/import/issues/{issue['id']}/messages", json=more))


async def walk_settings(client: httpx.AsyncClient, fake: FakePylon, ids: dict[str, str]) -> None:
    """Statuses, forms, roles, activity types, audit logs, macros and surveys."""
    data(await client.get("/issue-statuses"))
    form = data(await client.get("/ticket-forms"))[0]
    data(await client.get(f"/ticket-forms/{form['id']}"))
    data(await client.get("/user-roles"))
    data(await client.get("/activity-types"))
    data(await client.get("/audit-logs", params={"limit": 1}))
    group = data(await client.get("/macro-groups"))[0]
    data(await client.get("/macros", params={"macro_group_id": group["id"]}))
    body = {
        "macro_group_id": group["id"],
        "name": "Ask for logs",
        "text_html": "<p>Could you send the logs?</p>",
        "visibility": {"type": "user", "user_ids": [ids["me"]]},
    }
    macro = data(await client.post("/macros", json=body))
    data(await client.get(f"/macros/{macro['id']}"))
    data(await client.patch(f"/macros/{macro['id']}", json={"text_type": "note"}))
    survey = data(await client.get("/surveys"))[0]
    flt = {"field": "type", "operator": "equals", "value": survey["type"]}
    data(await client.post("/surveys/search", json={"filter": flt}))
    data(await client.get(f"/surveys/{survey['id']}"))
    window: dict[str, str | int] = {"submitted_after": "2020-01-01T00:00:00Z", "limit": 1}
    data(await client.get(f"/surveys/{survey['id']}/responses", params=window))


async def walk_records(client: httpx.AsyncClient, fake: FakePylon, ids: dict[str, str]) -> None:
    """Account highlights and activities, custom objects and feature requests."""
    account = f"/accounts/{ids['account']}"
    highlight = data(
        await client.post(f"{account}/highlights", json={"content_html": "<p>Renewal</p>"})
    )
    h_path = f"{account}/highlights/{highlight['id']}"
    data(await client.patch(h_path, json={"expires_at": "2027-01-01T00:00:00Z"}))
    data(await client.delete(h_path))
    activity = {"slug": "call", "user_id": ids["me"], "link": "https://crm.example/1"}
    data(await client.post(f"{account}/activities", json=activity))
    acme = {"name": "Acme", "custom_fields": {"tier": {"value": "gold"}}}
    created = data(await client.post("/custom-objects/companies", json=acme))
    o_path = f"/custom-objects/companies/{created['id']}"
    data(await client.get("/custom-objects/companies", params={"limit": 5}))
    flt = {"field": "name", "operator": "equals", "value": "Acme"}
    data(await client.post("/custom-objects/companies/search", json={"filter": flt}))
    data(await client.get(o_path))
    data(await client.patch(o_path, json={"name": "Acme Inc"}))
    data(await client.delete(o_path))
    found = data(await client.post("/feature-requests/search", json={"query": "mode"}))
    f_path = f"/feature-requests/{found[0]['id']}"
    data(await client.get(f_path, params={"fetch_evidence": "true"}))
    data(await client.patch(f_path, json={"request_status": "in_progress"}))
    data(await client.delete(f_path))


async def walk_task_extras(client: httpx.AsyncClient, fake: FakePylon, ids: dict[str, str]) -> None:
    """A task's comments, its links to an external and a Pylon issue, and the task statuses."""
    task = data(
        await client.post("/tasks", json={"title": "Follow up", "account_id": ids["account"]})
    )
    path = f"/tasks/{task['id']}"
    note = {"body_html": "<p>Asked the customer.</p>", "is_internal": True}
    comment = data(await client.post(f"{path}/comments", json=note))
    assert [c["id"] for c in data(await client.get(f"{path}/comments"))] == [comment["id"]]
    c_path = f"{path}/comments/{comment['id']}"
    edited = data(await client.patch(c_path, json={"body_html": "<p>They answered.</p>"}))
    assert edited["last_edited_at"] == edited["updated_at"]
    assert (await client.delete(c_path)).status_code == 200
    link = {"external_issue_id": "ENG-7", "source": "linear"}
    linked = data(await client.post(f"{path}/external-issues", json=link))
    assert [e["external_id"] for e in linked["external_issues"]] == ["ENG-7"]
    unlink = {**link, "operation": "unlink"}
    assert data(await client.post(f"{path}/external-issues", json=unlink))["external_issues"] == []
    issue_id = next(iter(fake.issues))
    linked = data(await client.post(f"{path}/issues", json={"issue_id": issue_id}))
    assert [i["id"] for i in linked["linked_issues"]] == [issue_id]
    unlink = {"issue_id": issue_id, "operation": "unlink"}
    assert data(await client.post(f"{path}/issues", json=unlink))["linked_issues"] == []
    statuses = data(await client.get("/task-statuses"))
    assert {"not_started", "in_progress", "completed"} <= {s["slug"] for s in statuses}


WALKS = (
    walk_files,
    walk_conversation,
    walk_imports,
    walk_settings,
    walk_records,
    walk_task_extras,
    *SDK_WALKS,
)
"""The walks, in the order they run (after the core walks of ``core_walks``); last, those of
the operations known from usepylon alone (``sdk_walks``)."""
