from __future__ import annotations

import datetime as dt
import doctest
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import httpx
import pytest
from harness import RecordingSleep
from hypothesis import given
from hypothesis import strategies as st

from pylon_client._exceptions import PylonConfigError
from pylon_client._transport import retry as _retry
from pylon_client._transport.context import CONTEXT_KEY, RequestContext, context_of
from pylon_client._transport.retry import (
    RetryEvent,
    RetryPolicy,
    RetryTransport,
    may_have_been_sent,
    parse_retry_after,
)

BASE = "https://api.usepylon.com"
NOW = dt.datetime(2026, 10, 21, 7, 28, 0, tzinfo=dt.UTC)

# A status, a status with headers, or an httpx error class to raise.
Outcome = int | tuple[int, dict[str, str]] | type[httpx.TransportError]


class TrackedStream(httpx.AsyncByteStream):
    """A response body that remembers whether it was closed."""

    def __init__(self) -> None:
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"{}"

    async def aclose(self) -> None:
        """Remember the close."""
        self.closed = True


class Script(httpx.AsyncBaseTransport):
    """An inner transport that plays a list of outcomes: a status (with headers) or an exception."""

    def __init__(self, *outcomes: Outcome) -> None:
        self.outcomes: list[Outcome] = list(outcomes)
        self.attempts: list[int] = []
        self.bodies: list[TrackedStream] = []
        self.closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Play the next outcome."""
        self.attempts.append(context_of(request).attempt)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, type):
            raise outcome("scripted failure", request=request)
        status, headers = outcome if isinstance(outcome, tuple) else (outcome, {})
        body = TrackedStream()
        self.bodies.append(body)
        return httpx.Response(status, headers=headers, stream=body, request=request)

    async def aclose(self) -> None:
        """Remember the close."""
        self.closed = True


def make(
    inner: httpx.AsyncBaseTransport,
    policy: RetryPolicy | None = None,
    on_retry: Callable[[RetryEvent], object] | None = None,
) -> tuple[RetryTransport, RecordingSleep]:
    sleep = RecordingSleep()
    transport = RetryTransport(
        inner, policy, sleep=sleep, now=lambda: NOW, random=lambda: 0.5, on_retry=on_retry
    )
    return transport, sleep


def request(
    method: str = "GET", path: str = "/tasks", *, retry: bool | None = None
) -> httpx.Request:
    content = b'{"title": "x"}' if method in {"POST", "PATCH", "PUT"} else None
    context = RequestContext(retry=retry)
    return httpx.Request(method, BASE + path, content=content, extensions={CONTEXT_KEY: context})


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        pytest.param({"retry-after-ms": "1500"}, 1.5, id="retry-after-ms"),
        pytest.param({"Retry-After": "3"}, 3.0, id="retry-after-seconds"),
        pytest.param({"Retry-After": "2.5"}, 2.5, id="retry-after-fraction"),
        pytest.param({"Retry-After": "Wed, 21 Oct 2026 07:28:30 GMT"}, 30.0, id="retry-after-date"),
        pytest.param({"X-Retry-After": "4"}, 4.0, id="x-retry-after"),
    ],
)
async def test_429_waits_what_the_server_asked(headers: dict[str, str], expected: float) -> None:
    """A 429 is retried after exactly the wait its header names."""
    inner = Script((429, headers), 200)
    transport, sleep = make(inner)
    response = await transport.handle_async_request(request("POST", "/tasks"))
    assert response.status_code == 200
    assert sleep.waits == [expected]


@pytest.mark.anyio
async def test_503_then_200_retries_once() -> None:
    """A 503 followed by a 200 costs one retry with the initial backoff."""
    inner = Script(503, 200)
    transport, sleep = make(inner)
    response = await transport.handle_async_request(request())
    assert response.status_code == 200
    assert sleep.waits == [0.5]
    assert inner.attempts == [1, 2]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("method", "error"),
    [
        pytest.param("GET", httpx.ConnectError, id="get-connect-error"),
        pytest.param("POST", httpx.ConnectError, id="post-connect-error"),
        pytest.param("POST", httpx.ConnectTimeout, id="post-connect-timeout"),
        pytest.param("PATCH", httpx.PoolTimeout, id="patch-pool-timeout"),
        pytest.param("GET", httpx.ReadTimeout, id="get-read-timeout"),
        pytest.param("DELETE", httpx.RemoteProtocolError, id="delete-remote-protocol-error"),
    ],
)
async def test_connection_errors_are_retried(
    method: str, error: type[httpx.TransportError]
) -> None:
    """A connection error is retried on an idempotent request, and on any request before sending."""
    inner = Script(error, 200)
    transport, _sleep = make(inner)
    response = await transport.handle_async_request(request(method, "/tasks"))
    assert response.status_code == 200
    assert inner.attempts == [1, 2]


@pytest.mark.anyio
@pytest.mark.parametrize(
    "error",
    [
        pytest.param(httpx.ReadTimeout, id="read-timeout"),
        pytest.param(httpx.ReadError, id="read-error"),
        pytest.param(httpx.RemoteProtocolError, id="remote-protocol-error"),
    ],
)
async def test_post_after_possible_delivery_is_not_retried(
    error: type[httpx.TransportError],
) -> None:
    """A POST that may have reached the server is not sent again; the httpx error propagates."""
    inner = Script(error, 200)
    transport, sleep = make(inner)
    with pytest.raises(error):
        await transport.handle_async_request(request("POST", "/tasks"))
    assert inner.attempts == [1]
    assert sleep.waits == []


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("policy", "retry"),
    [
        pytest.param(None, True, id="per-request"),
        pytest.param(RetryPolicy(retry_non_idempotent=True), None, id="policy"),
    ],
)
async def test_post_after_read_timeout_retried_when_opted_in(
    policy: RetryPolicy | None, retry: bool | None
) -> None:
    """Opting in, per request or by policy, retries a POST after a read timeout."""
    inner = Script(httpx.ReadTimeout, 200)
    transport, _sleep = make(inner, policy)
    response = await transport.handle_async_request(request("POST", "/tasks", retry=retry))
    assert response.status_code == 200
    assert inner.attempts == [1, 2]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("method", "path", "status", "attempts"),
    [
        pytest.param("POST", "/issues/search", 500, 2, id="search-post-500-retried"),
        pytest.param("POST", "/tasks", 500, 1, id="create-post-500-not-retried"),
        pytest.param("PATCH", "/tasks/t1", 503, 1, id="patch-503-not-retried"),
        pytest.param("POST", "/tasks", 429, 2, id="create-post-429-retried"),
        pytest.param("PUT", "/tasks/t1", 502, 2, id="put-502-retried"),
        pytest.param("GET", "/tasks", 408, 2, id="get-408-retried"),
        pytest.param("GET", "/tasks", 409, 1, id="get-409-not-retried"),
        pytest.param("POST", "/accounts", 409, 1, id="post-409-not-retried"),
        pytest.param("GET", "/tasks/t1", 404, 1, id="get-404-not-retried"),
        pytest.param("GET", "/tasks", 501, 1, id="get-501-not-retried"),
    ],
)
async def test_which_statuses_are_retried(
    method: str, path: str, status: int, attempts: int
) -> None:
    """Only 408, 429 and 5xx gateway statuses are retried, and 5xx only when idempotent."""
    inner = Script(status, 200)
    transport, _ = make(inner)
    response = await transport.handle_async_request(request(method, path))
    assert inner.attempts == list(range(1, attempts + 1))
    assert response.status_code == (200 if attempts == 2 else status)


@pytest.mark.anyio
async def test_retry_false_in_the_context_disables_retries() -> None:
    """A request whose context says ``retry=False`` is sent once, even a GET after a 503."""
    inner = Script(503, 200)
    transport, sleep = make(inner)
    response = await transport.handle_async_request(request(retry=False))
    assert response.status_code == 503
    assert sleep.waits == []


@pytest.mark.anyio
async def test_one_shot_body_is_not_sent_twice() -> None:
    """A streamed request body that was read is not replayed after a 429."""

    async def body() -> AsyncIterator[bytes]:
        yield b"{}"

    inner = Script(429, 200)
    transport, _sleep = make(inner)
    streamed = httpx.Request("POST", BASE + "/tasks", content=body())
    response = await transport.handle_async_request(streamed)
    assert response.status_code == 429
    assert inner.attempts == [1]


@pytest.mark.anyio
async def test_wait_above_cap_returns_429_without_sleeping() -> None:
    """A server-requested wait above max_retry_wait returns the 429 unslept and unclosed."""
    inner = Script((429, {"Retry-After": "120"}), 200)
    transport, sleep = make(inner, RetryPolicy(max_retry_wait=60))
    response = await transport.handle_async_request(request())
    assert response.status_code == 429
    assert sleep.waits == []
    assert not inner.bodies[0].closed


@pytest.mark.anyio
async def test_retries_exhausted_returns_last_response() -> None:
    """After max_retries retries the last response is returned, open for the caller to read."""
    inner = Script(503, 502, 504, 200)
    transport, _sleep = make(inner, RetryPolicy(max_retries=2))
    response = await transport.handle_async_request(request())
    assert response.status_code == 504
    assert inner.attempts == [1, 2, 3]
    assert [body.closed for body in inner.bodies] == [True, True, False]


@pytest.mark.anyio
async def test_retries_exhausted_reraises_last_error() -> None:
    """After max_retries retries the last httpx error is raised unchanged."""
    inner = Script(httpx.ConnectError, httpx.ConnectError, httpx.ConnectTimeout, 200)
    transport, _ = make(inner, RetryPolicy(max_retries=2))
    with pytest.raises(httpx.ConnectTimeout):
        await transport.handle_async_request(request("POST", "/tasks"))


@pytest.mark.anyio
async def test_backoff_grows_and_is_capped() -> None:
    """Without a server-requested wait the backoff doubles up to max_backoff."""
    inner = Script(*[503] * 7, 200)
    policy = RetryPolicy(max_retries=7, initial_backoff=0.5, max_backoff=dt.timedelta(seconds=8))
    transport, sleep = make(inner, policy)
    await transport.handle_async_request(request())
    assert sleep.waits == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


@given(
    attempt=st.integers(min_value=1, max_value=10_000),
    rand=st.floats(min_value=0.0, max_value=1.0, exclude_max=True),
)
def test_backoff_stays_within_jitter_and_cap(attempt: int, rand: float) -> None:
    """Jittered backoff stays within ±jitter of the exponential value and never passes the cap."""
    policy = RetryPolicy()
    base = min(policy.max_backoff, policy.initial_backoff * 2.0 ** min(attempt - 1, 64))
    wait = policy.backoff(attempt, rand)
    assert 0.0 <= wait <= policy.max_backoff
    assert base * (1 - policy.jitter) <= wait <= base * (1 + policy.jitter)


@pytest.mark.anyio
async def test_on_retry_sees_every_retry() -> None:
    """The on_retry hook gets one event per retry, with status or error and the wait."""
    events: list[RetryEvent] = []
    inner = Script(httpx.ConnectError, (429, {"Retry-After": "1"}), 200)
    transport, _ = make(inner, on_retry=events.append)
    await transport.handle_async_request(request("POST", "/tasks"))
    assert events == [
        RetryEvent(method="POST", path="/tasks", attempt=1, wait=0.5, status_code=None,
                   error="ConnectError"),
        RetryEvent(method="POST", path="/tasks", attempt=2, wait=1.0, status_code=429, error=None),
    ]  # fmt: skip


@pytest.mark.anyio
async def test_retry_log_holds_no_secrets(caplog: pytest.LogCaptureFixture) -> None:
    """The DEBUG retry line names method, path and status, never a header or the query string."""
    inner = Script(503, 200)
    transport, _ = make(inner)
    sent = httpx.Request(
        "GET",
        BASE + "/tasks?cursor=c-123",
        headers={"Authorization": "Bearer tok-secret"},
    )
    with caplog.at_level(logging.DEBUG, logger="pylon_client"):
        await transport.handle_async_request(sent)
    [record] = caplog.records
    text = record.getMessage()
    assert "GET /tasks after 503 on attempt 1" in text
    assert "tok-secret" not in text
    assert "c-123" not in text


@pytest.mark.anyio
async def test_cancel_during_backoff_propagates_and_leaves_nothing_open() -> None:
    """Cancelling while the retry waits stops at once, with the failed response closed."""
    waiting = anyio.Event()

    async def sleep_until_cancelled(delay: float) -> None:
        waiting.set()
        await anyio.sleep_forever()

    inner = Script(503, 200)
    transport = RetryTransport(inner, sleep=sleep_until_cancelled)
    finished = False

    async def send() -> None:
        nonlocal finished
        await transport.handle_async_request(request())
        finished = True

    async with anyio.create_task_group() as tg:
        tg.start_soon(send)
        await waiting.wait()
        tg.cancel_scope.cancel()
    assert not finished
    assert inner.attempts == [1]
    assert inner.bodies[0].closed


@pytest.mark.anyio
async def test_aclose_closes_inner() -> None:
    """Closing the retry transport closes the transport it wraps."""
    inner = Script()
    async with RetryTransport(inner):
        pass
    assert inner.closed


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        pytest.param({}, None, id="none"),
        pytest.param({"retry-after": "7"}, 7.0, id="lower-case-plain-dict"),
        pytest.param({"RETRY-AFTER-MS": "250"}, 0.25, id="upper-case-ms"),
        pytest.param({"Retry-After": "-3"}, 0.0, id="negative-is-zero"),
        pytest.param({"Retry-After": "Wed, 21 Oct 2026 07:27:00 GMT"}, 0.0, id="date-in-past"),
        pytest.param({"Retry-After": "soon"}, None, id="garbage"),
        pytest.param({"Retry-After": "nan"}, None, id="nan"),
        pytest.param({"Retry-After": "inf", "X-Retry-After": "5"}, 5.0, id="inf-falls-through"),
        pytest.param({"retry-after-ms": "100", "Retry-After": "9"}, 0.1, id="ms-first"),
        pytest.param({"Retry-After": "2", "X-Retry-After": "9"}, 2.0, id="retry-after-second"),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    """parse_retry_after reads the three headers in order and ignores what does not parse."""
    assert parse_retry_after(headers, NOW) == expected


def test_parse_retry_after_naive_now_is_utc() -> None:
    """A naive ``now`` is taken as UTC against an HTTP date."""
    naive = NOW.replace(tzinfo=None)
    assert parse_retry_after({"Retry-After": "Wed, 21 Oct 2026 07:28:10 GMT"}, naive) == 10.0


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        pytest.param(httpx.ConnectError("x"), False, id="connect-error"),
        pytest.param(httpx.ConnectTimeout("x"), False, id="connect-timeout"),
        pytest.param(httpx.PoolTimeout("x"), False, id="pool-timeout"),
        pytest.param(httpx.ReadTimeout("x"), True, id="read-timeout"),
        pytest.param(httpx.WriteError("x"), True, id="write-error"),
        pytest.param(httpx.RemoteProtocolError("x"), True, id="remote-protocol-error"),
        pytest.param(RuntimeError("x"), True, id="unknown"),
    ],
)
def test_may_have_been_sent(exc: BaseException, expected: bool) -> None:
    """Only errors raised before the request left count as surely not sent."""
    assert may_have_been_sent(exc) is expected


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"max_retries": -1}, id="negative-retries"),
        pytest.param({"max_retries": 1.5}, id="fractional-retries"),
        pytest.param({"max_retries": True}, id="bool-retries"),
        pytest.param({"initial_backoff": -0.1}, id="negative-backoff"),
        pytest.param({"initial_backoff": 10.0}, id="initial-above-max"),
        pytest.param({"max_backoff": float("inf")}, id="infinite-max-backoff"),
        pytest.param({"jitter": 1.5}, id="jitter-above-one"),
        pytest.param({"jitter": "0.1"}, id="string-jitter"),
        pytest.param({"max_retry_wait": float("nan")}, id="nan-retry-wait"),
        pytest.param({"max_retry_wait": "60"}, id="string-duration"),
    ],
)
def test_policy_rejects_bad_values(kwargs: dict[str, Any]) -> None:
    """RetryPolicy raises PylonConfigError for out-of-range values."""
    with pytest.raises(PylonConfigError):
        RetryPolicy(**kwargs)


def test_policy_accepts_timedelta() -> None:
    """Durations may be given as timedelta and are stored as seconds."""
    policy = RetryPolicy(
        initial_backoff=dt.timedelta(milliseconds=250), max_retry_wait=dt.timedelta(minutes=2)
    )
    assert (policy.initial_backoff, policy.max_retry_wait) == (0.25, 120.0)


def test_docstring_examples() -> None:
    """The examples in the module's docstrings run as written."""
    results = doctest.testmod(_retry)
    assert results.attempted > 0
    assert results.failed == 0
