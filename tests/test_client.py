from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import anyio
import anyio.lowlevel
import attrs
import httpx
import pytest

from pylon_client import (
    AsyncPylon,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    Page,
    PayloadTooLargeError,
    PermissionDeniedError,
    PylonAPIError,
    PylonConfigError,
    PylonConnectionError,
    PylonError,
    PylonInputError,
    PylonTimeoutError,
    RateLimiter,
    RateLimitError,
    ResponseValidationError,
    RetryEvent,
    RetryPolicy,
    __version__,
)
from pylon_client._generated.models.account import Account
from pylon_client._generated.models.issue import Issue
from pylon_client._generated.models.mini_account import MiniAccount
from pylon_client._generated.models.project import Project
from pylon_client._generated.models.task import Task

CANARY = "canary-SECRET-123"
ENV_VARS = ("PYLON_API_TOKEN", "PYLON_BASE_URL", "PYLON_LOG")

# A scripted answer: a response (copied for each use) or an httpx error class to raise.
Reply = httpx.Response | type[httpx.TransportError]
Call = Callable[[AsyncPylon], Awaitable[Any]]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start every test with none of the client's environment variables set."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


def reply(
    status: int = 200,
    payload: Any = None,
    *,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """A response with a JSON ``payload`` or raw ``content``."""
    if content is not None:
        return httpx.Response(status, content=content, headers=headers)
    return httpx.Response(status, json=payload, headers=headers)


def task(task_id: str = "t1", request_id: str = "req_1", **fields: Any) -> httpx.Response:
    """A 200 holding one Task."""
    return reply(200, {"data": {"id": task_id, **fields}, "request_id": request_id})


def envelope(code: str, *errors: str, request_id: str = "req_err", **extra: Any) -> dict[str, Any]:
    """Pylon's error envelope."""
    return {"errors": list(errors), "code": code, "request_id": request_id, **extra}


class Api:
    """A MockTransport handler: records each request and plays scripted replies in order.

    The last reply repeats once the script is down to it.
    """

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        """Record ``request`` and play the next reply."""
        self.requests.append(request)
        item = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(item, type):
            raise item("scripted failure", request=request)
        return httpx.Response(item.status_code, headers=item.headers, content=item.content)

    @property
    def last(self) -> httpx.Request:
        """The latest request."""
        return self.requests[-1]


class RecordingSleep:
    """A sleep that returns at once and records what it was asked to wait."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, delay: float) -> None:
        """Record the delay and yield once."""
        self.waits.append(delay)
        await anyio.lowlevel.checkpoint()


class FakeClock:
    """Virtual time: a sleep yields once, then moves time to the sleeper's deadline."""

    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        """Return the virtual time."""
        return self.t

    async def sleep(self, delay: float) -> None:
        """Wake no earlier than ``delay`` virtual seconds from now, without real waiting."""
        deadline = self.t + delay
        await anyio.lowlevel.checkpoint()
        self.t = max(self.t, deadline)


def connect(api: Api, token: str = "tok", **kwargs: Any) -> AsyncPylon:  # noqa: S107 (a test token)
    """A client sending to ``api``; unpaced, and waiting on a recording fake unless told."""
    kwargs.setdefault("rate_limit", False)
    kwargs.setdefault("sleep", RecordingSleep())
    return AsyncPylon(token, transport=httpx.MockTransport(api), **kwargs)


# ---------------------------------------------------------------------- configuration


@pytest.mark.parametrize("token", [pytest.param(None, id="none"), pytest.param("", id="empty")])
def test_missing_token_raises_config_error_naming_the_variable(token: str | None) -> None:
    """Without a token and without PYLON_API_TOKEN the error names the variable to set."""
    with pytest.raises(PylonConfigError, match="PYLON_API_TOKEN") as info:
        AsyncPylon(token)
    assert isinstance(info.value, ValueError)


@pytest.mark.anyio
async def test_token_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """PYLON_API_TOKEN supplies the bearer token when none is passed."""
    monkeypatch.setenv("PYLON_API_TOKEN", "env-token-1")
    api = Api(task())
    async with AsyncPylon(transport=httpx.MockTransport(api), rate_limit=False) as pylon:
        await pylon.tasks.get("t1")
    assert api.last.headers["Authorization"] == "Bearer env-token-1"


@pytest.mark.anyio
async def test_explicit_token_beats_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A token passed in wins over PYLON_API_TOKEN."""
    monkeypatch.setenv("PYLON_API_TOKEN", "env-token-1")
    api = Api(task())
    async with connect(api, token="arg-token-2") as pylon:
        await pylon.tasks.get("t1")
    assert api.last.headers["Authorization"] == "Bearer arg-token-2"


BAD_TOKENS = [
    pytest.param(f"{CANARY} x", id="space"),
    pytest.param(f"{CANARY}\n", id="newline"),
    pytest.param(f"{CANARY}\r\n", id="crlf"),
    pytest.param(f"\t{CANARY}", id="tab"),
    pytest.param(f"{CANARY}\x00", id="nul"),
    pytest.param(f"{CANARY}\x1b[0m", id="escape"),
    pytest.param(f"{CANARY}\x7f", id="del"),
    pytest.param(f"{CANARY}\u00e9", id="non-ascii"),
]


@pytest.mark.parametrize("token", BAD_TOKENS)
def test_malformed_token_is_rejected_without_echoing_it(token: str) -> None:
    """A token with whitespace or control characters is a config error that never shows it."""
    with pytest.raises(PylonConfigError) as info:
        AsyncPylon(token)
    for text in (str(info.value), repr(info.value)):
        assert CANARY not in text
        assert "canary" not in text


@pytest.mark.parametrize("token", [p for p in BAD_TOKENS if p.id != "nul"])
def test_malformed_token_from_the_environment_is_rejected(
    monkeypatch: pytest.MonkeyPatch, token: str
) -> None:
    """A malformed PYLON_API_TOKEN is rejected the same way, without echoing it."""
    monkeypatch.setenv("PYLON_API_TOKEN", token)
    with pytest.raises(PylonConfigError) as info:
        AsyncPylon()
    assert CANARY not in str(info.value)


@pytest.mark.anyio
async def test_base_url_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """PYLON_BASE_URL sets the API root; a trailing slash does not double up."""
    monkeypatch.setenv("PYLON_BASE_URL", "https://pylon.example.test/")
    api = Api(task())
    async with connect(api) as pylon:
        assert pylon.base_url == "https://pylon.example.test"
        await pylon.tasks.get("t1")
    assert str(api.last.url) == "https://pylon.example.test/tasks/t1"


@pytest.mark.anyio
async def test_explicit_base_url_beats_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """base_url= wins over PYLON_BASE_URL and keeps its path prefix."""
    monkeypatch.setenv("PYLON_BASE_URL", "https://env.example.test")
    api = Api(task())
    async with connect(api, base_url="https://arg.example.test/v1") as pylon:
        await pylon.tasks.get("t1")
    assert str(api.last.url) == "https://arg.example.test/v1/tasks/t1"


@pytest.mark.parametrize(
    ("region", "host"),
    [
        pytest.param("us", "https://api.usepylon.com", id="us"),
        pytest.param("eu", "https://api.eu.usepylon.com", id="eu"),
    ],
)
@pytest.mark.anyio
async def test_region_picks_the_host(region: str, host: str) -> None:
    """region="eu" sends to api.eu.usepylon.com, "us" (the default) to api.usepylon.com."""
    api = Api(task())
    async with connect(api, region=region) as pylon:
        assert pylon.base_url == host
        await pylon.tasks.get("t1")
    assert str(api.last.url) == f"{host}/tasks/t1"


def test_unknown_region_is_a_config_error() -> None:
    """A region other than "us" or "eu" is rejected."""
    with pytest.raises(PylonConfigError, match="region"):
        AsyncPylon("tok", region="ap")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "base_url",
    [
        pytest.param("ftp://x", id="ftp"),
        pytest.param("not a url", id="not-a-url"),
        pytest.param("https://", id="no-host"),
        pytest.param("api.usepylon.com", id="no-scheme"),
        pytest.param("https://user:pw@api.usepylon.com", id="credentials"),
        pytest.param("https://api.usepylon.com?x=1", id="query"),
    ],
)
def test_bad_base_url_is_a_config_error(base_url: str) -> None:
    """A base URL that is not http(s) with a plain host is rejected."""
    with pytest.raises(PylonConfigError):
        AsyncPylon("tok", base_url=base_url)


@pytest.mark.parametrize(
    "base_url",
    [
        pytest.param("http://api.usepylon.com", id="public-host"),
        pytest.param("http://10.0.0.7:8080", id="private-ip"),
        pytest.param("http://localhost.example.com", id="lookalike"),
    ],
)
@pytest.mark.anyio
async def test_plain_http_to_a_remote_host_needs_allow_insecure(base_url: str) -> None:
    """http:// to a host that is not loopback is refused unless allow_insecure=True."""
    with pytest.raises(PylonConfigError, match="allow_insecure"):
        AsyncPylon("tok", base_url=base_url)
    api = Api(task())
    async with connect(api, base_url=base_url, allow_insecure=True) as pylon:
        await pylon.tasks.get("t1")
    assert api.last.url.scheme == "http"


@pytest.mark.parametrize(
    "base_url",
    [
        pytest.param("http://127.0.0.1:8080", id="ipv4"),
        pytest.param("http://localhost:8000", id="localhost"),
        pytest.param("http://[::1]:9000", id="ipv6"),
    ],
)
@pytest.mark.anyio
async def test_plain_http_to_loopback_is_allowed(base_url: str) -> None:
    """http:// to 127.0.0.1, localhost or ::1 needs no opt-in (local fakes and tests)."""
    api = Api(task())
    async with connect(api, base_url=base_url) as pylon:
        await pylon.tasks.get("t1")
    assert str(api.last.url) == f"{base_url}/tasks/t1"


@pytest.mark.anyio
async def test_every_request_carries_user_agent_authorization_and_default_headers() -> None:
    """Requests send "pylon-client/<version>", "Bearer <token>" and the default_headers."""
    api = Api(task())
    async with connect(api, token="tok-7", default_headers={"X-Team": "support"}) as pylon:
        await pylon.tasks.get("t1")
        await pylon.tasks.create(title="Kickoff call")
    for request in api.requests:
        assert request.headers["User-Agent"] == f"pylon-client/{__version__}"
        assert request.headers["Authorization"] == "Bearer tok-7"
        assert request.headers["X-Team"] == "support"


@pytest.mark.anyio
async def test_user_http_client_keeps_its_transport_and_stays_open() -> None:
    """A caller's AsyncClient sends through its own transport, gets auth, and is not closed."""
    api = Api(task())
    async with httpx.AsyncClient(
        transport=httpx.MockTransport(api), headers={"X-Proxy-Tag": "edge"}
    ) as user_client:
        async with AsyncPylon("tok", http_client=user_client, rate_limit=False) as pylon:
            await pylon.tasks.get("t1")
        assert not user_client.is_closed
        assert len(api.requests) == 1
        request = api.last
        assert request.headers["Authorization"] == "Bearer tok"
        assert request.headers["X-Proxy-Tag"] == "edge"
        await user_client.get("https://api.usepylon.com/tasks/t2")
    assert len(api.requests) == 2


@pytest.mark.anyio
async def test_http_client_and_transport_together_are_a_config_error() -> None:
    """http_client= and transport= are mutually exclusive."""
    async with httpx.AsyncClient() as client:
        with pytest.raises(PylonConfigError, match="not both"):
            AsyncPylon("tok", http_client=client, transport=httpx.MockTransport(Api(task())))


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        pytest.param({}, dict.fromkeys(("connect", "read", "write", "pool"), 30.0), id="default"),
        pytest.param(
            {"timeout": None}, dict.fromkeys(("connect", "read", "write", "pool")), id="none"
        ),
        pytest.param(
            {"timeout": 5}, dict.fromkeys(("connect", "read", "write", "pool"), 5.0), id="number"
        ),
        pytest.param(
            {"timeout": httpx.Timeout(2.0, read=9.0)},
            {"connect": 2.0, "read": 9.0, "write": 2.0, "pool": 2.0},
            id="httpx-timeout",
        ),
    ],
)
@pytest.mark.anyio
async def test_timeout_reaches_each_request(
    kwargs: dict[str, Any], expected: dict[str, float | None]
) -> None:
    """Our own client times out after 30 s by default; timeout=None means no limit."""
    api = Api(task())
    async with connect(api, **kwargs) as pylon:
        await pylon.tasks.get("t1")
    assert api.last.extensions["timeout"] == expected


