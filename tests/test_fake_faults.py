"""Fault injection: each fault observed from the client side, and the request log."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from fake_harness import open_client

from pylon_client.testing import ConnectionDropped, FakeClock, FakePylon, Faults


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("status", "content_type"),
    [
        pytest.param(500, "application/json", id="500"),
        pytest.param(502, "text/html", id="502"),
        pytest.param(503, "text/html", id="503"),
        pytest.param(429, "application/json", id="429"),
    ],
)
async def test_injected_errors_change_nothing(status: int, content_type: str) -> None:
    """An injected error answers that status before any state change."""
    fake = FakePylon(seed=1, faults=Faults(error_rates={status: 1.0}))
    async with open_client(fake, validate=False) as client:
        response = await client.post("/tasks", json={"title": "t"})
    assert response.status_code == status
    assert response.headers["content-type"] == content_type
    assert not fake.tasks
    if status == 429:
        assert response.json()["code"] == "rate_limited"
        assert response.headers["Retry-After"] == "1"
    if status == 500:
        assert response.json()["code"] == "internal_error"
    assert fake.requests[-1].fault == f"error_{status}"


@pytest.mark.anyio
async def test_drop_before_raises_and_changes_nothing() -> None:
    """A drop before the change raises a transport error in the client; nothing is stored."""
    fake = FakePylon(seed=1, faults=Faults(drop_rate=1.0))
    async with open_client(fake, validate=False) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.post("/tasks", json={"title": "t"})
    assert not fake.tasks
    assert fake.requests[-1].status is None


@pytest.mark.anyio
async def test_drop_after_loses_the_response_of_a_write_that_happened() -> None:
    """A drop after the change raises in the client although the task was created."""
    fake = FakePylon(seed=1, faults=Faults(drop_after_rate=1.0))
    async with open_client(fake, validate=False) as client:
        with pytest.raises(ConnectionDropped):
            await client.post("/tasks", json={"title": "t"})
    assert [t["title"] for t in fake.tasks.values()] == ["t"]
    assert fake.requests[-1].fault == "drop_after"


@pytest.mark.anyio
async def test_truncated_body_is_a_200_that_does_not_parse() -> None:
    """A truncated response is a 200 whose JSON is cut in half."""
    fake = FakePylon(seed=1, faults=Faults(truncate_rate=1.0))
    async with open_client(fake, validate=False) as client:
        response = await client.get("/me")
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(response.content)
    with pytest.raises(json.JSONDecodeError):
        response.json()


@pytest.mark.anyio
async def test_latency_and_slow_body_wait_on_the_clock() -> None:
    """Latency and a slow body sleep on the fake's clock; the body arrives whole."""
    clock = FakeClock()
    faults = Faults(latency=2.0, slow_body=0.5, slow_body_chunk=10)
    fake = FakePylon(seed=1, faults=faults, clock=clock)
    async with open_client(fake) as client:
        response = await client.get("/me")
    chunks = -(-len(response.content) // 10)
    assert clock.monotonic() == pytest.approx(2.0 + 0.5 * (chunks - 1))
    assert response.json()["data"]["name"] == "Fake Org"


@pytest.mark.anyio
async def test_faults_are_scoped_and_replaceable_at_runtime() -> None:
    """Faults scoped to a method and path prefix spare the rest; ``fake.faults`` can change."""
    fake = FakePylon(
        seed=1, faults=Faults(error_rates={503: 1.0}, methods={"post"}, path_prefix="/tasks")
    )
    async with open_client(fake, validate=False) as client:
        assert (await client.post("/tasks", json={"title": "t"})).status_code == 503
        assert (await client.get("/tasks")).status_code == 200
        assert (await client.post("/accounts", json={"name": "a"})).status_code == 200
        fake.faults = None
        assert (await client.post("/tasks", json={"title": "t"})).status_code == 200


@pytest.mark.anyio
async def test_fault_draws_are_reproducible() -> None:
    """The same fault seed fails the same requests."""
    outcomes = []
    for _ in range(2):
        fake = FakePylon(seed=1, faults=Faults(error_rates={500: 0.3}, seed=4))
        async with open_client(fake, validate=False) as client:
            outcomes.append([(await client.get("/me")).status_code for _ in range(40)])
    assert outcomes[0] == outcomes[1]
    assert set(outcomes[0]) == {200, 500}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"drop_rate": 1.5}, "drop_rate must be between 0 and 1", id="rate-above-1"),
        pytest.param(
            {"error_rates": {500: 0.6}, "drop_rate": 0.5}, "add up to more than 1", id="sum-above-1"
        ),
        pytest.param({"error_rates": {200: 0.1}}, "need a status >= 400", id="not-an-error"),
    ],
)
def test_impossible_faults_are_refused(kwargs: dict[str, Any], message: str) -> None:
    """Rates outside 0..1, summing past 1, or on a non-error status are a ValueError."""
    with pytest.raises(ValueError, match=re.escape(message)):
        Faults(**kwargs)


@pytest.mark.anyio
async def test_request_log_records_each_request() -> None:
    """The log keeps method, path, query, JSON body and status; ``reset_log`` clears it."""
    fake = FakePylon(seed=1)
    async with open_client(fake) as client:
        await client.get("/tasks", params={"limit": "5"})
        await client.post("/tasks", json={"title": "t"})
        await client.get("/tasks/nope")
    logged = [(r.method, r.path, dict(r.query), r.json, r.status) for r in fake.requests]
    assert logged == [
        ("GET", "/tasks", {"limit": "5"}, None, 200),
        ("POST", "/tasks", {}, {"title": "t"}, 200),
        ("GET", "/tasks/nope", {}, None, 404),
    ]
    fake.reset_log()
    assert fake.requests == []
