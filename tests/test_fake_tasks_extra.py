"""The fake's task comments, task links and task statuses (``_res_task_extra``), via the client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from pylon_client import AsyncPylon, BadRequestError, NotFoundError
from pylon_client._generated.types import Unset
from pylon_client.testing import FakeClock, FakePylon

pytestmark = pytest.mark.anyio


@asynccontextmanager
async def _pylon(fake: FakePylon) -> AsyncIterator[AsyncPylon]:
    async with AsyncPylon(
        "test-token",
        base_url="https://pylon.test",
        transport=httpx.ASGITransport(app=fake),
        rate_limit=False,
    ) as pylon:
        yield pylon


def _fake() -> tuple[FakePylon, FakeClock]:
    clock = FakeClock()
    return FakePylon(seed=5, clock=clock), clock


async def test_comments_are_made_listed_oldest_first_edited_and_deleted() -> None:
    """A task's comments round-trip: made by the token's user, listed in order, edited, gone."""
    fake, clock = _fake()
    async with _pylon(fake) as pylon:
        task = await pylon.tasks.create(title="Renewal call")
        first = await pylon.tasks.create_comment(task.id, body_html="<p>Booked</p>")
        clock.advance(60)
        second = await pylon.tasks.create_comment(
            task.id, body_html="<p>Moved</p>", is_internal=True
        )
        listed = await pylon.tasks.list_comments(task.id).collect()
        clock.advance(60)
        edited = await pylon.tasks.update_comment(task.id, first.id, body_html="<p>Done</p>")
        await pylon.tasks.delete_comment(task.id, second.id)
        left = await pylon.tasks.list_comments(task.id).collect()
    assert [c.id for c in listed] == [first.id, second.id]
    assert (first.is_internal, second.is_internal) == (False, True)
    assert first.task_id == task.id
    me = fake.users[fake.state.me_user_id]
    assert first.to_dict()["author"] == {"user": {"id": me["id"], "email": me["email"]}}
    assert isinstance(first.last_edited_at, Unset)
    assert edited.body_html == "<p>Done</p>"
    assert edited.last_edited_at == edited.updated_at
    assert edited.updated_at > first.updated_at
    assert edited.created_at == first.created_at
    assert [c.id for c in left] == [first.id]


async def test_a_task_lists_only_its_own_comments() -> None:
    """Comments of one task are not listed, edited or deleted under another."""
    fake, _ = _fake()
    async with _pylon(fake) as pylon:
        one = await pylon.tasks.create(title="One")
        other = await pylon.tasks.create(title="Other")
        comment = await pylon.tasks.create_comment(one.id, body_html="<p>Mine</p>")
        assert await pylon.tasks.list_comments(other.id).collect() == []
        with pytest.raises(NotFoundError):
            await pylon.tasks.update_comment(other.id, comment.id, body_html="<p>x</p>")
        with pytest.raises(NotFoundError):
            await pylon.tasks.delete_comment(other.id, comment.id)
    assert fake.state.task_comments[comment.id]["body_html"] == "<p>Mine</p>"


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda p, t: p.tasks.list_comments("ghost").collect(), id="list-ghost-task"),
        pytest.param(
            lambda p, t: p.tasks.create_comment("ghost", body_html="<p>x</p>"),
            id="create-ghost-task",
        ),
        pytest.param(
            lambda p, t: p.tasks.update_comment(t, "ghost", body_html="<p>x</p>"),
            id="update-ghost-comment",
        ),
        pytest.param(lambda p, t: p.tasks.delete_comment(t, "ghost"), id="delete-ghost-comment"),
        pytest.param(
            lambda p, t: p.tasks.link_external_issue("ghost", external_issue_id="E", source="jira"),
            id="link-external-ghost-task",
        ),
        pytest.param(lambda p, t: p.tasks.link_issue(t, issue_id="ghost"), id="link-ghost-issue"),
    ],
)
async def test_an_unknown_task_comment_or_issue_is_a_404(call: Any) -> None:
    """An unknown task, comment or issue id is Pylon's 404, raised as ``NotFoundError``."""
    fake, _ = _fake()
    async with _pylon(fake) as pylon:
        task = await pylon.tasks.create(title="Real")
        with pytest.raises(NotFoundError):
            await call(pylon, task.id)


async def test_a_comment_without_a_body_is_a_400() -> None:
    """``body_html`` is required on create and on update: without it the answer is 400."""
    fake, _ = _fake()
    async with _pylon(fake) as pylon:
        task = await pylon.tasks.create(title="Quiet")
        with pytest.raises(BadRequestError, match="body_html is required"):
            await pylon.tasks.create_comment(task.id, body={"is_internal": True})
        comment = await pylon.tasks.create_comment(task.id, body_html="<p>Hi</p>")
        with pytest.raises(BadRequestError, match="body_html is required"):
            await pylon.tasks.update_comment(task.id, comment.id, body={})
    assert [c["id"] for c in fake.state.task_comments.values()] == [comment.id]


async def test_deleting_a_task_drops_its_comments() -> None:
    """A deleted task's comments are gone from the store; other tasks keep theirs."""
    fake, _ = _fake()
    async with _pylon(fake) as pylon:
        doomed = await pylon.tasks.create(title="Doomed")
        kept = await pylon.tasks.create(title="Kept")
        await pylon.tasks.create_comment(doomed.id, body_html="<p>a</p>")
        survivor = await pylon.tasks.create_comment(kept.id, body_html="<p>b</p>")
        await pylon.tasks.delete(doomed.id)
    assert list(fake.state.task_comments) == [survivor.id]


