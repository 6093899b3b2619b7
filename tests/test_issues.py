"""Tests of pylon.issues.list: windows, exactly-once, order, early exit, resume."""

from __future__ import annotations

import base64
import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest
from harness import Api, complete, connect

from pylon_client import AsyncPylon, NotFoundError, PylonInputError
from pylon_client._export.issues import IssueCheckpoint
from pylon_client._generated.models import Issue

pytestmark = pytest.mark.anyio

START = datetime(2026, 1, 1, tzinfo=UTC)


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


class IssueServer(Api):
    """GET /issues over a fixed set of issues, counting both window edges as inclusive."""

    def __init__(self, created: list[datetime], *, cancel_at: int | None = None) -> None:
        super().__init__()
        self.issues = [
            complete(Issue, id=f"iss_{n:05d}", title=f"issue {n}", created_at=_iso(c))
            for n, c in enumerate(created)
        ]
        self.in_flight = 0
        self.max_in_flight = 0
        self.cancel_at = cancel_at
        self.scope: anyio.CancelScope | None = None

    async def answer(self, request: httpx.Request) -> httpx.Response:
        """Answer one page of the window asked for, cancelling ``scope`` at ``cancel_at``."""
        if self.cancel_at is not None and len(self.requests) == self.cancel_at and self.scope:
            self.scope.cancel()
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            for _ in range(3):  # let other requests of the same round start
                await anyio.lowlevel.checkpoint()
            params = request.url.params
            start = datetime.fromisoformat(params["start_time"])
            end = datetime.fromisoformat(params["end_time"])
            limit = int(params.get("limit", "100"))
            offset = int(base64.b64decode(params["cursor"])) if "cursor" in params else 0
            # A faulty server: both edges inclusive. The client must still yield each once.
            hits = [
                i for i in self.issues if start <= datetime.fromisoformat(i["created_at"]) <= end
            ]
            hits.sort(key=lambda i: (i["created_at"], i["id"]), reverse=True)
            page = hits[offset : offset + limit]
            more = offset + limit < len(hits)
            cursor = base64.b64encode(str(offset + limit).encode()).decode() if more else ""
            body = {
                "data": page,
                "pagination": {"cursor": cursor, "has_next_page": more},
                "request_id": f"req_{len(self.requests)}",
            }
            return httpx.Response(200, content=json.dumps(body).encode())
        finally:
            self.in_flight -= 1


def _boundary_issues(days: int = 200) -> list[datetime]:
    """Issues on every 30-day boundary (and a second before/after it) plus a few per day."""
    created = []
    for k in range(0, days // 30 + 1):
        edge = START + timedelta(days=30 * k)
        created += [edge, edge - timedelta(seconds=1), edge + timedelta(seconds=1)]
    for day in range(days):
        for hour in (3, 11, 19):
            created.append(START + timedelta(days=day, hours=hour))
    end = START + timedelta(days=days)
    return [c for c in created if START <= c < end]


def _client(server: IssueServer, **kwargs: Any) -> AsyncPylon:
    return connect(server, **kwargs)


async def _ids(export: Any) -> list[str]:
    return [issue.id async for issue in export]


@pytest.mark.parametrize("order", [pytest.param(o, id=o) for o in ("newest", "oldest", "any")])
async def test_exactly_once_over_200_days_with_inclusive_edges(order: Any) -> None:
    """Every issue, boundary ones included, is yielded exactly once in every order."""
    server = IssueServer(_boundary_issues())
    async with _client(server) as pylon:
        export = pylon.issues.list(
            start_time=START, end_time=START + timedelta(days=200), order=order, limit=40
        )
        issues = [issue async for issue in export]
    counts = Counter(i.id for i in issues)
    assert counts == Counter(i["id"] for i in server.issues)
    times = [i.created_at for i in issues]
    if order == "newest":
        assert times == sorted(times, reverse=True)
    if order == "oldest":
        assert times == sorted(times)


async def test_windows_sent_are_at_most_30_days_and_tile_the_range() -> None:
    """The windows requested cover [start, end) exactly with 30-day windows."""
    server = IssueServer([])
    async with _client(server) as pylon:
        await pylon.issues.list(start_time=START, end_time=START + timedelta(days=200)).collect()
    windows = sorted(
        (datetime.fromisoformat(r.url.params["start_time"]), r.url.params["end_time"])
        for r in server.requests
    )
    assert len(windows) == 7
    assert windows[0][0] == START
    assert windows[-1][1] == "2026-07-20T00:00:00Z"


async def test_dates_mean_midnight_utc() -> None:
    """A date argument is sent as midnight UTC in RFC 3339."""
    server = IssueServer([])
    async with _client(server) as pylon:
        await pylon.issues.list(start_time=date(2026, 1, 1), end_time=date(2026, 1, 2)).collect()
    params = server.requests[0].url.params
    assert (params["start_time"], params["end_time"]) == (
        "2026-01-01T00:00:00Z",
        "2026-01-02T00:00:00Z",
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param(
            {"start_time": datetime(2026, 1, 1), "end_time": START}, "naive", id="naive-start"
        ),
        pytest.param({"start_time": START, "end_time": START}, "after", id="end-equals-start"),
        pytest.param(
            {"start_time": START, "end_time": START - timedelta(days=1)}, "after", id="end-before"
        ),
        pytest.param(
            {"start_time": START, "end_time": START + timedelta(days=1), "window": timedelta(0)},
            "window",
            id="window-zero",
        ),
        pytest.param(
            {
                "start_time": START,
                "end_time": START + timedelta(days=1),
                "window": timedelta(days=31),
            },
            "max",
            id="window-over-max",
        ),
        pytest.param(
            {"start_time": START, "end_time": START + timedelta(days=1), "concurrency": 0},
            "concurrency",
            id="concurrency-zero",
        ),
        pytest.param(
            {"start_time": START, "end_time": START + timedelta(days=1), "order": "random"},
            "order",
            id="bad-order",
        ),
    ],
)
async def test_bad_input_raises_before_any_request(kwargs: dict[str, Any], message: str) -> None:
    """Bad ranges, windows and options raise PylonInputError and send nothing."""
    server = IssueServer([])
    async with _client(server) as pylon:
        with pytest.raises(PylonInputError, match=message):
            pylon.issues.list(**kwargs)
    assert server.requests == []


