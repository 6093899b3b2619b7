"""``_sync.portal``: blocking calls and listings on an event loop the calling thread drives.

The tests are plain (not anyio-marked) functions: the code under test is what sync users call.
Those that could hang if the code were wrong make their blocking calls from helper threads
bounded by ``HANG``, so a regression fails instead of stalling the suite.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import itertools
import signal
import sys
import threading
import time
import types
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Generic, TypeVar

import anyio
import anyio.lowlevel
import httpx
import pytest
import sniffio
import trio
import trio.lowlevel
from harness import Api, connect, envelope, reply, task, task_body

from pylon_client import NotFoundError, Page, PylonInputError
from pylon_client._exceptions import PylonConfigError, PylonConnectionError
from pylon_client._generated._contract import Runner, SyncPaginatorLike
from pylon_client._sync.portal import Portal, SyncPaginator

T = TypeVar("T")

HANG = 10.0  # seconds; a guard against a hung test, never reached when the code is right


@pytest.fixture
def portal() -> Iterator[Portal]:
    """A portal, closed after the test."""
    portal = Portal()
    yield portal
    portal.close()


class Runs:
    """A runner that counts its runs and hands each to ``portal``: what ``runner=`` takes."""

    def __init__(self, portal: Portal) -> None:
        self.portal = portal
        self.count = 0

    def run(self, func: Callable[..., Awaitable[T]], /, *args: Any, **kwargs: Any) -> T:
        """Count one run and make it on the portal."""
        self.count += 1
        return self.portal.run(func, *args, **kwargs)


class Caller(Generic[T]):
    """A daemon thread running ``body`` once; ``value()`` waits for it, bounded by ``HANG``."""

    def __init__(self, body: Callable[[], T]) -> None:
        self.results: list[T] = []
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._target, args=(body,), daemon=True)
        self.thread.start()

    def _target(self, body: Callable[[], T]) -> None:
        try:
            self.results.append(body())
        except BaseException as exc:  # handed back to the test thread by value()
            self.error = exc

    def join(self) -> None:
        """Wait for the thread; fail the test if it has not finished within ``HANG``."""
        self.thread.join(HANG)
        if self.thread.is_alive():
            pytest.fail(f"still running after {HANG} s: deadlocked")

    def value(self) -> T:
        """The body's result, or its exception raised here."""
        self.join()
        if self.error is not None:
            raise self.error
        return self.results[0]


def within(body: Callable[[], T]) -> T:
    """Run ``body`` in a helper thread; fail the test if it has not finished within ``HANG``."""
    return Caller(body).value()


def wait_until(condition: Callable[[], bool]) -> None:
    """Poll ``condition`` every millisecond; fail the test if it is not true within ``HANG``."""
    deadline = time.monotonic() + HANG
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not true after {HANG} s")
        time.sleep(0.001)


async def one() -> int:
    """Return 1."""
    return 1


async def main_calling(portal: Portal) -> int:
    """A coroutine making a blocking call of ``one`` on ``portal``."""
    return portal.run(one)


def page(*ids: str, cursor: str | None = None, more: bool = False) -> httpx.Response:
    """A 200 list page of tasks."""
    payload = {
        "data": [task_body(i) for i in ids],
        "pagination": {"cursor": cursor, "has_next_page": more},
    }
    return reply(200, payload)


def five_tasks() -> Api:
    """Three pages holding t1..t5: two, two, one."""
    return Api(
        page("t1", "t2", cursor="c1", more=True),
        page("t3", "t4", cursor="c2", more=True),
        page("t5"),
    )


def ids(tasks: Any) -> list[str]:
    """The ids of ``tasks``."""
    return [t.id for t in tasks]


class Forever:
    """A coroutine function that waits forever, with 'started' and 'cancelled' events."""

    def __init__(self, on_start: Callable[[], object] = lambda: None) -> None:
        self.on_start = on_start
        self.started = threading.Event()
        self.cancelled = threading.Event()

    async def __call__(self) -> None:
        self.on_start()
        self.started.set()
        try:
            await anyio.sleep_forever()
        except anyio.get_cancelled_exc_class():
            self.cancelled.set()
            raise


# Calls