# ---------------------------------------------------------------------- retries


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        pytest.param({"Retry-After": "2"}, 2.0, id="retry-after"),
        pytest.param({"retry-after-ms": "1500"}, 1.5, id="retry-after-ms"),
        pytest.param({"X-Retry-After": "3"}, 3.0, id="x-retry-after"),
    ],
)
@pytest.mark.anyio
async def test_rate_limited_call_waits_as_told_and_returns_the_result(
    headers: dict[str, str], wait: float
) -> None:
    """A 429 naming its wait in any of the three headers is slept, then retried."""
    sleep = RecordingSleep()
    api = Api(reply(429, envelope("rate_limited"), headers=headers), task(title="Kickoff call"))
    async with connect(api, sleep=sleep) as pylon:
        result = await pylon.tasks.get("t1")
    assert sleep.waits == [wait]
    assert len(api.requests) == 2
    assert isinstance(result, Task)
    assert result.title == "Kickoff call"


@pytest.mark.anyio
async def test_rate_limited_create_is_retried() -> None:
    """A 429 on POST /tasks is retried too: the request provably was not applied."""
    sleep = RecordingSleep()
    api = Api(reply(429, envelope("rate_limited"), headers={"Retry-After": "1"}), task())
    async with connect(api, sleep=sleep) as pylon:
        await pylon.tasks.create(title="Kickoff call")
    assert sleep.waits == [1.0]
    assert [r.method for r in api.requests] == ["POST", "POST"]
    assert api.requests[0].content == api.requests[1].content


