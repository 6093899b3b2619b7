"""Structured fan-out that raises the first failure as itself, not in an exception group.

anyio task groups wrap every failure in an ``ExceptionGroup``; a caller of
``pylon.issues.list`` or ``accounts.update_many`` should get the client's own
``NotFoundError`` (or the ``KeyboardInterrupt``), exactly as from a single call.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import anyio

from .._exceptions import PylonInputError

__all__ = ["check_concurrency", "run_all"]


def check_concurrency(concurrency: object) -> None:
    """Refuse a ``concurrency`` that is not an int of at least 1 (bools included)."""
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise PylonInputError(f"concurrency must be an int >= 1, got {concurrency!r}")


async def run_all(
    jobs: Sequence[Callable[[], Awaitable[None]]], *, limit: int | None = None
) -> None:
    """Run ``jobs`` concurrently, at most ``limit`` at once (default: all).

    The first job to fail cancels the others, and its exception is raised unwrapped once they
    have stopped. Cancellation from outside propagates as usual.
    """
    if len(jobs) == 1:
        await jobs[0]()
        return
    limiter = anyio.CapacityLimiter(limit) if limit is not None else None
    failures: list[BaseException] = []
    cancelled = anyio.get_cancelled_exc_class()

    async def run(job: Callable[[], Awaitable[None]]) -> None:
        try:
            if limiter is None:
                await job()
            else:
                async with limiter:
                    await job()
        except cancelled:
            raise
        except BaseException as exc:  # raised below, once the group has stopped
            failures.append(exc)
            group.cancel_scope.cancel()

    async with anyio.create_task_group() as group:
        for job in jobs:
            group.start_soon(run, job)
    if failures:
        raise failures[0]
