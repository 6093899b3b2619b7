"""Section 2: cold start, from a fresh interpreter to the first completed request.

Each run is a new ``python -c ...`` process that imports the client, opens it, reads one
100-task page of ``GET /tasks`` from a loopback server and exits; the same is done with raw
httpx (import, ``AsyncClient``, one GET, ``.json()``). Two figures, the two kinds of run
interleaved, each the ratio of the medians:

in-process
    measured inside the child, from just before its first import to the last item of the
    first page (``time.perf_counter``; printed by the child). The interpreter's start-up and
    shutdown are left out, so this is the client's own cost: imports, set-up, one request,
    parsing. The target is on this row.
whole process
    the wall time of the whole process, measured from the parent. It includes the
    interpreter's own start-up (shown as ``python -c pass``), so the ratio understates the
    client's share; the difference of the medians is the cost that matters to a short script
    or a serverless function.

The client runs with ``accelerate=False``: what a plain install does, and the target's row.
With msgspec installed, a further in-process row shows the client decoding with it, which
pays msgspec's import and imports the generated Structs of the page's resource.

The server is started once for all runs: uvicorn in a thread (``serve_in_thread``) serving a
minimal ASGI app that answers every request with the canned page of section 1.

After the ratios, the ten largest cumulative imports of what the first call loads
(``python -X importtime`` of ``AsyncPylon`` and ``pylon.tasks``) are listed, to show what to
load lazily.
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import subprocess
import sys
import time

from starlette.types import Receive, Scope, Send

from pylon_client.testing import serve_in_thread

from ._bodies import PAGE_BODY
from ._table import Row, fmt_ms, fmt_ratio, verdict

__all__ = ["run"]

RUNS = 15
# What the first call imports (``import pylon_client`` alone loads nothing but its version).
# From ``_client.async_client`` by an import statement: what a module ``__getattr__``
# imports through importlib is missing from ``-X importtime``'s tree.
_FIRST_CALL_IMPORTS = (
    "from pylon_client._client.async_client import AsyncPylon; AsyncPylon('t').tasks"
)
TARGET = 1.20  # whole process
TARGET_IN_PROCESS = 1.10  # plain, and the default client with msgspec installed
TOP_IMPORTS = 10
_FAST = "AsyncPylon with msgspec"  # the default: loaded once 2 MiB are read
_EAGER = "AsyncPylon accelerate=True"  # msgspec loaded at once

# Each child starts its clock before its first import and prints the seconds to the first page.
_PYLON = """
import time
started = time.perf_counter()
import asyncio
from pylon_client import AsyncPylon

async def main():
    async with AsyncPylon("bench-token", base_url={url!r}, accelerate={accelerate}) as pylon:
        n = 0
        async for _task in pylon.tasks.list(limit=100):
            n += 1
    assert n == 100, n
    print(time.perf_counter() - started)

asyncio.run(main())
"""

_RAW = """
import time
started = time.perf_counter()
import asyncio
import httpx

async def main():
    headers = {{"Authorization": "Bearer bench-token"}}
    async with httpx.AsyncClient(base_url={url!r}, headers=headers) as http:
        response = await http.get("/tasks", params={{"limit": 100}})
        response.raise_for_status()
        n = 0
        for _task in response.json()["data"]:
            n += 1
    assert n == 100, n
    print(time.perf_counter() - started)

asyncio.run(main())
"""


async def canned_page(scope: Scope, receive: Receive, send: Send) -> None:
    """Answer every HTTP request with the canned 100-task page."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(PAGE_BODY)).encode()),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": PAGE_BODY})


def _child_env() -> dict[str, str]:
    """Return the children's environment: ours, with bytecode caches on.

    ``PYTHONDONTWRITEBYTECODE`` (set in some shells and CI images) would make every child
    compile every module from source, and the section would time the compiler.
    """
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _time(code: str) -> tuple[float, float]:
    """Return a fresh process's wall time and the in-process time it printed (0.0 if none)."""
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 (our own code)
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, env=_child_env()
    )
    wall = time.perf_counter() - started
    return wall, float(done.stdout.strip() or 0.0)


