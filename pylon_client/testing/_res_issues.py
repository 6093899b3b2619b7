"""Issues: CRUD, the windowed ``GET /issues``, search, snooze, followers, external issues."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime, timedelta

from ._crud import deleter, getter, paged, searcher, set_ref
from ._objects import external_issue, new_contact, new_issue
from ._protocol import JSON, ApiError, Call
from ._search import FieldGetter, key, ref
from ._store import Store
from ._validate import (
    Reader,
    body_object,
    merge_custom_fields,
    parse_limit,
    parse_time,
    parse_time_lenient,
)

__all__ = ["ISSUE_FIELDS", "ISSUE_STATES", "ISSUE_TYPES", "ROUTES", "created", "newest_first"]

ISSUE_STATES = ("new", "waiting_on_you", "waiting_on_customer", "on_hold", "closed")
ISSUE_TYPES = ("conversation", "ticket")
PRIORITIES = ("urgent", "high", "medium", "low")
ISSUES_LIMIT_MAX = 20000


def _custom_value(slug: str) -> FieldGetter:
    return lambda issue: (issue.get("custom_fields", {}).get(slug) or {}).get("value")


ISSUE_FIELDS = {
    "state": key("state"),
    "title": key("title"),
    "body_html": key("body_html"),
    "number": key("number"),
    "priority": _custom_value("priority"),
    "tags": key("tags"),
    "issue_type": key("type"),
    "issue_is_issue_group": key("is_issue_group"),
    "customer_portal_visible": key("customer_portal_visible"),
    "account_id": ref("account"),
    "assignee_id": ref("assignee"),
    "requester_id": ref("requester"),
    "team_id": ref("team"),
    "created_at": key("created_at"),
    "updated_at": key("updated_at"),
}


def created(issue: JSON) -> datetime:
    """Return an issue's ``created_at`` as a datetime."""
    moment = _parse_created(issue["created_at"])
    if moment is None:  # only code writing the store directly can get here
        raise ValueError(f"issue {issue['id']} has a bad created_at {issue['created_at']!r}")
    return moment


@functools.lru_cache(maxsize=1 << 17)
def _parse_created(value: str) -> datetime | None:
    # GET /issues filters and sorts every issue by this on every page: parse each time once,
    # so the fake's own CPU does not dominate what the client's benchmarks measure.
    return parse_time_lenient(value)


def newest_first(issues: Iterable[JSON]) -> list[JSON]:
    """Sort issues by ``created_at`` descending, the higher number first on a tie."""
    return sorted(issues, key=lambda i: (created(i), i["number"]), reverse=True)


def _read_common(store: Store, r: Reader) -> JSON:
    """Read the fields ``POST /issues`` and ``PATCH /issues/{id}`` share."""
    return {
        "tags": r.str_list("tags"),
        "custom_fields": r.custom_fields(),
        "customer_portal_visible": r.boolean("customer_portal_visible"),
        "account": r.ref("account_id", store.accounts, "account"),
        "assignee": r.ref("assignee_id", store.users, "user"),
        "team": r.ref("team_id", store.teams, "team"),
        "requester": r.ref("requester_id", store.contacts, "contact"),
    }


def _apply(store: Store, issue: JSON, fields: JSON) -> None:
    for name in ("title", "body_html", "state", "type", "tags", "customer_portal_visible"):
        if fields.get(name) is not None:
            issue[name] = fields[name]
    issue["custom_fields"] = merge_custom_fields(issue["custom_fields"], fields["custom_fields"])
    for name in ("account", "assignee", "team"):
        set_ref(issue, name, fields[name])
    requester = fields["requester"]
    if requester:
        email = store.contacts[requester].get("email")
        issue["requester"] = {"id": requester, **({"email": email} if email else {})}
    elif requester == "":
        issue.pop("requester", None)


def _requester_by_email(store: Store, email: str, name: str | None, avatar: str | None) -> str:
    """Return the contact with ``email``, creating it as Pylon does when there is none."""
    for contact in store.contacts.values():
        if email in (contact.get("email"), *contact.get("emails", [])):
            return str(contact["id"])
    contact = new_contact(store.new_id(), name=name or email)
    contact.update(email=email, emails=[email], avatar_url=avatar or "")
    store.add(store.contacts, contact)
    return str(contact["id"])


