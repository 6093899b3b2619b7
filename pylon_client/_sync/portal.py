"""The sync client's engine: the async core run on an event loop the calling thread drives.

``Pylon`` (sync) is ``AsyncPylon`` driven through a :class:`Portal`: every blocking method runs
its coroutine on the portal's own asyncio event loop, and returns its answer. List and search
methods return a :class:`SyncPaginator`.

Why the async core at all: retries, pacing, rate limiting, error mapping and pagination exist
once, and the sync client runs exactly that code. A sync client generated on its own would
need sync transports and a sync copy of every one of those pieces: the logic twice.

Who runs the loop: the calling thread itself, for the length of its call
(``loop.run_until_complete``). No thread is started and no thread hop is paid, which on a
machine where waking another thread costs tens of microseconds is most of a call's overhead.
When several threads call at once, one of them runs the loop (the "driver", holding
``_driving``) and the others hand their coroutine to it (``run_coroutine_threadsafe``) and wait:
their calls run concurrently with the driver's, on the one loop, through one connection pool.
When the driver's own call is done it stops driving, and a thread still waiting takes over, so
no call is left on a loop nobody runs.

Why not anyio's ``BlockingPortal`` (a loop in a worker thread, each call handed to it): it
costs a user what the target forbids. ``make bench`` section 9 measures both on
``tasks.get`` against ``httpx.MockTransport`` on this 2-core machine (December 2026):
``Pylon`` 295 us a call, 1.12x ``AsyncPylon`` (266 us); the same client on
``anyio.from_thread.start_blocking_portal`` 430 us, 1.86x, over the 1.3x target. The
hand-off below (driver, followers, ``_driving``) is what the difference buys; its races are
held by ``tests/test_portal.py`` and ``tests/test_portal_races.py``.

Inside a running event loop: a thread that runs an asyncio loop cannot run a second one, so
such a call (a Jupyter cell, code under ``asyncio.run``) is made from a short-lived helper
thread while the caller waits: it works, and blocks the caller's loop for the call's length,
as any blocking call would; ``AsyncPylon`` is the client that does not block. A thread running
``trio.run`` drives the asyncio loop itself. A call made from code the portal's loop is running
(a hook of the async core) would wait for itself: it raises :class:`PylonConfigError`.

Cancellation and Ctrl-C: an interrupt reaches the driving thread inside the loop; the call's
task is cancelled and run until it has unwound (so no request of the call is left going; a
thread that took over driving for a handed-over call turns the loop up to ``UNWIND_GRACE``
seconds for it), then the interrupt is re-raised. A thread interrupted while it waits for
another thread's turn cancels its task, which unwinds the next time the loop turns.

Closing: ``close()`` waits for the driver to finish its call, runs an optional final coroutine
(the owner passes the async client's ``aclose``), cancels whatever is still pending (its callers
get :class:`PylonConnectionError`) and closes the loop. It is idempotent; afterwards every call
raises :class:`PylonConnectionError` ("the client is closed"). There is no thread to leak: a
client never closed keeps nothing running, and its loop is closed when it is collected.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import threading
import weakref
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Generator, Iterator
from concurrent.futures import CancelledError, Future
from typing import Any, Generic, ParamSpec, Protocol, TypeVar

from .._client.pagination import AsyncPaginator, Page
from .._exceptions import PylonConfigError, PylonConnectionError
from .._generated._contract import Paginator
from .loop import (
    close_if_idle,
    in_helper_thread,
    run_own,
    running_loop,
    shut_down,
    unwind,
)

__all__ = ["Portal", "SyncPaginator"]

_sniffio: Any
try:
    import sniffio as _sniffio
except ImportError:  # anyio runs without it, on asyncio alone (trio needs it): nothing to say
    _sniffio = None

P = ParamSpec("P")
T = TypeVar("T")

_CLOSED = "the client is closed"


class _End(enum.Enum):
    """The end of an async iterator, as a value a call can return."""

    END = enum.auto()


class _Runs(Protocol):
    """Anything that runs a coroutine function to completion: a Portal, the sync client's."""

    def run(self, func: Callable[..., Awaitable[T]], /, *args: Any, **kwargs: Any) -> T: ...


