"""Section 6: ``pylon.issues.changes()`` over 10,000 updated issues, against a rate-limited search.

The fake Pylon runs in a child process (``python -m benchmarks.changes --serve``), so its CPU
time does not take the client's GIL. It holds 10,000 issues whose ``updated_at`` are spread
over 30 days and enforces Pylon's limits scaled by 10: ``POST /issues/search`` allows 120 per
6 s, 20 a second. The client paces with the same table and scale and reads the range with its
defaults (30-day windows halved until each fits a page, 4 at once), pages of 50, so the run
takes some 450 searches: four windows of the limit.

The figure is the request rate over the whole windows after the first: the searches completed
in ``[W, k * W)``, where ``W`` is the limit's window (6 s) and ``k * W`` the last whole window
before the run ended, over ``(k - 1) * W``. A client at the limit completes exactly ``N`` in
each such span (the first window holds the allowance, which the limit lets through at once,
and the last is partial). The 429 share is over all searches the client saw. The detail says
whether every issue came exactly once.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from contextlib import AbstractContextManager
from datetime import timedelta

import anyio
import httpx

from pylon_client import AsyncPylon

from ._fake_server import child_server
from ._table import Row, verdict

__all__ = ["run"]

ISSUES = 10_000
SCALE = 10.0
LIMIT = 120  # POST /issues/search, a minute
RATE = LIMIT * SCALE / 60.0
WINDOW = 60.0 / SCALE
PAGE = 50
SPAN = timedelta(days=30)
TOKEN = "test-token"  # noqa: S105 (the fake's well-known token)


def _fake() -> AbstractContextManager[str]:
    return child_server("benchmarks.changes", "--serve")


async def _sync(url: str) -> tuple[list[float], list[int], Counter[str], float]:
    from pylon_client.testing import DEMO_START

    done: list[float] = []
    statuses: list[int] = []
    started = time.perf_counter()

    async def record(response: httpx.Response) -> None:
        if response.request.url.path == "/issues/search":
            done.append(time.perf_counter() - started)
            statuses.append(response.status_code)

    http = httpx.AsyncClient(event_hooks={"response": [record]}, timeout=30)
    async with http, AsyncPylon(TOKEN, base_url=url, http_client=http, rate_limit_scale=SCALE) as p:
        feed = p.issues.changes(since=DEMO_START, until=DEMO_START + SPAN + SPAN, limit=PAGE)
        ids = Counter([issue.id async for issue in feed])
    return done, statuses, ids, time.perf_counter() - started


def run() -> list[Row]:
    """Run section 6 and return its row."""
    with _fake() as url:
        done, statuses, ids, seconds = anyio.run(_sync, url)
    whole = int(done[-1] // WINDOW)
    if whole < 2:
        return [Row("6 changes", "issues.changes", "-", "", "too short", f"{len(done)} searches")]
    steady = sum(1 for t in done if WINDOW <= t < whole * WINDOW) / ((whole - 1) * WINDOW)
    limited = sum(1 for s in statuses if s == 429)
    share = limited / len(statuses)
    exact = len(ids) == ISSUES and max(ids.values()) == 1
    ok = steady >= 0.9 * RATE and share <= 0.01 and exact
    return [
        Row(
            "6 changes",
            f"issues.changes over {ISSUES:,} updated issues, search at {RATE:.0f}/s",
            f"{steady:.1f}/s",
            f">= {0.9 * RATE:.0f}/s, 429s <= 1%",
            verdict(ok),
            f"{steady / RATE:.0%} of the limit over {whole - 1} whole windows; "
            f"{len(statuses)} searches, 429s {limited} "
            f"({share:.1%}); {len(ids):,} issues, each once: {exact}; {seconds:.1f} s in all",
        )
    ]


def _serve() -> None:
    """Serve the fake (10,000 issues updated over 30 days, limits scaled) until stdin closes."""
    from pylon_client.testing import DEMO_START, FakePylon, add_issues, serve_in_thread
    from pylon_client.testing._validate import format_time

    fake = FakePylon(seed=1, rate_limits=True, rate_limit_scale=SCALE)
    issues = add_issues(fake, ISSUES, DEMO_START - SPAN, DEMO_START, seed=1)
    step = SPAN / ISSUES
    for n, issue in enumerate(issues):
        issue["updated_at"] = format_time(DEMO_START + step * n)
    with serve_in_thread(fake) as url:
        print(url, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", action="store_true")
    if parser.parse_args().serve:
        _serve()
