"""Bulk changes, spam, merges, draft replies, incidents and message edits of issues.

Pylon's April document lacks these six issue operations, and the eight of
:mod:`._res_sdk_people2` that :data:`ROUTES` includes; their shapes are those of its official SDK,
usepylon 0.1.0a4, as ``openapi/pylon-sdk-supplement.yml`` writes them down.

- **Bulk update** (``PATCH /issues``) makes the same changes to 1 to 100 ``issue_ids``, with the
  rules of ``PATCH /issues/{id}`` (``""`` unassigns ``assignee_id`` and ``team_id``, ``state``
  is a built-in state or a custom slug) plus ``tags_apply_mode`` (``replace`` by default). A bad
  field fails the whole request with 400, as does clearing a custom field, which Pylon does
  not do in bulk; an id that names no issue is skipped as ``not_found``. Every issue changed is
  stamped with the same instant. The team is set at once, though Pylon sets it in the
  background.
- **Spam** (``POST /issues/mark-spam``) deletes each of 1 to 100 email issues (``source:
  email``), with its messages, threads, drafts and voice calls; others are skipped as
  ``unsupported_source``, unknown ids as ``not_found``. An account left with no issue is deleted
  too, with its relationships. The sender's address is not recorded as blocked: the fake has
  no list of blocked senders.
- **Merge** (``POST /issues/merge``) takes issues by id or number. Every issue is found (404)
  and checked (400: the primary among the duplicates, or a duplicate of another account, or,
  when the primary has none, of another requester) before anything changes. Each duplicate
  whose source is ``slack`` or ``form`` first gets ``closing_message`` as a reply by the token's
  user; then its messages join the primary's conversation in time order, its threads move with
  them, and it is deleted as spam is. The answer is the primary issue.
- **Draft replies** live in ``store.issue_drafts`` by id, one per issue and user, with their
  ``body_html``. The first save makes the draft (``status: created``), a later one replaces its
  body (``updated``). A draft in the store without ``from_api: true`` (one made, or touched
  since, in Pylon's web app) is a 409, as Pylon answers for any draft it did not make itself.
  ``user_id`` defaults to the token's user, who is a person in the fake; it must name an active
  user.
- **Incidents** are stored on the issue, in ``external_incidents`` as Pylon's ``Issue`` has it:
  ``{reference, source, link}`` with the reference given (the fake cannot tell a reference
  from an incident system's own ID, so it leaves ``external_id`` out). An incident is known by
  its source and its reference (or external ID); linking what is linked, or unlinking what is
  not, changes nothing, not even ``updated_at``.
- **Message edits** replace ``message_html`` of a message the token's user wrote (403 for
  another user's or an AI's); an email or a customer's message is a 400. The fake cannot tell a
  redacted message from another, so it edits those too.
"""

from __future__ import annotations

import html
from urllib.parse import quote

from . import _res_sdk_people2
from ._crud import set_ref
from ._objects import new_message, user_author
from ._protocol import JSON, ApiError, Call
from ._res_accounts import TAGS_APPLY_MODES
from ._res_conversation import conversation
from ._res_issues import ISSUE_STATES
from ._res_sdk_people2 import issue_by_key, when
from ._store import Handler, Store
from ._validate import Reader, body_object, merge_custom_fields, slugify

__all__ = [
    "BULK_MAX",
    "INCIDENT_SOURCES",
    "MERGE_MAX",
    "ROUTES",
    "seed",
]

BULK_MAX = 100
MERGE_MAX = 50
INCIDENT_SOURCES = ("incident_io", "rootly")
CLOSING_SOURCES = ("slack", "form")
"""The sources of the duplicates a merge sends ``closing_message`` to."""


def _tagged(current: list[str], tags: list[str], mode: str) -> list[str]:
    if mode == "append_only":
        return current + [t for t in dict.fromkeys(tags) if t not in current]
    if mode == "remove_only":
        return [t for t in current if t not in tags]
    return list(dict.fromkeys(tags))


def _result(succeeded: list[str], skipped: list[JSON]) -> JSON:
    return {"data": {"succeeded_issue_ids": succeeded, "skipped_issues": skipped}}


