"""The client core: deadlines, closing with calls in flight, body limits, what may be applied."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest
from harness import Api, body_of, complete, connect, no_sleep, reply, task, task_body

from pylon_client import (
    AsyncPylon,
    ClientClosedError,
    Pylon,
    PylonAPIError,
    PylonConfigError,
    PylonConnectionError,
    PylonInputError,
    PylonTimeoutError,
    ResponseTooLargeError,
    RetryPolicy,
)
from pylon_client._generated.api.tasks import delete_task, get_task
from pylon_client._generated.models import Milestone, Project

# ---------------------------------------------------------------------- deadline


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections (in its backlog) and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield int(sock.getsockname()[1])


@pytest.mark.anyio
async def test_a_deadline_bounds_the_whole_call_not_each_attempt(silent_port: int) -> None:
    """timeout=2 with two retries would take three timeouts; deadline=0.2 ends it in one."""
    attempts: list[int] = []
    async with AsyncPylon(
        "tok",
        base_url=f"http://127.0.0.1:{silent_port}",
        timeout=2,
        retry=RetryPolicy(max_retries=2),
        on_retry=lambda event: attempts.append(event.attempt),
        rate_limit=False,
        sleep=no_sleep,
        deadline=0.2,
    ) as pylon:
        with anyio.fail_after(10), pytest.raises(PylonTimeoutError, match=r"deadline of 0\.2 s"):
            await pylon.tasks.get("t1")
    assert attempts == []  # cut inside the first attempt, no retry started


class Trickle(httpx.AsyncByteStream):
    """A body that never ends: one byte every 20 ms."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"data": {"id": "t1", "title": "'
        while True:
            await anyio.sleep(0.02)
            yield b"x"


@pytest.mark.parametrize(
    "where",
    [
        pytest.param({"deadline": timedelta(milliseconds=150)}, id="client"),
        pytest.param({"per_call": 0.15}, id="per-call"),
        pytest.param({"with_options": 0.15}, id="with-options"),
    ],
)
@pytest.mark.anyio
async def test_a_trickling_server_is_cut_off_by_the_deadline(where: dict[str, Any]) -> None:
    """Each read gets a byte in time, so only a bound on the whole call ends it."""
    api = Api(handler=lambda request: httpx.Response(200, stream=Trickle()))
    async with connect(api, **{k: v for k, v in where.items() if k == "deadline"}) as pylon:
        target = (
            pylon.with_options(deadline=where["with_options"]) if "with_options" in where else pylon
        )
        per_call = {"deadline": where["per_call"]} if "per_call" in where else {}
        with anyio.fail_after(10), pytest.raises(PylonTimeoutError, match="deadline"):
            await target.tasks.get("t1", **per_call)


@pytest.mark.parametrize("value", [0, -1, "5", float("nan"), True])
def test_a_bad_deadline_is_refused_before_sending(value: Any) -> None:
    """A deadline is positive seconds, a timedelta, or None."""
    with pytest.raises(PylonConfigError, match="deadline"):
        AsyncPylon("tok", deadline=value)


@pytest.mark.anyio
async def test_a_bad_per_call_deadline_is_an_input_error() -> None:
    """Refused before the request is sent."""
    api = Api(task())
    async with connect(api) as pylon:
        with pytest.raises(PylonInputError, match="deadline"):
            await pylon.tasks.get("t1", deadline=-3)
    assert api.requests == []


# ---------------------------------------------------------------------- close


class Hang:
    """A handler that never answers, and says when (and how many) requests have arrived."""

    def __init__(self) -> None:
        self.arrived = threading.Event()
        self.count = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.count += 1
        self.arrived.set()
        await anyio.sleep_forever()
        raise AssertionError("unreachable")


@pytest.mark.parametrize("method", ["get", "create"])
@pytest.mark.anyio
async def test_aclose_cancels_the_calls_in_flight(method: str) -> None:
    """aclose() ends calls of other tasks at once with ClientClosedError, and later calls too."""
    hang = Hang()
    errors: list[BaseException] = []
    pylon = AsyncPylon("tok", transport=httpx.MockTransport(hang), rate_limit=False, sleep=no_sleep)

    async def call() -> None:
        try:
            if method == "get":
                await pylon.tasks.get("t1")
            else:
                await pylon.tasks.create(title="x")
        except ClientClosedError as exc:
            errors.append(exc)

    with anyio.fail_after(10):
        async with anyio.create_task_group() as tg:
            tg.start_soon(call)
            tg.start_soon(call)
            # Both calls in flight: their requests sent, each inside its call's scope.
            while hang.count < 2 or len(pylon._owner.calls) < 2:
                await anyio.lowlevel.checkpoint()
            await pylon.aclose()
    shown = [(str(e), getattr(e, "maybe_applied", None)) for e in errors]
    assert len(errors) == 2, shown
    assert all("closed during the call" in text for text, _ in shown), shown
    assert {applied for _, applied in shown} == {method == "create"}, shown
    with pytest.raises(ClientClosedError):
        await pylon.tasks.get("t1")


