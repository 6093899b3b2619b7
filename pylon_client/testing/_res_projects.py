"""Projects and milestones, shaped as Pylon's published API (not the vendored spec).

There is no ``GET /projects``: projects are listed through ``POST /projects/search``.
"""

from __future__ import annotations

from ._crud import deleter, getter, searcher, set_date, set_ref
from ._objects import new_milestone, new_project
from ._protocol import JSON, Call
from ._search import key, ref
from ._store import Store
from ._validate import Reader, body_object, merge_custom_fields

__all__ = ["MILESTONE_FIELDS", "PROJECT_FIELDS", "ROUTES"]

PROJECT_FIELDS = {
    "account_id": ref("account"),
    "owner_id": key("owner_id"),
    "name": key("name"),
    "status": key("status"),
    "is_archived": key("is_archived"),
    "start_date": key("start_date"),
    "end_date": key("end_date"),
    "created_at": key("created_at"),
    "updated_at": key("updated_at"),
}
MILESTONE_FIELDS = {
    "project_id": ref("project"),
    "account_id": ref("account"),
    "name": key("name"),
    "due_date": key("due_date"),
    "created_at": key("created_at"),
    "updated_at": key("updated_at"),
}


def _write_project(store: Store, project: JSON, r: Reader, *, creating: bool) -> None:
    """Read a project write and apply it.

    ``account_id`` and ``project_template_id`` are taken on create only, ``is_archived`` and
    ``custom_fields`` on update only. ``owner_id: ""`` removes the owner; archiving stamps
    ``archived_at``.
    """
    template = r.string("project_template_id") if creating else None
    account = r.ref("account_id", store.accounts, "account", required=True) if creating else None
    name = r.string("name", required=creating and not template)
    description = r.string("description_html")
    owner = r.ref("owner_id", store.users, "user")
    start_date = r.time("start_date", clearable=True)
    end_date = r.time("end_date", clearable=True)
    visible = r.boolean("customer_portal_visible")
    archived = None if creating else r.boolean("is_archived")
    custom_fields = None if creating else r.custom_fields()
    r.done()
    now = store.now()
    if name is not None or creating:
        project["name"] = name or f"From template {template}"
    if template:
        project["project_template"] = {"id": template}
    if description is not None:
        project["description_html"] = description
    set_ref(project, "account", account)
    if owner == "":
        project.pop("owner_id", None)
    elif owner is not None:
        project["owner_id"] = owner
    set_date(project, "start_date", start_date)
    set_date(project, "end_date", end_date)
    if visible is not None:
        project["customer_portal_visible"] = visible
    if archived is not None and archived != project["is_archived"]:
        project["is_archived"] = archived
        set_date(project, "archived_at", now if archived else "")
    project["custom_fields"] = merge_custom_fields(project["custom_fields"], custom_fields)
    project["updated_at"] = now


def create_project(store: Store, call: Call) -> JSON:
    """``POST /projects``: ``account_id`` and ``name`` (unless ``project_template_id``)."""
    project = new_project(store.new_id(), name="", now=store.now())
    _write_project(store, project, Reader(body_object(call)), creating=True)
    store.add(store.projects, project)
    return {"data": project}


def update_project(store: Store, call: Call) -> JSON:
    """``PATCH /projects/{id}``."""
    project = store.get(store.projects, "project", call.params["id"])
    _write_project(store, project, Reader(body_object(call)), creating=False)
    return {"data": project}


def create_milestone(store: Store, call: Call) -> JSON:
    """``POST /milestones``: ``name`` and ``project_id`` required; ``account_id``, ``due_date``.

    Without ``account_id`` the milestone is on its project's account, if the project has one.
    """
    r = Reader(body_object(call))
    name = r.string("name", required=True) or ""
    project_id = r.ref("project_id", store.projects, "project", required=True) or ""
    account_id = r.ref("account_id", store.accounts, "account")
    due_date = r.time("due_date")
    r.done()
    milestone = new_milestone(store.new_id(), name=name, project_id=project_id, now=store.now())
    account = {"id": account_id} if account_id else store.projects[project_id].get("account")
    if account:
        milestone["account"] = dict(account)
    set_date(milestone, "due_date", due_date)
    store.add(store.milestones, milestone)
    return {"data": milestone}


def update_milestone(store: Store, call: Call) -> JSON:
    """``PATCH /milestones/{id}``: ``name`` and ``due_date`` (``""`` clears it)."""
    milestone = store.get(store.milestones, "milestone", call.params["id"])
    r = Reader(body_object(call))
    name = r.string("name")
    due_date = r.time("due_date", clearable=True)
    r.done()
    if name is not None:
        milestone["name"] = name
    set_date(milestone, "due_date", due_date)
    milestone["updated_at"] = store.now()
    return {"data": milestone}


ROUTES = [
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