@pytest.mark.anyio
async def test_service_unavailable_is_retried_once_then_succeeds() -> None:
    """A 503 then a 200 costs one retry after a backoff wait."""
    sleep = RecordingSleep()
    api = Api(reply(503, envelope("internal_error")), task())
    async with connect(api, sleep=sleep, retry=RetryPolicy(jitter=0)) as pylon:
        result = await pylon.tasks.get("t1")
    assert result.id == "t1"
    assert len(api.requests) == 2
    assert sleep.waits == [0.5]


@pytest.mark.parametrize(
    ("error", "call", "data"),
    [
        pytest.param(
            httpx.ConnectError, lambda p: p.tasks.get("t1"), {"id": "t1"}, id="connect-get"
        ),
        pytest.param(
            httpx.ConnectError,
            lambda p: p.tasks.create(title="x"),
            {"id": "t1"},
            id="connect-post-not-sent",
        ),
        pytest.param(
            httpx.ReadTimeout, lambda p: p.tasks.get("t1"), {"id": "t1"}, id="read-timeout-get"
        ),
        pytest.param(
            httpx.RemoteProtocolError, lambda p: p.tasks.get("t1"), {"id": "t1"}, id="dropped-get"
        ),
        pytest.param(
            httpx.ReadError,
            lambda p: p.tasks.search().collect(),
            [{"id": "t1"}],
            id="read-error-search",
        ),
    ],
)
@pytest.mark.anyio
async def test_connection_error_is_retried_when_safe(
    error: type[httpx.TransportError], call: Call, data: Any
) -> None:
    """A connection error is retried for reads, and for writes that provably never left."""
    sleep = RecordingSleep()
    api = Api(error, reply(200, {"data": data}))
    async with connect(api, sleep=sleep, retry=RetryPolicy(jitter=0)) as pylon:
        await call(pylon)
    assert len(api.requests) == 2
    assert sleep.waits == [0.5]


@pytest.mark.anyio
async def test_create_after_read_timeout_is_not_retried_and_may_have_applied() -> None:
    """POST /tasks after a read timeout raises PylonTimeoutError saying it may have applied."""
    sleep = RecordingSleep()
    api = Api(httpx.ReadTimeout, task())
    async with connect(api, sleep=sleep) as pylon:
        with pytest.raises(PylonTimeoutError) as info:
            await pylon.tasks.create(title="Kickoff call")
    assert len(api.requests) == 1
    assert sleep.waits == []
    assert info.value.maybe_applied is True
    assert "may have been applied" in str(info.value)
    assert "POST /tasks" in str(info.value)
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)


