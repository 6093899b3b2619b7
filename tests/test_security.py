"""Security: the token never leaks, plain http only to loopback, no token on redirects.

And the response parsers fail only with ResponseValidationError, whatever the server sends.

``tests/test_client.py`` already shows the token absent from reprs and DEBUG logs for five
failures through a scripted transport; here every error path is walked, on real sockets where
the failure is a socket's (connection refused, read timeout), with the ``httpx`` and
``httpcore`` loggers and stderr checked as well.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import traceback
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import attrs
import httpx
import pytest
from harness import Api, connect, no_sleep
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pylon_client._config as config_module
from pylon_client import (
    AsyncPylon,
    BulkError,
    PylonAPIError,
    PylonConfigError,
    PylonConnectionError,
    PylonError,
    PylonTimeoutError,
    ResponseValidationError,
    RetryPolicy,
)
from pylon_client._generated.models.account import Account
from pylon_client._generated.models.issue import Issue
from pylon_client._generated.models.milestone import Milestone
from pylon_client._generated.models.project import Project
from pylon_client._generated.models.task import Task

CANARY = "canary-7f3a-DO-NOT-LEAK-91c2"
START = datetime(2026, 1, 1, tzinfo=UTC)
LOGGERS = ("pylon_client", "httpx", "httpcore")


def envelope(code: str, message: str, **extra: Any) -> dict[str, Any]:
    """Pylon's error envelope."""
    return {"errors": [message], "code": code, "request_id": "req_err", **extra}


def answer(
    status: int, payload: Any = None, *, content: bytes | None = None, **headers: str
) -> Api:
    """A recording handler that always answers the same."""
    if content is not None:
        return Api(httpx.Response(status, content=content, headers=headers))
    return Api(httpx.Response(status, json=payload, headers=headers))


def mocked(api: Api, **kwargs: Any) -> AsyncPylon:
    """A client holding the canary token, sending to ``api``; retries never wait."""
    kwargs.setdefault("sleep", no_sleep)
    return connect(api, CANARY, **kwargs)


@attrs.frozen
class Outcome:
    """What a failing scenario left behind: the error, and objects whose reprs are checked."""

    error: BaseException
    extras: tuple[object, ...] = ()


Scenario = Callable[[], Awaitable[Outcome]]


async def fail_get(pylon: AsyncPylon) -> Outcome:
    """``tasks.get`` must raise; return the error with the client's reprs."""
    async with pylon:
        with pytest.raises(PylonError) as info:
            await pylon.tasks.get("t1")
        return Outcome(info.value, (pylon, pylon.last_response))


def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def status_scenario(status: int, payload: Any = None) -> Outcome:
    return await fail_get(mocked(answer(status, payload)))


async def refused() -> Outcome:
    pylon = AsyncPylon(
        CANARY, base_url=f"http://127.0.0.1:{closed_port()}", sleep=no_sleep, rate_limit=False
    )
    outcome = await fail_get(pylon)
    assert isinstance(outcome.error, PylonConnectionError)
    return outcome


async def timeout() -> Outcome:
    # A listening socket that never accepts: connections wait in its backlog, unanswered.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        pylon = AsyncPylon(
            CANARY,
            base_url=f"http://127.0.0.1:{sock.getsockname()[1]}",
            timeout=0.05,
            retry=RetryPolicy(max_retries=1),
            sleep=no_sleep,
            rate_limit=False,
        )
        outcome = await fail_get(pylon)
    assert isinstance(outcome.error, PylonTimeoutError)
    return outcome


async def cursor_loop() -> Outcome:
    page = {"data": [{"id": "t1"}], "pagination": {"cursor": "c1", "has_next_page": True}}
    async with mocked(answer(200, page)) as pylon:
        with pytest.raises(ResponseValidationError) as info:
            await pylon.tasks.list().collect()
        return Outcome(info.value, (pylon, pylon.last_response))


async def bulk_failure() -> Outcome:
    async with mocked(answer(500, envelope("internal_error", "boom"))) as pylon:
        result = await pylon.accounts.update_many(["a1", "a2"], tags=["x"])
        with pytest.raises(BulkError) as info:
            result.raise_for_failures()
        return Outcome(info.value, (pylon, pylon.last_response, result, result.failed))