def test_sync_close_returns_while_a_call_is_in_flight() -> None:
    """close() from another thread ends the call at once instead of waiting out its retries."""
    hang = Hang()
    outcome: list[BaseException] = []
    pylon = Pylon("tok", transport=httpx.MockTransport(hang), rate_limit=False)

    def call() -> None:
        try:
            pylon.tasks.get("t1")
        except PylonConnectionError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=call)
    worker.start()
    assert hang.arrived.wait(10)
    pylon.close()
    worker.join(10)
    assert not worker.is_alive()
    assert [type(e) for e in outcome] == [ClientClosedError]


@pytest.mark.anyio
async def test_closing_a_copy_cancels_nothing() -> None:
    """A with_options copy owns no connection: its aclose leaves the client working."""
    api = Api(task())
    async with connect(api) as pylon:
        await pylon.with_options(max_retries=0).aclose()
        assert (await pylon.tasks.get("t1")).id == "t1"


# ---------------------------------------------------------------------- body limits


# The start of a complete task's JSON, its title last and left open.
_UNTITLED = {key: value for key, value in task_body().items() if key != "title"}
TASK_HEAD = ('{"data": ' + json.dumps({**_UNTITLED, "title": ""})[:-2]).encode()


class Counted(httpx.AsyncByteStream):
    """A body of ``chunks`` chunks of 1 KiB, counting how many were read."""

    def __init__(self, chunks: int) -> None:
        self.chunks = chunks
        self.read = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield TASK_HEAD
        for _ in range(self.chunks):
            self.read += 1
            yield b"x" * 1024
        yield b'"}}'


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
@pytest.mark.anyio
async def test_a_body_over_max_response_bytes_is_refused_unread(declared: bool) -> None:
    """On its Content-Length before a byte is read; without one, as soon as the limit is passed."""
    body = Counted(1000)
    headers = {"Content-Length": str(1000 * 1024 + 38)} if declared else {}
    api = Api(handler=lambda request: httpx.Response(200, stream=body, headers=headers))
    async with connect(api, max_response_bytes=64 * 1024) as pylon:
        with pytest.raises(ResponseTooLargeError, match="max_response_bytes") as info:
            await pylon.tasks.get("t1")
    assert info.value.limit == 64 * 1024
    assert body.read == (0 if declared else 64)


@pytest.mark.anyio
async def test_a_body_within_the_limit_is_read() -> None:
    """The default limit (64 MiB) and None (no limit) both read a 1 MiB task."""
    for limit in ({}, {"max_response_bytes": None}):
        api = Api(handler=lambda request: httpx.Response(200, stream=Counted(1024)))
        async with connect(api, **limit) as pylon:
            assert (await pylon.tasks.get("t1")).title == "x" * 1024 * 1024


@pytest.mark.parametrize("value", [0, -5, 1.5, True])
def test_a_bad_max_response_bytes_is_refused(value: Any) -> None:
    """The limit is a whole number of bytes, or None."""
    with pytest.raises(PylonConfigError, match="max_response_bytes"):
        AsyncPylon("tok", max_response_bytes=value)


# ---------------------------------------------------------------------- maybe_applied


@pytest.mark.parametrize(
    ("call", "may_apply"),
    [
        pytest.param(lambda p: p.tasks.get("t1"), False, id="get"),
        pytest.param(lambda p: p.tasks.list().collect(), False, id="list"),
        pytest.param(lambda p: p.tasks.search().collect(), False, id="search"),
        pytest.param(lambda p: p.tasks.create(title="x"), True, id="create"),
        pytest.param(lambda p: p.tasks.update("t1", title="x"), True, id="update"),
        pytest.param(lambda p: p.tasks.delete("t1"), True, id="delete"),
    ],
)
@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(httpx.ReadError, id="dropped-connection"),
        pytest.param(httpx.ReadTimeout, id="read-timeout"),
        pytest.param(reply(500, {"errors": ["boom"]}), id="500"),
    ],
)
@pytest.mark.anyio
async def test_maybe_applied_only_where_something_can_be_applied(
    call: Any, may_apply: bool, failure: Any
) -> None:
    """A read or a search never "may have been applied"; a write or delete may."""
    async with connect(Api(failure), max_retries=0) as pylon:
        with pytest.raises((PylonConnectionError, PylonAPIError)) as info:
            await call(pylon)
    assert getattr(info.value, "maybe_applied", None) is may_apply
    assert ("may have been applied" in str(info.value)) is may_apply


# ---------------------------------------------------------------------- raw access


