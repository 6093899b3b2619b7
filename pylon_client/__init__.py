"""pylon-client: an async-first client for the Pylon (usepylon.com) REST API.

Async (asyncio or trio)::

    import anyio
    from pylon_client import AsyncPylon

    async def main() -> None:
        async with AsyncPylon() as pylon:            # token from PYLON_API_TOKEN
            async for task in pylon.tasks.list():
                print(task.title)

    anyio.run(main)                                   # or anyio.run(main, backend="trio")

Sync (scripts, Django, Celery, notebooks)::

    from pylon_client import Pylon

    with Pylon() as pylon:
        for task in pylon.tasks.list():
            print(task.title)
"""

import importlib
from typing import TYPE_CHECKING

from ._version import __version__

if TYPE_CHECKING:
    from ._batching import BulkResult
    from ._changes import ChangeCheckpoint, ChangeFeed
    from ._client import AsyncPylon, LastResponse
    from ._errors import (
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
    from ._filter_builder import F, Filter, and_, or_
    from ._issues import IssueCheckpoint, IssueExport
    from ._pagination import AsyncPaginator, Page
    from ._portal import SyncPaginator
    from ._ratelimit import RateLimiter
    from ._ratelimit_redis import RedisRateLimiter
    from ._ratelimit_transport import RateLimitBackend
    from ._raw import RateLimit, RawResponse
    from ._retry import RetryEvent, RetryPolicy
    from ._sync_client import Pylon
    from ._sync_resources import SyncChangeFeed, SyncIssueExport
    from ._windows import DEFAULT_MAX_WINDOW, Window, split_windows

# Every public name but __version__ loads on first use, from the module named here (see
# ``__getattr__``): ``import pylon_client`` imports nothing else, so ``pylon --help`` (whose
# modules live in this package) and a script that needs one corner of the API pay for no more.
_HOMES = {
    "AsyncPaginator": "._pagination",
    "AsyncPylon": "._client",
    "BulkResult": "._batching",
    "ChangeCheckpoint": "._changes",
    "ChangeFeed": "._changes",
    "DEFAULT_MAX_WINDOW": "._windows",
    "F": "._filter_builder",
    "Filter": "._filter_builder",
    "IssueCheckpoint": "._issues",
    "IssueExport": "._issues",
    "LastResponse": "._client",
    "Page": "._pagination",
    "Pylon": "._sync_client",
    "SyncChangeFeed": "._sync_resources",
    "SyncIssueExport": "._sync_resources",
    "SyncPaginator": "._portal",
    "RateLimit": "._raw",
    "RateLimitBackend": "._ratelimit_transport",
    "RawResponse": "._raw",
    "RateLimiter": "._ratelimit",
    "RedisRateLimiter": "._ratelimit_redis",
    "RetryEvent": "._retry",
    "RetryPolicy": "._retry",
    "Window": "._windows",
    "and_": "._filter_builder",
    "or_": "._filter_builder",
    "split_windows": "._windows",
    "AuthenticationError": "._errors",
    "BadRequestError": "._errors",
    "BulkError": "._errors",
    "ClientClosedError": "._errors",
    "ConflictError": "._errors",
    "InternalServerError": "._errors",
    "InvalidFilterError": "._errors",
    "NotFoundError": "._errors",
    "PayloadTooLargeError": "._errors",
    "PermissionDeniedError": "._errors",
    "PylonAPIError": "._errors",
    "PylonConfigError": "._errors",
    "PylonConnectionError": "._errors",
    "PylonError": "._errors",
    "PylonInputError": "._errors",
    "PylonTimeoutError": "._errors",
    "RateLimitBackendError": "._errors",
    "RateLimitError": "._errors",
    "RedirectError": "._errors",
    "ResponseTooLargeError": "._errors",
    "ResponseValidationError": "._errors",
    "WebhookVerificationError": "._errors",
}

__all__ = [
    "DEFAULT_MAX_WINDOW",
    "AsyncPaginator",
    "AsyncPylon",
    "AuthenticationError",
    "BadRequestError",
    "BulkError",
    "BulkResult",
    "ChangeCheckpoint",
    "ChangeFeed",
    "ClientClosedError",
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
