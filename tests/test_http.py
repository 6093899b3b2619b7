"""``_transport.http``: the raw last response, the per-task ``LAST``, the innermost transport."""

from __future__ import annotations

import anyio
import anyio.lowlevel
import httpx
import pytest
from harness import Api, connect, task, task_body

from pylon_client import AsyncPylon
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
