"""Raw access: ``RawResponse``, and the client's ``last_response`` and ``generated_client``.

``RawResponse`` is what ``pylon.with_raw_response.<resource>.<method>(...)`` returns.

The call is the same call (same checks, retries, pacing and typed errors: a 404 still raises
``NotFoundError``); only the result differs. Instead of the parsed model it hands back the
response, read whole, with what a production caller reaches for::

    raw = await pylon.with_raw_response.tasks.get("task_1")
    raw.status_code, raw.request_id, raw.rate_limit   # 200, "req_…", RateLimit(remaining=…)
    task = raw.parse()                                # the Task, parsed on first call, then kept

A list or search method answers with its first page: ``raw.parse()`` is a ``Page`` whose
``cursor`` continues the list (``pylon.tasks.list(cursor=page.cursor)``).

:class:`RawAccess` gives ``AsyncPylon`` the latest response of the current task
(``last_response``, ``last_request_id``) and the plain generated client sending through the
same stack (``generated_client``).
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import httpx

from .._generated._contract import RateLimit
from .._ratelimit.transport import parse_rate_limit_headers
from .._transport.http import LastResponse, Owner, last_of

__all__ = ["RateLimit", "RawAccess", "RawResponse"]

T = TypeVar("T")
_NOT_PARSED: object = object()


class RawResponse(LastResponse, Generic[T]):
    """One call's response: ``status_code``, ``headers``, ``content``, ``request_id``, ``parse()``.

    ``http_response`` is the ``httpx.Response`` itself (its ``elapsed``, ``request``, ...).
    """

    __slots__ = ("_parse", "_parsed")

    def __init__(
        self, http_response: httpx.Response, request_id: str | None, parse: Callable[[], T]
    ) -> None:
        super().__init__(http_response, request_id)
        self._parse = parse
        self._parsed: object = _NOT_PARSED

    def __repr__(self) -> str:
        return f"RawResponse(status_code={self.status_code}, request_id={self.request_id!r})"

    @property
    def rate_limit(self) -> RateLimit | None:
        """The rate-limit headers (``X-RateLimit-*`` or ``RateLimit-*``), or None without them."""
        headers = self.http_response.headers
        parsed = parse_rate_limit_headers(headers, time.time())
        if parsed is None:
            return None
        raw_limit = headers.get("x-ratelimit-limit") or headers.get("ratelimit-limit")
        try:
            limit = min(int(part) for part in raw_limit.split(",")) if raw_limit else None
        except ValueError:
            limit = None
        return RateLimit(limit, parsed[0], parsed[1])

    def parse(self) -> T:
        """Return the typed result (the same as the plain call's); parsed once, then kept.

        Raises:
            ResponseValidationError: the body does not match the API description.

        """
        if self._parsed is _NOT_PARSED:
            self._parsed = self._parse()
        return self._parsed  # type: ignore[return-value]  # set from _parse() -> T just above


class RawAccess:
    """The raw side of ``AsyncPylon``: the latest response, and the plain generated client."""

    base_url: str
    _last_key: weakref.ref[Owner]
    _generated: Any
    _headers: httpx.Headers
    _stack: httpx.AsyncBaseTransport

    @property
    def last_response(self) -> LastResponse | None:
        """The latest response this client (or a copy of it) received in the current task.

        Status, headers, body and request id. Per task and per client: another client in the
        same task, or another task, never sees it. Its request's ``Authorization`` header
        reads ``[redacted]``.
        """
        return last_of(self._last_key)

    @property
    def last_request_id(self) -> str | None:
        """Pylon's request id of the current task's latest call, for support tickets."""
        last = last_of(self._last_key)
        return last.request_id if last is not None else None

    @property
    def generated_client(self) -> Any:
        """The plain generated ``AuthenticatedClient``, sending through this client's stack.

        For the generated ``*_detailed`` functions, which return status, headers and the parsed
        body: ``await get_task.asyncio_detailed("t1", client=pylon.generated_client)``.
        """
        if self._generated is None:
            from .._generated.client import (
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
