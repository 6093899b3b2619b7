"""Running a bulk operation batch by batch: ``accounts.update_many`` and ``accounts.merge``.

The pure parts (id checks, chunking, narrowing rules, :class:`BulkResult`) live in
``_bulk.batching``; this module sends the batches. Each batch is one request, retried by the
client's retry policy (a PATCH or a merge is only sent again when it provably did not take
effect). A batch that still fails is recorded, id by id, in the result; it never stops the
other batches and is never silent: ``result.failed`` names each id and
``result.raise_for_failures()`` raises one error naming them all.

Narrowing
    With ``narrow=True`` (``update_many``), a batch refused with 400, 404 or 422 is split in
    two and each half sent again, recursively, until the ids Pylon refuses are each refused in
    a request of their own (``result.refused``) and the others have succeeded; see
    ``_bulk.batching`` for which errors are narrowed and when narrowing stops early. The requests
    that narrow a batch go through the same ``send`` as the batch (so the client's rate limiter
    paces them and they count against the budget) and are sent one after another, inside the
    batch's own place among the ``concurrency`` in flight: narrowing never adds a task and
    never puts more than ``concurrency`` requests in flight. Merges are never narrowed (a
    failed merge batch may have been partly applied).

Progress
    ``on_progress(done, total)`` is called each time ids are settled (succeeded or failed for
    good): after a batch's request, or after a narrowing request that settles some. ``done``
    counts the ids settled so far, so it only grows, and it ends at ``total``.

Cancellation
    Only a :class:`PylonError` fails a batch (or a half). A cancellation, or any other
    exception, propagates at once, out of narrowing as out of a batch, and cancels the batches
    in flight; the result is then not returned. The ids settled before that were sent;
    the rest may or may not have been.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from .._client.fanout import check_concurrency, run_all
from .._exceptions import PylonAPIError, PylonError
from .batching import BulkResult, can_narrow, halves, same_refusal

__all__ = ["ProgressCallback", "run_batches"]

ProgressCallback = Callable[[int, int], object]
"""Called as ``on_progress(done, total)`` whenever ids are settled; ``done`` counts them."""

Send = Callable[[list[str]], Awaitable[str | None]]
"""Sends one request for the ids given; returns its request id or raises a PylonError."""


async def run_batches(
    batches: Sequence[list[str]],
    send: Send,
    *,
    total: int,
    concurrency: int,
    on_progress: ProgressCallback | None = None,
    narrow: bool = False,
) -> BulkResult:
    """Send every batch with at most ``concurrency`` in flight; return what happened to each id.

    ``send(ids)`` returns the request's id, or raises a :class:`PylonError`, which fails that
    request's ids only. With ``narrow``, a batch refused with an error :func:`can_narrow`
    accepts is narrowed as the module docstring says; default False. Anything but a
    :class:`PylonError` (a bug, a cancellation) propagates as it is.
    """
    check_concurrency(concurrency)
    runner = _Runner(send, BulkResult(total=total), on_progress, narrow=narrow)
    if concurrency == 1:
        # One after another, in batch order (merges rely on it): no tasks, no scheduler's say.
        for index, batch in enumerate(batches):
            await runner.run_batch(index, batch)
        return runner.result
    await run_all(
        [functools.partial(runner.run_batch, index, batch) for index, batch in enumerate(batches)],
        limit=concurrency,
    )
    return runner.result


class _Runner:
    """Sends batches (and, when narrowing, their halves) and records the outcome of each id."""

    __slots__ = ("_done", "_narrow", "_on_progress", "_send", "result")

    def __init__(
        self,
        send: Send,
        result: BulkResult,
        on_progress: ProgressCallback | None,
        *,
        narrow: bool,
    ) -> None:
        self._send = send
        self.result = result
        self._on_progress = on_progress
        self._narrow = narrow
        self._done = 0

    async def run_batch(self, index: int, batch: list[str]) -> None:
        """Send batch ``index``; narrow it if it is refused and narrowing is on."""
        try:
            request_id = await self._send(batch)
        except PylonError as exc:
            if self._narrow and can_narrow(exc):
                await self._refused(index, batch, exc)
            else:
                self.result.record_failure(batch, exc, batch=index)
                self._settled(len(batch))
        else:
            self.result.record_success(batch, request_id, batch=index)
            self._settled(len(batch))

    async def _refused(self, index: int, batch: list[str], error: PylonAPIError) -> None:
        """Record batch ``index``, refused with ``error``: its one id, or narrow it down."""
        if len(batch) == 1:
            self.result.record_refusal(batch[0], error, batch=index)
            self._settled(1)
            return
        self.result.record_narrowing(error, batch=index)
        await self._narrow_down(index, batch, error)

    async def _narrow_down(self, index: int, ids: list[str], error: PylonAPIError) -> None:
        """Settle ``ids``, refused together with ``error``, by sending each half again.

        Depth-first and one request at a time. The recursion is at most
        ``ceil(log2(len(ids)))`` deep (7 for a batch of 100), so it needs no explicit stack.
        """
        refusals: list[tuple[list[str], PylonAPIError]] = []
        for half in halves(ids):
            refusal = await self._try(index, half)
            if refusal is not None:
                refusals.append((half, refusal))
        # Both halves refused just as the whole was: the refusal does not depend on the ids.
        stop = len(refusals) == 2 and same_refusal(error, *(e for _, e in refusals))
        for half, refusal in refusals:
            if len(half) == 1:
                self.result.record_refusal(half[0], refusal, batch=index)
                self._settled(1)
            elif stop:
                self.result.record_failure(half, refusal, batch=index)
                self._settled(len(half))
            else:
                await self._narrow_down(index, half, refusal)

    async def _try(self, index: int, ids: list[str]) -> PylonAPIError | None:
        """Send ``ids``; record them unless the request is refused in a way worth narrowing.

        Returns the refusal, with ``ids`` still unrecorded, or None once they are recorded.
        """
        try:
            request_id = await self._send(ids)
        except PylonError as exc:
            if can_narrow(exc):
                return exc
            self.result.record_failure(ids, exc, batch=index)
        else:
            self.result.record_success(ids, request_id, batch=index)
        self._settled(len(ids))
        return None

    def _settled(self, count: int) -> None:
        self._done += count
        if self._on_progress is not None:
            self._on_progress(self._done, self.result.total)


def check_success(response: Any, request_id: str | None) -> None:
    """Fail a batch whose ``{success, request_id}`` answer says ``success: false``."""
    if getattr(response, "success", True) is False:
        raise PylonAPIError(
            "PATCH /accounts answered success: false",
            status_code=200,
            request_id=request_id,
        )