def bulk_update(store: Store, call: Call) -> JSON:
    """``PATCH /issues``: the same changes to each of ``issue_ids``; unknown ids are skipped."""
    r = Reader(body_object(call))
    ids = r.str_list("issue_ids", required=True, min_len=1, max_len=BULK_MAX) or []
    assignee = r.ref("assignee_id", store.users, "user")
    team = r.ref("team_id", store.teams, "team")
    custom = r.custom_fields()
    if custom is not None and any(value is None for value in custom.values()):
        r.errors.append("custom_fields: a field cannot be cleared in bulk; use PATCH /issues/{id}")
    visible = r.boolean("customer_portal_visible")
    state = r.string("state", choices=ISSUE_STATES, slug=True)
    tags = r.str_list("tags")
    mode = r.string("tags_apply_mode", choices=TAGS_APPLY_MODES) or "replace"
    r.done()
    now = store.now()
    succeeded: list[str] = []
    skipped: list[JSON] = []
    for issue_id in dict.fromkeys(ids):
        issue = store.issues.get(issue_id)
        if issue is None:
            skipped.append({"issue_id": issue_id, "reason": "not_found"})
            continue
        set_ref(issue, "assignee", assignee)
        set_ref(issue, "team", team)
        if state is not None:
            issue["state"] = state
        if visible is not None:
            issue["customer_portal_visible"] = visible
        if tags is not None:
            issue["tags"] = _tagged(issue["tags"], tags, mode)
        issue["custom_fields"] = merge_custom_fields(issue["custom_fields"], custom)
        store.touch("issue", "updated", issue, at=now)
        succeeded.append(issue_id)
    return _result(succeeded, skipped)


def _forget(store: Store, issue: JSON) -> None:
    """Delete ``issue`` with everything kept beside it."""
    issue_id = issue["id"]
    del store.issues[issue_id]
    for kept in (store.messages, store.threads, store.voice_calls, store.issue_followers):
        kept.pop(issue_id, None)
    for draft_id in [d for d, draft in store.issue_drafts.items() if draft["issue_id"] == issue_id]:
        del store.issue_drafts[draft_id]


def mark_spam(store: Store, call: Call) -> JSON:
    """``POST /issues/mark-spam``: delete email issues; an account left with none goes too."""
    r = Reader(body_object(call))
    ids = r.str_list("issue_ids", required=True, min_len=1, max_len=BULK_MAX) or []
    r.done()
    succeeded: list[str] = []
    skipped: list[JSON] = []
    accounts: list[str] = []
    for issue_id in dict.fromkeys(ids):
        issue = store.issues.get(issue_id)
        if issue is None:
            skipped.append({"issue_id": issue_id, "reason": "not_found"})
        elif issue["source"] != "email":
            skipped.append({"issue_id": issue_id, "reason": "unsupported_source"})
        else:
            accounts += [issue["account"]["id"]] if issue.get("account") else []
            _forget(store, issue)
            succeeded.append(issue_id)
    remaining = {(i.get("account") or {}).get("id") for i in store.issues.values()}
    for account_id in dict.fromkeys(accounts):
        if account_id not in remaining:
            _res_sdk_people2.drop_account(store, account_id)
    return _result(succeeded, skipped)


def _customer(issue: JSON) -> tuple[str | None, str | None]:
    """Return who an issue is of for a merge: its account, or without one its requester."""
    account = (issue.get("account") or {}).get("id")
    return account, None if account else (issue.get("requester") or {}).get("id")


def merge(store: Store, call: Call) -> JSON:
    """``POST /issues/merge``: merge ``duplicate_issue_ids`` into ``primary_issue_id``."""
    r = Reader(body_object(call))
    primary_key = r.string("primary_issue_id", required=True) or ""
    keys = r.str_list("duplicate_issue_ids", required=True, min_len=1, max_len=MERGE_MAX) or []
    closing = r.string("closing_message")
    r.done()
    primary = issue_by_key(store, primary_key)
    duplicates = list({d["id"]: d for d in (issue_by_key(store, k) for k in keys)}.values())
    problems = []
    for dup in duplicates:
        if dup["id"] == primary["id"]:
            problems.append(f"duplicate_issue_ids: issue {dup['number']} is the primary issue")
        elif _customer(dup) != _customer(primary):
            problems.append(
                f"duplicate_issue_ids: issue {dup['number']} is not of the primary's customer"
            )
    if problems:
        raise ApiError.bad_request(*problems)
    me = user_author(store.users[store.me_user_id])
    merged = list(conversation(store, primary))
    threads = store.threads.setdefault(primary["id"], [])
    for dup in duplicates:
        messages = conversation(store, dup)
        if closing and dup["source"] in CLOSING_SOURCES:
            text = f"<p>{html.escape(closing)}</p>"
            messages.append(
                new_message(
                    store.new_id(),
                    html=text,
                    is_private=False,
                    source=dup["source"],
                    timestamp=store.now(),
                    author=me,
                )
            )
        merged += messages
        for thread in store.threads.get(dup["id"], []):
            threads.append({**thread, "issue_id": primary["id"]})
        _forget(store, dup)
    merged.sort(key=lambda m: when(m["timestamp"]))
    store.messages[primary["id"]] = merged
    public = [m["timestamp"] for m in merged if not m["is_private"]]
    if public:
        primary["latest_message_time"] = max(public, key=when)
    store.touch("issue", "updated", primary)
    return {"data": primary}