@pytest.mark.anyio
async def test_get_after_connect_error_exhausted_did_not_apply() -> None:
    """When every attempt fails to connect, PylonConnectionError says nothing was applied."""
    sleep = RecordingSleep()
    api = Api(httpx.ConnectError)
    async with connect(api, sleep=sleep, max_retries=1) as pylon:
        with pytest.raises(PylonConnectionError) as info:
            await pylon.tasks.get("t1")
    assert type(info.value) is PylonConnectionError
    assert info.value.maybe_applied is False
    assert len(api.requests) == 2
    assert "may have been applied" not in str(info.value)


@pytest.mark.anyio
async def test_rate_limit_wait_above_the_cap_is_raised_not_slept() -> None:
    """A 429 asking for 120 s (above the 60 s cap) raises RateLimitError(retry_after=120)."""
    sleep = RecordingSleep()
    api = Api(reply(429, envelope("rate_limited"), headers={"Retry-After": "120"}), task())
    async with connect(api, sleep=sleep) as pylon:
        with pytest.raises(RateLimitError) as info:
            await pylon.tasks.get("t1")
    assert info.value.retry_after == 120.0
    assert info.value.code == "rate_limited"
    assert sleep.waits == []
    assert len(api.requests) == 1


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda p: p.tasks.create(title="Kickoff call"), id="post"),
        pytest.param(lambda p: p.tasks.get("t1"), id="get"),
    ],
)
@pytest.mark.anyio
async def test_conflict_is_not_retried(call: Call) -> None:
    """A 409 raises ConflictError with exists_id at once, for any method."""
    sleep = RecordingSleep()
    body = envelope("duplicate_object", "task exists", exists_id="task_9")
    api = Api(reply(409, body), task())
    async with connect(api, sleep=sleep) as pylon:
        with pytest.raises(ConflictError) as info:
            await call(pylon)
    assert info.value.exists_id == "task_9"
    assert len(api.requests) == 1
    assert sleep.waits == []


@pytest.mark.anyio
async def test_retries_exhausted_on_500_raise_internal_server_error() -> None:
    """Persistent 500s raise InternalServerError after max_retries + 1 attempts."""
    sleep = RecordingSleep()
    api = Api(reply(500, envelope("internal_error", "boom")))
    async with connect(api, sleep=sleep, max_retries=3) as pylon:
        with pytest.raises(InternalServerError) as info:
            await pylon.tasks.get("t1")
    assert len(api.requests) == 4
    assert len(sleep.waits) == 3
    assert info.value.status_code == 500


@pytest.mark.anyio
async def test_create_after_500_is_not_retried() -> None:
    """A 500 on POST /tasks may have applied it, so it is raised without a retry."""
    sleep = RecordingSleep()
    api = Api(reply(500, envelope("internal_error")), task())
    async with connect(api, sleep=sleep) as pylon:
        with pytest.raises(InternalServerError):
            await pylon.tasks.create(title="Kickoff call")
    assert len(api.requests) == 1
    assert sleep.waits == []


@pytest.mark.anyio
async def test_on_retry_hook_sees_each_retry() -> None:
    """on_retry gets a RetryEvent per retry: method, path, attempt, wait, status or error."""
    events: list[RetryEvent] = []
    api = Api(
        reply(429, envelope("rate_limited"), headers={"Retry-After": "2"}),
        httpx.ConnectError,
        task(),
    )
    async with connect(api, on_retry=events.append, retry=RetryPolicy(jitter=0)) as pylon:
        await pylon.tasks.get("t1")
    assert events == [
        RetryEvent(
            method="GET", path="/tasks/t1", attempt=1, wait=2.0, status_code=429, error=None
        ),
        RetryEvent(
            method="GET",
            path="/tasks/t1",
            attempt=2,
            wait=1.0,
            status_code=None,
            error="ConnectError",
        ),
    ]


# ---------------------------------------------------------------------- rate limiting


@pytest.mark.anyio
async def test_rate_limiter_paces_concurrent_calls_on_a_fake_clock() -> None:
    """50 concurrent gets under a 30/min limit: 30 start at t=0, no minute holds more than 30."""
    fake = FakeClock()
    limiter = RateLimiter({"GET /tasks/{id}": 30}, clock=fake.now, sleep=fake.sleep)
    starts: list[float] = []
    results: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        starts.append(fake.now())
        return httpx.Response(200, json={"data": {"id": request.url.path.rsplit("/", 1)[1]}})

    retry_sleep = RecordingSleep()
    async with AsyncPylon(
        "tok", transport=httpx.MockTransport(handler), rate_limit=limiter, sleep=retry_sleep
    ) as pylon:
        assert pylon.rate_limiter is limiter

        async def one(n: int) -> None:
            got = await pylon.tasks.get(f"t{n}")
            assert isinstance(got.id, str)
            results.append(got.id)

        async with anyio.create_task_group() as tg:
            for n in range(50):
                tg.start_soon(one, n)

    assert sorted(results) == sorted(f"t{n}" for n in range(50))
    assert len(starts) == 50
    assert starts == sorted(starts)
    assert starts[:30] == [0.0] * 30
    assert all(t >= 60.0 for t in starts[30:])
    # Any 31 consecutive starts span at least a full window.
    assert all(starts[i + 30] - starts[i] >= 60.0 for i in range(len(starts) - 30))
    assert retry_sleep.waits == []


# ---------------------------------------------------------------------- error mapping


