"""The built-in Redis client: RESP2 over TCP or TLS on anyio sockets, a pool, a timeout.

:class:`BuiltinRedisClient` is what ``RedisRateLimiter`` talks through when it is given a URL.
It is here, rather than redis-py, because redis-py's asyncio client runs on asyncio only and
pylon-client runs under trio as well; and the limiter needs a handful of commands (``EVALSHA``,
``EVAL``, ``AUTH``, ``SELECT``), over RESP2, a simple protocol: a command is an array of bulk
strings, a reply one of five types. So the Redis backend needs no dependency beyond anyio.
A deployment whose Redis needs more (Sentinel, Cluster, credential providers, its own
connection settings) passes its own ``redis.asyncio.Redis`` or ``coredis.Redis`` to the limiter
instead (see :mod:`pylon_client._ratelimit.scripting`).

URLs: ``redis://[[user]:password@]host[:port][/db]``; ``rediss://`` for TLS. Port 6379 and
database 0 by default. :func:`parse_redis_url` raises :class:`~pylon_client.PylonConfigError` on
anything else; the password never appears in a repr or a message. TLS uses ``ssl_context``
when given (a CA of your own, a client certificate), else ``ssl.create_default_context()``:
the system's CAs, the host name checked.

Every command runs under one deadline (``timeout``: connecting included). A command that fails,
times out or is cancelled closes its connection, whose state is then unknown; the others stay
pooled. A pooled connection found closed by Redis (after a restart, say) is dropped with its
idle siblings and the command sent once more on a fresh one: a script may then run twice, which
for the rate limiter only ever counts a request twice, never not at all.

Connections belong to the event loop that opened them (an ``anyio.lowlevel.RunVar``), so a
client used by two ``anyio.run`` calls never hands one loop's socket to the other.

Cancellation
    A command cancelled while in flight may or may not have run on the server; its connection
    is closed at once (``aclose_forcefully``), never returned to the pool.
"""

from __future__ import annotations

import math
import ssl
from collections.abc import Sequence
from datetime import timedelta
from urllib.parse import unquote, urlsplit

import anyio
import anyio.abc
import attrs
from anyio.lowlevel import RunVar
from anyio.streams.buffered import BufferedByteReceiveStream

from .._exceptions import PylonConfigError
from .scripting import RedisReplyError, RedisUnavailableError, Reply, Script, scrub

__all__ = [
    "BuiltinRedisClient",
    "RedisPool",
    "RedisReplyError",
    "RedisURL",
    "RedisUnavailableError",
    "Reply",
    "Script",
    "check_seconds",
    "parse_redis_url",
    "scrub",
]

# What a connection closed by the other side raises, sooner or later.
_BROKEN = (
    anyio.BrokenResourceError,
    anyio.ClosedResourceError,
    anyio.EndOfStream,
    anyio.IncompleteRead,
    ConnectionError,
)
_MAX_LINE = 64 * 1024
_MAX_BULK = 64 * 1024 * 1024


@attrs.frozen
class RedisURL:
    """Where Redis is and how to log in; the password is left out of the repr."""

    host: str
    port: int = 6379
    db: int = 0
    username: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    tls: bool = False


def parse_redis_url(url: str) -> RedisURL:
    """Parse ``redis://[[user]:password@]host[:port][/db]`` (or ``rediss://``).

    >>> parse_redis_url("redis://localhost:6380/2")
    RedisURL(host='localhost', port=6380, db=2, username=None, tls=False)
    """
    if not isinstance(url, str):
        raise PylonConfigError(f"a Redis URL must be a string, got {type(url).__name__}")
    try:
        parts = urlsplit(url)
        port = parts.port if parts.port is not None else 6379
    except ValueError:
        raise PylonConfigError("the Redis URL is malformed (bad port?)") from None
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise PylonConfigError(
            "a Redis URL is redis://[[user]:password@]host[:port][/db] or rediss://..., got "
            f"scheme {parts.scheme!r} and host {parts.hostname!r}"
        )
    if parts.query or parts.fragment:
        raise PylonConfigError("a Redis URL takes no query string or fragment")
    path = parts.path.strip("/")
    if path and not path.isdigit():
        raise PylonConfigError(f"the database of a Redis URL is a number, got {path!r}")
    return RedisURL(
        host=parts.hostname,
        port=port,
        db=int(path) if path else 0,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
        tls=parts.scheme == "rediss",
    )


