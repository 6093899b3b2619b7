"""The rate limiter's scripts through a ``redis.asyncio.Redis`` of your own (redis-py).

For a deployment that already configures redis-py (TLS with its CA, Sentinel's
``master_for``, credential providers, retries): ``RedisRateLimiter(client=redis)``. redis-py's
asyncio client runs on asyncio only; under trio the first call raises
:class:`~pylon_client.PylonConfigError` saying so (pass a ``coredis.Redis`` or a URL there).
``redis.asyncio.RedisCluster`` is not accepted: the limiter's scripts touch keys of several
hash slots.

This module imports ``redis`` at its top, and is imported only when such a client is given
(see ``clients.script_client``), so redis-py is never needed otherwise.

Errors, mapped so that the limiter's fallback behaves as with the built-in client:

- ``NoScriptError`` (``NOSCRIPT``): the script is sent by its source (``EVAL``) instead;
- ``ConnectionError`` (refused, reset, closed by a restart; ``BusyLoadingError``, Redis
  loading its data; ``AuthenticationError``), ``redis.exceptions.TimeoutError``, ``OSError``:
  the call is sent once more, as the built-in client does with a pooled connection Redis
  closed; failing again, :class:`~pylon_client._ratelimit.scripting.RedisUnavailableError`;
- any other ``RedisError`` (``ResponseError``: an error reply): ``RedisReplyError``, with
  nothing the client sent in its text;
- no answer within ``timeout`` (an ``anyio.fail_after`` around the whole call): unavailable.

The limiter never closes this client: it belongs to whoever made it.

Cancellation
    A call cancelled in flight is cancelled in redis-py, which then drops that connection (its
    state is unknown); the script may or may not have run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import anyio
import redis.asyncio
import redis.exceptions

from .._exceptions import PylonConfigError
from .scripting import RedisReplyError, RedisUnavailableError, Reply, Script, as_reply, scrub

__all__ = ["RedisPyScripts"]

# What redis-py raises when the connection, not the command, failed: worth one more try.
_BROKEN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class RedisPyScripts:
    """Runs the limiter's scripts through ``client`` (a ``redis.asyncio.Redis``).

    Args:
        client: the redis-py asyncio client, configured and owned by the caller.
        timeout: seconds each script run may take, retries included.

    """

    def __init__(self, client: redis.asyncio.Redis, *, timeout: float) -> None:
        self.client = client
        self.timeout = timeout

    def __repr__(self) -> str:
        return "RedisPyScripts(redis.asyncio.Redis)"

    async def run_script(
        self, script: Script, keys: Sequence[str], args: Sequence[str | int]
    ) -> Reply:
        """Run ``script`` by its SHA1, by its source if Redis does not know it.

        Raises:
            PylonConfigError: not running under asyncio.
            RedisUnavailableError: Redis failed (see the module docstring).

        """
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            raise PylonConfigError(
                "a redis.asyncio client runs under asyncio only: under trio, give the rate "
                "limiter a coredis client or a URL"
            ) from None
        try:
            with anyio.fail_after(self.timeout):
                try:
                    return await self._run(script, keys, args)
                except _BROKEN:
                    # A pooled connection Redis closed (a restart): once more, on a fresh one.
                    return await self._run(script, keys, args)
        except TimeoutError:
            raise RedisUnavailableError(
                f"Redis did not answer within {self.timeout:g} s (redis.asyncio)"
            ) from None
        except redis.exceptions.ResponseError as exc:
            raise RedisReplyError(scrub(str(exc), (*keys, *args))) from None
        except (redis.exceptions.RedisError, OSError) as exc:
            text = f"{type(exc).__name__}: {scrub(str(exc), (*keys, *args))}"
            raise RedisUnavailableError(f"Redis (redis.asyncio): {text}") from None

    async def _run(self, script: Script, keys: Sequence[str], args: Sequence[str | int]) -> Reply:
        client = self.client
        try:
            return as_reply(await client.evalsha(script.sha, len(keys), *keys, *args))
        except redis.exceptions.NoScriptError:
            pass
        return as_reply(await client.eval(script.source, len(keys), *keys, *args))