ERRORS = [
    pytest.param(400, BadRequestError, "invalid_request_body", id="400"),
    pytest.param(401, AuthenticationError, "invalid_api_token", id="401"),
    pytest.param(403, PermissionDeniedError, "permission_denied", id="403"),
    pytest.param(404, NotFoundError, "not_found", id="404"),
    pytest.param(409, ConflictError, "duplicate_object", id="409"),
    pytest.param(413, PayloadTooLargeError, "payload_too_large", id="413"),
    pytest.param(429, RateLimitError, "rate_limited", id="429"),
    pytest.param(500, InternalServerError, "internal_error", id="500"),
    pytest.param(502, InternalServerError, "bad_gateway", id="502"),
    pytest.param(503, InternalServerError, "unavailable", id="503"),
    pytest.param(520, InternalServerError, "unknown", id="520"),
    pytest.param(418, PylonAPIError, "teapot", id="418-base"),
    pytest.param(302, PylonAPIError, "moved", id="302-base"),
]


@pytest.mark.parametrize(("status", "cls", "code"), ERRORS)
@pytest.mark.anyio
async def test_error_status_maps_to_its_exception_with_the_envelope(
    status: int, cls: type[PylonAPIError], code: str
) -> None:
    """Each error status raises its class carrying status, code, errors and request id."""
    body = envelope(code, "first problem", "second problem", request_id="req_e1")
    if status == 409:
        body["exists_id"] = "task_9"
    api = Api(reply(status, body, headers={"Retry-After": "5"}))
    async with connect(api, max_retries=0) as pylon:
        with pytest.raises(PylonAPIError) as info:
            await pylon.tasks.get("t1")
    exc = info.value
    assert type(exc) is cls
    assert isinstance(exc, PylonError)
    assert exc.status_code == status
    assert exc.code == code
    assert exc.errors == ["first problem", "second problem"]
    assert exc.request_id == "req_e1"
    assert exc.headers["retry-after"] == "5"
    assert exc.exists_id == ("task_9" if status == 409 else None)
    assert exc.retry_after == (5.0 if status == 429 else None)
    message = str(exc)
    assert f"GET /tasks/t1 -> {status} {code}" in message
    assert "first problem; second problem" in message
    assert "req_e1" in message


@pytest.mark.anyio
async def test_html_error_page_becomes_internal_server_error_with_an_excerpt() -> None:
    """An HTML 502 from a proxy raises InternalServerError whose message quotes the page."""
    page = b"<html><body><h1>502 Bad Gateway</h1>" + b"x" * 1000 + b"</body></html>"
    api = Api(reply(502, content=page, headers={"X-Request-Id": "req_proxy"}))
    async with connect(api, max_retries=0) as pylon:
        with pytest.raises(InternalServerError) as info:
            await pylon.tasks.get("t1")
    assert info.value.status_code == 502
    assert info.value.code is None
    assert info.value.errors == []
    assert info.value.request_id == "req_proxy"
    assert "502 Bad Gateway" in str(info.value)
    assert len(str(info.value)) < 400


@pytest.mark.anyio
async def test_empty_error_body_is_reported_as_such() -> None:
    """A 500 without a body still raises InternalServerError with a readable message."""
    api = Api(reply(500, content=b""))
    async with connect(api, max_retries=0) as pylon:
        with pytest.raises(InternalServerError, match="no body"):
            await pylon.tasks.get("t1")


@pytest.mark.anyio
async def test_truncated_json_is_a_response_validation_error() -> None:
    """A 200 cut off mid-JSON raises ResponseValidationError with status 200 and an excerpt."""
    api = Api(reply(200, content=b'{"data": {"id": "t'))
    async with connect(api) as pylon:
        with pytest.raises(ResponseValidationError) as info:
            await pylon.tasks.get("t1")
    assert info.value.status_code == 200
    assert info.value.body_excerpt == '{"data": {"id": "t'
    assert "not JSON" in str(info.value)


@pytest.mark.anyio
async def test_non_json_success_is_a_response_validation_error() -> None:
    """A 200 with an HTML body raises ResponseValidationError with at most 200 characters."""
    api = Api(reply(200, content=b"<html>" + b"a" * 5000 + b"</html>"))
    async with connect(api) as pylon:
        with pytest.raises(ResponseValidationError) as info:
            await pylon.tasks.get("t1")
    assert info.value.status_code == 200
    assert info.value.body_excerpt.startswith("<html>aaa")
    assert len(info.value.body_excerpt) == 200


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({"data": "x"}, id="data-string"),
        pytest.param({"data": 5}, id="data-number"),
        pytest.param({"data": None}, id="data-null"),
        pytest.param([{"id": "t1"}], id="top-level-list"),
        pytest.param({"request_id": "r1"}, id="no-data"),
        pytest.param({"data": []}, id="data-list-for-object"),
        pytest.param({"data": {"id": "t1", "account": 5}}, id="account-number"),
        pytest.param({"data": {"id": 5}}, id="id-number"),
        pytest.param({"data": {"id": "t1", "created_at": "yesterday"}}, id="created-at-not-a-date"),
    ],
)
@pytest.mark.anyio
async def test_wrongly_typed_success_is_a_response_validation_error(payload: Any) -> None:
    """A 200 whose data does not have the documented types raises ResponseValidationError."""
    api = Api(reply(200, payload))
    async with connect(api) as pylon:
        with pytest.raises(ResponseValidationError) as info:
            await pylon.tasks.get("t1")
    assert info.value.status_code == 200


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({"data": "x"}, id="data-string"),
        pytest.param({"data": [5]}, id="item-number"),
        pytest.param({"pagination": {"cursor": "c"}}, id="no-data"),
    ],
)
@pytest.mark.anyio
async def test_wrongly_typed_page_is_a_response_validation_error(payload: Any) -> None:
    """A list response whose data is not a list of objects raises ResponseValidationError."""
    api = Api(reply(200, payload))
    async with connect(api) as pylon:
        with pytest.raises(ResponseValidationError):
            await pylon.tasks.list().collect()


