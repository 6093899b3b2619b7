"""An issue's conversation in the fake: messages, replies, notes, threads, and attachments."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from fake_harness import open_client
from fake_walks import Parts

from pylon_client.testing import MAX_BODY_BYTES, FakeClock, FakePylon

ISSUE = {"title": "Login fails", "body_html": "<p>I cannot log in</p>"}


async def _ok(response: Any) -> Any:
    result: httpx.Response = await response
    assert result.status_code == 200, result.text
    return result.json()["data"]


async def _issue(client: httpx.AsyncClient, **extra: Any) -> tuple[str, str]:
    """Create an issue; return its path and the id of its first message."""
    issue = await _ok(client.post("/issues", json={**ISSUE, **extra}))
    path = f"/issues/{issue['id']}"
    first = (await _ok(client.get(f"{path}/messages")))[0]
    return path, first["id"]


@pytest.mark.anyio
async def test_a_new_issue_starts_with_its_body_as_first_message() -> None:
    """``POST /issues`` gives the issue one customer-visible message: its ``body_html``."""
    fake = FakePylon(seed=1)
    async with open_client(fake) as client:
        issue = await _ok(client.post("/issues", json=ISSUE))
        messages = await _ok(client.get(f"/issues/{issue['id']}/messages"))
    assert [m["message_html"] for m in messages] == [ISSUE["body_html"]]
    assert messages[0]["is_private"] is False
    assert messages[0]["timestamp"] == issue["created_at"]


@pytest.mark.anyio
async def test_a_reply_shows_up_in_the_messages() -> None:
    """A reply to the first message is listed after it, public, written by the API user."""
    fake = FakePylon(seed=1)
    async with open_client(fake) as client:
        path, first = await _issue(client)
        body = {"body_html": "<p>Try resetting</p>", "message_id": first}
        created = await _ok(client.post(f"{path}/reply", json=body))
        messages = await _ok(client.get(f"{path}/messages"))
    assert [m["id"] for m in messages] == [first, created["id"]]
    assert created["issue_id"] == path.rsplit("/", 1)[1]
    reply = messages[1]
    assert (reply["message_html"], reply["is_private"]) == ("<p>Try resetting</p>", False)
    assert reply["author"]["user"]["id"] == fake.state.me_user_id


@pytest.mark.anyio
async def test_a_reply_as_an_email_carries_its_recipients() -> None:
    """``email_info`` makes the reply an email from its author, with the recipients given."""
    fake = FakePylon(seed=1)
    async with open_client(fake) as client:
        path, first = await _issue(client)
        info = {"to_emails": ["a@x.example"], "cc_emails": ["b@x.example"]}
        body = {"body_html": "<p>Hi</p>", "message_id": first, "email_info": info}
        await _ok(client.post(f"{path}/reply", json=body))
        reply = (await _ok(client.get(f"{path}/messages")))[-1]
    assert reply["source"] == "email"
    assert reply["email_info"]["from_email"] == "api-user@example.com"
    assert reply["email_info"]["cc_emails"] == ["b@x.example"]


@pytest.mark.anyio
async def test_a_note_shows_up_as_a_private_message_in_a_new_thread() -> None:
    """A note is a private message in a thread it opens, and the thread is then listed."""
    fake = FakePylon(seed=1)
    async with open_client(fake) as client:
        path, _ = await _issue(client)
        body = {"body_html": "<p>Escalating</p>", "thread_name": "Engineering"}
        created = await _ok(client.post(f"{path}/note", json=body))
        messages = await _ok(client.get(f"{path}/messages"))
        threads = await _ok(client.get(f"{path}/threads"))
        again = {"body_html": "<p>More</p>", "message_id": created["id"]}
        await _ok(client.post(f"{path}/note", json=again))
        after = await _ok(client.get(f"{path}/messages"))
    note = messages[-1]
    assert (note["id"], note["is_private"]) == (created["id"], True)
    assert [(t["id"], t["name"]) for t in threads] == [(note["thread_id"], "Engineering")]
    assert after[-1]["thread_id"] == note["thread_id"]


@pytest.mark.anyio
async def test_threads_are_listed_after_creation() -> None:
    """``POST /issues/{id}/threads`` adds a thread that ``GET`` then lists, in order."""
    fake = FakePylon(seed=1)
    async with open_client(fake) as client:
        path, _ = await _issue(client)
        one = await _ok(client.post(f"{path}/threads", json={"name": "One"}))
        two = await _ok(client.post(f"{path}/threads", json={}))
        threads = await _ok(client.get(f"{path}/threads"))
    assert [t["id"] for t in threads] == [one["id"], two["id"]]
    assert [t["name"] for t in threads] == ["One", "Thread 2"]


@pytest.mark.anyio
async def test_a_deleted_message_is_gone() -> None:
    """After ``DELETE .../messages/{id}`` the message is not listed, and deleting again is 404."""
    fake = FakePylon(seed=1)
    async with open_client(fake) as client:
        path, first = await _issue(client)
        reply = await _ok(
            client.post(f"{path}/reply", json={"body_html": "<p>x</p>", "message_id": first})
        )
        deleted = await client.delete(f"{path}/messages/{reply['id']}")
        messages = await _ok(client.get(f"{path}/messages"))
        again = await client.delete(f"{path}/messages/{reply['id']}")
    assert deleted.status_code == 200
    assert [m["id"] for m in messages] == [first]
    assert (again.status_code, again.json()["code"]) == (404, "not_found")


@pytest.mark.anyio
async def test_a_redacted_message_keeps_its_place_without_its_body() -> None:
    """Redacting blanks the message's body and files; it stays in the list."""
    fake = FakePylon(seed=1)
    async with open_client(fake) as client:
        path, first = await _issue(client, attachment_urls=["https://files.example/a.png"])
        redacted = await _ok(client.post(f"{path}/messages/{first}/redact"))
        messages = await _ok(client.get(f"{path}/messages"))
    assert (redacted["message_html"], redacted["file_urls"]) == ("", [])
    assert messages == [redacted]


