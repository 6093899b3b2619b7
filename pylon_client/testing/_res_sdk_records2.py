"""Feature requests' writes and issue groups, known from usepylon 0.1.0a4 alone.

Pylon's April document can only search, read, update and delete feature requests; usepylon
0.1.0a4 also creates and merges them, adds evidence, links external issues and sets portal
visibility, and builds issue groups. Their shapes are those ``openapi/pylon-sdk-supplement.yml``
writes down; :mod:`._res_sdk_records` serves these routes with its own.

An id in the path, or one naming an object the operation acts on (a feature request merged, an
issue put into a group), is a 404 when unknown; an account id the operation only refers to is a
400, as for every other body field.

- **Feature requests** are ``store.feature_requests``, their evidence
  ``store.feature_request_evidence[id]`` (oldest first) and ``evidence_count`` its length. A new
  one is ``new`` with no evidence; with ``should_auto_fetch_evidence`` its description is ``""``
  (Pylon writes it later from evidence the fake never gathers). Evidence added is ``manual``,
  one record per call. A merge checks every id before it changes anything: 1 to 100 distinct
  ids, none the survivor. Each merged request's evidence and external issues move to the
  survivor (an external issue it already has is not repeated) and it is ``archived``.
- **External issues** and **portal visibility** (``portal_visible_to_account_ids``) are stored
  on the feature request. Linking what is linked, unlinking what is not, showing it to an account
  that sees it or hiding it from one that does not, changes nothing, not even ``updated_at``.
  Hiding it from an account that has since been deleted still works.
- **Issue groups** are issues with ``is_issue_group: true`` and ``child_issues`` (``{id, number,
  title}`` as each child was when added); each child names its group in ``parent_issue_group``.
  Changes are all or nothing: a child that is itself a group is a 400, one already in another
  group a 409. Adding a child the group has is skipped; removing one it lacks is a 404, and
  removing its last child a 409 (a group keeps at least one). An issue id that is not a group
  is a 404 on the group routes. The answer of ``children`` is ``{success: true}``.
"""

from __future__ import annotations

from ._objects import external_issue, mini_issue, new_issue
from ._protocol import JSON, ApiError, Call
from ._res_task_extra import LINK_OPERATIONS
from ._store import Handler, Store
from ._validate import Reader, body_object

__all__ = ["DEFAULT_EVIDENCE_SUMMARY", "MERGE_MAX", "ROUTES"]

MERGE_MAX = 100
DEFAULT_EVIDENCE_SUMMARY = "Account manually linked via API."


def _feature_request(store: Store, call: Call) -> JSON:
    return store.get(store.feature_requests, "feature request", call.params["feature_request_id"])


def create_feature_request(store: Store, call: Call) -> JSON:
    """``POST /feature-requests``: ``title`` required, ``description``, auto-fetched evidence."""
    r = Reader(body_object(call))
    title = r.string("title", required=True) or ""
    description = r.string("description") or ""
    auto = r.boolean("should_auto_fetch_evidence")
    r.done()
    now = store.now()
    request: JSON = {
        "id": store.new_id(),
        "title": title,
        "description": "" if auto else description,
        "request_status": "new",
        "evidence_count": 0,
        "custom_fields": {},
        "external_issues": [],
        "portal_visible_to_account_ids": [],
        "created_at": now,
        "updated_at": now,
    }
    store.add(store.feature_requests, request)
    store.feature_request_evidence[request["id"]] = []
    return {"data": request}


