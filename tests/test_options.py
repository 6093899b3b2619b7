"""Tests of per-call options (``extra_*``, ``timeout``) and of ``AsyncPylon.with_options``."""

from __future__ import annotations

import inspect
from datetime import timedelta
from typing import Any

import attrs
import httpx
import pytest
from harness import Api, RecordingSleep, body_of, connect, envelope, reply, task, task_body

from pylon_client import (
    AsyncPylon,
    ClientOptions,
    Pylon,
    PylonConfigError,
    PylonInputError,
    RateLimiter,
)
from pylon_client._client import async_client
from pylon_client._client.options import Settings
from pylon_client._generated._endpoints import ENDPOINTS
from pylon_client._sync import client as sync_client

pytestmark = pytest.mark.anyio


def page(*ids: str, cursor: str | None = None) -> dict[str, object]:
    """One page of tasks."""
    return {
        "data": [task_body(i) for i in ids],
        "pagination": {"cursor": cursor, "has_next_page": cursor is not None},
        "request_id": "req_p",
    }


async def test_extra_headers_and_query_reach_the_request() -> None:
    """extra_headers add to the client's headers and extra_query to the query string."""
    api = Api(task())
    async with connect(api) as pylon:
        await pylon.tasks.get("t1", extra_headers={"X-Trace": "abc"}, extra_query={"debug": 1})
    sent = api.last
    assert sent.headers["x-trace"] == "abc"
    assert sent.headers["authorization"] == "Bearer tok"
    assert sent.url.params["debug"] == "1"


async def test_extra_headers_reach_a_user_http_client() -> None:
    """With the user's own httpx client, extra headers merge with the client's headers."""
    api = Api(task())
    async with httpx.AsyncClient(transport=httpx.MockTransport(api)) as http:
        client = AsyncPylon("tok", http_client=http, rate_limit=False)
        await client.tasks.get("t1", extra_headers={"X-Trace": "abc"})
    assert api.last.headers["x-trace"] == "abc"
    assert api.last.headers["authorization"] == "Bearer tok"


async def test_extra_body_merges_into_the_json_body() -> None:
    """extra_body adds fields the signature does not know, and may override one."""
    api = Api(task())
    async with connect(api) as pylon:
        await pylon.tasks.create(title="T", extra_body={"new_field": [1, 2], "title": "U"})
    assert body_of(api.last) == {"title": "U", "new_field": [1, 2]}


async def test_extra_body_on_a_request_without_body_is_refused_before_sending() -> None:
    """A GET sends no JSON body: extra_body there is an input error, and nothing is sent."""
    api = Api(task())
    async with connect(api) as pylon:
        with pytest.raises(PylonInputError, match="extra_body"):
            await pylon.tasks.get("t1", extra_body={"x": 1})
    assert api.requests == []


async def test_extra_options_apply_to_every_page() -> None:
    """A list's extra_query and extra_headers go with each page's request."""
    api = Api(page("a", cursor="c2"), page("b"))
    async with connect(api) as pylon:
        items = await pylon.tasks.list(extra_query={"x": "1"}, extra_headers={"X-P": "y"}).collect()
    assert [t.id for t in items] == ["a", "b"]
    assert [r.url.params["x"] for r in api.requests] == ["1", "1"]
    assert [r.headers["x-p"] for r in api.requests] == ["y", "y"]
    assert api.requests[1].url.params["cursor"] == "c2"


async def test_extra_body_applies_to_a_search_body() -> None:
    """A search's extra_body goes into the POSTed body beside filter, cursor and limit."""
    api = Api(page("a"))
    async with connect(api) as pylon:
        await pylon.tasks.search(extra_body={"include": "all"}).collect()
    assert body_of(api.last) == {"include": "all"}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param(2.5, httpx.Timeout(2.5), id="seconds"),
        pytest.param(None, httpx.Timeout(None), id="no-limit"),
        pytest.param(httpx.Timeout(1.0, connect=3.0), httpx.Timeout(1.0, connect=3.0), id="obj"),
    ],
)
async def test_per_call_timeout_reaches_the_request(
    given: float | httpx.Timeout | None, expected: httpx.Timeout
) -> None:
    """timeout= sets this request's timeouts; None means no limit, as written."""
    api = Api(task())
    async with connect(api) as pylon:
        await pylon.tasks.get("t1", timeout=given)
    assert api.last.extensions["timeout"] == expected.as_dict()


