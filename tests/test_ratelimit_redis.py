"""The Redis rate limiter, against a real redis-server on loopback (``tests/conftest.py``).

Windows are scaled down (scale 600: 5 requests per 100 ms) so each test takes a few windows of
real time; Redis keeps its own clock, so there is no fake clock to inject. Each test writes under
a prefix of its own on the shared server; the tests that stop or freeze Redis get their own.
The tests that take ``client_kind`` run through each Redis client the limiter can talk through
(the built-in one, redis-py's asyncio client, coredis; see ``tests/redis_clients.py``).
"""

from __future__ import annotations

import logging
import secrets
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from harness import task_body
from redis_clients import open_client
from redis_server import RedisServer, redis_server_binary

from pylon_client import (
    AsyncPylon,
    PylonConfigError,
    RateLimitBackendError,
    RedisRateLimiter,
)
from pylon_client._ratelimit.redis_client import BuiltinRedisClient, Reply, parse_redis_url
from pylon_client.testing import FakePylon

KEY = "GET /tasks/{id}"
LIMIT = 5
SCALE = 600.0  # a 100 ms window
WINDOW = 60.0 / SCALE
SLACK = 0.01  # local clocks read a reply a little after Redis decided


@asynccontextmanager
async def limiter(
    url: str, kind: str = "builtin", **kwargs: Any
) -> AsyncIterator[RedisRateLimiter]:
    """Yield a RedisRateLimiter of ``LIMIT`` per ``WINDOW`` on ``KEY`` through ``kind``."""
    options: dict[str, Any] = {"scale": SCALE, "prefix": "t", "on_backend_error": "raise"}
    options.update(kwargs)
    async with (
        open_client(kind, url) as where,
        RedisRateLimiter(limits={KEY: LIMIT}, **where, **options) as made,
    ):
        yield made


async def redis(url: str, *command: str) -> Reply:
    """Run one raw command on the server, to look at what the limiter left there."""
    pool = BuiltinRedisClient(url)
    try:
        return await pool.execute(*command)
    finally:
        await pool.aclose()


def max_in_any_window(times: list[float], window: float) -> int:
    """Return the most times that fall in one half-open interval of ``window`` seconds."""
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t < first + window) for i, first in enumerate(times))


def dead_url() -> str:
    """Return a loopback URL where nothing listens (connections are refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture
def prefix() -> str:
    """A key prefix of this test's own on the shared server."""
    return f"test-{secrets.token_hex(4)}"


@pytest.mark.anyio
async def test_two_workers_share_one_atomic_window(
    redis_server: RedisServer, prefix: str, client_kind: str
) -> None:
    """Twenty requests racing from four limiters on one Redis: exactly the limit gets through."""
    granted: list[object] = []
    url, kind = redis_server.url, client_kind
    async with (
        limiter(url, kind, prefix=prefix, scale=60) as a,
        limiter(url, kind, prefix=prefix, scale=60) as b,
        limiter(url, kind, prefix=prefix, scale=60) as c,
        limiter(url, kind, prefix=prefix, scale=60) as d,
    ):

        async def one(worker: RedisRateLimiter) -> None:
            granted.append(await worker.acquire(KEY, org="acme"))

        with anyio.move_on_after(0.3):  # well within the 1 s window
            async with anyio.create_task_group() as group:
                for n in range(20):
                    group.start_soon(one, (a, b, c, d)[n % 4])
    assert len(granted) == LIMIT


@pytest.mark.anyio
async def test_requests_count_from_their_completion(
    redis_server: RedisServer, prefix: str, client_kind: str
) -> None:
    """A slow request's slot frees a window after its answer, not after its start."""
    async with limiter(redis_server.url, client_kind, prefix=prefix, overrides={KEY: 1}) as worker:
        slot = await worker.acquire(KEY)
        await anyio.sleep(0.06)  # the request is in flight
        await worker.settle(KEY, slot)
        answered = anyio.current_time()
        await worker.acquire(KEY)
    assert anyio.current_time() - answered >= WINDOW - SLACK


@pytest.mark.anyio
async def test_a_429_seen_by_one_worker_holds_back_the_other(
    redis_server: RedisServer, prefix: str, client_kind: str
) -> None:
    """One worker's 429 stops the endpoint for every worker and lowers the shared pace."""
    async with (
        limiter(redis_server.url, client_kind, prefix=prefix) as a,
        limiter(redis_server.url, client_kind, prefix=prefix) as b,
    ):
        slot = await a.acquire(KEY, org="acme")
        await a.settle(KEY, slot, org="acme", limited=True, retry_after=0.25)
        asked = anyio.current_time()
        await b.acquire(KEY, org="acme")
        waited = anyio.current_time() - asked
        hold = await redis(redis_server.url, "HGET", f"{prefix}:acme:{KEY}:hold", "effective")
    assert waited >= 0.25 - SLACK
    assert hold == b"4"  # 80 % of 5