@pytest.mark.anyio
async def test_replies_and_notes_bump_the_issue_and_tell_listeners() -> None:
    """A reply or a note stamps the issue's ``updated_at`` and is heard as an issue update."""
    clock = FakeClock()
    fake = FakePylon(seed=1, clock=clock)
    heard: list[tuple[str, str, str]] = []
    fake.state.listeners.append(lambda kind, event, obj: heard.append((kind, event, obj["id"])))
    async with open_client(fake) as client:
        path, first = await _issue(client)
        issue_id = path.rsplit("/", 1)[1]
        created_at = fake.issues[issue_id]["updated_at"]
        clock.advance(timedelta(minutes=5))
        await _ok(client.post(f"{path}/reply", json={"body_html": "<p>r</p>", "message_id": first}))
        replied_at = fake.issues[issue_id]["updated_at"]
        clock.advance(timedelta(minutes=5))
        await _ok(client.post(f"{path}/note", json={"body_html": "<p>n</p>"}))
    assert created_at < replied_at < fake.issues[issue_id]["updated_at"]
    assert fake.issues[issue_id]["latest_message_time"] == replied_at
    assert heard == [("issue", "created", issue_id), *[("issue", "updated", issue_id)] * 2]


REFUSED = [
    pytest.param("reply", {"message_id": "@first"}, "body_html is required", id="reply-no-body"),
    pytest.param("reply", {"body_html": "b"}, "message_id is required", id="reply-no-message"),
    pytest.param(
        "reply", {"body_html": "b", "message_id": "ghost"}, "no message", id="reply-unknown"
    ),
    pytest.param(
        "reply",
        {"body_html": "b", "message_id": "@first", "user_id": "@me", "contact_id": "@contact"},
        "only one of user_id or contact_id",
        id="reply-two-authors",
    ),
    pytest.param("note", {}, "body_html is required", id="note-no-body"),
    pytest.param(
        "note", {"body_html": "b", "thread_id": "ghost"}, "no thread", id="note-unknown-thread"
    ),
    pytest.param(
        "note",
        {"body_html": "b", "message_id": "@first"},
        "no internal note",
        id="note-to-a-public-message",
    ),
    pytest.param("ai-response", {}, "ai_agent_id is required", id="ai-no-agent"),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("action", "body", "message"), REFUSED)
async def test_a_reply_or_note_pylon_refuses_gets_its_400(
    action: str, body: dict[str, str], message: str
) -> None:
    """A reply or note missing a required field, or naming nothing, is 400 and changes nothing."""
    fake = FakePylon(seed=1)
    async with open_client(fake) as client:
        contact = await _ok(client.post("/contacts", json={"name": "C"}))
        path, first = await _issue(client)
        names = {"@first": first, "@me": fake.state.me_user_id, "@contact": contact["id"]}
        sent = {k: names.get(v, v) for k, v in body.items()}
        response = await client.post(f"{path}/{action}", json=sent)
        messages = await _ok(client.get(f"{path}/messages"))
    assert (response.status_code, response.json()["code"]) == (400, "invalid_request_body")
    assert any(message in m for m in response.json()["errors"]), response.json()["errors"]
    assert [m["id"] for m in messages] == [first]