def test_call_returns_the_coroutine_result(portal: Portal) -> None:
    """A blocking call returns what the async method returns, computed in the calling thread."""
    api = Api(task("t1"))
    pylon = connect(api)
    assert portal.run(pylon.tasks.get, "t1").id == "t1"
    assert api.last.url.path == "/tasks/t1"

    async def where() -> tuple[threading.Thread, str]:
        await anyio.lowlevel.checkpoint()
        return threading.current_thread(), sniffio.current_async_library()

    assert portal.run(where) == (threading.current_thread(), "asyncio")


def test_call_raises_the_typed_error_unchanged(portal: Portal) -> None:
    """A 404 raises NotFoundError, and any error of the coroutine arrives as the same object."""
    pylon = connect(Api(reply(404, envelope("not_found", "no such task"))))
    with pytest.raises(NotFoundError, match="no such task"):
        portal.run(pylon.tasks.get, "t9")

    error = LookupError("mine")

    async def fail() -> None:
        raise error

    with pytest.raises(LookupError) as caught:
        portal.run(fail)
    assert caught.value is error


def test_a_new_portal_makes_no_loop_and_no_thread() -> None:
    """Constructing a Portal makes no loop; calls make one and still start no thread."""
    before = set(threading.enumerate())
    portal = Portal()
    assert portal._loop is None
    assert repr(portal) == "Portal(not started)"
    assert portal.run(one) == 1
    assert portal._loop is not None
    assert repr(portal) == "Portal(open)"
    assert set(threading.enumerate()) == before
    portal.close()
    assert repr(portal) == "Portal(closed)"
    assert set(threading.enumerate()) == before


# Listings


def test_items_cross_every_page_with_one_run_per_page(portal: Portal) -> None:
    """Iterating items fetches each page in one run, none per item and none to find the end."""
    api = five_tasks()
    runs = Runs(portal)
    tasks = portal.paginator(connect(api).tasks.list(limit=2), runs)
    assert isinstance(tasks, SyncPaginator)
    assert ids(tasks) == ["t1", "t2", "t3", "t4", "t5"]
    assert len(api.requests) == 3
    assert runs.count == 3
    assert tasks.cursor is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        pytest.param("limit", 0, id="limit"),
        pytest.param("max_items", -1, id="max_items"),
        pytest.param("cursor", "", id="cursor"),
    ],
)
def test_bad_arguments_raise_in_the_caller_before_any_run(
    portal: Portal, name: str, value: Any
) -> None:
    """A bad argument raises PylonInputError in the calling thread; the loop is not even made."""
    api = five_tasks()
    pylon = connect(api)
    runs = Runs(portal)
    bad: dict[str, Any] = {name: value}
    with pytest.raises(PylonInputError, match=name):
        portal.paginator(pylon.tasks.list(**bad), runs)
    with pytest.raises(PylonInputError, match=name):
        portal.paginator(pylon.tasks.list(**bad))
    assert runs.count == 0
    assert portal._loop is None
    assert api.requests == []


def test_cursor_after_a_partial_read_is_the_resume_point(portal: Portal) -> None:
    """After three items, cursor is the next unfetched page's; resuming from it gives the rest."""
    api = five_tasks()
    pylon = connect(api)
    tasks = portal.paginator(pylon.tasks.list())
    assert ids(itertools.islice(tasks, 3)) == ["t1", "t2", "t3"]
    assert tasks.cursor == "c2"
    assert len(api.requests) == 2
    assert ids(portal.paginator(pylon.tasks.list(cursor=tasks.cursor))) == ["t5"]
    assert [r.url.params.get("cursor") for r in api.requests] == [None, "c1", "c2"]


@pytest.mark.parametrize(
    "script",
    [
        pytest.param(
            (
                page("t1", "t2", cursor="c1", more=True),
                page("t3", "t4", cursor="c2", more=True),
                page("t5"),
            ),
            id="two-two-one",
        ),
        pytest.param(
            (page("t1", cursor="c1", more=True), page(cursor="c2", more=True), page("t2", "t3")),
            id="empty-page-in-the-middle",
        ),
        pytest.param((page(),), id="no-items"),
    ],
)
@pytest.mark.parametrize("max_items", [None, 0, 1, 2, 3, 4, 10])
def test_max_items_matches_the_async_iterator(
    portal: Portal, script: tuple[httpx.Response, ...], max_items: int | None
) -> None:
    """For any script and max_items, sync items and requests equal async for's."""

    async def async_items() -> tuple[list[str], int]:
        api = Api(*script)
        async with connect(api) as pylon:
            got = [t.id async for t in pylon.tasks.list(max_items=max_items)]
        return got, len(api.requests)

    expected, expected_requests = anyio.run(async_items)
    api = Api(*script)
    tasks = portal.paginator(connect(api).tasks.list(max_items=max_items))
    assert ids(tasks) == expected
    assert len(api.requests) == expected_requests
    collected = portal.paginator(connect(Api(*script)).tasks.list(max_items=max_items)).collect()
    assert ids(collected) == expected


