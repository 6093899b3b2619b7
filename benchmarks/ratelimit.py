"""Section 5: pacing 600 calls against an endpoint limited to 50 a second.

The fake Pylon (over loopback, ``serve_in_thread``) enforces its rate limits, scaled; the
client paces with the same table and the same scale. ``GET /tasks/{id}`` is limited to 300 a
minute; two scalings turn that into 50 a second:

* ``rate_limit_scale=10``: 300 per 6 s window, as the brief's configuration; the first 300
  calls may go at once, the next 300 only once the window has moved;
* 5 per 100 ms (the limit overridden to 5 on both sides, ``rate_limit_scale=600``): the same
  rate in a window 60 times shorter, where any disagreement between the two clocks shows.

Eight workers share the 600 calls. The achieved rate is the sustained one: the calls after
the first window's allowance ``N`` (which the limit lets through at once), over the time from
the ``N``-th completed call to the last, ``(600 - N) / (t_600 - t_N)``. The 429 share is
counted from the fake's request log: 429s over all ``GET /tasks/{id}`` requests it received
(the client retries each 429, so every call still succeeds).
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import anyio

from pylon_client import AsyncPylon
from pylon_client.testing import FakePylon, serve_in_thread
from pylon_client.testing._objects import new_task

from ._table import Row, verdict

SEEDED_AT = "2026-01-01T00:00:00Z"

__all__ = ["run"]

CALLS = 600
WORKERS = 8
RATE = 50.0  # a second
TOKEN = "test-token"  # noqa: S105 (the fake's well-known token)
ENDPOINT = "GET /tasks/{id}"
# name -> (per-window limit override or None for the published 300, scale)
CONFIGS: Mapping[str, tuple[int | None, float]] = {
    "300 per 6 s (scale 10)": (None, 10.0),
    "5 per 100 ms (scale 600)": (5, 600.0),
}


async def _calls(url: str, task_id: str, limit: int | None, scale: float) -> list[float]:
    """Make the calls; return when each completed, in seconds from the first start."""
    overrides = {ENDPOINT: limit} if limit is not None else None
    done: list[float] = []
    left = list(range(CALLS))
    async with AsyncPylon(
        TOKEN, base_url=url, rate_limit_scale=scale, rate_limit_overrides=overrides
    ) as pylon:
        started = time.perf_counter()

        async def worker() -> None:
            while left:
                left.pop()
                await pylon.tasks.get(task_id)
                done.append(time.perf_counter() - started)

        async with anyio.create_task_group() as group:
            for _ in range(WORKERS):
                group.start_soon(worker)
    return sorted(done)


def _one(name: str, limit: int | None, scale: float) -> Row:
    fake = FakePylon(
        seed=1,
        rate_limits={ENDPOINT: limit} if limit is not None else True,
        rate_limit_scale=scale,
    )
    with serve_in_thread(fake) as url:
        task_id = _seed(fake)
        fake.reset_log()
        done = anyio.run(_calls, url, task_id, limit, scale)
    allowance = limit if limit is not None else 300
    sustained = (CALLS - allowance) / (done[-1] - done[allowance - 1])
    statuses = [r.status for r in fake.requests if r.method == "GET"]
    limited = sum(1 for s in statuses if s == 429)
    share = limited / len(statuses)
    ok = sustained >= 0.9 * RATE and share <= 0.01
    return Row(
        "5 rate limit",
        f"{CALLS} x tasks.get at {RATE:.0f}/s, {name}",
        f"{sustained:.1f}/s",
        f">= {0.9 * RATE:.0f}/s, 429s <= 1%",
        verdict(ok),
        f"{sustained / RATE:.0%} of the limit; 429s {limited}/{len(statuses)} "
        f"({share:.1%}); {done[-1]:.2f} s in all",
    )


def _seed(fake: FakePylon) -> str:
    """Put one task in the fake's store and return its id."""
    fake.tasks["task_bench"] = new_task("task_bench", title="Benchmark task", now=SEEDED_AT)
    return "task_bench"


def run() -> list[Row]:
    """Run section 5 and return its rows."""
    return [_one(name, limit, scale) for name, (limit, scale) in CONFIGS.items()]
