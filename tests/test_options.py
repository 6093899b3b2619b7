"""Tests of per-call options (``extra_*``, ``timeout``) and of ``AsyncPylon.with_options``."""

from __future__ import annotations

import httpx
import pytest
from harness import Api, RecordingSleep, body_of, connect, envelope, reply, task, task_body

from pylon_client import AsyncPylon, PylonConfigError, PylonInputError, RateLimiter
from pylon_client._generated._endpoints import ENDPOINTS

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