async def test_an_external_issue_link_shows_on_the_task_once_and_unlinks() -> None:
    """Linking shows the link on the task; linking again changes nothing; unlinking removes it."""
    fake, clock = _fake()
    async with _pylon(fake) as pylon:
        task = await pylon.tasks.create(title="Bug fix")
        clock.advance(60)
        linked = await pylon.tasks.link_external_issue(
            task.id, external_issue_id="ENG-7", source="linear"
        )
        clock.advance(60)
        again = await pylon.tasks.link_external_issue(
            task.id, external_issue_id="ENG-7", source="linear", operation="link"
        )
        read = await pylon.tasks.get(task.id)
        other = await pylon.tasks.link_external_issue(
            task.id, external_issue_id="ENG-7", source="jira"
        )
        unlinked = await pylon.tasks.link_external_issue(
            task.id, external_issue_id="ENG-7", source="linear", operation="unlink"
        )
    assert isinstance(linked.external_issues, list)
    [link] = linked.external_issues
    assert (link.external_id, link.source) == ("ENG-7", "linear")
    assert link.link == "https://linear.example.com/issues/ENG-7"
    assert again == linked
    assert read == linked
    assert isinstance(other.external_issues, list)
    assert [e.source for e in other.external_issues] == ["linear", "jira"]
    assert isinstance(unlinked.external_issues, list)
    assert [e.source for e in unlinked.external_issues] == ["jira"]
    assert linked.updated_at != task.updated_at


async def test_an_issue_link_shows_on_the_task_once_and_unlinks() -> None:
    """A linked issue shows as ``{id, number, title}``, once however often linked, till unlinked."""
    fake, _ = _fake()
    async with _pylon(fake) as pylon:
        issue = await pylon.issues.create(title="Login fails", body_html="<p>500</p>")
        task = await pylon.tasks.create(title="Investigate")
        linked = await pylon.tasks.link_issue(task.id, issue_id=issue.id)
        again = await pylon.tasks.link_issue(task.id, issue_id=issue.id, operation="link")
        unlinked = await pylon.tasks.link_issue(task.id, issue_id=issue.id, operation="unlink")
        gone = await pylon.tasks.link_issue(task.id, issue_id=issue.id, operation="unlink")
    assert isinstance(linked.linked_issues, list)
    [mini] = linked.linked_issues
    assert (mini.id, mini.number, mini.title) == (issue.id, issue.number, "Login fails")
    assert again == linked
    assert unlinked.linked_issues == []
    assert gone == unlinked


async def test_an_issue_deleted_after_linking_can_still_be_unlinked() -> None:
    """Unlinking an issue that no longer exists removes the link rather than answering 404."""
    fake, _ = _fake()
    async with _pylon(fake) as pylon:
        issue = await pylon.issues.create(title="Old", body_html="<p>old</p>")
        task = await pylon.tasks.create(title="Tidy")
        await pylon.tasks.link_issue(task.id, issue_id=issue.id)
        await pylon.issues.delete(issue.id)
        unlinked = await pylon.tasks.link_issue(task.id, issue_id=issue.id, operation="unlink")
    assert unlinked.linked_issues == []


@pytest.mark.parametrize(
    ("route", "body"),
    [
        pytest.param(
            "link_external_issue",
            {"external_issue_id": "ENG-7", "source": "linear", "operation": "attach"},
            id="external-issue",
        ),
        pytest.param("link_issue", {"issue_id": "@issue", "operation": "attach"}, id="issue"),
    ],
)
async def test_an_operation_other_than_link_or_unlink_is_a_400(
    route: str, body: dict[str, str]
) -> None:
    """``operation`` must be ``link`` or ``unlink``; anything else is 400 and changes nothing."""
    fake, _ = _fake()
    async with _pylon(fake) as pylon:
        issue = await pylon.issues.create(title="Any", body_html="<p>any</p>")
        task = await pylon.tasks.create(title="Strict")
        sent = {k: issue.id if v == "@issue" else v for k, v in body.items()}
        with pytest.raises(BadRequestError, match="operation must be one of link, unlink"):
            await getattr(pylon.tasks, route)(task.id, body=sent)
    assert fake.tasks[task.id]["external_issues"] == []
    assert fake.tasks[task.id]["linked_issues"] == []


async def test_task_statuses_list_the_built_ins_then_custom_ones() -> None:
    """The built-in statuses come first as defaults, then those added; a task's slug adds none."""
    fake, _ = _fake()
    fake.state.task_statuses["blocked"] = {
        "slug": "blocked",
        "label": "Blocked",
        "category": "in_progress",
        "is_default_status": False,
        "is_archived": True,
    }
    async with _pylon(fake) as pylon:
        await pylon.tasks.create(title="Waiting", status="waiting_on_qa")
        statuses = await pylon.task_statuses.list().collect()
    assert [(s.slug, s.is_default_status) for s in statuses] == [
        ("not_started", True),
        ("in_progress", True),
        ("completed", True),
        ("blocked", False),
    ]
    assert [s.category for s in statuses[:3]] == ["not_started", "in_progress", "completed"]
    assert statuses[3].is_archived is True
