"""Pylon's per-endpoint rate limits: read ``openapi/rate-limits.tsv``, stamp the effective spec.

The table is the one place the client's default pacing comes from. Each operation of the
effective spec gets its figure as ``x-pylon-rate-limit-per-minute``. An operation the table
lacks (Pylon's SDK does not have the import endpoints) takes the figure its own description
gives (``**Rate limit:** 10 requests per minute``, as Pylon's document writes it); one with
neither stops generation, since pacing it at a guessed rate would be a shape with no source.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sources

__all__ = [
    "METHODS",
    "RateLimitError",
    "apply_rate_limits",
    "documented_limit",
    "load_rate_limits",
    "path_key",
]

METHODS = ("get", "post", "patch", "put", "delete")
EXTENSION = "x-pylon-rate-limit-per-minute"


class RateLimitError(Exception):
    """An operation has no figure in the rate-limit table."""


def path_key(method: str, path: str) -> tuple[str, str]:
    """Return the matching key of an operation: method and path with parameters unnamed."""
    return method.upper(), re.sub(r"\{[^}]+\}", "{}", path)


def load_rate_limits(path: Path | None = None) -> dict[tuple[str, str], int]:
    """Read the per-endpoint limits table (``#`` lines are comments); the declared one by default."""
    path = path or sources.rate_limits().path
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    return {
        path_key(row["method"], row["path"]): int(row["requests_per_minute"])
        for row in csv.DictReader(lines, delimiter="\t")
    }


_DOCUMENTED = re.compile(r"\*\*Rate limit:\*\*\s*(\d+)\s*requests? per minute")


def documented_limit(op: Mapping[str, Any]) -> int | None:
    """Return the per-minute limit an operation's description states, if it states one."""
    found = _DOCUMENTED.search(str(op.get("description", "")))
    return int(found.group(1)) if found else None


def apply_rate_limits(
    spec: dict[str, Any], limits: Mapping[tuple[str, str], int], table: str = "the rate-limit table"
) -> None:
    """Write each operation's per-minute limit into ``spec``, in place (``table`` names the source)."""
    missing = []
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                rate = limits.get(path_key(method, path)) or documented_limit(item[method])
                if rate is None:
                    missing.append(f"{method.upper()} {path}")
                else:
                    item[method][EXTENSION] = rate
    if missing:
        raise RateLimitError(f"no rate limit in {table} for: {', '.join(missing)}")
