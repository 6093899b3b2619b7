"""``pylon issues sync``: append every issue changed since the last run to a JSONL file.

::

    pylon issues sync --state sync.json -o changes.jsonl --since 2026-01-01   # the first run
    pylon issues sync --state sync.json -o changes.jsonl                      # every run after

Each run reads ``pylon.issues.changes()`` from the watermark in ``--state`` (the first run from
``--since``) up to now, and appends one JSON line per changed version: the same issue appears
again each time it changes, newest last, which is what a mirror replays.

Exactly once, across crashes
    The state file holds the feed's checkpoint and the output's size in bytes at that moment,
    taken after a flush and an ``fsync``, written atomically. A run first truncates the output
    to the recorded size (dropping lines written after the last save), then appends. A run
    that stops half-way (Ctrl-C, a network failure) saves its place; the next run finishes the
    same range before starting a new one. With ``-o -`` (stdout) there is nothing to truncate:
    the state is saved only when the run completes, so a failed run is repeated whole.

A later run takes its start from the state file: ``--since`` counts on the first run only, and
a warning says so when it is given again (delete the state file to start over from ``--since``;
the output is then written afresh).

Progress
    On stderr, as for the export: the one-line bar (share of the range, windows read, issues,
    rate) on a terminal or with ``--progress``, otherwise a plain line every few seconds
    (``pylon: appended 1,200 changed issues (40%)``), and a final line with the count in
    every case.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING

from .common import (
    CliError,
    atomic_write_text,
    duration,
    make_client,
    plural,
    run_async,
    when,
)
from .parser import CliParser, Commands, at_least
from .progress import ProgressLine

if TYPE_CHECKING:
    from .._client.async_client import AsyncPylon
    from .._export.changes import ChangeCheckpoint, ChangeFeed

__all__ = ["add_sync_parser", "sync_issues"]

_STATE_VERSION = 1
_SAVE_EVERY = 500


def add_sync_parser(
    commands: Commands,
    common: CliParser,
) -> None:
    """Add ``pylon issues sync`` to the ``issues`` group."""
    p = commands.add_parser(
        "sync",
        parents=[common],
        help="append the issues changed since the last run to a JSONL file",
        description="Append every issue whose updated_at changed since the watermark in "
        "--state (the first run: since --since) to -o FILE, one JSON line per version, and "
        "move the watermark. Run it again to continue.",
    )
    p.add_argument("--state", required=True, metavar="FILE", help="the watermark file")
    p.add_argument("-o", "--output", default="-", metavar="FILE", help="JSONL (default stdout)")
    p.add_argument(
        "--since", type=when, metavar="WHEN", help="the first run's start (later runs: ignored)"
    )
    p.add_argument("--until", type=when, metavar="WHEN", help="this run's end (default now)")
    p.add_argument(
        "--overlap",
        type=duration,
        metavar="DURATION",
        help="how far a run reaches back before the watermark (default 2m)",
    )
    p.add_argument("--limit", type=at_least(1), default=1000, metavar="N", help="page size (1000)")
    p.add_argument(
        "--concurrency",
        type=at_least(1),
        default=4,
        metavar="N",
        help="windows fetched at once (4)",
    )
    p.add_argument(
        "--progress",
        action="store_true",
        help="draw the progress bar even when stderr is not a terminal (default: plain lines)",
    )
    p.set_defaults(run=sync_issues)


def _read_state(path: Path) -> tuple[int, ChangeCheckpoint] | None:
    """Return the recorded output size and the feed's checkpoint, or None before a first run."""
    if not path.exists():
        return None
    from .._export.changes import ChangeCheckpoint

    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        if state.get("version") != _STATE_VERSION:
            raise ValueError(f"version {state.get('version')!r}")
        return int(state["output_bytes"]), ChangeCheckpoint.from_dict(state["feed"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CliError(f"{path} is not a readable sync state ({exc})") from None


class _Sink:
    """Where changes go: a file kept in step with the state, or stdout."""

    def __init__(self, output: str, state_path: Path) -> None:
        self.path = None if output == "-" else Path(output)
        self.state_path = state_path
        self._file: IO[bytes] | None = None

    def open(self, size: int) -> None:
        if self.path is None:
            return
        actual = self.path.stat().st_size if self.path.exists() else 0
        if actual < size:
            raise CliError(
                f"{self.path} is shorter ({actual} bytes) than {self.state_path} records "
                f"({size}); it was changed by something else"
            )
        self._file = open(self.path, "r+b" if self.path.exists() else "wb")  # noqa: SIM115
        self._file.truncate(size)  # lines written after the last save are written again
        self._file.seek(size)

    def write(self, line: bytes) -> None:
        if self._file is None:
            sys.stdout.buffer.write(line)
        else:
            self._file.write(line)

    def save(self, checkpoint: ChangeCheckpoint, *, final: bool) -> None:
        if self._file is None:
            if not final:
                return
            sys.stdout.flush()
            size = 0
        else:
            self._file.flush()
            os.fsync(self._file.fileno())
            size = self._file.tell()
        state = {"version": _STATE_VERSION, "output_bytes": size, "feed": checkpoint.to_dict()}
        atomic_write_text(self.state_path, json.dumps(state, indent=2) + "\n")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def sync_issues(args: argparse.Namespace) -> int:
    """Run ``pylon issues sync``."""
    state_path = Path(args.state)
    state = _read_state(state_path)
    size, checkpoint = state if state is not None else (0, None)
    if checkpoint is None and args.since is None:
        raise CliError(f"{state_path} does not exist yet: give --since for the first run")
    if args.limit > 1000:
        raise CliError("--limit must be between 1 and 1000")
    client = make_client(args)
    if checkpoint is not None and args.since is not None:
        _warn_since_ignored(state_path, checkpoint)
    sink = _Sink(args.output, state_path)
    sink.open(size)
    progress = ProgressLine(
        sys.stderr,
        bar=args.progress or sys.stderr.isatty(),
        verb="appended",
        noun="changed issue",
    )

    async def job() -> int:
        async with client:
            return await _run(client, args, checkpoint, sink, progress)

    try:
        return run_async(args, job)
    finally:
        sink.close()


def _warn_since_ignored(state_path: Path, checkpoint: ChangeCheckpoint) -> None:
    """Say on stderr that --since does not move a watermark the state file already holds."""
    if checkpoint.complete:
        held = f"a watermark of {checkpoint.until:%Y-%m-%d %H:%M:%S} UTC"
    else:
        held = (
            f"an unfinished run from {checkpoint.since:%Y-%m-%d %H:%M:%S} to "
            f"{checkpoint.until:%Y-%m-%d %H:%M:%S} UTC, which this run finishes"
        )
    print(
        f"pylon: warning: --since is ignored: {state_path} already holds {held}; "
        f"to start over from --since, delete {state_path} (the output is then written afresh)",
        file=sys.stderr,
    )


def _feed(
    pylon: AsyncPylon, args: argparse.Namespace, checkpoint: ChangeCheckpoint | None
) -> ChangeFeed:
    return pylon.issues.changes(
        since=None if checkpoint else args.since,
        until=args.until,
        checkpoint=checkpoint,
        overlap=args.overlap,
        concurrency=args.concurrency,
        limit=args.limit,
    )


async def _run(
    pylon: AsyncPylon,
    args: argparse.Namespace,
    checkpoint: ChangeCheckpoint | None,
    sink: _Sink,
    progress: ProgressLine,
) -> int:
    feed = _feed(pylon, args, checkpoint)
    written = 0
    consistent = True  # every version handed out so far is written
    try:
        async for issue in feed:
            consistent = False
            line = json.dumps(issue.to_dict(), ensure_ascii=False, default=str) + "\n"
            sink.write(line.encode("utf-8"))
            consistent = True
            written += 1
            progress.update(feed.progress, feed.windows, written)
            if written % _SAVE_EVERY == 0:
                sink.save(feed.checkpoint(), final=False)
    except BaseException:
        if consistent:
            sink.save(feed.checkpoint(), final=False)
        progress.finish(
            f"pylon: stopped after {plural(written, 'changed issue')}; the next run continues"
        )
        raise
    sink.save(feed.checkpoint(), final=True)
    target = sink.path if sink.path is not None else "stdout"
    progress.finish(
        f"pylon: appended {plural(written, 'changed issue')} to {target} (changed from "
        f"{feed.since:%Y-%m-%d %H:%M:%S} to {feed.until:%Y-%m-%d %H:%M:%S} UTC; "
        f"{progress.elapsed():.1f} s)"
    )
    return 0
