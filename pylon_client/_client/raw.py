"""``RawResponse``: what ``pylon.with_raw_response.<resource>.<method>(...)`` returns.

The call is the same call (same checks, retries, pacing and typed errors: a 404 still raises
``NotFoundError``); only the result differs. Instead of the parsed model it hands back the
response, read whole, with what a production caller reaches for::

    raw = await pylon.with_raw_response.tasks.get("task_1")
    raw.status_code, raw.request_id, raw.rate_limit   # 200, "req_…", RateLimit(remaining=…)
    task = raw.parse()                                # the Task, parsed on first call, then kept

A list or search method answers with its first page: ``raw.parse()`` is a ``Page`` whose
``cursor`` continues the list (``pylon.tasks.list(cursor=page.cursor)``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Generic, TypeVar

import httpx

from .._generated._contract import RateLimit
from .._ratelimit.transport import parse_rate_limit_headers
from .._transport.http import LastResponse

__all__ = ["RateLimit", "RawResponse"]

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
