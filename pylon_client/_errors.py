"""Every exception pylon-client raises, rooted at :class:`PylonError`.

The tree::

    PylonError
    ├── PylonConfigError            (also ValueError) bad client configuration: no token, bad URL
    ├── PylonInputError             (also ValueError) bad arguments, raised before any request
    │   └── InvalidFilterError      a search filter Pylon would reject
    ├── PylonConnectionError        the request did not get an HTTP response
    │   └── PylonTimeoutError       ... because a timeout expired
    ├── ResponseValidationError     a 2xx response whose body does not parse
    ├── BulkError                   one or more ids of a bulk helper failed (see BulkResult)
    ├── RateLimitBackendError       the shared rate limiter's Redis failed; nothing was sent
    ├── WebhookVerificationError    a webhook without a valid signature, or not JSON
    └── PylonAPIError               Pylon answered with an error status
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

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "BulkError",
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
    "ResponseValidationError",
    "WebhookVerificationError",
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
    """A connect, read, write or pool timeout expired."""


class ResponseValidationError(PylonError):
    """A 2xx response whose body is not the JSON the API describes.

    Carries ``status_code`` and ``body_excerpt`` (at most 200 characters of the body), and
    ``maybe_applied``: True for a write (POST, PATCH) that Pylon answered with a 2xx, so it
    was applied even though its answer could not be read.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: bytes | str = b"",
        maybe_applied: bool = False,
    ) -> None:
        self.status_code = status_code
        self.maybe_applied = maybe_applied
        self.body_excerpt = _excerpt(body)
        super().__init__(f"{message} (HTTP {status_code}, body starts {self.body_excerpt!r})")


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
        maybe_applied: True for a write (POST, PATCH) that failed with 408 or a 5xx: Pylon may
            have applied it before failing, so check before sending it again.

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
    if request_id:
        message += f" (request_id={request_id})"
    writes = method in ("POST", "PATCH") and not path.endswith("/search")
    maybe_applied = writes and (status_code >= 500 or status_code == 408)
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


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
