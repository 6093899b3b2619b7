"""pylon-client: an async-first client for the Pylon (usepylon.com) REST API.

import anyio
from pylon_client import AsyncPylon

async def main() -> None:
async with AsyncPylon() as pylon:            # token from PYLON_API_TOKEN
async for task in pylon.tasks.list():
print(task.title)

anyio.run(main)                                   # or anyio.run(main, backend="trio")
"""

import importlib
from typing import TYPE_CHECKING

from ._batching import BulkResult
from ._changes import ChangeCheckpoint, ChangeFeed
from ._client import AsyncPylon, LastResponse
from ._errors import (
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
    RateLimitBackendError,
    RateLimitError,
    ResponseValidationError,
    WebhookVerificationError,
)
from ._filter_builder import F, Filter, and_, or_
from ._issues import IssueCheckpoint, IssueExport
from ._pagination import AsyncPaginator, Page
from ._ratelimit import RateLimiter
from ._ratelimit_transport import RateLimitBackend
from ._retry import RetryEvent, RetryPolicy
from ._version import __version__
from ._windows import DEFAULT_MAX_WINDOW, Window, split_windows

if TYPE_CHECKING:
    from ._ratelimit_redis import RedisRateLimiter

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
    "PylonAPIError",
    "PylonConfigError",
    "PylonConnectionError",
    "PylonError",
    "PylonInputError",
    "PylonTimeoutError",
    "RateLimitBackend",
    "RateLimitBackendError",
    "RateLimitError",
    "RateLimiter",
    "RedisRateLimiter",
    "ResponseValidationError",
    "RetryEvent",
    "RetryPolicy",
    "WebhookVerificationError",
    "Window",
    "__version__",
    "and_",
    "or_",
    "split_windows",
]


def __getattr__(name: str) -> object:
    # The Redis backend and its RESP client load on first use: ``import pylon_client`` stays lean.
    if name == "RedisRateLimiter":
        return importlib.import_module("._ratelimit_redis", __name__).RedisRateLimiter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
