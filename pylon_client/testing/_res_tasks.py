"""Tasks, shaped as Pylon's published API (not the vendored spec).

A task's comments and links, and the task statuses, are in :mod:`._res_task_extra`.
"""

from __future__ import annotations

from ._catalog import TASK_STATUSES
from ._crud import deleter, getter, lister, searcher, set_date, set_ref
from ._objects import new_task
from ._protocol import JSON, Call
from ._res_task_extra import drop_comments
from ._search import key, ref
from ._store import Store
from ._validate import Reader, body_object, merge_custom_fields

__all__ = ["ROUTES", "TASK_FIELDS", "TASK_STATUSES"]

TASK_FIELDS = {
    "account_id": ref("account"),
    "project_id": ref("project"),
    "milestone_id": ref("milestone"),
    "assignee_id": lambda t: ref("assignee", "user")(t) or ref("assignee", "contact")(t),
    "status": key("status"),
    "created_at": key("created_at"),
    "updated_at": key("updated_at"),
    "due_date": key("due_date"),
}


def _write_task(store: Store, task: JSON, r: Reader, *, creating: bool) -> None:
    """Read a task write and apply it.

    ``account_id`` and ``parent_task_id`` are taken on create only, ``completed_at`` on update
    only (Pylon ignores the others). Moving to ``completed`` stamps ``completed_at`` unless it
    is given; moving away clears it.
    """
    title = r.string("title", required=creating)
    body_html = r.string("body_html")
    status = r.string("status", choices=TASK_STATUSES, slug=True)
    account = r.ref("account_id", store.accounts, "account") if creating else None
    parent = r.ref("parent_task_id", store.tasks, "task") if creating else None
    completed_at = None if creating else r.time("completed_at", clearable=True)
    project = r.ref("project_id", store.projects, "project")
    milestone = r.ref("milestone_id", store.milestones, "milestone")
    assignee = r.string("assignee_id")
    if assignee and assignee not in store.users and assignee not in store.contacts:
        r.errors.append(f"assignee_id: no user or contact with id {assignee!r}")
    due_date = r.time("due_date", clearable=True)
    visible = r.boolean("customer_portal_visible")
    custom_fields = r.custom_fields()
    r.done()
    now = store.now()
    for name, value in (("title", title), ("body_html", body_html)):
        if value is not None:
            task[name] = value
    if status is not None and status != task["status"]:
        task["status"] = status
        set_date(task, "completed_at", now if status == "completed" else "")
    set_date(task, "completed_at", completed_at)
    for name, object_id in (("account", account), ("project", project), ("milestone", milestone)):
        set_ref(task, name, object_id)
    if assignee == "":
        task.pop("assignee", None)
    elif assignee is not None:
        kind = "user" if assignee in store.users else "contact"
        task["assignee"] = {kind: {"id": assignee}}
    if parent:
        task["parent_task_id"] = parent
        siblings = store.tasks[parent]["subtask_ids"]
        if task["id"] not in siblings:
            siblings.append(task["id"])
    set_date(task, "due_date", due_date)
    if visible is not None:
        task["customer_portal_visible"] = visible
    task["custom_fields"] = merge_custom_fields(task["custom_fields"], custom_fields)
    task["updated_at"] = now


def create_task(store: Store, call: Call) -> JSON:
    """``POST /tasks``: ``title`` required; ``status`` defaults to ``not_started``."""
    task = new_task(store.new_id(), title="", now=store.now())
    _write_task(store, task, Reader(body_object(call)), creating=True)
    store.add(store.tasks, task)
    return {"data": task}


def update_task(store: Store, call: Call) -> JSON:
    """``PATCH /tasks/{id}``: only the fields sent change; ``due_date: ""`` clears it."""
    task = store.get(store.tasks, "task", call.params["id"])
    _write_task(store, task, Reader(body_object(call)), creating=False)
    return {"data": task}


_delete = deleter("tasks", "task")


def delete_task(store: Store, call: Call) -> JSON:
    """``DELETE /tasks/{id}``: forget the task and its comments."""
    answer = _delete(store, call)
    drop_comments(store, call.params["id"])
    return answer


ROUTES = [
    ("GET", "/tasks", lister("tasks")),
    ("POST", "/tasks", create_task),
    ("POST", "/tasks/search", searcher("tasks", TASK_FIELDS)),
    ("GET", "/tasks/{id}", getter("tasks", "task")),
    ("PATCH", "/tasks/{id}", update_task),
    ("DELETE", "/tasks/{id}", delete_task),
]
