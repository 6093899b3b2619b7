"""A task's comments, its links to external and Pylon issues, and the organization's task statuses.

Pylon's April document lacks these seven operations; their shapes are those of its official SDK,
usepylon 0.1.0a4, as ``openapi/pylon-sdk-supplement.yml`` writes them down.

- **Comments** live in ``store.task_comments`` by comment id, each naming its ``task_id``, so
  they get ids and enter the store as every other object does (:meth:`Store.add`). A task lists
  its own, oldest first (the order they were made); a comment asked for under another task is
  a 404, as if it did not exist. Every comment is by the token's user: every token of the fake
  is that one user, so the rule that only a comment's author may edit or delete it always holds.
  Deleting a task drops its comments (:func:`drop_comments`).
- **Links** are stored on the task itself, as Pylon serves them: ``external_issues``
  (``{external_id, source, link}``) and ``linked_issues`` (``{id, number, title}``, the issue
  as it was when linked). Linking what is linked, or unlinking what is not, succeeds and changes
  nothing, not even ``updated_at``; a change stamps it.
- **Statuses** are ``store.task_statuses`` by slug: the built-in ones the catalog seeds and
  those a test adds. A task takes any slug as its status (Pylon's custom statuses are made in
  its web app); the fake does not invent a status entry for one, since no source says what
  its category would be.
"""

from __future__ import annotations

from ._objects import external_issue, mini_issue, new_task_comment
from ._protocol import JSON, ApiError, Call
from ._res_catalog import one_page
from ._store import Store
from ._validate import Reader, body_object

__all__ = [
    "LINK_OPERATIONS",
    "ROUTES",
    "drop_comments",
]

LINK_OPERATIONS = ("link", "unlink")
"""What ``operation`` may say on both link routes; absent means ``link``."""


def _task(store: Store, call: Call) -> JSON:
    """Return the task of the path, or raise 404 (before the body is read, as Pylon does)."""
    return store.get(store.tasks, "task", call.params["id"])


def _comment(store: Store, call: Call) -> JSON:
    """Return the comment of the path if it belongs to the path's task, else raise 404."""
    task = _task(store, call)
    comment_id = call.params["comment_id"]
    comment = store.task_comments.get(comment_id)
    if comment is None or comment["task_id"] != task["id"]:
        raise ApiError.not_found("task comment", comment_id)
    return comment


def _operation(r: Reader) -> str:
    """Read ``operation``: ``link`` (the default) or ``unlink``; anything else is a 400."""
    return r.string("operation", choices=LINK_OPERATIONS) or "link"


def list_comments(store: Store, call: Call) -> JSON:
    """``GET /tasks/{id}/comments``: every comment of the task, oldest first, in one answer."""
    task = _task(store, call)
    return {"data": [c for c in store.task_comments.values() if c["task_id"] == task["id"]]}


def create_comment(store: Store, call: Call) -> JSON:
    """``POST /tasks/{id}/comments``: ``body_html`` required, ``is_internal`` (default false)."""
    task = _task(store, call)
    r = Reader(body_object(call))
    body_html = r.string("body_html", required=True) or ""
    is_internal = r.boolean("is_internal")
    r.done()
    me = store.users[store.me_user_id]
    comment = new_task_comment(
        store.new_id(),
        task_id=task["id"],
        body_html=body_html,
        is_internal=bool(is_internal),
        author={"user": {"id": me["id"], "email": me["email"]}},
        now=store.now(),
    )
    return {"data": store.add(store.task_comments, comment)}


def update_comment(store: Store, call: Call) -> JSON:
    """``PATCH /tasks/{id}/comments/{comment_id}``: a new ``body_html`` (required).

    Stamps ``last_edited_at`` and ``updated_at`` with the same instant.
    """
    comment = _comment(store, call)
    r = Reader(body_object(call))
    body_html = r.string("body_html", required=True) or ""
    r.done()
    now = store.now()
    comment.update(body_html=body_html, last_edited_at=now, updated_at=now)
    return {"data": comment}


def delete_comment(store: Store, call: Call) -> JSON:
    """``DELETE /tasks/{id}/comments/{comment_id}``: the answer is ``{request_id}`` alone."""
    del store.task_comments[_comment(store, call)["id"]]
    return {}


def drop_comments(store: Store, task_id: str) -> None:
    """Forget every comment of task ``task_id`` (it was deleted)."""
    doomed = [i for i, c in store.task_comments.items() if c["task_id"] == task_id]
    for comment_id in doomed:
        del store.task_comments[comment_id]


def link_external_issue(store: Store, call: Call) -> JSON:
    """``POST /tasks/{id}/external-issues``: ``external_issue_id``, ``source``, ``operation``.

    A link is known by its ``(external_id, source)``; the answer is the task.
    """
    task = _task(store, call)
    r = Reader(body_object(call))
    external_id = r.string("external_issue_id", required=True) or ""
    source = r.string("source", required=True) or ""
    op = _operation(r)
    r.done()
    links: list[JSON] = task["external_issues"]
    same = [e for e in links if (e["external_id"], e["source"]) == (external_id, source)]
    if op == "link" and not same:
        task["external_issues"] = [*links, external_issue(external_id, source)]
        task["updated_at"] = store.now()
    elif op == "unlink" and same:
        task["external_issues"] = [e for e in links if e not in same]
        task["updated_at"] = store.now()
    return {"data": task}


def link_issue(store: Store, call: Call) -> JSON:
    """``POST /tasks/{id}/issues``: ``issue_id`` (required) and ``operation``.

    An issue id neither in the store nor linked to the task is a 404; unlinking an issue deleted
    since it was linked still works, so no link is left that cannot be removed.
    """
    task = _task(store, call)
    r = Reader(body_object(call))
    issue_id = r.string("issue_id", required=True) or ""
    op = _operation(r)
    r.done()
    links: list[JSON] = task["linked_issues"]
    linked = any(i["id"] == issue_id for i in links)
    if not linked and issue_id not in store.issues:
        raise ApiError.not_found("issue", issue_id)
    if op == "link" and not linked:
        task["linked_issues"] = [*links, mini_issue(store.issues[issue_id])]
        task["updated_at"] = store.now()
    elif op == "unlink" and linked:
        task["linked_issues"] = [i for i in links if i["id"] != issue_id]
        task["updated_at"] = store.now()
    return {"data": task}


def list_task_statuses(store: Store, call: Call) -> JSON:
    """``GET /task-statuses``: the built-in statuses first, then those added, as one page."""
    return one_page(store.task_statuses.values())


ROUTES = [
    ("GET", "/tasks/{id}/comments", list_comments),
    ("POST", "/tasks/{id}/comments", create_comment),
    ("PATCH", "/tasks/{id}/comments/{comment_id}", update_comment),
    ("DELETE", "/tasks/{id}/comments/{comment_id}", delete_comment),
    ("POST", "/tasks/{id}/external-issues", link_external_issue),
    ("POST", "/tasks/{id}/issues", link_issue),
    ("GET", "/task-statuses", list_task_statuses),
]
