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
import os
import pickle
import socket
import traceback
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import attrs
import httpx
import pytest
from harness import Api, connect, no_sleep, required_fields, task_body
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pylon_client._client.config as config_module
from pylon_client import (
    AsyncPylon,
    BulkError,
    Pylon,
    PylonAPIError,
    PylonConfigError,
    PylonConnectionError,
    PylonError,
    PylonTimeoutError,
    RedirectError,
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


def CANARY_PROVIDER() -> str:
    """A token provider giving the canary."""
    return CANARY


async def refused(token: Any = CANARY) -> Outcome:
    pylon = AsyncPylon(
        token, base_url=f"http://127.0.0.1:{closed_port()}", sleep=no_sleep, rate_limit=False
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
    page = {"data": [task_body()], "pagination": {"cursor": "c1", "has_next_page": True}}
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
    pytest.param(lambda: refused(CANARY_PROVIDER), id="connection-refused-token-provider"),
    pytest.param(timeout, id="read-timeout"),
    pytest.param(
        lambda: fail_get(mocked(answer(200, content=b'{"data": {"id": "t1", "ti'))),
        id="truncated-json",
    ),
    pytest.param(
        lambda: status_scenario(200, {"data": {**task_body(), "id": 5}}), id="wrong-types"
    ),
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


def with_locals(error: BaseException) -> str:
    """Our frames of the traceback as reporters that print locals show them (``pytest -l``).

    Only the frames of ``pylon_client``: a test's own frames hold the canary it passed in.
    Every exception of the chain is walked (``__cause__`` and ``__context__``).
    """
    shown = traceback.TracebackException.from_exception(error, capture_locals=True)
    texts: list[str] = []
    seen: set[int] = set()
    todo: list[traceback.TracebackException | None] = [shown]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        for frame in current.stack:
            if f"{os.sep}pylon_client{os.sep}" in frame.filename:
                texts.append(f"{frame.filename}:{frame.name} {frame.locals!r}")
        todo += [current.__cause__, current.__context__]
    return "\n".join(texts)


def pickled(value: object) -> bytes:
    """``pickle.dumps(value)``, or nothing where it refuses (refusing is fine; leaking is not)."""
    try:
        return pickle.dumps(value)
    except (TypeError, AttributeError, pickle.PicklingError):
        return b""


def texts_of(outcome: Outcome) -> list[str]:
    """Every text a user could see, log or store about the failure."""
    error = outcome.error
    texts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    texts += [with_locals(error), repr(pickled(error))]
    texts += [repr(vars(error)), *(repr(extra) for extra in outcome.extras)]
    texts += [repr(pickled(extra)) for extra in outcome.extras]
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


# ---------------------------------------------------------------------- what a user keeps


def static_token() -> str:
    """The canary as a plain token (the parameter id says which kind of token)."""
    return CANARY


async def async_provider() -> str:
    """The canary from an async token provider."""
    return CANARY


TOKENS = [
    pytest.param(CANARY, id="static"),
    pytest.param(static_token, id="provider"),
    pytest.param(async_provider, id="async-provider"),
]


@pytest.mark.parametrize("token", TOKENS)
@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda p: p.tasks.get("t1"), id="get"),
        pytest.param(lambda p: p.tasks.list().collect(), id="list"),
        pytest.param(lambda p: p.tasks.create(title="x"), id="create"),
    ],
)
@pytest.mark.anyio
async def test_responses_handed_out_pickle_without_the_token(token: Any, call: Any) -> None:
    """last_response, a raw response and their requests pickle and repr without the token."""
    page = {"data": [task_body()], "pagination": {"cursor": "", "has_next_page": False}}

    def answer(request: httpx.Request) -> httpx.Response:
        listing = request.method == "GET" and request.url.path == "/tasks"
        return httpx.Response(200, json=page if listing else {"data": task_body()})

    api = Api(handler=answer)
    async with connect(api, token, sleep=no_sleep) as pylon:
        await call(pylon)
        raw = await pylon.with_raw_response.tasks.get("t1")
        last = pylon.last_response
        assert last is not None
        kept = [last, last.http_response, raw, raw.http_response]
        kept.append(raw.http_response.request)
    assert api.requests[0].headers["Authorization"].startswith("Bearer ")  # as it was sent
    for value in kept:
        assert CANARY.encode() not in pickled(value)  # a RawResponse refuses (it holds a parser)
        assert CANARY not in repr(value)
    assert pickled(raw.http_response)
    assert pickled(raw.http_response.request)
    assert raw.http_response.request.headers["authorization"] == "[redacted]"


