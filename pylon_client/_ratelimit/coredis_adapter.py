"""The rate limiter's scripts through a ``coredis.Redis`` of your own, under asyncio or trio.

For a deployment that configures its Redis with coredis (TLS, Sentinel's ``primary_for``,
credential providers): ``RedisRateLimiter(client=redis)``, inside ``async with redis:`` (coredis
opens its connection pool there). coredis runs on anyio, so this works under trio as well as
asyncio. ``coredis.RedisCluster`` is not accepted: the limiter's scripts touch keys of several
hash slots.

This module imports ``coredis`` at its top, and is imported only when such a client is given
(see ``clients.script_client``), so coredis is never needed otherwise.

Errors, mapped so that the limiter's fallback behaves as with the built-in client:

- ``NoScriptError`` (``NOSCRIPT``): the script is sent by its source (``EVAL``) instead;
- ``coredis.exceptions.ConnectionError`` (refused, reset, closed by a restart;
  ``BusyLoadingError``, Redis loading its data), ``OSError``: the call is sent once more, as
  the built-in client does with a pooled connection Redis closed; failing again,
  :class:`~pylon_client._ratelimit.scripting.RedisUnavailableError`;
- any other ``RedisError`` (``ResponseError``: an error reply): ``RedisReplyError``, with
  nothing the client sent in its text;
- no answer within ``timeout`` (an ``anyio.fail_after`` around the whole call): unavailable.

The limiter never closes this client: it belongs to whoever made (and entered) it.

Cancellation
    A call cancelled in flight is cancelled in coredis (anyio cancellation); the script may or
    may not have run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import anyio
import coredis
import coredis.exceptions

from .scripting import RedisReplyError, RedisUnavailableError, Reply, Script, as_reply, scrub

__all__ = ["CoredisScripts"]

# What coredis raises when the connection, not the command, failed: worth one more try.
_BROKEN = (coredis.exceptions.ConnectionError, OSError)


class CoredisScripts:
    """Runs the limiter's scripts through ``client`` (a ``coredis.Redis``, entered).

    Args:
        client: the coredis client, configured, entered and owned by the caller.
        timeout: seconds each script run may take, retries included.

    """

    def __init__(self, client: coredis.Redis[Any], *, timeout: float) -> None:
        self.client = client
        self.timeout = timeout

    def __repr__(self) -> str:
        return "CoredisScripts(coredis.Redis)"

    async def run_script(
        self, script: Script, keys: Sequence[str], args: Sequence[str | int]
    ) -> Reply:
        """Run ``script`` by its SHA1, by its source if Redis does not know it.

        Raises:
            RedisUnavailableError: Redis failed (see the module docstring).

        """
        try:
            with anyio.fail_after(self.timeout):
                try:
                    return await self._run(script, keys, args)
                except _BROKEN:
                    # A pooled connection Redis closed (a restart): once more, on a fresh one.
                    return await self._run(script, keys, args)
        except TimeoutError:
            raise RedisUnavailableError(
                f"Redis did not answer within {self.timeout:g} s (coredis)"
            ) from None
        except coredis.exceptions.ResponseError as exc:
            raise RedisReplyError(scrub(str(exc), (*keys, *args))) from None
        except (coredis.exceptions.RedisError, OSError) as exc:
            text = f"{type(exc).__name__}: {scrub(str(exc), (*keys, *args))}"
            raise RedisUnavailableError(f"Redis (coredis): {text}") from None

    async def _run(self, script: Script, keys: Sequence[str], args: Sequence[str | int]) -> Reply:
        client = self.client
        try:
            return as_reply(await client.evalsha(script.sha, keys=keys, args=args))
        except coredis.exceptions.NoScriptError:
            pass
        return as_reply(await client.eval(script.source, keys=keys, args=args))
