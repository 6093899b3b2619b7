"""Which Redis client a ``RedisRateLimiter`` talks through: the built-in one, or yours.

:func:`script_client` turns what the limiter was given into a
:class:`~pylon_client._ratelimit.scripting.ScriptClient`:

==============================  ===============================================================
given                           talks through
==============================  ===============================================================
a URL (``redis://``, ...)       a new ``BuiltinRedisClient`` (owned: the limiter closes it)
a ``BuiltinRedisClient``        that client, with its own TLS settings, timeout and pool
a ``redis.asyncio.Redis``       ``redis_py_adapter.RedisPyScripts`` (asyncio only)
a ``coredis.Redis``             ``coredis_adapter.CoredisScripts`` (asyncio and trio)
any other ``ScriptClient``      that object
==============================  ===============================================================

A client is recognised without importing its library: a ``redis.asyncio.Redis`` can only exist
once ``redis.asyncio`` is in ``sys.modules``, so an ``isinstance`` against the module found
there is enough, and ``import pylon_client`` (or a limiter built from a URL) never imports
redis-py or coredis. Only the adapter of the client given is imported.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeAlias, cast

from .._exceptions import PylonConfigError
from .redis_client import BuiltinRedisClient, check_seconds
from .scripting import ScriptClient

if TYPE_CHECKING:
    import coredis
    import redis.asyncio

__all__ = ["RedisClient", "choose_client", "script_client"]

# What ``RedisRateLimiter(client=...)`` takes. The third-party names are for type checkers only.
RedisClient: TypeAlias = "ScriptClient | redis.asyncio.Redis | coredis.Redis[Any]"


def _is_instance(client: object, module: str, name: str) -> bool:
    """Return whether ``client`` is a ``module.name``, if that module was ever imported."""
    found = sys.modules.get(module)
    kind = getattr(found, name, None)
    return isinstance(kind, type) and isinstance(client, kind)


def script_client(client: object, *, timeout: float) -> ScriptClient:
    """Return the :class:`ScriptClient` for ``client`` (see the module docstring).

    ``timeout`` bounds each script run of a third-party client; the built-in client and other
    ``ScriptClient`` objects keep their own.

    Raises:
        PylonConfigError: ``client`` is none of the kinds above (a cluster client, say).

    """
    if _is_instance(client, "redis.asyncio", "Redis"):
        from .redis_py_adapter import RedisPyScripts

        return RedisPyScripts(cast("redis.asyncio.Redis", client), timeout=timeout)
    if _is_instance(client, "coredis", "Redis"):
        from .coredis_adapter import CoredisScripts

        return CoredisScripts(cast("coredis.Redis[Any]", client), timeout=timeout)
    if isinstance(client, ScriptClient):
        return client
    raise PylonConfigError(
        "client must be a redis.asyncio.Redis, a coredis.Redis or a BuiltinRedisClient, got "
        f"{type(client).__module__}.{type(client).__qualname__} (cluster clients are not "
        "supported: the limiter's scripts touch keys of several hash slots)"
    )


def choose_client(
    url: str | None,
    client: object | None,
    *,
    timeout: float | timedelta,
    max_connections: int,
) -> tuple[ScriptClient, BuiltinRedisClient | None]:
    """Return the limiter's client, and the same if the limiter made it (and is to close it).

    Raises:
        PylonConfigError: both ``url`` and ``client``; a malformed URL or ``timeout``; a
            ``client`` of no known kind.

    """
    seconds = check_seconds("timeout", timeout)
    if client is None:
        own = BuiltinRedisClient(
            "redis://localhost:6379/0" if url is None else url,
            timeout=seconds,
            max_connections=max_connections,
        )
        return own, own
    if url is not None:
        raise PylonConfigError("give the rate limiter a Redis url or a client, not both")
    return script_client(client, timeout=seconds), None
