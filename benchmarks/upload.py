"""Section 8: memory and throughput of a 200 MB upload through ``pylon.attachments.create``.

A 200 MB file is written (1 MiB at a time) to a temporary directory and uploaded by path to a
minimal ASGI app on loopback, served by uvicorn in a child process (``python -m
benchmarks.upload --serve``) so that its CPU time does not take the client's GIL. The app
reads the body, counts and discards it, and answers with an attachment whose ``name`` is the
byte count, so the run can check that the whole body arrived.

The client runs in a child process of its own (``--client``), so that nothing else this run
allocated is counted. It first uploads 1 MB (imports, the connection and the worker thread
are then in place), then resets the peak RSS (``/proc/self/clear_refs``), uploads the 200 MB
file and reads the peak from ``VmHWM``. The figure is that peak minus the RSS just before the
upload; where the reset is not allowed, ``ru_maxrss`` is used and the figure may overstate.
The detail gives the throughput (MB/s, 1 MB = 10^6 bytes) and the wall time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from contextlib import AbstractContextManager
from pathlib import Path

from starlette.types import Receive, Scope, Send

from ._fake_server import child_server
from ._table import Row, verdict

__all__ = ["run"]

SIZE = 200 * 1000 * 1000
WARM_UP = 1000 * 1000
TARGET_MB = 20.0
TOKEN = "bench-token"  # noqa: S105 (a loopback server that checks nothing)
_BLOCK = bytes(range(256)) * 4096  # 1 MiB


async def discard(scope: Scope, receive: Receive, send: Send) -> None:
    """Read every request's body, keep only its length, and answer with an attachment."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    received = 0
    more = True
    while more:
        message = await receive()
        received += len(message.get("body", b""))
        more = message.get("more_body", False)
    data = {"id": "att_1", "url": "https://files.example/att_1", "name": str(received)}
    body = json.dumps({"data": data, "request_id": "r"}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _write(path: Path, size: int) -> None:
    with path.open("wb") as file:
        left = size
        while left:
            block = _BLOCK[: min(left, len(_BLOCK))]
            file.write(block)
            left -= len(block)


def _server() -> AbstractContextManager[str]:
    return child_server("benchmarks.upload", "--serve")


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


async def _upload(url: str, small: Path, big: Path) -> dict[str, object]:
    import gc
    import resource

    from pylon_client import AsyncPylon

    async with AsyncPylon(TOKEN, base_url=url, allow_insecure=True, timeout=120.0) as pylon:
        warm = await pylon.attachments.create(file=small)
        assert int(str(warm.name)) > WARM_UP, warm.name  # the whole body arrived
        gc.collect()
        before = _rss_kb("VmRSS")
        reset = _reset_peak()
        started = time.perf_counter()
        attachment = await pylon.attachments.create(file=big)
        seconds = time.perf_counter() - started
        peak = _rss_kb("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "received": int(attachment.name) if isinstance(attachment.name, str) else -1,
        "before_kb": before,
        "peak_kb": peak,
        "reset": reset,
        "seconds": seconds,
    }


def client(url: str, small: str, big: str) -> None:
    """Upload ``small`` then ``big`` to ``url`` in this process; print the figures as JSON."""
    import anyio

    print(json.dumps(anyio.run(_upload, url, Path(small), Path(big))))


def run() -> list[Row]:
    """Run section 8 and return its row."""
    with tempfile.TemporaryDirectory(prefix="pylon-upload-") as tmp:
        small, big = Path(tmp, "warm.bin"), Path(tmp, "big.bin")
        _write(small, WARM_UP)
        _write(big, SIZE)
        with _server() as url:
            result = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
                [sys.executable, "-m", "benchmarks.upload", "--client", url, str(small), str(big)],
                check=True,
                capture_output=True,
                text=True,
            )
    figures = json.loads(result.stdout)
    growth = (figures["peak_kb"] - figures["before_kb"]) / 1024
    seconds = figures["seconds"]
    complete = SIZE < figures["received"] < SIZE + 1000  # the file and a few part headers
    return [
        Row(
            "8 upload",
            f"attachments.create(file=path), {SIZE / 1e6:.0f} MB over loopback: peak RSS growth",
            f"{growth:.1f} MB",
            f"<= {TARGET_MB:.0f} MB",
            verdict(growth <= TARGET_MB and complete),
            f"{SIZE / 1e6 / seconds:,.0f} MB/s, {seconds:.2f} s; RSS "
            f"{figures['before_kb'] / 1024:.1f} MB before, peak {figures['peak_kb'] / 1024:.1f} MB"
            + ("" if figures["reset"] else " (peak not reset: ru_maxrss)")
            + f"; body {figures['received']:,} bytes received",
        )
    ]


def _serve() -> None:
    """Serve :func:`discard` on a loopback port; print its URL; stop when stdin closes."""
    from pylon_client.testing import serve_in_thread

    with serve_in_thread(discard) as url:
        print(url, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", action="store_true")
    parser.add_argument("--client", nargs=3, metavar=("URL", "SMALL", "BIG"))
    args = parser.parse_args()
    if args.serve:
        _serve()
    elif args.client:
        client(*args.client)