class Portal:
    """An asyncio event loop that blocking callers drive, one call at a time per thread.

    One portal serves one sync client and the copies it makes (``with_options``). Constructing
    it creates nothing; the loop is made on first use.

    Example::

        portal = Portal()
        task = portal.run(async_pylon.tasks.get, "task_1")
        for task in portal.paginator(async_pylon.tasks.list(limit=100)):
            ...
        portal.close(async_pylon.aclose)

    Any thread may call, and calls from several threads run concurrently on the loop. See the
    module docstring for who runs the loop, calls made inside a running event loop, interrupts
    and closing.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()  # guards _loop creation and _closed
        self._driving = threading.Lock()  # held by the thread running the loop
        self._freed = threading.Condition()  # notified when a call ends or the loop is free
        self._followers = 0  # threads waiting on _freed (changed under it): notify only then
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open" if self._loop else "not started"
        return f"Portal({state})"

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has been called."""
        return self._closed

    def run(self, func: Callable[P, Awaitable[T]], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``await func(*args, **kwargs)`` on the loop; return its result or raise its error.

        The exception the coroutine raises reaches the caller unchanged (same class, same
        object). Raises :class:`PylonConnectionError` once the portal is closed and
        :class:`PylonConfigError` when called from code the portal's loop is running.
        """
        loop = self._enter()
        running = running_loop()
        if running is loop:
            raise PylonConfigError(
                "the sync client was called from code its own event loop is running (for "
                "example a hook of the async core), where waiting for the answer would wait "
                "forever; there, use the async client and await it"
            )
        if running is not None:
            return in_helper_thread(lambda: self._drive(loop, func, args, kwargs))
        return self._drive(loop, func, args, kwargs)

    def paginator(self, paginator: Paginator[T], runner: _Runs | None = None) -> SyncPaginator[T]:
        """Wrap an :class:`AsyncPaginator` in a :class:`SyncPaginator` run by ``runner``.

        ``runner`` defaults to this portal; the sync client passes its own, which also keeps
        each thread's last response.
        """
        if not isinstance(paginator, AsyncPaginator):
            raise TypeError(f"expected an AsyncPaginator, got {type(paginator).__name__}")
        return SyncPaginator(paginator, runner if runner is not None else self)

    def iterate(
        self, aiterable: AsyncIterable[T], runner: _Runs | None = None
    ) -> Generator[T, None, None]:
        """Iterate an async iterable from blocking code, one call of ``runner`` per item.

        For async iterators written by hand (issue export, change feeds); listings use
        :class:`SyncPaginator`, a call per page. When the returned iterator is closed before
        the end (``break``, ``close()``, garbage collection, an error), the async iterator's
        ``aclose()`` is awaited if it has one.
        """
        return self._iterate(aiter(aiterable), runner if runner is not None else self)

    def _iterate(self, iterator: AsyncIterator[T], runner: _Runs) -> Generator[T, None, None]:
        finished = False
        try:
            while True:
                item = runner.run(_next_or_end, iterator)
                if item is _End.END:
                    finished = True
                    return
                yield item
        finally:
            if not finished:
                aclose: Callable[[], Awaitable[object]] | None = getattr(iterator, "aclose", None)
                if aclose is not None and not self._closed and running_loop() is not self._loop:
                    runner.run(aclose)

    def close(
        self,
        final: Callable[[], Awaitable[object]] | None = None,
        *,
        interrupt: Callable[[], object] | None = None,
    ) -> None:
        """Run ``final()`` (if given), cancel what is still pending, and close the loop.

        ``final`` is for the owner's cleanup, typically the async client's ``aclose``; the loop
        is closed even if it raises (its error is then raised). ``interrupt`` is first run on
        the loop, if another thread is driving it, to end the calls in flight (the client
        cancels them); then this waits for that thread to finish its call. Calls still
        pending after ``final`` are cancelled and their callers get
        :class:`PylonConnectionError`. Calling ``close`` again does nothing.
        """
        running = running_loop()
        if running is not None and running is self._loop:
            raise PylonConfigError("the sync client cannot be closed from its own event loop")
        if running is not None:
            in_helper_thread(lambda: self.close(final, interrupt=interrupt))
            return
        loop = self._loop
        if interrupt is not None and loop is not None and loop.is_running():
            with contextlib.suppress(RuntimeError):  # the loop closed in between: nothing runs
                loop.call_soon_threadsafe(interrupt)
        with self._driving:
            with self._lock:
                if self._closed:
                    return
                self._closed = True
                loop, self._loop = self._loop, None
            if loop is None:
                if final is None:
                    return
                loop = asyncio.new_event_loop()  # final() runs even if no call was made
            try:
                if final is not None:
                    run_own(loop, final())
            finally:
                shut_down(loop)
                with self._freed:
                    self._freed.notify_all()

    # ------------------------------------------------------------------ driving the loop

    def _enter(self) -> asyncio.AbstractEventLoop:
        loop = self._loop
        if loop is None:
            with self._lock:
                if self._closed:
                    raise PylonConnectionError(_CLOSED)
                if self._loop is None:
                    self._loop = asyncio.new_event_loop()
                    weakref.finalize(self, close_if_idle, self._loop)
                loop = self._loop
        return loop

    def _drive(
        self,
        loop: asyncio.AbstractEventLoop,
        func: Callable[..., Awaitable[T]],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> T:
        if self._driving.acquire(blocking=False):
            # The common case: nobody runs the loop; this thread does, for its own call.
            try:
                if self._closed:
                    raise PylonConnectionError(_CLOSED)
                return run_own(loop, func(*args, **kwargs))
            finally:
                self._driving.release()
                if self._followers:  # a follower counts itself before it looks at the lock
                    with self._freed:
                        self._freed.notify_all()
        # Another thread runs the loop: hand the call to it, and take over if it stops first.
        finished = threading.Event()
        coro = _coroutine(func, args, kwargs, finished)
        try:
            future: Future[T] = asyncio.run_coroutine_threadsafe(coro, loop)
        except RuntimeError as exc:  # the loop was closed by close() meanwhile
            coro.close()
            raise PylonConnectionError(_CLOSED) from exc
        future.add_done_callback(self._notify)
        while True:
            try:
                with self._freed:
                    self._followers += 1
                    try:
                        self._freed.wait_for(lambda: future.done() or not self._driving.locked())
                    finally:
                        self._followers -= 1
            except BaseException:
                future.cancel()  # the task is cancelled when the loop next turns
                raise
            if future.done() or not self._driving.acquire(blocking=False):
                if future.done():
                    break
                continue
            try:
                if self._closed:
                    # close() had the loop first; a task it could not see is never run now.
                    future.cancel()
                    raise PylonConnectionError(_CLOSED)
                try:
                    run_own(loop, asyncio.wrap_future(future, loop=loop))
                except BaseException:
                    # Interrupted while driving: the wrapper is cancelled, the call's task only
                    # asked to; run the loop until it has unwound, as the driver's own call does.
                    future.cancel()
                    unwind(loop, finished)
                    raise
            finally:
                self._driving.release()
                if self._followers:
                    with self._freed:
                        self._freed.notify_all()
            break
        try:
            return future.result()
        except CancelledError as exc:
            raise PylonConnectionError(_CLOSED) from exc

    def _notify(self, _future: Future[Any]) -> None:
        with self._freed:
            self._freed.notify_all()


class SyncPaginator(Generic[T]):
    """A blocking iterator over every item of a list or search, fetching pages on demand.

    What the sync client's list and search methods return; it drives an
    :class:`AsyncPaginator` one page per loop hop, and hands out a page's items in the caller's
    thread. ``max_items`` applies to item iteration and ``collect()``, as for the async one;
    ``cursor`` is the cursor of the next page not yet fetched (for resuming)::

        for task in pylon.tasks.list(limit=100):
            ...
        for page in pylon.tasks.list().pages():
            print(len(page.items), page.cursor)
        tasks = pylon.tasks.list(max_items=50).collect()

    Like a generator, one SyncPaginator is iterated by one thread at a time.
    """

    __slots__ = ("_paginator", "_portal")

    def __init__(self, paginator: AsyncPaginator[T], portal: _Runs) -> None:
        self._paginator = paginator
        self._portal = portal

    def __repr__(self) -> str:
        return f"SyncPaginator({self._paginator!r})"

    @property
    def cursor(self) -> str | None:
        """The cursor of the next page not yet fetched; None before a fresh start and at the end."""
        return self._paginator.cursor

    def __iter__(self) -> Iterator[T]:
        batches = self._paginator.item_batches()
        while not batches.exhausted:
            yield from self._portal.run(batches.next_batch)

    def pages(self) -> Iterator[Page[T]]:
        """Iterate page by page (each a :class:`Page`); ``max_items`` is not applied here."""
        pages = self._paginator.pages()
        while not pages.exhausted:
            try:
                yield self._portal.run(pages.__anext__)
            except StopAsyncIteration:
                return

    def collect(self) -> list[T]:
        """Gather every item (up to ``max_items``) into a list, in one loop hop; for small sets."""
        return self._portal.run(self._paginator.collect)


async def _coroutine(
    func: Callable[..., Awaitable[T]],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    finished: threading.Event,
) -> T:
    try:
        return await func(*args, **kwargs)
    finally:
        finished.set()


async def _next_or_end(iterator: AsyncIterator[T]) -> T | _End:
    """Return the next item, or ``_End.END``."""
    try:
        return await anext(iterator)
    except StopAsyncIteration:
        return _End.END