@pytest.mark.anyio
async def test_last_response_belongs_to_the_client_that_made_the_call() -> None:
    """One client per organization in one task: each sees its own responses, and only those."""
    a_api = Api({"data": task_body("a"), "request_id": "req_a"})
    b_api = Api({"data": task_body("b"), "request_id": "req_b"})
    async with connect(a_api, CANARY) as a, connect(b_api, "other-token") as b:
        await a.tasks.get("t1")
        assert b.last_response is None
        assert b.last_request_id is None
        assert a.last_request_id == "req_a"
        await b.tasks.get("t1")
        ids: tuple[str | None, ...] = (a.last_request_id, b.last_request_id)
        assert ids == ("req_a", "req_b")
        assert a.with_options(max_retries=0).last_request_id == "req_a"  # a copy is the client
        await a.with_options(timeout=5).tasks.get("t2")
        assert a.last_response is not None
        assert a.last_response.http_response.request.url.path == "/tasks/t2"
        seen: list[str | None] = []

        async def elsewhere() -> None:
            seen.append(a.last_request_id)  # a task started here starts with what it saw
            await b.tasks.get("t3")

        async with anyio.create_task_group() as tg:
            tg.start_soon(elsewhere)
        assert seen == ["req_a"]
        last_b = b.last_response
        assert last_b is not None
        assert last_b.http_response.request.url.path == "/tasks/t1"  # not the other task's


def _config_error(client: Any = AsyncPylon, **kwargs: Any) -> PylonConfigError:
    with pytest.raises(PylonConfigError) as info:
        client(**kwargs)
    return info.value


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"token": CANARY + " x"}, id="token-with-a-space"),
        pytest.param({"token": CANARY + "\u00e9"}, id="non-ascii-token"),
        pytest.param({"token": CANARY, "base_url": "ftp://h.example"}, id="bad-base-url"),
        pytest.param({"token": CANARY, "region": "mars"}, id="bad-region"),
        pytest.param({"token": CANARY, "rate_limit_key": ""}, id="bad-rate-limit-key"),
        pytest.param(
            {"token": CANARY, "max_issue_window": timedelta(0)}, id="bad-window-after-setup"
        ),
    ],
)
@pytest.mark.parametrize("client", [AsyncPylon, Pylon], ids=["async", "sync"])
def test_configuration_errors_hold_no_token_in_any_frame(
    client: Any, kwargs: dict[str, Any]
) -> None:
    """With every frame's locals printed, no configuration error shows the token (or crashes)."""
    error = _config_error(client, **kwargs)
    text = with_locals(error)
    assert "__init__" in text  # the client's own frame was printed, locals and all
    assert CANARY not in text


@pytest.mark.parametrize(
    "provider",
    [
        pytest.param(lambda: CANARY + "\n", id="bad-token"),
        pytest.param(lambda: CANARY, id="good-token-refused-connection"),
    ],
)
@pytest.mark.anyio
async def test_provider_errors_hold_no_token_in_any_frame(provider: Any) -> None:
    """A provider's unfit token, or a dropped connection after it: no frame shows it."""
    pylon = AsyncPylon(
        provider, base_url=f"http://127.0.0.1:{closed_port()}", sleep=no_sleep, rate_limit=False
    )
    async with pylon:
        with pytest.raises(PylonError) as info:
            await pylon.tasks.get("t1")
    assert CANARY not in with_locals(info.value)


