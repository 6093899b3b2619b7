"""``AsyncPylon``: configuration, the transport stack, and the core every resource calls.

Requests go through one stack, whatever sends them (the resource methods, the plain generated
functions through :attr:`AsyncPylon.generated_client`)::

    RetryTransport -> RateLimitTransport -> httpx.AsyncClient.send (yours or ours)

so a user-supplied ``httpx.AsyncClient`` keeps its own transport, proxies and event hooks, and
still gets the Authorization header, retries and pacing. The token is added per request, never
stored in a repr, a log line or an exception message.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import logging
import os
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar
from urllib.parse import quote

import anyio
import attrs
import httpx

from ._config import (
    BASE_URL_ENV,
    TOKEN_ENV,
    check_base_url,
    check_timeout,
    check_token,
    enable_debug_logging,
    region_url,
)
from ._errors import (
    PylonConfigError,
    PylonConnectionError,
    PylonError,
    PylonInputError,
    PylonTimeoutError,
    ResponseValidationError,
    error_for_status,
)
from ._generated._contract import RequestOptions
from ._generated._endpoints import ENDPOINTS, Endpoint
from ._generated._resources import PageData, Resources, Upload
from ._generated.types import UNSET, Unset
from ._http import (
    LAST,
    ClientTransport,
    LastResponse,
    apply_options,
    connection_message,
    is_write,
    log_failure,
    log_response,
    query_params,
)
from ._pagination import AsyncPaginator, Page
from ._ratelimit import RateLimiter, check_org_key
from ._ratelimit_transport import RateLimitBackend, RateLimitTransport
from ._raw import RawResponse
from ._retry import RetryEvent, RetryPolicy, RetryTransport, may_have_been_sent, parse_retry_after
from ._version import __version__
from ._windows import DEFAULT_MAX_WINDOW

if TYPE_CHECKING:
    # Loaded on first use: the hand-written resources (with the export, the change feeds and
    # the bulk helpers) when ``pylon.issues``, ``.tasks`` or ``.accounts`` is first read, the
    # upload machinery with the first upload, the filter builder with the first filter.
    from ._auth import TokenProvider
    from ._generated._resources import ResourcesWithRawResponse
    from ._resources import AccountsResource, IssuesResource, TasksResource
    from ._upload_stream import MultipartStream

__all__ = ["AsyncPylon", "LastResponse"]

T = TypeVar("T")

_logger = logging.getLogger("pylon_client")
_DEFAULT_TIMEOUT = 30.0
_PLAIN_SEGMENT = re.compile(r"[A-Za-z0-9_~-]+").fullmatch
_BAD_JSON = object()  # no parsed body: the retry layer found none, or it did not parse


class AsyncPylon(Resources):
    """The async client: every Pylon operation as ``pylon.<resource>.<method>(...)``.

    Args:
        token: the API token; default the ``PYLON_API_TOKEN`` environment variable. A function
            or async function returning the token is called before every attempt, for tokens
            that rotate (see ``_auth``).
        base_url: the API root; default ``PYLON_BASE_URL``, else the host of ``region``.
        region: ``"us"`` (default) or ``"eu"``.
        timeout: seconds per request (connect, read, write, pool); default 30.0. ``None`` means
            no limit, and only when written explicitly. An ``httpx.Timeout`` is accepted.
        max_retries: retries after the first attempt; default 2. Ignored when ``retry`` is given.
        retry: a full :class:`RetryPolicy`; default ``RetryPolicy(max_retries=max_retries)``.
        rate_limit: pace requests per endpoint by Pylon's documented limits; default True.
            Pass a :class:`RateLimiter` to share one between clients in this process, or a
            :class:`RedisRateLimiter` to share one budget between processes and hosts.
        rate_limit_key: the organization whose budget this client spends, e.g. ``"acme"``;
            default None: the limiter's own ``key``, which for a ``RedisRateLimiter`` without
            one means the organization's id, learnt once from ``GET /me``.
        rate_limit_scale: multiplies every rate (tests and benchmarks); default 1.0.
        rate_limit_overrides: per-endpoint limits a minute, e.g. ``{"GET /issues": 10}``.
        http_client: an ``httpx.AsyncClient`` to send with; it keeps its transport and is not
            closed by this client. Default: one of our own, closed by :meth:`aclose`.
        transport: an ``httpx.AsyncBaseTransport`` for our own client (tests: MockTransport).
        default_headers: headers added to every request.
        allow_insecure: allow ``http://`` to a host that is not loopback; default False.
        on_retry: called with a ``RetryEvent`` before each retry.
        max_issue_window: the widest window ``GET /issues`` accepts; default 30 days (the
            spec's; Pylon's newer SDK says 365). ``pylon.issues.list`` refuses a larger
            ``window``.
        sleep: awaited with a delay in seconds by retries and the rate limiter; default
            ``anyio.sleep``. Tests pass a fake to run without waiting.
        tracing: OpenTelemetry spans, one client span per call, retries as its events;
            default False (``opentelemetry`` is never imported). True uses the global tracer
            provider; a ``TracerProvider`` is used as given. Needs ``pylon-client[otel]``.

    Raises:
        PylonConfigError: no token, a token with whitespace, a bad base URL or region, or an
            empty ``rate_limit_key``.

    Use it as an async context manager, or call :meth:`aclose`::

        async with AsyncPylon() as pylon:
            task = await pylon.tasks.get("task_1")

    """

    def __init__(
        self,
        token: str | TokenProvider | None = None,
        *,
        base_url: str | None = None,
        region: Literal["us", "eu"] = "us",
        timeout: float | httpx.Timeout | None = _DEFAULT_TIMEOUT,
        max_retries: int = 2,
        retry: RetryPolicy | None = None,
        rate_limit: bool | RateLimitBackend = True,
        rate_limit_key: str | None = None,
        rate_limit_scale: float = 1.0,
        rate_limit_overrides: Mapping[str, int] | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        default_headers: Mapping[str, str] | None = None,
        allow_insecure: bool = False,
        on_retry: Callable[[RetryEvent], object] | None = None,
        max_issue_window: dt.timedelta = DEFAULT_MAX_WINDOW,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        tracing: bool | Any = False,
    ) -> None:
        provider: TokenProvider | None = None
        if callable(token):
            provider = token
        else:
            token = token if token is not None else os.environ.get(TOKEN_ENV)
            check_token(token)
        if rate_limit_key is not None:
            check_org_key("rate_limit_key", rate_limit_key)
        self.base_url = check_base_url(
            base_url or os.environ.get(BASE_URL_ENV) or region_url(region), allow_insecure
        )
        headers = httpx.Headers(default_headers or {})
        headers["User-Agent"] = f"pylon-client/{__version__}"
        if provider is None:
            # httpx.Headers masks Authorization in its repr; the token lives nowhere else.
            headers["Authorization"] = f"Bearer {token}"
        self._headers = headers
        if http_client is not None and transport is not None:
            raise PylonConfigError("pass http_client or transport, not both")
        self._owns_http = http_client is None
        # Our own client carries the headers; a user's gets them with each request instead
        # (merging them per request costs a little, so only where needed).
        self._request_headers = None if http_client is None else headers
        self._http = http_client or httpx.AsyncClient(
            timeout=timeout, transport=transport, follow_redirects=False, headers=headers
        )
        self._timeout: httpx.Timeout | None = None  # None: the httpx client's own
        self._raw = False
        base: httpx.AsyncBaseTransport = ClientTransport(self._http)
        if provider is not None:
            from ._auth import TokenTransport  # loaded only for a token provider

            base = TokenTransport(base, provider)
        self._base = base
        if not isinstance(rate_limit, bool):
            limiter: RateLimitBackend | None = rate_limit
        elif rate_limit:
            limiter = _default_limiter(rate_limit_scale, rate_limit_overrides, sleep)
        else:
            limiter = None
        self.rate_limiter = limiter
        self._rate_limit_key = rate_limit_key
        self._policy = retry if retry is not None else RetryPolicy(max_retries=max_retries)
        self._paced = self._pace(limiter)
        self._sleep = sleep
        self._tracer: Any = None
        if tracing is not False:
            from ._otel import Tracing  # loaded only when tracing is asked for

            self._tracer = Tracing(None if tracing is True else tracing, base_url=self.base_url)
            on_retry = _chain(on_retry, self._tracer.on_retry)
        self._on_retry = on_retry
        self._stack = self._build_stack()
        self._generated: Any = None
        self._init_resources(self)
        if not isinstance(max_issue_window, dt.timedelta) or max_issue_window <= dt.timedelta(0):
            raise PylonConfigError(
                f"max_issue_window must be a positive timedelta, got {max_issue_window!r}"
            )
        self._max_issue_window = max_issue_window
        if os.environ.get("PYLON_LOG", "").lower() == "debug":
            enable_debug_logging()

    def __repr__(self) -> str:
        return f"AsyncPylon(base_url={self.base_url!r})"

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
            self._paced, self._policy, sleep=self._sleep, on_retry=self._on_retry, decode_json=True
        )
        if self._tracer is not None:
            stack = self._tracer.wrap(stack)
        return stack

    def _copy(self) -> Self:
        """Return a copy sharing the connection pool, the limiter and the stack; nothing cached."""
        clone = copy.copy(self)
        for name in _cached_names(type(self)):
            clone.__dict__.pop(name, None)
        clone._owns_http = False
        clone._generated = None
        clone._init_resources(clone)
        return clone

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | Unset | None = UNSET,
        max_retries: int | None = None,
        rate_limit: bool | RateLimitBackend | None = None,
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

        The copy does not own the connections: closing it closes nothing, and closing this
        client closes them for every copy.

        Raises:
            PylonConfigError: a negative ``max_retries`` or a bad ``timeout``.

        """
        clone = self._copy()
        if not isinstance(timeout, Unset):
            clone._timeout = check_timeout(timeout)
        rebuild = False
        if max_retries is not None:
            if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
                raise PylonConfigError(f"max_retries must be an int >= 0, got {max_retries!r}")
            clone._policy = attrs.evolve(self._policy, max_retries=max_retries)
            rebuild = True
        if rate_limit is not None:
            limiter: RateLimitBackend | None
            if rate_limit is True:
                limiter = self.rate_limiter or _default_limiter(1.0, None, self._sleep)
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
        from ._generated._resources import ResourcesWithRawResponse

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
        """Close the connections of our own ``httpx.AsyncClient`` (a user's is left open)."""
        if self._generated is not None:
            await self._generated.get_async_httpx_client().aclose()
        if self._owns_http:
            await self._http.aclose()

    # ------------------------------------------------------------------ hand-written resources
    # Like the generated ones (``Resources``), each is created on first access and then kept.

    @functools.cached_property
    def issues(self) -> IssuesResource:
        """``pylon.issues``: the generated methods, ``list`` over any range, ``changes``."""
        from ._resources import IssuesResource

        return IssuesResource(self, max_window=self._max_issue_window)

    @functools.cached_property
    def accounts(self) -> AccountsResource:
        """``pylon.accounts``: the generated methods, ``update_many`` and ``merge`` in batches."""
        from ._resources import AccountsResource

        return AccountsResource(self)

    @functools.cached_property
    def tasks(self) -> TasksResource:
        """``pylon.tasks``: the generated methods and ``changes``."""
        from ._resources import TasksResource

        return TasksResource(self)

    # ------------------------------------------------------------------ raw access

    @property
    def last_response(self) -> LastResponse | None:
        """The latest response received by the current task (status, headers, body, request id)."""
        return LAST.get()

    @property
    def last_request_id(self) -> str | None:
        """Pylon's request id of the current task's latest call, for support tickets."""
        last = LAST.get()
        return last.request_id if last is not None else None

    @property
    def generated_client(self) -> Any:
        """The plain generated ``AuthenticatedClient``, sending through this client's stack.

        For the generated ``*_detailed`` functions, which return status, headers and the parsed
        body: ``await get_task.asyncio_detailed("t1", client=pylon.generated_client)``.
        """
        if self._generated is None:
            from ._generated.client import (
                AuthenticatedClient,  # loaded on first use: keeps import lean
            )

            client = AuthenticatedClient(base_url=self.base_url, token="")
            client.set_async_httpx_client(
                httpx.AsyncClient(
                    base_url=self.base_url, headers=self._headers, transport=self._stack
                )
            )
            self._generated = client
        return self._generated

    # ------------------------------------------------------------------ the Core protocol

    def segment(self, value: str, name: str) -> str:
        """Percent-encode one path segment; ``/``, ``?`` and ``..`` never change the path."""
        if not isinstance(value, str) or not value.strip():
            raise PylonInputError(f"{name} must be a non-empty string, got {value!r}")
        if _PLAIN_SEGMENT(value):
            return value  # ids are usually plain: nothing to encode
        encoded = quote(value, safe="")
        if encoded in (".", ".."):
            # Dot segments would be resolved away by URL normalisation.
            encoded = encoded.replace(".", "%2E")
        return encoded

    def body(self, value: Any) -> dict[str, Any]:
        """Turn a generated model or a mapping into a request body."""
        to_dict = getattr(value, "to_dict", None)
        if to_dict is not None:
            return dict(to_dict())
        if isinstance(value, Mapping):
            return dict(value)
        raise PylonInputError(f"body must be a generated model or a mapping, got {type(value)}")

    def search_filter(self, value: Any) -> dict[str, Any] | None:
        """Check and serialise a search filter (a dict or an ``F(...)`` expression)."""
        if value is None:
            return None
        from ._filter_builder import filter_to_dict  # loaded with the first filter

        return filter_to_dict(value)

    async def request(
        self,
        endpoint: Endpoint,
        path: str,
        parse: Callable[[Any], T],
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        options: RequestOptions | None = None,
    ) -> T:
        """Send one request and return the parsed, unwrapped result."""
        response = await self._send(endpoint, path, params, json, None, options)
        if self._raw:
            return self._raw_response(endpoint, response, parse)  # type: ignore[return-value]  # with_raw_response retypes the call
        return self._parse(endpoint, response, parse)

    async def upload(
        self,
        endpoint: Endpoint,
        path: str,
        parse: Callable[[Any], T],
        *,
        fields: dict[str, Any],
        files: dict[str, Upload | Sequence[Upload]],
        options: RequestOptions | None = None,
    ) -> T:
        """Send one ``multipart/form-data`` request, streaming its files, and return the result.

        The parts are checked first: a bad one raises ``PylonInputError`` and nothing is sent
        (see ``_uploads`` for what a file can be). The body is then read from the files as it
        is sent, through the same retries, pacing and error mapping as :meth:`request`.

        An upload is a write, so it is sent again only when the failed attempt provably was not
        applied (a 429, a connection refused): and only when its body can start over, as it can
        for bytes, paths and seekable files. A body read once (an async file, a pipe) is never
        sent twice: the error is raised instead, ``maybe_applied`` saying whether Pylon may
        have kept it. Files opened from paths are closed however the call ends.
        """
        from ._uploads import prepare_upload  # loaded with the first upload

        if options is not None and options.body:
            fields = {**fields, **options.body}  # extra_body: more text parts
        form = await prepare_upload(fields, files)
        try:
            response = await self._send(endpoint, path, None, None, form, options)
        finally:
            await form.aclose()
        if self._raw:
            return self._raw_response(endpoint, response, parse)  # type: ignore[return-value]  # with_raw_response retypes the call
        return self._parse(endpoint, response, parse)

    def paginate(
        self,
        endpoint: Endpoint,
        path: str,
        parse: Callable[[Any], PageData],
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        max_items: int | None = None,
        options: RequestOptions | None = None,
    ) -> AsyncPaginator[Any]:
        """Return an :class:`AsyncPaginator` over a list or search endpoint."""
        responses: list[httpx.Response] = []

        async def fetch(
            ep: Endpoint, p: str, q: dict[str, Any] | None, j: dict[str, Any] | None
        ) -> PageData:
            response = await self._send(ep, p, q, j, None, options)
            if self._raw:
                responses.append(response)
            return self._parse(ep, response, parse)

        paginator: AsyncPaginator[Any] = AsyncPaginator(
            fetch,
            endpoint,
            path,
            params=params,
            json=json,
            limit=limit,
            cursor=cursor,
            max_items=max_items,
        )
        if self._raw:
            return self._raw_page(paginator, responses)  # type: ignore[return-value]  # with_raw_response retypes the call
        return paginator

    async def _raw_page(
        self, paginator: AsyncPaginator[Any], responses: list[httpx.Response]
    ) -> RawResponse[Page[Any]]:
        page = await paginator.pages().__anext__()
        return RawResponse(responses[0], page.request_id, lambda: page)

    def _raw_response(
        self, endpoint: Endpoint, response: httpx.Response, parse: Callable[[Any], T]
    ) -> RawResponse[T]:
        payload = response.extensions.get("pylon_json", _BAD_JSON)
        if not 200 <= response.status_code < 300 or payload is _BAD_JSON:
            self._parse(endpoint, response, parse)  # raises the typed error
        # As _parse would, without parsing: that waits for RawResponse.parse(), which then
        # touches no per-task state (it may run in another task, or another thread).
        request_id = payload.get("request_id") if isinstance(payload, dict) else None
        last = RawResponse(
            response,
            request_id if isinstance(request_id, str) else None,
            functools.partial(self._decode, endpoint, response, parse, payload),
        )
        LAST.set(last)
        if _logger.isEnabledFor(logging.DEBUG):
            log_response(endpoint, response, last.request_id)
        return last

    # ------------------------------------------------------------------ sending

    async def _send(
        self,
        endpoint: Endpoint,
        path: str,
        params: dict[str, Any] | None,
        json: Any,
        form: MultipartStream | None = None,
        options: RequestOptions | None = None,
    ) -> httpx.Response:
        if self._http.is_closed:
            raise PylonConnectionError(f"{endpoint.method} {path}: the client is closed")
        headers = self._request_headers
        timeout = self._timeout
        if options is not None:
            headers, params, json, timeout = apply_options(
                endpoint, options, headers, params, json, timeout, has_form=form is not None
            )
        extensions: dict[str, Any] = {"pylon_endpoint": endpoint.key}
        if form is not None:
            headers = httpx.Headers(headers)
            headers.update(form.headers)
            extensions["pylon_replayable"] = form.replayable  # see _retry: re-sent only if True
        request = self._http.build_request(
            endpoint.method,
            self.base_url + path,
            params=query_params(params) if params else None,
            json=json,
            content=form,
            headers=headers,
            extensions=extensions,
            timeout=httpx.USE_CLIENT_DEFAULT if timeout is None else timeout,
        )
        if form is not None:
            request.stream = form  # as it is: httpx would wrap it in a one-shot async generator
        started = time.perf_counter()
        try:
            response = await self._stack.handle_async_request(request)
            try:
                await response.aread()
            finally:
                await response.aclose()
        except httpx.DecodingError as exc:
            log_failure(endpoint, path, exc)
            raise ResponseValidationError(
                f"{endpoint.key}: the response body could not be decoded ({exc})", status_code=0
            ) from exc
        except httpx.TimeoutException as exc:
            log_failure(endpoint, path, exc)
            raise PylonTimeoutError(
                connection_message(endpoint, path, exc), maybe_applied=may_have_been_sent(exc)
            ) from exc
        except httpx.HTTPError as exc:
            log_failure(endpoint, path, exc)
            raise PylonConnectionError(
                connection_message(endpoint, path, exc), maybe_applied=may_have_been_sent(exc)
            ) from exc
        response.extensions["pylon_elapsed_ms"] = (time.perf_counter() - started) * 1000
        return response

    def _parse(self, endpoint: Endpoint, response: httpx.Response, parse: Callable[[Any], T]) -> T:
        status = response.status_code
        if not 200 <= status < 300:
            LAST.set(LastResponse(response, None))
            if _logger.isEnabledFor(logging.DEBUG):
                log_response(endpoint, response, None)
            raise error_for_status(
                status,
                response.content,
                response.headers,
                method=endpoint.method,
                path=response.request.url.path,
                retry_after=parse_retry_after(response.headers) if status == 429 else None,
            )
        # Parsed by the retry layer (which retries a read whose body does not parse).
        payload = response.extensions.get("pylon_json", _BAD_JSON)
        if payload is _BAD_JSON:
            LAST.set(LastResponse(response, None))
            if _logger.isEnabledFor(logging.DEBUG):
                log_response(endpoint, response, None)
            raise ResponseValidationError(
                f"{endpoint.key}: the response is not JSON",
                status_code=status,
                body=response.content,
                maybe_applied=is_write(endpoint),
            )
        request_id = payload.get("request_id") if isinstance(payload, dict) else None
        if not isinstance(request_id, str):
            request_id = None
        LAST.set(LastResponse(response, request_id))
        if _logger.isEnabledFor(logging.DEBUG):
            log_response(endpoint, response, request_id)
        return self._decode(endpoint, response, parse, payload)

    def _decode(
        self, endpoint: Endpoint, response: httpx.Response, parse: Callable[[Any], T], payload: Any
    ) -> T:
        """Parse a 2xx JSON payload with ``parse``, any mismatch a ResponseValidationError."""
        try:
            return parse(payload)
        except PylonError:
            raise
        except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as exc:
            raise ResponseValidationError(
                f"{endpoint.key}: the response does not match the API description "
                f"({type(exc).__name__}: {exc})",
                status_code=response.status_code,
                body=response.content,
                maybe_applied=is_write(endpoint),
            ) from exc


# ---------------------------------------------------------------------- helpers


def _default_limiter(
    scale: float, overrides: Mapping[str, int] | None, sleep: Callable[[float], Awaitable[None]]
) -> RateLimiter:
    limits = {k: e.rate_limit for k, e in ENDPOINTS.items() if e.rate_limit}
    return RateLimiter(limits, scale=scale, overrides=overrides, sleep=sleep)


_CACHED: dict[type, frozenset[str]] = {}


def _cached_names(cls: type) -> frozenset[str]:
    """Return the names of the ``cached_property`` attributes of ``cls``."""
    names = _CACHED.get(cls)
    if names is None:
        names = _CACHED[cls] = frozenset(
            name
            for klass in cls.__mro__
            for name, value in vars(klass).items()
            if isinstance(value, functools.cached_property)
        )
    return names


def _chain(
    first: Callable[[RetryEvent], object] | None, second: Callable[[RetryEvent], object]
) -> Callable[[RetryEvent], object]:
    if first is None:
        return second

    def both(event: RetryEvent) -> None:
        first(event)
        second(event)

    return both
