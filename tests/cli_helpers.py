"""What the tests of the ``pylon`` command line share: the canary token, a runner, a wrapper.

``run`` calls the CLI in process and checks the canary token is in none of its output;
``serving`` runs the fake's serve command in a subprocess until its banner, and ``read_line``
reads such a process's next line with a timeout; ``no_pylon_env`` is the machine's environment
without its ``PYLON_*`` variables; ``FailSome`` wraps the fake to answer 500 to chosen requests;
``issue_fake`` builds the fake of the issue-export tests. The fixtures that serve the fake and
point the CLI at it (``serve``) and pick the backend (``backend``) are in ``conftest.py``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import pytest

from pylon_client.cli.main import main
from pylon_client.testing import DEMO_START, FakePylon, add_issues

__all__ = [
    "CANARY",
    "EXPORT",
    "SINCE",
    "UNTIL",
    "FailSome",
    "Serve",
    "issue_fake",
    "jsonl_ids",
    "no_pylon_env",
    "read_line",
    "run",
    "serving",
]

Serve = Callable[[Any], None]
"""The ``serve`` fixture: serve an ASGI app on loopback and point the CLI at it."""

CANARY = "canary-tok-5f1e9a7c"  # must never be printed, whatever happens
SINCE = DEMO_START
UNTIL = datetime(2026, 7, 1, tzinfo=UTC)
EXPORT = ("issues", "export", "--since", "2026-01-01", "--until", "2026-07-01", "--limit", "10")
"""An issue export of ``issue_fake``'s range, 10 to a page."""


class FailSome:
    """Wraps the fake: answers 500 in Pylon's envelope to the matching requests ``fail`` picks."""

    def __init__(self, app: Any, method: str, path: str, fail: Callable[[int], bool]) -> None:
        self.app, self.method, self.path, self.fail = app, method, path, fail
        self.seen = 0
        self.failed_bodies: list[Any] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and (scope["method"], scope["path"]) == (self.method, self.path):
            self.seen += 1
            if self.fail(self.seen):
                body = b""
                while True:
                    message = await receive()
                    body += message.get("body", b"")
                    if not message.get("more_body"):
                        break
                self.failed_bodies.append(json.loads(body) if body else None)
                payload = json.dumps(
                    {
                        "errors": ["injected failure"],
                        "code": "internal_error",
                        "request_id": f"req_injected_{self.seen}",
                    }
                ).encode()
                headers = [(b"content-type", b"application/json")]
                headers.append((b"content-length", str(len(payload)).encode()))
                await send({"type": "http.response.start", "status": 500, "headers": headers})
                await send({"type": "http.response.body", "body": payload})
                return
        await self.app(scope, receive, send)


def run(
    capsys: pytest.CaptureFixture[str], *argv: str, backend: str = "asyncio"
) -> tuple[int, str, str]:
    """Run ``pylon argv``; return status, stdout, stderr, having checked the token is not shown."""
    status = main(list(argv), backend=backend)
    out, err = capsys.readouterr()
    assert CANARY not in out
    assert CANARY not in err
    return status, out, err


def issue_fake() -> tuple[FakePylon, set[str]]:
    """A fake with 120 issues in range (some on 30-day boundaries) and some just outside."""
    fake = FakePylon(token=CANARY, seed=7)
    add_issues(fake, 120, SINCE, UNTIL, seed=1)
    add_issues(fake, 5, SINCE - timedelta(days=20), SINCE, seed=2, boundary_every=None)
    add_issues(fake, 5, UNTIL, UNTIL + timedelta(days=20), seed=3)  # one exactly on UNTIL
    inside = {
        i["id"]
        for i in fake.issues.values()
        if SINCE <= datetime.fromisoformat(i["created_at"]) < UNTIL
    }
    assert len(inside) == 120
    return fake, inside


def jsonl_ids(path: Path) -> list[str]:
    """The ids of a JSONL export, in file order."""
    return [json.loads(line)["id"] for line in path.read_text().splitlines()]


def no_pylon_env() -> dict[str, str]:
    """The machine's environment without its ``PYLON_*`` variables, for a subprocess."""
    return {key: value for key, value in os.environ.items() if not key.startswith("PYLON_")}


def read_line(stream: IO[str], timeout: float = 60.0) -> str:
    """The next line of ``stream``, or a failure after ``timeout`` seconds."""
    box: list[str] = []
    reader = threading.Thread(target=lambda: box.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    assert box, "no line within the timeout"
    return box[0]


@contextmanager
def serving(
    argv: Sequence[str | Path], cwd: Path | None = None, env: dict[str, str] | None = None
) -> Iterator[tuple[str, IO[str]]]:
    """Run the fake's serve command ``argv``; yield its URL, read from the banner, and stdout.

    The banner must come within :func:`read_line`'s timeout; the process is terminated on exit.
    """
    proc = subprocess.Popen(  # noqa: S603 (interpreters the tests chose, fixed arguments)
        [str(arg) for arg in argv],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        banner = read_line(proc.stdout)
        found = re.fullmatch(r"fake Pylon serving on (http://127\.0\.0\.1:\d+) \(.*\)\n", banner)
        assert found, banner
        yield found.group(1), proc.stdout
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()