def _all_null(model: type[Any]) -> dict[str, Any]:
    # JSON keys can differ from attribute names (Account.type_ is "type"): ask the model.
    names = [f.name for f in attrs.fields(model) if f.init]
    result: dict[str, Any] = model(**{**dict.fromkeys(names), "id": "x"}).to_dict()
    return result


@pytest.mark.parametrize(
    ("model", "call"),
    [
        pytest.param(Task, lambda p: p.tasks.get("x"), id="task"),
        pytest.param(Issue, lambda p: p.issues.get("x"), id="issue"),
        pytest.param(Account, lambda p: p.accounts.get("x"), id="account"),
        pytest.param(Project, lambda p: p.projects.get("x"), id="project"),
    ],
)
@pytest.mark.anyio
async def test_null_in_every_optional_field_parses_as_none(model: type[Any], call: Call) -> None:
    """Pylon's nulls parse: every optional field of the returned model is None (id is required)."""
    data = {**_all_null(model), "id": "x"}
    assert len(data) > 5
    api = Api(reply(200, {"data": data, "request_id": "req_1"}))
    async with connect(api) as pylon:
        result = await call(pylon)
    assert type(result) is model
    for field in attrs.fields(model):
        if field.init and field.name != "id":
            assert getattr(result, field.name) is None, field.name
    assert result.additional_properties == {}


@pytest.mark.anyio
async def test_unknown_fields_and_statuses_are_kept() -> None:
    """Extra fields land in additional_properties and a custom status slug is kept as is."""
    api = Api(
        task(
            status="weird_custom",
            brand_new={"nested": [1, 2]},
            account={"id": "acc_1", "name": "Acme"},
        )
    )
    async with connect(api) as pylon:
        result = await pylon.tasks.get("t1")
    assert result.status == "weird_custom"
    assert result.additional_properties == {"brand_new": {"nested": [1, 2]}}
    assert isinstance(result.account, MiniAccount)
    assert result.account.additional_properties == {"name": "Acme"}


@pytest.mark.anyio
async def test_unknown_issue_state_is_kept() -> None:
    """An issue state the spec does not list comes back unchanged."""
    api = Api(reply(200, {"data": {"id": "i1", "state": "weird_custom"}}))
    async with connect(api) as pylon:
        issue = await pylon.issues.get("i1")
    assert issue.state == "weird_custom"


TRANSPORT_ERRORS = [
    pytest.param(httpx.ConnectError, PylonConnectionError, id="ConnectError"),
    pytest.param(httpx.ConnectTimeout, PylonTimeoutError, id="ConnectTimeout"),
    pytest.param(httpx.ReadTimeout, PylonTimeoutError, id="ReadTimeout"),
    pytest.param(httpx.WriteTimeout, PylonTimeoutError, id="WriteTimeout"),
    pytest.param(httpx.PoolTimeout, PylonTimeoutError, id="PoolTimeout"),
    pytest.param(httpx.ReadError, PylonConnectionError, id="ReadError"),
    pytest.param(httpx.WriteError, PylonConnectionError, id="WriteError"),
    pytest.param(httpx.CloseError, PylonConnectionError, id="CloseError"),
    pytest.param(httpx.RemoteProtocolError, PylonConnectionError, id="RemoteProtocolError"),
    pytest.param(httpx.LocalProtocolError, PylonConnectionError, id="LocalProtocolError"),
    pytest.param(httpx.ProxyError, PylonConnectionError, id="ProxyError"),
    pytest.param(httpx.UnsupportedProtocol, PylonConnectionError, id="UnsupportedProtocol"),
]


@pytest.mark.parametrize(("error", "expected"), TRANSPORT_ERRORS)
@pytest.mark.anyio
async def test_no_raw_httpx_error_escapes(
    error: type[httpx.TransportError], expected: type[PylonError]
) -> None:
    """Every httpx transport error surfaces as a PylonError, the original kept as __cause__."""
    api = Api(error)
    async with connect(api) as pylon:
        with pytest.raises(PylonError) as info:
            await pylon.tasks.get("t1")
    assert type(info.value) is expected
    assert isinstance(info.value.__cause__, error)


# ---------------------------------------------------------------------- token safety


async def _fail(scenario: str) -> tuple[BaseException, list[str]]:
    """Run a failing call with the canary token; return the error and texts that must be clean."""
    replies: dict[str, tuple[Reply, ...]] = {
        "401": (reply(401, envelope("invalid_api_token", "bad token")),),
        "500": (reply(500, envelope("internal_error", "boom")),),
        "connection": (httpx.ConnectError,),
        "timeout": (httpx.ReadTimeout,),
        "validation": (reply(200, content=b'{"data": {"id": "t'),),
    }
    api = Api(*replies[scenario])
    events: list[RetryEvent] = []
    async with connect(api, token=CANARY, on_retry=events.append) as pylon:
        call = pylon.tasks.create(title="x") if scenario == "timeout" else pylon.tasks.get("t1")
        with pytest.raises(PylonError) as info:
            await call
        texts = [repr(pylon), repr(pylon.last_response), repr(events)]
    assert api.last.headers["Authorization"] == f"Bearer {CANARY}"
    exc = info.value
    texts += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    if isinstance(exc, PylonAPIError):
        texts.append(repr(exc.headers))
    return exc, texts


