"""The change feed on its own: windows, bursts, updates mid-sync, checkpoints, bad input.

The server here is a small in-memory search (:class:`Search`) with the properties Pylon does not
promise away: results in no particular order, an offset cursor over the live result set (so an
object that leaves the range between two pages shifts the rest), and, on request, both window
edges inclusive.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest

from pylon_client import ChangeCheckpoint, ChangeFeed, PylonInputError
from pylon_client._export.windows import Window

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 3, 1, tzinfo=UTC)


@attrs.frozen
class Obj:
    """What the feed reads of a returned object: an id and its updated_at."""

    id: str
    updated_at: datetime


@attrs.frozen
class Page:
    """One page, as the paginator hands it out."""

    items: list[Obj]
    cursor: str | None
    has_next_page: bool
    request_id: str | None = None


class Search:
    """An in-memory ``POST /issues/search`` on ``updated_at``, with an offset cursor."""

    def __init__(self, stamps: dict[str, datetime], *, inclusive: bool = False, seed: int = 0):
        self.stamps = stamps
        self.inclusive = inclusive
        self.rng = random.Random(seed)
        self.calls = 0
        self.between_pages: Callable[[Search], None] = lambda s: None

    def touch(self, object_id: str, at: datetime) -> None:
        self.stamps[object_id] = at

    async def __call__(self, window: Window, cursor: str | None, limit: int | None) -> Page:
        self.calls += 1
        if cursor:
            self.between_pages(self)
        hits = sorted(
            i
            for i, t in self.stamps.items()
            if window.start <= t and (t < window.end or (self.inclusive and t == window.end))
        )
        random.Random(hash(window) ^ 7).shuffle(hits)  # some order, not updated_at order
        size = limit or 100
        offset = int(cursor or 0)
        page = hits[offset : offset + size]
        more = offset + size < len(hits)
        return Page(
            [Obj(i, self.stamps[i]) for i in page], str(offset + size) if more else "", more
        )


def spread(n: int, days: int = 10, *, start: datetime = T0) -> dict[str, datetime]:
    """``n`` objects with updated_at spread over ``days`` days, some exactly on day edges."""
    step = timedelta(days=days) / n
    stamps = {f"o{k:05d}": start + step * k for k in range(n)}
    stamps.update({f"edge{d}": start + timedelta(days=d) for d in range(days)})
    return stamps


def feed(search: Search, **kwargs: Any) -> ChangeFeed:
    options: dict[str, Any] = {"kind": "issues", "limit": 50, "window": timedelta(days=2)}
    return ChangeFeed(search, **{**options, **kwargs})


async def versions(f: ChangeFeed) -> list[tuple[str, datetime]]:
    return [(o.id, o.updated_at) async for o in f]


@pytest.mark.parametrize(
    "inclusive", [pytest.param(False, id="half-open"), pytest.param(True, id="inclusive-edges")]
)
async def test_each_version_comes_once_across_window_edges(inclusive: bool) -> None:
    """Objects stamped on window edges come once, whichever way the server treats the edges."""
    stamps = spread(1000)
    search = Search(stamps, inclusive=inclusive)
    got = await versions(feed(search, since=T0, until=T0 + timedelta(days=10)))
    assert Counter(got) == Counter(stamps.items())


async def test_a_same_second_burst_larger_than_a_page_comes_whole() -> None:
    """A bulk change stamping 700 objects with one second is read with the cursor, each once."""
    burst = {f"b{k}": T0 + timedelta(hours=5) for k in range(700)}
    search = Search({**spread(200), **burst})
    got = await versions(feed(search, since=T0, until=T0 + timedelta(days=10)))
    assert Counter(got) == Counter({**spread(200), **burst}.items())


async def test_objects_leaving_the_range_between_pages_skip_nothing_that_stays() -> None:
    """Updates that move objects out of a burst mid-read neither skip nor repeat the others."""
    burst = {f"b{k:03d}": T0 + timedelta(hours=5) for k in range(600)}
    search = Search(dict(burst))
    moved: list[str] = []

    def update_some(s: Search) -> None:
        for object_id in sorted(s.stamps)[len(moved) * 7 : len(moved) * 7 + 7]:
            if object_id not in moved and s.stamps[object_id] < T0 + timedelta(days=1):
                s.touch(object_id, T0 + timedelta(days=20))  # after `until`: the next run's
                moved.append(object_id)

    search.between_pages = update_some
    got = await versions(feed(search, since=T0, until=T0 + timedelta(days=10)))
    stayed = {i for i in burst if i not in moved}
    ids = Counter(i for i, _ in got)
    assert set(ids) >= stayed
    assert max(ids.values()) == 1
    nxt = await versions(feed(search, since=T0 + timedelta(days=10), until=T0 + timedelta(days=30)))
    assert {i for i, _ in nxt} == set(moved)


async def test_a_resumed_feed_yields_exactly_the_rest() -> None:
    """Stopping anywhere, saving the checkpoint as JSON and resuming yields the rest once."""
    stamps = spread(900)
    search = Search(stamps)
    first = feed(search, since=T0, until=T0 + timedelta(days=10), concurrency=3)
    head = []
    async for obj in first:
        head.append((obj.id, obj.updated_at))
        if len(head) == 333:
            break
    saved = json.loads(json.dumps(first.checkpoint().to_dict()))
    rest = await versions(feed(search, checkpoint=ChangeCheckpoint.from_dict(saved)))
    assert Counter(head + rest) == Counter(stamps.items())


async def test_the_next_run_starts_from_the_watermark_and_repeats_nothing() -> None:
    """A finished run's checkpoint starts the next one at its until, less the overlap."""
    stamps = spread(500)
    search = Search(stamps)
    until = T0 + timedelta(days=10)
    stamps["late"] = until - timedelta(seconds=30)  # within the overlap
    run1 = feed(search, since=T0, until=until)
    await versions(run1)
    done = run1.checkpoint()
    assert done.complete
    search.touch("o00001", until + timedelta(minutes=5))  # updated after run 1
    search.touch("skewed", until - timedelta(seconds=10))  # stamped before until, seen late
    run2 = feed(search, checkpoint=done, until=until + timedelta(hours=1))
    got = await versions(run2)
    assert sorted(i for i, _ in got) == ["o00001", "skewed"]
    assert run2.since == until - timedelta(minutes=2)


