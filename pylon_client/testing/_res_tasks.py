"""Tasks, projects and milestones, shaped as Pylon's published API (not the vendored spec)."""

from __future__ import annotations

from ._crud import deleter, getter, lister, searcher, set_ref
from ._protocol import JSON, Call
from ._search import key, ref
from ._store import Store
from ._validate import Reader, body_object

__all__ = ["MILESTONE_FIELDS", "PROJECT_FIELDS", "ROUTES", "TASK_FIELDS", "TASK_STATUSES"]

TASK_STATUSES = ("not_started", "in_progress", "completed")

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
PROJECT_FIELDS = {
    "account_id": ref("account"),
    "owner_id": ref("owner"),
    "name": key("name"),
    "status": key("status"),
    "is_archived": key("is_archived"),
    "start_date": key("start_date"),
    "end_date": key("end_date"),
    "created_at": key("created_at"),
    "updated_at": key("updated_at"),
}
MILESTONE_FIELDS = {
    "project_id": key("project_id"),
    "name": key("name"),
    "due_date": key("due_date"),
    "created_at": key("created_at"),
    "updated_at": key("updated_at"),
}


def _set_date(obj: JSON, name: str, value: str | None) -> None:
    # On a PATCH an empty string clears the date; null or absent leaves it alone.
    if value == "":
        obj.pop(name, None)
    elif value is not None:
        obj[name] = value


def _write_task(store: Store, task: JSON, r: Reader, *, creating: bool) -> None:
    title = r.string("title", required=creating)
    body_html = r.string("body_html")
    status = r.string("status", choices=TASK_STATUSES, slug=True)
    account = r.ref("account_id", store.accounts, "account")
    project = r.ref("project_id", store.projects, "project")
    milestone = r.ref("milestone_id", store.milestones, "milestone")
    parent = r.ref("parent_task_id", store.tasks, "task")
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
    if status is not None and status != task.get("status"):
        task["status"] = status
        _set_date(task, "completed_at", now if status == "completed" else "")
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
    _set_date(task, "due_date", due_date)
    if visible is not None:
        task["customer_portal_visible"] = visible
    if custom_fields is not None:
        task["custom_fields"] = {**task["custom_fields"], **custom_fields}
    task["updated_at"] = now


def create_task(store: Store, call: Call) -> JSON:
    """``POST /tasks``: ``title`` required; ``status`` defaults to ``not_started``."""
    now = store.now()
    task: JSON = {
        "id": store.new_id(),
        "status": "not_started",
        "created_at": now,
        "subtask_ids": [],
        "customer_portal_visible": False,
        "custom_fields": {},
    }
    _write_task(store, task, Reader(body_object(call)), creating=True)
    store.tasks[task["id"]] = task
    return {"data": task}


def update_task(store: Store, call: Call) -> JSON:
    """``PATCH /tasks/{id}``: only the fields sent change; ``due_date: ""`` clears it."""
    task = store.get(store.tasks, "task", call.params["id"])
    _write_task(store, task, Reader(body_object(call)), creating=False)
    return {"data": task}


def _write_project(store: Store, project: JSON, r: Reader, *, creating: bool) -> None:
    template = r.string("project_template_id")
    account = r.ref("account_id", store.accounts, "account", required=creating)
    name = r.string("name", required=creating and not template)
    description = r.string("description_html")
    owner = r.ref("owner_id", store.users, "user")
    start_date = r.time("start_date", clearable=True)
    end_date = r.time("end_date", clearable=True)
    visible = r.boolean("customer_portal_visible")
    archived = r.boolean("is_archived")
    r.done()
    if name is not None or creating:
        project["name"] = name or f"From template {template}"
    if description is not None:
        project["description_html"] = description
    set_ref(project, "account", account)
    set_ref(project, "owner", owner)
    _set_date(project, "start_date", start_date)
    _set_date(project, "end_date", end_date)
    if visible is not None:
        project["customer_portal_visible"] = visible
    if archived is not None:
        project["is_archived"] = archived
    project["updated_at"] = store.now()


def create_project(store: Store, call: Call) -> JSON:
    """``POST /projects``: ``account_id`` and ``name`` (unless ``project_template_id``)."""
    project: JSON = {
        "id": store.new_id(),
        "description_html": "",
        "is_archived": False,
        "progress": 0,
        "status": "not_started",
        "customer_portal_visible": False,
        "created_at": store.now(),
    }
    _write_project(store, project, Reader(body_object(call)), creating=True)
    store.projects[project["id"]] = project
    return {"data": project}


def update_project(store: Store, call: Call) -> JSON:
    """``PATCH /projects/{id}``."""
    project = store.get(store.projects, "project", call.params["id"])
    _write_project(store, project, Reader(body_object(call)), creating=False)
    return {"data": project}


def _write_milestone(store: Store, milestone: JSON, r: Reader, *, creating: bool) -> None:
    name = r.string("name", required=creating)
    project_id = r.ref("project_id", store.projects, "project", required=creating)
    due_date = r.time("due_date", clearable=True)
    r.done()
    if name is not None:
        milestone["name"] = name
    if project_id:
        milestone["project_id"] = project_id
    _set_date(milestone, "due_date", due_date)
    milestone["updated_at"] = store.now()


def create_milestone(store: Store, call: Call) -> JSON:
    """``POST /milestones``: ``name`` and ``project_id`` required."""
    milestone: JSON = {"id": store.new_id(), "created_at": store.now()}
    _write_milestone(store, milestone, Reader(body_object(call)), creating=True)
    store.milestones[milestone["id"]] = milestone
    return {"data": milestone}


def update_milestone(store: Store, call: Call) -> JSON:
    """``PATCH /milestones/{id}``."""
    milestone = store.get(store.milestones, "milestone", call.params["id"])
    _write_milestone(store, milestone, Reader(body_object(call)), creating=False)
    return {"data": milestone}


ROUTES = [
    ("GET", "/tasks", lister("tasks")),
    ("POST", "/tasks", create_task),
    ("POST", "/tasks/search", searcher("tasks", TASK_FIELDS)),
    ("GET", "/tasks/{id}", getter("tasks", "task")),
    ("PATCH", "/tasks/{id}", update_task),
    ("DELETE", "/tasks/{id}", deleter("tasks", "task")),
    ("POST", "/projects", create_project),
    ("POST", "/projects/search", searcher("projects", PROJECT_FIELDS)),
    ("GET", "/projects/{id}", getter("projects", "project")),
    ("PATCH", "/projects/{id}", update_project),
    ("DELETE", "/projects/{id}", deleter("projects", "project")),
    ("POST", "/milestones", create_milestone),
    ("POST", "/milestones/search", searcher("milestones", MILESTONE_FIELDS)),
    ("GET", "/milestones/{id}", getter("milestones", "milestone")),
    ("PATCH", "/milestones/{id}", update_milestone),
    ("DELETE", "/milestones/{id}", deleter("milestones", "milestone")),
]
