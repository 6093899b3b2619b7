"""The bodies ``make bench`` sends are bodies the client accepts, so the benchmarks run.

The benchmarks have no other test, and a body that lacks a field Pylon always sends makes
``make bench`` stop at its first section (``KeyError`` in ``from_dict``).
"""

from __future__ import annotations

import pytest

from benchmarks import calls, ratelimit, shared
from benchmarks._bodies import PAGE_SIZE, task
from benchmarks.memory import _issue
from pylon_client import AsyncPylon
from pylon_client._generated.models import Issue, Task
from pylon_client.testing import FakePylon


@pytest.mark.parametrize("extra_keys", [False, True], ids=["documented", "grown"])
def test_the_canned_tasks_parse(extra_keys: bool) -> None:
    """Every task of the canned page is a ``Task``."""
    assert [Task.from_dict(task(n, extra_keys=extra_keys)).title for n in range(3)]


def test_the_streamed_issues_parse() -> None:
    """The issue the export and memory sections stream is an ``Issue``."""
    assert Issue.from_dict(_issue(7)).number == 7


@pytest.mark.anyio
async def test_the_calls_section_answers_a_get_and_a_page() -> None:
    """Section 1's canned transport answers ``tasks.get`` and a full ``tasks.list`` page."""
    async with AsyncPylon(
        calls.TOKEN, base_url=calls.BASE_URL, transport=calls._transport(), rate_limit=False
    ) as pylon:
        found = await pylon.tasks.get(calls.TASK_ID)
        page = await pylon.tasks.list().pages().__anext__()
    assert found.id
    assert len(page.items) == PAGE_SIZE


def test_the_tasks_seeded_in_the_fake_parse() -> None:
    """The task the rate-limit and shared-budget sections read from the fake is a ``Task``."""
    for seed in (ratelimit._seed, shared.seed_task):
        fake = FakePylon(seed=1)
        seed(fake)
        for found in fake.tasks.values():
            assert Task.from_dict(found).title == "Benchmark task"