@pytest.mark.parametrize(
    ("value", "path"),
    [
        pytest.param("..", "/tasks/%2E%2E", id="dot-dot"),
        pytest.param(".", "/tasks/%2E", id="dot"),
        pytest.param("a/b?c#d", "/tasks/a%2Fb%3Fc%23d", id="reserved"),
        pytest.param("task_1", "/tasks/task_1", id="plain"),
    ],
)
@pytest.mark.anyio
async def test_the_generated_functions_encode_ids_as_the_facade_does(value: str, path: str) -> None:
    """Through generated_client, get_task('..') and delete_task('.') stay on /tasks/{id}."""
    api = Api({"data": task_body(), "request_id": "r"})
    async with connect(api) as pylon:
        await get_task.asyncio_detailed(value, client=pylon.generated_client)
        await delete_task.asyncio_detailed(value, client=pylon.generated_client)
        await pylon.tasks.get(value)
    assert [r.url.raw_path.decode() for r in api.requests] == [path] * 3
    assert [r.method for r in api.requests] == ["GET", "DELETE", "GET"]


def test_an_empty_id_is_refused_by_the_generated_functions() -> None:
    """``/tasks/`` would be another endpoint."""
    with pytest.raises(ValueError, match="must not be empty"):
        get_task._get_kwargs("")


# ---------------------------------------------------------------------- connections


@pytest.mark.parametrize(
    ("kwargs", "pool", "keepalive"),
    [
        pytest.param({}, 100, 100, id="default"),
        pytest.param({"max_connections": 20}, 20, 20, id="keepalive-follows-the-pool"),
        pytest.param({"max_keepalive_connections": 5}, 100, 5, id="both-set"),
    ],
)
@pytest.mark.anyio
async def test_keepalive_equals_the_pool_size_by_default(
    kwargs: dict[str, Any], pool: int, keepalive: int
) -> None:
    """A burst of concurrent calls keeps its connections instead of closing all over 20."""
    async with AsyncPylon("tok", **kwargs) as pylon:
        limits = pylon._http._transport._pool  # type: ignore[attr-defined]
        assert (limits._max_connections, limits._max_keepalive_connections) == (pool, keepalive)


@pytest.mark.parametrize("value", [0, -1, 2.5])
def test_bad_connection_limits_are_refused(value: Any) -> None:
    """Pool sizes are whole numbers from 1."""
    with pytest.raises(PylonConfigError, match="max_connections"):
        AsyncPylon("tok", max_connections=value)


# ---------------------------------------------------------------------- dates in


@pytest.mark.parametrize(
    ("value", "sent"),
    [
        pytest.param(date(2026, 3, 1), "2026-03-01T00:00:00Z", id="date"),
        pytest.param("2026-03-01", "2026-03-01T00:00:00Z", id="day-string"),
        pytest.param(
            datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=2))),
            "2026-03-01T07:30:00Z",
            id="aware-datetime",
        ),
        pytest.param("2026-03-01T09:30:00+02:00", "2026-03-01T09:30:00+02:00", id="rfc3339"),
    ],
)
@pytest.mark.anyio
async def test_date_arguments_take_datetimes_dates_and_rfc3339(value: Any, sent: str) -> None:
    """tasks.create(due_date=...), projects.create(start_date=...) send RFC 3339."""
    api = Api(
        task(),
        reply(200, {"data": complete(Project), "request_id": "req_2"}),
        reply(200, {"data": complete(Milestone), "request_id": "req_3"}),
    )
    async with connect(api) as pylon:
        await pylon.tasks.create(title="Call", due_date=value)
        await pylon.projects.create(account_id="a1", name="Rollout", start_date=value)
        await pylon.milestones.update("m1", due_date=value)
    assert [body_of(r).get("due_date", body_of(r).get("start_date")) for r in api.requests] == [
        sent
    ] * 3


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param(datetime(2026, 3, 1, 9, 30), "no UTC offset|timezone", id="naive-datetime"),
        pytest.param("2026-02-30", "YYYY-MM-DD", id="impossible-day"),
        pytest.param("next tuesday", "RFC 3339", id="not-a-date"),
        pytest.param("2026-03-01T09:30:00", "no UTC offset", id="no-offset"),
        pytest.param(1772323200, "got int", id="a-number"),
    ],
)
@pytest.mark.anyio
async def test_a_bad_date_is_an_input_error_before_sending(value: Any, message: str) -> None:
    """Never a raw TypeError, and nothing is sent."""
    api = Api(task())
    async with connect(api) as pylon:
        with pytest.raises(PylonInputError, match=message):
            await pylon.tasks.create(title="Call", due_date=value)
    assert api.requests == []


@pytest.mark.anyio
async def test_an_empty_date_clears_it_on_an_update() -> None:
    """``""`` is what Pylon takes to clear a date; None and UNSET are sent, or not, as before."""
    api = Api(task())
    async with connect(api) as pylon:
        await pylon.tasks.update("t1", due_date="")
        await pylon.tasks.update("t1", title="x")
    assert body_of(api.requests[0]) == {"due_date": ""}
    assert "due_date" not in body_of(api.requests[1])
