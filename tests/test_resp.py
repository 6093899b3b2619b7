from __future__ import annotations

import doctest

import anyio
import pytest
from redis_server import RedisServer

from pylon_client._ratelimit import redis_client as _resp
from pylon_client._ratelimit.redis_client import (
    RedisPool,
    RedisReplyError,
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
    pool = RedisPool(parse_redis_url(redis_server.url), timeout=1.0)
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
    pool = RedisPool(parse_redis_url(redis_server.url), timeout=1.0, max_connections=1)
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
    pool = RedisPool(parse_redis_url(redis_server.url), timeout=1.0)
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
    pool = RedisPool(parse_redis_url(redis_server.url), timeout=1.0)

    async def ping() -> object:
        try:
            return await pool.execute("PING")
        finally:
            await pool.aclose()

    assert anyio.run(ping) == "PONG"
    assert anyio.run(ping, backend="trio") == "PONG"


def test_docstring_examples() -> None:
    """The examples in the module's docstrings run as written."""
    results = doctest.testmod(_resp)
    assert results.attempted > 0
    assert results.failed == 0
