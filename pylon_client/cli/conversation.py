"""``pylon issues messages|reply|note ID``: an issue's conversation from a shell.

::

    pylon issues messages 7f3c...                 # the thread, oldest first
    pylon issues reply 7f3c... "<p>Fixed in 2.3</p>"
    pylon issues note 7f3c... --file note.html    # an internal note; also: - for stdin
    echo "<p>Looking</p>" | pylon issues reply 7f3c...

The body is HTML, from the argument, ``--file PATH`` or standard input (``-``, or no argument
with stdin not a terminal). A reply answers a message: ``--message-id``, else the issue's latest
message (Pylon requires one).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .common import CliError, make_client, plural, read_text, run_async
from .parser import CliParser, Commands

__all__ = ["add_conversation_parsers"]


def add_conversation_parsers(
    commands: Commands,
    common: CliParser,
) -> None:
    """Add ``messages``, ``reply`` and ``note`` to the ``issues`` group."""
    p = commands.add_parser(
        "messages", parents=[common], help="print an issue's messages, oldest first"
    )
    p.add_argument("issue_id", metavar="ID")
    p.add_argument("--json", action="store_true", help="one JSON object a line")
    p.set_defaults(run=list_messages)
    for name, helptext in (
        ("reply", "reply on an issue (the customer sees it)"),
        ("note", "add an internal note to an issue"),
    ):
        p = commands.add_parser(name, parents=[common], help=helptext)
        p.add_argument("issue_id", metavar="ID")
        p.add_argument("body", nargs="?", help="the HTML body; - reads standard input")
        p.add_argument("--file", metavar="PATH", help="read the HTML body from PATH")
        if name == "reply":
            p.add_argument("--message-id", help="the message answered (default: the latest)")
        p.set_defaults(run=post_reply if name == "reply" else post_note)


def read_body(args: argparse.Namespace) -> str:
    """Return the body from the argument, ``--file`` or standard input; refuse an empty one."""
    if args.file is not None and args.body not in (None, "-"):
        raise CliError("give the body as an argument or with --file, not both")
    if args.file is not None:
        text = read_text(args.file, what="--file")
    elif args.body not in (None, "-"):
        text = str(args.body)
    elif args.body == "-" or not sys.stdin.isatty():
        text = sys.stdin.read()
    else:
        raise CliError("no body: give it as an argument, with --file PATH, or on stdin")
    if not text.strip():
        raise CliError("the body is empty")
    return text


def _plain(html: str, width: int = 100) -> str:
    import html as html_lib
    import re

    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", html))
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _author(message: dict[str, Any]) -> str:
    author = message.get("author") or {}
    name = author.get("name")
    if name:
        return str(name)
    for kind in ("user", "contact"):
        ref = author.get(kind) or {}
        if ref.get("email") or ref.get("id"):
            return f"{kind} {ref.get('email') or ref.get('id')}"
    return "?"


def list_messages(args: argparse.Namespace) -> int:
    """Run ``pylon issues messages``."""
    client = make_client(args)

    async def job() -> list[dict[str, Any]]:
        async with client:
            return [m.to_dict() async for m in client.issues.list_messages(args.issue_id)]

    messages = run_async(args, job)
    messages.sort(key=lambda m: str(m.get("timestamp") or ""))
    for message in messages:
        if args.json:
            print(json.dumps(message, ensure_ascii=False, default=str))
            continue
        private = " (note)" if message.get("is_private") else ""
        print(
            f"{message.get('timestamp') or '-'}  {_author(message)}{private}: "
            f"{_plain(str(message.get('message_html') or ''))}"
        )
    if not args.json:
        print(plural(len(messages), "message"), file=sys.stderr)
    return 0


def post_reply(args: argparse.Namespace) -> int:
    """Run ``pylon issues reply``."""
    body = read_body(args)
    client = make_client(args)

    async def job() -> str:
        async with client:
            message_id = args.message_id
            if message_id is None:
                messages = await client.issues.list_messages(args.issue_id).collect()
                if not messages:
                    raise CliError("the issue has no message to reply to; give --message-id")
                latest = max(messages, key=lambda m: str(m.to_dict().get("timestamp") or ""))
                message_id = latest.id
            made = await client.issues.create_reply(
                args.issue_id, body_html=body, message_id=str(message_id)
            )
            return str(made.id)

    print(f"reply {run_async(args, job)} posted on issue {args.issue_id}")
    return 0


def post_note(args: argparse.Namespace) -> int:
    """Run ``pylon issues note``."""
    body = read_body(args)
    client = make_client(args)

    async def job() -> str:
        async with client:
            made = await client.issues.create_note(args.issue_id, body_html=body)
            return str(made.id)

    print(f"note {run_async(args, job)} added to issue {args.issue_id}")
    return 0
