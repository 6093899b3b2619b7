"""``pylon tasks comments ID``, ``pylon tasks comment ID --body ...`` and ``pylon task-statuses``.

A comment's body is HTML, as Pylon stores it, sent as written: from ``--body``, from a file
(``--body-file PATH``) or from standard input (``--body-file -``), so that a long comment never
has to fit on a command line. Output is a table, or JSON with ``--json``.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from .common import CliError, make_client, plural, print_json, read_text, run_async
from .objects import format_table
from .parser import CliParser, Commands

if TYPE_CHECKING:
    from .._client.async_client import AsyncPylon

__all__ = ["add_parsers"]


def add_parsers(
    groups: Commands,
    tasks: Commands,
    common: CliParser,
) -> None:
    """Add ``comments`` and ``comment`` to the tasks group, and the ``task-statuses`` group."""
    output = CliParser(add_help=False)
    output.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parents = [common, output]
    p = tasks.add_parser("comments", parents=parents, help="list a task's comments, oldest first")
    p.add_argument("id", help="the task's id")
    p.set_defaults(run=_run(_comments))
    p = tasks.add_parser("comment", parents=parents, help="add a comment to a task")
    p.add_argument("id", help="the task's id")
    body = p.add_mutually_exclusive_group(required=True)
    body.add_argument("--body", help="the comment, as HTML")
    body.add_argument(
        "--body-file", metavar="PATH", help="read the comment (HTML) from PATH, or stdin for -"
    )
    p.add_argument(
        "--internal", action="store_true", help="visible to internal users only (default: all)"
    )
    p.set_defaults(run=_run(_comment))
    statuses = groups.add_parser(
        "task-statuses", parents=parents, help="list the organization's task statuses"
    )
    statuses.set_defaults(run=_run(_statuses))


def _run(action: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        if getattr(args, "body_file", None) is not None or getattr(args, "body", None) is not None:
            args.body = _body_text(args)
        client = make_client(args)

        async def job() -> int:
            async with client:
                await action(client, args)
            return 0

        return run_async(args, job)

    return run


def _body_text(args: argparse.Namespace) -> str:
    """Return the comment's body from --body, --body-file PATH or --body-file - (stdin)."""
    if args.body_file is None:
        text = str(args.body)
    elif args.body_file == "-":
        text = sys.stdin.read()
    else:
        text = read_text(args.body_file, what="--body-file")
    if not text.strip():
        raise CliError("the comment is empty")
    return text


def _author(comment: dict[str, Any]) -> str:
    author = comment.get("author") or {}
    who = author.get("user") or author.get("contact") or {}
    return str(who.get("email") or who.get("id") or "")


def _show_comments(args: argparse.Namespace, comments: list[dict[str, Any]], *, one: bool) -> None:
    if args.json:
        print_json(comments[0] if one else comments)
        return
    rows = [
        [
            c["id"],
            _author(c),
            str(c.get("created_at", ""))[:19],
            "yes" if c.get("is_internal") else "",
            c.get("body_html", ""),
        ]
        for c in comments
    ]
    sys.stdout.write(format_table(["ID", "AUTHOR", "CREATED", "INTERNAL", "BODY"], rows) + "\n")
    if not one:
        print(plural(len(rows), "comment"), file=sys.stderr)


async def _comments(pylon: AsyncPylon, args: argparse.Namespace) -> None:
    comments = await pylon.tasks.list_comments(args.id).collect()
    _show_comments(args, [c.to_dict() for c in comments], one=False)


async def _comment(pylon: AsyncPylon, args: argparse.Namespace) -> None:
    created = await pylon.tasks.create_comment(
        args.id, body_html=args.body, is_internal=args.internal
    )
    _show_comments(args, [created.to_dict()], one=True)


async def _statuses(pylon: AsyncPylon, args: argparse.Namespace) -> None:
    statuses = [s.to_dict() for s in await pylon.task_statuses.list().collect()]
    if args.json:
        print_json(statuses)
        return
    rows = [
        [
            s["slug"],
            s["label"],
            s["category"],
            "yes" if s["is_default_status"] else "",
            "yes" if s["is_archived"] else "",
        ]
        for s in statuses
    ]
    headers = ["SLUG", "LABEL", "CATEGORY", "DEFAULT", "ARCHIVED"]
    sys.stdout.write(format_table(headers, rows) + "\n")