SCENARIOS = [pytest.param(s, id=s) for s in ("401", "500", "connection", "timeout", "validation")]
# Every failure is logged at DEBUG, a timeout or a dropped connection included.
LOGGED_SCENARIOS = [
    pytest.param(s, True, id=s) for s in ("401", "500", "connection", "timeout", "validation")
]


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.anyio
async def test_token_never_appears_in_reprs_or_errors(scenario: str) -> None:
    """The token is absent from the client's repr, last_response and every error text."""
    _, texts = await _fail(scenario)
    for text in texts:
        assert CANARY not in text


@pytest.fixture
def restore_pylon_logger() -> Iterator[logging.Logger]:
    """Undo what PYLON_LOG=debug does to the "pylon_client" logger (a handler, a level)."""
    logger = logging.getLogger("pylon_client")
    handlers, level = list(logger.handlers), logger.level
    yield logger
    for handler in logger.handlers[:]:
        if handler not in handlers:
            logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.mark.parametrize(("scenario", "logs"), LOGGED_SCENARIOS)
@pytest.mark.anyio
async def test_token_never_appears_in_debug_logs(
    scenario: str,
    logs: bool,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    restore_pylon_logger: logging.Logger,
) -> None:
    """With PYLON_LOG=debug a failing call logs at DEBUG, and never the token."""
    monkeypatch.setenv("PYLON_LOG", "debug")
    caplog.set_level(logging.DEBUG, logger="pylon_client")
    await _fail(scenario)
    assert bool(caplog.records) is logs
    assert CANARY not in caplog.text
    for record in caplog.records:
        assert CANARY not in record.getMessage()
    assert CANARY not in capsys.readouterr().err


# ---------------------------------------------------------------------- concurrency


@pytest.mark.anyio
async def test_last_request_id_is_per_task() -> None:
    """Two tasks sharing a client each see the request id of their own latest call."""
    b_done = anyio.Event()
    seen: dict[str, str | None] = {}

    async def handler(request: httpx.Request) -> httpx.Response:
        task_id = request.url.path.rsplit("/", 1)[1]
        if task_id == "a":
            # A's response arrives only after B has finished, so B's is the latest overall.
            await b_done.wait()
        return httpx.Response(200, json={"data": {"id": task_id}, "request_id": f"req_{task_id}"})

    async with AsyncPylon("tok", transport=httpx.MockTransport(handler), rate_limit=False) as pylon:

        async def call(task_id: str) -> None:
            await pylon.tasks.get(task_id)
            seen[task_id] = pylon.last_request_id
            if task_id == "b":
                b_done.set()
            else:
                await anyio.lowlevel.checkpoint()
                seen["a-again"] = pylon.last_request_id

        async with anyio.create_task_group() as tg:
            tg.start_soon(call, "a")
            tg.start_soon(call, "b")
        assert pylon.last_request_id is None
    assert seen == {"a": "req_a", "b": "req_b", "a-again": "req_a"}


# ---------------------------------------------------------------------- pagination


def page(*ids: str, cursor: str | None = None, more: bool | None = None) -> httpx.Response:
    """A 200 list page; ``more=None`` leaves pagination out entirely."""
    payload: dict[str, Any] = {"data": [{"id": i} for i in ids], "request_id": f"req_{len(ids)}"}
    if more is not None:
        payload["pagination"] = {"cursor": cursor, "has_next_page": more}
    return reply(200, payload)


def cursors(api: Api) -> list[str | None]:
    """The cursor each GET /tasks request sent."""
    return [r.url.params.get("cursor") for r in api.requests]


@pytest.mark.anyio
async def test_zero_items_and_no_next_page_is_one_request() -> None:
    """An empty first page with has_next_page false ends the listing."""
    api = Api(page(cursor=None, more=False))
    async with connect(api) as pylon:
        assert await pylon.tasks.list().collect() == []
    assert len(api.requests) == 1


@pytest.mark.anyio
async def test_empty_page_in_the_middle_does_not_stop_the_listing() -> None:
    """An empty page that says there is a next page is followed."""
    api = Api(
        page("t1", cursor="c1", more=True),
        page(cursor="c2", more=True),
        page("t2", cursor=None, more=False),
    )
    async with connect(api) as pylon:
        tasks = await pylon.tasks.list().collect()
    assert [t.id for t in tasks] == ["t1", "t2"]
    assert cursors(api) == [None, "c1", "c2"]


@pytest.mark.parametrize(
    "last",
    [
        pytest.param(page("t2", cursor="", more=True), id="empty-cursor"),
        pytest.param(page("t2", cursor=None, more=True), id="null-cursor"),
        pytest.param(page("t2"), id="no-pagination"),
        pytest.param(page("t2", cursor="c9", more=False), id="has-next-page-false"),
    ],
)
@pytest.mark.anyio
async def test_listing_stops_at_a_page_that_cannot_be_followed(last: httpx.Response) -> None:
    """An empty or missing cursor, a missing pagination, or has_next_page false ends it."""
    api = Api(page("t1", cursor="c1", more=True), last, page("never"))
    async with connect(api) as pylon:
        tasks = await pylon.tasks.list().collect()
    assert [t.id for t in tasks] == ["t1", "t2"]
    assert len(api.requests) == 2


@pytest.mark.parametrize(
    "replies",
    [
        pytest.param(
            (page("t1", cursor="c1", more=True), page("t2", cursor="c1", more=True)), id="same"
        ),
        pytest.param(
            (
                page("t1", cursor="c1", more=True),
                page("t2", cursor="c2", more=True),
                page("t3", cursor="c1", more=True),
            ),
            id="cycle",
        ),
    ],
)
@pytest.mark.anyio
async def test_repeated_cursor_is_a_response_validation_error(
    replies: tuple[httpx.Response, ...],
) -> None:
    """A cursor handed out twice raises ResponseValidationError instead of looping."""
    api = Api(*replies, page("never"))
    async with connect(api) as pylon:
        with pytest.raises(ResponseValidationError, match="already returned"):
            await pylon.tasks.list().collect()
    assert len(api.requests) == len(replies)


