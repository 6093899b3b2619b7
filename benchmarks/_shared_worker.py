"""One worker process of the shared-limit benchmark (``benchmarks/shared.py``).

``python -m benchmarks._shared_worker URL TOKEN CALLS LIMIT SCALE [REDIS_URL PREFIX]`` opens an
``AsyncPylon`` on the fake at ``URL``, pacing ``GET /tasks/{id}`` at ``LIMIT`` per ``60 / SCALE``
seconds: with a ``RedisRateLimiter`` when a Redis URL is given (no key: the organization is
learnt from ``GET /me``), else with the in-memory default. It prints ``ready``, waits for a line
on standard input (so all workers start together), makes ``CALLS`` calls from four tasks, and
prints one JSON line: when each attempt was sent and each call ended (``time.monotonic``, the
same clock in every process of the host), how many calls failed, and how many ended while the
limiter paced locally because Redis was away.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from typing import Any

import anyio
import httpx

from pylon_client import AsyncPylon, PylonError, RedisRateLimiter

__all__ = ["ENDPOINT", "TASK_ID"]

ENDPOINT = "GET /tasks/{id}"
TASK_ID = "task_bench"
CONCURRENCY = 4


async def _work(argv: list[str]) -> dict[str, Any]:
    url, token, calls, limit, scale = argv[0], argv[1], int(argv[2]), int(argv[3]), float(argv[4])
    sent: list[float] = []
    ended: list[float] = []
    failed = local = 0

    async def on_request(request: httpx.Request) -> None:
        if request.url.path.startswith("/tasks/"):
            sent.append(time.monotonic())

    overrides = {ENDPOINT: limit}
    shared = None
    if len(argv) > 5:
        shared = RedisRateLimiter(
            argv[5],
            scale=scale,
            overrides=overrides,
            prefix=argv[6],
            timeout=0.25,
            on_backend_error="local",
        )
    left = list(range(calls))
    async with (
        httpx.AsyncClient(event_hooks={"request": [on_request]}) as http,
        AsyncPylon(
            token,
            base_url=url,
            http_client=http,
            rate_limit=shared if shared is not None else True,
            rate_limit_scale=scale,
            rate_limit_overrides=overrides,
            max_retries=20,
        ) as pylon,
    ):

        async def one() -> None:
            nonlocal failed, local
            while left:
                left.pop()
                try:
                    await pylon.tasks.get(TASK_ID)
                except PylonError:
                    failed += 1
                ended.append(time.monotonic())
                local += shared is not None and shared.is_local

        async with anyio.create_task_group() as group:
            for _ in range(CONCURRENCY):
                group.start_soon(one)
    if shared is not None:
        await shared.aclose()
    return {"sent": sent, "ended": ended, "failed": failed, "local": local}


def main() -> None:
    """Wait for the go, run the calls, print the figures as one JSON line."""
    # The fallback's warning says what the table shows; stderr stays readable.
    warnings.simplefilter("ignore", RuntimeWarning)
    print("ready", flush=True)
    sys.stdin.readline()
    print(json.dumps(anyio.run(_work, sys.argv[1:])), flush=True)


if __name__ == "__main__":
    main()