def test_pages_yield_page_objects_one_run_each(portal: Portal) -> None:
    """.pages() yields every Page, one run per page, and ignores max_items as the async one."""
    api = five_tasks()
    runs = Runs(portal)
    pages = list(portal.paginator(connect(api).tasks.list(max_items=1), runs).pages())
    assert all(isinstance(p, Page) for p in pages)
    assert [ids(p.items) for p in pages] == [["t1", "t2"], ["t3", "t4"], ["t5"]]
    assert [p.cursor for p in pages] == ["c1", "c2", None]
    assert runs.count == 3


def test_collect_is_one_run(portal: Portal) -> None:
    """.collect() gathers every page on the loop in a single run."""
    api = five_tasks()
    runs = Runs(portal)
    tasks = portal.paginator(connect(api).tasks.list(), runs)
    assert ids(tasks.collect()) == ["t1", "t2", "t3", "t4", "t5"]
    assert runs.count == 1
    assert len(api.requests) == 3


def test_repr_shows_the_async_paginator(portal: Portal) -> None:
    """A SyncPaginator's repr wraps its AsyncPaginator's."""
    tasks = portal.paginator(connect(five_tasks()).tasks.list())
    assert repr(tasks) == "SyncPaginator(AsyncPaginator(GET /tasks, cursor=None, done=False))"


def test_paginator_refuses_what_is_not_an_async_paginator(portal: Portal) -> None:
    """Only an AsyncPaginator can be wrapped."""
    with pytest.raises(TypeError, match="AsyncPaginator"):
        portal.paginator([])  # type: ignore[arg-type]  # the point of the test


# Inside a running event loop, and on the portal's own loop


def test_works_from_inside_asyncio_run(portal: Portal) -> None:
    """A call made under asyncio.run is served from a short-lived helper thread, and returns."""
    tasks = connect(Api(task("t1"))).tasks

    def get(task_id: str) -> Any:
        return portal.run(tasks.get, task_id)

    async def where() -> threading.Thread:
        return threading.current_thread()

    async def main() -> tuple[str, threading.Thread, threading.Thread]:
        return get("t1").id, portal.run(where), threading.current_thread()

    got, ran_on, caller = within(lambda: asyncio.run(main()))
    assert got == "t1"
    assert ran_on is not caller
    assert not ran_on.is_alive()


def test_works_from_inside_trio_run(portal: Portal) -> None:
    """Under trio.run the calling thread drives the loop itself, with sniffio saying asyncio."""
    tasks = connect(Api(task("t1"))).tasks

    def get(task_id: str) -> Any:
        return portal.run(tasks.get, task_id)

    async def where() -> tuple[threading.Thread, str]:
        await anyio.lowlevel.checkpoint()  # anyio: works only if sniffio says asyncio
        return threading.current_thread(), sniffio.current_async_library()

    async def main() -> tuple[str, tuple[threading.Thread, str], threading.Thread, str | None]:
        got = get("t1").id
        inner = portal.run(where)
        await trio.lowlevel.checkpoint()
        return got, inner, threading.current_thread(), sniffio.thread_local.name

    got, inner, caller, name_after = within(lambda: trio.run(main))
    assert got == "t1"
    assert inner == (caller, "asyncio")
    assert name_after == "trio"


def test_a_call_from_the_portals_own_loop_is_a_config_error(portal: Portal) -> None:
    """Calling or closing the portal from code its loop runs raises instead of deadlocking."""

    async def reenter() -> int:
        return portal.run(one)

    async def close_inside() -> None:
        portal.close()

    with pytest.raises(PylonConfigError, match="its own event loop is running"):
        within(lambda: portal.run(reenter))
    with pytest.raises(PylonConfigError, match="cannot be closed from its own event loop"):
        within(lambda: portal.run(close_inside))
    assert not portal.closed
    assert portal.run(one) == 1


