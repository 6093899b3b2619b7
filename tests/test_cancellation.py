"""Cancellation: a helper cancelled mid-flight, or left with ``break``, leaves nothing behind.

Each helper runs against the fake Pylon behind a gate that holds chosen requests unanswered
and, once enough of them are in flight, cancels the caller's ``anyio.CancelScope`` from inside
the server. In process (``httpx.MockTransport`` in front of ``httpx.ASGITransport``) the gate
counts the requests in flight and must be back at zero; over a real socket the client's
connection pool must hold no connection with a request still going. In both, the backend's
task count is what it was before. ``tests/test_issues.py`` and ``tests/test_retry.py`` show the
export and the retry wait in isolation; this covers every helper through the whole client.
"""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import anyio
import anyio.from_thread
import anyio.lowlevel
import attrs
import httpx
import pytest
from harness import no_sleep
from starlette.types import ASGIApp, Receive, Scope, Send

from pylon_client import AsyncPylon, RetryPolicy
from pylon_client.testing import DEMO_START, FakePylon, Faults, seed_demo, serve_in_thread

pytestmark = pytest.mark.anyio

TOKEN = "test-token"
ACCOUNTS = 250
HANG = 30  # seconds; a guard against a hung test, never reached when the code is right


def make_fake() -> FakePylon:
    """A fake with 250 accounts, their projects and tasks, and 200 days of issues."""
    fake = FakePylon(token=TOKEN, seed=5)
    seed_demo(fake, seed=5, accounts=ACCOUNTS, issues_days=200, issues_per_day=2)
    return fake


@attrs.frozen
class Cut:
    """Where to cut a helper: which requests the gate holds, and when it cancels.

    ``method path`` requests are held from the ``hold_from``-th on; the caller is cancelled
    once ``cancel_at`` of them are in flight together.
    """

    run: Callable[[AsyncPylon, list[str]], Awaitable[Any]]
    method: str
    path: str  # exact, or a prefix when it ends in "/"
    hold_from: int = 1
    cancel_at: int = 1


class Gate:
    """Holds the chosen requests unanswered and cancels the caller once enough are held."""

    def __init__(self, cut: Cut) -> None:
        self.cut = cut
        self.seen = 0
        self.in_flight = 0
        self.held = 0
        self.cancel: Callable[[], object] = lambda: None
        self._lock = threading.Lock()

    def enter(self, method: str, path: str) -> bool:
        """Count a request; return True (and maybe cancel) if it is to be held."""
        cut = self.cut
        prefix = cut.path.endswith("/")
        if method != cut.method or not (path.startswith(cut.path) if prefix else path == cut.path):
            return False
        with self._lock:
            self.seen += 1
            if self.seen < cut.hold_from:
                return False
            self.in_flight += 1
            self.held += 1
            fire = self.in_flight == cut.cancel_at
        if fire:
            self.cancel()
        return True

    def leave(self) -> None:
        """A held request ended (cancelled by the client, or its connection closed)."""
        with self._lock:
            self.in_flight -= 1


class GatedApp:
    """An ASGI wrapper over the fake: held requests wait for the client to disconnect."""

    def __init__(self, app: ASGIApp, gate: Gate) -> None:
        self.app = app
        self.gate = gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.gate.enter(scope["method"], scope["path"]):
            try:
                while (await receive())["type"] != "http.disconnect":
                    pass
            finally:
                self.gate.leave()
            return
        await self.app(scope, receive, send)


def running_tasks(backend: str) -> int:
    """How many tasks the event loop is running, the test's own included."""
    if backend == "asyncio":
        return len(asyncio.all_tasks())
    import trio

    def count(task: trio.lowlevel.Task) -> int:
        return 1 + sum(count(c) for n in task.child_nurseries for c in n.child_tasks)

    root = trio.lowlevel.current_root_task()
    assert root is not None
    return count(root)


def busy_connections(pylon: AsyncPylon) -> list[Any]:
    """Connections of the client's pool that are neither idle nor closed."""
    pool = pylon._http._transport._pool  # type: ignore[attr-defined]
    assert not pool._requests, "a request is still queued or running in the pool"
    return [c for c in pool.connections if not (c.is_idle() or c.is_closed())]


@asynccontextmanager
async def gated_client(
    mode: str, fake: FakePylon, gate: Gate, **kwargs: Any
) -> AsyncIterator[AsyncPylon]:
    """A client to ``fake`` behind ``gate``, in process or over a loopback socket."""
    kwargs.setdefault("sleep", no_sleep)
    kwargs.setdefault("rate_limit", False)
    if mode == "in-process":
        asgi = httpx.ASGITransport(app=fake)

        async def handle(request: httpx.Request) -> httpx.Response:
            if gate.enter(request.method, request.url.path):
                try:
                    await anyio.sleep_forever()
                finally:
                    gate.leave()
            return await asgi.handle_async_request(request)

        async with AsyncPylon(
            TOKEN,
            base_url="http://fake-pylon.localhost",
            transport=httpx.MockTransport(handle),
            **kwargs,
        ) as pylon:
            yield pylon
        return
    with serve_in_thread(GatedApp(fake, gate)) as url:
        async with AsyncPylon(TOKEN, base_url=url, **kwargs) as pylon:
            yield pylon


async def get_task(pylon: AsyncPylon, ids: list[str]) -> Any:
    return await pylon.tasks.get("t-any")


async def list_tasks(pylon: AsyncPylon, ids: list[str]) -> Any:
    return [t async for t in pylon.tasks.list(limit=2)]


