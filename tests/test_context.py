"""``_transport.context`` and ``.body``: one typed object per request, one read of its body."""

from __future__ import annotations

import httpx
import pytest
from harness import Api, connect, reply, task

from pylon_client._transport.body import body_request_id, decode_body
from pylon_client._transport.context import CONTEXT_KEY, NOT_JSON, RequestContext, context_of


@pytest.mark.anyio
async def test_a_call_carries_one_context_and_no_other_key_of_ours() -> None:
    """The only pylon-client key of a sent request is the context, filled in by each layer."""
    api = Api(reply(503), task("t1", request_id="r1"))
    async with connect(api) as pylon:
        found = await pylon.tasks.get("t1")
    assert found.id == "t1"
    for sent in api.requests:
        ours = {key for key in sent.extensions if key.startswith("pylon")}
        assert ours == {CONTEXT_KEY}
    context = api.last.extensions[CONTEXT_KEY]
    assert isinstance(context, RequestContext)
    assert context.endpoint == "GET /tasks/{id}"
    assert context.attempt == 2  # the retry layer numbered the second attempt
    assert body_request_id(api.last) == "r1"  # read once: by msgspec or as JSON
    assert context.elapsed_ms > 0
    assert pylon.last_response is not None
    assert pylon.last_response.request_id == "r1"


def test_a_request_built_elsewhere_gets_a_default_context() -> None:
    """``context_of`` never fails: a bare request gets a fresh context, kept on it."""
    request = httpx.Request("GET", "https://api.usepylon.com/tasks")
    first = context_of(request)
    assert (first.endpoint, first.retry, first.attempt, first.payload) == (None, None, 1, NOT_JSON)
    assert context_of(request) is first
    assert request.extensions[CONTEXT_KEY] is first


@pytest.mark.parametrize(
    ("content", "usable", "payload"),
    [
        pytest.param(
            b'{"data": [], "request_id": "r9"}', True, {"data": [], "request_id": "r9"}, id="json"
        ),
        pytest.param(b"", True, None, id="empty"),
        pytest.param(b'{"data": [', False, NOT_JSON, id="cut-off"),
        pytest.param(b"<html>", False, NOT_JSON, id="not-json"),
    ],
)
def test_decode_body_reads_a_body_once_into_the_context(
    content: bytes, usable: bool, payload: object
) -> None:
    """A body is parsed into the context; one that is not JSON is reported unusable."""
    request = httpx.Request("GET", "https://api.usepylon.com/tasks")
    response = httpx.Response(200, content=content, request=request)
    assert decode_body(request, response) is usable
    assert context_of(request).payload == payload
    expected = "r9" if usable and content else None
    assert body_request_id(request) == expected


def test_a_fast_decoder_leaves_the_finished_result() -> None:
    """A decoder that accepts the body fills ``parsed``; one that refuses leaves it to JSON."""

    class Parsed:
        request_id = "r2"
        value = "done"

    request = httpx.Request("GET", "https://api.usepylon.com/tasks")
    context_of(request).decoder = lambda body: Parsed() if body.startswith(b"{") else None
    assert decode_body(request, httpx.Response(200, content=b"{}", request=request))
    assert isinstance(context_of(request).parsed, Parsed)
    assert body_request_id(request) == "r2"
    assert decode_body(request, httpx.Response(200, content=b"[1]", request=request))
    assert context_of(request).parsed is None
    assert context_of(request).payload == [1]