async def test_the_checkpoint_holds_only_the_overlap() -> None:
    """Memory and checkpoint size are bounded by the overlap, not by the range."""
    stamps = spread(5000, days=50)
    until = T0 + timedelta(days=50)
    stamps.update({f"tail{k}": until - timedelta(seconds=k + 1) for k in range(40)})
    f = feed(Search(stamps), since=T0, until=until, limit=500, window=timedelta(days=30))
    await versions(f)
    seen = f.checkpoint().seen
    assert {i for i, _ in seen} == {f"tail{k}" for k in range(40)}


async def test_a_round_that_fails_hands_nothing_out_and_can_be_resumed() -> None:
    """An error in a round leaves the checkpoint exact: resuming yields everything once."""
    stamps = spread(300)
    search = Search(stamps)
    calls = 0

    async def flaky(window: Window, cursor: str | None, limit: int | None) -> Page:
        nonlocal calls
        calls += 1
        if calls == 4:
            raise RuntimeError("network down")
        return await search(window, cursor, limit)

    first = ChangeFeed(flaky, kind="issues", since=T0, until=T0 + timedelta(days=10), limit=50)
    head: list[tuple[str, datetime]] = []

    async def drain() -> None:
        async for obj in first:
            head.append((obj.id, obj.updated_at))

    with pytest.raises(RuntimeError):
        await drain()
    rest = await versions(feed(search, checkpoint=first.checkpoint()))
    assert Counter(head + rest) == Counter(stamps.items())


BAD_INPUT = [
    pytest.param({"since": datetime(2026, 1, 1)}, "naive", id="naive-since"),
    pytest.param({"since": T0, "until": datetime(2026, 4, 1)}, "naive", id="naive-until"),
    pytest.param({"since": T0, "until": T0}, "after since", id="until-not-after-since"),
    pytest.param({"since": T0 + timedelta(days=1), "until": T0}, "after since", id="since-after"),
    pytest.param({}, "since=", id="no-since"),
    pytest.param({"since": T0, "overlap": timedelta(-1)}, "overlap", id="negative-overlap"),
    pytest.param({"since": T0, "concurrency": 0}, "concurrency", id="concurrency"),
    pytest.param({"checkpoint": {"kind": "issues"}}, "ChangeCheckpoint", id="dict-checkpoint"),
]


@pytest.mark.parametrize(("kwargs", "message"), BAD_INPUT)
def test_bad_input_is_refused_before_any_request(kwargs: dict[str, Any], message: str) -> None:
    """Each bad argument is a PylonInputError raised when the feed is made, before a search."""
    search = Search({})
    with pytest.raises(PylonInputError, match=message):
        ChangeFeed(search, kind="issues", **kwargs)
    assert search.calls == 0


MALFORMED = [
    pytest.param("not json at all", id="a-string"),
    pytest.param({}, id="empty"),
    pytest.param({"kind": "accounts"}, id="wrong-kind"),
    pytest.param(
        {
            "kind": "issues",
            "since": "yesterday",
            "until": "2026-01-01T00:00:00Z",
            "overlap_seconds": 120,
            "done": [],
            "seen": [],
        },
        id="bad-time",
    ),
    pytest.param(
        {
            "kind": "issues",
            "since": "2026-01-01T00:00:00",
            "until": "2026-01-02T00:00:00Z",
            "overlap_seconds": 120,
            "done": [],
            "seen": [],
        },
        id="naive-time",
    ),
    pytest.param(
        {
            "kind": "issues",
            "since": "2026-01-01T00:00:00Z",
            "until": "2026-01-02T00:00:00Z",
            "overlap_seconds": -5,
            "done": [],
            "seen": [],
        },
        id="negative-overlap",
    ),
    pytest.param(
        {
            "kind": "issues",
            "since": "2026-01-01T00:00:00Z",
            "until": "2026-01-02T00:00:00Z",
            "overlap_seconds": 120,
            "done": [["2026-01-01T00:00:00Z"]],
            "seen": [],
        },
        id="bad-done",
    ),
]


@pytest.mark.parametrize("data", MALFORMED)
def test_a_malformed_checkpoint_is_a_typed_error(data: Any) -> None:
    """A state file that is not a checkpoint is a PylonInputError, not a KeyError later."""
    with pytest.raises(PylonInputError, match="not a change feed checkpoint"):
        ChangeCheckpoint.from_dict(data)


def test_a_checkpoint_of_tasks_does_not_resume_issues() -> None:
    """Resuming an issue feed from a task feed's checkpoint is refused."""
    cp = ChangeCheckpoint("tasks", T0, T0 + timedelta(days=1), timedelta(minutes=2))
    with pytest.raises(PylonInputError, match="tasks"):
        ChangeFeed(Search({}), kind="issues", checkpoint=cp)
