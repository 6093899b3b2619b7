"""Section 4: memory while streaming 100,000 issues through ``pylon.issues.list``.

A child process (so that nothing else this run allocated is counted) streams a year of
issues through ``pylon.issues.list`` (30-day windows, concurrency 4, pages of 100) over an
``httpx.MockTransport`` that makes each page when it is asked for: the issues exist only as
arithmetic, so the server side holds nothing. The loop counts the issues and keeps none.

The figure is the peak RSS during the stream minus the RSS just before it: the peak is reset
first (``/proc/self/clear_refs``), then read from ``VmHWM`` in ``/proc/self/status``. Where the
reset is not allowed, ``ru_maxrss`` is used and the figure may overstate.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx

from ._table import Row, verdict

__all__ = ["run"]

ISSUES = 100_000
PAGE = 100
CONCURRENCY = 4
TARGET_MB = 30.0
START = datetime(2026, 1, 1, tzinfo=UTC)
YEAR = timedelta(days=365)
STEP = YEAR / ISSUES  # issue i is created at START + i * STEP


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _issue(i: int) -> dict[str, Any]:
    created = _stamp(START + i * STEP)
    return {
        "id": f"iss_{i:07d}",
        "number": i,
        "title": f"Cannot export the monthly report ({i})",
        "body_html": "<p>The export button spins forever since this morning.</p>",
        "state": "waiting_on_you",
        # The fields Pylon always sends on an issue (its SDK requires them).
        "type": "conversation",
        "source": "email",
        "link": f"https://app.usepylon.com/issues?issueNumber={i}",
        "number_of_touches": 3,
        "is_issue_group": False,
        "customer_portal_visible": False,
        "created_at": created,
        "updated_at": created,
        "tags": ["billing", "export"],
        "attachment_urls": [],
        "external_issues": [],
        "custom_fields": {"severity": {"slug": "severity", "value": "high"}},
        "account": {"id": f"acc_{i % 500:04d}", "name": "Acme Corporation"},
        "requester": {"id": f"con_{i % 3000:05d}", "email": "pat@acme.example"},
        "assignee": {"id": "usr_0001", "email": "dana@pylon.example"},
        "team": {"id": "team_01", "name": "Support"},
    }


def _index_at(moment: datetime) -> int:
    """Return the first issue index created at or after ``moment``."""
    return max(0, min(ISSUES, math.ceil((moment - START) / STEP)))


def pages(request: httpx.Request) -> httpx.Response:
    """Answer ``GET /issues`` for one window, newest first, ``limit`` at a time."""
    query = {k: v[0] for k, v in parse_qs(request.url.query.decode()).items()}
    start = datetime.fromisoformat(query["start_time"])
    end = datetime.fromisoformat(query["end_time"])
    limit = int(query.get("limit", PAGE))
    offset = int(query.get("cursor", "0"))
    first, last = _index_at(start), _index_at(end)  # issues first .. last-1, newest first
    top = last - offset
    bottom = max(first, top - limit)
    more = bottom > first
    body = {
        "data": [_issue(i) for i in range(top - 1, bottom - 1, -1)],
        "pagination": {"cursor": str(offset + limit) if more else "", "has_next_page": more},
        "request_id": "req_mem",
    }
    return httpx.Response(200, content=json.dumps(body).encode())


def _rss_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
    except OSError:
        return False
    return True


async def _stream() -> int:
    from pylon_client import AsyncPylon

    transport = httpx.MockTransport(pages)
    async with AsyncPylon("bench-token", transport=transport, rate_limit=False) as pylon:
        n = 0
        async for _issue in pylon.issues.list(
            start_time=START, end_time=START + YEAR, concurrency=CONCURRENCY, limit=PAGE
        ):
            n += 1
    return n


def child() -> None:
    """Stream the issues in this process; print the RSS figures as JSON."""
    import gc
    import resource

    import anyio

    import pylon_client  # noqa: F401 (imported before the baseline is read)

    gc.collect()
    before = _rss_kb("VmRSS")
    reset = _reset_peak()
    n = anyio.run(_stream)
    peak = _rss_kb("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"items": n, "before_kb": before, "peak_kb": peak, "reset": reset}))


def run() -> list[Row]:
    """Run section 4 in a child process and return its row."""
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory"],
        check=True,
        capture_output=True,
        text=True,
    )
    figures = json.loads(result.stdout)
    assert figures["items"] == ISSUES, figures
    growth = (figures["peak_kb"] - figures["before_kb"]) / 1024
    return [
        Row(
            "4 memory",
            f"stream {ISSUES:,} issues (pages of {PAGE}, concurrency {CONCURRENCY}): "
            "peak RSS growth",
            f"{growth:.1f} MB",
            f"<= {TARGET_MB:.0f} MB",
            verdict(growth <= TARGET_MB),
            f"RSS {figures['before_kb'] / 1024:.1f} MB before, peak "
            f"{figures['peak_kb'] / 1024:.1f} MB"
            + ("" if figures["reset"] else " (peak not reset: ru_maxrss)"),
        )
    ]


if __name__ == "__main__":
    child()
