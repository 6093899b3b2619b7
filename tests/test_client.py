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
from harness import (
    Api,
    FakeClock,
    RecordingSleep,
    Reply,
    complete,
    connect,
    envelope,
    reply,
    required_fields,
    task,
    task_body,
)

from pylon_client import (
    AsyncPylon,
    ConflictError,
    InternalServerError,
    PylonAPIError,
    PylonConfigError,
    PylonConnectionError,
    PylonError,
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

Call = Callable[[AsyncPylon], Awaitable[Any]]

pytestmark = pytest.mark.usefixtures("clean_env")


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
            httpx.ConnectError, lambda p: p.tasks.get("t1"), task_body(), id="connect-get"
        ),
        pytest.param(
            httpx.ConnectError,
            lambda p: p.tasks.create(title="x"),
            task_body(),
            id="connect-post-not-sent",
        ),
        pytest.param(
            httpx.ReadTimeout, lambda p: p.tasks.get("t1"), task_body(), id="read-timeout-get"
        ),
        pytest.param(
            httpx.RemoteProtocolError, lambda p: p.tasks.get("t1"), task_body(), id="dropped-get"
        ),
        pytest.param(
            httpx.ReadError,
            lambda p: p.tasks.search().collect(),
            [task_body()],
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
    limiter = RateLimiter({"GET /tasks/{id}": 30}, clock=fake, sleep=fake.sleep)
    starts: list[float] = []
    results: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        starts.append(fake())
        return httpx.Response(200, json={"data": task_body(request.url.path.rsplit("/", 1)[1])})

    retry_sleep = RecordingSleep()
    async with connect(Api(handler=handler), rate_limit=limiter, sleep=retry_sleep) as pylon:
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
        pytest.param({"data": task_body(account=5)}, id="account-number"),
        pytest.param({"data": {**task_body(), "id": 5}}, id="id-number"),
        pytest.param({"data": task_body(created_at="yesterday")}, id="created-at-not-a-date"),
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
    required = required_fields(model)
    optional = {n.rstrip("_"): None for n in names if n.rstrip("_") not in required}
    result: dict[str, Any] = {**optional, **required}
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
    """Pylon's nulls parse: every optional field of the returned model is None."""
    data = {**_all_null(model), "id": "x"}
    assert len(data) > 5
    api = Api(reply(200, {"data": data, "request_id": "req_1"}))
    async with connect(api) as pylon:
        result = await call(pylon)
    assert type(result) is model
    required = required_fields(model)
    for field in attrs.fields(model):
        if field.init and field.name.rstrip("_") not in required:
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
    api = Api(reply(200, {"data": complete(Issue, id="i1", state="weird_custom")}))
    async with connect(api) as pylon:
        issue = await pylon.issues.get("i1")
    assert issue.state == "weird_custom"


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
