"""HTTP plumbing under ``AsyncPylon``: the innermost transport, raw responses, log lines.

``ClientTransport`` hands each attempt to an ``httpx.AsyncClient`` (the user's or ours) and
reads the body there, inside the retry layer.

**Each client's last response.** :func:`set_last` records a call's response for the client
that made it, and :func:`last_of` reads it back: one ``ContextVar`` holds, per task, a small
map from each client's key to its latest response, so concurrent tasks each see their own and
two clients in one task never see each other's. A client's key is a weak reference to an
owner object it shares with its copies (``with_options``): the map lets go of a client's entry
once the client is gone.

**No token in what is handed out.** :func:`redact` replaces the ``Authorization`` header of
the requests a finished call's response keeps, so a response a user holds, reprs or pickles
(``last_response``, ``RawResponse.http_response``, its ``request``) carries no token.
"""

from __future__ import annotations

import datetime as dt
import logging
import weakref
from collections.abc import AsyncIterator, Callable, Mapping
from contextvars import ContextVar
from typing import Any

import anyio
import httpx

from .._client.config import check_timeout
from .._exceptions import PylonInputError, ResponseTooLargeError, can_apply
from .._export.windows import format_rfc3339
from .._generated._contract import RequestOptions
from .._generated._endpoints import Endpoint
from .._generated.types import Unset
from .context import context_of
from .retry import may_have_been_sent