async def test_without_timeout_the_client_default_applies() -> None:
    """No per-call timeout: the client's own (30 s by default)."""
    api = Api(task())
    async with connect(api) as pylon:
        await pylon.tasks.get("t1")
    assert api.last.extensions["timeout"] == httpx.Timeout(30.0).as_dict()


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(0, id="zero"),
        pytest.param(-1, id="negative"),
        pytest.param(True, id="bool"),
        pytest.param("5", id="string"),
        pytest.param(float("nan"), id="nan"),
    ],
)
async def test_a_bad_per_call_timeout_is_refused_before_sending(bad: object) -> None:
    """A timeout that is not seconds > 0, a Timeout or None is an input error; nothing sent."""
    api = Api(task())
    async with connect(api) as pylon:
        with pytest.raises(PylonInputError, match="timeout"):
            await pylon.tasks.get("t1", timeout=bad)  # type: ignore[arg-type]  # wrong on purpose
    assert api.requests == []


async def test_extra_headers_of_the_wrong_type_are_refused() -> None:
    """extra_headers must be a mapping."""
    api = Api(task())
    async with connect(api) as pylon:
        with pytest.raises(PylonInputError, match="extra_headers"):
            await pylon.tasks.get("t1", extra_headers=[("a", "b")])  # type: ignore[arg-type]  # wrong on purpose
    assert api.requests == []


async def test_with_options_shares_the_connection_pool_and_the_limiter() -> None:
    """A copy sends through the same httpx client and spends the same limiter."""
    api = Api(task())
    async with connect(api, rate_limit=True) as pylon:
        fast = pylon.with_options(timeout=5, max_retries=0)
        assert fast._http is pylon._http
        assert fast.rate_limiter is pylon.rate_limiter
        await fast.tasks.get("t1")
        await pylon.tasks.get("t1")
    assert api.requests[0].extensions["timeout"] == httpx.Timeout(5).as_dict()
    assert api.requests[1].extensions["timeout"] == httpx.Timeout(30.0).as_dict()


async def test_with_options_max_retries_changes_the_copy_only() -> None:
    """max_retries=0 on a copy stops its retries; the original still retries."""
    api = Api(reply(503, envelope("unavailable")), task())
    async with connect(api) as pylon:
        with pytest.raises(Exception, match="503"):
            await pylon.with_options(max_retries=0).tasks.get("t1")
        assert len(api.requests) == 1
        api.replies = [reply(503, envelope("unavailable")), task()]
        assert (await pylon.tasks.get("t1")).id == "t1"
    assert len(api.requests) == 3


async def test_with_options_rate_limit_false_sends_unpaced() -> None:
    """rate_limit=False on a copy skips the limiter: a spent budget does not hold it back."""
    sleep = RecordingSleep()
    api = Api(task())
    async with connect(
        api, rate_limit=True, sleep=sleep, rate_limit_overrides={"GET /tasks/{id}": 1}
    ) as pylon:
        await pylon.tasks.get("t1")
        unpaced = pylon.with_options(rate_limit=False)
        assert unpaced.rate_limiter is None
        for _ in range(3):
            await unpaced.tasks.get("t1")
    assert sleep.waits == []


async def test_with_options_takes_another_limiter() -> None:
    """rate_limit=<limiter> paces the copy with that limiter."""
    limits = {k: e.rate_limit for k, e in ENDPOINTS.items() if e.rate_limit}
    other = RateLimiter(limits)
    api = Api(task())
    async with connect(api) as pylon:
        copy = pylon.with_options(rate_limit=other)
        assert copy.rate_limiter is other
        await copy.tasks.get("t1")


async def test_a_copy_does_not_close_the_shared_pool() -> None:
    """Closing a copy leaves the original usable; closing the original closes the pool."""
    api = Api(task())
    pylon = connect(api)
    copy = pylon.with_options(timeout=1)
    await copy.aclose()
    assert (await pylon.tasks.get("t1")).id == "t1"
    await pylon.aclose()
    assert pylon._http.is_closed


async def test_with_options_resources_are_bound_to_the_copy() -> None:
    """Resources read before the copy are not reused by it (they would send with the old stack)."""
    api = Api(task())
    async with connect(api) as pylon:
        original = pylon.tasks
        copy = pylon.with_options(timeout=7)
        assert copy.tasks is not original
        await copy.tasks.get("t1")
    assert api.last.extensions["timeout"] == httpx.Timeout(7).as_dict()


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"max_retries": -1}, id="negative-retries"),
        pytest.param({"max_retries": True}, id="bool-retries"),
        pytest.param({"timeout": 0}, id="zero-timeout"),
    ],
)
def test_with_options_refuses_bad_values(kwargs: dict[str, object]) -> None:
    """Bad options are a config error at the copy, not at the first request."""
    pylon = connect(Api(task()))
    with pytest.raises(PylonConfigError):
        pylon.with_options(**kwargs)  # type: ignore[arg-type]  # wrong on purpose


