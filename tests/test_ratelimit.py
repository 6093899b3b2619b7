from __future__ import annotations

import doctest
import random
from collections.abc import Iterable
from typing import Any

import anyio
import anyio.abc
import httpx
import pytest
from harness import Api, FakeClock

from pylon_client._exceptions import PylonConfigError
from pylon_client._ratelimit import local as _ratelimit
from pylon_client._ratelimit.local import RateLimiter
from pylon_client._ratelimit.transport import RateLimitTransport
from pylon_client._transport.context import CONTEXT_KEY, RequestContext
from pylon_client._transport.retry import RetryTransport

BASE = "https://api.usepylon.com"
T0 = 1000.0


def make(limits: dict[str, int], **kwargs: Any) -> tuple[RateLimiter, FakeClock]:
    clock = FakeClock(T0)
    return RateLimiter(limits, clock=clock, sleep=clock.sleep, **kwargs), clock


async def burst(
    limiter: RateLimiter, clock: FakeClock, keys: Iterable[str]
) -> dict[str, list[float]]:
    """Acquire every key in ``keys`` from its own task; return the start times per key."""
    starts: dict[str, list[float]] = {}

    async def one(key: str) -> None:
        await limiter.acquire(key)
        starts.setdefault(key, []).append(clock())

    async with anyio.create_task_group() as tg:
        for key in keys:
            tg.start_soon(one, key)
    return starts


def max_in_any_window(starts: list[float], window: float) -> int:
    """Return the most starts that fall in one half-open interval of ``window`` seconds."""
    starts = sorted(starts)
    return max(sum(1 for t in starts[i:] if t < first + window) for i, first in enumerate(starts))


@pytest.mark.anyio
async def test_burst_is_paced_to_the_limit() -> None:
    """50 concurrent calls at 30/min all finish, 30 at once and 20 a minute later, never more."""
    limiter, clock = make({"GET /issues": 30})
    starts = (await burst(limiter, clock, ["GET /issues"] * 50))["GET /issues"]
    assert len(starts) == 50
    assert max_in_any_window(starts, 60.0) == 30
    assert sorted(starts) == [T0] * 30 + [T0 + 60.0] * 20


@pytest.mark.anyio
async def test_one_endpoint_does_not_slow_another() -> None:
    """A saturated endpoint makes its own callers wait and nobody else."""
    limiter, clock = make({"GET /issues": 1, "GET /tasks": 300})
    starts = await burst(limiter, clock, ["GET /issues", "GET /issues"] + ["GET /tasks"] * 20)
    assert clock.sleeps == [60.0]
    assert len(starts["GET /tasks"]) == 20
    assert min(starts["GET /issues"]) == T0


@pytest.mark.anyio
async def test_waiters_are_served_in_arrival_order() -> None:
    """Callers waiting on one endpoint get their turns first come, first served."""
    limiter, clock = make({"GET /issues": 1})
    await limiter.acquire("GET /issues")
    order: list[int] = []

    async def one(n: int, *, task_status: anyio.abc.TaskStatus[None]) -> None:
        task_status.started()
        await limiter.acquire("GET /issues")
        order.append(n)

    async with anyio.create_task_group() as tg:
        for n in range(6):
            # start() returns once the task is queued on the endpoint, fixing the arrival order.
            await tg.start(one, n)
    assert order == list(range(6))
    assert clock() == T0 + 6 * 60.0


