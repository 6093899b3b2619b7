"""Per-endpoint rate limits of the fake, on a fake clock."""

from __future__ import annotations

import pytest
from fake_harness import open_client

from pylon_client.testing import DEFAULT_LIMITS, FakeClock, FakePylon
from pylon_client.testing._ratelimit import format_retry_after


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        pytest.param(6.0, "6", id="whole"),
        pytest.param(0.5, "0.5", id="half"),
        pytest.param(0.1234, "0.124", id="rounds-up-to-ms"),
        pytest.param(1e-9, "0.001", id="never-zero"),
    ],
)
def test_retry_after_is_rounded_up_to_the_millisecond(seconds: float, text: str) -> None:
    """``Retry-After`` is seconds, fractional when scaled, rounded up to the millisecond."""
    assert format_retry_after(seconds) == text


@pytest.mark.anyio
async def test_scaled_limit_gives_429_then_recovers() -> None:
    """At scale 10, ``GET /issues`` allows 30 calls per 6 s, then 429 until the window moves."""
    clock = FakeClock()
    fake = FakePylon(seed=1, rate_limits=True, rate_limit_scale=10, clock=clock)
    params = {"start_time": "2026-01-01T00:00:00Z", "end_time": "2026-01-02T00:00:00Z"}
    async with open_client(fake) as client:
        for _ in range(DEFAULT_LIMITS["GET /issues"]):
            assert (await client.get("/issues", params=params)).status_code == 200
        clock.advance(2.5)
        refused = await client.get("/issues", params=params)
        assert refused.status_code == 429
        assert refused.json()["code"] == "rate_limited"
        assert refused.headers["Retry-After"] == "3.5"
        # Other endpoints have budgets of their own.
        assert (await client.get("/tasks")).status_code == 200
        clock.advance(3.499)
        assert (await client.get("/issues", params=params)).status_code == 429
        clock.advance(0.001)
        assert (await client.get("/issues", params=params)).status_code == 200


@pytest.mark.anyio
async def test_limits_can_be_overridden_per_endpoint() -> None:
    """A mapping overrides the limit of the endpoints it names, keyed by route template."""
    clock = FakeClock()
    fake = FakePylon(seed=1, rate_limits={"DELETE /tasks/{id}": 1}, clock=clock)
    async with open_client(fake) as client:
        ids = [
            (await client.post("/tasks", json={"title": str(i)})).json()["data"]["id"]
            for i in range(2)
        ]
        assert (await client.delete(f"/tasks/{ids[0]}")).status_code == 200
        refused = await client.delete(f"/tasks/{ids[1]}")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "60"
    assert ids[1] in fake.tasks  # a refused call changes nothing


@pytest.mark.anyio
async def test_rate_limits_are_off_by_default() -> None:
    """Without ``rate_limits`` no call is ever refused."""
    async with open_client(FakePylon(seed=1, clock=FakeClock())) as client:
        statuses = {
            (await client.post("/accounts/search", json={})).status_code for _ in range(150)
        }
    assert statuses == {200}


@pytest.mark.anyio
async def test_tokens_of_one_organization_share_its_budget() -> None:
    """Two tokens of one organization spend one budget; a third organization has its own."""
    clock = FakeClock()
    fake = FakePylon(
        seed=1,
        tokens={"second-token": None, "globex-token": "org_globex"},
        rate_limits={"GET /me": 2},
        clock=clock,
    )
    async with open_client(fake) as client:
        first = await client.get("/me")
        second = await client.get("/me", headers={"Authorization": "Bearer second-token"})
        refused = await client.get("/me")
        other = await client.get("/me", headers={"Authorization": "Bearer globex-token"})
    assert (first.status_code, second.status_code, refused.status_code) == (200, 200, 429)
    assert other.status_code == 200
    own = fake.state.organization["id"]
    assert first.json()["data"]["id"] == second.json()["data"]["id"] == own
    assert other.json()["data"]["id"] == "org_globex"


@pytest.mark.anyio
async def test_answers_carry_the_remaining_budget() -> None:
    """Each answer of a limited endpoint says the limit, what is left and when a slot frees."""
    clock = FakeClock()
    fake = FakePylon(seed=1, rate_limits={"GET /me": 2}, rate_limit_scale=10, clock=clock)
    async with open_client(fake) as client:
        first = await client.get("/me")
        clock.advance(1.0)
        second = await client.get("/me")
        refused = await client.get("/me")
        missing = await client.get("/tasks/nope")
    assert first.headers["X-RateLimit-Remaining"] == "1"
    assert first.headers["X-RateLimit-Reset"] == "6"
    assert second.headers["X-RateLimit-Remaining"] == "0"
    assert second.headers["X-RateLimit-Reset"] == "5"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert refused.headers["Retry-After"] == refused.headers["X-RateLimit-Reset"] == "5"
    assert second.headers["X-RateLimit-Limit"] == "2"
    assert missing.status_code == 404
    assert "X-RateLimit-Remaining" in missing.headers  # an error answer still counts