def create_issue(store: Store, call: Call) -> JSON:
    """``POST /issues``: ``title`` and ``body_html`` required; ``created_at`` for imports.

    The requester is ``requester_id`` or, failing that, the contact with ``requester_email``
    (created, named ``requester_name``, if none has it). ``priority`` is kept as the
    ``priority`` custom field; ``state`` is not taken (a new issue is ``new``).
    """
    r = Reader(body_object(call))
    title = r.string("title", required=True)
    body_html = r.string("body_html", required=True)
    fields = _read_common(store, r)
    email = r.string("requester_email")
    name = r.string("requester_name")
    avatar = r.string("requester_avatar_url")
    user_id = r.ref("user_id", store.users, "user")
    contact_id = r.ref("contact_id", store.contacts, "contact")
    if user_id and contact_id:
        r.errors.append("only one of user_id or contact_id can be provided")
    priority = r.string("priority", choices=PRIORITIES)
    attachments = r.str_list("attachment_urls")
    unverified = r.boolean("author_unverified")
    created_at = r.time("created_at")
    r.done()
    now = store.now()
    issue = new_issue(
        store.new_id(),
        store.next_issue_number(),
        title=title or "",
        body_html=body_html or "",
        created_at=created_at or now,
        now=now,
    )
    if fields["requester"] is None and email:
        fields["requester"] = _requester_by_email(store, email, name, avatar)
    if priority is not None:
        issue["custom_fields"]["priority"] = {"slug": "priority", "value": priority}
    issue["attachment_urls"] = attachments or []
    issue["author_unverified"] = bool(unverified)
    _apply(store, issue, fields)
    if "account" in issue:
        # A new issue is customer activity on its account.
        store.accounts[issue["account"]["id"]]["latest_customer_activity_time"] = now
    store.add(store.issues, issue)
    store.touch("issue", "created", issue, at=issue["updated_at"])
    return {"data": issue}


def update_issue(store: Store, call: Call) -> JSON:
    """``PATCH /issues/{id}``: only the fields sent change; ``""`` on a ref unsets it.

    Takes ``title``, ``state``, ``type``, the refs, ``tags``, ``custom_fields`` and
    ``customer_portal_visible``; not ``body_html`` or ``priority`` (ignored, as Pylon ignores
    fields it does not know).
    """
    issue = store.get(store.issues, "issue", call.params["id"])
    r = Reader(body_object(call))
    fields = _read_common(store, r)
    if fields["requester"] is None:
        # The older spelling, still accepted by Pylon.
        fields["requester"] = r.ref("requestor_id", store.contacts, "contact")
    fields["title"] = r.string("title")
    fields["state"] = r.string("state", choices=ISSUE_STATES, slug=True)
    fields["type"] = r.string("type", choices=ISSUE_TYPES)
    r.done()
    _apply(store, issue, fields)
    store.touch("issue", "updated", issue)
    return {"data": issue}


def list_issues(store: Store, call: Call) -> JSON:
    """``GET /issues``: the window ``[start_time, end_time)`` on ``created_at``, newest first."""
    problems = []
    bounds = []
    for name in ("start_time", "end_time"):
        raw = call.query.get(name)
        moment = parse_time(raw) if raw else None
        if raw is None:
            problems.append(f"{name} is required")
        elif moment is None:
            problems.append(f"{name} must be an RFC 3339 date-time, got {raw!r}")
        bounds.append(moment)
    start, end = bounds
    if start is not None and end is not None:
        window = timedelta(seconds=store.max_window_seconds)
        if end <= start:
            problems.append("end_time must be after start_time")
        elif end - start > window:
            problems.append(f"the window between start_time and end_time may not exceed {window}")
    limit = parse_limit(call.query.get("limit"), maximum=ISSUES_LIMIT_MAX)
    if problems or start is None or end is None:
        raise ApiError.bad_request(*problems)
    inside = [i for i in store.issues.values() if start <= created(i) < end]
    return paged(store, call, newest_first(inside), cursor=call.query.get("cursor"), limit=limit)


