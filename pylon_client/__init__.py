"""pylon-client: an async-first client for the Pylon (usepylon.com) REST API.

Async (asyncio or trio)::

    import anyio
    from . import AsyncPylon

    async def main() -> None:
        async with AsyncPylon() as pylon:            # token from PYLON_API_TOKEN
            async for task in pylon.tasks.list():
                print(task.title)

    anyio.run(main)                                   # or anyio.run(main, backend="trio")

Sync (scripts, Django, Celery, notebooks)::

    from . import Pylon

    with Pylon() as pylon:
        for task in pylon.tasks.list():
            print(task.title)
"""

import importlib
from typing import TYPE_CHECKING

from ._version import __version__

if TYPE_CHECKING:
    from ._bulk.batching import BulkResult
    from ._client.async_client import AsyncPylon, LastResponse
    from ._client.options import ClientOptions
    from ._client.pagination import AsyncPaginator, Page
    from ._client.raw import RateLimit, RawResponse
    from ._exceptions import (
        AuthenticationError,
        BadRequestError,
        BulkError,
        ClientClosedError,
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
        RateLimitBackendError,
        RateLimitError,
        RedirectError,
        ResponseTooLargeError,
        ResponseValidationError,
        WebhookVerificationError,
    )
    from ._export.changes import ChangeCheckpoint, ChangeFeed
    from ._export.issues import IssueCheckpoint, IssueExport
    from ._export.windows import DEFAULT_MAX_WINDOW, Window, split_windows
    from ._filters.builder import F, Filter, and_, or_
    from ._ratelimit.local import RateLimiter
    from ._ratelimit.redis import RedisRateLimiter
    from ._ratelimit.redis_client import BuiltinRedisClient
    from ._ratelimit.transport import RateLimitBackend
    from ._sync.client import Pylon
    from ._sync.helpers import SyncChangeFeed, SyncIssueExport
    from ._sync.portal import SyncPaginator
    from ._transport.retry import RetryEvent, RetryPolicy

# Every public name but __version__ loads on first use, from the module named here (see
# ``__getattr__``): ``import pylon_client`` imports nothing else, so ``pylon --help`` (whose
# modules live in this package) and a script that needs one corner of the API pay for no more.
_HOMES = {
    "AsyncPaginator": "._client.pagination",
    "AsyncPylon": "._client.async_client",
    "BuiltinRedisClient": "._ratelimit.redis_client",
    "BulkResult": "._bulk.batching",
    "ChangeCheckpoint": "._export.changes",
    "ChangeFeed": "._export.changes",
    "ClientOptions": "._client.options",
    "DEFAULT_MAX_WINDOW": "._export.windows",
    "F": "._filters.builder",
    "Filter": "._filters.builder",
    "IssueCheckpoint": "._export.issues",
    "IssueExport": "._export.issues",
    "LastResponse": "._client.async_client",
    "Page": "._client.pagination",
    "Pylon": "._sync.client",
    "SyncChangeFeed": "._sync.helpers",
    "SyncIssueExport": "._sync.helpers",
    "SyncPaginator": "._sync.portal",
    "RateLimit": "._client.raw",
    "RateLimitBackend": "._ratelimit.transport",
    "RawResponse": "._client.raw",
    "RateLimiter": "._ratelimit.local",
    "RedisRateLimiter": "._ratelimit.redis",
    "RetryEvent": "._transport.retry",
    "RetryPolicy": "._transport.retry",
    "Window": "._export.windows",
    "and_": "._filters.builder",
    "or_": "._filters.builder",
    "split_windows": "._export.windows",
    "AuthenticationError": "._exceptions",
    "BadRequestError": "._exceptions",
    "BulkError": "._exceptions",
    "ClientClosedError": "._exceptions",
    "ConflictError": "._exceptions",
    "InternalServerError": "._exceptions",
    "InvalidFilterError": "._exceptions",
    "NotFoundError": "._exceptions",
    "PayloadTooLargeError": "._exceptions",
    "PermissionDeniedError": "._exceptions",
    "PylonAPIError": "._exceptions",
    "PylonConfigError": "._exceptions",
    "PylonConnectionError": "._exceptions",
    "PylonError": "._exceptions",
    "PylonInputError": "._exceptions",
    "PylonTimeoutError": "._exceptions",
    "RateLimitBackendError": "._exceptions",
    "RateLimitError": "._exceptions",
    "RedirectError": "._exceptions",
    "ResponseTooLargeError": "._exceptions",
    "ResponseValidationError": "._exceptions",
    "WebhookVerificationError": "._exceptions",
}

__all__ = [
    "DEFAULT_MAX_WINDOW",
    "AsyncPaginator",
    "AsyncPylon",
    "AuthenticationError",
    "BadRequestError",
    "BuiltinRedisClient",
    "BulkError",
    "BulkResult",
    "ChangeCheckpoint",
    "ChangeFeed",
    "ClientClosedError",
    "ClientOptions",
    "ConflictError",
    "F",
    "Filter",
    "InternalServerError",
    "InvalidFilterError",
    "IssueCheckpoint",
    "IssueExport",
    "LastResponse",
    "NotFoundError",
    "Page",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "Pylon",
    "PylonAPIError",
    "PylonConfigError",
    "PylonConnectionError",
    "PylonError",
    "PylonInputError",
    "PylonTimeoutError",
    "RateLimit",
    "RateLimitBackend",
    "RateLimitBackendError",
    "RateLimitError",
    "RateLimiter",
    "RawResponse",
    "RedirectError",
    "RedisRateLimiter",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "RetryEvent",
    "RetryPolicy",
    "SyncChangeFeed",
    "SyncIssueExport",
    "SyncPaginator",
    "WebhookVerificationError",
    "Window",
    "__version__",
    "and_",
    "or_",
    "split_windows",
]


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
