"""Running a bulk operation batch by batch: ``accounts.update_many`` and ``accounts.merge``.

The pure parts (id checks, chunking, :class:`BulkResult`) live in ``_batching``; this module
sends the batches. Each batch is one request, retried by the client's retry policy (a PATCH or
a merge is only sent again when it provably did not take effect). A batch that still fails is
recorded, id by id, in the result; it never stops the other batches and is never silent:
``result.failed`` names each id and ``result.raise_for_failures()`` raises one error naming
them all.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from ._batching import BulkResult
from ._errors import PylonAPIError, PylonError
from ._tasks import check_concurrency, run_all

__all__ = ["ProgressCallback", "run_batches"]

ProgressCallback = Callable[[int, int], object]
"""Called as ``on_progress(done, total)`` after each batch; ``done`` counts ids handled."""


async def run_batches(
    batches: Sequence[list[str]],
    send: Callable[[list[str]], Awaitable[str | None]],
    *,
    total: int,
    concurrency: int,
    on_progress: ProgressCallback | None = None,
) -> BulkResult:
    """Send every batch with at most ``concurrency`` in flight; return what happened to each id.

    ``send(batch)`` returns the batch's request id, or raises a :class:`PylonError`, which fails
    that batch only. Anything else (a bug, a cancellation) propagates as it is.
    """
    check_concurrency(concurrency)
    result = BulkResult(total=total)
    done = 0

    async def one(index: int, batch: list[str]) -> None:
        nonlocal done
        try:
            request_id = await send(batch)
        except PylonError as exc:
            result.record_failure(batch, exc, batch=index)
        else:
            result.record_success(batch, request_id, batch=index)
        done += len(batch)
        if on_progress is not None:
            on_progress(done, total)

    if concurrency == 1:
        # One after another, in batch order (merges rely on it): no tasks, no scheduler's say.
        for index, batch in enumerate(batches):
            await one(index, batch)
        return result
    await run_all(
        [functools.partial(one, index, batch) for index, batch in enumerate(batches)],
        limit=concurrency,
    )
    return result


def check_success(response: Any, request_id: str | None) -> None:
    """Fail a batch whose ``{success, request_id}`` answer says ``success: false``."""
    if getattr(response, "success", True) is False:
        raise PylonAPIError(
            "PATCH /accounts answered success: false",
            status_code=200,
            request_id=request_id,
        )