async def test_raising_the_maximum_allows_365_day_windows() -> None:
    """With max_issue_window raised, one 365-day window is one request."""
    server = IssueServer([])
    async with _client(server, max_issue_window=timedelta(days=365)) as pylon:
        await pylon.issues.list(
            start_time=START, end_time=START + timedelta(days=365), window=timedelta(days=365)
        ).collect()
    assert len(server.requests) == 1


async def test_concurrency_is_used_and_bounded() -> None:
    """More than one window is in flight at once, never more than `concurrency`."""
    server = IssueServer(_boundary_issues())
    async with _client(server) as pylon:
        await pylon.issues.list(
            start_time=START, end_time=START + timedelta(days=200), concurrency=3, order="any"
        ).collect()
    assert 1 < server.max_in_flight <= 3


async def test_break_leaves_nothing_running() -> None:
    """Leaving the loop early leaves no request in flight and sends nothing more."""
    server = IssueServer(_boundary_issues())
    async with _client(server) as pylon:
        export = pylon.issues.list(start_time=START, end_time=START + timedelta(days=200), limit=10)
        seen = 0
        async for _ in export:
            seen += 1
            if seen == 15:
                break
        sent = len(server.requests)
        assert server.in_flight == 0
        await anyio.lowlevel.checkpoint()
        assert len(server.requests) == sent


async def test_cancel_scope_mid_round_leaves_nothing_running() -> None:
    """Cancelling while a round of requests is in flight stops them all."""
    server = IssueServer(_boundary_issues(), cancel_at=6)
    async with _client(server) as pylon:
        with anyio.CancelScope() as scope:
            server.scope = scope
            await pylon.issues.list(
                start_time=START, end_time=START + timedelta(days=200), limit=10
            ).collect()
        assert scope.cancelled_caught
        assert server.in_flight == 0


async def test_an_error_in_a_round_is_raised_unwrapped() -> None:
    """A failing window raises the client's own error, not an exception group."""
    api = Api(httpx.Response(404, json={"errors": ["gone"], "code": "not_found"}))
    async with connect(api) as pylon:
        export = pylon.issues.list(start_time=START, end_time=START + timedelta(days=100))
        with pytest.raises(NotFoundError):
            await export.collect()


@pytest.mark.parametrize(
    ("order", "stop_after"),
    [
        pytest.param(order, stop, id=f"{order}-{stop}")
        for order in ("newest", "oldest", "any")
        for stop in (1, 39, 40, 41, 333)
    ],
)
async def test_resume_from_checkpoint_yields_exactly_the_rest(order: Any, stop_after: int) -> None:
    """Stopping anywhere and resuming from a JSON checkpoint yields each issue once overall."""
    server = IssueServer(_boundary_issues())
    end = START + timedelta(days=200)
    async with _client(server) as pylon:
        export = pylon.issues.list(start_time=START, end_time=end, order=order, limit=40)
        first: list[str] = []
        async for issue in export:
            first.append(issue.id)
            if len(first) == stop_after:
                break
        saved = json.loads(json.dumps(export.checkpoint().to_dict()))
        resumed = pylon.issues.list(
            order=order, limit=40, checkpoint=IssueCheckpoint.from_dict(saved)
        )
        rest = await _ids(resumed)
    assert Counter(first + rest) == Counter(i["id"] for i in server.issues)


async def test_checkpoint_for_another_export_is_refused() -> None:
    """A checkpoint made with another order is refused before any request."""
    server = IssueServer([])
    async with _client(server) as pylon:
        export = pylon.issues.list(start_time=START, end_time=START + timedelta(days=10))
        with pytest.raises(PylonInputError, match="another export"):
            pylon.issues.list(order="oldest", checkpoint=export.checkpoint())
