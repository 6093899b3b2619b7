"""Serve the fake Pylon in its own process, for benchmarks whose client must not share a GIL.

``python -m benchmarks._fake_server --issues N --latency S`` fills a :class:`FakePylon` with
``N`` issues spread over the 365 days from ``DEMO_START``, serves it on loopback with
``serve_in_thread``, prints its base URL on one line, and serves until its standard input is
closed. The latency is injected on ``/issues`` only, so ``GET /me`` shows the bare round trip.
:func:`fake_server` does all that from the parent side.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

__all__ = ["YEAR", "child_server", "fake_server"]

YEAR = timedelta(days=365)


@contextmanager
def child_server(module: str, *args: str) -> Iterator[str]:
    """Run a server module in a child process; yield its URL; stop it on exit.

    The module (``python -m module args``) prints its base URL on one line and serves until its
    standard input closes.
    """
    child = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", module, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        url = child.stdout.readline().strip()
        if not url.startswith("http"):
            raise RuntimeError(f"the {module} server did not start (printed {url!r})")
        yield url
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)


@contextmanager
def fake_server(issues: int, latency: float) -> Iterator[str]:
    """Start the fake in a child process; yield its base URL; stop it on exit."""
    with child_server(
        "benchmarks._fake_server", "--issues", str(issues), "--latency", str(latency)
    ) as url:
        yield url


def main() -> None:
    """Serve until standard input closes."""
    from pylon_client.testing import DEMO_START, FakePylon, Faults, add_issues, serve_in_thread

    parser = argparse.ArgumentParser()
    parser.add_argument("--issues", type=int, required=True)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    fake = FakePylon(seed=1, faults=Faults(latency=args.latency, path_prefix="/issues"))
    add_issues(fake, args.issues, DEMO_START, DEMO_START + YEAR)
    with serve_in_thread(fake) as url:
        print(url, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