async def export_issues(pylon: AsyncPylon, ids: list[str]) -> Any:
    export = pylon.issues.list(
        start_time=DEMO_START, end_time=DEMO_START + timedelta(days=200), concurrency=4
    )
    return [i async for i in export]


async def update_many(pylon: AsyncPylon, ids: list[str]) -> Any:
    return await pylon.accounts.update_many(
        ids, tags=["x"], tags_apply_mode="append_only", batch_size=50
    )


async def merge(pylon: AsyncPylon, ids: list[str]) -> Any:
    return await pylon.accounts.merge(merge_into_account_id=ids[0], merge_account_ids=ids[1:])


CUTS = [
    pytest.param(Cut(get_task, "GET", "/tasks/"), id="tasks.get"),
    pytest.param(Cut(list_tasks, "GET", "/tasks", hold_from=3), id="paginator-third-page"),
    pytest.param(Cut(export_issues, "GET", "/issues", cancel_at=4), id="issues.list-round-of-4"),
    pytest.param(
        Cut(update_many, "PATCH", "/accounts", hold_from=3, cancel_at=2),
        id="update_many-batches-3-and-4",
    ),
    pytest.param(Cut(merge, "POST", "/accounts/merge", hold_from=2), id="merge-second-batch"),
]
MODES = [pytest.param("in-process", id="in-process"), pytest.param("socket", id="socket")]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("cut", CUTS)
async def test_cancel_mid_flight_leaves_nothing_running(
    cut: Cut, mode: str, anyio_backend: str
) -> None:
    """Cancelled from the server while requests are in flight: no task, no busy connection."""
    fake = make_fake()
    ids = list(fake.accounts)
    gate = Gate(cut)
    async with gated_client(mode, fake, gate) as pylon:
        before = running_tasks(anyio_backend)
        # fail_after only guards against a hang: the gate cancels long before it expires.
        with anyio.fail_after(HANG), anyio.CancelScope() as scope:
            token = anyio.lowlevel.current_token()
            if mode == "socket":
                gate.cancel = lambda: anyio.from_thread.run_sync(scope.cancel, token=token)
            else:
                gate.cancel = scope.cancel
            await cut.run(pylon, ids)
        assert scope.cancelled_caught
        assert gate.held >= cut.cancel_at
        assert running_tasks(anyio_backend) == before
        if mode == "in-process":
            assert gate.in_flight == 0
        else:
            assert busy_connections(pylon) == []
        # The client is still usable after the cancellation.
        assert (await pylon.accounts.get(ids[-1])).id == ids[-1]


@pytest.mark.parametrize("mode", MODES)
async def test_cancel_during_retry_backoff_leaves_nothing_open(
    mode: str, anyio_backend: str
) -> None:
    """Cancelled while waiting to retry a 503: no task, the 503's connection back in the pool."""
    fake = make_fake()
    fake.faults = Faults(error_rates={503: 1.0}, path_prefix="/tasks/")
    gate = Gate(Cut(get_task, "NONE", "/"))
    waits: list[float] = []
    scope = anyio.CancelScope()

    async def sleep(delay: float) -> None:
        waits.append(delay)
        scope.cancel()
        await anyio.sleep_forever()

    async with gated_client(mode, fake, gate, sleep=sleep, retry=RetryPolicy()) as pylon:
        before = running_tasks(anyio_backend)
        with scope:
            await pylon.tasks.get("t-any")
        assert scope.cancelled_caught
        assert len(waits) == 1
        assert [r.status for r in fake.requests] == [503]
        assert running_tasks(anyio_backend) == before
        if mode == "socket":
            assert busy_connections(pylon) == []


async def first_task(pylon: AsyncPylon) -> Any:
    async for task in pylon.tasks.list(limit=2):
        return task
    return None


async def first_issue(pylon: AsyncPylon) -> Any:
    export = pylon.issues.list(
        start_time=DEMO_START, end_time=DEMO_START + timedelta(days=200), concurrency=4
    )
    async for issue in export:
        return issue
    return None


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "loop",
    [
        pytest.param(first_task, id="paginator"),
        pytest.param(first_issue, id="issues.list-concurrency-4"),
    ],
)
async def test_break_out_of_a_loop_leaves_nothing_running(
    loop: Callable[[AsyncPylon], Awaitable[Any]], mode: str, anyio_backend: str
) -> None:
    """Leaving an ``async for`` after the first item leaves no task and no busy connection."""
    fake = make_fake()
    gate = Gate(Cut(get_task, "NONE", "/"))
    async with gated_client(mode, fake, gate) as pylon:
        before = running_tasks(anyio_backend)
        assert await loop(pylon) is not None
        assert running_tasks(anyio_backend) == before
        if mode == "socket":
            assert busy_connections(pylon) == []


# ---------------------------------------------------------------------- unclosed clients


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_unclosed_client_over_a_socket_warns_when_collected(backend: str) -> None:
    """A client used over a socket and never closed gives a ResourceWarning once collected."""
    # The warning is the socket's (and asyncio's transport's), not httpx's: httpx.AsyncClient
    # has no finaliser of its own. With filterwarnings = error it fails the test that leaks.

    async def leak(url: str) -> None:
        pylon = AsyncPylon(TOKEN, base_url=url, rate_limit=False)
        assert await pylon.users.list().collect()
        del pylon  # never closed

    def run_and_collect(url: str) -> None:
        anyio.run(leak, url, backend=backend)
        gc.collect()

    with serve_in_thread(make_fake()) as url, pytest.warns(ResourceWarning, match="unclosed"):
        run_and_collect(url)
    assert not hasattr(httpx.AsyncClient, "__del__")