__all__ = [
    "REDACTED",
    "Body",
    "ClientTransport",
    "LastKey",
    "LastResponse",
    "Owner",
    "apply_options",
    "connection_message",
    "is_write",
    "last_of",
    "log_failure",
    "log_response",
    "query_params",
    "redact",
    "set_last",
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
    """The innermost layer: hands each attempt to an ``httpx.AsyncClient``.

    Redirects are the client's own decision, never httpx's: a user's client with
    ``follow_redirects=True`` has a redirect followed only within the origin (scheme, host and
    port) it was sent to; one to another origin comes back as it is, and the core raises
    :class:`RedirectError` for it. (httpx would follow it, without the token, and hand back
    the other host's answer as Pylon's.)
    """

    def __init__(self, client: httpx.AsyncClient, max_bytes: int | None = None) -> None:
        self._client = client
        self._max_bytes = max_bytes

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if type(request.stream) is httpx.ByteStream:
            request.stream = Body(request.content)  # see Body: nothing left on a cancel
        response = await self._client.send(request, stream=True, follow_redirects=False)
        hops = 0
        while self._client.follow_redirects and hops < self._client.max_redirects:
            following = response.next_request
            if following is None or _origin(following.url) != _origin(request.url):
                break
            await response.aclose()
            response = await self._client.send(following, stream=True, follow_redirects=False)
            hops += 1
        if self._max_bytes is not None:
            try:
                _bound(request, response, self._max_bytes)
            except ResponseTooLargeError:
                await response.aclose()
                raise
        # The body is read here, inside the retry layer, so a connection dropped mid-body is
        # retried like any other transport error (reads only; see _retry).
        try:
            await response.aread()
        except BaseException:
            await response.aclose()
            raise
        return response


def _bound(request: httpx.Request, response: httpx.Response, limit: int) -> None:
    """Refuse a body over ``limit`` bytes: on its Content-Length, else while it arrives."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit():
        if int(declared) > limit:
            raise _too_large(request, response, limit, f"it says {int(declared):,} bytes")
        return  # the connection reads no more than that: nothing to count
    response.stream = _Bounded(
        response.stream, limit, lambda: _too_large(request, response, limit, "more came")
    )


def _too_large(
    request: httpx.Request, response: httpx.Response, limit: int, detail: str
) -> ResponseTooLargeError:
    return ResponseTooLargeError(
        f"{request.method} {request.url.path}: the response is over max_response_bytes "
        f"({limit:,} bytes; {detail}); refused unread",
        limit=limit,
        status_code=response.status_code,
        maybe_applied=can_apply(request.method, request.url.path),
    )


class _Bounded(httpx.AsyncByteStream):
    """A response stream that raises once more than ``limit`` bytes have come."""

    def __init__(self, inner: Any, limit: int, error: Callable[[], ResponseTooLargeError]) -> None:
        self._inner = inner
        self._limit = limit
        self._error = error

    def __aiter__(self) -> AsyncIterator[bytes]:
        return _BoundedChunks(self._inner.__aiter__(), self._limit, self._error)

    async def aclose(self) -> None:
        await self._inner.aclose()


class _BoundedChunks:
    """The iterator of :class:`_Bounded` (a class, not an async generator: see ``Body``)."""

    __slots__ = ("_chunks", "_error", "_left")

    def __init__(
        self, chunks: AsyncIterator[bytes], limit: int, error: Callable[[], ResponseTooLargeError]
    ) -> None:
        self._chunks = chunks
        self._left = limit
        self._error = error

    def __aiter__(self) -> _BoundedChunks:
        return self

    async def __anext__(self) -> bytes:
        chunk = await self._chunks.__anext__()
        self._left -= len(chunk)
        if self._left < 0:
            raise self._error()
        return chunk


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


class Owner:
    """What a client and its copies share: their last responses' key, their calls in flight.

    ``calls`` holds the cancel scope of every call under way, so that closing the client
    cancels them (see ``AsyncPylon.aclose``); ``closed`` tells those calls why they ended.
    """

    __slots__ = ("__weakref__", "calls", "closed")

    def __init__(self) -> None:
        self.calls: set[anyio.CancelScope] = set()
        self.closed = False

    def cancel_calls(self) -> None:
        """Mark the client closed and cancel every call in flight (on the client's loop)."""
        self.closed = True
        for scope in list(self.calls):
            scope.cancel()


LastKey = weakref.ref[Owner]
_LAST: ContextVar[dict[LastKey, LastResponse]] = ContextVar("pylon_client_last_responses")


def last_of(key: LastKey) -> LastResponse | None:
    """Return the latest response the current task received from the client of ``key``."""
    return _LAST.get({}).get(key)


def set_last(key: LastKey, last: LastResponse) -> None:
    """Record ``last`` as the current task's latest response from the client of ``key``.

    The map is copied, never changed in place: a task started from this one holds the map it
    started with, and neither sees the other's later calls.
    """
    current = _LAST.get(None)
    if current is None or (len(current) == 1 and key in current):
        _LAST.set({key: last})  # the usual case: one client per task
    else:
        kept = {k: v for k, v in current.items() if k is not key and k() is not None}
        kept[key] = last
        _LAST.set(kept)


REDACTED = "[redacted]"
"""What the ``Authorization`` header of a request handed out reads."""


def redact(request: httpx.Request, response: httpx.Response | None = None) -> None:
    """Replace the token in ``request`` and in every request ``response`` keeps (redirects)."""
    requests = [request]
    if response is not None:
        requests += [r.request for r in (*response.history, response)]
    for sent in requests:
        if "authorization" in sent.headers:
            sent.headers["Authorization"] = REDACTED


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
    """Return True for a call that can change something (a write or delete, not a search)."""
    return can_apply(endpoint.method, endpoint.path)


def log_response(endpoint: Endpoint, response: httpx.Response, request_id: str | None) -> None:
    """Log one response at DEBUG: method, path, status, request id, elapsed time, attempt."""
    context = context_of(response.request)
    _logger.debug(
        "%s %s -> %s request_id=%s (%.1f ms, attempt %s)",
        endpoint.method,
        response.request.url.path,
        response.status_code,
        request_id,
        context.elapsed_ms,
        context.attempt,
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
    if is_write(endpoint) and may_have_been_sent(exc):
        message += " (the request may have been applied; check before sending it again)"
    return message