# Several threads


def test_threads_calling_at_once_run_concurrently_on_one_loop() -> None:
    """Eight threads making the first call at once share one loop, overlap, and get their own."""
    portal = Portal()
    n = 8
    barrier = threading.Barrier(n)
    everyone_in: list[anyio.Event] = []
    arrived = 0

    async def meet(i: int) -> tuple[int, asyncio.AbstractEventLoop]:
        # Every call waits until all n have started: only calls running at once can finish.
        nonlocal arrived
        if not everyone_in:
            everyone_in.append(anyio.Event())
        arrived += 1
        if arrived == n:
            everyone_in[0].set()
        await everyone_in[0].wait()
        return i * 10, asyncio.get_running_loop()

    def call(i: int) -> tuple[int, asyncio.AbstractEventLoop]:
        barrier.wait(HANG)
        return portal.run(meet, i)

    callers = [Caller(functools.partial(call, i)) for i in range(n)]
    results = [caller.value() for caller in callers]
    assert [got for got, _ in results] == [i * 10 for i in range(n)]
    assert len({id(loop) for _, loop in results}) == 1
    portal.close()


def test_a_waiting_call_takes_the_loop_over_when_the_driver_leaves() -> None:
    """When the driver's call ends first, a thread still waiting drives its own call to the end."""
    portal = Portal()
    driving = threading.Event()
    meeting: dict[str, Any] = {}

    async def first() -> str:
        meeting["loop"] = asyncio.get_running_loop()
        meeting["second_in"] = anyio.Event()
        meeting["go"] = anyio.Event()
        driving.set()
        await meeting["second_in"].wait()
        return "first"

    async def second() -> threading.Thread:
        meeting["second_in"].set()
        await meeting["go"].wait()
        return threading.current_thread()

    def first_caller() -> str:
        got = portal.run(first)
        # Only now, with this thread's call over, may the second call finish.
        meeting["loop"].call_soon_threadsafe(meeting["go"].set)
        return got

    a = Caller(first_caller)
    assert driving.wait(HANG)
    b = Caller(lambda: portal.run(second))
    assert a.value() == "first"
    assert b.value() is b.thread
    portal.close()


# Closing


def test_close_is_idempotent_closes_the_loop_and_refuses_later_calls() -> None:
    """close() closes the loop, twice is fine, and later calls raise 'closed'."""
    portal = Portal()
    pylon = connect(Api(task("t1")))
    tasks = portal.paginator(connect(five_tasks()).tasks.list())
    assert portal.run(pylon.tasks.get, "t1").id == "t1"
    loop = portal._loop
    assert loop is not None
    portal.close(pylon.aclose)
    assert loop.is_closed()
    assert portal.closed
    assert portal._loop is None
    portal.close()
    with pytest.raises(PylonConnectionError, match="the client is closed"):
        portal.run(pylon.tasks.get, "t1")
    with pytest.raises(PylonConnectionError, match="the client is closed"):
        list(tasks)
    with pytest.raises(PylonConnectionError, match="the client is closed"):
        within(lambda: asyncio.run(main_calling(portal)))


def test_close_runs_the_final_coroutine_on_the_loop() -> None:
    """close(final) awaits final on the portal's loop, in the closing thread, then closes it."""
    portal = Portal()
    assert portal.run(one) == 1
    loop = portal._loop
    ran: list[tuple[asyncio.AbstractEventLoop, threading.Thread]] = []

    async def final() -> None:
        await anyio.lowlevel.checkpoint()
        ran.append((asyncio.get_running_loop(), threading.current_thread()))

    portal.close(final)
    assert ran == [(loop, threading.current_thread())]
    assert loop is not None
    assert loop.is_closed()


def test_close_closes_the_loop_even_when_final_fails() -> None:
    """An error of final is raised by close(), after the loop is closed."""
    portal = Portal()
    assert portal.run(one) == 1
    loop = portal._loop
    assert loop is not None

    async def broken() -> None:
        raise LookupError("final")

    with pytest.raises(LookupError, match="final"):
        portal.close(broken)
    assert loop.is_closed()
    assert portal.closed


