"""Changes since a watermark: ``pylon.issues.changes(since=...)`` and ``pylon.tasks.changes``.

``GET /issues`` windows on ``created_at`` and never sees an edit to an older issue. A change
feed searches on ``updated_at`` instead (``POST /issues/search`` or ``POST /tasks/search`` with
a ``time_range`` filter) and yields every object whose ``updated_at`` lies in ``[since,
until)``; ``until`` defaults to the time the feed is made.

What it assumes about Pylon: nothing about the order of search results, nothing about two
objects never sharing an ``updated_at`` (a bulk change stamps many with one second), and
nothing about a search cursor staying consistent while the result set changes.

Exactly once, per version
    A version is ``(id, updated_at)``. The range is cut into windows with the same splitter as
    the issue export (:mod:`._windows`), up to ``concurrency`` read at once. An object is kept
    only from the window that contains its ``updated_at``, so adjacent windows never both yield
    it. A window whose results take more than one page is halved until each part fits one page:
    a single page cannot skip anything when other objects leave the range between two requests.
    A window too short to halve (a burst within one second) is read to its end and then read
    again until a pass finds no version it has not seen.

Never lost, across runs
    An update made while a run is going on is stamped after the run's ``until``, so the next
    run, which starts from the last one's ``until``, sees it. Clocks are never exactly in step,
    though, and a search index may lag: the next run therefore starts ``overlap`` earlier
    (default two minutes). The versions the last run yielded inside that overlap travel in its
    checkpoint (``seen``), and the next run skips them: memory and checkpoint size are bounded
    by the updates of one overlap, not by the range.

Resuming
    :meth:`ChangeFeed.checkpoint` says what has been yielded: the finished windows, and the
    versions handed out from windows not yet finished. Pass it back as ``checkpoint=``: an
    unfinished run continues its range and yields the rest once; a finished one starts the
    next run from its ``until`` (less the overlap) up to now. :meth:`ChangeCheckpoint.to_dict`
    and :meth:`ChangeCheckpoint.from_dict` make it JSON, safe to persist.

Cancellation
    Windows are read in rounds inside the call that needs the next item, as the issue export
    does: between two items nothing runs, so leaving the loop early leaves no task running.
    The checkpoint taken after a cancelled round is still exact: nothing of that round was
    handed out.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

import attrs

from .._client.fanout import check_concurrency, run_all
from .._exceptions import PylonInputError
from .._generated._resources import PageLike
from . import DEFAULT_WINDOW
from .windows import (
    Window,
    belongs_to,
    format_rfc3339,
    halve,
    merge_windows,
    split_windows,
    subtract_windows,
    to_utc,
)

__all__ = ["ChangeCheckpoint", "ChangeFeed", "Kind"]

Kind = Literal["issues", "tasks"]
_KINDS = ("issues", "tasks")
DEFAULT_OVERLAP = timedelta(minutes=2)
_MAX_PASSES = 5  # re-reads of a one-second burst, until a pass finds nothing new

# (window, cursor, limit) -> one page of the search for that window.
FetchPage = Callable[[Window, "str | None", "int | None"], Awaitable[PageLike[Any]]]
Version = tuple[str, str]


@attrs.frozen
class ChangeCheckpoint:
    """Where a change feed stands; JSON with :meth:`to_dict`, safe to persist between runs.

    Attributes:
        kind: ``"issues"`` or ``"tasks"``.
        since: the run's start (UTC), inclusive.
        until: the run's end (UTC), exclusive.
        overlap: how far the next run starts before ``until``.
        done: windows read and handed out in full, merged.
        seen: ``(id, updated_at)`` versions already handed out that a resumed or next run may
            meet again: those of unfinished windows and those within the overlap.

    """

    kind: Kind
    since: datetime
    until: datetime
    overlap: timedelta
    done: tuple[Window, ...] = ()
    seen: tuple[Version, ...] = ()

    @property
    def complete(self) -> bool:
        """True once the whole of ``[since, until)`` has been handed out."""
        return not subtract_windows([Window(self.since, self.until)], self.done)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready form (for a state file)."""
        return {
            "kind": self.kind,
            "since": format_rfc3339(self.since),
            "until": format_rfc3339(self.until),
            "overlap_seconds": self.overlap.total_seconds(),
            "done": [[format_rfc3339(w.start), format_rfc3339(w.end)] for w in self.done],
            "seen": [list(v) for v in self.seen],
        }

    @classmethod
    def from_dict(cls, data: Any) -> ChangeCheckpoint:
        """Read what :meth:`to_dict` wrote; raises ``PylonInputError`` if it is malformed."""
        try:
            kind = data["kind"]
            if kind not in _KINDS:
                raise ValueError(f"kind {kind!r}")
            overlap = timedelta(seconds=float(data["overlap_seconds"]))
            if overlap < timedelta(0):
                raise ValueError("negative overlap")
            seen = tuple((str(i), str(t)) for i, t in data["seen"])
            return cls(
                kind=kind,
                since=_parse(data["since"]),
                until=_parse(data["until"]),
                overlap=overlap,
                done=tuple(Window(_parse(a), _parse(b)) for a, b in data["done"]),
                seen=seen,
            )
        except (KeyError, TypeError, ValueError, PylonInputError) as exc:
            raise PylonInputError(f"not a change feed checkpoint: {exc}") from None