# ---------------------------------------------------------------------- the options object


BAD_OPTIONS = [
    pytest.param({"timeout": -1}, id="negative-timeout"),
    pytest.param({"deadline": -1}, id="negative-deadline"),
    pytest.param({"max_retries": -1}, id="negative-retries"),
    pytest.param({"max_retries": True}, id="bool-retries"),
    pytest.param({"rate_limit_scale": 0}, id="zero-scale"),
    pytest.param({"rate_limit_key": ""}, id="empty-key"),
    pytest.param({"max_issue_window": timedelta(0)}, id="zero-window"),
    pytest.param({"max_connections": 0}, id="no-connections"),
    pytest.param({"max_keepalive_connections": -1}, id="negative-keepalive"),
    pytest.param({"max_response_bytes": 0}, id="zero-bytes"),
    pytest.param({"region": "mars"}, id="unknown-region"),
    pytest.param({"accelerate": "yes"}, id="accelerate-not-bool"),
]


class _NothingBuilt(AssertionError):
    """Raised if a client builds an httpx pool, or a sync client its event loop."""


@pytest.mark.parametrize("kwargs", BAD_OPTIONS)
def test_a_bad_option_is_refused_before_anything_is_built(
    kwargs: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each client checks every option first: no pool, no limiter, no loop exists yet."""

    def built(*_args: object, **_kwargs: object) -> None:
        raise _NothingBuilt

    monkeypatch.setattr(httpx, "AsyncClient", built)
    monkeypatch.setattr(async_client, "default_limiter", built)
    monkeypatch.setattr(sync_client, "Portal", built)
    with pytest.raises(PylonConfigError):
        ClientOptions(**kwargs)
    with pytest.raises(PylonConfigError):
        AsyncPylon("tok", **kwargs)
    with pytest.raises(PylonConfigError):
        Pylon("tok", **kwargs)


def test_options_are_frozen_and_keyword_only() -> None:
    """``ClientOptions`` is a value: no positional fields, no assignment."""
    options = ClientOptions(timeout=5)
    with pytest.raises(TypeError):
        ClientOptions(5)  # type: ignore[arg-type,call-arg]  # positional on purpose
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        options.timeout = 6  # type: ignore[misc]  # frozen on purpose
    assert options.evolve(max_retries=4) == ClientOptions(timeout=5, max_retries=4)


async def test_options_and_settings_make_one_object_that_copies_follow() -> None:
    """``options=`` with keyword settings over it; ``with_options`` changes the copy's only."""
    base = ClientOptions(timeout=5, max_retries=1)
    async with AsyncPylon(
        "tok", options=base, max_retries=3, transport=Api(task()).transport
    ) as pylon:
        assert pylon.options.timeout == 5
        assert pylon.options.max_retries == 3
        copy = pylon.with_options(max_retries=0, deadline=2)
        assert (copy.options.max_retries, copy.options.deadline) == (0, 2)
        assert pylon.options.max_retries == 3
    mock = Api(task()).transport
    with Pylon("tok", options=base, transport=mock) as sync:
        assert sync._async.options == base.evolve(transport=mock)


def test_one_list_of_options_for_both_clients_and_their_signatures() -> None:
    """``Settings`` lists the options' fields; each client's signature spells out each one."""
    fields = [(f.name, f.type) for f in attrs.fields(ClientOptions)]
    listed = [(name, t.__forward_arg__) for name, t in Settings.__annotations__.items()]
    assert listed == fields
    for client, own in (
        (AsyncPylon, ["token", "http_client", "options"]),
        (Pylon, ["token", "options"]),
    ):
        parameters = inspect.signature(client).parameters
        assert list(parameters) == own + [name for name, _ in fields]
        for field in attrs.fields(ClientOptions):
            assert parameters[field.name].default == field.default
            assert parameters[field.name].kind is inspect.Parameter.KEYWORD_ONLY


def test_the_options_repr_shows_no_header() -> None:
    """A header given as a default (an Authorization of the user's own) is kept out of reprs."""
    options = ClientOptions(default_headers={"Authorization": "Bearer secret-canary"})
    assert "secret-canary" not in repr(options)
    assert "default_headers" not in repr(options)
