"""Change feeds against the fake Pylon: the requests they send, and a mirror kept exact by them.

The chaos test is the one the feature is for: 5,000 issues, a fifth of them updated while the
first sync runs, faults on every request; after two syncs a mirror built from what the feeds
yielded equals the fake's final state, and no version was yielded twice.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from harness import no_sleep

from pylon_client import AsyncPylon, ChangeCheckpoint, RetryPolicy
from pylon_client.testing import (
    DEMO_START,
    FakePylon,
    Faults,
    UpdatesDuringSync,
    add_issues,
    seed_demo,
    touch_issues,
)

pytestmark = pytest.mark.anyio

TOKEN = "test-token"


def client(app: Any, **kwargs: Any) -> AsyncPylon:
    """A client on ``app`` in process, without pacing."""
    return AsyncPylon(
        TOKEN,
        base_url="https://pylon.test",
        transport=httpx.ASGITransport(app=app),
        rate_limit=False,
        **kwargs,
    )


async def test_issue_changes_search_on_updated_at_and_yield_what_changed() -> None:
    """issues.changes sends time_range filters on updated_at and yields the touched issues."""
    fake = FakePylon(token=TOKEN, seed=3)
    added = add_issues(fake, 300, DEMO_START, DEMO_START + timedelta(days=30), seed=3)
    since = datetime.now(UTC) - timedelta(minutes=1)
    touched = touch_issues(fake, [i["id"] for i in added[::10]], fields={"state": "closed"})
    async with client(fake) as pylon:
        got = await pylon.issues.changes(since=since).collect()
    assert sorted(i.id for i in got) == sorted(i["id"] for i in touched)
    assert {i.state for i in got} == {"closed"}
    searches = [r for r in fake.requests if r.path == "/issues/search"]
    assert searches
    for request in searches:
        flt = request.json["filter"]
        assert (flt["field"], flt["operator"], len(flt["values"])) == (
            "updated_at",
            "time_range",
            2,
        )


async def test_a_same_second_burst_comes_once_per_issue() -> None:
    """A bulk change that stamps 1,200 issues with one second comes back whole, once each."""
    fake = FakePylon(token=TOKEN, seed=4)
    added = add_issues(fake, 1200, DEMO_START, DEMO_START + timedelta(days=5), seed=4)
    touch_issues(fake, [i["id"] for i in added], at="2026-06-01T12:00:00Z")
    async with client(fake) as pylon:
        feed = pylon.issues.changes(
            since=datetime(2026, 6, 1, tzinfo=UTC),
            until=datetime(2026, 6, 2, tzinfo=UTC),
            limit=100,
        )
        ids = Counter([i.id async for i in feed])
    assert ids == Counter(i["id"] for i in added)


async def test_task_changes_follow_task_updates() -> None:
    """tasks.changes yields the tasks updated since a watermark, through POST /tasks/search."""
    fake = FakePylon(token=TOKEN, seed=5)
    seed_demo(fake, accounts=30, issues_days=1, issues_per_day=1)
    since = datetime.now(UTC) - timedelta(seconds=5)
    async with client(fake) as pylon:
        some = list(fake.tasks)[:3]
        for task_id in some:
            await pylon.tasks.update(task_id, status="completed")
        got = await pylon.tasks.changes(since=since).collect()
    assert sorted(t.id for t in got) == sorted(some)
    assert any(r.path == "/tasks/search" for r in fake.requests)


async def test_the_checkpoint_survives_a_json_file_between_runs(tmp_path: Any) -> None:
    """A watermark written as JSON and read back starts the next run where the last ended."""
    fake = FakePylon(token=TOKEN, seed=6)
    added = add_issues(fake, 50, DEMO_START, DEMO_START + timedelta(days=3), seed=6)
    state = tmp_path / "state.json"
    async with client(fake) as pylon:
        first = pylon.issues.changes(since=DEMO_START)
        assert len(await first.collect()) == 50
        state.write_text(json.dumps(first.checkpoint().to_dict()))
        touch_issues(fake, [added[0]["id"]])
        cp = ChangeCheckpoint.from_dict(json.loads(state.read_text()))
        second = await pylon.issues.changes(checkpoint=cp).collect()
    assert [i.id for i in second] == [added[0]["id"]]


def _update_a_fifth(total: int, per_change: int) -> Any:
    def change(fake: FakePylon, rng: random.Random) -> None:
        ids = rng.sample(sorted(fake.issues), per_change)
        touch_issues(fake, ids, fields={"title": f"edited {rng.randrange(10**6)}"})

    return change


async def test_a_mirror_is_exact_after_two_syncs_through_updates_and_faults() -> None:
    """5,000 issues, 20 % updated mid-sync, faults on: two syncs make the mirror exact."""
    fake = FakePylon(token=TOKEN, seed=7)
    add_issues(fake, 5000, DEMO_START, DEMO_START + timedelta(days=200), seed=7)
    app = UpdatesDuringSync(fake, _update_a_fifth(5000, 50), every=1, times=20, seed=7)
    fake.faults = Faults(
        error_rates={500: 0.05, 502: 0.03, 429: 0.03},
        drop_rate=0.02,
        truncate_rate=0.01,
        retry_after=0.01,
        methods={"POST"},
        seed=7,
    )
    mirror: dict[str, str] = {}
    yielded: Counter[tuple[str, str]] = Counter()
    async with client(app, retry=RetryPolicy(max_retries=10), sleep=no_sleep) as pylon:
        checkpoint = None
        for since in (DEMO_START, None):
            feed = pylon.issues.changes(since=since, checkpoint=checkpoint, limit=500)
            async for issue in feed:
                stamp = issue.updated_at.isoformat()
                yielded[(issue.id, stamp)] += 1
                if issue.id not in mirror or mirror[issue.id] < stamp:
                    mirror[issue.id] = stamp
            checkpoint = feed.checkpoint()
            assert checkpoint.complete
    assert app.changes == 20  # 1,000 updates landed during the first sync
    final = {i: datetime.fromisoformat(o["updated_at"]).isoformat() for i, o in fake.issues.items()}
    assert mirror == final
    assert max(yielded.values()) == 1
    assert any(r.fault for r in fake.requests)
