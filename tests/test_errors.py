"""``_exceptions``: the exception tree, ``error_for_status``, and errors met via the client."""

from __future__ import annotations

import httpx
import pytest
from harness import Api, connect, envelope, reply

from pylon_client import (
    AuthenticationError,
    BadRequestError,
    BulkError,
    ConflictError,
    InternalServerError,
    InvalidFilterError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    PylonAPIError,
    PylonConfigError,
    PylonConnectionError,
    PylonError,
    PylonInputError,
    PylonTimeoutError,
    RateLimitError,
    RedirectError,
    ResponseValidationError,
    WebhookVerificationError,
)
from pylon_client._exceptions import error_for_status


@pytest.mark.parametrize(
    ("cls", "parents"),
    [
        pytest.param(PylonConfigError, (PylonError, ValueError), id="config"),
        pytest.param(PylonInputError, (PylonError, ValueError), id="input"),
        pytest.param(InvalidFilterError, (PylonInputError,), id="filter"),
        pytest.param(PylonTimeoutError, (PylonConnectionError,), id="timeout"),
        pytest.param(ResponseValidationError, (PylonError,), id="validation"),
        pytest.param(BulkError, (PylonError,), id="bulk"),
        pytest.param(WebhookVerificationError, (PylonError,), id="webhook"),
        pytest.param(NotFoundError, (PylonAPIError, PylonError), id="not-found"),
        pytest.param(RateLimitError, (PylonAPIError,), id="rate-limit"),
        pytest.param(InternalServerError, (PylonAPIError,), id="internal"),
    ],
)
def test_exception_tree(cls: type[Exception], parents: tuple[type[Exception], ...]) -> None:
    """Every error sits under PylonError where the module's docstring draws it."""
    assert all(issubclass(cls, parent) for parent in parents)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        pytest.param(400, BadRequestError, id="400"),
        pytest.param(401, AuthenticationError, id="401"),
        pytest.param(403, PermissionDeniedError, id="403"),
        pytest.param(404, NotFoundError, id="404"),
        pytest.param(409, ConflictError, id="409"),
        pytest.param(413, PayloadTooLargeError, id="413"),
        pytest.param(429, RateLimitError, id="429"),
        pytest.param(500, InternalServerError, id="500"),
        pytest.param(599, InternalServerError, id="599"),
        pytest.param(418, PylonAPIError, id="418-base"),
    ],
)
def test_error_for_status_picks_the_class(status: int, cls: type[PylonAPIError]) -> None:
    """Each status maps to its class; an unlisted 5xx is InternalServerError, else the base."""
    assert type(error_for_status(status, b"", {}, method="GET", path="/x")) is cls


def test_error_for_status_reads_the_envelope() -> None:
    """Code, errors, request id and exists_id come from Pylon's envelope into the message."""
    body = b'{"errors": ["dup"], "code": "duplicate_object", "request_id": "r1", "exists_id": "t9"}'
    exc = error_for_status(409, body, {}, method="POST", path="/tasks")
    assert (exc.code, exc.errors, exc.request_id, exc.exists_id) == (
        "duplicate_object",
        ["dup"],
        "r1",
        "t9",
    )
    assert str(exc) == "POST /tasks -> 409 duplicate_object: dup (request_id=r1)"


@pytest.mark.parametrize(
    ("method", "path", "status", "maybe_applied"),
    [
        pytest.param("POST", "/tasks", 500, True, id="post-500"),
        pytest.param("PATCH", "/tasks/t1", 408, True, id="patch-408"),
        pytest.param("POST", "/issues/search", 500, False, id="search-is-a-read"),
        pytest.param("GET", "/tasks/t1", 500, False, id="get"),
        pytest.param("POST", "/tasks", 400, False, id="post-400"),
    ],
)
def test_error_for_status_says_when_a_write_may_have_applied(
    method: str, path: str, status: int, maybe_applied: bool
) -> None:
    """Only a POST or PATCH (not a search) that got a 5xx or 408 may have been applied."""
    exc = error_for_status(status, b"", {}, method=method, path=path)
    assert exc.maybe_applied is maybe_applied
    assert ("may have been applied" in str(exc)) is maybe_applied


def test_error_for_status_falls_back_to_the_header_request_id_and_an_excerpt() -> None:
    """Without an envelope the message quotes the body and the request id comes from the header."""
    exc = error_for_status(
        502, b"<h1>Bad Gateway</h1>", {"x-request-id": "req_p"}, method="GET", path="/me"
    )
    assert exc.request_id == "req_p"
    assert exc.code is None
    assert "<h1>Bad Gateway</h1>" in str(exc)


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
    pytest.param(302, RedirectError, "moved", id="302-redirect"),
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
