"""Every exception pylon-client raises, rooted at :class:`PylonError`.

The tree::

    PylonError
    ├── PylonConfigError            (also ValueError) bad client configuration: no token, bad URL
    ├── PylonInputError             (also ValueError) bad arguments, raised before any request
    │   └── InvalidFilterError      a search filter Pylon would reject
    ├── PylonConnectionError        the request did not get an HTTP response
    │   ├── PylonTimeoutError       ... because a timeout or the call's deadline expired
    │   └── ClientClosedError       ... because the client was closed (before or during it)
    ├── ResponseValidationError     a 2xx response whose body does not parse
    ├── ResponseTooLargeError       a body over ``max_response_bytes``, refused before reading it
    ├── BulkError                   one or more ids of a bulk helper failed (see BulkResult)
    ├── RateLimitBackendError       the shared rate limiter's Redis failed; nothing was sent
    ├── WebhookVerificationError    a webhook without a valid signature, or not JSON
    └── PylonAPIError               Pylon answered with an error status
        ├── RedirectError           3xx: a redirect the client does not follow
        ├── BadRequestError         400
        ├── AuthenticationError     401
        ├── PermissionDeniedError   403
        ├── NotFoundError           404
        ├── ConflictError           409, with ``exists_id``
        ├── PayloadTooLargeError    413
        ├── RateLimitError          429, with ``retry_after``
        └── InternalServerError     5xx

No raw ``httpx`` exception and no exception of the generated code reaches a caller: the client
maps them onto this tree, keeping the original as ``__cause__``. Messages never contain the API
token: they are built from the status, Pylon's error code and messages, and the request path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "BulkError",
    "ClientClosedError",
    "ConflictError",
    "InternalServerError",
    "InvalidFilterError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "PylonAPIError",
    "PylonConfigError",
    "PylonConnectionError",
    "PylonError",
    "PylonInputError",
    "PylonTimeoutError",
    "RateLimitBackendError",
    "RateLimitError",
    "RedirectError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "WebhookVerificationError",
    "can_apply",
    "error_for_status",
]

_EXCERPT_CHARS = 200


class PylonError(Exception):
    """Base class of every exception raised by pylon-client."""


class PylonConfigError(PylonError, ValueError):
    """The client is configured wrongly (no token, a bad base URL, an unknown region)."""


class PylonInputError(PylonError, ValueError):
    """An argument is invalid; raised before any request is sent."""


class InvalidFilterError(PylonInputError):
    """A search filter that Pylon would reject (unknown operator, wrong shape, too deep)."""


class PylonConnectionError(PylonError):
    """The request got no HTTP response: DNS, connect, TLS, or a dropped connection.

    ``maybe_applied`` is True when the request may have reached Pylon before the failure, so a
    write (POST, PATCH) may or may not have taken effect.
    """

    def __init__(self, message: str, *, maybe_applied: bool = False) -> None:
        super().__init__(message)
        self.maybe_applied = maybe_applied


class PylonTimeoutError(PylonConnectionError):
    """A connect, read, write or pool timeout expired, or the call's ``deadline`` passed."""


class ClientClosedError(PylonConnectionError):
    """The client was closed: before the call, or while it was in flight (it was cancelled).

    ``maybe_applied`` is True for a call that can change something and may have been sent.
    """


class ResponseValidationError(PylonError):
    """A 2xx response whose body is not the JSON the API describes.

    Carries ``status_code`` and ``body_excerpt`` (at most 200 characters of the body), and
    ``maybe_applied``: True for a write (POST, PATCH) that Pylon answered with a 2xx, so it
    was applied even though its answer could not be read. When a model could not be built,
    ``field`` names what was wrong (``"Task.title"``), ``operation`` the call
    (``"GET /tasks/{id}"``) and ``request_id`` Pylon's id of the request, for its support.

    A field Pylon's newest source (its SDK, usepylon) marks required is typed without ``None``
    and ``Unset``; an answer that lacks it, or holds ``null`` there, raises this error rather
    than hand back an object whose type says something it does not hold.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: bytes | str = b"",
        maybe_applied: bool = False,
        operation: str | None = None,
        field: str | None = None,
        request_id: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.maybe_applied = maybe_applied
        self.operation = operation
        self.field = field
        self.request_id = request_id
        self.body_excerpt = _excerpt(body)
        super().__init__(f"{message} (HTTP {status_code}, body starts {self.body_excerpt!r})")


class ResponseTooLargeError(PylonError):
    """A response body over the client's ``max_response_bytes``: refused, never read whole.

    Refused on its ``Content-Length`` before a byte of the body is read, or, without one, as
    soon as the bytes received pass the limit.

    Attributes:
        limit: the client's ``max_response_bytes``.
        status_code: the HTTP status of the refused answer.
        maybe_applied: True for a call that can change something (its answer came, so Pylon
            acted on it, or may have).

    """

    def __init__(
        self, message: str, *, limit: int, status_code: int, maybe_applied: bool = False
    ) -> None:
        super().__init__(message)
        self.limit = limit
        self.status_code = status_code
        self.maybe_applied = maybe_applied


class BulkError(PylonError):
    """Raised by ``BulkResult.raise_for_failures()``; ``failed`` maps failed ids to errors."""

    def __init__(self, message: str, *, failed: Mapping[str, BaseException]) -> None:
        super().__init__(message)
        self.failed = dict(failed)


class WebhookVerificationError(PylonError):
    """A webhook request that must not be trusted: no signature, a wrong one, or not JSON.

    The message never contains the secret or the body.
    """


class RateLimitBackendError(PylonError):
    """The Redis of a ``RedisRateLimiter`` failed: unreachable, an error, or too slow.

    Raised only with ``on_backend_error="raise"``. The request was not sent, so sending it again
    is safe.
    """


class PylonAPIError(PylonError):
    """Pylon answered with an error status.

    Attributes:
        status_code: the HTTP status.
        code: Pylon's error code (``not_found``, ``rate_limited``, ...) or None.
        errors: Pylon's error messages.
        request_id: Pylon's request id, for support tickets.
        headers: the response headers.
        maybe_applied: True for a call that can change something (a write or delete, not a
            read or search) that failed with 408 or a 5xx: Pylon may have applied it before
            failing, so check before sending it again. Always False for a read.

    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: str | None = None,
        errors: list[str] | None = None,
        request_id: str | None = None,
        headers: Mapping[str, str] | None = None,
        exists_id: str | None = None,
        retry_after: float | None = None,
        maybe_applied: bool = False,
    ) -> None:
        super().__init__(message)
        self.maybe_applied = maybe_applied
        self.status_code = status_code
        self.code = code
        self.errors = errors or []
        self.request_id = request_id
        self.headers = dict(headers or {})
        self.exists_id = exists_id
        self.retry_after = retry_after


