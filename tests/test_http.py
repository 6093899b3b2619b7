"""``_transport.http``: the raw last response, the per-task ``LAST``, the innermost transport.

The last tests send through the client's own ``httpx.AsyncClient`` and its real
``httpx.AsyncHTTPTransport``, answered by pytest-httpx's ``httpx_mock`` (which patches that
transport's ``handle_async_request``): the whole stack above the socket, retries included. At
teardown ``httpx_mock`` asserts that every response registered was asked for and that every
request matched one; each test registers exactly what it expects to be sent.
"""

from __future__ import annotations

import logging

import anyio
import anyio.lowlevel
import httpx
import pytest
from harness import Api, RecordingSleep, connect, envelope, no_sleep, task, task_body
from pytest_httpx import HTTPXMock

from pylon_client import AsyncPylon, PylonConnectionError
from pylon_client._generated._endpoints import ENDPOINTS
from pylon_client._transport.http import (
    Body,
    LastResponse,
    connection_message,
    is_write,
    query_params,
)


def test_last_response_exposes_status_headers_body_and_request_id() -> None:
    """LastResponse reads through to the httpx response and keeps the request id."""
    response = httpx.Response(201, headers={"X-Trace": "t"}, content=b"{}")
    last = LastResponse(response, "req_9")
    assert (last.status_code, last.headers["x-trace"], last.content) == (201, "t", b"{}")
    assert last.request_id == "req_9"
    assert repr(last) == "LastResponse(status_code=201, request_id='req_9')"


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        pytest.param("POST /issues", True, id="post"),
        pytest.param("PATCH /issues/{id}", True, id="patch"),
        pytest.param("GET /issues", False, id="get"),
        pytest.param("POST /issues/search", False, id="search"),
    ],
)
def test_is_write(key: str, expected: bool) -> None:
    """A POST or PATCH is a write unless it is a search."""
    assert is_write(ENDPOINTS[key]) is expected


def test_query_params_formats_dates_and_keeps_the_rest() -> None:
    """Datetimes become RFC 3339 strings; other values pass through untouched."""
    import datetime as dt

    params = query_params({"start_time": dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "limit": 5})
    assert params["limit"] == 5
    assert isinstance(params["start_time"], str)
    assert params["start_time"].startswith("2026-01-01T00:00:00")


def test_connection_message_warns_only_for_writes_that_may_have_been_sent() -> None:
    """A read timeout on a POST may have applied; the same on a GET needs no warning."""
    request = httpx.Request("POST", "https://h.test/issues")
    exc = httpx.ReadTimeout("slow", request=request)
    post = connection_message(ENDPOINTS["POST /issues"], "/issues", exc)
    get = connection_message(ENDPOINTS["GET /issues"], "/issues", exc)
    assert post.startswith("POST /issues: ReadTimeout: slow")
    assert "may have been applied" in post
    assert "may have been applied" not in get


@pytest.mark.anyio
async def test_body_yields_its_bytes_once_per_iteration() -> None:
    """Body gives its content as one chunk, and again on the next iteration (a retry)."""
    body = Body(b"payload")
    for _ in range(2):
        assert [chunk async for chunk in body] == [b"payload"]


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
async def test_last_request_id_is_per_task() -> None:
    """Two tasks sharing a client each see the request id of their own latest call."""
    b_done = anyio.Event()
    seen: dict[str, str | None] = {}

    async def handler(request: httpx.Request) -> httpx.Response:
        task_id = request.url.path.rsplit("/", 1)[1]
        if task_id == "a":
            # A's response arrives only after B has finished, so B's is the latest overall.
            await b_done.wait()
        return httpx.Response(
            200, json={"data": task_body(task_id), "request_id": f"req_{task_id}"}
        )

    async with connect(Api(handler=handler)) as pylon:

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


# ---------------------------------------------------------------------- through httpx's transport

URL = "https://api.usepylon.com/tasks/t1"  # the "us" region's host, the default base URL
CANARY = "canary-tok-0d4b7e21"  # must never appear in a log line


@pytest.mark.anyio
@pytest.mark.usefixtures("clean_env")
async def test_a_get_through_httpx_sets_the_last_response(httpx_mock: HTTPXMock) -> None:
    """A GET goes out through httpx's own transport; ``last_response`` is its raw answer."""
    httpx_mock.add_response(
        method="GET",
        url=URL,
        json={"data": task_body("t1", title="T"), "request_id": "req_7"},
        headers={"X-Trace": "abc"},
    )
    async with AsyncPylon("tok", rate_limit=False) as pylon:
        got = await pylon.tasks.get("t1")
        last = pylon.last_response
    assert (got.id, got.title) == ("t1", "T")
    assert last is not None
    assert (last.status_code, last.request_id, last.headers["x-trace"]) == (200, "req_7", "abc")
    assert len(httpx_mock.get_requests()) == 1


@pytest.mark.anyio
@pytest.mark.usefixtures("clean_env")
async def test_a_500_is_retried_and_the_200_after_it_returned(httpx_mock: HTTPXMock) -> None:
    """A GET answered 500 is sent again after one backoff wait, and the 200 that follows wins."""
    httpx_mock.add_response(url=URL, status_code=500, json=envelope("internal_error", "boom"))
    httpx_mock.add_response(url=URL, json={"data": task_body("t1"), "request_id": "req_2"})
    sleep = RecordingSleep()
    async with AsyncPylon("tok", rate_limit=False, sleep=sleep) as pylon:
        assert (await pylon.tasks.get("t1")).id == "t1"
        assert pylon.last_request_id == "req_2"
    assert [r.url for r in httpx_mock.get_requests()] == [URL, URL]
    assert len(sleep.waits) == 1


@pytest.mark.anyio
@pytest.mark.usefixtures("clean_env")
async def test_a_connection_error_is_retried_then_raised_as_pylons_own(
    httpx_mock: HTTPXMock,
) -> None:
    """A refused connection is tried three times, then raised as PylonConnectionError."""
    httpx_mock.add_exception(httpx.ConnectError("connection refused"), is_reusable=True)
    async with AsyncPylon("tok", rate_limit=False, sleep=no_sleep) as pylon:
        with pytest.raises(PylonConnectionError) as info:
            await pylon.tasks.get("t1")
    assert not isinstance(info.value, httpx.HTTPError)
    assert len(httpx_mock.get_requests()) == 3  # max_retries=2 by default


@pytest.mark.anyio
@pytest.mark.usefixtures("clean_env")
async def test_the_token_is_sent_and_never_logged(
    httpx_mock: HTTPXMock, caplog: pytest.LogCaptureFixture
) -> None:
    """The request carries ``Bearer <token>``; no log line has it, nor what is handed out."""
    httpx_mock.add_response(
        url=URL,
        match_headers={"Authorization": f"Bearer {CANARY}"},
        json={"data": task_body("t1"), "request_id": "req_1"},
    )
    caplog.set_level(logging.DEBUG)
    for name in ("pylon_client", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    async with AsyncPylon(CANARY, rate_limit=False) as pylon:
        await pylon.tasks.get("t1")
        last = pylon.last_response
    assert caplog.records, "the call was logged"
    assert not [r for r in caplog.records if CANARY in caplog.handler.format(r)]
    assert last is not None
    assert last.http_response.request.headers["Authorization"] == "[redacted]"
