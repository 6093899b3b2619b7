"""``pylon issues export``: every issue of a time range to JSONL or CSV, resumable.

Resuming without duplicates or gaps
    With ``-o FILE`` the command keeps ``FILE.checkpoint.json`` next to the output. It holds
    ``export.checkpoint().to_dict()`` (exactly which issues have been handed out) and the
    output's size in bytes at that moment, taken after a flush and an ``fsync``, so the bytes
    it counts are on disk before the checkpoint claims them. It is written atomically (a
    temporary file, then ``os.replace``) before the first issue, every ``--checkpoint-every``
    issues or ``_CHECKPOINT_SECONDS`` seconds, and when the command stops for any reason.

    ``--resume`` truncates the output to the recorded size, dropping whatever was written
    after the checkpoint (lines a crash left behind, half a line), appends, and continues with
    ``checkpoint=``. A checkpoint is only ever taken between two issues, when every issue
    handed out is also written; if writing an issue itself fails, the previous checkpoint is
    kept. On success the checkpoint file is removed.

    The checkpoint's cursors count items of pages of one size, so ``--resume`` always reads
    pages of the checkpoint's ``--limit``, saying so when that is not the one given.

Progress
    On stderr. When stderr is a terminal (or with ``--progress``), a one-line bar (share of
    the range done, windows, issues, issues per second), redrawn at most ten times a second;
    otherwise a plain line every few seconds (``pylon: exported 1,200 issues (40%)``; see
    ``cli.progress``). A final line gives the count and where the issues went
    (``pylon: exported 1,234 issues to issues.jsonl ...``) in every case.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .common import (
    CliError,
    atomic_write_text,
    duration,
    make_client,
    plural,
    run_async,
    when,
)
from .conversation import add_conversation_parsers
from .issues_sync import add_sync_parser
from .parser import CliParser, Commands, at_least
from .progress import ProgressLine

if TYPE_CHECKING:
    from .._client.async_client import AsyncPylon
    from .._export.issues import IssueCheckpoint, IssueExport

__all__ = ["CSV_COLUMNS", "add_parsers", "csv_row", "export_issues"]

CSV_COLUMNS = (
    "id",
    "number",
    "title",
    "state",
    "created_at",
    "account_id",
    "assignee_id",
    "team_id",
    "tags",
)
_CHECKPOINT_VERSION = 1
_CHECKPOINT_SECONDS = 10.0  # a slow export (few issues a minute) still checkpoints often


def add_parsers(
    groups: Commands,
    common: CliParser,
) -> None:
    """Add the ``issues`` group: ``export``, ``sync``, ``messages``, ``reply``, ``note``."""
    issues = groups.add_parser("issues", help="export, sync, read and answer issues")
    commands = issues.add_subparsers(dest="command", required=True, metavar="<command>")
    p = commands.add_parser(
        "export",
        parents=[common],
        help="export every issue created in a time range",
        description="Export every issue created in [--since, --until) to JSONL or CSV. "
        "With -o FILE the export is resumable: FILE.checkpoint.json records how far it got.",
    )
    p.add_argument(
        "--since", type=when, metavar="WHEN", help="start, inclusive: YYYY-MM-DD or RFC 3339"
    )
    p.add_argument(
        "--until", type=when, metavar="WHEN", help="end, exclusive: YYYY-MM-DD or RFC 3339"
    )
    p.add_argument(
        "--window",
        type=duration,
        metavar="DURATION",
        help="window size, e.g. 30d, 12h (default 30d)",
    )
    p.add_argument(
        "--max-window",
        type=duration,
        metavar="DURATION",
        help="the widest window your Pylon account accepts (default 30d; e.g. 365d)",
    )
    p.add_argument(
        "--concurrency",
        type=at_least(1),
        default=4,
        metavar="N",
        help="windows fetched at once (4)",
    )
    p.add_argument("--order", choices=("newest", "oldest", "any"), help="default newest")
    p.add_argument(
        "--limit",
        type=at_least(1),
        metavar="N",
        help="page size (default: Pylon's; --resume keeps the checkpoint's)",
    )
    p.add_argument("--format", choices=("jsonl", "csv"), help="default jsonl")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default stdout)")
    p.add_argument("--resume", action="store_true", help="continue from FILE.checkpoint.json")
    p.add_argument("--force", action="store_true", help="overwrite an existing FILE")
    p.add_argument(
        "--checkpoint-every",
        type=at_least(1),
        default=1000,
        metavar="N",
        help="save the checkpoint every N issues (default 1000)",
    )
    p.add_argument(
        "--progress",
        action="store_true",
        help="draw the progress bar even when stderr is not a terminal (default: plain lines)",
    )
    p.set_defaults(run=export_issues)
    add_sync_parser(commands, common)
    add_conversation_parsers(commands, common)


# ---------------------------------------------------------------------- rows


def _ref_id(data: dict[str, Any], key: str) -> str:
    ref = data.get(key)
    return str(ref.get("id") or "") if isinstance(ref, dict) else ""


def csv_row(issue: dict[str, Any]) -> list[str]:
    """One CSV row of :data:`CSV_COLUMNS` from an issue's ``to_dict()``."""
    tags = issue.get("tags") or []
    return [
        str(issue.get("id") or ""),
        "" if issue.get("number") is None else str(issue["number"]),
        str(issue.get("title") or ""),
        str(issue.get("state") or ""),
        str(issue.get("created_at") or ""),
        _ref_id(issue, "account"),
        _ref_id(issue, "assignee"),
        _ref_id(issue, "team"),
        ";".join(str(t) for t in tags),
    ]