def check_seconds(name: str, value: float | timedelta) -> float:
    """Return ``value`` in seconds; raise PylonConfigError unless it is positive and finite."""
    seconds = value.total_seconds() if isinstance(value, timedelta) else value
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise PylonConfigError(f"{name} must be seconds or a timedelta, got {value!r}")
    if not 0 < seconds < math.inf:
        raise PylonConfigError(f"{name} must be positive and finite, got {value!r}")
    return float(seconds)


def encode_command(args: Sequence[str | bytes | int | float]) -> bytes:
    """Encode one command as a RESP array of bulk strings."""
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg if isinstance(arg, bytes) else str(arg).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


class _Connection:
    __slots__ = ("reader", "stream")

    def __init__(self, stream: anyio.abc.ByteStream) -> None:
        self.stream = stream
        self.reader = BufferedByteReceiveStream(stream)

    async def call(self, args: Sequence[str | bytes | int | float]) -> Reply:
        await self.stream.send(encode_command(args))
        try:
            return await self.read_reply()
        except RedisReplyError as exc:
            # Redis may quote the command it refused ("unknown command 'AUTH', with args
            # beginning with: '<password>'"): nothing the client sent goes on, but its name.
            raise RedisReplyError(scrub(str(exc), args[1:])) from None

    async def read_reply(self) -> Reply:
        line = await self.reader.receive_until(b"\r\n", _MAX_LINE)
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RedisReplyError(rest.decode(errors="replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            size = int(rest)
            if size < 0:
                return None
            if size > _MAX_BULK:
                raise RedisUnavailableError(f"a reply of {size} bytes is more than expected")
            data = await self.reader.receive_exactly(size + 2)
            return data[:-2]
        if kind == b"*":
            count = int(rest)
            return None if count < 0 else [await self.read_reply() for _ in range(count)]
        raise RedisUnavailableError(f"not a RESP reply: {line[:20]!r}")


class _PerLoop:
    """The pool of one event loop: idle connections and the bound on open ones."""

    def __init__(self, max_connections: int) -> None:
        self.idle: list[_Connection] = []
        self.slots = anyio.Semaphore(max_connections)


class BuiltinRedisClient:
    """The built-in Redis client: connections to one Redis, opened on demand, pooled per loop.

    Args:
        url: where Redis is: ``redis://[[user]:password@]host[:port][/db]``, or ``rediss://``
            for TLS (see :func:`parse_redis_url`); default ``"redis://localhost:6379/0"``.
        ssl_context: the TLS settings of a ``rediss://`` URL (your CA, a client certificate);
            default None: ``ssl.create_default_context()``.
        timeout: seconds (or a timedelta) each command may take, connecting included; default
            1.0.
        max_connections: open connections per event loop; default 16.

    Raises:
        PylonConfigError: a malformed URL, an ``ssl_context`` with a ``redis://`` URL (it would
            go unused), a non-positive ``timeout``, ``max_connections`` below 1.

    Nothing is connected until the first command. Give it to a limiter for TLS settings of
    your own (the limiter does not close a client it was given; :meth:`aclose` does)::

        context = ssl.create_default_context(cafile="/etc/redis/ca.pem")
        context.load_cert_chain("/etc/redis/client.pem", "/etc/redis/client.key")
        redis = BuiltinRedisClient("rediss://cache:6380/0", ssl_context=context)
        limiter = RedisRateLimiter(client=redis)

    """

    def __init__(
        self,
        url: str | RedisURL = "redis://localhost:6379/0",
        *,
        ssl_context: ssl.SSLContext | None = None,
        timeout: float | timedelta = 1.0,
        max_connections: int = 16,
    ) -> None:
        self.url = url if isinstance(url, RedisURL) else parse_redis_url(url)
        if ssl_context is not None and not isinstance(ssl_context, ssl.SSLContext):
            raise PylonConfigError(
                f"ssl_context must be an ssl.SSLContext, got {type(ssl_context).__name__}"
            )
        if ssl_context is not None and not self.url.tls:
            raise PylonConfigError("an ssl_context needs a rediss:// URL (TLS)")
        if self.url.tls and ssl_context is None:
            ssl_context = ssl.create_default_context()
        self._ssl = ssl_context
        self.timeout = check_seconds("timeout", timeout)
        if type(max_connections) is not int or max_connections < 1:
            raise PylonConfigError(f"max_connections must be an int >= 1, got {max_connections!r}")
        self._max = max_connections
        self._pools: RunVar[_PerLoop] = RunVar(f"pylon_client_redis_{id(self):x}")

    def __repr__(self) -> str:
        url = self.url
        scheme = "rediss" if url.tls else "redis"
        return f"BuiltinRedisClient('{scheme}://{url.host}:{url.port}/{url.db}')"

    def _loop_pool(self) -> _PerLoop:
        try:
            return self._pools.get()
        except LookupError:
            pool = _PerLoop(self._max)
            self._pools.set(pool)
            return pool

    async def execute(self, *args: str | bytes | int | float) -> Reply:
        """Run one command and return its reply.

        Raises:
            RedisReplyError: Redis answered with an error.
            RedisUnavailableError: no connection, no answer within ``timeout``, a broken one.

        """
        pool = self._loop_pool()
        try:
            with anyio.fail_after(self.timeout):
                async with pool.slots:
                    while True:
                        reused = bool(pool.idle)
                        conn = pool.idle.pop() if reused else await self._connect()
                        try:
                            reply = await conn.call(args)
                        except RedisReplyError:
                            pool.idle.append(conn)  # an error reply leaves the connection sound
                            raise
                        except _BROKEN:
                            await anyio.aclose_forcefully(conn.stream)
                            if not reused:
                                raise
                            # A pooled connection that died while idle: Redis restarted, say.
                            # Its siblings died too; once more on a fresh one.
                            await self.aclose()
                            continue
                        except BaseException:
                            await anyio.aclose_forcefully(conn.stream)
                            raise
                        pool.idle.append(conn)
                        return reply
        except TimeoutError:
            raise RedisUnavailableError(
                f"Redis at {self.url.host}:{self.url.port} did not answer within {self.timeout:g} s"
            ) from None
        except (*_BROKEN, OSError, anyio.DelimiterNotFound, ValueError) as exc:
            # ValueError: a reply that is not RESP (int() of a garbled length, say).
            raise RedisUnavailableError(
                f"Redis at {self.url.host}:{self.url.port}: {type(exc).__name__}: {exc}"
            ) from exc

    async def run_script(
        self, script: Script, keys: Sequence[str], args: Sequence[str | int]
    ) -> Reply:
        """Run ``script`` on ``keys`` and ``args`` and return its reply.

        By its SHA1; when Redis does not know it (first use, a restart), by its source, which
        also loads it for next time.
        """
        try:
            return await self.execute("EVALSHA", script.sha, len(keys), *keys, *args)
        except RedisReplyError as exc:
            if not str(exc).startswith("NOSCRIPT"):
                raise
        return await self.execute("EVAL", script.source, len(keys), *keys, *args)

    async def _connect(self) -> _Connection:
        url = self.url
        stream: anyio.abc.ByteStream
        if self._ssl is not None:
            stream = await anyio.connect_tcp(url.host, url.port, tls=True, ssl_context=self._ssl)
        else:
            stream = await anyio.connect_tcp(url.host, url.port)
        conn = _Connection(stream)
        try:
            if url.password is not None:
                login = (url.username, url.password) if url.username else (url.password,)
                await conn.call(("AUTH", *login))
            if url.db:
                await conn.call(("SELECT", url.db))
        except BaseException:
            await anyio.aclose_forcefully(stream)
            raise
        return conn

    async def aclose(self) -> None:
        """Close the idle connections of the current event loop."""
        try:
            pool = self._pools.get()
        except LookupError:
            return
        idle, pool.idle = pool.idle, []
        for conn in idle:
            await anyio.aclose_forcefully(conn.stream)


# The name this client had before it was public (still used by code written against it).
RedisPool = BuiltinRedisClient