async def export_failure() -> Outcome:
    async with mocked(answer(403, envelope("permission_denied", "no"))) as pylon:
        export = pylon.issues.list(start_time=START, end_time=START + timedelta(days=90))
        with pytest.raises(PylonAPIError) as info:
            await export.collect()
        return Outcome(info.value, (pylon, pylon.last_response, export, export.checkpoint()))


SCENARIOS: list[Any] = [
    pytest.param(lambda: status_scenario(401, envelope("invalid_api_token", "bad")), id="401"),
    pytest.param(lambda: status_scenario(403, envelope("permission_denied", "no")), id="403"),
    pytest.param(lambda: status_scenario(404, envelope("not_found", "none")), id="404"),
    pytest.param(
        lambda: status_scenario(409, envelope("duplicate_object", "dup", exists_id="t9")),
        id="409",
    ),
    pytest.param(
        lambda: fail_get(
            mocked(
                Api(
                    httpx.Response(
                        429, json=envelope("rate_limited", "slow"), headers={"Retry-After": "3600"}
                    )
                )
            )
        ),
        id="429-over-the-cap",
    ),
    pytest.param(lambda: status_scenario(500, envelope("internal_error", "boom")), id="500"),
    pytest.param(
        lambda: fail_get(mocked(answer(502, content=b"<html><h1>502 Bad Gateway</h1></html>"))),
        id="502-html",
    ),
    pytest.param(refused, id="connection-refused"),
    pytest.param(timeout, id="read-timeout"),
    pytest.param(
        lambda: fail_get(mocked(answer(200, content=b'{"data": {"id": "t1", "ti'))),
        id="truncated-json",
    ),
    pytest.param(lambda: status_scenario(200, {"data": {"id": 5}}), id="wrong-types"),
    pytest.param(cursor_loop, id="cursor-loop"),
    pytest.param(bulk_failure, id="bulk-error"),
    pytest.param(export_failure, id="issue-export-failure"),
]


@pytest.fixture
def debug_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """PYLON_LOG=debug with its stderr handler installed afresh, undone afterwards."""
    logger = logging.getLogger("pylon_client")
    handlers, level = list(logger.handlers), logger.level
    monkeypatch.setenv("PYLON_LOG", "debug")
    monkeypatch.setattr(config_module, "_debug_enabled", False)
    yield
    for handler in logger.handlers[:]:
        if handler not in handlers:
            logger.removeHandler(handler)
    logger.setLevel(level)