@pytest.mark.anyio
async def test_keys_carry_the_prefix_and_expire(
    redis_server: RedisServer, prefix: str, client_kind: str
) -> None:
    """Every key the limiter writes starts with its prefix and has a time to live."""
    look = BuiltinRedisClient(redis_server.url)
    async with limiter(redis_server.url, client_kind, prefix=prefix) as worker:
        slot = await worker.acquire(KEY, org="acme")
        await worker.settle(KEY, slot, org="acme", limited=True, retry_after=0.01)
        assert worker.redis_key(KEY, org="acme") == f"{prefix}:acme:{KEY}:log"
        # At once, on one connection: the hold of a 10 ms Retry-After lives about 110 ms.
        keys = await look.execute("KEYS", f"{prefix}:*")
        assert isinstance(keys, list)
        names = sorted(k.decode() for k in keys if isinstance(k, bytes))
        ttls = {name: await look.execute("PTTL", name) for name in names}
    await look.aclose()
    assert names == sorted(
        [
            f"{prefix}:acme:{KEY}:hold",
            f"{prefix}:acme:{KEY}:log",
            f"{prefix}:acme:workers",
            f"{prefix}:epoch",
        ]
    )
    for name, ttl in ttls.items():
        assert isinstance(ttl, int)
        assert 0 < ttl <= 3 * WINDOW * 1000 + 20, name  # a hold lives until its pace recovers


@pytest.mark.anyio
async def test_organizations_have_budgets_of_their_own(
    redis_server: RedisServer, prefix: str
) -> None:
    """A full window of one organization leaves another's untouched."""
    async with limiter(redis_server.url, prefix=prefix, scale=60) as worker:
        for _ in range(LIMIT):
            await worker.acquire(KEY, org="acme")
        with anyio.move_on_after(0.05) as waited:
            await worker.acquire(KEY, org="acme")
        for _ in range(LIMIT):
            with anyio.fail_after(0.05):
                await worker.acquire(KEY, org="globex")
    assert waited.cancelled_caught


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("remaining", "reset", "wait"),
    [
        pytest.param(0, 0.08, 0.08, id="none-left-waits-for-the-reset"),
        pytest.param(LIMIT, 0.08, 0.0, id="more-left-changes-nothing"),
        pytest.param(0, 5.0, WINDOW, id="reset-past-a-window-is-one-window"),
    ],
)
async def test_headers_lower_the_shared_view(
    redis_server: RedisServer,
    prefix: str,
    client_kind: str,
    remaining: int,
    reset: float,
    wait: float,
) -> None:
    """Pylon's remaining budget and reset, seen by one worker, pace the other."""
    async with (
        limiter(redis_server.url, client_kind, prefix=prefix) as a,
        limiter(redis_server.url, client_kind, prefix=prefix) as b,
    ):
        slot = await a.acquire(KEY)
        await a.settle(KEY, slot, remaining=remaining, reset=reset)
        asked = anyio.current_time()
        await b.acquire(KEY)
        waited = anyio.current_time() - asked
    assert wait - SLACK <= waited <= wait + 0.05


@pytest.mark.anyio
async def test_headers_from_the_fake_prevent_a_429(redis_server: RedisServer, prefix: str) -> None:
    """Another client spent the budget: the answer's headers make the next call wait, not 429."""
    fake = FakePylon(
        seed=1, tokens={"other-token": None}, rate_limits={KEY: 3}, rate_limit_scale=SCALE
    )
    fake.tasks["t1"] = task_body("t1", title="x", status="not_started")
    transport = httpx.ASGITransport(app=fake)
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://fake.localhost",
        headers={"Authorization": "Bearer other-token"},
    ) as other:
        for _ in range(2):
            assert (await other.get("/tasks/t1")).status_code == 200
    async with (
        limiter(redis_server.url, prefix=prefix, overrides={KEY: 3}) as shared,
        AsyncPylon(
            "test-token",
            base_url="http://fake.localhost",
            transport=transport,
            rate_limit=shared,
            rate_limit_key="acme",
        ) as pylon,
    ):
        await pylon.tasks.get("t1")
        await pylon.tasks.get("t1")
    assert [r.status for r in fake.requests] == [200] * 4


