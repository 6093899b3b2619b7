"""``Pylon``: the sync client, the async client's methods run to completion for the caller.

``Pylon`` owns an :class:`AsyncPylon` and a :class:`Portal` (an asyncio event loop that the
calling thread drives for the length of its call; see :mod:`._portal`). Each method checks its
arguments and builds nothing twice: the generated ``Sync*Resource`` classes hand the call to
the async method, which runs with the async client's retries, pacing, pagination and typed
errors. Lists return a :class:`SyncPaginator` that runs the loop once per page.

Why drive the async core rather than generate a second, sync stack: retries, pacing (one
limiter for both), pagination, uploads and the export exist once, in async code, and behave
the same in both clients. Why the calling thread drives the loop rather than a worker thread:
no thread hop per call (``make bench`` section 9 measures the cost against the async client),
no thread to leak. Threads sharing one client take turns running the loop, their calls
running concurrently on it.

Inside a running event loop (a coroutine, Jupyter) the sync client still works: the call runs
in a helper thread while the calling thread waits, blocking its loop for the call's length, as
any blocking call would. Prefer :class:`AsyncPylon` there.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import threading
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar, Unpack

import httpx

from .._client.async_client import AsyncPylon
from .._client.config import TOKEN_ENV, Secret, seal_token
from .._client.copies import uncached_copy
from .._client.options import ClientOptions, Settings, spelled_out
from .._exceptions import PylonConfigError
from .._generated._contract import Paginator
from .._generated._resources import SyncResources
from .._generated.types import UNSET, Unset
from .._transport.http import LastResponse
from .portal import Portal, SyncPaginator

if TYPE_CHECKING:
    from .._generated._resources import SyncResourcesWithRawResponse
    from .._ratelimit.transport import RateLimitBackend
    from .._transport.auth import TokenProvider
    from .helpers import SyncAccountsResource, SyncIssuesResource, SyncTasksResource

__all__ = ["Pylon"]

T = TypeVar("T")


class _Runner:
    """The ``Runner`` of the generated sync classes: the portal, and each thread's last response.

    ``AsyncPylon.last_response`` is per task; each call on the loop is a task of its own, so
    the runner carries the call's last response back to the calling thread, where
    ``Pylon.last_response`` reads it (per thread, as the async one is per task).
    """

    __slots__ = ("client", "last", "portal")

    def __init__(self, portal: Portal, client: AsyncPylon) -> None:
        self.portal = portal
        self.client = client
        self.last = threading.local()

    def run(self, func: Callable[..., Awaitable[T]], /, *args: Any, **kwargs: Any) -> T:
        """Run ``func(*args, **kwargs)`` on the client's loop; return or raise its outcome."""
        box: list[LastResponse | None] = [None]

        async def call() -> T:
            try:
                return await func(*args, **kwargs)
            finally:
                box[0] = self.client.last_response

        try:
            return self.portal.run(call)
        finally:
            self.last.response = box[0]

    def paginator(self, paginator: Paginator[T]) -> SyncPaginator[T]:
        """Wrap an async paginator: the loop runs once per page."""
        return self.portal.paginator(paginator, self)


