"""A strictly typed user script over tasks, projects, milestones and issues.

``tests/test_typing.py`` runs ``mypy --strict`` on this file: each ``assert_type`` holds a field
that Pylon's newest source (its SDK, usepylon 0.1.0a4) requires to the type it gives it, with
neither ``None`` nor ``Unset`` in it. It is never run, only type-checked.
"""

from __future__ import annotations

import datetime
from typing import assert_type

from pylon_client import AsyncPylon, F
from pylon_client.types import UNSET, BuiltinTaskStatus, Issue, Milestone, Project, Task, Unset


async def tasks(pylon: AsyncPylon) -> None:
    """Tasks: required fields are plain; dates go in as date, datetime or text."""
    task = await pylon.tasks.create(
        title="Kickoff", due_date=datetime.date(2026, 2, 1), status="in_progress"
    )
    assert_type(task, Task)
    assert_type(task.id, str)
    assert_type(task.title, str)
    assert_type(task.body_html, str)
    assert_type(task.customer_portal_visible, bool)
    assert_type(task.created_at, datetime.datetime)
    assert_type(task.updated_at, datetime.datetime)
    assert_type(task.status, BuiltinTaskStatus | str)
    await pylon.tasks.update(task.id, status="a_custom_status_slug")
    async for found in pylon.tasks.search(filter=F("status").equals("completed")):
        assert_type(found.title, str)
    async for found in pylon.tasks.search(filter={"operator": "is_set", "field": "due_date"}):
        assert_type(found.status, BuiltinTaskStatus | str)


async def projects(pylon: AsyncPylon) -> None:
    """Projects and milestones."""
    project = await pylon.projects.create(
        account_id="acc_1",
        name="Onboarding",
        start_date=datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC),
    )
    assert_type(project, Project)
    assert_type(project.name, str)
    assert_type(project.is_archived, bool)
    assert_type(project.customer_portal_visible, bool)
    assert_type(project.progress, float)
    assert_type(project.created_at, datetime.datetime)
    milestone = await pylon.milestones.create(
        name="Phase 1", project_id=project.id, due_date="2026-03-01T00:00:00Z"
    )
    assert_type(milestone, Milestone)
    assert_type(milestone.name, str)
    assert_type(milestone.updated_at, datetime.datetime)
    async for listed in pylon.projects.list(limit=50):
        assert_type(listed, Project)
    async for each in pylon.milestones.list():
        assert_type(each.name, str)
    start: datetime.datetime | Unset = project.start_date if project.start_date else UNSET
    if not isinstance(start, Unset):
        assert_type(start, datetime.datetime)


async def issues(pylon: AsyncPylon) -> None:
    """Issues."""
    issue = await pylon.issues.get("iss_1")
    assert_type(issue, Issue)
    assert_type(issue.title, str)
    assert_type(issue.number, int)
    assert_type(issue.state, str)
    assert_type(issue.link, str)
    assert_type(issue.is_issue_group, bool)
    assert_type(issue.number_of_touches, int)
    assert_type(issue.created_at, datetime.datetime)
    if issue.active_time_by_user:
        assert_type(issue.active_time_by_user[0].user_id, str)
    if issue.external_incidents:
        assert_type(issue.external_incidents[0].reference, str)
    if issue.team_slas:
        assert_type(issue.team_slas[0].team_id, str)
    await pylon.accounts.update_many(
        account_ids=["acc_1"], account_type="partner", tags=["vip"], tags_apply_mode="append_only"
    )
