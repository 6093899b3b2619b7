"""Section 3: a windowed issue export of 365 days, at concurrency 1, 4 and 8.

``pylon.issues.list`` cuts the year into 30-day windows (13 of them, the last 5 days long)
and reads ``concurrency`` windows at once. The fake Pylon answers over loopback with 20 ms of
latency per request (``Faults(latency=0.02)``), so the export is bound by round trips and the
speedup over concurrency 1 shows how well they overlap. The target is
0.8 x min(concurrency, windows).

The fake runs in its own process (``serve_in_thread`` there): in this one, its CPU time would
take the GIL from the client and blur what is measured. Its rate limits are off, and the client
runs with ``rate_limit=False``: ``GET /issues`` is limited to 30 a minute, and pacing would
otherwise be all there is to see.

Two page sizes: one that makes each full window three pages, one that makes it one page. Each
configuration runs ``REPEATS`` times; the figure is the median.

The target does not allow for whole windows: a window's pages are read one after another, so
13 windows of 3 pages on 8 lanes take at least 6 round trips, not 37 / 8. The detail column
gives that bound ("ideal"): the speedup of a perfect scheduler of whole windows, with no CPU
time. A first row gives the fake's bare round trip (``GET /me``, no latency injected), the
floor under every request of this section.
"""

from __future__ import annotations

import math
import statistics
import time
from datetime import datetime, timedelta

import anyio
import httpx

from pylon_client import AsyncPylon, split_windows
from pylon_client.testing import DEMO_START, FakePylon, add_issues

from ._fake_server import YEAR, fake_server
from ._table import Row, fmt_ms, verdict

__all__ = ["run"]

ISSUES = 1_800
LATENCY = 0.02
WINDOW = timedelta(days=30)
WINDOWS = math.ceil(YEAR / WINDOW)
# About 148 issues in a full window: 50 a page makes three pages of it, 200 a page one.
PAGE_SIZES = {"3 pages/window": 50, "1 page/window": 200}
CONCURRENCY = (1, 4, 8)
ORDERS = ("newest", "any")
REPEATS = 3
TOKEN = "test-token"  # noqa: S105 (the fake's well-known token)


async def export(url: str, *, concurrency: int, order: str, limit: int) -> float:
    """Export the year once; return the seconds it took."""
    async with AsyncPylon(TOKEN, base_url=url, rate_limit=False) as pylon:
        started = time.perf_counter()
        n = 0
        async for _issue in pylon.issues.list(
            start_time=DEMO_START,
            end_time=DEMO_START + YEAR,
            window=WINDOW,
            concurrency=concurrency,
            order="newest" if order == "newest" else "any",
            limit=limit,
        ):
            n += 1
        elapsed = time.perf_counter() - started
    assert n == ISSUES, n
    return elapsed


def pages_per_window(limit: int) -> list[int]:
    """Return how many pages each window of the export takes at ``limit`` issues a page."""
    issues = add_issues(FakePylon(seed=1), ISSUES, DEMO_START, DEMO_START + YEAR)
    windows = split_windows(DEMO_START, DEMO_START + YEAR, WINDOW)
    counts = [0] * len(windows)
    for issue in issues:
        created = issue["created_at"]
        stamp = created if isinstance(created, datetime) else datetime.fromisoformat(created)
        counts[next(i for i, w in enumerate(windows) if w.start <= stamp < w.end)] += 1
    return [max(1, math.ceil(n / limit)) for n in counts]


def ideal_speedup(pages: list[int], concurrency: int) -> float:
    """Return the speedup of whole windows spread greedily over ``concurrency`` lanes."""
    lanes = [0] * concurrency
    for n in sorted(pages, reverse=True):
        lanes[lanes.index(min(lanes))] += n
    return sum(pages) / max(lanes)


async def round_trip(url: str) -> float:
    """Return the median time of ``GET /me`` on the fake (no latency is injected there)."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(base_url=url, headers=headers) as http:
        times = []
        for _ in range(21):
            started = time.perf_counter()
            (await http.get("/me")).raise_for_status()
            times.append(time.perf_counter() - started)
    return statistics.median(times[1:])


async def _run(url: str) -> list[Row]:
    trip = await round_trip(url)
    rows = [
        Row(
            "3 export",
            "fake's bare round trip (GET /me, no latency injected)",
            fmt_ms(trip),
            detail="a few ms expected on loopback; every request below pays it on top of "
            f"{LATENCY * 1000:.0f} ms",
        )
    ]
    for order in ORDERS:
        for pages, limit in PAGE_SIZES.items():
            per_window = pages_per_window(limit)
            times: dict[int, list[float]] = {c: [] for c in CONCURRENCY}
            for _ in range(REPEATS):
                for c in CONCURRENCY:
                    times[c].append(await export(url, concurrency=c, order=order, limit=limit))
            base = statistics.median(times[1])
            for c in CONCURRENCY:
                median = statistics.median(times[c])
                case = f'order="{order}", {pages}, concurrency {c}'
                if c == 1:
                    rows.append(
                        Row(
                            "3 export",
                            case,
                            "1.00x",
                            detail=f"{fmt_ms(median)} (baseline, {sum(per_window)} requests)",
                        )
                    )
                    continue
                speedup = base / median
                target = 0.8 * min(c, WINDOWS)
                rows.append(
                    Row(
                        "3 export",
                        case,
                        f"{speedup:.2f}x",
                        f">= {target:.2f}x",
                        verdict(speedup >= target),
                        f"ideal {ideal_speedup(per_window, c):.2f}x ({sum(per_window)} "
                        f"requests); {fmt_ms(median)}, runs {fmt_ms(min(times[c]))}"
                        f"-{fmt_ms(max(times[c]))}",
                    )
                )
    return rows


def run() -> list[Row]:
    """Run section 3 and return its rows."""
    with fake_server(ISSUES, LATENCY) as url:
        return anyio.run(_run, url)