def _csv_line(row: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(row)
    return buffer.getvalue()


def _encode(issue: Any, fmt: str) -> bytes:
    data = issue.to_dict()
    if fmt == "csv":
        return _csv_line(csv_row(data)).encode("utf-8")
    return (json.dumps(data, ensure_ascii=False, default=str) + "\n").encode("utf-8")


# ---------------------------------------------------------------------- the output file


class _Output:
    """The export's output: stdout, or a file with its checkpoint alongside."""

    def __init__(self, path: Path | None, fmt: str | None) -> None:
        self.path = path
        self._asked_fmt = fmt  # None: the checkpoint's format when resuming, else jsonl
        self.fmt = fmt or "jsonl"
        self.checkpoint_path = (
            path.with_name(path.name + ".checkpoint.json") if path is not None else None
        )
        self._file: IO[bytes] | None = None
        self.limit: int | None = None  # the page size, kept so a resume reads the same pages
        self.resumed_from: dict[str, Any] | None = None

    def open(self, *, resume: bool, force: bool) -> None:
        """Open for a fresh export or, with ``resume``, truncate to the checkpoint and append."""
        if self.path is None:
            return
        ckpt = self.checkpoint_path
        assert ckpt is not None  # noqa: S101 (set whenever path is)
        if resume and ckpt.exists():
            saved = self._read_checkpoint(ckpt)
            size = int(saved["output_bytes"])
            actual = self.path.stat().st_size if self.path.exists() else -1
            if actual < size:
                raise CliError(
                    f"{self.path} is shorter ({max(actual, 0)} bytes) than its checkpoint "
                    f"records ({size}); resuming would leave a gap. Start over with --force."
                )
            self._file = open(self.path, "r+b")  # noqa: SIM115 (closed in close())
            self._file.truncate(size)  # drop what was written after the checkpoint
            self._file.seek(size)
            self.resumed_from = saved
            return
        if resume and self.path.exists():
            raise CliError(
                f"no checkpoint {ckpt} for {self.path}: it is complete or was not written by "
                "a resumable export; start over with --force instead of --resume"
            )
        if not resume and not force:
            for existing in (self.path, ckpt):
                if existing.exists():
                    hint = " (or --resume to continue)" if existing == ckpt else ""
                    raise CliError(f"{existing} exists; pass --force to overwrite it{hint}")
        ckpt.unlink(missing_ok=True)
        self._file = open(self.path, "wb")  # noqa: SIM115 (closed in close())
        if self.fmt == "csv":
            self._file.write(_csv_line(list(CSV_COLUMNS)).encode("utf-8"))

    def _read_checkpoint(self, ckpt: Path) -> dict[str, Any]:
        try:
            saved = json.loads(ckpt.read_text(encoding="utf-8"))
            if saved.get("version") != _CHECKPOINT_VERSION:
                raise ValueError(f"version {saved.get('version')!r}")
            int(saved["output_bytes"])
            dict(saved["export"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CliError(f"{ckpt} is not a readable export checkpoint ({exc})") from None
        if self._asked_fmt is None and saved.get("format") in ("jsonl", "csv"):
            self.fmt = str(saved["format"])
        if saved.get("format") != self.fmt:
            raise CliError(
                f"{ckpt} belongs to a {saved.get('format')} export; pass --format "
                f"{saved.get('format')}"
            )
        return dict(saved)

    def write(self, data: bytes) -> None:
        """Append one encoded issue."""
        if self._file is None:
            sys.stdout.write(data.decode("utf-8"))
        else:
            self._file.write(data)

    def save_checkpoint(self, checkpoint: IssueCheckpoint, issues: int) -> None:
        """Flush the output to disk, then record the checkpoint and the output's size."""
        if self._file is None or self.checkpoint_path is None:
            return
        self._file.flush()
        os.fsync(self._file.fileno())
        state = {
            "version": _CHECKPOINT_VERSION,
            "format": self.fmt,
            "output_bytes": self._file.tell(),
            "issues_written": issues,
            "limit": self.limit,
            "export": checkpoint.to_dict(),
        }
        atomic_write_text(self.checkpoint_path, json.dumps(state, indent=2) + "\n")

    def finish(self) -> None:
        """Flush and close a complete export, and remove its checkpoint."""
        if self._file is None:
            sys.stdout.flush()
            return
        self._file.flush()
        os.fsync(self._file.fileno())
        self.close()
        if self.checkpoint_path is not None:
            self.checkpoint_path.unlink(missing_ok=True)

    def close(self) -> None:
        """Close the file (idempotent)."""
        if self._file is not None:
            self._file.close()
            self._file = None


# ---------------------------------------------------------------------- the command


def export_issues(args: argparse.Namespace) -> int:
    """Run ``pylon issues export``."""
    path = None if args.output in (None, "-") else Path(args.output)
    if args.resume and path is None:
        raise CliError("--resume needs -o FILE (an export to stdout cannot be resumed)")
    output = _Output(path, args.format)
    resuming = (
        args.resume and output.checkpoint_path is not None and output.checkpoint_path.exists()
    )
    if not resuming and (args.since is None or args.until is None):
        raise CliError("--since and --until are required (unless resuming from a checkpoint)")
    options = {} if args.max_window is None else {"max_issue_window": args.max_window}
    client = make_client(args, **options)  # checks the token before any file is touched
    output.open(resume=args.resume, force=args.force)
    progress = ProgressLine(sys.stderr, bar=args.progress or sys.stderr.isatty())

    async def job() -> int:
        async with client:
            return await _run(client, args, output, progress)

    try:
        return run_async(args, job)
    finally:
        output.close()


def _make_export(pylon: AsyncPylon, args: argparse.Namespace, output: _Output) -> IssueExport:
    from .._export.issues import IssueCheckpoint

    checkpoint = None
    output.limit = args.limit
    if output.resumed_from is not None:
        checkpoint = IssueCheckpoint.from_dict(output.resumed_from["export"])
        output.limit = _resume_limit(output.resumed_from, args.limit)
    window: timedelta | None = args.window or (checkpoint.window if checkpoint else None)
    return pylon.issues.list(
        start_time=args.since,
        end_time=args.until,
        window=window or timedelta(days=30),
        concurrency=args.concurrency,
        order=args.order or (checkpoint.order if checkpoint else "newest"),
        limit=output.limit,
        checkpoint=checkpoint,
    )


def _resume_limit(saved: dict[str, Any], given: int | None) -> int | None:
    """Return the page size a resume reads: the checkpoint's, saying so if it is not ``given``.

    The checkpoint's cursors and counts of items behind are of pages of that size.
    """
    if "limit" not in saved:  # a checkpoint from before the limit was recorded
        return given
    kept = saved["limit"] if isinstance(saved["limit"], int) else None
    if kept != given:
        shown = f"--limit {kept}" if kept is not None else "page size (Pylon's default)"
        instead = "" if given is None else f" instead of --limit {given}"
        print(f"pylon: resuming with the checkpoint's {shown}{instead}", file=sys.stderr)
    return kept


async def _run(
    pylon: AsyncPylon, args: argparse.Namespace, output: _Output, progress: ProgressLine
) -> int:
    export = _make_export(pylon, args, output)
    before = int(output.resumed_from["issues_written"]) if output.resumed_from else 0
    written = 0
    last_saved = progress.elapsed()
    output.save_checkpoint(export.checkpoint(), before)
    consistent = True  # every issue handed out so far is written
    try:
        async for issue in export:
            consistent = False
            output.write(_encode(issue, output.fmt))
            consistent = True
            written += 1
            progress.update(export.progress, export.windows, before + written)
            if written % args.checkpoint_every == 0 or (
                progress.elapsed() - last_saved >= _CHECKPOINT_SECONDS
            ):
                output.save_checkpoint(export.checkpoint(), before + written)
                last_saved = progress.elapsed()
    except BaseException:
        if consistent:
            output.save_checkpoint(export.checkpoint(), before + written)
        where = f"; resume with --resume (checkpoint {output.checkpoint_path})"
        progress.finish(
            f"pylon: stopped after {plural(written, 'issue')}"
            + (where if output.checkpoint_path is not None else "")
        )
        raise
    output.finish()
    seconds = progress.elapsed()
    target = output.path if output.path is not None else "stdout"
    count = plural(written, "more issue" if before else "issue")
    total = f", {before + written:,} in all" if before else ""
    progress.finish(
        f"pylon: exported {count} to {target}{total} ({plural(export.windows, 'window')} in "
        f"{seconds:.1f} s, {written / max(seconds, 1e-9):,.0f}/s)"
    )
    return 0