@pytest.mark.anyio
async def test_the_organization_is_learnt_once_from_me(
    redis_server: RedisServer, prefix: str
) -> None:
    """Without a key each client asks ``GET /me`` once and spends its organization's budget."""
    fake = FakePylon(seed=1, tokens={"globex-token": "org_globex"})
    fake.tasks["t1"] = task_body("t1", title="x", status="not_started")
    transport = httpx.ASGITransport(app=fake)
    async with limiter(redis_server.url, prefix=prefix) as shared:
        for token in ("test-token", "globex-token"):
            async with (
                AsyncPylon(
                    token, base_url="http://fake.localhost", transport=transport, rate_limit=shared
                ) as pylon,
                anyio.create_task_group() as group,
            ):
                for _ in range(3):
                    group.start_soon(pylon.tasks.get, "t1")
    assert [r.path for r in fake.requests].count("/me") == 2
    own = fake.state.organization["id"]
    for org in (own, "org_globex"):
        assert await redis(redis_server.url, "EXISTS", f"{prefix}:{org}:{KEY}:log") == 1


@pytest.mark.anyio
async def test_redis_down_raises_a_typed_error_and_sends_nothing() -> None:
    """With ``on_backend_error="raise"`` an unreachable Redis is RateLimitBackendError."""
    fake = FakePylon(seed=1)
    async with (
        limiter(dead_url()) as shared,
        AsyncPylon(
            "test-token",
            base_url="http://fake.localhost",
            transport=httpx.ASGITransport(app=fake),
            rate_limit=shared,
            rate_limit_key="acme",
        ) as pylon,
    ):
        with pytest.raises(RateLimitBackendError, match="on_backend_error='raise'"):
            await pylon.tasks.get("t1")
    assert fake.requests == []


