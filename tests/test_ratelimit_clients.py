"""Which Redis client the limiter talks through, and the same errors from each, on a real Redis.

Each test that takes ``client_kind`` runs through the built-in client, redis-py's asyncio client
(under asyncio only) and coredis (under asyncio and trio): see ``tests/redis_clients.py``.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import pytest
from redis_clients import GIVEN_RUNS, open_client
from redis_server import RedisServer

from pylon_client import BuiltinRedisClient, PylonConfigError, RedisRateLimiter
from pylon_client._ratelimit.clients import script_client
from pylon_client._ratelimit.scripting import (
    RedisReplyError,
    RedisUnavailableError,
    Script,
    ScriptClient,
)


@asynccontextmanager
async def scripts(kind: str, url: str) -> AsyncIterator[ScriptClient]:
    """Yield the ScriptClient the limiter would talk through for ``kind`` on ``url``."""
    async with open_client(kind, url) as where:
        if "client" in where:
            yield script_client(where["client"], timeout=0.5)
        else:
            built = BuiltinRedisClient(where["url"], timeout=0.5)
            try:
                yield built
            finally:
                await built.aclose()


@pytest.mark.anyio
async def test_an_unknown_script_is_loaded_then_run_by_its_sha(
    redis_server: RedisServer, client_kind: str
) -> None:
    """NOSCRIPT on first use: the script is sent by its source, and Redis knows it after."""
    script = Script(f"return {{ARGV[1], KEYS[1], {anyio.current_time()!r}}}")
    look = BuiltinRedisClient(redis_server.url)
    try:
        assert await look.execute("SCRIPT", "EXISTS", script.sha) == [0]
        async with scripts(client_kind, redis_server.url) as client:
            first = await client.run_script(script, ["k"], ["x"])
            again = await client.run_script(script, ["k"], ["x"])
        assert await look.execute("SCRIPT", "EXISTS", script.sha) == [1]
    finally:
        await look.aclose()
    assert first == again
    assert isinstance(first, list)
    assert first[:2] == [b"x", b"k"]


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        pytest.param("ERR boom", RedisReplyError, id="error-reply"),
        pytest.param(
            "LOADING Redis is loading the dataset in memory", RedisUnavailableError, id="loading"
        ),
    ],
)
@pytest.mark.anyio
async def test_an_error_reply_is_redis_unavailable_and_says_nothing_sent(
    redis_server: RedisServer, client_kind: str, reply: str, error: type[Exception]
) -> None:
    """Error replies (``-LOADING`` of a restarting Redis too) are RedisUnavailableError."""
    script = Script("return redis.error_reply(ARGV[1] .. ' ' .. KEYS[1])")
    async with scripts(client_kind, redis_server.url) as client:
        with pytest.raises(error) as info:
            await client.run_script(script, ["secret-key-7a1"], [reply])
    assert "secret-key-7a1" not in str(info.value)
    assert info.value.__cause__ is None


@pytest.mark.anyio
async def test_a_stopped_redis_is_redis_unavailable(
    own_redis: RedisServer, client_kind: str
) -> None:
    """Connection refused (after the client connected once) is RedisUnavailableError."""
    script = Script("return 1")
    async with scripts(client_kind, own_redis.url) as client:
        assert await client.run_script(script, [], []) == 1
        own_redis.stop()
        with anyio.fail_after(2.0), pytest.raises(RedisUnavailableError):
            await client.run_script(script, [], [])
        own_redis.start()
        assert await client.run_script(script, [], []) == 1  # and back once Redis is


@pytest.mark.anyio
@pytest.mark.parametrize(("anyio_backend", "client_kind"), GIVEN_RUNS)
async def test_a_limiter_given_a_client_leaves_it_open(
    redis_server: RedisServer, client_kind: str
) -> None:
    """Closing the limiter closes only what it opened; a client given still serves after.

    For a URL the limiter owns its client: the Redis limiter's tests close that one.
    """
    prefix = f"open-{secrets.token_hex(4)}"
    async with open_client(client_kind, redis_server.url) as where:
        async with RedisRateLimiter(limits={"GET /me": 5}, prefix=prefix, **where) as limiter:
            await limiter.acquire("GET /me")
        again = RedisRateLimiter(limits={"GET /me": 5}, prefix=prefix, **where)
        assert await again.acquire("GET /me") is not None


def test_a_redis_asyncio_client_under_trio_is_refused_plainly(redis_server: RedisServer) -> None:
    """redis.asyncio needs an asyncio loop: under trio a PylonConfigError says so, no fallback."""
    redis_asyncio = pytest.importorskip("redis.asyncio")
    limiter = RedisRateLimiter(
        client=redis_asyncio.Redis.from_url(redis_server.url), on_backend_error="local"
    )

    async def acquire() -> None:
        await limiter.acquire("GET /me")

    with pytest.raises(PylonConfigError, match="asyncio only"):
        anyio.run(acquire, backend="trio")
    assert not limiter.is_local


def test_a_url_and_a_client_together_are_refused() -> None:
    """``url`` or ``client``, not both."""
    with pytest.raises(PylonConfigError, match="not both"):
        RedisRateLimiter("redis://localhost", client=BuiltinRedisClient())


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: object(), id="not-a-client"),
        pytest.param(
            lambda: pytest.importorskip("redis.asyncio").RedisCluster("127.0.0.1", 1),
            id="redis-py-cluster",
        ),
    ],
)
def test_a_client_of_no_known_kind_is_refused(make: object) -> None:
    """Anything but the three clients (a cluster client, say) is a PylonConfigError."""
    assert callable(make)
    with pytest.raises(PylonConfigError, match="client must be"):
        RedisRateLimiter(client=make())


def test_the_password_of_a_client_stays_out_of_the_repr() -> None:
    """A limiter's repr names its client's kind, never its credentials."""
    redis_asyncio = pytest.importorskip("redis.asyncio")
    limiter = RedisRateLimiter(client=redis_asyncio.Redis.from_url("redis://u:s3cret@h:1/0"))
    assert (
        repr(limiter)
        == "RedisRateLimiter(RedisPyScripts(redis.asyncio.Redis), prefix='pylon:ratelimit')"
    )


def test_a_limiter_from_a_url_imports_no_third_party_client() -> None:
    """Neither redis-py nor coredis, nor their adapters, load unless such a client is given."""
    probe = (
        "import sys, pylon_client\n"
        "limiter = pylon_client.RedisRateLimiter('redis://localhost:6379/0')\n"
        "loaded = {m.split('.')[0] for m in sys.modules} | set(sys.modules)\n"
        "assert not {'redis', 'coredis'} & loaded, loaded\n"
        "assert not [m for m in sys.modules if m.endswith('_adapter')]\n"
    )
    subprocess.run([sys.executable, "-c", probe], check=True)  # noqa: S603 (our interpreter)