def _parse(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"not a timestamp: {value!r}")
    return to_utc(datetime.fromisoformat(value), name="checkpoint time")


def version_of(item: Any) -> Version:
    """Return ``(id, updated_at)`` of a returned object; a missing stamp is ``""``."""
    stamp = getattr(item, "updated_at", None)
    text = format_rfc3339(stamp) if isinstance(stamp, datetime) and stamp.tzinfo else ""
    return str(getattr(item, "id", "")), text


class ChangeFeed:
    """Every object whose ``updated_at`` lies in a range, each version once.

    ``async for obj in feed`` yields them (in no promised order); :meth:`checkpoint` says where
    the feed stands; :meth:`collect` gathers a small result. See the module docstring.
    """

    def __init__(
        self,
        fetch: FetchPage,
        *,
        kind: Kind,
        since: datetime | date | None = None,
        until: datetime | date | None = None,
        checkpoint: ChangeCheckpoint | None = None,
        window: timedelta = DEFAULT_WINDOW,
        overlap: timedelta | None = None,
        concurrency: int = 4,
        limit: int | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        check_concurrency(concurrency)
        if overlap is not None and (not isinstance(overlap, timedelta) or overlap < timedelta(0)):
            raise PylonInputError(f"overlap must be a timedelta >= 0, got {overlap!r}")
        if checkpoint is not None and not isinstance(checkpoint, ChangeCheckpoint):
            raise PylonInputError("checkpoint must be a ChangeCheckpoint (see from_dict)")
        if checkpoint is not None and checkpoint.kind != kind:
            raise PylonInputError(f"a checkpoint of {checkpoint.kind} changes, not {kind}")
        skip: tuple[Version, ...] = ()
        done: tuple[Window, ...] = ()
        if checkpoint is None:
            if since is None:
                raise PylonInputError("changes() needs since= (or checkpoint=)")
            start = to_utc(since, name="since")
            gap = DEFAULT_OVERLAP if overlap is None else overlap
        elif checkpoint.complete:
            gap = checkpoint.overlap if overlap is None else overlap
            start = checkpoint.until - gap
            skip = tuple(v for v in checkpoint.seen if v[1] and _parse(v[1]) >= start)
        else:
            start, until, gap = checkpoint.since, checkpoint.until, checkpoint.overlap
            done, skip = checkpoint.done, checkpoint.seen
        end = to_utc(until if until is not None else now(), name="until")
        if end <= start:
            raise PylonInputError(
                f"until ({format_rfc3339(end)}) must be after since ({format_rfc3339(start)})"
            )
        self.kind: Kind = kind
        self.since, self.until, self.overlap = start, end, gap
        self._fetch, self._limit, self._concurrency = fetch, limit, concurrency
        todo = subtract_windows(split_windows(start, end, window, max_window=window), done)
        self._queue: deque[Window] = deque(todo)
        self._done: list[Window] = list(done)
        self._skip: set[Version] = set(skip)
        # Handed-out versions of windows not finished yet, and of the overlap before `until`.
        self._open: dict[Window, set[Version]] = {}
        self._overlap_from = end - gap  # versions stamped from here on travel in `seen`
        self._recent: set[Version] = {v for v in skip if v[1] and self._in_overlap(_parse(v[1]))}
        self._ready: deque[tuple[Window, Any, Version]] = deque()
        self._remaining: dict[Window, int] = {}
        self.requests = 0

    def __repr__(self) -> str:
        return (
            f"ChangeFeed({self.kind}, since={format_rfc3339(self.since)}, "
            f"until={format_rfc3339(self.until)}, progress={self.progress:.0%})"
        )

    @property
    def progress(self) -> float:
        """The share of the range handed out, from 0 to 1."""
        covered = sum((w.duration for w in merge_windows(self._done)), timedelta(0))
        return covered / (self.until - self.since)

    @property
    def windows(self) -> int:
        """How many windows have been read and handed out in full."""
        return len(self._done)

    def checkpoint(self) -> ChangeCheckpoint:
        """Return where the feed stands: resuming from it yields exactly what is left."""
        open_versions = set().union(*self._open.values()) if self._open else set()
        return ChangeCheckpoint(
            kind=self.kind,
            since=self.since,
            until=self.until,
            overlap=self.overlap,
            done=tuple(merge_windows(self._done)),
            seen=tuple(sorted(open_versions | self._recent | self._skip_kept())),
        )

    def _skip_kept(self) -> set[Version]:
        # Versions a resumed run must still skip: those of windows not yet read again.
        return {v for v in self._skip if not v[1] or not self._is_done(_parse(v[1]))}

    def _is_done(self, moment: datetime) -> bool:
        return any(w.start <= moment < w.end for w in self._done)

    def _in_overlap(self, stamp: datetime) -> bool:
        return stamp >= self._overlap_from

    def __aiter__(self) -> ChangeFeed:
        return self

    async def __anext__(self) -> Any:
        while not self._ready:
            if not self._queue:
                raise StopAsyncIteration
            await self._round()
        window, item, version = self._ready.popleft()
        self._open[window].add(version)
        if version[1] and self._in_overlap(item.updated_at):  # a stamp: an aware datetime
            self._recent.add(version)
        self._remaining[window] -= 1
        self._finish_if_done(window)
        return item

    async def collect(self) -> list[Any]:
        """Gather every item into a list (for small ranges)."""
        return [item async for item in self]

    def _finish_if_done(self, window: Window) -> None:
        if self._remaining.get(window) == 0:
            del self._remaining[window]
            self._open.pop(window, None)
            self._done.append(window)

    async def _round(self) -> None:
        """Read the next ``concurrency`` windows at once; queue their items in window order."""
        batch = [self._queue.popleft() for _ in range(min(self._concurrency, len(self._queue)))]
        results: dict[Window, list[Any] | tuple[Window, Window]] = {}

        async def read(window: Window) -> None:
            results[window] = await self._read(window)

        try:
            await run_all([functools.partial(read, w) for w in batch], limit=self._concurrency)
        except BaseException:
            self._queue.extendleft(reversed(batch))  # nothing of this round was handed out
            raise
        for window in reversed(batch):
            got = results[window]
            if isinstance(got, tuple):
                self._queue.extendleft(reversed(got))
        for window in batch:
            got = results[window]
            if isinstance(got, tuple):
                continue
            versions = ((item, version_of(item)) for item in got)
            fresh = [(window, item, v) for item, v in versions if v not in self._skip]
            self._open[window] = set()
            self._remaining[window] = len(fresh)
            self._ready.extend(fresh)
            self._finish_if_done(window)

    async def _read(self, window: Window) -> list[Any] | tuple[Window, Window]:
        """Return the window's items, or its two halves if it takes more than one page."""
        page = await self._page(window, None)
        if not (page.has_next_page and page.cursor):
            return [i for i in page.items if belongs_to(window, getattr(i, "updated_at", None))]
        halves = halve(window)
        if halves is not None:
            return halves
        found: dict[Version, Any] = {}
        for _ in range(_MAX_PASSES):
            before = len(found)
            await self._read_all(window, page, found)
            if len(found) == before:
                break
            page = await self._page(window, None)
        return list(found.values())

    async def _read_all(
        self, window: Window, page: PageLike[Any], found: dict[Version, Any]
    ) -> None:
        while True:
            for item in page.items:
                if belongs_to(window, getattr(item, "updated_at", None)):
                    found.setdefault(version_of(item), item)
            if not (page.has_next_page and page.cursor):
                return
            page = await self._page(window, page.cursor)

    async def _page(self, window: Window, cursor: str | None) -> PageLike[Any]:
        self.requests += 1
        return await self._fetch(window, cursor, self._limit)
