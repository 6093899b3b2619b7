"""Tests of ``pylon_client.testing.FakeClock``: virtual time whose concurrent sleeps overlap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import anyio
import anyio.abc
import pytest

from pylon_client.testing import FakeClock

pytestmark = pytest.mark.anyio

START = datetime(2026, 3, 1, tzinfo=UTC)


async def test_concurrent_sleeps_of_5_and_10_seconds_wake_at_5_and_10() -> None:
    """Sleeps of 5 s and 10 s started together wake at +5 and +10 of virtual time, not +15."""
    clock = FakeClock(START)
    woke: dict[float, tuple[float, datetime]] = {}

    async def nap(delay: float) -> None:
        await clock.sleep(delay)
        woke[delay] = (clock.monotonic(), clock.now())

    async with anyio.create_task_group() as tg:
        tg.start_soon(nap, 10.0)
        tg.start_soon(nap, 5.0)
    assert woke == {
        5.0: (5.0, START + timedelta(seconds=5)),
        10.0: (10.0, START + timedelta(seconds=10)),
    }


async def test_sequential_sleeps_add_up() -> None:
    """One task sleeping 2 s then 3 s wakes at +5; a negative sleep moves nothing."""
    clock = FakeClock()
    await clock.sleep(2.0)
    await clock.sleep(3.0)
    await clock.sleep(-1.0)
    assert clock.monotonic() == 5.0
    assert clock.now() == datetime(2026, 1, 1, 0, 0, 5, tzinfo=UTC)


async def test_advance_past_a_deadline_wakes_the_sleeper_without_moving_further() -> None:
    """A sleeper whose deadline ``advance`` passed wakes at the advanced time, not beyond it."""
    clock = FakeClock()
    woke: list[float] = []

    async def nap(*, task_status: anyio.abc.TaskStatus[None]) -> None:
        task_status.started()  # no checkpoint: nap's deadline is set before tg.start returns
        await clock.sleep(30.0)
        woke.append(clock.monotonic())

    async with anyio.create_task_group() as tg:
        await tg.start(nap)
        clock.advance(timedelta(minutes=1))
    assert woke == [60.0]


async def test_a_cancelled_sleeper_leaves_without_moving_time() -> None:
    """A sleep cancelled while it waits moves no time, and the next sleeper keeps its deadline."""
    clock = FakeClock()
    woke: list[float] = []

    async def nap(delay: float) -> None:
        await clock.sleep(delay)
        woke.append(clock.monotonic())

    async with anyio.create_task_group() as tg:
        with anyio.move_on_after(0):
            await clock.sleep(100.0)
        tg.start_soon(nap, 4.0)
    assert woke == [4.0]


def test_the_clock_never_goes_backwards() -> None:
    """``advance`` refuses a negative step."""
    with pytest.raises(ValueError, match="backwards"):
        FakeClock().advance(-1)