def merge_feature_requests(store: Store, call: Call) -> JSON:
    """``POST /feature-requests/merge``: the merged requests' evidence and links move, archived."""
    r = Reader(body_object(call))
    target_id = r.string("merge_into_feature_request_id", required=True) or ""
    ids = r.str_list("merge_feature_request_ids", required=True, min_len=1, max_len=MERGE_MAX)
    if ids and len(set(ids)) != len(ids):
        r.errors.append("merge_feature_request_ids must not repeat an id")
    if ids and target_id in ids:
        r.errors.append("merge_feature_request_ids must not hold merge_into_feature_request_id")
    r.done()
    target = store.get(store.feature_requests, "feature request", target_id)
    merged = [store.get(store.feature_requests, "feature request", i) for i in ids or []]
    now = store.now()
    evidence = store.feature_request_evidence.setdefault(target_id, [])
    links: list[JSON] = list(target.get("external_issues", []))
    for request in merged:
        evidence += store.feature_request_evidence.get(request["id"], [])
        store.feature_request_evidence[request["id"]] = []
        known = {(e["external_id"], e["source"]) for e in links}
        links += [
            e
            for e in request.get("external_issues", [])
            if (e["external_id"], e["source"]) not in known
        ]
        request.update(request_status="archived", evidence_count=0, external_issues=[])
        request["updated_at"] = now
    target.update(evidence_count=len(evidence), external_issues=links, updated_at=now)
    return {"data": target}


def add_evidence(store: Store, call: Call) -> JSON:
    """``POST /feature-requests/{feature_request_id}/evidence``: ``account_id`` required."""
    request = _feature_request(store, call)
    r = Reader(body_object(call))
    account_id = r.ref("account_id", store.accounts, "account", required=True)
    summary = r.string("summary")
    r.done()
    now = store.now()
    record: JSON = {
        "id": store.new_id(),
        "source_type": "manual",
        "account_id": account_id,
        "summary": summary or DEFAULT_EVIDENCE_SUMMARY,
        "created_at": now,
    }
    evidence = store.feature_request_evidence.setdefault(request["id"], [])
    evidence.append(record)
    request.update(evidence_count=len(evidence), updated_at=now)
    return {"data": record}


def link_external_issue(store: Store, call: Call) -> JSON:
    """``POST .../external-issues``: ``external_issue_id``, ``source``, ``operation``.

    A link is known by its ``(external_id, source)``; the answer is the feature request.
    """
    request = _feature_request(store, call)
    r = Reader(body_object(call))
    external_id = r.string("external_issue_id", required=True) or ""
    source = r.string("source", required=True) or ""
    op = r.string("operation", choices=LINK_OPERATIONS) or "link"
    r.done()
    links: list[JSON] = request.get("external_issues", [])
    same = [e for e in links if (e["external_id"], e["source"]) == (external_id, source)]
    if op == "link" and not same:
        request["external_issues"] = [*links, external_issue(external_id, source)]
        request["updated_at"] = store.now()
    elif op == "unlink" and same:
        request["external_issues"] = [e for e in links if e not in same]
        request["updated_at"] = store.now()
    return {"data": request}


def set_portal_visibility(store: Store, call: Call) -> JSON:
    """``POST .../set-portal-visibility``: ``account_ids`` and ``visible``, both required."""
    request = _feature_request(store, call)
    r = Reader(body_object(call))
    account_ids = r.str_list("account_ids", required=True) or []
    visible = r.boolean("visible")
    if r.body.get("visible") is None:
        r.errors.append("visible is required")
    current: list[str] = list(request.get("portal_visible_to_account_ids", []))
    r.errors += [
        f"account_ids: no account with id {a!r}"
        for a in account_ids
        if a not in store.accounts and (visible or a not in current)
    ]
    r.done()
    if visible:
        wanted = current + [a for a in dict.fromkeys(account_ids) if a not in current]
    else:
        wanted = [a for a in current if a not in account_ids]
    if wanted != current:
        request["updated_at"] = store.now()
    request["portal_visible_to_account_ids"] = wanted
    return {"data": request}


def _group(store: Store, call: Call) -> JSON:
    """Return the issue group of the path; 404 if no issue has that id or it is not a group."""
    group_id = call.params["issue_group_id"]
    group = store.issues.get(group_id)
    if group is None or not group.get("is_issue_group"):
        raise ApiError.not_found("issue group", group_id)
    return group


