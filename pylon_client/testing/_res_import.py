"""Imports from another help desk: contacts, and issues with their whole conversation.

An imported issue keeps the times it is given (``created_at``, ``updated_at``, first response
and resolution) and its messages, which become its conversation in time order (see
:mod:`._res_conversation`): the earliest message's body is the issue's ``body_html``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ._objects import external_issue, new_issue, new_message
from ._protocol import JSON, Call
from ._res_contacts import create_contact
from ._res_conversation import conversation, message_author

# The common reading and writing of issue fields is shared with POST /issues on purpose.
from ._res_issues import ISSUE_STATES, _apply, _read_common
from ._store import Store
from ._validate import Reader, body_object, parse_time_lenient

__all__ = ["ROUTES"]

_MESSAGE = {
    "body_html": str,
    "is_private": bool,
    "user_id": str,
    "contact_id": str,
    "created_at": str,
    "attachment_urls": list,
}
_EXTERNAL_ISSUE = {"external_issue_id": str, "source": str}
_EXTERNAL_REFS = {"intercom_conversation_id": str, "zendesk_ticket_id": str}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def import_contact(store: Store, call: Call) -> JSON:
    """``POST /import/contacts``: ``email`` and ``name`` required; otherwise as a new contact.

    An email some contact already has is 409 ``duplicate_object`` with its ``exists_id``.
    """
    r = Reader(body_object(call))
    r.string("email", required=True)
    r.string("name", required=True)
    r.done()
    return create_contact(store, call)


def _read_messages(store: Store, r: Reader) -> list[JSON]:
    """Read ``messages`` (at least one): each ``body_html`` and ``is_private``, an author."""
    raw = r.objects("messages", _MESSAGE, required=("body_html", "is_private"))
    if raw is None:
        if r.body.get("messages") is None:
            r.errors.append("messages is required")
        return []
    if not raw:
        r.errors.append("messages must hold at least one message")
    out = []
    for index, given in enumerate(raw):
        item = Reader(given)
        message = {
            "html": given["body_html"],
            "is_private": given["is_private"],
            "author": message_author(store, item),
            "timestamp": item.time("created_at"),
            "file_urls": item.str_list("attachment_urls"),
        }
        r.errors += [f"messages[{index}]: {problem}" for problem in item.errors]
        out.append(message)
    return out


def _add_messages(store: Store, issue: JSON, messages: list[JSON], *, first: bool) -> None:
    """Add imported messages to the conversation, kept in time order; stamp the issue."""
    now = store.now()
    made = []
    for given in messages:
        message = new_message(
            store.new_id(),
            html=given["html"],
            is_private=given["is_private"],
            source=issue["source"],
            timestamp=given["timestamp"] or now,
            author=given["author"],
            file_urls=given["file_urls"],
        )
        made.append(message)
    if first:
        store.messages[issue["id"]] = made
    else:
        conversation(store, issue).extend(made)
    # A stable sort keeps messages of the same instant in the order they were sent.
    store.messages[issue["id"]].sort(key=_moment)
    public = [m for m in store.messages[issue["id"]] if not m["is_private"]]
    if public:
        issue["latest_message_time"] = public[-1]["timestamp"]


def _moment(message: JSON) -> datetime:
    return parse_time_lenient(str(message["timestamp"])) or _EPOCH


def import_issue(store: Store, call: Call) -> JSON:
    """``POST /import/issues``: ``title``, ``state`` and ``messages`` required.

    Takes the refs, ``tags``, ``custom_fields``, ``attachment_urls``, ``external_issues``
    (``[{external_issue_id, source}]``), ``external_refs`` and the issue's times.
    """
    r = Reader(body_object(call))
    title = r.string("title", required=True)
    state = r.string("state", required=True, choices=ISSUE_STATES, slug=True)
    messages = _read_messages(store, r)
    fields = _read_common(store, r)
    attachments = r.str_list("attachment_urls")
    links = r.objects("external_issues", _EXTERNAL_ISSUE, required=tuple(_EXTERNAL_ISSUE))
    r.mapping("external_refs", _EXTERNAL_REFS)  # checked; Pylon's Issue does not show them
    times = {
        name: r.time(name)
        for name in ("created_at", "updated_at", "first_response_time", "resolution_time")
    }
    r.done()
    now = store.now()
    # The issue's body is its earliest message (messages without a time count as sent now).
    earliest = min(messages, key=lambda m: parse_time_lenient(m["timestamp"] or now) or _EPOCH)
    created_at = times["created_at"] or earliest["timestamp"] or now
    issue = new_issue(
        store.new_id(),
        store.next_issue_number(),
        title=title or "",
        body_html=earliest["html"],
        created_at=created_at,
        now=now,
    )
    issue["state"] = state
    issue["attachment_urls"] = attachments or []
    issue["external_issues"] = [
        external_issue(link["external_issue_id"], link["source"]) for link in links or []
    ]
    for name in ("first_response_time", "resolution_time"):
        if times[name]:
            issue[name] = times[name]
    _apply(store, issue, fields)
    store.add(store.issues, issue)
    _add_messages(store, issue, messages, first=True)
    store.touch("issue", "created", issue, at=times["updated_at"] or now)
    return {"data": issue}


def import_messages(store: Store, call: Call) -> JSON:
    """``POST /import/issues/{id}/messages``: ``messages`` (at least one) join the issue's."""
    issue = store.get(store.issues, "issue", call.params["id"])
    r = Reader(body_object(call))
    messages = _read_messages(store, r)
    r.done()
    _add_messages(store, issue, messages, first=False)
    store.touch("issue", "updated", issue)
    return {"data": issue}


ROUTES = [
    ("POST", "/import/contacts", import_contact),
    ("POST", "/import/issues", import_issue),
    ("POST", "/import/issues/{id}/messages", import_messages),
]
