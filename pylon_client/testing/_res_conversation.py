"""An issue's conversation: its messages, replies, internal notes, threads and AI responses.

Messages live in ``store.messages[issue_id]``, oldest first; threads in
``store.threads[issue_id]``. An issue's first message is its own ``body_html``, from its
requester (or the API user), with its ``attachment_urls``: it is made the first time the
conversation is needed, so issues seeded straight into the store have one too. Every change
to a conversation stamps the issue's ``updated_at`` through :meth:`Store.touch`, so change feeds
and webhooks see it; a reply also moves ``latest_message_time``.
"""

from __future__ import annotations

import html
import uuid
from typing import Any

from ._crud import LIST_MAX, paged
from ._objects import contact_author, new_message, new_thread, user_author
from ._protocol import JSON, ApiError, Call
from ._store import Store
from ._validate import Reader, body_object, parse_limit

__all__ = ["ROUTES", "add_message", "conversation", "message_author"]

_EMAIL_INFO = {"to_emails": list, "cc_emails": list, "bcc_emails": list}
_CUSTOM_SOURCE = {"external_id": str, "created_at": str, "metadata": dict}
MAIL_DOMAIN = "mail.pylon.test"


def _issue(store: Store, call: Call) -> JSON:
    return store.get(store.issues, "issue", call.params["id"])


def conversation(store: Store, issue: JSON) -> list[JSON]:
    """Return the messages of ``issue``, oldest first, starting it with the issue's body."""
    messages = store.messages.get(issue["id"])
    if messages is None:
        messages = store.messages[issue["id"]] = [_first_message(store, issue)]
    return messages


def _first_message(store: Store, issue: JSON) -> JSON:
    # Derived from the issue id, not drawn from the RNG: when the conversation is first
    # needed must not change the ids of anything else.
    message_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"fake-pylon:first-message:{issue['id']}"))
    requester = store.contacts.get((issue.get("requester") or {}).get("id", ""))
    author = contact_author(requester) if requester else user_author(store.users[store.me_user_id])
    message = new_message(
        message_id,
        html=issue["body_html"],
        is_private=False,
        source=issue["source"],
        timestamp=issue["created_at"],
        author=author,
        file_urls=issue.get("attachment_urls"),
    )
    message["author_unverified"] = bool(issue.get("author_unverified"))
    return message


def message_author(store: Store, r: Reader, *, contacts: bool = True) -> JSON:
    """Read ``user_id`` or ``contact_id`` (not both) into an author; default: the API user.

    With ``contacts=False`` only ``user_id`` is read (internal notes are written by users).
    """
    user_id = r.ref("user_id", store.users, "user")
    contact_id = r.ref("contact_id", store.contacts, "contact") if contacts else None
    if user_id and contact_id:
        r.errors.append("only one of user_id or contact_id can be provided")
    if contact_id:
        return contact_author(store.contacts[contact_id])
    return user_author(store.users[user_id or store.me_user_id])


def add_message(store: Store, issue: JSON, message: JSON) -> None:
    """Append ``message`` to the conversation of ``issue`` and record the change on the issue."""
    conversation(store, issue).append(message)
    if not message["is_private"]:
        issue["latest_message_time"] = message["timestamp"]
    store.touch("issue", "updated", issue)


def _message(store: Store, call: Call, issue: JSON) -> JSON:
    message_id = call.params["message_id"]
    for message in conversation(store, issue):
        if message["id"] == message_id:
            return message
    raise ApiError.not_found("message", message_id)


def _find(store: Store, issue: JSON, message_id: str | None) -> JSON | None:
    return next((m for m in conversation(store, issue) if m["id"] == message_id), None)


def list_messages(store: Store, call: Call) -> JSON:
    """``GET /issues/{id}/messages``: oldest first, with ``cursor`` and ``limit``."""
    issue = _issue(store, call)
    limit = parse_limit(call.query.get("limit"), maximum=LIST_MAX)
    items = conversation(store, issue)
    return paged(store, call, items, cursor=call.query.get("cursor"), limit=limit)


def delete_message(store: Store, call: Call) -> JSON:
    """``DELETE /issues/{id}/messages/{message_id}``: the message is gone from the list."""
    issue = _issue(store, call)
    message = _message(store, call, issue)
    conversation(store, issue).remove(message)
    store.touch("issue", "updated", issue)
    return {}


def redact_message(store: Store, call: Call) -> JSON:
    """``POST /issues/{id}/messages/{message_id}/redact``: blank its body and drop its files."""
    issue = _issue(store, call)
    message = _message(store, call, issue)
    message["message_html"] = ""
    message["file_urls"] = []
    store.touch("issue", "updated", issue)
    return {"data": message}


def reply(store: Store, call: Call) -> JSON:
    """``POST /issues/{id}/reply``: ``body_html`` and ``message_id`` (the message answered).

    ``message_id`` must be a message of this issue. The author is ``user_id``
    or ``contact_id`` (default: the API user). ``email_info`` (``to_emails``, ``cc_emails``,
    ``bcc_emails``) makes it an email; ``custom_source`` needs its ``external_id``.
    """
    issue = _issue(store, call)
    r = Reader(body_object(call))
    body_html = r.string("body_html", required=True)
    answered = r.string("message_id", required=True)
    author = message_author(store, r)
    files = r.str_list("attachment_urls")
    email_info = r.mapping("email_info", _EMAIL_INFO)
    custom = r.mapping("custom_source", _CUSTOM_SOURCE)
    if custom is not None and not custom.get("external_id"):
        r.errors.append("custom_source: external_id is required")
    target = _find(store, issue, answered)
    if answered and target is None:
        r.errors.append(f"message_id: no message {answered!r} on this issue")
    r.done()
    message = new_message(
        store.new_id(),
        html=body_html or "",
        is_private=False,
        source="email" if email_info is not None else issue["source"],
        timestamp=store.now(),
        author=author,
        file_urls=files,
    )
    if email_info is not None:
        message["email_info"] = _email(message, author, email_info)
    add_message(store, issue, message)
    return {"data": {"id": message["id"], "issue_id": issue["id"]}}