@pytest.mark.anyio
async def test_newcomer_does_not_jump_the_queue() -> None:
    """A caller arriving just as a slot frees waits behind the caller already waiting for it."""
    clock = FakeClock(T0)
    wakeups: list[anyio.Event] = []

    async def gated_sleep(delay: float) -> None:
        wakeups.append(anyio.Event())
        await wakeups[-1].wait()

    async def wakeup(number: int, now: float) -> None:
        while len(wakeups) < number:
            await anyio.lowlevel.checkpoint()
        clock.now = now
        wakeups[number - 1].set()

    limiter = RateLimiter({"GET /issues": 1}, clock=clock, sleep=gated_sleep)
    await limiter.acquire("GET /issues")
    order: list[str] = []

    async def one(name: str, *, task_status: anyio.abc.TaskStatus[None]) -> None:
        task_status.started()
        await limiter.acquire("GET /issues")
        order.append(name)

    async with anyio.create_task_group() as tg:
        await tg.start(one, "waiting")
        while not wakeups:
            await anyio.lowlevel.checkpoint()
        clock.now = T0 + 60.0  # the slot is free, but the waiter has not woken yet
        await tg.start(one, "newcomer")
        await wakeup(1, T0 + 60.0)
        await wakeup(2, T0 + 120.0)
    assert order == ["waiting", "newcomer"]


@pytest.mark.anyio
async def test_unlimited_endpoint_never_waits() -> None:
    """An endpoint with no limit returns at once and keeps no state."""
    limiter, clock = make({"GET /issues": 1})
    for _ in range(100):
        await limiter.acquire("GET /me")
    assert clock.sleeps == []
    assert limiter.limit("GET /me") is None


@pytest.mark.anyio
async def test_concurrent_mixed_endpoints_keep_every_limit() -> None:
    """Many tasks on several endpoints in random order: each endpoint keeps its own limit."""
    limits = {"GET /issues": 3, "POST /issues/search": 5, "DELETE /tasks/{id}": 7}
    keys = [key for key in limits for _ in range(20)]
    random.Random(7).shuffle(keys)
    limiter, clock = make(limits)
    starts = await burst(limiter, clock, keys)
    for key, limit in limits.items():
        assert len(starts[key]) == 20
        assert max_in_any_window(starts[key], 60.0) <= limit


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("scale", "window"),
    [
        pytest.param(2.0, 30.0, id="twice-as-fast"),
        pytest.param(0.5, 120.0, id="half-as-fast"),
    ],
)
async def test_scale_shortens_the_window(scale: float, window: float) -> None:
    """``scale`` divides the window and keeps the count."""
    limiter, clock = make({"GET /issues": 30}, scale=scale)
    assert limiter.window == window
    starts = (await burst(limiter, clock, ["GET /issues"] * 45))["GET /issues"]
    assert sorted(starts) == [T0] * 30 + [T0 + window] * 15


@pytest.mark.anyio
async def test_overrides_replace_and_add_limits() -> None:
    """Overrides replace a key's limit or add a key, and also take part in matching."""
    limiter, clock = make(
        {"GET /tasks": 300, "GET /tasks/{id}": 300},
        overrides={"GET /tasks": 2, "POST /accounts/merge": 1},
    )
    assert limiter.limit("GET /tasks") == 2
    assert limiter.limit("GET /tasks/{id}") == 300
    assert limiter.resolve("POST", "/accounts/merge") == "POST /accounts/merge"
    starts = (await burst(limiter, clock, ["GET /tasks"] * 3))["GET /tasks"]
    assert sorted(starts) == [T0, T0, T0 + 60.0]


@pytest.mark.anyio
async def test_default_per_minute_paces_unknown_keys() -> None:
    """default_per_minute applies to keys that have no limit of their own."""
    limiter, clock = make({}, default_per_minute=1)
    await limiter.acquire("GET /whatever")
    await limiter.acquire("GET /whatever")
    assert clock.sleeps == [60.0]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("retry_after", "wait"),
    [
        pytest.param(5.0, 5.0, id="retry-after"),
        pytest.param(None, 2.0, id="none-means-one-slot"),
        pytest.param(-1.0, 0.0, id="negative-means-none"),
    ],
)
async def test_penalize_blocks_the_endpoint(retry_after: float | None, wait: float) -> None:
    """After a penalty the endpoint waits retry_after, or one window over the limit without it."""
    limiter, clock = make({"GET /issues": 30, "GET /tasks": 300})
    limiter.penalize("GET /issues", retry_after)
    await limiter.acquire("GET /tasks")
    await limiter.acquire("GET /issues")
    assert clock.sleeps == ([wait] if wait else [])
    assert clock() == T0 + wait


