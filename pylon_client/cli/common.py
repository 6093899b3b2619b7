"""What the ``pylon`` commands share: argument types, the client, output, files, counts.

Only the standard library is imported at module level; the client is imported by
:func:`make_client` when a command needs it, so building the parser costs nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

if TYPE_CHECKING:
    from .._client.async_client import AsyncPylon

__all__ = [
    "TOKEN_ENV",
    "CliError",
    "Handler",
    "atomic_write_text",
    "duration",
    "make_client",
    "parse_date_field",
    "plural",
    "print_json",
    "read_ids_file",
    "read_text",
    "run_async",
    "when",
    "write_lines",
]

T = TypeVar("T")

TOKEN_ENV = "PYLON_API_TOKEN"  # noqa: S105 (the variable's name, not a secret)

Handler = Callable[[argparse.Namespace], int]
"""A command: takes the parsed arguments, returns the exit status."""

_DURATION = re.compile(r"^\s*(\d+)\s*([dhms])\s*$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


class CliError(Exception):
    """A problem the user can fix, reported as one line on stderr with exit status 1."""


# ---------------------------------------------------------------------- argument types


def when(value: str) -> date | datetime:
    """Parse ``YYYY-MM-DD`` (midnight UTC) or an RFC 3339 date-time with an offset.

    >>> when("2026-01-01")
    datetime.date(2026, 1, 1)
    >>> when("2026-01-01T12:00:00Z").isoformat()
    '2026-01-01T12:00:00+00:00'
    """
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError as exc:  # 2026-02-30: the shape is right, the day does not exist
            raise argparse.ArgumentTypeError(f"{text} is not a valid date ({exc})") from None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text or repr(value)} is not YYYY-MM-DD or an RFC 3339 date-time such as "
            "2026-01-01T00:00:00Z"
        ) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        # Guessing local time or UTC would shift every window edge by hours.
        raise argparse.ArgumentTypeError(
            f"{text} has no UTC offset; add Z or +HH:MM (or give a plain YYYY-MM-DD)"
        )
    return parsed


def duration(value: str) -> timedelta:
    """Parse ``30d``, ``12h``, ``90m`` or ``45s`` into a positive ``timedelta``.

    >>> duration("12h")
    datetime.timedelta(seconds=43200)
    """
    found = _DURATION.match(value)
    if found is None or int(found.group(1)) == 0:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a duration such as 30d, 12h, 90m or 45s"
        )
    return timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})


def parse_date_field(value: str) -> str:
    """Turn a ``--due-date``-style value into the RFC 3339 string Pylon expects.

    ``YYYY-MM-DD`` means midnight UTC; an empty string is kept (it clears the date on update).
    Used as an argparse ``type``, so a bad date is a usage error naming the option.

    >>> parse_date_field("2026-03-01")
    '2026-03-01T00:00:00Z'
    """
    if value == "":
        return value
    parsed = when(value)
    from .._export.windows import format_rfc3339  # pure and small, but only needed here

    return format_rfc3339(parsed)


# ---------------------------------------------------------------------- the client


def _read_token(args: argparse.Namespace) -> str:
    path: str | None = getattr(args, "token_file", None)
    if path is not None:
        token = read_text(path, what="--token-file").partition("\n")[0].strip()
        if not token:
            raise CliError(f"--token-file {path}: the first line is empty")
        return token
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise CliError(f"no API token: set {TOKEN_ENV} or pass --token-file PATH")
    return token


def make_client(args: argparse.Namespace, **options: Any) -> AsyncPylon:
    """Build the client from the global options; nothing is sent yet.

    The token comes from ``--token-file`` (its first line) or ``PYLON_API_TOKEN``; the client
    checks it and the base URL, and raises ``PylonConfigError`` naming the problem (never the
    token itself).
    """
    token = _read_token(args)
    from .._client.async_client import (
        AsyncPylon,  # imported by the commands that talk to Pylon only
    )

    return AsyncPylon(
        token,
        base_url=getattr(args, "base_url", None),
        region=getattr(args, "region", None) or "us",
        max_retries=getattr(args, "max_retries", 2),
        allow_insecure=getattr(args, "allow_insecure", False),
        **options,
    )


def run_async(args: argparse.Namespace, job: Callable[[], Awaitable[T]]) -> T:
    """Run ``job`` with ``anyio.run`` on the backend chosen by ``main`` (asyncio by default)."""
    import anyio

    backend: str = getattr(args, "backend", "asyncio")
    return anyio.run(job, backend=backend)


# ---------------------------------------------------------------------- output and files


def plural(count: int, singular: str, many: str | None = None) -> str:
    """Return ``count`` and the noun, singular for one: ``"1 task"``, ``"1,200 tasks"``.

    The plural adds ``es`` after s, x, ch or sh (``batch``, ``batches``) and ``s`` otherwise;
    pass ``many`` for any other.

    >>> plural(1, "task"), plural(2, "batch"), plural(1200, "changed issue")
    ('1 task', '2 batches', '1,200 changed issues')
    """
    if count == 1:
        return f"1 {singular}"
    if many is None:
        many = singular + ("es" if singular.endswith(("s", "x", "ch", "sh")) else "s")
    return f"{count:,} {many}"


def print_json(value: Any, stream: TextIO | None = None) -> None:
    """Print ``value`` as indented JSON (objects keep the API's field names)."""
    out = stream if stream is not None else sys.stdout
    out.write(json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n")


def atomic_write_text(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so a reader sees the old or the new file, never half.

    The text goes to a temporary file in the same directory (``os.replace`` is atomic only
    within one file system), is flushed to disk, and then renamed over ``path``.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_text(path: str, *, what: str) -> str:
    """Return the UTF-8 text of ``path``; a missing, unreadable or binary file is a CliError.

    ``what`` names the file in the message (``--token-file``, ``ids file``).
    """
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError as exc:
        raise CliError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise CliError(f"cannot read {what} {path}: not UTF-8 text (byte {exc.start})") from None


def read_ids_file(path: str) -> list[str]:
    """Read ids one per line; blank lines and lines starting with ``#`` are skipped."""
    lines = read_text(path, what="ids file").splitlines()
    ids = [line.strip() for line in lines]
    ids = [i for i in ids if i and not i.startswith("#")]
    if not ids:
        raise CliError(f"ids file {path} holds no ids")
    return ids


def write_lines(path: Path, lines: Iterable[str], *, header: Sequence[str] = ()) -> None:
    """Write ``header`` comments and then one line per item, atomically."""
    text = "".join(f"# {h}\n" for h in header) + "".join(f"{line}\n" for line in lines)
    atomic_write_text(path, text)
