"""Issues: CRUD, the windowed ``GET /issues``, search, snooze, followers, external issues."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime, timedelta

from ._crud import deleter, getter, paged, searcher, set_ref
from ._protocol import JSON, ApiError, Call
from ._search import key, ref
from ._store import Store
from ._validate import Reader, body_object, parse_limit, parse_time, parse_time_lenient

__all__ = ["ISSUE_FIELDS", "ISSUE_STATES", "ROUTES", "created", "newest_first"]

ISSUE_STATES = ("new", "waiting_on_you", "waiting_on_customer", "on_hold", "closed")
PRIORITIES = ("urgent", "high", "medium", "low")
ISSUES_LIMIT_MAX = 20000

ISSUE_FIELDS = {
    "state": key("state"),
    "title": key("title"),
    "number": key("number"),
    "priority": key("priority"),
    "tags": key("tags"),
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


def _read_common(store: Store, r: Reader, *, creating: bool) -> JSON:
    return {
        "title": r.string("title", required=creating),
        "body_html": r.string("body_html"),
        "state": r.string("state", choices=ISSUE_STATES, slug=True),
        "priority": r.string("priority", choices=PRIORITIES),
        "tags": r.str_list("tags"),
        "custom_fields": r.custom_fields(),
        "account": r.ref("account_id", store.accounts, "account"),
        "assignee": r.ref("assignee_id", store.users, "user"),
        "team": r.ref("team_id", store.teams, "team"),
        "requester": r.ref("requester_id", store.contacts, "contact"),
    }


def _apply(issue: JSON, fields: JSON) -> None:
    for name in ("title", "body_html", "state", "priority", "tags"):
        if fields[name] is not None:
            issue[name] = fields[name]
    if fields["custom_fields"] is not None:
        issue["custom_fields"] = {**issue.get("custom_fields", {}), **fields["custom_fields"]}
    for name in ("account", "assignee", "team", "requester"):
        set_ref(issue, name, fields[name])


def create_issue(store: Store, call: Call) -> JSON:
    """``POST /issues``: ``title`` required; ``created_at`` for imports."""
    r = Reader(body_object(call))
    fields = _read_common(store, r, creating=True)
    created_at = r.time("created_at")
    r.done()
    now = store.now()
    issue: JSON = {
        "id": store.new_id(),
        "number": store.next_issue_number(),
        "state": "new",
        "created_at": created_at or now,
        "updated_at": now,
        "tags": [],
        "custom_fields": {},
        "attachment_urls": [],
        "external_issues": [],
    }
    _apply(issue, fields)
    store.issues[issue["id"]] = issue
    return {"data": issue}


def update_issue(store: Store, call: Call) -> JSON:
    """``PATCH /issues/{id}``: only the fields sent change; ``""`` on a ref unsets it."""
    issue = store.get(store.issues, "issue", call.params["id"])
    r = Reader(body_object(call))
    fields = _read_common(store, r, creating=False)
    r.done()
    _apply(issue, fields)
    issue["updated_at"] = store.now()
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
    issue["snoozed_until_time"] = until
    issue["updated_at"] = store.now()
    return {"data": issue}


def list_followers(store: Store, call: Call) -> JSON:
    """``GET /issues/{id}/followers``: users and contacts following the issue."""
    store.get(store.issues, "issue", call.params["id"])
    followers = store.issue_followers.get(call.params["id"], {})
    # Pylon lists followers as users; a contact shows with the fields the two share.
    data = [store.users[u] for u in followers.get("user_ids", []) if u in store.users]
    data += [
        {k: store.contacts[c].get(k) for k in ("id", "name", "email")}
        for c in followers.get("contact_ids", [])
        if c in store.contacts
    ]
    return {"data": data}


def update_followers(store: Store, call: Call) -> JSON:
    """``POST /issues/{id}/followers`` with ``user_ids``, ``contact_ids``, ``operation``."""
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
            current += [i for i in ids if i not in current]
        else:
            followers[name] = [i for i in current if i not in ids]
    return {"success": True}


def link_external_issue(store: Store, call: Call) -> JSON:
    """``POST /issues/{id}/external-issues``: ``external_issue_id``, ``source``, link/unlink."""
    issue = store.get(store.issues, "issue", call.params["id"])
    r = Reader(body_object(call))
    external_id = r.string("external_issue_id", required=True)
    source = r.string("source", required=True)
    op = r.string("operation", choices=("link", "unlink"), required=True)
    r.done()
    links = [
        e
        for e in issue["external_issues"]
        if (e["external_id"], e["source"]) != (external_id, source)
    ]
    if op == "link":
        links.append({"external_id": external_id, "source": source, "link": ""})
    issue["external_issues"] = links
    issue["updated_at"] = store.now()
    return {"success": True}


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