def test_close_from_inside_asyncio_run_closes_the_portal() -> None:
    """close() under a running asyncio loop is done from a helper thread."""
    portal = Portal()
    assert portal.run(one) == 1
    loop = portal._loop
    assert loop is not None

    async def main() -> None:
        portal.close()

    within(lambda: asyncio.run(main()))
    assert portal.closed
    assert loop.is_closed()


def test_close_waits_for_the_driving_threads_call() -> None:
    """close() lets the call being driven finish (it is not cancelled) before closing."""
    portal = Portal()
    driving = threading.Event()
    meeting: dict[str, Any] = {}

    async def drive() -> str:
        meeting["loop"] = asyncio.get_running_loop()
        meeting["go"] = anyio.Event()
        driving.set()
        await meeting["go"].wait()
        return "done"

    driver = Caller(lambda: portal.run(drive))
    assert driving.wait(HANG)
    closer = Caller(portal.close)
    closer.thread.join(0.01)
    assert closer.thread.is_alive()
    assert not portal.closed
    meeting["loop"].call_soon_threadsafe(meeting["go"].set)
    assert driver.value() == "done"
    closer.value()
    assert meeting["loop"].is_closed()


def test_close_cancels_a_call_that_waits_for_another_threads_loop() -> None:
    """A call handed to the driving thread and still pending at close() gets 'closed'."""
    portal = Portal()
    driving = threading.Event()
    meeting: dict[str, Any] = {}

    async def drive() -> str:
        meeting["waiter_in"] = anyio.Event()
        driving.set()
        await meeting["waiter_in"].wait()
        return "driver"

    forever = Forever(on_start=lambda: meeting["waiter_in"].set())
    driver = Caller(lambda: portal.run(drive))
    assert driving.wait(HANG)
    # Holding the portal's condition keeps the waiting thread from taking the loop over when
    # the driver's call ends, so that close() is next to run the loop: without it, which of the
    # two goes first would be a race, and a waiter driving a call that never ends holds close().
    with portal._freed:
        waiter = Caller(lambda: portal.run(forever))
        assert forever.started.wait(HANG)
        closer = Caller(portal.close)
        wait_until(lambda: portal.closed)
    assert driver.value() == "driver"
    closer.value()
    with pytest.raises(PylonConnectionError, match="the client is closed"):
        waiter.value()
    assert forever.cancelled.is_set()


def test_a_portal_dropped_without_close_closes_its_loop() -> None:
    """A Portal garbage-collected without close() leaves no unclosed loop behind."""
    portal = Portal()
    assert portal.run(one) == 1
    loop = portal._loop
    assert loop is not None
    del portal
    gc.collect()
    assert loop.is_closed()


# Hand-written async iterators


class Counter:
    """An async iterator of 0, 1, 2, ... that records the loop and thread its aclose() ran on."""

    def __init__(self, stop: int) -> None:
        self.stop = stop
        self.next = 0
        self.closed_on: tuple[asyncio.AbstractEventLoop, threading.Thread] | None = None

    def __aiter__(self) -> Counter:
        return self

    async def __anext__(self) -> int:
        if self.next >= self.stop:
            raise StopAsyncIteration
        self.next += 1
        return self.next - 1

    async def aclose(self) -> None:
        """Record where it was closed."""
        self.closed_on = (asyncio.get_running_loop(), threading.current_thread())


def test_iterate_hands_out_every_item(portal: Portal) -> None:
    """iterate() yields each item with one run, plus one to find the end; no aclose at the end."""
    counter = Counter(3)
    runs = Runs(portal)
    assert list(portal.iterate(counter, runs)) == [0, 1, 2]
    assert runs.count == 4
    assert counter.closed_on is None


def test_break_out_of_iterate_acloses_the_async_iterator(portal: Portal) -> None:
    """Leaving a loop over iterate() early awaits the async iterator's aclose() on the loop."""
    counter = Counter(10)
    for item in portal.iterate(counter):
        if item == 1:
            break
    assert counter.next == 2
    assert counter.closed_on == (portal._loop, threading.current_thread())