@pytest.mark.anyio
async def test_an_ai_response_can_be_posted_as_a_note() -> None:
    """``post_as_internal_note`` adds the AI's answer as a private message."""
    fake = FakePylon(seed=1)
    async with open_client(fake) as client:
        path, _ = await _issue(client)
        body = {"ai_agent_id": "agent-1", "post_as_internal_note": True}
        answer = (await client.post(f"{path}/ai-response", json=body)).json()
        messages = await _ok(client.get(f"{path}/messages"))
    assert answer["response_valid"] is True
    assert messages[-1]["message_html"] == answer["response_html"]
    assert messages[-1]["is_private"] is True


@pytest.mark.anyio
async def test_an_attachments_url_can_be_put_on_a_new_issue() -> None:
    """The URL ``POST /attachments`` returns goes on an issue and its first message."""
    fake = FakePylon(seed=1)
    async with open_client(fake) as client:
        files = {"file": ("screen shot.png", b"\x89PNG" + b"\0" * 96, "image/png")}
        attachment = await _ok(
            client.post("/attachments", files=files, data={"description": "The error"})
        )
        body = {**ISSUE, "attachment_urls": [attachment["url"]]}
        issue = await _ok(client.post("/issues", json=body))
        first = (await _ok(client.get(f"/issues/{issue['id']}/messages")))[0]
    assert (attachment["name"], attachment["description"]) == ("screen shot.png", "The error")
    assert attachment["url"].startswith("https://files.pylon.test/attachments/")
    assert fake.state.attachment_sizes[attachment["id"]] == 100
    assert issue["attachment_urls"] == [attachment["url"]]
    assert fake.issues[issue["id"]]["attachment_urls"] == [attachment["url"]]
    assert first["file_urls"] == [attachment["url"]]


@pytest.mark.anyio
async def test_an_attachment_can_come_from_a_url() -> None:
    """With ``file_url`` and no file, the name is the URL's last segment; no size is known."""
    fake = FakePylon(seed=1)
    async with open_client(fake) as client:
        form = {"file_url": (None, b"https://cdn.example/docs/guide.pdf")}
        attachment = await _ok(client.post("/attachments", files=form))
    assert attachment["name"] == "guide.pdf"
    assert fake.state.attachment_sizes[attachment["id"]] is None


@pytest.mark.anyio
async def test_the_generated_clients_fixed_boundary_is_read() -> None:
    """A body with the boundary ``+++`` the generated client sets in its header parses."""
    fake = FakePylon(seed=1)
    headers = {"Content-Type": "multipart/form-data; boundary=+++"}
    async with open_client(fake) as client:
        files: Parts = [
            ("file", ("a.txt", b"abc", "text/plain")),
            ("description", (None, b"d", None)),
        ]
        attachment = await _ok(client.post("/attachments", files=files, headers=headers))
    assert (attachment["name"], attachment["description"]) == ("a.txt", "d")


BAD_UPLOADS = [
    pytest.param(
        {"files": {"description": (None, b"no file")}}, "file or file_url is required", id="none"
    ),
    pytest.param(
        {"files": {"file_url": (None, b"ftp://x/y")}}, "must be an http(s) URL", id="not-http"
    ),
    pytest.param({"json": {"file_url": "https://x/y"}}, "multipart/form-data", id="json"),
    pytest.param(
        {
            "content": b"--b\r\nContent-Disposition: form-data; name=file\r\n\r\nx",
            "headers": {"Content-Type": "multipart/form-data; boundary=b"},
        },
        "no closing boundary",
        id="unterminated",
    ),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("request_args", "message"), BAD_UPLOADS)
async def test_an_upload_pylon_refuses_gets_its_400(
    request_args: dict[str, Any], message: str
) -> None:
    """An upload without a file or file_url, or not multipart at all, is 400; nothing is kept."""
    fake = FakePylon(seed=1)
    async with open_client(fake) as client:
        response = await client.post("/attachments", **request_args)
    assert (response.status_code, response.json()["code"]) == (400, "invalid_request_body")
    assert any(message in m for m in response.json()["errors"]), response.json()["errors"]
    assert fake.state.attachments == {}


@pytest.mark.anyio
async def test_an_upload_above_the_body_cap_is_413() -> None:
    """A multipart body larger than ``MAX_BODY_BYTES`` is 413 ``payload_too_large``."""
    fake = FakePylon(seed=1)
    async with open_client(fake) as client:
        files = {"file": ("big.bin", b"\0" * (MAX_BODY_BYTES + 1), "application/octet-stream")}
        response = await client.post("/attachments", files=files)
    assert (response.status_code, response.json()["code"]) == (413, "payload_too_large")
    assert fake.state.attachments == {}