def snooze_issue(store: Store, call: Call) -> JSON:
    """``POST /issues/{id}/snooze`` with ``snooze_until``."""
    issue = store.get(store.issues, "issue", call.params["id"])
    r = Reader(body_object(call))
    r.string("snooze_until", required=True)
    until = r.time("snooze_until")
    r.done()
    if until is not None:
        issue["snoozed_until_time"] = until
    store.touch("issue", "updated", issue)
    return {"data": issue}


def _followers(store: Store, issue_id: str) -> list[JSON]:
    followers = store.issue_followers.get(issue_id, {})
    data = [{"id": u, "type": "user"} for u in followers.get("user_ids", []) if u in store.users]
    data += [
        {"id": c, "type": "contact"}
        for c in followers.get("contact_ids", [])
        if c in store.contacts
    ]
    return data


def list_followers(store: Store, call: Call) -> JSON:
    """``GET /issues/{id}/followers``: ``[{id, type}]``, users then contacts, not paginated."""
    store.get(store.issues, "issue", call.params["id"])
    return {"data": _followers(store, call.params["id"])}


def update_followers(store: Store, call: Call) -> JSON:
    """``POST /issues/{id}/followers``: ``user_ids``, ``contact_ids``, ``operation``.

    ``operation`` is ``add`` (the default) or ``remove``; the answer is every follower after.
    """
    store.get(store.issues, "issue", call.params["id"])
    r = Reader(body_object(call))
    user_ids = r.str_list("user_ids") or []
    contact_ids = r.str_list("contact_ids") or []
    op = r.string("operation", choices=("add", "remove")) or "add"
    r.errors += [f"user_ids: no user with id {u!r}" for u in user_ids if u not in store.users]
    r.errors += [
        f"contact_ids: no contact with id {c!r}" for c in contact_ids if c not in store.contacts
    ]
    r.done()
    followers = store.issue_followers.setdefault(
        call.params["id"], {"user_ids": [], "contact_ids": []}
    )
    for name, ids in (("user_ids", user_ids), ("contact_ids", contact_ids)):
        current = followers[name]
        if op == "add":
            current += [i for i in dict.fromkeys(ids) if i not in current]
        else:
            followers[name] = [i for i in current if i not in ids]
    return {"data": _followers(store, call.params["id"])}


def link_external_issue(store: Store, call: Call) -> JSON:
    """``POST /issues/{id}/external-issues``: ``external_issue_id``, ``source``, ``operation``.

    ``operation`` is ``link`` (the default) or ``unlink``; the answer is the issue.
    """
    issue = store.get(store.issues, "issue", call.params["id"])
    r = Reader(body_object(call))
    external_id = r.string("external_issue_id", required=True) or ""
    source = r.string("source", required=True) or ""
    op = r.string("operation", choices=("link", "unlink")) or "link"
    r.done()
    links = [
        e
        for e in issue["external_issues"]
        if (e["external_id"], e["source"]) != (external_id, source)
    ]
    if op == "link":
        links.append(external_issue(external_id, source))
    issue["external_issues"] = links
    store.touch("issue", "updated", issue)
    return {"data": issue}


ROUTES = [
    ("GET", "/issues", list_issues),
    ("POST", "/issues", create_issue),
    (
        "POST",
        "/issues/search",
        searcher("issues", ISSUE_FIELDS, text_fields=("title",), order=newest_first),
    ),
    ("GET", "/issues/{id}", getter("issues", "issue")),
    ("PATCH", "/issues/{id}", update_issue),
    ("DELETE", "/issues/{id}", deleter("issues", "issue")),
    ("POST", "/issues/{id}/snooze", snooze_issue),
    ("GET", "/issues/{id}/followers", list_followers),
    ("POST", "/issues/{id}/followers", update_followers),
    ("POST", "/issues/{id}/external-issues", link_external_issue),
]