def test_closing_iterate_early_runs_an_async_generator_finally(portal: Portal) -> None:
    """Closing the sync iterator closes an async generator, running its finally on the loop."""
    cleanup: list[asyncio.AbstractEventLoop] = []

    async def numbers() -> AsyncIterator[int]:
        try:
            for n in range(10):
                yield n
        finally:
            await anyio.lowlevel.checkpoint()
            cleanup.append(asyncio.get_running_loop())

    items = portal.iterate(numbers())
    assert next(items) == 0
    items.close()
    assert cleanup == [portal._loop]


def test_closing_iterate_after_close_leaves_the_async_iterator_alone() -> None:
    """With the portal closed there is no loop to run aclose() on; closing is quiet."""
    portal = Portal()
    counter = Counter(10)
    items = portal.iterate(counter)
    assert next(items) == 0
    portal.close()
    items.close()
    assert counter.closed_on is None


# Interrupts


def test_an_interrupt_in_the_driving_thread_cancels_the_call(portal: Portal) -> None:
    """KeyboardInterrupt reaches the caller after the call's task was cancelled and unwound."""
    unwound: list[str] = []

    def interrupt() -> None:
        raise KeyboardInterrupt

    async def interrupted() -> None:
        asyncio.get_running_loop().call_soon(interrupt)
        try:
            await anyio.sleep_forever()
        except anyio.get_cancelled_exc_class():
            unwound.append("cancelled")
            raise
        finally:
            await anyio.lowlevel.checkpoint()  # the unwinding awaits too: run until done
            unwound.append("finally")

    with pytest.raises(KeyboardInterrupt):
        portal.run(interrupted)
    assert unwound == ["cancelled", "finally"]
    assert portal.run(one) == 1


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs POSIX signals")
def test_ctrl_c_while_waiting_for_another_threads_loop_cancels_the_call() -> None:
    """A real KeyboardInterrupt in a thread waiting on the driver cancels its call's task."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals are delivered to the main thread only")
    portal = Portal()
    driving = threading.Event()
    meeting: dict[str, Any] = {}

    async def drive() -> str:
        meeting["loop"] = asyncio.get_running_loop()
        meeting["go"] = anyio.Event()
        driving.set()
        await meeting["go"].wait()
        return "driver"

    driver = Caller(lambda: portal.run(drive))
    assert driving.wait(HANG)
    forever = Forever()
    fired = threading.Event()
    main = threading.main_thread().ident
    assert main is not None

    def handler(signum: int, frame: types.FrameType | None) -> None:
        # Interrupt once, and only while this thread waits for the driver (blocked in
        # Condition.wait inside Portal._drive), not while it hands its call over.
        if fired.is_set() or frame is None or frame.f_code is not threading.Condition.wait.__code__:
            return
        outer: types.FrameType | None = frame
        while outer is not None and outer.f_code is not Portal._drive.__code__:
            outer = outer.f_back
        if outer is not None:
            fired.set()
            raise KeyboardInterrupt

    def interrupter() -> None:
        forever.started.wait(HANG)
        for _ in range(1000):  # a signal every 10 ms until one lands in the wait
            signal.pthread_kill(main, signal.SIGUSR1)
            if fired.wait(0.01):
                return

    previous = signal.signal(signal.SIGUSR1, handler)
    sender = threading.Thread(target=interrupter, daemon=True)
    try:
        sender.start()
        with pytest.raises(KeyboardInterrupt):
            portal.run(forever)
    finally:
        sender.join(HANG)
        signal.signal(signal.SIGUSR1, previous)
    assert forever.cancelled.wait(HANG)
    meeting["loop"].call_soon_threadsafe(meeting["go"].set)
    assert driver.value() == "driver"
    assert portal.run(one) == 1
    portal.close()


# Types


def test_portal_and_sync_paginator_fit_the_generated_contract(portal: Portal) -> None:
    """Portal is a Runner and SyncPaginator a SyncPaginatorLike (what mypy checks here)."""
    runner: Runner = portal
    listing: SyncPaginatorLike[Any] = runner.paginator(connect(five_tasks()).tasks.list())
    assert isinstance(listing, SyncPaginator)
    assert ids(listing) == ["t1", "t2", "t3", "t4", "t5"]
    assert sys.modules["pylon_client._sync.portal"].__all__ == ["Portal", "SyncPaginator"]