def top_imports(code: str, n: int) -> list[tuple[str, int, int]]:
    """Return the ``n`` largest imports of ``code`` as (name, cumulative us, self us)."""
    result = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-X", "importtime", "-c", code],
        check=True,
        capture_output=True,
        text=True,
        env=_child_env(),
    )
    rows: list[tuple[str, int, int]] = []
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        own, cumulative, name = (part.strip() for part in line[12:].split("|"))
        if own.isdigit():
            rows.append((name, int(cumulative), int(own)))
    rows.sort(key=lambda row: row[1], reverse=True)
    return rows[:n]


def run() -> list[Row]:
    """Run section 2 and return its rows."""
    with serve_in_thread(canned_page) as url:
        codes = {
            "AsyncPylon": _PYLON.format(url=url, accelerate=False),
            "raw httpx": _RAW.format(url=url),
            "python -c pass": "pass",
        }
        if importlib.util.find_spec("msgspec") is not None:
            codes[_FAST] = _PYLON.format(url=url, accelerate=None)
            codes[_EAGER] = _PYLON.format(url=url, accelerate=True)
        for code in codes.values():  # warm the bytecode caches and the page cache
            _time(code)
        times: dict[str, list[float]] = {name: [] for name in codes}
        inside: dict[str, list[float]] = {name: [] for name in codes}
        for _ in range(RUNS):
            for name, code in codes.items():
                wall, own = _time(code)
                times[name].append(wall)
                inside[name].append(own)
    pylon, raw, bare = (
        statistics.median(times[k]) for k in ("AsyncPylon", "raw httpx", "python -c pass")
    )
    pylon_in, raw_in = (statistics.median(inside[k]) for k in ("AsyncPylon", "raw httpx"))
    ratio = pylon / raw
    ratio_in = pylon_in / raw_in
    rows = [
        Row(
            "2 cold start",
            "first import to first page, in-process: AsyncPylon",
            fmt_ratio(ratio_in),
            f"<= {fmt_ratio(TARGET_IN_PROCESS)}",
            verdict(ratio_in <= TARGET_IN_PROCESS),
            f"{fmt_ms(pylon_in)} vs raw httpx {fmt_ms(raw_in)} (+{fmt_ms(pylon_in - raw_in)}); "
            f"median of {RUNS}, AsyncPylon runs {fmt_ms(min(inside['AsyncPylon']))}"
            f"-{fmt_ms(max(inside['AsyncPylon']))}",
        ),
        Row(
            "2 cold start",
            "import + client + one tasks.list page, whole process: AsyncPylon",
            fmt_ratio(ratio),
            f"<= {fmt_ratio(TARGET)}",
            verdict(ratio <= TARGET),
            f"{fmt_ms(pylon)} vs raw httpx {fmt_ms(raw)} (+{fmt_ms(pylon - raw)}); "
            f"python -c pass {fmt_ms(bare)}; median of {RUNS}, "
            f"AsyncPylon runs {fmt_ms(min(times['AsyncPylon']))}"
            f"-{fmt_ms(max(times['AsyncPylon']))}",
        ),
    ]
    if _FAST in inside:
        fast_in = statistics.median(inside[_FAST])
        eager_in = statistics.median(inside[_EAGER])
        rows[1:1] = [
            Row(
                "2 cold start",
                f"first import to first page, in-process: {_FAST}",
                fmt_ratio(fast_in / raw_in),
                f"<= {fmt_ratio(TARGET_IN_PROCESS)}",
                verdict(fast_in / raw_in <= TARGET_IN_PROCESS),
                f"{fmt_ms(fast_in)} vs raw httpx {fmt_ms(raw_in)} "
                f"(+{fmt_ms(fast_in - raw_in)}): msgspec not loaded for one page",
            ),
            Row(
                "2 cold start",
                f"first import to first page, in-process: {_EAGER}",
                fmt_ratio(eager_in / raw_in),
                detail=f"{fmt_ms(eager_in)} vs raw httpx {fmt_ms(raw_in)} "
                f"(+{fmt_ms(eager_in - raw_in)}): msgspec's import, and the Structs built once",
            ),
        ]
    for name, cumulative, own in top_imports(_FIRST_CALL_IMPORTS, TOP_IMPORTS):
        rows.append(
            Row(
                "2 importtime",
                name,
                f"{cumulative / 1000:.1f} ms",
                detail=f"cumulative; self {own / 1000:.1f} ms",
            )
        )
    return rows