class RedirectError(PylonAPIError):
    """3xx: Pylon's API does not redirect, so a redirect is not followed.

    The client never follows one across origins (scheme, host and port), even through a
    user's ``httpx.AsyncClient(follow_redirects=True)``: the answer of another host is not
    Pylon's. The message names the origin it pointed to.
    """


class BadRequestError(PylonAPIError):
    """400: the request body or parameters were rejected."""


class AuthenticationError(PylonAPIError):
    """401: missing, invalid or wrong-region token."""


class PermissionDeniedError(PylonAPIError):
    """403: the token may not do this."""


class NotFoundError(PylonAPIError):
    """404: no such object."""


class ConflictError(PylonAPIError):
    """409: the object already exists; ``exists_id`` names it when Pylon says."""


class PayloadTooLargeError(PylonAPIError):
    """413: the request body is too large."""


class RateLimitError(PylonAPIError):
    """429: rate limited; ``retry_after`` is the wait Pylon asked for, in seconds, if any."""


class InternalServerError(PylonAPIError):
    """5xx: Pylon failed."""


_BY_STATUS: dict[int, type[PylonAPIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    429: RateLimitError,
}


def _excerpt(body: bytes | str) -> str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return text[:_EXCERPT_CHARS]


def error_for_status(
    status_code: int,
    body: bytes,
    headers: Mapping[str, str],
    *,
    method: str,
    path: str,
    retry_after: float | None = None,
) -> PylonAPIError:
    """Build the exception for an error response from its status, body and headers.

    The body is read as Pylon's error envelope ``{"errors": [...], "code", "request_id",
    "exists_id"}``; anything else (an HTML 502 page, say) keeps a short excerpt as the message.
    """
    cls = _BY_STATUS.get(status_code)
    if cls is None:
        cls = InternalServerError if status_code >= 500 else PylonAPIError
    if 300 <= status_code < 400:
        cls = RedirectError
    envelope: Any = None
    try:
        envelope = json.loads(body) if body else None
    except (ValueError, RecursionError):  # not Pylon's envelope: an HTML page, say
        envelope = None
    code = request_id = exists_id = None
    errors: list[str] = []
    if isinstance(envelope, dict):
        code = _str_or_none(envelope.get("code"))
        request_id = _str_or_none(envelope.get("request_id"))
        exists_id = _str_or_none(envelope.get("exists_id"))
        raw_errors = envelope.get("errors")
        if isinstance(raw_errors, list):
            errors = [str(e) for e in raw_errors]
        elif isinstance(raw_errors, str):
            errors = [raw_errors]
    request_id = request_id or headers.get("x-request-id")
    detail = "; ".join(errors) if errors else _excerpt(body).strip() or "no body"
    message = f"{method} {path} -> {status_code}"
    if code:
        message += f" {code}"
    message += f": {detail}"
    if cls is RedirectError:
        message += f" (a redirect to {_origin(headers.get('location', ''))}, not followed)"
    if request_id:
        message += f" (request_id={request_id})"
    maybe_applied = can_apply(method, path) and (status_code >= 500 or status_code == 408)
    if maybe_applied:
        message += " (the request may have been applied; check before sending it again)"
    return cls(
        message,
        status_code=status_code,
        code=code,
        errors=errors,
        request_id=request_id,
        headers=headers,
        exists_id=exists_id,
        retry_after=retry_after,
        maybe_applied=maybe_applied,
    )


def can_apply(method: str, path: str) -> bool:
    """Return True for a call that can change something: a write or delete, not a read or search."""
    return method in ("POST", "PATCH", "PUT", "DELETE") and not path.endswith("/search")


def _origin(location: str) -> str:
    """Return scheme, host and port of a URL: never its credentials, path or query."""
    try:
        parts = urlsplit(location)
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "an unreadable location"
    return f"{parts.scheme}://{parts.hostname}{port}" if parts.hostname else "a relative location"


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
