"""Tests of ``with_raw_response`` and ``RawResponse``: status, headers, request id, parse."""

from __future__ import annotations

import httpx
import pytest
from harness import Api, complete, connect, envelope, reply, task, task_body

from pylon_client import NotFoundError, ResponseValidationError
from pylon_client._client.raw import RateLimit, RawResponse
from pylon_client._generated.models import Organization

pytestmark = pytest.mark.anyio

LIMITS = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299", "X-RateLimit-Reset": "60"}


async def test_raw_get_gives_status_headers_request_id_and_parse() -> None:
    """The raw call returns the response; parse() returns what the plain call would."""
    payload = {"data": task_body("t1", title="T"), "request_id": "req_7"}
    api = Api(reply(200, payload, headers=LIMITS))
    async with connect(api) as pylon:
        raw = await pylon.with_raw_response.tasks.get("t1")
    assert isinstance(raw, RawResponse)
    assert (raw.status_code, raw.request_id) == (200, "req_7")
    assert raw.headers["x-ratelimit-remaining"] == "299"
    assert raw.rate_limit == RateLimit(limit=300, remaining=299, reset=60.0)
    parsed = raw.parse()
    assert (parsed.id, parsed.title) == ("t1", "T")
    assert raw.parse() is parsed
    assert repr(raw) == "RawResponse(status_code=200, request_id='req_7')"


async def test_raw_without_rate_limit_headers_has_none() -> None:
    """No rate-limit headers: rate_limit is None."""
    async with connect(Api(task())) as pylon:
        raw = await pylon.with_raw_response.tasks.get("t1")
    assert raw.rate_limit is None


async def test_raw_still_raises_typed_errors() -> None:
    """A 404 raises NotFoundError as the plain call does; there is nothing to parse."""
    api = Api(reply(404, envelope("not_found", "no such task")))
    async with connect(api) as pylon:
        with pytest.raises(NotFoundError):
            await pylon.with_raw_response.tasks.get("t1")


async def test_raw_parse_raises_validation_errors_at_parse() -> None:
    """A body that does not match the description fails at parse(), not at the call."""
    api = Api(reply(200, {"data": {**task_body(), "id": 5}, "request_id": "r"}))
    async with connect(api) as pylon:
        raw = await pylon.with_raw_response.tasks.get("t1")
        with pytest.raises(ResponseValidationError):
            raw.parse()


async def test_raw_body_method_and_options() -> None:
    """Keyword fields and per-call options work through the raw call."""
    api = Api(task())
    async with connect(api) as pylon:
        raw = await pylon.with_raw_response.tasks.create(title="T", extra_headers={"X-A": "1"})
    assert raw.parse().id == "t1"
    assert api.last.headers["x-a"] == "1"


async def test_raw_list_gives_the_first_page() -> None:
    """A list answers raw with its first page; the page's cursor continues the list."""
    first = {
        "data": [task_body("a")],
        "pagination": {"cursor": "c2", "has_next_page": True},
        "request_id": "req_p1",
    }
    api = Api(reply(200, first, headers=LIMITS))
    async with connect(api) as pylon:
        raw = await pylon.with_raw_response.tasks.list(limit=1)
    assert raw.request_id == "req_p1"
    assert raw.rate_limit is not None
    page = raw.parse()
    assert [t.id for t in page.items] == ["a"]
    assert (page.cursor, page.has_next_page) == ("c2", True)
    assert len(api.requests) == 1
    assert api.last.url.params["limit"] == "1"


async def test_raw_top_level_operation() -> None:
    """Top-level operations (``me``) have a raw form too."""
    api = Api({"data": complete(Organization, id="org_1", name="Acme"), "request_id": "req_me"})
    async with connect(api) as pylon:
        raw = await pylon.with_raw_response.me()
    assert raw.request_id == "req_me"
    assert raw.parse().id == "org_1"


async def test_raw_response_does_not_change_the_plain_client() -> None:
    """After a raw call the client's own methods still return models."""
    api = Api(task())
    async with connect(api) as pylon:
        await pylon.with_raw_response.tasks.get("t1")
        assert (await pylon.tasks.get("t1")).id == "t1"
        assert pylon.with_raw_response is pylon.with_raw_response


def test_rate_limit_with_a_reset_as_unix_time_is_a_delay() -> None:
    """A reset above 10^9 is a Unix time and is given as seconds from now."""
    import time

    response = httpx.Response(
        200,
        headers={"X-RateLimit-Remaining": "3", "X-RateLimit-Reset": str(int(time.time()) + 30)},
    )
    raw: RawResponse[None] = RawResponse(response, None, lambda: None)
    got = raw.rate_limit
    assert got is not None
    assert got.limit is None
    assert got.remaining == 3
    assert got.reset is not None
    assert 25 <= got.reset <= 31