def _children(store: Store, r: Reader, group_id: str | None) -> list[JSON]:
    """Read ``child_issue_ids`` (at least one) and return those issues, checked, in order.

    Unknown: 404; a group: 400; in another group (one that still exists): 409.
    """
    ids = r.str_list("child_issue_ids", required=True, min_len=1) or []
    r.done()
    children = [store.get(store.issues, "issue", i) for i in dict.fromkeys(ids)]
    groups = [c["id"] for c in children if c.get("is_issue_group")]
    if groups:
        raise ApiError.bad_request(*(f"issue {i!r} is an issue group" for i in groups))
    for child in children:
        parent = child.get("parent_issue_group", {}).get("id")
        if parent not in (None, group_id) and parent in store.issues:
            raise ApiError(
                409, "conflict", f"issue {child['id']!r} is already in issue group {parent!r}"
            )
    return children


def _attach(store: Store, group: JSON, children: list[JSON]) -> bool:
    """Put ``children`` into ``group`` (those not in it yet); return whether any was added."""
    added = [c for c in children if c.get("parent_issue_group", {}).get("id") != group["id"]]
    for child in added:
        child["parent_issue_group"] = mini_issue(group)
        store.touch("issue", "updated", child)
    group["child_issues"] = [*group.get("child_issues", []), *map(mini_issue, added)]
    return bool(added)


def create_issue_group(store: Store, call: Call) -> JSON:
    """``POST /issue-groups``: ``title`` and ``child_issue_ids`` (at least one), at once."""
    r = Reader(body_object(call))
    title = r.string("title", required=True) or ""
    children = _children(store, r, None)
    now = store.now()
    group = new_issue(
        store.new_id(),
        store.next_issue_number(),
        title=title,
        body_html="",
        created_at=now,
        now=now,
    )
    group.update(is_issue_group=True, child_issues=[])
    store.add(store.issues, group)
    _attach(store, group, children)
    store.touch("issue", "created", group, at=now)
    return {"data": group}


def add_children(store: Store, call: Call) -> JSON:
    """``POST /issue-groups/{issue_group_id}/children``: ``child_issue_ids``, all or none."""
    group = _group(store, call)
    children = _children(store, Reader(body_object(call)), group["id"])
    if _attach(store, group, children):
        store.touch("issue", "updated", group)
    return {"success": True}


def remove_child(store: Store, call: Call) -> JSON:
    """``DELETE /issue-groups/{issue_group_id}/children/{child_issue_id}``: one child out."""
    group = _group(store, call)
    child_id = call.params["child_issue_id"]
    kids: list[JSON] = group.get("child_issues", [])
    if all(k["id"] != child_id for k in kids):
        raise ApiError.not_found("child issue", child_id)
    if len(kids) == 1:
        raise ApiError(409, "conflict", "an issue group must keep at least one child issue")
    group["child_issues"] = [k for k in kids if k["id"] != child_id]
    child = store.issues.get(child_id)
    if child is not None:
        child.pop("parent_issue_group", None)
        store.touch("issue", "updated", child)
    store.touch("issue", "updated", group)
    return {"success": True}


_FEATURE_REQUEST = "/feature-requests/{feature_request_id}"
ROUTES: list[tuple[str, str, Handler]] = [
    ("POST", "/feature-requests", create_feature_request),
    ("POST", "/feature-requests/merge", merge_feature_requests),
    ("POST", f"{_FEATURE_REQUEST}/evidence", add_evidence),
    ("POST", f"{_FEATURE_REQUEST}/external-issues", link_external_issue),
    ("POST", f"{_FEATURE_REQUEST}/set-portal-visibility", set_portal_visibility),
    ("POST", "/issue-groups", create_issue_group),
    ("POST", "/issue-groups/{issue_group_id}/children", add_children),
    ("DELETE", "/issue-groups/{issue_group_id}/children/{child_issue_id}", remove_child),
]
