"""``GET /issues``: the required window, its boundaries, ordering, and cursor pagination."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fake_harness import open_client

from pylon_client.testing import FakePylon, add_issues

START = datetime(2026, 1, 1, tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _window(start: datetime, end: datetime, **extra: Any) -> dict[str, Any]:
    return {"start_time": _iso(start), "end_time": _iso(end), **extra}


async def _walk(client: httpx.AsyncClient, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Follow cursors until ``has_next_page`` is false; return every item seen."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        body = (await client.get("/issues", params=query)).json()
        items += body["data"]
        if not body["pagination"]["has_next_page"]:
            assert body["pagination"]["cursor"] == ""
            return items
        cursor = body["pagination"]["cursor"]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("params", "message"),
    [
        pytest.param({"end_time": "2026-01-02T00:00:00Z"}, "start_time is required", id="no-start"),
        pytest.param({"start_time": "2026-01-02T00:00:00Z"}, "end_time is required", id="no-end"),
        pytest.param(
            {"start_time": "2026-01-01", "end_time": "2026-01-02T00:00:00Z"},
            "start_time must be an RFC 3339 date-time",
            id="date-only",
        ),
        pytest.param(
            {"start_time": "2026-01-01T00:00:00", "end_time": "2026-01-02T00:00:00Z"},
            "start_time must be an RFC 3339 date-time",
            id="no-offset",
        ),
        pytest.param(_window(START, START), "end_time must be after start_time", id="empty-window"),
        pytest.param(
            _window(START, START - timedelta(days=1)),
            "end_time must be after start_time",
            id="reversed",
        ),
        pytest.param(
            _window(START, START + timedelta(days=30, seconds=1)), "may not exceed", id="too-long"
        ),
        pytest.param(
            _window(START, START + timedelta(days=1), limit=20001),
            "limit must be between 1 and 20000",
            id="limit-20001",
        ),
    ],
)
async def test_window_is_validated(params: dict[str, Any], message: str) -> None:
    """A missing, malformed, empty, reversed, or too long window is 400 invalid_request_body."""
    async with open_client(FakePylon(seed=1)) as client:
        response = await client.get("/issues", params=params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request_body"
    assert any(message in m for m in response.json()["errors"])


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("max_window", "days", "status"),
    [
        pytest.param(timedelta(days=30), 30, 200, id="30-of-30"),
        pytest.param(timedelta(days=365), 200, 200, id="200-of-365"),
        pytest.param(timedelta(days=7), 8, 400, id="8-of-7"),
    ],
)
async def test_max_window_is_a_setting(max_window: timedelta, days: int, status: int) -> None:
    """The longest window is ``max_window`` (30 days by default), inclusive."""
    fake = FakePylon(seed=1, max_window=max_window)
    async with open_client(fake) as client:
        response = await client.get("/issues", params=_window(START, START + timedelta(days=days)))
    assert response.status_code == status


@pytest.mark.anyio
async def test_boundary_issue_belongs_to_the_window_that_starts_there() -> None:
    """An issue exactly at start is in; one exactly at end is out (and in the next window)."""
    fake = FakePylon(seed=1)
    add_issues(fake, 90, START, START + timedelta(days=60), boundary_every=timedelta(days=30))
    edge = START + timedelta(days=30)
    async with open_client(fake) as client:
        first = await _walk(client, _window(START, edge, limit=7))
        second = await _walk(client, _window(edge, edge + timedelta(days=30), limit=7))
    first_times = [i["created_at"] for i in first]
    second_times = [i["created_at"] for i in second]
    assert _iso(START) in first_times
    assert _iso(edge) not in first_times
    assert _iso(edge) in second_times
    assert len(first) + len(second) == 90
    assert not {i["id"] for i in first} & {i["id"] for i in second}


@pytest.mark.anyio
async def test_pages_come_newest_first_until_has_next_page_is_false() -> None:
    """Paging with a small limit visits every issue once, newest first, then stops."""
    fake = FakePylon(seed=2)
    added = add_issues(fake, 250, START, START + timedelta(days=20), boundary_every=None)
    async with open_client(fake) as client:
        seen = await _walk(client, _window(START, START + timedelta(days=30), limit=17))
    assert [i["id"] for i in seen] == [i["id"] for i in reversed(added)]
    pages = [r for r in fake.requests if r.path == "/issues"]
    assert len(pages) == 15  # ceil(250 / 17)
    assert pages[1].query["cursor"]


@pytest.mark.anyio
async def test_twenty_thousand_issues_fit_one_page() -> None:
    """``limit`` goes up to 20000 on ``GET /issues``."""
    fake = FakePylon(seed=3)
    add_issues(fake, 20_000, START, START + timedelta(days=30))
    async with open_client(fake, validate=False) as client:
        body = (
            await client.get(
                "/issues", params=_window(START, START + timedelta(days=30), limit=20000)
            )
        ).json()
    assert len(body["data"]) == 20_000
    assert body["pagination"]["has_next_page"] is False


@pytest.mark.anyio
async def test_an_empty_window_is_one_empty_last_page() -> None:
    """A window with no issues answers an empty page with ``has_next_page`` false."""
    async with open_client(FakePylon(seed=1)) as client:
        body = (
            await client.get("/issues", params=_window(START, START + timedelta(days=1)))
        ).json()
    assert body["data"] == []
    assert body["pagination"] == {"cursor": "", "has_next_page": False}


@pytest.mark.anyio
async def test_a_cursor_only_works_where_it_came_from() -> None:
    """A cursor from ``GET /tasks`` is rejected by ``GET /accounts`` with 400."""
    fake = FakePylon(seed=1)
    async with open_client(fake) as client:
        for i in range(3):
            await client.post("/tasks", json={"title": f"t{i}"})
        cursor = (await client.get("/tasks", params={"limit": 1})).json()["pagination"]["cursor"]
        assert (await client.get("/tasks", params={"cursor": cursor})).status_code == 200
        response = await client.get("/accounts", params={"cursor": cursor})
    assert response.status_code == 400
    assert "invalid cursor" in response.json()["errors"][0]


def test_add_issues_puts_one_issue_on_every_boundary() -> None:
    """``add_issues`` places issues exactly at ``start + k * boundary_every``."""
    fake = FakePylon(seed=1)
    added = add_issues(fake, 100, START, START + timedelta(days=95))
    times = {i["created_at"] for i in added}
    assert {_iso(START + timedelta(days=30 * k)) for k in range(4)} <= times
    assert len(added) == len(fake.issues) == 100