def texts_of(outcome: Outcome) -> list[str]:
    """Every text a user could see or log about the failure."""
    error = outcome.error
    texts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    texts += [repr(vars(error)), *(repr(extra) for extra in outcome.extras)]
    cause = error.__cause__
    while cause is not None:
        texts += [str(cause), repr(cause), repr(vars(cause))]
        cause = cause.__cause__
    return texts


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.usefixtures("debug_logging")
@pytest.mark.anyio
async def test_canary_token_never_leaks(
    scenario: Scenario, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    """The token is in no repr, message, traceback, log record (any logger, any level) or stderr."""
    caplog.set_level(logging.DEBUG)
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    outcome = await scenario()
    assert isinstance(outcome.error, PylonError)
    for text in texts_of(outcome):
        assert CANARY not in text
    assert caplog.records, "the failure was logged"
    for record in caplog.records:
        assert CANARY not in caplog.handler.format(record)
        assert CANARY not in repr(record.args)
    err = capfd.readouterr().err
    assert "pylon_client" in err  # PYLON_LOG=debug wrote to stderr ...
    assert CANARY not in err  # ... and never the token


# ---------------------------------------------------------------------- plain http


@pytest.mark.parametrize(
    "base_url",
    [
        pytest.param("http://127.0.0.1.nip.io", id="loopback-lookalike-dns"),
        pytest.param("http://localhost.evil.example", id="localhost-prefix"),
        pytest.param("http://0.0.0.0:8080", id="unspecified-address"),
        pytest.param("http://[::ffff:127.0.0.1]", id="ipv4-mapped-ipv6"),
        pytest.param("http://192.168.1.10", id="lan"),
        pytest.param("http://[fe80::1]", id="ipv6-link-local"),
    ],
)
def test_plain_http_to_a_host_that_is_not_loopback_is_refused(base_url: str) -> None:
    """http:// to anything but loopback needs allow_insecure=True; the error says so."""
    with pytest.raises(PylonConfigError, match="allow_insecure"):
        AsyncPylon(CANARY, base_url=base_url)


@pytest.mark.parametrize(
    ("base_url", "kwargs"),
    [
        pytest.param("http://127.0.0.1:8080", {}, id="ipv4-loopback"),
        pytest.param("http://127.9.9.9", {}, id="ipv4-loopback-net"),
        pytest.param("http://[::1]:8080", {}, id="ipv6-loopback"),
        pytest.param("http://localhost:8080", {}, id="localhost"),
        pytest.param("http://LOCALHOST", {}, id="localhost-upper"),
        pytest.param("https://api.example.com", {}, id="https-anywhere"),
        pytest.param("http://api.example.com", {"allow_insecure": True}, id="opt-in"),
    ],
)
@pytest.mark.anyio
async def test_loopback_https_or_opt_in_is_accepted(base_url: str, kwargs: dict[str, Any]) -> None:
    """Loopback (127.0.0.0/8, ::1, localhost), https, or an explicit opt-in are accepted."""
    async with mocked(answer(200, {"data": {"id": "t1"}}), base_url=base_url, **kwargs) as pylon:
        assert (await pylon.tasks.get("t1")).id == "t1"


# ---------------------------------------------------------------------- redirects


def redirector_to(location: str) -> Api:
    """Answers the first request with a redirect to ``location``, then 200; records them all."""
    return Api(httpx.Response(302, headers={"Location": location}), {"data": {"id": "t1"}})


@pytest.mark.anyio
async def test_redirect_is_not_followed_by_default() -> None:
    """A 302 to another origin is an error; no request goes there."""
    redirector = redirector_to("https://evil.example/steal")
    async with mocked(redirector) as pylon:
        with pytest.raises(PylonAPIError) as info:
            await pylon.tasks.get("t1")
    assert info.value.status_code == 302
    assert [r.url.host for r in redirector.requests] == ["api.usepylon.com"]


@pytest.mark.parametrize(
    "location",
    [
        pytest.param("https://evil.example/steal", id="other-host"),
        pytest.param("http://api.usepylon.com/tasks/t1", id="same-host-downgraded-to-http"),
        pytest.param("https://api.usepylon.com:8443/tasks/t1", id="same-host-other-port"),
    ],
)
@pytest.mark.anyio
async def test_followed_redirect_to_another_origin_carries_no_token(location: str) -> None:
    """With a user's follow_redirects=True client, httpx drops Authorization across origins."""
    redirector = redirector_to(location)
    async with (
        httpx.AsyncClient(
            follow_redirects=True, transport=httpx.MockTransport(redirector)
        ) as http_client,
        AsyncPylon(CANARY, http_client=http_client, rate_limit=False, sleep=no_sleep) as pylon,
    ):
        await pylon.tasks.get("t1")
    first, second = redirector.requests
    assert first.headers["Authorization"] == f"Bearer {CANARY}"
    assert str(second.url) == location
    assert "Authorization" not in second.headers
    assert CANARY not in repr(second.headers.raw) + str(second.url)


# ---------------------------------------------------------------------- parser fuzzing

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
PLAUSIBLE = (
    st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat())
    | st.sampled_from(["2026-01-01T00:00:00Z", "", "not-a-date", "9999-12-31T23:59:59+14:00"])
    | st.fixed_dictionaries({"id": JSON}, optional={"name": JSON, "user": JSON, "contact": JSON})
    | st.lists(st.text(max_size=6) | JSON, max_size=3)
)