def create_draft_reply(store: Store, call: Call) -> JSON:
    """``POST /issues/{issue_id}/draft-reply``: ``body_html`` required, ``user_id``."""
    issue = store.get(store.issues, "issue", call.params["issue_id"])
    r = Reader(body_object(call))
    body_html = r.string("body_html", required=True) or ""
    user_id = r.ref("user_id", store.users, "user") or store.me_user_id
    if store.users.get(user_id, {}).get("is_deactivated"):
        r.errors.append(f"user_id: user {user_id!r} is deactivated")
    r.done()
    mine = [
        d
        for d in store.issue_drafts.values()
        if d["issue_id"] == issue["id"] and d["user_id"] == user_id
    ]
    now = store.now()
    if not mine:
        draft = {
            "id": store.new_id(),
            "issue_id": issue["id"],
            "user_id": user_id,
            "body_html": body_html,
            "from_api": True,
            "created_at": now,
            "updated_at": now,
        }
        store.add(store.issue_drafts, draft)
        status = "created"
    elif not mine[0].get("from_api"):
        raise ApiError(
            409, "conflict", f"user {user_id!r} has a draft on this issue made outside the API"
        )
    else:
        draft = mine[0]
        draft.update(body_html=body_html, updated_at=now)
        status = "updated"
    shown = {k: draft[k] for k in ("id", "issue_id", "updated_at", "user_id")}
    return {"data": {**shown, "status": status}}


def link_external_incident(store: Store, call: Call) -> JSON:
    """``POST /issues/{issue_id}/external-incidents``: link or unlink ``incident_id``."""
    issue = issue_by_key(store, call.params["issue_id"])
    r = Reader(body_object(call))
    incident_id = r.string("incident_id", required=True) or ""
    source = r.string("source", required=True, choices=INCIDENT_SOURCES) or ""
    op = r.string("operation", choices=("link", "unlink")) or "link"
    r.done()
    links: list[JSON] = issue.get("external_incidents", [])
    same = [
        i
        for i in links
        if i["source"] == source and incident_id in (i["reference"], i.get("external_id"))
    ]
    if op == "link" and not same:
        link = f"https://{slugify(source)}.example.com/incidents/{quote(incident_id)}"
        incident = {"reference": incident_id, "source": source, "link": link}
        issue["external_incidents"] = [*links, incident]
        store.touch("issue", "updated", issue)
    elif op == "unlink" and same:
        issue["external_incidents"] = [i for i in links if i not in same]
        store.touch("issue", "updated", issue)
    return {"data": issue}


def update_message(store: Store, call: Call) -> JSON:
    """``PATCH /issues/{issue_id}/messages/{message_id}``: a new ``body_html`` (required)."""
    issue = store.get(store.issues, "issue", call.params["issue_id"])
    message_id = call.params["message_id"]
    found = [m for m in conversation(store, issue) if m["id"] == message_id]
    if not found:
        raise ApiError.not_found("message", message_id)
    message = found[0]
    r = Reader(body_object(call))
    body_html = r.string("body_html", required=True) or ""
    r.done()
    author = message.get("author") or {}
    if message["source"] == "email" or "email_info" in message:
        raise ApiError.bad_request("an email cannot be edited")
    if "contact" in author:
        raise ApiError.bad_request("a customer's message cannot be edited")
    if (author.get("user") or {}).get("id") != store.me_user_id:
        raise ApiError(403, "forbidden", "only the API token's user's messages can be edited")
    message["message_html"] = body_html
    store.touch("issue", "updated", issue)
    return {"data": message}


def seed(store: Store) -> None:
    """Add a voice call, a survey response and an account relationship to a seeded store."""
    _res_sdk_people2.seed_objects(store)


_ISSUE = "/issues/{issue_id}"
ROUTES: list[tuple[str, str, Handler]] = [
    *_res_sdk_people2.ROUTES,
    ("PATCH", "/issues", bulk_update),
    ("POST", "/issues/mark-spam", mark_spam),
    ("POST", "/issues/merge", merge),
    ("POST", f"{_ISSUE}/draft-reply", create_draft_reply),
    ("POST", f"{_ISSUE}/external-incidents", link_external_incident),
    ("PATCH", f"{_ISSUE}/messages/{{message_id}}", update_message),
]
