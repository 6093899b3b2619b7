"""Run the benchmarks and print one table: ``python -m benchmarks.run [--only SECTION]``.

Sections, in order: ``calls`` (per-call cost against raw httpx), ``coldstart`` (fresh process
to first request), ``export`` (windowed issue export at concurrency 1, 4, 8), ``memory``
(streaming 100,000 issues), ``ratelimit`` (pacing against a scaled limit), ``changes`` (a
change feed against a rate-limited search), ``shared`` (four processes, one budget, through
Redis), ``upload`` (memory and throughput of a 200 MB streamed upload), ``sync`` (the sync
client's per-call cost against the async client's), ``connections`` (connections opened
at 200 calls in flight). Each prints a line
on stderr when it starts; the table comes at the end, on stdout.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable

import httpx

import pylon_client

from . import (
    calls,
    changes,
    coldstart,
    connections,
    export,
    memory,
    ratelimit,
    shared,
    sync,
    upload,
)
from ._table import Row, print_table

__all__ = ["SECTIONS", "main"]

SECTIONS: dict[str, Callable[[], list[Row]]] = {
    "calls": calls.run,
    "coldstart": coldstart.run,
    "export": export.run,
    "memory": memory.run,
    "ratelimit": ratelimit.run,
    "changes": changes.run,
    "shared": shared.run,
    "upload": upload.run,
    "sync": sync.run,
    "connections": connections.run,
}


def main(argv: list[str] | None = None) -> int:
    """Run the chosen sections; print the table; return 0 (figures only, never a failure)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", choices=sorted(SECTIONS), action="append", help="run only this section"
    )
    args = parser.parse_args(argv)
    chosen = args.only or list(SECTIONS)
    rows: list[Row] = []
    started = time.perf_counter()
    for name in chosen:
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        section_started = time.perf_counter()
        rows += SECTIONS[name]()
        print(
            f"[bench] {name} done in {time.perf_counter() - section_started:.1f} s",
            file=sys.stderr,
            flush=True,
        )
    print(
        f"pylon-client {pylon_client.__version__}, httpx {httpx.__version__}, "
        f"Python {platform.python_version()} on {platform.machine()}; "
        f"{time.perf_counter() - started:.0f} s in all"
    )
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
