from __future__ import annotations

import doctest
from collections.abc import Mapping

import anyio
import httpx
import pytest
from harness import Api

from pylon_client._exceptions import PylonConfigError
from pylon_client._ratelimit import transport as _ratelimit_transport
from pylon_client._ratelimit.local import RateLimiter
from pylon_client._ratelimit.transport import RateLimitTransport, parse_rate_limit_headers

BASE = "https://api.usepylon.com"
NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        pytest.param({}, None, id="absent"),
        pytest.param({"X-RateLimit-Remaining": "3"}, (3, None), id="remaining-only"),
        pytest.param(
            {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1.5"}, (0, 1.5), id="delay"
        ),
        pytest.param(
            {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(NOW + 7)},
            (0, 7.0),
            id="unix-time",
        ),
        pytest.param(
            {"RateLimit-Remaining": "9, 2", "RateLimit-Reset": "30, 5"}, (2, 5.0), id="ietf-list"
        ),
        pytest.param({"X-RateLimit-Remaining": "-4"}, (0, None), id="negative-is-zero"),
        pytest.param(
            {"X-RateLimit-Remaining": "2", "X-RateLimit-Reset": str(NOW - 9)},
            (2, 0.0),
            id="past-reset-is-now",
        ),
        pytest.param({"X-RateLimit-Remaining": "many"}, None, id="unreadable-remaining"),
        pytest.param(
            {"X-RateLimit-Remaining": "1", "X-RateLimit-Reset": "soon"},
            (1, None),
            id="unreadable-reset",
        ),
        pytest.param(
            {"X-RateLimit-Remaining": "1", "X-RateLimit-Reset": "inf"}, (1, None), id="infinite"
        ),
    ],
)
def test_rate_limit_headers_are_read(
    headers: Mapping[str, str], expected: tuple[int, float | None] | None
) -> None:
    """Remaining and reset come from either header family; a reset may be a delay or a time."""
    assert parse_rate_limit_headers(httpx.Headers(headers), NOW) == expected


@pytest.mark.anyio
async def test_the_organization_is_learnt_once_for_concurrent_requests() -> None:
    """Ten concurrent first requests wait for one ``GET /me`` and then spend its budget."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/me":
            assert request.headers["Authorization"] == "Bearer tok"
            return httpx.Response(200, json={"data": {"id": "org_1", "name": "One"}})
        return httpx.Response(200, json={"data": {}})

    api = Api(handler=handler)
    limiter = RateLimiter({"GET /tasks/{id}": 300, "GET /me": 300})
    transport = RateLimitTransport(api.transport, limiter, org=None, me_url=BASE + "/me")
    async with (
        httpx.AsyncClient(
            transport=transport, base_url=BASE, headers={"Authorization": "Bearer tok"}
        ) as client,
        anyio.create_task_group() as group,
    ):
        for n in range(10):
            group.start_soon(client.get, f"/tasks/t{n}")
    seen = [request.url.path for request in api.requests]
    assert seen.count("/me") == 1
    assert len(seen) == 11
    assert limiter.effective_limit("GET /tasks/{id}", org="org_1") == 300


@pytest.mark.anyio
@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(httpx.Response(401, json={"errors": ["no"]}), id="unauthorized"),
        pytest.param(httpx.Response(200, json={"data": {"name": "no id"}}), id="no-id"),
        pytest.param(httpx.Response(200, text="<html>"), id="not-json"),
    ],
)
async def test_a_failed_me_paces_in_the_shared_budget_and_asks_again(
    answer: httpx.Response,
) -> None:
    """When ``GET /me`` does not name the organization, requests go on, paced, and ask again."""
    api = Api(handler=lambda r: answer if r.url.path == "/me" else httpx.Response(200))
    transport = RateLimitTransport(
        api.transport,
        RateLimiter({"GET /tasks/{id}": 300}),
        org=None,
        me_url=BASE + "/me",
    )
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        await client.get("/tasks/t1")
        await client.get("/tasks/t2")
    assert [request.url.path for request in api.requests] == [
        "/me",
        "/tasks/t1",
        "/me",
        "/tasks/t2",
    ]


def test_learning_needs_the_url_of_me() -> None:
    """A transport told to learn the organization must know where ``GET /me`` is."""
    with pytest.raises(PylonConfigError):
        RateLimitTransport(
            httpx.MockTransport(lambda _: httpx.Response(200)), RateLimiter({}), org=None
        )


def test_docstring_examples() -> None:
    """The examples in the module's docstrings run as written."""
    results = doctest.testmod(_ratelimit_transport)
    assert results.attempted > 0
    assert results.failed == 0