@pytest.mark.anyio
async def test_penalize_lowers_the_limit_then_recovers() -> None:
    """A penalty lowers the limit to 80 % for the next window, then restores it."""
    limiter, clock = make({"GET /issues": 10})
    limiter.penalize("GET /issues", 0.0)
    assert limiter.effective_limit("GET /issues") == 8
    starts = (await burst(limiter, clock, ["GET /issues"] * 10))["GET /issues"]
    # Only 8 fit the penalized window; the other 2 start when it ends, at the full limit again.
    assert sorted(starts) == [T0] * 8 + [T0 + 60.0] * 2
    assert limiter.effective_limit("GET /issues") == 10


def test_repeated_penalties_compound_down_to_one() -> None:
    """Each penalty multiplies the limit by 0.8, and it never drops below 1."""
    limiter, _ = make({"GET /issues": 10})
    seen: list[int | None] = []
    for _ in range(8):
        limiter.penalize("GET /issues", 0.0)
        seen.append(limiter.effective_limit("GET /issues"))
    assert seen == [8, 6, 4, 3, 2, 1, 1, 1]


def test_penalize_leaves_unlimited_keys_alone() -> None:
    """A penalty on an endpoint with no limit changes nothing."""
    limiter, _ = make({"GET /issues": 10})
    limiter.penalize("GET /me", 30.0)
    assert limiter.effective_limit("GET /me") is None


@pytest.mark.anyio
async def test_cancelled_waiter_takes_no_slot() -> None:
    """A caller cancelled while waiting for its turn leaves the slot to the next one."""
    waiting = anyio.Event()
    clock = FakeClock(T0)
    waits: list[float] = []

    async def sleep_until_cancelled(delay: float) -> None:
        waits.append(delay)
        if waiting.is_set():
            raise AssertionError("waited although the slot was free")
        waiting.set()
        await anyio.sleep_forever()

    limiter = RateLimiter({"GET /issues": 1}, clock=clock, sleep=sleep_until_cancelled)
    await limiter.acquire("GET /issues")
    async with anyio.create_task_group() as tg:
        tg.start_soon(limiter.acquire, "GET /issues")
        await waiting.wait()
        tg.cancel_scope.cancel()
    clock.now += 60.0
    # Had the cancelled caller taken the slot, this would have to wait.
    await limiter.acquire("GET /issues")
    assert waits == [60.0]


ROUTES = {
    "GET /tasks": 300,
    "POST /tasks/search": 120,
    "GET /tasks/{id}": 300,
    "GET /tasks/search": 1,
    "DELETE /tasks/{id}": 120,
    "GET /knowledge-bases/{id}/articles": 300,
    "GET /knowledge-bases/{id}/articles/{article_id}": 300,
    "GET /{kind}/fixed": 1,
    "GET /issues/{id}": 300,
}


@pytest.mark.parametrize(
    ("method", "path", "key"),
    [
        pytest.param("GET", "/tasks/abc", "GET /tasks/{id}", id="parameter"),
        pytest.param("GET", "/tasks/search", "GET /tasks/search", id="literal-beats-parameter"),
        pytest.param("POST", "/tasks/search", "POST /tasks/search", id="method-decides"),
        pytest.param("delete", "/tasks/abc", "DELETE /tasks/{id}", id="lower-case-method"),
        pytest.param("GET", "/tasks/abc/", "GET /tasks/{id}", id="trailing-slash"),
        pytest.param("GET", "/tasks", "GET /tasks", id="collection"),
        pytest.param(
            "GET",
            "/knowledge-bases/kb1/articles/a9",
            "GET /knowledge-bases/{id}/articles/{article_id}",
            id="two-parameters",
        ),
        pytest.param(
            "GET",
            "/knowledge-bases/kb1/articles",
            "GET /knowledge-bases/{id}/articles",
            id="segment-count-decides",
        ),
        pytest.param("GET", "/issues/fixed", "GET /issues/{id}", id="leftmost-literal-wins"),
        pytest.param("GET", "/other/fixed", "GET /{kind}/fixed", id="leading-parameter"),
        pytest.param("PATCH", "/tasks/abc", "PATCH /tasks/abc", id="no-template-is-concrete"),
        pytest.param("GET", "/tasks/a/b", "GET /tasks/a/b", id="too-deep-is-concrete"),
    ],
)
def test_resolve_matches_templates(method: str, path: str, key: str) -> None:
    """Concrete paths resolve to their template; a literal segment beats a parameter."""
    assert RateLimiter(ROUTES).resolve(method, path) == key


