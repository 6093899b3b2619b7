"""Tokens that rotate: ``AsyncPylon(token=provider)`` asks ``provider`` for the token per attempt.

A provider is a function or an async function of no arguments returning the token, e.g. one
that reads a secrets manager and caches the answer until it expires. :class:`TokenTransport`
sits under the retry and pacing layers, just above the connection, so every attempt (a retry
after a long wait included, and the ``GET /me`` a shared limiter may send) carries the token the
provider gives at that moment. A static token instead lives in the client's default headers,
and costs nothing per request.

The token is put in the ``Authorization`` header, which ``httpx.Headers`` masks in its repr, and
nowhere else; an error about it names the problem, never the value.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

import httpx

from .._client.config import seal_token
from .._exceptions import PylonConfigError

__all__ = ["TokenProvider", "TokenTransport"]

TokenProvider = Callable[[], str] | Callable[[], Awaitable[str]]
"""A function or async function returning the API token, called before every attempt."""


class TokenTransport(httpx.AsyncBaseTransport):
    """Set ``Authorization`` on each request from a token provider, then send it on.

    Raises:
        PylonConfigError: the provider raised (its exception is the ``__cause__``), or gave no
            token or one unfit for a header. The request is not sent.

    """

    def __init__(self, inner: httpx.AsyncBaseTransport, provider: TokenProvider) -> None:
        self._inner = inner
        self._provider = provider

    def __repr__(self) -> str:
        return "TokenTransport()"

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        # No local holds the token: an error propagating through this frame (a dropped
        # connection) would show it to reporters that print locals.
        request.headers["Authorization"] = await self._authorization()
        return await self._inner.handle_async_request(request)

    async def _authorization(self) -> str:
        try:
            value = self._provider()
            if inspect.isawaitable(value):
                value = await value
        except Exception as exc:
            raise PylonConfigError(
                f"the token provider raised {type(exc).__name__}; nothing was sent"
            ) from exc
        sealed = seal_token(value)
        del value  # the Secret only, before anything can raise
        if isinstance(sealed, str):
            raise PylonConfigError(sealed)
        return f"Bearer {sealed.reveal()}"

    async def aclose(self) -> None:
        await self._inner.aclose()
