"""The real client against the fake Pylon over a real loopback socket (uvicorn, random port)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from harness import no_sleep

from pylon_client import AsyncPylon, F, NotFoundError, RetryPolicy
from pylon_client.testing import DEMO_START, FakePylon, Faults, add_issues

pytestmark = pytest.mark.anyio


async def test_project_and_task_lifecycle(
    pylon_over_socket: AsyncPylon, fake_pylon: FakePylon
) -> None:
    """The README's first example runs end to end over a socket."""
    pylon = pylon_over_socket
    account_id = next(iter(fake_pylon.accounts))
    project = await pylon.projects.create(account_id=account_id, name="Onboarding")
    task = await pylon.tasks.create(
        title="Kickoff call", account_id=account_id, project_id=project.id
    )
    task = await pylon.tasks.update(task.id, status="in_progress")
    assert (await pylon.tasks.get(task.id)).status == "in_progress"
    assert pylon.last_request_id
    await pylon.tasks.delete(task.id)
    with pytest.raises(NotFoundError) as info:
        await pylon.tasks.get(task.id)
    assert info.value.code == "not_found"
    assert task.id not in fake_pylon.tasks


async def test_issue_export_exactly_once_over_a_socket(
    pylon_over_socket: AsyncPylon, fake_pylon: FakePylon
) -> None:
    """2,000 issues over 200 days, some exactly on each 30-day boundary, come back once each."""
    fake_pylon.state.issues.clear()
    added = add_issues(fake_pylon, 2000, DEMO_START, DEMO_START + timedelta(days=200))
    export = pylon_over_socket.issues.list(
        start_time=DEMO_START, end_time=DEMO_START + timedelta(days=200), limit=150
    )
    ids = [issue.id async for issue in export]
    assert Counter(ids) == Counter(i["id"] for i in added)
    assert export.progress == 1.0


async def test_bulk_update_and_merge_over_a_socket(
    pylon_over_socket: AsyncPylon, fake_pylon: FakePylon
) -> None:
    """Tags land on every account in the fake; merged accounts are gone."""
    ids = sorted(fake_pylon.accounts)
    result = await pylon_over_socket.accounts.update_many(
        ids[:15], tags=["vip"], tags_apply_mode="append_only", batch_size=4
    )
    assert result.ok
    assert len(result.request_ids) == 4
    assert all("vip" in fake_pylon.accounts[i]["tags"] for i in ids[:15])
    merge = await pylon_over_socket.accounts.merge(
        merge_into_account_id=ids[0], merge_account_ids=ids[1:4]
    )
    assert merge.ok
    assert set(ids[1:4]).isdisjoint(fake_pylon.accounts)


async def test_reads_survive_injected_server_errors(
    fake_pylon: FakePylon, fake_pylon_url: str, anyio_backend: str
) -> None:
    """With 30% 500/503 on reads, every page of a listing still arrives, thanks to retries."""
    fake_pylon.faults = Faults(error_rates={500: 0.15, 503: 0.15}, methods={"GET"}, seed=3)
    async with AsyncPylon(
        "test-token",
        base_url=fake_pylon_url,
        retry=RetryPolicy(max_retries=8),
        sleep=no_sleep,
    ) as pylon:
        accounts = await pylon.accounts.list(limit=3).collect()
    assert sorted(a.id for a in accounts) == sorted(fake_pylon.accounts)
    statuses = Counter(r.status for r in fake_pylon.requests)
    assert statuses[500] + statuses[503] > 0
    assert statuses[200] == len(fake_pylon.accounts) // 3 + 1


async def test_search_filters_over_a_socket(
    pylon_over_socket: AsyncPylon, fake_pylon: FakePylon
) -> None:
    """A builder filter and a dict filter select the same tasks the fake holds."""
    statuses = Counter(t["status"] for t in fake_pylon.tasks.values())
    built = await pylon_over_socket.tasks.search(filter=F("status").equals("completed")).collect()
    raw = await pylon_over_socket.tasks.search(
        filter={"field": "status", "operator": "in", "values": ["completed"]}
    ).collect()
    assert len(built) == len(raw) == statuses["completed"]