@pytest.mark.parametrize(
    "base_url",
    [
        pytest.param("ftp://u:secretpw@h", id="other-scheme"),
        pytest.param("https://user:secretpw@", id="no-host"),
        pytest.param("https://user:secretpw@[::1", id="unclosed-ipv6"),
        pytest.param("https://user:secretpw@host:abc/", id="bad-port"),
        pytest.param("http://user:secretpw@10.0.0.7", id="insecure"),
    ],
)
def test_refused_base_urls_never_echo_their_password(
    base_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The message, the traceback and the CLI's one line quote the URL without its userinfo."""
    error = _config_error(token="tok", base_url=base_url)
    assert "secretpw" not in str(error)
    assert "secretpw" not in "".join(traceback.format_exception(error))
    from pylon_client.cli.main import main

    status = main(["--base-url", base_url, "tasks", "list"], backend="asyncio")
    out, err = capsys.readouterr()
    assert status != 0
    assert "secretpw" not in out + err


@pytest.mark.anyio
async def test_a_half_built_client_still_has_a_repr() -> None:
    """Repr of a client whose __init__ raised says what it can instead of raising."""
    pylon = AsyncPylon.__new__(AsyncPylon)
    assert repr(pylon) == "AsyncPylon(base_url=None)"
    assert repr(Pylon.__new__(Pylon)) == "Pylon(base_url=None)"


# ---------------------------------------------------------------------- plain http


@pytest.mark.parametrize(
    "base_url",
    [
        pytest.param("http://127.0.0.1.nip.io", id="loopback-lookalike-dns"),
        pytest.param("http://localhost.evil.example", id="localhost-prefix"),
        pytest.param("http://0.0.0.0:8080", id="unspecified-address"),
        pytest.param("http://[::ffff:192.168.1.10]", id="ipv4-mapped-lan"),
        pytest.param("http://[::127.0.0.1]", id="ipv4-compatible-ipv6"),
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
        pytest.param("http://[::ffff:127.0.0.1]:8080", {}, id="ipv4-mapped-loopback"),
        pytest.param("http://localhost:8080", {}, id="localhost"),
        pytest.param("http://LOCALHOST", {}, id="localhost-upper"),
        pytest.param("https://api.example.com", {}, id="https-anywhere"),
        pytest.param("http://api.example.com", {"allow_insecure": True}, id="opt-in"),
    ],
)
@pytest.mark.anyio
async def test_loopback_https_or_opt_in_is_accepted(base_url: str, kwargs: dict[str, Any]) -> None:
    """Loopback (127.0.0.0/8 also IPv4-mapped, ::1, localhost), https, or an opt-in are accepted."""
    async with mocked(answer(200, {"data": task_body()}), base_url=base_url, **kwargs) as pylon:
        assert (await pylon.tasks.get("t1")).id == "t1"


# ---------------------------------------------------------------------- redirects


def redirector_to(location: str) -> Api:
    """Answers the first request with a redirect to ``location``, then 200; records them all."""
    return Api(httpx.Response(302, headers={"Location": location}), {"data": task_body()})


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
        pytest.param("https://user:pw@evil.example/x?q=1", id="with-credentials"),
    ],
)
@pytest.mark.parametrize("follow", [True, False])
@pytest.mark.anyio
async def test_a_redirect_to_another_origin_is_refused_whoever_owns_the_client(
    location: str, follow: bool
) -> None:
    """Even a user's follow_redirects=True client never sends to, nor returns, another host."""
    redirector = redirector_to(location)
    async with (
        httpx.AsyncClient(
            follow_redirects=follow, transport=httpx.MockTransport(redirector)
        ) as http_client,
        AsyncPylon(CANARY, http_client=http_client, rate_limit=False, sleep=no_sleep) as pylon,
    ):
        with pytest.raises(RedirectError) as info:
            await pylon.tasks.get("t1")
    assert [r.url.host for r in redirector.requests] == ["api.usepylon.com"]
    assert info.value.status_code == 302
    url = httpx.URL(location)
    port = f":{url.port}" if url.port else ""
    assert f"(a redirect to {url.scheme}://{url.host}{port}, not followed)" in str(info.value)
    assert "pw@" not in str(info.value)
    assert "/steal" not in str(info.value)


@pytest.mark.anyio
async def test_a_redirect_within_the_origin_is_followed_when_the_client_follows() -> None:
    """A user's follow_redirects=True client still follows a redirect to the same origin."""
    redirector = redirector_to("https://api.usepylon.com/tasks/t1-moved")
    async with (
        httpx.AsyncClient(follow_redirects=True, transport=redirector.transport) as http_client,
        AsyncPylon(CANARY, http_client=http_client, rate_limit=False, sleep=no_sleep) as pylon,
    ):
        task = await pylon.tasks.get("t1")
        assert pylon.last_response is not None
        kept = pylon.last_response.http_response.request
    assert task.id == "t1"
    assert [r.url.path for r in redirector.requests] == ["/tasks/t1", "/tasks/t1-moved"]
    assert kept.headers["Authorization"] == "[redacted]"


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
    return sorted(
        {*model.from_dict(required_fields(model)).to_dict(), *(n.rstrip("_") for n in names)}
    )


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