class Pylon(SyncResources):
    """The sync client: every Pylon operation as ``pylon.<resource>.<method>(...)``.

    Takes the arguments of :class:`AsyncPylon`: a token, a :class:`ClientOptions` and any of
    its fields as keywords (one list for both clients), except ``http_client``: it sends
    through its own ``httpx.AsyncClient`` (``transport=`` still takes an
    ``httpx.AsyncBaseTransport``, e.g. ``httpx.MockTransport``). Callbacks (``on_retry``,
    ``on_progress``, a token provider) run in the thread that drives the call.


    Use it as a context manager, or call :meth:`close`::

        with Pylon() as pylon:
            task = pylon.tasks.get("task_1")
            for issue in pylon.issues.list(start_time=start, end_time=end):
                ...

    One client may be shared by threads: their calls run concurrently on the worker's loop,
    through one connection pool and one rate limiter.
    """

    def __init__(
        self,
        token: str | Secret | TokenProvider | None = None,
        *,
        options: ClientOptions | None = None,
        **settings: Unpack[Settings],
    ) -> None:
        if not callable(token):
            # Sealed here, as AsyncPylon would: this frame is on the traceback of its errors.
            sealed = seal_token(token if token is not None else os.environ.get(TOKEN_ENV))
            token = None
            if isinstance(sealed, str):
                raise PylonConfigError(sealed)
            token = sealed
        opts = options if options is not None else ClientOptions()
        if settings:
            opts = opts.evolve(**settings)  # checked here, before a loop or a pool exists
        self._async = AsyncPylon(token, options=opts)
        self._portal = Portal()  # its event loop is made on the first call
        self._runner = _Runner(self._portal, self._async)
        self._owner = True
        self._init_sync(self._async, self._runner)

    __init__.__signature__ = spelled_out(__init__)  # type: ignore[attr-defined]  # read by inspect

    def __repr__(self) -> str:
        # getattr: a client whose __init__ raised is still shown (error reporters print locals).
        return f"Pylon(base_url={getattr(getattr(self, '_async', None), 'base_url', None)!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Cancel the calls in flight, close the connections and the event loop.

        Calls under way in other threads end at once with :class:`ClientClosedError`, and so
        does every later call; ``close`` returns as soon as they have unwound. Calling it
        twice is harmless; a copy's ``close`` does nothing.
        """
        if not self._owner:
            return
        self._portal.close(self._async.aclose, interrupt=self._async._owner.cancel_calls)

    @property
    def base_url(self) -> str:
        """The API root requests go to."""
        return self._async.base_url

    @property
    def options(self) -> ClientOptions:
        """The settings of this client, as :attr:`AsyncPylon.options` (a copy shows its own)."""
        return self._async.options

    @property
    def rate_limiter(self) -> RateLimitBackend | None:
        """The limiter pacing this client (shared with its copies), or None when unpaced."""
        return self._async.rate_limiter

    @property
    def last_response(self) -> LastResponse | None:
        """The latest response of this thread's latest call (status, headers, request id)."""
        return getattr(self._runner.last, "response", None)

    @property
    def last_request_id(self) -> str | None:
        """Pylon's request id of this thread's latest call, for support tickets."""
        last = self.last_response
        return last.request_id if last is not None else None

    @property
    def async_client(self) -> AsyncPylon:
        """The :class:`AsyncPylon` this client runs (its methods must run on this client's loop)."""
        return self._async

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | Unset | None = UNSET,
        max_retries: int | None = None,
        rate_limit: bool | RateLimitBackend | None = None,
        deadline: float | dt.timedelta | Unset | None = UNSET,
    ) -> Self:
        """Return a copy with other options, sharing connections, limiter and event loop.

        See :meth:`AsyncPylon.with_options`. Closing the copy closes nothing.
        """
        clone = uncached_copy(self)
        clone._async = self._async.with_options(
            timeout=timeout, max_retries=max_retries, rate_limit=rate_limit, deadline=deadline
        )
        clone._owner = False
        clone._init_sync(clone._async, self._runner)
        return clone

    @functools.cached_property
    def with_raw_response(self) -> SyncResourcesWithRawResponse:
        """Every method, returning a :class:`RawResponse`; see ``AsyncPylon.with_raw_response``."""
        from .._generated._resources import SyncResourcesWithRawResponse

        return SyncResourcesWithRawResponse(self._async.with_raw_response, self._runner)

    # ------------------------------------------------------------------ hand-written resources

    @functools.cached_property
    def issues(self) -> SyncIssuesResource:
        """``pylon.issues``: the generated methods, ``list`` over any range, ``changes``."""
        from .helpers import SyncIssuesResource

        return SyncIssuesResource(self._async.issues, self._runner)

    @functools.cached_property
    def tasks(self) -> SyncTasksResource:
        """``pylon.tasks``: the generated methods and ``changes``."""
        from .helpers import SyncTasksResource

        return SyncTasksResource(self._async.tasks, self._runner)

    @functools.cached_property
    def accounts(self) -> SyncAccountsResource:
        """``pylon.accounts``: the generated methods, ``update_many`` and ``merge``."""
        from .helpers import SyncAccountsResource

        return SyncAccountsResource(self._async.accounts, self._runner)
