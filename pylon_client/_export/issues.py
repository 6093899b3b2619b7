"""Exporting issues over any time range: ``pylon.issues.list(start_time=..., end_time=...)``.

``GET /issues`` only answers for a window of at most 30 days (a client setting: Pylon's newer
SDK says 365). :class:`IssueExport` cuts ``[start_time, end_time)`` with :func:`split_windows`,
fetches up to ``concurrency`` windows at once, follows each window's cursor, and yields issues.

Exactly once
    Every issue is yielded once even if the server treats both window edges as inclusive: an
    issue is kept only from the window ``[start, end)`` that contains its ``created_at`` (one
    created exactly on a boundary belongs to the window that starts there). No set of seen ids
    is kept, so memory does not grow with the range.

Order
    ``"newest"`` (default) yields newest first across the whole range, ``"oldest"`` oldest
    first, ``"any"`` as pages arrive. Pylon returns a window newest first; for ``"oldest"`` a
    window that needs more than one page is halved until each part fits one page, which is
    then reversed (this costs extra requests, never memory).

Concurrency without background tasks
    Pages are fetched in rounds, inside the call that needs the next item: a round fetches the
    next page of every active window (at most ``concurrency``) at once in an anyio task group,
    and holds at most one page per window. Between two items nothing runs, so leaving the loop
    early (``break``, a cancel scope, an exception) leaves no task running and, as each
    response is read and closed before a round ends, no connection open. Windows ahead of the
    one being handed out keep fetching while the page budget allows: at most
    ``2 * concurrency`` pages are held, whatever the range.

Resuming
    :meth:`IssueExport.checkpoint` describes exactly what has been yielded: finished intervals,
    and for each started window the cursor of the page being read and how many of its items
    were handed out. ``pylon.issues.list(checkpoint=cp)`` continues and yields the rest once.
    :meth:`IssueCheckpoint.to_dict` and :meth:`IssueCheckpoint.from_dict` make it JSON.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Literal

import attrs

from .._client.fanout import check_concurrency, run_all
from .._exceptions import PylonInputError, ResponseValidationError
from .._generated._resources import PageLike
from .windows import (
    DEFAULT_MAX_WINDOW,
    Window,
    belongs_to,
    format_rfc3339,
    halve,
    merge_windows,
    split_windows,
    subtract_windows,
    to_utc,
)

__all__ = ["IssueCheckpoint", "IssueExport", "Order"]

Order = Literal["newest", "oldest", "any"]
_ORDERS = ("newest", "oldest", "any")

# (window, cursor, limit) -> one page of GET /issues for that window.
FetchWindowPage = Callable[[Window, "str | None", "int | None"], Awaitable[PageLike[Any]]]


@attrs.frozen
class IssueCheckpoint:
    """Where an export stands: pass it back as ``checkpoint=`` to yield exactly the rest.

    Attributes:
        start: the export's start (UTC).
        end: the export's end (UTC).
        window: the window size it was cut with.
        order: the order it yields in.
        done: finished intervals, merged where adjacent.
        partial: ``(interval, cursor, skip)`` for each started interval: the cursor of the page
            being read (None for the first page) and how many of that page's items are behind.

    """

    start: datetime
    end: datetime
    window: timedelta
    order: Order
    done: tuple[Window, ...] = ()
    partial: tuple[tuple[Window, str | None, int], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready form (for a checkpoint file)."""
        return {
            "start": format_rfc3339(self.start),
            "end": format_rfc3339(self.end),
            "window_seconds": self.window.total_seconds(),
            "order": self.order,
            "done": [[format_rfc3339(w.start), format_rfc3339(w.end)] for w in self.done],
            "partial": [
                [format_rfc3339(w.start), format_rfc3339(w.end), cursor, skip]
                for w, cursor, skip in self.partial
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IssueCheckpoint:
        """Read what :meth:`to_dict` wrote; raises ``PylonInputError`` if it is malformed."""
        try:
            order = data["order"]
            if order not in _ORDERS:
                raise ValueError(order)
            return cls(
                start=_parse(data["start"]),
                end=_parse(data["end"]),
                window=timedelta(seconds=float(data["window_seconds"])),
                order=order,
                done=tuple(Window(_parse(a), _parse(b)) for a, b in data["done"]),
                partial=tuple(
                    (Window(_parse(a), _parse(b)), cursor, int(skip))
                    for a, b, cursor, skip in data["partial"]
                ),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise PylonInputError(f"not an issue export checkpoint: {exc!r}") from exc


def _parse(value: str) -> datetime:
    return to_utc(datetime.fromisoformat(value), name="checkpoint time")


class _Page:
    """A fetched page waiting to be handed out, with what a checkpoint needs to re-read it."""

    __slots__ = ("cursor", "interval", "items", "last", "skip")

    def __init__(
        self, interval: Window, cursor: str | None, skip: int, items: list[Any], last: bool
    ) -> None:
        self.interval = interval  # the interval the page belongs to
        self.cursor = cursor  # the cursor it was fetched with (None: the first page)
        self.skip = skip  # its items already handed out, resumed ones included
        self.items = items  # items not yet handed out, last one first (handed out with pop)
        self.last = last  # the last page of its interval


class _Chain:
    """One window being read: what is left to fetch, and the pages fetched but not handed out."""

    __slots__ = ("cursor", "pages", "skip", "stack")

    def __init__(self, interval: Window, cursor: str | None = None, skip: int = 0) -> None:
        self.stack: list[Window] = [interval]  # intervals left to fetch; stack[-1] is next
        self.cursor = cursor  # cursor of the next page of stack[-1]
        self.skip = skip  # items of that page already handed out before (resuming)
        self.pages: deque[_Page] = deque()  # fetched, in yield order

    @property
    def finished(self) -> bool:
        return not self.stack and not self.pages


class IssueExport:
    """Async iterator over the issues created in ``[start_time, end_time)``.

    Made by ``pylon.issues.list(...)``; see the module docstring for ordering, exactly-once,
    concurrency and resuming.
    """

    def __init__(
        self,
        fetch: FetchWindowPage,
        *,
        start_time: datetime | date | None = None,
        end_time: datetime | date | None = None,
        window: timedelta = DEFAULT_MAX_WINDOW,
        max_window: timedelta = DEFAULT_MAX_WINDOW,
        concurrency: int = 4,
        order: Order = "newest",
        limit: int | None = None,
        checkpoint: IssueCheckpoint | None = None,
    ) -> None:
        check_concurrency(concurrency)
        if order not in _ORDERS:
            raise PylonInputError(f"order must be one of {_ORDERS}, got {order!r}")
        if checkpoint is not None:
            start_time = start_time if start_time is not None else checkpoint.start
            end_time = end_time if end_time is not None else checkpoint.end
        if start_time is None or end_time is None:
            raise PylonInputError("start_time and end_time are required (or pass checkpoint=)")
        windows = split_windows(start_time, end_time, window, max_window=max_window)
        self._start, self._end = windows[0].start, windows[-1].end
        self._window = window
        self._order: Order = order
        if checkpoint is not None and (
            (checkpoint.start, checkpoint.end, checkpoint.window, checkpoint.order)
            != (self._start, self._end, window, order)
        ):
            raise PylonInputError(
                "checkpoint= was made for another export (start, end, window or order differ)"
            )
        self._fetch = fetch
        self._concurrency = concurrency
        self._limit = limit
        self._done: list[Window] = list(checkpoint.done) if checkpoint else []
        self._pending = _plan(windows, checkpoint, order)
        self._windows_total = len(self._pending)
        self._active: list[_Chain] = []

    def __repr__(self) -> str:
        return (
            f"IssueExport({format_rfc3339(self._start)}..{format_rfc3339(self._end)}, "
            f"order={self._order!r}, pending={len(self._pending)}, active={len(self._active)})"
        )

    @property
    def progress(self) -> float:
        """The share of the range fully exported, from 0.0 to 1.0 (for progress displays)."""
        covered = sum((w.end - w.start for w in merge_windows(self._done)), timedelta(0))
        return covered / (self._end - self._start)

    @property
    def windows(self) -> int:
        """How many windows the range was cut into (resumed parts count as windows)."""
        return self._windows_total

    def checkpoint(self) -> IssueCheckpoint:
        """Return where the export stands: exactly what has been yielded so far."""
        partial: list[tuple[Window, str | None, int]] = []
        for chain in [*self._active, *self._pending]:
            if chain.pages:
                # Re-read the page being handed out from its cursor, skipping what went out;
                # the pages fetched after it are fetched again.
                head = chain.pages[0]
                partial.append((head.interval, head.cursor, head.skip))
            elif chain.stack and (chain.cursor is not None or chain.skip):
                partial.append((chain.stack[-1], chain.cursor, chain.skip))
        return IssueCheckpoint(
            self._start,
            self._end,
            self._window,
            self._order,
            tuple(merge_windows(self._done)),
            tuple(partial),
        )

    def __aiter__(self) -> IssueExport:
        return self

    async def __anext__(self) -> Any:
        while True:
            chain = self._ready_chain()
            if chain is not None:
                page = chain.pages[0]
                item = page.items.pop()
                page.skip += 1
                if not page.items:
                    self._drop_handed_out(chain)
                return item
            self._activate()
            if not self._active:
                raise StopAsyncIteration
            if self._ready_chain() is None:  # the next window may have its pages already
                await self._round()

    async def collect(self) -> list[Any]:
        """Gather every issue into a list; for small ranges."""
        return [issue async for issue in self]

    # ------------------------------------------------------------------ internals

    def _ready_chain(self) -> _Chain | None:
        if self._order == "any":
            for chain in self._active:
                if chain.pages:
                    return chain
            return None
        head = self._active[0] if self._active else None
        return head if head is not None and head.pages else None

    def _activate(self) -> None:
        self._active = [c for c in self._active if not c.finished]
        if not self._active and self._pending:
            self._active.append(self._pending.pop(0))

    async def _round(self) -> None:
        """Fetch up to ``concurrency`` windows' next pages at once, in yield order.

        At most ``2 * concurrency`` pages are held, fetched or in flight; the window whose
        items go out next always gets its fetch. One fetch per window (a window's pages follow
        one another's cursors); windows already fetched to the end, their pages waiting to go
        out, do not count against ``concurrency``, so the windows after them start.
        """
        limit = self._concurrency
        budget = 2 * limit - sum(len(c.pages) for c in self._active)
        todo: list[_Chain] = []
        for chain in self._active:
            if len(todo) == limit:
                break
            is_head = chain is self._active[0]
            if chain.stack and (budget > 0 or (is_head and not chain.pages)):
                todo.append(chain)
                budget -= 1
        while self._pending and len(todo) < limit and budget > 0:
            chain = self._pending.pop(0)
            self._active.append(chain)
            todo.append(chain)
            budget -= 1
        await run_all([functools.partial(self._step, chain) for chain in todo])

    async def _step(self, chain: _Chain) -> None:
        """Fetch one page of ``chain``; only a returned page changes any state."""
        interval, cursor, skip = chain.stack[-1], chain.cursor, chain.skip
        page = await self._fetch(interval, cursor, self._limit)
        more = bool(page.has_next_page and page.cursor)
        if more and page.cursor == cursor:
            raise ResponseValidationError(
                "GET /issues returned the cursor it was given; stopping instead of looping forever",
                status_code=200,
                body=str(cursor),
            )
        items = [i for i in page.items if _belongs(interval, i)]
        if self._order == "oldest" and cursor is None and more:
            half = halve(interval)
            if half is not None:
                # More than one page: read the older half, then the newer one.
                chain.stack[-1:] = [half[1], half[0]]
                return
            # Too short to halve and still more than a page: read it whole.
            items += await self._read_rest(interval, page)
            more = False
        if self._order == "oldest":
            items.reverse()
        items = items[skip:]
        items.reverse()  # handed out with pop(), from the end
        chain.pages.append(_Page(interval, cursor, skip, items, last=not more))
        chain.skip = 0
        if more:
            chain.cursor = page.cursor
        else:
            chain.cursor = None
            chain.stack.pop()
        self._drop_handed_out(chain)

    async def _read_rest(self, interval: Window, page: PageLike[Any]) -> list[Any]:
        rest: list[Any] = []
        while page.has_next_page and page.cursor:
            page = await self._fetch(interval, page.cursor, self._limit)
            rest.extend(i for i in page.items if _belongs(interval, i))
        return rest

    def _drop_handed_out(self, chain: _Chain) -> None:
        """Drop the chain's leading pages with nothing left; record intervals now complete."""
        while chain.pages and not chain.pages[0].items:
            page = chain.pages.popleft()
            if page.last:
                self._done.append(page.interval)


def _plan(
    windows: Sequence[Window], checkpoint: IssueCheckpoint | None, order: Order
) -> list[_Chain]:
    """Return the chains still to read, in yield order; resumed ones start mid-way."""
    remaining: list[Window] = list(windows)
    if checkpoint is not None:
        remaining = subtract_windows(remaining, list(checkpoint.done))
        partial_windows = [w for w, _, _ in checkpoint.partial]
        remaining = subtract_windows(remaining, partial_windows)
    chains = [_Chain(w) for w in remaining]
    if checkpoint is not None:
        chains += [_Chain(w, cursor, skip) for w, cursor, skip in checkpoint.partial]
    chains.sort(key=lambda c: c.stack[-1].start, reverse=order != "oldest")
    return chains


def _belongs(interval: Window, issue: Any) -> bool:
    return belongs_to(interval, getattr(issue, "created_at", None))