@pytest.mark.parametrize(
    ("limits", "kwargs"),
    [
        pytest.param({"/tasks": 30}, {}, id="no-method"),
        pytest.param({"GET tasks": 30}, {}, id="no-leading-slash"),
        pytest.param({"GET /tasks": 0}, {}, id="zero-limit"),
        pytest.param({"GET /tasks": 2.5}, {}, id="fractional-limit"),
        pytest.param({"GET /tasks": True}, {}, id="bool-limit"),
        pytest.param({}, {"default_per_minute": 0}, id="zero-default"),
        pytest.param({}, {"scale": 0}, id="zero-scale"),
        pytest.param({}, {"scale": float("inf")}, id="infinite-scale"),
        pytest.param({}, {"overrides": {"GET /tasks": -1}}, id="negative-override"),
    ],
)
def test_bad_configuration_is_rejected(limits: dict[str, Any], kwargs: dict[str, Any]) -> None:
    """Malformed keys, limits below 1 and a non-positive scale raise PylonConfigError."""
    with pytest.raises(PylonConfigError):
        RateLimiter(limits, **kwargs)


@pytest.mark.anyio
async def test_idle_buckets_are_dropped() -> None:
    """Many distinct paths under default_per_minute keep memory bounded once they go idle."""
    limiter, clock = make({}, default_per_minute=5)
    for n in range(3000):
        await limiter.acquire(f"GET /things/{n}")
        clock.now += 1.0
    # Private state, read on purpose: the bound is the point of this test.
    assert len(limiter._buckets) <= 1024


def scripted(*responses: httpx.Response) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """Return a MockTransport answering with ``responses`` in turn, and the list of requests."""
    api = Api(*responses)
    return api.transport, api.requests


@pytest.mark.anyio
async def test_transport_penalizes_on_429() -> None:
    """A 429 with Retry-After passes through unretried and stops the endpoint for that long."""
    inner, seen = scripted(
        httpx.Response(429, headers={"Retry-After": "7"}),
        httpx.Response(200),
        httpx.Response(200),
    )
    limiter, clock = make({"GET /tasks/{id}": 300, "GET /issues": 30})
    async with httpx.AsyncClient(
        transport=RateLimitTransport(inner, limiter), base_url=BASE
    ) as client:
        first = await client.get("/tasks/t1")
        await client.get("/issues")
        await client.get("/tasks/t2")
    assert first.status_code == 429
    assert clock.sleeps == [7.0]
    assert len(seen) == 3
    assert limiter.effective_limit("GET /tasks/{id}") == 240


@pytest.mark.anyio
async def test_transport_uses_the_endpoint_extension() -> None:
    """The request context's ``endpoint`` names the key without matching the path."""
    inner, _ = scripted(httpx.Response(200), httpx.Response(200))
    limiter, clock = make({"GET /issues": 1})
    async with httpx.AsyncClient(
        transport=RateLimitTransport(inner, limiter), base_url=BASE
    ) as client:
        for _ in range(2):
            context = RequestContext(endpoint="GET /issues")
            await client.get("/not/matched", extensions={CONTEXT_KEY: context})
    assert clock.sleeps == [60.0]