@pytest.mark.parametrize("on_error", ["raise", "local"])
@pytest.mark.anyio
async def test_redis_error_text_never_holds_what_the_client_sent(
    tmp_path: Path, on_error: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A Redis that echoes a refused AUTH's password: the error, warning and log say ***."""
    password = "redis-canary-5b1e"
    binary = redis_server_binary()
    if binary is None:
        pytest.skip("redis-server not found")
    server = RedisServer(tmp_path, binary, "--rename-command", "AUTH", "")
    server.start()
    caplog.set_level(logging.WARNING, logger="pylon_client")
    url = f"redis://:{password}@127.0.0.1:{server.port}/0"
    texts: list[str] = []
    try:
        async with limiter(url, on_backend_error=on_error) as worker:
            if on_error == "raise":
                with pytest.raises(RateLimitBackendError) as info:
                    await worker.acquire(KEY)
                texts += [str(info.value), repr(info.value.__cause__)]
            else:
                with pytest.warns(RuntimeWarning) as warned:
                    await worker.acquire(KEY)
                texts += [str(w.message) for w in warned]
    finally:
        server.stop()
    texts += [record.getMessage() for record in caplog.records]
    assert any("unknown command" in text for text in texts), texts
    assert all(password not in text for text in texts)


@pytest.mark.anyio
async def test_slow_redis_is_a_timeout(own_redis: RedisServer, client_kind: str) -> None:
    """A Redis that accepts and never answers fails after ``timeout``, not never."""
    async with limiter(own_redis.url, client_kind, timeout=0.05) as worker:
        own_redis.freeze()
        try:
            with anyio.fail_after(1.0), pytest.raises(RateLimitBackendError, match="within"):
                await worker.acquire(KEY)
        finally:
            own_redis.thaw()


@pytest.mark.anyio
async def test_redis_down_falls_back_to_local_pacing_with_a_warning(
    caplog: pytest.LogCaptureFixture, own_redis: RedisServer, client_kind: str
) -> None:
    """With ``"local"``: one warning, one window of pause, then this process's share."""
    caplog.set_level(logging.WARNING, logger="pylon_client")
    starts: list[float] = []

    async def three(worker: RedisRateLimiter) -> None:
        began = anyio.current_time()
        for _ in range(3):
            slot = await worker.acquire(KEY)
            starts.append(anyio.current_time() - began)
            await worker.settle(KEY, slot)

    options: dict[str, Any] = {"on_backend_error": "local", "fallback_workers": 2}
    async with limiter(own_redis.url, client_kind, **options) as worker:
        own_redis.stop()  # refused from the first request on (a client may connect on entry)
        with pytest.warns(RuntimeWarning, match="pacing in this process only") as warned:
            await three(worker)
        assert worker.is_local
    assert len([w for w in warned if w.category is RuntimeWarning]) == 1
    assert starts[0] >= WINDOW  # nobody knows what the others sent just before
    assert starts[2] - starts[0] >= WINDOW  # 5 // 2 workers = 2 per window
    assert any("Redis failed" in r.getMessage() for r in caplog.records)


@pytest.mark.anyio
async def test_restart_between_requests_pauses_one_window(
    own_redis: RedisServer, client_kind: str
) -> None:
    """Redis restarts empty: the workers that knew the old window wait one before going on."""
    grants: list[float] = []
    async with (
        limiter(own_redis.url, client_kind, scale=300) as a,  # 5 per 200 ms
        limiter(own_redis.url, client_kind, scale=300) as b,
    ):
        for n in range(LIMIT):
            await (a, b)[n % 2].acquire(KEY)
            grants.append(anyio.current_time())
        own_redis.restart()
        for n in range(LIMIT):
            await (b, a)[n % 2].acquire(KEY)
            grants.append(anyio.current_time())
    assert max_in_any_window(grants, 0.2 - SLACK) == LIMIT
    assert grants[LIMIT] - grants[LIMIT - 1] >= 0.2 - SLACK


@pytest.mark.anyio
async def test_restart_mid_run_causes_no_burst(own_redis: RedisServer, client_kind: str) -> None:
    """Requests go on through a Redis restart, locally paced, and no window holds too many."""
    grants: list[float] = []

    async def work(worker: RedisRateLimiter, calls: int) -> None:
        for _ in range(calls):
            slot = await worker.acquire(KEY)
            grants.append(anyio.current_time())
            await anyio.sleep(0.002)  # the request
            await worker.settle(KEY, slot)

    async def run() -> list[bool]:
        async with (
            limiter(own_redis.url, client_kind, on_backend_error="local") as a,
            limiter(own_redis.url, client_kind, on_backend_error="local") as b,
        ):
            async with anyio.create_task_group() as group:
                group.start_soon(work, a, 10)
                group.start_soon(work, b, 10)
                await anyio.sleep(0.12)
                own_redis.stop()
                await anyio.sleep(0.15)  # the workers due at 0.2 s find Redis gone
                own_redis.start()
            return [a.is_local, b.is_local]

    with pytest.warns(RuntimeWarning, match="pacing in this process only"):
        local = await run()
    assert local == [False, False]  # both came back to Redis
    assert len(grants) == 20
    assert max_in_any_window(grants, WINDOW - SLACK) <= LIMIT


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"url": "http://localhost:6379"}, id="not-a-redis-url"),
        pytest.param({"url": "redis://localhost:notaport"}, id="bad-port"),
        pytest.param({"url": "redis://localhost/zero"}, id="bad-database"),
        pytest.param({"url": "redis:///0"}, id="no-host"),
        pytest.param({"url": "redis://localhost/0?ssl=1"}, id="query"),
        pytest.param({"limits": {KEY: 0}}, id="zero-limit"),
        pytest.param({"overrides": {KEY: -3}}, id="negative-override"),
        pytest.param({"key": ""}, id="empty-key"),
        pytest.param({"key": "acme\n"}, id="control-character-in-key"),
        pytest.param({"prefix": ""}, id="empty-prefix"),
        pytest.param({"timeout": 0}, id="zero-timeout"),
        pytest.param({"scale": -1}, id="negative-scale"),
        pytest.param({"on_backend_error": "ignore"}, id="unknown-failure-mode"),
        pytest.param({"fallback_workers": 0}, id="no-workers"),
    ],
)
def test_bad_configuration_is_refused_at_construction(kwargs: dict[str, Any]) -> None:
    """A malformed URL, a limit below 1, an empty key and the like raise PylonConfigError."""
    with pytest.raises(PylonConfigError):
        RedisRateLimiter(**kwargs)


@pytest.mark.parametrize(
    "key", [pytest.param("", id="empty"), pytest.param("a\x00b", id="control-character")]
)
def test_a_client_refuses_a_bad_rate_limit_key(key: str) -> None:
    """``AsyncPylon(rate_limit_key=...)`` must be a non-empty key without control characters."""
    with pytest.raises(PylonConfigError, match="rate_limit_key"):
        AsyncPylon("tok", rate_limit_key=key)


def test_the_password_stays_out_of_the_repr() -> None:
    """A Redis URL's password is never shown."""
    limiter_ = RedisRateLimiter("redis://user:s3cret@localhost:6379/2")
    assert "s3cret" not in repr(limiter_)
    assert "s3cret" not in repr(parse_redis_url("redis://user:s3cret@localhost:6379/2"))


def test_importing_the_package_leaves_the_redis_backend_unloaded() -> None:
    """``import pylon_client`` loads no Redis code; ``RedisRateLimiter`` loads it on first use."""
    probe = (
        "import sys, pylon_client\n"
        "redis = {'pylon_client._ratelimit.redis', 'pylon_client._ratelimit.redis_client'}\n"
        "assert not redis & set(sys.modules)\n"
        "pylon_client.RedisRateLimiter\n"
        "assert 'pylon_client._ratelimit.redis_client' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", probe], check=True)  # noqa: S603 (our interpreter)