@pytest.mark.anyio
async def test_cursor_resumes_a_listing() -> None:
    """cursor= sends the saved cursor with the first request."""
    api = Api(page("t5", cursor=None, more=False))
    async with connect(api) as pylon:
        tasks = await pylon.tasks.list(cursor="c4", limit=10).collect()
    assert [t.id for t in tasks] == ["t5"]
    assert [dict(r.url.params) for r in api.requests] == [{"cursor": "c4", "limit": "10"}]


@pytest.mark.anyio
async def test_paginator_cursor_is_the_resume_point_after_a_break() -> None:
    """After leaving a loop early, paginator.cursor is the next page's cursor."""
    api = Api(page("t1", "t2", cursor="c1", more=True), page("t3", cursor=None, more=False))
    async with connect(api) as pylon:
        paginator = pylon.tasks.list()
        async for _ in paginator:
            break
        assert paginator.cursor == "c1"
        rest = await pylon.tasks.list(cursor=paginator.cursor).collect()
    assert [t.id for t in rest] == ["t3"]
    assert cursors(api) == [None, "c1"]


@pytest.mark.parametrize(
    ("max_items", "expected"),
    [
        pytest.param(0, [], id="zero"),
        pytest.param(2, ["t1", "t2"], id="inside-first-page"),
        pytest.param(3, ["t1", "t2", "t3"], id="exactly-first-page"),
    ],
)
@pytest.mark.anyio
async def test_max_items_stops_without_an_extra_request(
    max_items: int, expected: list[str]
) -> None:
    """max_items ends the listing early and never fetches a page it does not need."""
    api = Api(page("t1", "t2", "t3", cursor="c1", more=True), page("t4", more=False))
    async with connect(api) as pylon:
        tasks = await pylon.tasks.list(max_items=max_items).collect()
    assert [t.id for t in tasks] == expected
    assert len(api.requests) == (1 if max_items else 0)


@pytest.mark.anyio
async def test_pages_yield_page_objects() -> None:
    """.pages() yields Page objects with items, cursor, has_next_page and request_id."""
    api = Api(page("t1", "t2", cursor="c1", more=True), page("t3", cursor=None, more=False))
    async with connect(api) as pylon:
        pages = [p async for p in pylon.tasks.list().pages()]
    assert all(isinstance(p, Page) for p in pages)
    assert [[t.id for t in p.items] for p in pages] == [["t1", "t2"], ["t3"]]
    assert [p.cursor for p in pages] == ["c1", None]
    assert [p.has_next_page for p in pages] == [True, False]
    assert [p.request_id for p in pages] == ["req_2", "req_1"]


@pytest.mark.anyio
async def test_collect_gathers_every_item_in_order() -> None:
    """.collect() returns the items of every page as Task models, in order."""
    api = Api(page("t1", cursor="c1", more=True), page("t2", "t3", more=False))
    async with connect(api) as pylon:
        tasks = await pylon.tasks.list().collect()
    assert [t.id for t in tasks] == ["t1", "t2", "t3"]
    assert all(isinstance(t, Task) for t in tasks)


@pytest.mark.parametrize(
    "limit",
    [
        pytest.param(0, id="zero"),
        pytest.param(-1, id="negative"),
        pytest.param(1000, id="above-999"),
        pytest.param(True, id="bool"),
        pytest.param("50", id="string"),
        pytest.param(2.5, id="float"),
    ],
)
@pytest.mark.anyio
async def test_bad_limit_raises_input_error_before_any_request(limit: Any) -> None:
    """GET /tasks allows limit 1..999 as an int; anything else fails before sending."""
    api = Api(page("t1", more=False))
    async with connect(api) as pylon:
        with pytest.raises(PylonInputError, match="limit"):
            await pylon.tasks.list(limit=limit).collect()
    assert api.requests == []


@pytest.mark.parametrize("limit", [pytest.param(1, id="one"), pytest.param(999, id="max")])
@pytest.mark.anyio
async def test_limit_bounds_are_accepted(limit: int) -> None:
    """limit=1 and limit=999 are sent as they are."""
    api = Api(page("t1", more=False))
    async with connect(api) as pylon:
        await pylon.tasks.list(limit=limit).collect()
    assert api.last.url.params["limit"] == str(limit)


@pytest.mark.anyio
async def test_users_list_is_one_page_even_with_pagination() -> None:
    """GET /users takes no cursor: users.list() reads one page whatever the body says."""
    api = Api(
        reply(
            200,
            {
                "data": [{"id": "u1"}, {"id": "u2"}],
                "pagination": {"cursor": "c1", "has_next_page": True},
            },
        ),
        reply(200, {"data": [{"id": "u3"}]}),
    )
    async with connect(api) as pylon:
        users = await pylon.users.list().collect()
    assert [u.id for u in users] == ["u1", "u2"]
    assert len(api.requests) == 1
    assert api.last.url.query == b""


@pytest.mark.anyio
async def test_teams_list_is_one_page_even_with_pagination() -> None:
    """GET /teams takes no cursor: teams.list() reads one page whatever the body says."""
    api = Api(
        reply(
            200, {"data": [{"id": "tm1"}], "pagination": {"cursor": "c1", "has_next_page": True}}
        ),
        reply(200, {"data": [{"id": "tm2"}]}),
    )
    async with connect(api) as pylon:
        teams = await pylon.teams.list().collect()
    assert [t.id for t in teams] == ["tm1"]
    assert len(api.requests) == 1