def json_keys(model: type[Any]) -> list[str]:
    """The JSON keys of a generated model (``type_`` is sent as ``type``)."""
    names = [f.name for f in attrs.fields(model) if f.init]
    return sorted(model(**{**dict.fromkeys(names), "id": "x"}).to_dict())


def shaped(model: type[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Pylon-shaped objects of ``model``: its keys, each with a random type."""
    optional = {key: JSON | PLAUSIBLE for key in json_keys(model) if key != "id"}
    return st.fixed_dictionaries(
        {}, optional={"id": st.text(max_size=8) | JSON, **optional, "extra": JSON}
    )


def single(model: type[Any]) -> st.SearchStrategy[Any]:
    """``{data: object, request_id}`` bodies, or anything at all."""
    return (
        st.fixed_dictionaries({"data": shaped(model)}, optional={"request_id": JSON})
        | st.fixed_dictionaries({"data": JSON})
        | JSON
    )


PAGINATION = st.fixed_dictionaries(
    {}, optional={"cursor": st.sampled_from(["c1", ""]) | JSON, "has_next_page": JSON}
)


def paged(model: type[Any]) -> st.SearchStrategy[Any]:
    """``{data: [objects], pagination}`` bodies, or anything at all."""
    return (
        st.fixed_dictionaries(
            {"data": st.lists(shaped(model) | JSON, max_size=3)},
            optional={"pagination": PAGINATION | JSON, "request_id": JSON},
        )
        | JSON
    )


@attrs.frozen
class Target:
    """One parser reached through the client: a call and the bodies to feed it."""

    call: Callable[[AsyncPylon], Awaitable[Any]]
    bodies: st.SearchStrategy[Any]


TARGETS = [
    pytest.param(Target(lambda p: p.tasks.get("x"), single(Task)), id="task"),
    pytest.param(Target(lambda p: p.projects.get("x"), single(Project)), id="project"),
    pytest.param(Target(lambda p: p.milestones.get("x"), single(Milestone)), id="milestone"),
    pytest.param(Target(lambda p: p.issues.get("x"), single(Issue)), id="issue"),
    pytest.param(Target(lambda p: p.accounts.get("x"), single(Account)), id="account"),
    pytest.param(Target(lambda p: p.tasks.list().collect(), paged(Task)), id="task-page"),
    pytest.param(
        Target(lambda p: p.projects.search().collect(), paged(Project)), id="project-page"
    ),
    pytest.param(
        Target(lambda p: p.milestones.search().collect(), paged(Milestone)), id="milestone-page"
    ),
    pytest.param(
        Target(
            lambda p: p.issues.list(start_time=START, end_time=START + timedelta(days=1)).collect(),
            paged(Issue),
        ),
        id="issue-page",
    ),
    pytest.param(Target(lambda p: p.accounts.list().collect(), paged(Account)), id="account-page"),
]


async def feed(target: Target, body: bytes) -> None:
    """Send one call whose every response is ``body``; only ResponseValidationError may escape."""
    async with mocked(answer(200, content=body), max_retries=0) as pylon:
        with contextlib.suppress(ResponseValidationError):
            await target.call(pylon)


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
@pytest.mark.parametrize("target", TARGETS)
@settings(
    max_examples=75,  # per target: 150 per model (one object, one page) and backend
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_parsers_succeed_or_raise_response_validation_error(
    target: Target, backend: str, data: st.DataObject
) -> None:
    """Whatever JSON the server sends, parsing succeeds or raises ResponseValidationError."""
    body = json.dumps(data.draw(target.bodies)).encode()
    anyio.run(feed, target, body, backend=backend)


@pytest.mark.parametrize("status", [pytest.param(200, id="200"), pytest.param(500, id="500")])
@pytest.mark.anyio
async def test_deeply_nested_json_is_a_pylon_error(status: int) -> None:
    """A body nested 100,000 deep raises a PylonError, not the JSON decoder's RecursionError."""
    body = b"[" * 100_000 + b"]" * 100_000
    async with mocked(answer(status, content=body), max_retries=0) as pylon:
        with pytest.raises(PylonError):
            await pylon.tasks.get("t1")
