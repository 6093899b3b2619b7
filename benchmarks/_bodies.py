"""Canned, Pylon-shaped JSON bodies shared by every variant of the per-call benchmark.

One task has the fields Pylon's own OpenAPI document gives ``Task``: nested account, project,
milestone and assignee references (``MiniAccount``, ``MiniProject``, ``MiniMilestone``,
``MiniUser``, with their documented keys), RFC 3339 dates, subtasks and custom fields. It validates
against this client's generated models and against the official SDK's pydantic models alike
(that SDK requires ``request_id`` and a ``pagination.cursor`` string, and ends a list at an
empty cursor).
"""

from __future__ import annotations

import json
from typing import Any

__all__ = [
    "PAGE_BODIES",
    "PAGE_BODY",
    "PAGE_BODY_EXTRA_KEYS",
    "PAGE_SIZE",
    "TASK_BODY",
    "short_task",
    "task",
]

PAGE_SIZE = 100


def task(n: int, *, extra_keys: bool = False) -> dict[str, Any]:
    """Return task number ``n`` as Pylon sends it.

    ``extra_keys`` adds a ``name`` to every reference, a key Pylon's document does not give
    them: what a body looks like when Pylon sends more than it documents (the client keeps
    such keys in ``additional_properties``).
    """
    day = 1 + n % 28
    name: dict[str, str] = {"name": "Acme"} if extra_keys else {}
    return {
        "id": f"task_{n:08d}",
        "title": f"Onboarding step {n}: configure SSO and invite the team",
        "body_html": "<p>Walk the customer through SAML setup, then invite the admins.</p>",
        "status": "in_progress",
        "account": {"id": "acc_7f3a9c", **name},
        "project": {"id": "prj_1b2c3d", **name},
        "milestone": {"id": "mil_4e5f6a", **name},
        "assignee": {"user": {"id": "usr_9d8c7b", "email": "dana@example.com", **name}},
        "parent_task_id": None,
        "subtask_ids": [f"task_{n:08d}_a", f"task_{n:08d}_b"],
        "due_date": f"2026-03-{day:02d}T17:00:00Z",
        "created_at": f"2026-02-{day:02d}T09:30:15Z",
        "updated_at": f"2026-02-{day:02d}T16:45:00Z",
        "completed_at": None,
        "customer_portal_visible": True,
        "custom_fields": {"priority": {"slug": "priority", "value": "high"}},
    }


TASK_BODY: bytes = json.dumps({"data": task(1), "request_id": "req_0001"}).encode()
"""``GET /tasks/{id}``: one task in Pylon's envelope."""

PAGE_BODY: bytes = json.dumps(
    {
        "data": [task(n) for n in range(PAGE_SIZE)],
        "pagination": {"cursor": "", "has_next_page": False},
        "request_id": "req_0002",
    }
).encode()
"""``GET /tasks``: one page of 100 tasks, the last (``has_next_page`` false)."""

PAGE_BODY_EXTRA_KEYS: bytes = json.dumps(
    {
        "data": [task(n, extra_keys=True) for n in range(PAGE_SIZE)],
        "pagination": {"cursor": "", "has_next_page": False},
        "request_id": "req_0003",
    }
).encode()
"""The same page, every reference with a key Pylon does not document."""


def short_task(n: int, *, grown: bool = False) -> dict[str, Any]:
    """Return a short task: the required fields and two references, as Pylon's document has them.

    ``grown`` gives it what real answers carry beyond the document: a ``name`` on each
    reference and one top-level field the document does not list (``priority_score``).
    """
    name: dict[str, str] = {"name": "Acme"} if grown else {}
    item: dict[str, Any] = {
        "id": f"task_{n:08d}",
        "title": f"Step {n}",
        "body_html": "<p>Call back</p>",
        "status": "not_started",
        "created_at": "2026-02-01T09:30:15Z",
        "updated_at": "2026-02-01T09:31:00Z",
        "customer_portal_visible": False,
        "account": {"id": "acc_7f3a9c", **name},
        "project": {"id": "prj_1b2c3d", **name},
    }
    if grown:
        item["priority_score"] = n % 7
    return item


def _page(items: list[dict[str, Any]], request_id: str) -> bytes:
    pagination = {"cursor": "", "has_next_page": False}
    return json.dumps({"data": items, "pagination": pagination, "request_id": request_id}).encode()


PAGE_BODIES: dict[str, bytes] = {
    "short": _page([short_task(n) for n in range(PAGE_SIZE)], "req_0004"),
    "long": PAGE_BODY,
    "grown": _page([short_task(n, grown=True) for n in range(PAGE_SIZE)], "req_0005"),
}
"""The three pages section 1 reads: short tasks with the documented keys, the longer tasks of
:data:`PAGE_BODY`, and the short tasks grown with keys the document lacks, as Pylon sends them."""
