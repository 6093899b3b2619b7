"""What the Redis rate limiter needs of a Redis client: run a Lua script, or say Redis is away.

:class:`ScriptClient` is that need, as a ``typing.Protocol`` of one method, ``run_script``:
run a :class:`Script` by its SHA1 (``EVALSHA``) and, when Redis does not know it (``NOSCRIPT``:
first use, a restart, a failover), by its source (``EVAL``), which also loads it for next time.
Three clients meet it:

- :class:`~pylon_client._ratelimit.redis_client.BuiltinRedisClient`, the built-in RESP client
  on anyio sockets (asyncio and trio; no dependency), used when the limiter is given a URL;
- ``redis_py_adapter.RedisPyScripts``, around a ``redis.asyncio.Redis`` (asyncio only);
- ``coredis_adapter.CoredisScripts``, around a ``coredis.Redis`` (asyncio and trio: coredis
  runs on anyio).

``clients.script_client`` picks the adapter for a client object. The adapters import their
library only when one is built, so ``redis`` and ``coredis`` are never needed otherwise.

The error contract is the same for every client, so the limiter's fallback behaves the same
whichever talks to Redis: anything that means "Redis cannot serve this now" (refused, reset,
closed, no answer within the timeout, ``LOADING`` while restarting, an error reply) is
:class:`RedisUnavailableError`; an error reply is its subclass :class:`RedisReplyError`, whose
text never holds an argument the client sent (see :func:`scrub`). No third-party exception
leaves an adapter.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol, TypeAlias, runtime_checkable

__all__ = [
    "RedisReplyError",
    "RedisUnavailableError",
    "Reply",
    "Script",
    "ScriptClient",
    "as_reply",
    "scrub",
]

Reply: TypeAlias = "int | bytes | str | list[Reply] | None"


class RedisUnavailableError(Exception):
    """Redis could not be reached, did not answer in time, or broke the connection."""


class RedisReplyError(RedisUnavailableError):
    """Redis answered with an error reply (``-ERR ...``, ``-NOSCRIPT ...``, ``-LOADING ...``).

    Its text never holds an argument the client sent (see :func:`scrub`).
    """


def scrub(text: str, sent: Sequence[str | bytes | int | float]) -> str:
    """Return Redis's error ``text`` with every argument in ``sent`` replaced by ``***``.

    Longest first, so that a password containing a key is gone whole; arguments of one or two
    characters (counts, small numbers) are left, they carry nothing and would garble the text.

    >>> scrub("WRONGPASS for s3cret", ("AUTH", "s3cret"))
    'WRONGPASS for ***'
    """
    words = {a.decode(errors="replace") if isinstance(a, bytes) else str(a) for a in sent}
    for word in sorted((w for w in words if len(w) > 2), key=len, reverse=True):
        text = text.replace(word, "***")
    return text


class Script:
    """A Lua script, run by its SHA1 (``EVALSHA``) once Redis knows it."""

    __slots__ = ("sha", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self.sha = hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()


@runtime_checkable
class ScriptClient(Protocol):
    """A Redis client that runs the limiter's scripts (see the module docstring)."""

    async def run_script(
        self, script: Script, keys: Sequence[str], args: Sequence[str | int]
    ) -> Reply:
        """Run ``script`` on ``keys`` and ``args``, loading it if Redis does not know it.

        Raises:
            RedisUnavailableError: Redis failed, in any way, within the client's timeout.

        """
        ...


def as_reply(value: object) -> Reply:
    """Return a third-party client's answer as a :data:`Reply`, or raise if it is not one.

    >>> as_reply((1, b"x", [None]))
    [1, b'x', [None]]
    """
    if value is None or isinstance(value, int | bytes | str):
        return value
    if isinstance(value, list | tuple):
        return [as_reply(item) for item in value]
    raise RedisUnavailableError(f"not a script's reply: a {type(value).__name__}")
