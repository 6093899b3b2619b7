"""``_sync.portal`` at its edges: close() racing calls being handed over, closing under trio."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import anyio
import anyio.lowlevel
import pytest
import sniffio
import trio

from pylon_client._exceptions import PylonConnectionError
from pylon_client._sync import portal as _portal
from pylon_client._sync.portal import Portal

T = TypeVar("T")
HANG = 3.0


class Caller:
    """A daemon thread running ``body`` once."""

    def __init__(self, body: Callable[[], Any], name: str | None = None) -> None:
        self.results: list[Any] = []
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._target, args=(body,), daemon=True, name=name)
        self.thread.start()

    def _target(self, body: Callable[[], Any]) -> None:
        try:
            self.results.append(body())
        except BaseException as exc:
            self.error = exc

    def value(self) -> Any:
        self.thread.join(HANG)
        if self.thread.is_alive():
            pytest.fail(f"still running after {HANG} s: hung")
        if self.error is not None:
            raise self.error
        return self.results[0]


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + HANG
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.001)


async def one() -> int:
    return 1


async def forever() -> None:
    await asyncio.Event().wait()


def test_a_call_handed_over_as_the_driver_stops_gets_closed_not_a_hang(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Bug A: a follower whose task is not yet created when close() cancels hangs forever."""
    portal = Portal()
    # The driver's path: the portal runs its loop through loop.run_own, by that name.
    name = "run_own"
    real_run = getattr(_portal, name)
    real_submit = asyncio.run_coroutine_threadsafe
    loop_stopped, submitted = threading.Event(), threading.Event()

    def run_own(*args: Any) -> Any:
        result = real_run(*args)
        if threading.current_thread().name == "driver":
            # The window between the driver's loop stopping and its releasing _driving.
            loop_stopped.set()
            assert submitted.wait(HANG)
        return result

    def submit(coro: Any, loop: asyncio.AbstractEventLoop) -> Any:
        future = real_submit(coro, loop)
        submitted.set()
        return future

    monkeypatch.setattr(_portal, name, run_own)
    monkeypatch.setattr(asyncio, "run_coroutine_threadsafe", submit)
    driver = Caller(lambda: portal.run(one), name="driver")
    assert loop_stopped.wait(HANG)
    with portal._freed:  # close() takes the loop before the waiter can (see test_portal.py)
        waiter = Caller(lambda: portal.run(forever))
        assert submitted.wait(HANG)
        closer = Caller(portal.close)
        wait_until(lambda: portal.closed)
    assert driver.value() == 1
    closer.value()
    with pytest.raises(PylonConnectionError):
        waiter.value()  # hangs in future.result(): its task was never cancelled


def test_a_call_racing_close_gets_closed_not_runtime_error() -> None:
    """Bug B: a call reaching a just-closed loop raises RuntimeError, not PylonConnectionError."""
    portal = Portal()
    assert portal.run(one) == 1
    loop = portal._loop
    assert loop is not None
    real_enter = portal._enter
    entered, go = threading.Event(), threading.Event()

    def enter() -> asyncio.AbstractEventLoop:
        got = real_enter()
        entered.set()  # the caller has the loop; close() may now run
        assert go.wait(HANG)
        return got

    portal._enter = enter  # type: ignore[method-assign]
    with portal._freed:  # keeps close() holding _driving after it closed the loop
        waiter = Caller(lambda: portal.run(one))
        assert entered.wait(HANG)
        closer = Caller(portal.close)
        wait_until(loop.is_closed)
        go.set()
        waiter.thread.join(HANG)
    closer.value()
    with pytest.raises(PylonConnectionError):
        waiter.value()  # RuntimeError: Event loop is closed


def test_close_under_trio_unwinds_what_is_pending_with_sniffio_saying_asyncio() -> None:
    """Bug C: close() from trio.run shuts pending async generators down as if under trio."""
    portal = Portal()
    cleaned: list[str] = []

    async def numbers() -> AsyncIterator[int]:
        try:
            yield 1
            yield 2
        finally:
            await anyio.lowlevel.checkpoint()
            cleaned.append(sniffio.current_async_library())

    async def main() -> object:
        items = portal.iterate(numbers())
        assert next(items) == 1
        portal.close()
        return items  # still suspended at close()

    trio.run(main)
    assert cleaned == ["asyncio"]


def test_close_runs_final_even_if_no_call_was_made() -> None:
    """D: close(final) skips final when the loop was never made."""
    portal = Portal()
    ran: list[int] = []

    async def final() -> None:
        ran.append(1)

    portal.close(final)
    assert ran == [1]
