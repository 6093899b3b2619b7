"""HTTP plumbing under ``AsyncPylon``: the innermost transport, raw responses, log lines.

``ClientTransport`` hands each attempt to an ``httpx.AsyncClient`` (the user's or ours) and
reads the body there, inside the retry layer. ``LAST`` holds the current task's latest
response: a ``ContextVar``, so concurrent tasks each see their own.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Mapping
from contextvars import ContextVar
from typing import Any

import httpx

from ._config import check_timeout
from ._errors import PylonInputError
from ._generated._contract import RequestOptions
from ._generated._endpoints import Endpoint
from ._generated.types import Unset
from ._retry import may_have_been_sent
from ._windows import format_rfc3339

__all__ = [
    "LAST",
    "Body",
    "ClientTransport",
    "LastResponse",
    "apply_options",
    "connection_message",
    "is_write",
    "log_failure",
    "log_response",
    "query_params",
]

_logger = logging.getLogger("pylon_client")


class LastResponse:
    """The raw side of the current task's latest call: status, headers, body, request id."""

    __slots__ = ("http_response", "request_id")

    def __init__(self, http_response: httpx.Response, request_id: str | None) -> None:
        self.http_response = http_response
        self.request_id = request_id

    @property
    def status_code(self) -> int:
        """The HTTP status."""
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """The response headers."""
        return self.http_response.headers

    @property
    def content(self) -> bytes:
        """The raw body."""
        return self.http_response.content

    def __repr__(self) -> str:
        return f"LastResponse(status_code={self.status_code}, request_id={self.request_id!r})"


class Body(httpx.ByteStream):
    """A request body that iterates without an async generator.

    httpx's ``ByteStream`` yields its bytes from an async generator. When a request is cancelled
    while its body is being written, that generator is left suspended and finalized later by
    the garbage collector (a ResourceWarning, and under trio a finalizer task). One chunk from a
    plain iterator object leaves nothing behind. Still a ``ByteStream``, so still replayable.
    """

    def __aiter__(self) -> AsyncIterator[bytes]:
        return _OneChunk(self._stream)


class _OneChunk:
    __slots__ = ("_data",)

    def __init__(self, data: bytes) -> None:
        self._data: bytes | None = data

    def __aiter__(self) -> _OneChunk:
        return self

    async def __anext__(self) -> bytes:
        data, self._data = self._data, None
        if data is None:
            raise StopAsyncIteration
        return data


class ClientTransport(httpx.AsyncBaseTransport):
    """The innermost layer: hands each attempt to an ``httpx.AsyncClient``."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if type(request.stream) is httpx.ByteStream:
            request.stream = Body(request.content)  # see Body: nothing left on a cancel
        response = await self._client.send(request, stream=True)
        # The body is read here, inside the retry layer, so a connection dropped mid-body is
        # retried like any other transport error (reads only; see _retry).
        try:
            await response.aread()
        except BaseException:
            await response.aclose()
            raise
        return response


LAST: ContextVar[LastResponse | None] = ContextVar("pylon_client_last_response", default=None)


def query_params(params: dict[str, Any]) -> dict[str, Any]:
    """Return query parameters with datetimes and dates as RFC 3339 strings."""
    return {
        k: format_rfc3339(v) if isinstance(v, dt.datetime | dt.date) else v
        for k, v in params.items()
    }


def apply_options(
    endpoint: Endpoint,
    options: RequestOptions,
    headers: httpx.Headers | None,
    params: dict[str, Any] | None,
    json: Any,
    timeout: httpx.Timeout | None,
    *,
    has_form: bool,
) -> tuple[httpx.Headers | None, dict[str, Any] | None, Any, httpx.Timeout | None]:
    """Fold one call's ``extra_*`` and ``timeout`` into its headers, query, body and timeout.

    ``extra_headers`` add to (and override) the client's headers, ``extra_query`` to the query,
    ``extra_body`` to the JSON object sent; an upload takes ``extra_body`` as more form fields
    (see ``AsyncPylon.upload``). A request without a JSON body refuses ``extra_body``.

    Raises:
        PylonInputError: an option of the wrong type, or ``extra_body`` where nothing is sent.

    """
    for name, value in (
        ("extra_headers", options.headers),
        ("extra_query", options.query),
        ("extra_body", options.body),
    ):
        if value is not None and not isinstance(value, Mapping):
            raise PylonInputError(f"{name} must be a mapping, got {type(value).__name__}")
    if options.headers:
        headers = httpx.Headers(headers)
        headers.update(options.headers)
    if options.query:
        params = {**(params or {}), **options.query}
    if options.body and not has_form:
        if not isinstance(json, dict):
            raise PylonInputError(f"extra_body: {endpoint.key} sends no JSON object")
        json = {**json, **options.body}
    if not isinstance(options.timeout, Unset):
        timeout = check_timeout(options.timeout, PylonInputError)
    return headers, params, json, timeout


def is_write(endpoint: Endpoint) -> bool:
    """Return True for a POST or PATCH that is not a search: a 2xx means Pylon applied it."""
    return endpoint.method in ("POST", "PATCH") and not endpoint.path.endswith("/search")


def log_response(endpoint: Endpoint, response: httpx.Response, request_id: str | None) -> None:
    """Log one response at DEBUG: method, path, status, request id, elapsed time, attempt."""
    _logger.debug(
        "%s %s -> %s request_id=%s (%.1f ms, attempt %s)",
        endpoint.method,
        response.request.url.path,
        response.status_code,
        request_id,
        response.extensions.get("pylon_elapsed_ms", 0.0),
        response.request.extensions.get("pylon_attempt", 1),
    )


def log_failure(endpoint: Endpoint, path: str, exc: Exception) -> None:
    """Log a request that got no response, at DEBUG."""
    if _logger.isEnabledFor(logging.DEBUG):
        _logger.debug("%s %s failed: %s: %s", endpoint.method, path, type(exc).__name__, exc)


def connection_message(endpoint: Endpoint, path: str, exc: Exception) -> str:
    """Describe a request that got no response, saying when a write may have been applied."""
    message = f"{endpoint.method} {path}: {type(exc).__name__}"
    detail = str(exc)
    if detail:
        message += f": {detail}"
    if endpoint.method in ("POST", "PATCH") and may_have_been_sent(exc):
        message += " (the request may have been applied; check before sending it again)"
    return message