def _email(message: JSON, author: JSON, given: JSON) -> JSON:
    sender = (author.get("user") or author.get("contact") or {}).get("email", "")
    return {
        "from_email": sender,
        "message_id": f"<{message['id']}@{MAIL_DOMAIN}>",
        # Mail Pylon sent: nothing vouched for the sender, so "unknown" (not "pass").
        "sender_authentication_status": "unknown",
        **{k: [str(e) for e in v] for k, v in given.items()},
    }


def note(store: Store, call: Call) -> JSON:
    """``POST /issues/{id}/note``: an internal note; ``body_html`` required.

    The thread is ``thread_id``, or that of the note ``message_id``; with neither, a new thread
    is opened (named ``thread_name``). The author is ``user_id`` (default: the API user).
    """
    issue = _issue(store, call)
    r = Reader(body_object(call))
    body_html = r.string("body_html", required=True)
    author = message_author(store, r, contacts=False)
    files = r.str_list("attachment_urls")
    thread_id = r.string("thread_id")
    answered = r.string("message_id")
    thread_name = r.string("thread_name")
    threads = store.threads.get(issue["id"], [])
    if thread_id and all(t["id"] != thread_id for t in threads):
        r.errors.append(f"thread_id: no thread {thread_id!r} on this issue")
    target = _find(store, issue, answered)
    if answered and (target is None or not target["is_private"]):
        r.errors.append(f"message_id: no internal note {answered!r} on this issue")
    r.done()
    if not thread_id:
        thread_id = (target or {}).get("thread_id") or _open_thread(store, issue, thread_name)["id"]
    message = new_message(
        store.new_id(),
        html=body_html or "",
        is_private=True,
        source=issue["source"],
        timestamp=store.now(),
        author=author,
        file_urls=files,
    )
    message["thread_id"] = thread_id
    add_message(store, issue, message)
    return {"data": {"id": message["id"], "issue_id": issue["id"]}}


def _open_thread(store: Store, issue: JSON, name: str | None, **extra: Any) -> JSON:
    threads = store.threads.setdefault(issue["id"], [])
    thread = new_thread(
        store.new_id(), issue_id=issue["id"], name=name or f"Thread {len(threads) + 1}"
    )
    thread.update(extra)
    threads.append(thread)
    return thread


def list_threads(store: Store, call: Call) -> JSON:
    """``GET /issues/{id}/threads``: the issue's internal threads, oldest first."""
    issue = _issue(store, call)
    return {"data": list(store.threads.get(issue["id"], []))}


def create_thread(store: Store, call: Call) -> JSON:
    """``POST /issues/{id}/threads``: ``name``; a Slack channel and thread ts sync it there."""
    issue = _issue(store, call)
    r = Reader(body_object(call))
    name = r.string("name")
    channel = r.string("slack_channel_id")
    thread_ts = r.string("slack_thread_ts")
    r.done()
    slack = {"source": "slack", "channel_id": channel} if channel else {}
    if channel and thread_ts:
        slack["thread_id"] = thread_ts
    thread = _open_thread(store, issue, name, **slack)
    store.touch("issue", "updated", issue)
    return {"data": thread}


def ai_response(store: Store, call: Call) -> JSON:
    """``POST /issues/{id}/ai-response``: ``ai_agent_id`` required; a canned, valid answer.

    With ``post_as_internal_note`` the answer is also posted as a note in a new thread.
    """
    issue = _issue(store, call)
    r = Reader(body_object(call))
    r.string("ai_agent_id", required=True)
    as_note = r.boolean("post_as_internal_note")
    r.done()
    answer = (
        f"<p>Thanks for writing in about “{html.escape(issue['title'])}”. "
        "Here is what usually helps: check the settings page, then try again.</p>"
    )
    if as_note:
        message = new_message(
            store.new_id(),
            html=answer,
            is_private=True,
            source=issue["source"],
            timestamp=store.now(),
            author={"name": "Pylon AI", "avatar_url": ""},
        )
        message["thread_id"] = _open_thread(store, issue, "AI response")["id"]
        add_message(store, issue, message)
    return {"response_html": answer, "response_valid": True}


_ISSUE = "/issues/{id}"
_MESSAGE = f"{_ISSUE}/messages/{{message_id}}"
ROUTES = [
    ("GET", f"{_ISSUE}/messages", list_messages),
    ("DELETE", _MESSAGE, delete_message),
    ("POST", f"{_MESSAGE}/redact", redact_message),
    ("POST", f"{_ISSUE}/reply", reply),
    ("POST", f"{_ISSUE}/note", note),
    ("GET", f"{_ISSUE}/threads", list_threads),
    ("POST", f"{_ISSUE}/threads", create_thread),
    ("POST", f"{_ISSUE}/ai-response", ai_response),
]
