"""Reference rows for section 1: what a compiled decoder (msgspec) would do for a page of tasks.

Not part of the client: a measurement, for the choice of whether an optional accelerator is
worth its cost. ``msgspec`` is installed in ``.venv-bench`` only (the rows say "not installed"
without it). Three figures, per page of 100 tasks, each over ``json.loads`` of the same page:

msgspec typed decode
    ``msgspec.json.Decoder(Page).decode(body)`` into ``msgspec.Struct`` classes written here to
    mirror ``Task`` (types checked in C, unknown keys dropped).
msgspec decode, then the attrs models
    the same decode, then the generated attrs ``Task`` objects built from the Structs with no
    further checks: the floor of an accelerator that keeps the public model classes.
json.loads, then ``Task.from_dict``
    what the client does today.

No ``from __future__ import annotations`` here: msgspec reads the Structs' annotations, which
must be real types, and the Structs are defined inside a function (msgspec is optional).
"""

import gc
import importlib
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from pylon_client._generated.models.mini_account import MiniAccount
from pylon_client._generated.models.mini_milestone import MiniMilestone
from pylon_client._generated.models.mini_project import MiniProject
from pylon_client._generated.models.task import Task
from pylon_client._generated.models.task_assignee import TaskAssignee

from ._bodies import PAGE_BODY
from ._table import Row, fmt_ratio, fmt_us

__all__ = ["rows"]

ROUNDS = 9
BLOCK = 30


def _decoder() -> Callable[[bytes], Any] | None:
    try:
        msgspec: Any = importlib.import_module("msgspec")
    except ImportError:
        return None

    class Ref(msgspec.Struct):  # type: ignore[misc]  # msgspec has no stubs in this environment
        id: str | None = None
        name: str | None = None

    class Assignee(msgspec.Struct):  # type: ignore[misc]
        user: Ref | None = None
        team: Ref | None = None

    class TaskStruct(msgspec.Struct):  # type: ignore[misc]
        id: str
        title: str | None = None
        body_html: str | None = None
        status: str | None = None
        created_at: str | None = None
        updated_at: str | None = None
        completed_at: str | None = None
        due_date: str | None = None
        customer_portal_visible: bool | None = None
        parent_task_id: str | None = None
        subtask_ids: list[str] | None = None
        account: Ref | None = None
        project: Ref | None = None
        milestone: Ref | None = None
        assignee: Assignee | None = None
        custom_fields: dict[str, Any] | None = None

    class Pagination(msgspec.Struct):  # type: ignore[misc]
        cursor: str | None = None
        has_next_page: bool | None = None

    class PageStruct(msgspec.Struct):  # type: ignore[misc]
        data: list[TaskStruct]
        pagination: Pagination | None = None
        request_id: str | None = None

    decoder: Callable[[bytes], Any] = msgspec.json.Decoder(PageStruct).decode
    return decoder


def _to_models(page: Any) -> list[Task]:
    out = []
    for s in page.data:
        out.append(
            Task(
                id=s.id,
                title=s.title,
                body_html=s.body_html,
                status=s.status,
                created_at=s.created_at,
                updated_at=s.updated_at,
                completed_at=s.completed_at,
                due_date=s.due_date,
                customer_portal_visible=s.customer_portal_visible,
                parent_task_id=s.parent_task_id,
                subtask_ids=s.subtask_ids,
                account=MiniAccount(id=s.account.id) if s.account else None,
                project=MiniProject(id=s.project.id) if s.project else None,
                milestone=MiniMilestone(id=s.milestone.id) if s.milestone else None,
                assignee=TaskAssignee() if s.assignee else None,
            )
        )
    return out


def _time(fn: Callable[[], object]) -> float:
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        for _ in range(BLOCK):
            fn()
        return (time.perf_counter() - started) / BLOCK
    finally:
        gc.enable()


def rows() -> list[Row]:
    """Return the three reference rows, or one saying msgspec is not installed."""
    decode = _decoder()
    if decode is None:
        return [Row("1 per call", "page: msgspec (reference)", "-", "", "not installed")]
    cases: dict[str, Callable[[], object]] = {
        "json.loads": lambda: json.loads(PAGE_BODY),
        "msgspec typed decode": lambda: decode(PAGE_BODY),
        "msgspec decode, then the attrs models": lambda: _to_models(decode(PAGE_BODY)),
        "json.loads, then Task.from_dict": lambda: [
            Task.from_dict(item) for item in json.loads(PAGE_BODY)["data"]
        ],
    }
    for fn in cases.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in cases}
    for r in range(ROUNDS):
        names = list(cases)
        for name in names[r % len(names) :] + names[: r % len(names)]:
            times[name].append(_time(cases[name]))
    base = statistics.median(times["json.loads"])
    return [
        Row(
            "1 per call",
            f"page of 100 tasks: {name} (reference)",
            fmt_ratio(statistics.median(t) / base),
            "",
            "",
            f"{fmt_us(statistics.median(t))}/page over json.loads {fmt_us(base)}",
        )
        for name, t in times.items()
        if name != "json.loads"
    ]
