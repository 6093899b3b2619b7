"""The ``pylon`` command line: Pylon from a shell, on top of :class:`~pylon_client.AsyncPylon`.

::

    pylon issues export --since 2026-01-01 --until 2026-07-01 -o issues.jsonl
    pylon issues sync --state sync.json -o changes.jsonl --since 2026-01-01
    pylon issues reply ISSUE_ID "<p>Fixed in 2.3</p>"
    pylon tasks list
    pylon accounts create --name Acme --domains acme.com
    pylon contacts list --limit 50
    pylon tasks comment TASK_ID --body-file note.html
    pylon accounts update-many --ids-file ids.txt --add-tag vip
    pylon fake serve --port 8080

The API token comes from the ``PYLON_API_TOKEN`` environment variable or from the first line
of ``--token-file PATH``. There is deliberately no ``--token`` option: a token typed on a
command line lands in the shell's history and in every other user's ``ps`` listing.

Errors are one line on stderr (``pylon: error: ...``) with exit status 1; usage errors are
one line too, naming the command's help (``pylon: error: argument --due-date: ... (see 'pylon
tasks create --help')``), with exit status 2 (argparse's convention); Ctrl-C exits with 130.
A message starting "unexpected" is a bug in pylon-client, never a user's mistake. ``--debug``
adds the traceback and DEBUG logging of the ``pylon_client`` logger (which never logs the
token).

The commands live in ``cli.export``, ``cli.issues_sync`` and ``cli.conversation`` (issues),
``cli.objects`` with ``cli.kinds`` (tasks, projects, milestones, accounts, contacts),
``cli.tasks`` (task comments and statuses) and ``cli.bulk`` (``accounts update-many`` and
``merge``); ``cli.parser`` is the parser class, ``cli.progress`` the progress output. Each
imports the client only when it runs, so ``pylon --help`` builds its parser from the standard
library alone; ``pylon fake serve`` is ``python -m pylon_client.testing serve``, whose options
are parsed there.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Sequence

from .._version import __version__
from . import bulk, export, tasks
from . import objects as object_commands
from .common import TOKEN_ENV, CliError
from .parser import CliParser, Commands, at_least

__all__ = ["build_parser", "main"]

_INTERRUPTED = 130  # 128 + SIGINT, what shells report for a Ctrl-C


def _global_options(*, suppress: bool) -> CliParser:
    """Return the options every command takes, before or after the command name.

    The copy attached to each command uses ``SUPPRESS`` defaults, so an option given before
    the command is not reset by the command's own parser.
    """
    parent = CliParser(add_help=False)
    group = parent.add_argument_group("connection and diagnostics")

    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    group.add_argument(
        "--base-url",
        default=default(None),
        help="API root (default: PYLON_BASE_URL, else the region's host)",
    )
    group.add_argument(
        "--region", choices=("us", "eu"), default=default(None), help="Pylon region (default us)"
    )
    group.add_argument(
        "--token-file",
        metavar="PATH",
        default=default(None),
        help=f"read the API token from the first line of PATH (default: ${TOKEN_ENV})",
    )
    group.add_argument(
        "--max-retries",
        type=at_least(0),
        metavar="N",
        default=default(2),
        help="retries of a failed request (default 2)",
    )
    group.add_argument(
        "--allow-insecure",
        action="store_true",
        default=default(False),
        help="allow a plain http:// base URL to a host that is not loopback (the token travels "
        "in clear text)",
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=default(False),
        help="show tracebacks and log each request (logger pylon_client) on stderr",
    )
    return parent


def build_parser() -> argparse.ArgumentParser:
    """Build the whole ``pylon`` parser (standard library only: nothing is imported)."""
    # Subcommand parsers are CliParsers too: add_subparsers makes them with the parser's class.
    parser = CliParser(
        prog="pylon",
        parents=[_global_options(suppress=False)],
        description="Work with the Pylon (usepylon.com) API from the command line.",
        epilog=(
            f"The API token is read from ${TOKEN_ENV} or from --token-file. There is no "
            "--token option on purpose: a token on a command line ends up in shell history "
            "and in the process list."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    common = _global_options(suppress=True)
    groups = parser.add_subparsers(dest="group", required=True, metavar="<group>")
    export.add_parsers(groups, common)
    objects = object_commands.add_parsers(groups, common)
    tasks.add_parsers(groups, objects["tasks"], common)
    bulk.add_parsers(objects["accounts"], common)
    _add_fake_parser(groups)
    return parser


def _add_fake_parser(groups: Commands) -> None:
    fake = groups.add_parser("fake", help="run the fake Pylon server (needs pylon-client[testing])")
    commands = fake.add_subparsers(dest="command", required=True, metavar="<command>")
    # The options of ``serve`` are defined once, in pylon_client.testing.__main__, which needs
    # the testing extra; this parser takes every argument as it is (no character starts an
    # option, not even -) and hands them over, so ``--help`` is answered there too.
    serve = commands.add_parser(
        "serve",
        help="serve a seeded fake Pylon API on a socket (pylon fake serve --help: its options)",
        add_help=False,
        prefix_chars="\0",
    )
    serve.add_argument("argv", nargs=argparse.REMAINDER)
    serve.set_defaults(run=_fake_serve)


def _fake_serve(args: argparse.Namespace) -> int:
    """Run ``python -m pylon_client.testing serve`` with the arguments after ``serve``."""
    try:
        from ..testing.__main__ import serve_main
    except ImportError as exc:
        raise CliError(
            f"the fake server needs the testing extra ({exc.name or exc} is missing): "
            'pip install "pylon-client[testing]"'
        ) from None
    try:
        return serve_main(args.argv, prog="pylon fake serve")
    except SystemExit as exc:  # --help (0) or a usage error (2): already printed
        return exc.code if isinstance(exc.code, int) else 0


def _enable_debug() -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logger = logging.getLogger("pylon_client")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    return handler


def _leaf(exc: BaseException) -> BaseException:
    """Return the one exception inside (nested) single-member groups, else ``exc``."""
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    return exc


def _describe(exc: BaseException) -> str:
    from .._exceptions import PylonError  # already loaded by the time a command has failed

    if isinstance(exc, CliError | PylonError):
        message = str(exc)
    elif isinstance(exc, OSError) and exc.strerror:
        message = f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    else:
        message = f"unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)"
    # One line, whatever the message holds (an HTML error page, a multi-line body).
    return " ".join(message.split())


def main(argv: Sequence[str] | None = None, *, backend: str = "asyncio") -> int:
    """Run ``pylon`` with ``argv`` (default ``sys.argv[1:]``); return the exit status.

    ``backend`` is the anyio backend the command runs on; the console script uses asyncio,
    tests also run trio.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2): argparse already printed
        return exc.code if isinstance(exc.code, int) else 0
    args.backend = backend
    debug = bool(args.debug)
    handler = _enable_debug() if debug else None
    try:
        status: int = args.run(args)
        return status
    except BaseException as raised:  # every failure becomes one line and a status
        error = _leaf(raised)
        if isinstance(error, KeyboardInterrupt):
            print("pylon: interrupted", file=sys.stderr)
            return _INTERRUPTED
        if isinstance(error, SystemExit):
            raise
        if isinstance(error, BrokenPipeError):
            return 1  # the reader went away (``| head``): nothing left to say to it
        if debug or not isinstance(error, Exception):
            traceback.print_exception(raised, file=sys.stderr)
        print(f"pylon: error: {_describe(error)}", file=sys.stderr)
        return 1
    finally:
        if handler is not None:
            logger = logging.getLogger("pylon_client")
            logger.removeHandler(handler)
            logger.setLevel(logging.NOTSET)
