"""``ClientCore``: what the generated resources call, the ``Core`` of ``_generated._contract``.

``AsyncPylon`` is a ``ClientCore``: each resource method builds its path, query and body and
hands them here, where the request is sent through the client's stack (retries, pacing, the
token), the answer's status mapped to a typed error, its JSON parsed by the method's parse
function, and a :class:`ResponseValidationError` raised when it does not match. A copy made by
``with_raw_response`` answers each call with a :class:`RawResponse` instead of the parsed
result.

With msgspec installed (``_transport.accel``), each request also carries the fast decoder of
its parse function (``RequestContext.decoder``); reading the body then leaves the finished
result in the context's ``parsed`` and :meth:`ClientCore._parse` only hands it on.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import httpx

from .._exceptions import (
    ClientClosedError,
    PylonConnectionError,
    PylonError,
    PylonInputError,
    PylonTimeoutError,
    ResponseValidationError,
    error_for_status,
)
from .._export.windows import rfc3339_argument
from .._generated._contract import RequestOptions, encode_segment
from .._generated._endpoints import Endpoint
from .._generated._resources import PageData, Upload
from .._generated.types import Unset
from .._transport.body import body_request_id
from .._transport.context import CONTEXT_KEY, NOT_JSON, RequestContext, context_of
from .._transport.http import (
    LastKey,
    LastResponse,
    Owner,
    apply_options,
    connection_message,
    is_write,
    log_failure,
    log_response,
    query_params,
    redact,
    set_last,
)
from .._transport.retry import may_have_been_sent, parse_retry_after
from .config import check_deadline
from .pagination import AsyncPaginator, Page
from .raw import RawResponse

if TYPE_CHECKING:
    from .._uploads.stream import MultipartStream

__all__ = ["ClientCore"]

T = TypeVar("T")

_logger = logging.getLogger("pylon_client")


class ClientCore:
    """Sends what the resources build, and parses what comes back (see the module docstring).

    The attributes are set by ``AsyncPylon.__init__`` (and its copies).
    """

    base_url: str
    _http: httpx.AsyncClient
    _stack: httpx.AsyncBaseTransport
    _request_headers: httpx.Headers | None
    _timeout: httpx.Timeout | None
    _raw: bool
    _fast: Callable[[Callable[[Any], Any]], Callable[[bytes], Any] | None] | None
    _last_key: LastKey
    _owner: Owner
    _deadline: float | None

    def segment(self, value: str, name: str) -> str:
        """Percent-encode one path segment; ``/``, ``?`` and ``..`` never change the path."""
        if not isinstance(value, str) or not value.strip():
            raise PylonInputError(f"{name} must be a non-empty string, got {value!r}")
        return encode_segment(value)

    def when(self, value: Any, name: str) -> Any:
        """Check a date or date-time body field; send it as RFC 3339 (see ``rfc3339_argument``).

        ``UNSET`` (not sent), ``None`` and ``""`` (which clears a date on an update) go as
        they are.
        """
        if value is None or value == "" or isinstance(value, Unset):
            return value
        return rfc3339_argument(value, name)

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
        from .._filters.builder import filter_to_dict  # loaded with the first filter

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
        response = await self._send(endpoint, path, params, json, None, options, parse)
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
        (see ``_uploads.parts`` for what a file can be). The body is then read from the files as it
        is sent, through the same retries, pacing and error mapping as :meth:`request`.

        An upload is a write, so it is sent again only when the failed attempt provably was not
        applied (a 429, a connection refused): and only when its body can start over, as it can
        for bytes, paths and seekable files. A body read once (an async file, a pipe) is never
        sent twice: the error is raised instead, ``maybe_applied`` saying whether Pylon may
        have kept it. Files opened from paths are closed however the call ends.
        """
        from .._uploads.parts import prepare_upload  # loaded with the first upload

        if options is not None and options.body:
            fields = {**fields, **options.body}  # extra_body: more text parts
        form = await prepare_upload(fields, files)
        try:
            response = await self._send(endpoint, path, None, None, form, options, parse)
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
            response = await self._send(ep, p, q, j, None, options, parse)
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
        context = context_of(response.request)
        parsed = context.parsed
        result: Callable[[], T]
        if parsed is not None:  # decoded by accel: the result is there already
            result = lambda: parsed.value  # noqa: E731
        else:
            payload = context.payload
            if not 200 <= response.status_code < 300 or payload is NOT_JSON:
                self._parse(endpoint, response, parse)  # raises the typed error
            result = functools.partial(self._decode, endpoint, response, parse, payload)
        # As _parse would, without parsing: that waits for RawResponse.parse(), which then
        # touches no per-task state (it may run in another task, or another thread).
        last = RawResponse(response, body_request_id(response.request), result)
        set_last(self._last_key, last)
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
        parse: Callable[[Any], Any] | None = None,
    ) -> httpx.Response:
        if self._http.is_closed or self._owner.closed:
            raise ClientClosedError(f"{endpoint.method} {path}: the client is closed")
        headers = self._request_headers
        timeout = self._timeout
        deadline = self._deadline
        if options is not None:
            headers, params, json, timeout = apply_options(
                endpoint, options, headers, params, json, timeout, has_form=form is not None
            )
            if not isinstance(options.deadline, Unset):
                deadline = check_deadline(options.deadline, PylonInputError)
        context = RequestContext(endpoint=endpoint.key)
        if self._fast is not None and parse is not None:
            context.decoder = self._fast(parse)  # see body.decode_body
        if form is not None:
            headers = httpx.Headers(headers)
            headers.update(form.headers)
            context.replayable = form.replayable  # see retry: re-sent only if True
        request = self._http.build_request(
            endpoint.method,
            self.base_url + path,
            params=query_params(params) if params else None,
            json=json,
            content=form,
            headers=headers,
            extensions={CONTEXT_KEY: context},
            timeout=httpx.USE_CLIENT_DEFAULT if timeout is None else timeout,
        )
        if form is not None:
            request.stream = form  # as it is: httpx would wrap it in a one-shot async generator
        started = time.perf_counter()
        response: httpx.Response | None = None
        # One scope per call: the deadline (retries and waits included), and what aclose()
        # cancels. Only its own cancellation is caught: a caller's goes on up.
        scope = anyio.CancelScope(
            deadline=math.inf if deadline is None else anyio.current_time() + deadline
        )
        calls = self._owner.calls
        calls.add(scope)
        try:
            with scope:
                response = await self._send_request(endpoint, path, request)
        finally:
            calls.discard(scope)
        if response is None:  # the scope was cancelled
            if self._owner.closed:
                raise ClientClosedError(
                    f"{endpoint.method} {path}: the client was closed during the call",
                    maybe_applied=is_write(endpoint),
                )
            raise PylonTimeoutError(
                f"{endpoint.method} {path}: the call's deadline of {deadline:g} s passed "
                "(retries and waits included)",
                maybe_applied=is_write(endpoint),
            )
        context.elapsed_ms = (time.perf_counter() - started) * 1000
        return response

    async def _send_request(
        self, endpoint: Endpoint, path: str, request: httpx.Request
    ) -> httpx.Response:
        """Send through the stack; map what fails on the way to the typed errors."""
        response: httpx.Response | None = None
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
                connection_message(endpoint, path, exc),
                maybe_applied=is_write(endpoint) and may_have_been_sent(exc),
            ) from exc
        except httpx.HTTPError as exc:
            log_failure(endpoint, path, exc)
            raise PylonConnectionError(
                connection_message(endpoint, path, exc),
                maybe_applied=is_write(endpoint) and may_have_been_sent(exc),
            ) from exc
        finally:
            redact(request, response)  # retries are over: nothing handed out carries the token
        return response

    def _parse(self, endpoint: Endpoint, response: httpx.Response, parse: Callable[[Any], T]) -> T:
        status = response.status_code
        if not 200 <= status < 300:
            set_last(self._last_key, LastResponse(response, None))
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
        # Read by body.decode_body (the retry layer retries a read whose body does not parse),
        # or decoded whole by accel (parsed: equal to what parse() would return).
        context = context_of(response.request)
        parsed = context.parsed
        payload = context.payload
        if parsed is None and payload is NOT_JSON:
            set_last(self._last_key, LastResponse(response, None))
            if _logger.isEnabledFor(logging.DEBUG):
                log_response(endpoint, response, None)
            raise ResponseValidationError(
                f"{endpoint.key}: the response is not JSON",
                status_code=status,
                body=response.content,
                maybe_applied=is_write(endpoint),
            )
        request_id = body_request_id(response.request)
        set_last(self._last_key, LastResponse(response, request_id))
        if _logger.isEnabledFor(logging.DEBUG):
            log_response(endpoint, response, request_id)
        if parsed is not None:
            return parsed.value  # type: ignore[no-any-return]  # parse()'s result
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
            field = _failed_field(exc)
            request_id = body_request_id(response.request)
            where = f" (request {request_id})" if request_id else ""
            if isinstance(exc, KeyError) and field:
                problem = f"it lacks {field}, a field Pylon always sends"
            elif field and str(exc).endswith("unexpected NoneType"):
                problem = f"{field} is null, a field Pylon always sends"
            elif field:
                problem = f"{field} is not what the API describes ({exc})"
            else:
                problem = f"it does not match the API description ({type(exc).__name__}: {exc})"
            raise ResponseValidationError(
                f"{endpoint.key}: the response cannot be read: {problem}{where}",
                status_code=response.status_code,
                body=response.content,
                maybe_applied=is_write(endpoint),
                operation=endpoint.key,
                field=field,
                request_id=request_id,
            ) from exc


def _failed_field(exc: BaseException) -> str | None:
    """Return ``Model.field`` that a generated ``from_dict`` could not read, if it was one.

    The innermost frame of the traceback is the model's ``from_dict`` (its code's qualified
    name says which model); the field is the missing key of a KeyError, or the name a
    generated type check puts before its colon (``title: unexpected NoneType``).
    """
    tb = exc.__traceback__
    if tb is None:
        return None
    while tb.tb_next is not None:
        tb = tb.tb_next
    model, _, function = tb.tb_frame.f_code.co_qualname.rpartition(".")
    if function != "from_dict" or not model:
        return None
    if isinstance(exc, KeyError) and exc.args:
        return f"{model}.{exc.args[0]}"
    name, colon, _ = str(exc).partition(":")
    return f"{model}.{name}" if colon and name.isidentifier() else model