@pytest.mark.anyio
async def test_retry_over_ratelimit_paces_each_attempt() -> None:
    """In the intended stack the retry waits what 429 asked, and the limiter adds no second wait."""
    inner, seen = scripted(httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(200))
    limiter, clock = make({"POST /tasks": 300})
    transport = RetryTransport(
        RateLimitTransport(inner, limiter), sleep=clock.sleep, random=lambda: 0.5
    )
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        response = await client.post("/tasks", json={"title": "x"})
    assert response.status_code == 200
    assert clock.sleeps == [3.0]
    assert len(seen) == 2


def test_docstring_examples() -> None:
    """The examples in the module's docstrings run as written."""
    results = doctest.testmod(_ratelimit)
    assert results.attempted > 0
    assert results.failed == 0


@pytest.mark.anyio
async def test_organizations_have_buckets_of_their_own() -> None:
    """One limiter paces each organization apart: a full bucket of one leaves the other free."""
    limiter, clock = make({"GET /issues": 1})
    await limiter.acquire("GET /issues", org="acme")
    await limiter.acquire("GET /issues", org="globex")
    await limiter.acquire("GET /issues")
    assert clock.sleeps == []
    await limiter.acquire("GET /issues", org="acme")
    assert clock.sleeps == [60.0]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("remaining", "reset", "wait"),
    [
        pytest.param(0, 10.0, 10.0, id="none-left-holds-until-the-reset"),
        pytest.param(0, None, 60.0, id="no-reset-is-a-window"),
        pytest.param(0, 600.0, 60.0, id="reset-past-a-window-is-a-window"),
        pytest.param(1, 10.0, 0.0, id="one-left-lets-one-through"),
        pytest.param(5, 10.0, 0.0, id="more-left-than-here-changes-nothing"),
    ],
)
async def test_observe_lowers_the_view_to_the_headers(
    remaining: int, reset: float | None, wait: float
) -> None:
    """Pylon's remaining budget counts the difference until its reset; it never adds room."""
    limiter, clock = make({"GET /issues": 5})
    await limiter.acquire("GET /issues")
    limiter.observe("GET /issues", remaining, reset)
    await limiter.acquire("GET /issues")
    assert clock() == T0 + wait


@pytest.mark.anyio
async def test_settle_books_completion_penalty_and_headers() -> None:
    """``settle`` is complete, then penalize on a 429, then observe, in one call."""
    limiter, clock = make({"GET /issues": 10})
    started = await limiter.acquire("GET /issues", org="acme")
    clock.now += 5.0
    await limiter.settle("GET /issues", started, org="acme", limited=True, retry_after=2.0)
    assert limiter.effective_limit("GET /issues", org="acme") == 8
    assert limiter.effective_limit("GET /issues") == 10
    await limiter.acquire("GET /issues", org="acme")
    assert clock.sleeps == [2.0]


def test_record_counts_a_request_sent_elsewhere() -> None:
    """``record`` takes a slot without waiting, as a request another limiter let through."""
    limiter, _ = make({"GET /issues": 1})
    limiter.record("GET /issues", org="acme")
    limiter.record("GET /me", org="acme")  # unpaced: nothing to count
    assert limiter.try_acquire("GET /issues", org="acme") is None


@pytest.mark.anyio
async def test_transport_reads_the_rate_limit_headers() -> None:
    """An answer saying nothing is left holds the endpoint back until its reset."""
    inner, seen = scripted(
        httpx.Response(200, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "4"}),
        httpx.Response(200),
    )
    limiter, clock = make({"GET /tasks/{id}": 300})
    async with httpx.AsyncClient(
        transport=RateLimitTransport(inner, limiter, org="acme"), base_url=BASE
    ) as client:
        await client.get("/tasks/t1")
        await client.get("/tasks/t2")
    assert clock.sleeps == [4.0]
    assert len(seen) == 2


@pytest.mark.anyio
async def test_the_default_clock_is_the_event_loops() -> None:
    """``loop_time`` reads what ``anyio.current_time`` reads, under asyncio and trio alike."""
    from pylon_client._ratelimit.clock import loop_time

    before = anyio.current_time()
    now = loop_time()
    after = anyio.current_time()
    assert before <= now <= after
    assert RateLimiter({"GET /me": 1})._clock is loop_time
