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


def _sync_block(pylon: Pylon, n: int) -> float:
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        for _ in range(n):
            pylon.tasks.get(TASK_ID)
        return (time.perf_counter() - started) / n
    finally:
        gc.enable()


def run() -> list[Row]:
    """Measure ``tasks.get`` through ``Pylon`` against ``AsyncPylon``; one row."""
    loop = asyncio.new_event_loop()
    apylon = AsyncPylon(TOKEN, base_url=BASE_URL, transport=_transport(), rate_limit=False)
    with Pylon(TOKEN, base_url=BASE_URL, transport=_transport(), rate_limit=False) as spylon:
        try:
            loop.run_until_complete(_async_block(apylon, WARMUP))
            _sync_block(spylon, WARMUP)
            ratios, async_times, sync_times = [], [], []
            for r in range(ROUNDS):
                if r % 2:
                    s = _sync_block(spylon, CALLS)
                    a = loop.run_until_complete(_async_block(apylon, CALLS))
                else:
                    a = loop.run_until_complete(_async_block(apylon, CALLS))
                    s = _sync_block(spylon, CALLS)
                async_times.append(a)
                sync_times.append(s)
                ratios.append(s / a)
        finally:
            loop.run_until_complete(apylon.aclose())
            loop.close()
    ratio = statistics.median(ratios)
    detail = (
        f"Pylon {fmt_us(statistics.median(sync_times))}, "
        f"AsyncPylon {fmt_us(statistics.median(async_times))} per call; "
        f"rounds {min(ratios):.2f}-{max(ratios):.2f}x"
    )
    return [
        Row(
            "9 sync",
            "tasks.get: Pylon / AsyncPylon",
            fmt_ratio(ratio),
            f"<= {TARGET:.2f}x",
            verdict(ratio <= TARGET),
            detail,
        )
    ]
