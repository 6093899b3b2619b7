"""The sync client's event loop, as the calling thread drives it: run, unwind, shut down.

:func:`run_own` runs an awaitable on a loop until it is done (the calling thread drives it;
an interrupt cancels the awaitable and lets it unwind), :func:`unwind` turns the loop a while
longer for a cancelled call, :func:`shut_down` cancels what is left and closes the loop, and
:func:`in_helper_thread` runs a call from a thread that already runs an event loop. Each has
``sniffio`` say asyncio while it turns our loop (:func:`asyncio_named`), so that a thread
running ``trio.run`` does not make anyio take our tasks for trio ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

from .._exceptions import PylonConnectionError

__all__ = [
    "UNWIND_GRACE",
    "asyncio_named",
    "close_if_idle",
    "in_helper_thread",
    "run_own",
    "running_loop",
    "shut_down",
    "unwind",
]

_sniffio: Any
try:
    import sniffio as _sniffio
except ImportError:  # anyio runs without it, on asyncio alone (trio needs it): nothing to say
    _sniffio = None

T = TypeVar("T")
_CLOSED = "the client is closed"

UNWIND_GRACE = 5.0
"""Seconds an interrupted thread keeps turning the loop for a cancelled call to unwind."""


def unwind(loop: asyncio.AbstractEventLoop, finished: threading.Event) -> None:
    """Turn the loop until ``finished`` is set (a cancelled call has unwound), at most a grace."""
    deadline = loop.time() + UNWIND_GRACE
    with asyncio_named():
        while not finished.is_set() and loop.time() < deadline:
            with contextlib.suppress(BaseException):  # the interrupt being raised is what matters
                loop.run_until_complete(asyncio.sleep(0.001))


def run_own(loop: asyncio.AbstractEventLoop, awaitable: Awaitable[T]) -> T:
    """Run the loop until ``awaitable`` is done; on an interrupt, cancel it, let it unwind.

    The awaitable's task stops the loop itself when it ends, so the loop turns once for a call
    that never waits, where ``run_until_complete`` turns once more to see the task done.

    A thread running ``trio.run`` names trio in ``sniffio``'s thread-local while its task
    runs; anyio would then take our asyncio tasks for trio ones. The name says asyncio for as
    long as this thread runs our loop, and is put back after.
    """
    with asyncio_named():
        task = loop.create_task(_stopping(loop, awaitable))
        try:
            loop.run_forever()
        except BaseException:
            if not task.done():
                task.cancel()
                with contextlib.suppress(BaseException):  # the interrupt below is what matters
                    loop.run_until_complete(task)
            raise
        if not task.done():  # somebody else stopped the loop: nothing of ours does
            raise PylonConnectionError(_CLOSED)
        return task.result()


async def _stopping(loop: asyncio.AbstractEventLoop, awaitable: Awaitable[T]) -> T:
    try:
        return await awaitable
    finally:
        loop.stop()


@contextlib.contextmanager
def asyncio_named() -> Iterator[None]:
    """Have sniffio say asyncio in this thread while it runs our loop (see :func:`run_own`)."""
    if _sniffio is None:
        yield
        return
    local = _sniffio.thread_local
    said, local.name = getattr(local, "name", None), "asyncio"
    try:
        yield
    finally:
        local.name = said


def shut_down(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel every pending task, let them unwind, and close ``loop``.

    Repeated until no task is left: a call handed over just before (its task made by a
    callback the loop had not run yet) gets cancelled too, never left on a closed loop.
    """
    try:
        with asyncio_named():
            while True:
                pending = asyncio.all_tasks(loop)
                if not pending:
                    loop.run_until_complete(asyncio.sleep(0))  # run handed-over callbacks
                    pending = asyncio.all_tasks(loop)
                    if not pending:
                        break
                for task in pending:
                    task.cancel()
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()


def close_if_idle(loop: asyncio.AbstractEventLoop) -> None:
    """Close the loop of a portal collected without close() (nothing can be running it)."""
    if not loop.is_closed() and not loop.is_running():
        loop.close()


def running_loop() -> asyncio.AbstractEventLoop | None:
    """Return the asyncio loop running in this thread, or None."""
    return asyncio._get_running_loop()


def in_helper_thread(body: Callable[[], T]) -> T:
    """Run ``body`` in a new thread and wait for it: for callers that run an event loop."""
    results: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            results.append(body())
        except BaseException as exc:  # re-raised in the calling thread below
            errors.append(exc)

    thread = threading.Thread(target=target, name="pylon-client-call", daemon=True)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return results[0]
