"""Tests of the shared doubles in ``harness``: the recording handler and the fake clock."""

from __future__ import annotations

import anyio
import httpx
import pytest
from harness import Api, FakeClock, body_of, connect, task_body

pytestmark = pytest.mark.anyio


async def test_api_plays_its_script_and_repeats_the_last_reply() -> None:
    """Scripted replies go out in order, the last repeats, and every request is recorded."""
    api = Api({"data": {"id": "t1"}}, httpx.Response(404, json={"errors": ["gone"]}))
    async with httpx.AsyncClient(transport=api.transport) as client:
        statuses = [
            (await client.post("https://h.test/x", json={"n": n})).status_code for n in range(3)
        ]
    assert statuses == [200, 404, 404]
    assert [body_of(r) for r in api.requests] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert api.last is api.requests[-1]


async def test_api_raises_a_scripted_transport_error() -> None:
    """An httpx error class in the script is raised for that request."""
    api = Api(httpx.ConnectError)
    async with httpx.AsyncClient(transport=api.transport) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get("https://h.test/x")


async def test_connect_builds_an_unpaced_client_on_a_handler_function() -> None:
    """``connect`` sends through the recording handler; a handler function answers."""
    api = Api(handler=lambda r: httpx.Response(200, json={"data": task_body(r.url.path[-2:])}))
    async with connect(api) as pylon:
        assert pylon.rate_limiter is None
        assert (await pylon.tasks.get("t7")).id == "t7"
    assert api.last.url.path == "/tasks/t7"


async def test_concurrent_sleeps_overlap() -> None:
    """Sleepers of 5 s and 10 s started together wake at +5 and +10, not one after the other."""
    clock = FakeClock(100.0)
    woke: dict[float, float] = {}

    async def nap(delay: float) -> None:
        await clock.sleep(delay)
        woke[delay] = clock()

    async with anyio.create_task_group() as tg:
        for delay in (10.0, 5.0, 7.5):
            tg.start_soon(nap, delay)
    assert woke == {5.0: 105.0, 7.5: 107.5, 10.0: 110.0}
    assert sorted(clock.sleeps) == [5.0, 7.5, 10.0]


async def test_sequential_sleeps_add_up() -> None:
    """One task sleeping twice wakes at the sum of its sleeps."""
    clock = FakeClock()
    await clock.sleep(2.0)
    await clock.sleep(3.0)
    assert clock() == 5.0


async def test_a_cancelled_sleeper_does_not_hold_time_back() -> None:
    """A sleeper cancelled early leaves, and the next sleeper still wakes at its own deadline."""
    clock = FakeClock()
    woke: list[float] = []

    async def nap(delay: float) -> None:
        await clock.sleep(delay)
        woke.append(clock())

    async with anyio.create_task_group() as tg:
        with anyio.CancelScope() as scope:
            scope.cancel()
            await clock.sleep(1.0)
        tg.start_soon(nap, 4.0)
    assert woke == [4.0]
    assert clock() == 4.0
