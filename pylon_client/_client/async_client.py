"""``AsyncPylon``: configuration, the transport stack, copies with other options.

Requests go through one stack, whatever sends them (the resource methods, the plain generated
functions through :attr:`AsyncPylon.generated_client`)::

    RetryTransport -> RateLimitTransport -> httpx.AsyncClient.send (yours or ours)

so a user-supplied ``httpx.AsyncClient`` keeps its own transport, proxies and event hooks, and
still gets the Authorization header, retries and pacing. The token is added per request, never
stored in a repr, a log line or an exception message. What the resources call (send, parse,
paginate, upload) is :class:`~._core.ClientCore`.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import weakref
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, Unpack

import attrs
import httpx

from .._exceptions import PylonConfigError
from .._generated._resources import Resources
from .._generated.types import UNSET, Unset
from .._ratelimit.transport import RateLimitBackend, RateLimitTransport
from .._transport.body import decode_body
from .._transport.http import ClientTransport, LastResponse, Owner
from .._transport.retry import RetryPolicy, RetryTransport
from .._version import __version__
from .config import (
    BASE_URL_ENV,
    TOKEN_ENV,
    Secret,
    accelerator,
    check_base_url,
    check_deadline,
    check_limits,
    check_max_response_bytes,
    check_timeout,
    enable_debug_logging,
    region_url,
    seal_token,
)
from .copies import chain, default_limiter, uncached_copy
from .core import ClientCore
from .options import ClientOptions, Settings, spelled_out
from .raw import RawAccess

if TYPE_CHECKING:
    # Loaded on first use: the hand-written resources (with the export, the change feeds and
    # the bulk helpers) when ``pylon.issues``, ``.tasks`` or ``.accounts`` is first read, the
    # token transport with a token provider.
    from .._generated._resources import ResourcesWithRawResponse
    from .._transport.auth import TokenProvider
    from .helpers import AccountsResource, IssuesResource, TasksResource

__all__ = ["AsyncPylon", "LastResponse"]


class AsyncPylon(ClientCore, Resources, RawAccess):
    """The async client: every Pylon operation as ``pylon.<resource>.<method>(...)``.

    Args:
        token: the API token; default the ``PYLON_API_TOKEN`` environment variable. A function
            or async function returning the token is called before every attempt, for tokens
            that rotate (see ``_transport.auth``).
        http_client: an ``httpx.AsyncClient`` to send with; it keeps its transport and is not
            closed by this client. Default: one of our own, closed by :meth:`aclose`.
        options: a :class:`ClientOptions`; the keyword settings below change it.
        **settings: any field of :class:`ClientOptions`, where each is described with its
            default: ``base_url``, ``region``, ``timeout``, ``deadline``, ``max_retries``,
            ``retry``, ``rate_limit`` (and ``rate_limit_key``, ``_scale``, ``_overrides``),
            ``transport``, ``default_headers``, ``allow_insecure``, ``on_retry``,
            ``max_issue_window``, ``sleep``, ``tracing``, ``accelerate``,
            ``max_response_bytes``, ``max_connections``, ``max_keepalive_connections``.

    Every option is checked before anything is built; :attr:`options` holds them.

    Raises:
        PylonConfigError: no token, a token with whitespace, a bad base URL or region, an
            option out of its range, or ``accelerate=True`` without msgspec.

    Use it as an async context manager, or call :meth:`aclose`::

        async with AsyncPylon(timeout=10) as pylon:
            task = await pylon.tasks.get("task_1")

    """

    def __init__(
        self,
        token: str | Secret | TokenProvider | None = None,
        *,
        http_client: httpx.AsyncClient | None = None,
        options: ClientOptions | None = None,
        **settings: Unpack[Settings],
    ) -> None:
        provider: TokenProvider | None = None
        secret: Secret | None = None
        if callable(token):
            provider = token
        elif isinstance(token, Secret):  # sealed by the sync client
            secret = token
        else:
            sealed = seal_token(token if token is not None else os.environ.get(TOKEN_ENV))
            token = None  # from here on only the Secret: no frame of ours holds the bare token
            if isinstance(sealed, str):
                raise PylonConfigError(sealed)
            secret = sealed
        # The token is sealed first: an option refused below leaves no bare token in a frame.
        opts = options if options is not None else ClientOptions()
        if settings:
            opts = opts.evolve(**settings)
        if http_client is not None and opts.transport is not None:
            raise PylonConfigError("pass http_client or transport, not both")
        self.base_url = check_base_url(
            opts.base_url or os.environ.get(BASE_URL_ENV) or region_url(opts.region),
            opts.allow_insecure,
        )
        self.options = opts
        headers = httpx.Headers(opts.default_headers or {})
        headers["User-Agent"] = f"pylon-client/{__version__}"
        if secret is not None:
            # httpx.Headers masks Authorization in its repr; the token lives nowhere else.
            headers["Authorization"] = f"Bearer {secret.reveal()}"
        self._headers = headers
        self._fast = accelerator(opts.accelerate)
        self._owns_http = http_client is None
        self._copied = False
        # Our own client carries the headers; a user's gets them with each request instead
        # (merging them per request costs a little, so only where needed).
        self._request_headers = None if http_client is None else headers
        self._http = http_client or httpx.AsyncClient(
            timeout=opts.timeout,
            transport=opts.transport,
            follow_redirects=False,
            headers=headers,
            limits=check_limits(opts.max_connections, opts.max_keepalive_connections),
        )
        self._timeout: httpx.Timeout | None = None  # None: the httpx client's own
        self._owner = Owner()  # shared with copies: last_response, calls in flight (see _http)
        self._last_key = weakref.ref(self._owner)
        self._deadline = check_deadline(opts.deadline)
        self._raw = False
        base: httpx.AsyncBaseTransport = ClientTransport(
            self._http, check_max_response_bytes(opts.max_response_bytes)
        )
        if provider is not None:
            from .._transport.auth import TokenTransport  # loaded only for a token provider

            base = TokenTransport(base, provider)
        self._base = base
        rate_limit = opts.rate_limit
        if not isinstance(rate_limit, bool):
            limiter: RateLimitBackend | None = rate_limit
        elif rate_limit:
            limiter = default_limiter(opts.rate_limit_scale, opts.rate_limit_overrides, opts.sleep)
        else:
            limiter = None
        self.rate_limiter = limiter
        self._rate_limit_key = opts.rate_limit_key
        self._policy = (
            opts.retry if opts.retry is not None else RetryPolicy(max_retries=opts.max_retries)
        )
        self._paced = self._pace(limiter)
        self._sleep = opts.sleep
        self._tracer: Any = None
        on_retry = opts.on_retry
        if opts.tracing is not False:
            from .._transport.tracing import Tracing  # loaded only when tracing is asked for

            self._tracer = Tracing(
                None if opts.tracing is True else opts.tracing, base_url=self.base_url
            )
            on_retry = chain(on_retry, self._tracer.on_retry)
        self._on_retry = on_retry
        self._stack = self._build_stack()
        self._generated: Any = None
        self._init_resources(self)
        self._max_issue_window = opts.max_issue_window
        if os.environ.get("PYLON_LOG", "").lower() == "debug":
            enable_debug_logging()

    __init__.__signature__ = spelled_out(__init__)  # type: ignore[attr-defined]  # read by inspect

    def __repr__(self) -> str:
        # getattr: a client whose __init__ raised is still shown (error reporters print locals).
        return f"AsyncPylon(base_url={getattr(self, 'base_url', None)!r})"

    # ------------------------------------------------------------------ copies

    def _pace(self, limiter: RateLimitBackend | None) -> httpx.AsyncBaseTransport:
        """Return the layer under the retries: the connection, paced by ``limiter`` if any."""
        if limiter is None:
            return self._base
        return RateLimitTransport(
            self._base,
            limiter,
            max_penalty=self._policy.max_retry_wait,
            org=self._rate_limit_key if self._rate_limit_key is not None else limiter.key,
            me_url=self.base_url + "/me",
        )

    def _build_stack(self) -> httpx.AsyncBaseTransport:
        stack: httpx.AsyncBaseTransport = RetryTransport(
            self._paced,
            self._policy,
            sleep=self._sleep,
            on_retry=self._on_retry,
            check_body=decode_body,
        )
        if self._tracer is not None:
            stack = self._tracer.wrap(stack)
        return stack

    def _copy(self) -> Self:
        """Return a copy sharing the connection pool, the limiter and the stack; nothing cached."""
        clone = uncached_copy(self)
        clone._owns_http = False
        clone._copied = True
        clone._generated = None
        clone._init_resources(clone)
        return clone

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | Unset | None = UNSET,
        max_retries: int | None = None,
        rate_limit: bool | RateLimitBackend | None = None,
        deadline: float | dt.timedelta | Unset | None = UNSET,
    ) -> Self:
        """Return a copy with other options, sharing this client's connections and limiter.

        Cheap (no connection, no limiter is created): use it per call site, e.g.
        ``await pylon.with_options(timeout=5, max_retries=0).tasks.get("task_1")``.

        Args:
            timeout: seconds per request, an ``httpx.Timeout``, or None for no limit; default:
                unchanged.
            max_retries: retries after the first attempt; default: unchanged.
            rate_limit: False to send unpaced, True for this client's limiter, or another
                :class:`RateLimiter` / :class:`RedisRateLimiter`; default: unchanged.
            deadline: seconds bounding each call whole, or None for no bound; default:
                unchanged.

        The copy does not own the connections: closing it closes nothing, and closing this
        client closes them for every copy.

        Raises:
            PylonConfigError: a negative ``max_retries`` or a bad ``timeout``.

        """
        changes: dict[str, Any] = {}
        if not isinstance(timeout, Unset):
            changes["timeout"] = timeout
        if not isinstance(deadline, Unset):
            changes["deadline"] = deadline
        if max_retries is not None:
            changes["max_retries"] = max_retries
        options = self.options.evolve(**changes)  # checked as the client's own options are
        clone = self._copy()
        clone.options = options
        if "timeout" in changes:
            clone._timeout = check_timeout(timeout)
        if "deadline" in changes:
            clone._deadline = check_deadline(deadline)
        rebuild = False
        if max_retries is not None:
            clone._policy = attrs.evolve(self._policy, max_retries=max_retries)
            rebuild = True
        if rate_limit is not None:
            limiter: RateLimitBackend | None
            if rate_limit is True:
                limiter = self.rate_limiter or default_limiter(1.0, None, self._sleep)
            else:
                limiter = None if rate_limit is False else rate_limit
            if limiter is not self.rate_limiter:
                clone.rate_limiter = limiter
                clone._paced = clone._pace(limiter)
                rebuild = True
        if rebuild:
            clone._stack = clone._build_stack()
        return clone

    @functools.cached_property
    def with_raw_response(self) -> ResourcesWithRawResponse:
        """Every method, returning a :class:`RawResponse` (status, headers, request id, parse).

        ``raw = await pylon.with_raw_response.tasks.get("task_1")``; ``raw.parse()`` is the
        ``Task``. Errors are raised as by the plain call. A list or search answers with its
        first page (``raw.parse()`` is a ``Page``).
        """
        from .._generated._resources import ResourcesWithRawResponse

        clone = self._copy()
        clone._raw = True
        return ResourcesWithRawResponse(clone)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Cancel the calls in flight and close the connections of our own ``httpx.AsyncClient``.

        Calls under way (in any task of this client or its copies) end at once with
        :class:`ClientClosedError`, and so does every later call. A user's ``http_client`` is
        left open. Closing a copy (``with_options``, ``with_raw_response``) closes only its own
        ``generated_client``.
        """
        if self._generated is not None:
            await self._generated.get_async_httpx_client().aclose()
        if self._copied:
            return
        self._owner.cancel_calls()
        if self._owns_http:
            await self._http.aclose()

    # ------------------------------------------------------------------ hand-written resources
    # Like the generated ones (``Resources``), each is created on first access and then kept.

    @functools.cached_property
    def issues(self) -> IssuesResource:
        """``pylon.issues``: the generated methods, ``list`` over any range, ``changes``."""
        from .helpers import IssuesResource

        return IssuesResource(self, max_window=self._max_issue_window)

    @functools.cached_property
    def accounts(self) -> AccountsResource:
        """``pylon.accounts``: the generated methods, ``update_many`` and ``merge`` in batches."""
        from .helpers import AccountsResource

        return AccountsResource(self)

    @functools.cached_property
    def tasks(self) -> TasksResource:
        """``pylon.tasks``: the generated methods and ``changes``."""
        from .helpers import TasksResource

        return TasksResource(self)
