"""Section 9: the sync client's per-call cost against the async client, on ``tasks.get``.

``Pylon`` runs each call of its ``AsyncPylon`` on an asyncio loop that the calling thread
drives for the call (see ``pylon_client/_sync/portal.py``); the figure is what that adds: starting
and stopping the loop around each call, one more coroutine frame. Both clients send through
``httpx.MockTransport`` answering the same canned task (:mod:`benchmarks._bodies`), unpaced, so
the difference is the sync layer alone, at its harshest: no network time to hide it.

Method: the async client's calls run in blocks inside one ``asyncio`` loop on the main thread;
the sync client's in blocks from the main thread, no loop running. Rounds alternate the two;
the garbage collector is run before each block and disabled during it. The figure is the
median over rounds of sync time per call over async time per call in the same round, the
spread the lowest and highest of those ratios. Target: at most 1.3x.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from collections.abc import Callable

import anyio.from_thread

from pylon_client import AsyncPylon, Pylon

from ._table import Row, fmt_ratio, fmt_us, verdict
from .calls import BASE_URL, TASK_ID, TOKEN, _transport  # section 1's canned answers

__all__ = ["run"]

TARGET = 1.30
CALLS = 2000
ROUNDS = 15
WARMUP = 100


async def _async_block(pylon: AsyncPylon, n: int) -> float:
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        for _ in range(n):
            await pylon.tasks.get(TASK_ID)
        return (time.perf_counter() - started) / n
    finally:
        gc.enable()


def _sync_block(call: Callable[[], object], n: int) -> float:
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        for _ in range(n):
            call()
        return (time.perf_counter() - started) / n
    finally:
        gc.enable()


def _ratios(
    loop: asyncio.AbstractEventLoop, apylon: AsyncPylon, call: Callable[[], object]
) -> tuple[list[float], list[float], list[float]]:
    loop.run_until_complete(_async_block(apylon, WARMUP))
    _sync_block(call, WARMUP)
    ratios, async_times, sync_times = [], [], []
    for r in range(ROUNDS):
        if r % 2:
            s = _sync_block(call, CALLS)
            a = loop.run_until_complete(_async_block(apylon, CALLS))
        else:
            a = loop.run_until_complete(_async_block(apylon, CALLS))
            s = _sync_block(call, CALLS)
        async_times.append(a)
        sync_times.append(s)
        ratios.append(s / a)
    return ratios, async_times, sync_times


def _row(
    name: str, label: str, found: tuple[list[float], list[float], list[float]], target: bool
) -> Row:
    ratios, async_times, sync_times = found
    ratio = statistics.median(ratios)
    detail = (
        f"{label} {fmt_us(statistics.median(sync_times))}, "
        f"AsyncPylon {fmt_us(statistics.median(async_times))} per call; "
        f"rounds {min(ratios):.2f}-{max(ratios):.2f}x"
    )
    return Row(
        "9 sync",
        name,
        fmt_ratio(ratio),
        f"<= {TARGET:.2f}x" if target else "(for comparison)",
        verdict(ratio <= TARGET) if target else "",
        detail,
    )


def run() -> list[Row]:
    """Measure ``tasks.get`` through ``Pylon``, and through anyio's blocking portal."""
    loop = asyncio.new_event_loop()
    apylon = AsyncPylon(TOKEN, base_url=BASE_URL, transport=_transport(), rate_limit=False)
    rows = []
    try:
        with Pylon(TOKEN, base_url=BASE_URL, transport=_transport(), rate_limit=False) as spylon:
            found = _ratios(loop, apylon, lambda: spylon.tasks.get(TASK_ID))
        rows.append(_row("tasks.get: Pylon / AsyncPylon", "Pylon", found, target=True))
        with anyio.from_thread.start_blocking_portal() as portal:
            other = portal.call(_make_client)
            try:
                found = _ratios(loop, apylon, lambda: portal.call(other.tasks.get, TASK_ID))
            finally:
                portal.call(other.aclose)
        rows.append(
            _row("tasks.get: anyio portal / AsyncPylon", "BlockingPortal", found, target=False)
        )
    finally:
        loop.run_until_complete(apylon.aclose())
        loop.close()
    return rows


async def _make_client() -> AsyncPylon:
    return AsyncPylon(TOKEN, base_url=BASE_URL, transport=_transport(), rate_limit=False)
