"""``python -m pylon_client.testing serve`` (also ``pylon fake serve``): the fake on a socket.

Example::

    python -m pylon_client.testing serve --port 8080 --seed 42 --scale 10

Both commands are this module: :func:`add_serve_options` defines the options once, and
``pylon fake serve`` hands its arguments to :func:`serve_main` (it takes none of the client's
options such as ``--token-file`` or ``--base-url``).

Rate limits
    Pylon's per-endpoint, per-minute limits are on: each answer of a limited endpoint carries
    ``X-RateLimit-Limit``, ``-Remaining`` and ``-Reset`` (what ``raw.rate_limit`` reads), and a
    call over the budget gets 429 with ``Retry-After``. ``--scale S`` divides the 60 s window by
    S, so limits are reached and cleared S times faster; ``--no-rate-limits`` turns them off.

Startup
    The socket is bound and listening before the banner is printed, so a script may connect as
    soon as it reads the banner line; a port already in use is one line on stderr
    (``pylon: error: cannot listen on 127.0.0.1:8080: address already in use``), exit status 1
    and no banner. uvicorn then serves that very socket.

``--log-size`` is how many requests the fake's request log keeps (the newest; default 1,000).
"""

from __future__ import annotations

import argparse
import socket
import sys
from collections.abc import Sequence
from typing import TextIO

import uvicorn

from ..cli.parser import CliParser, at_least, port
from ._app import DEFAULT_LOG_SIZE, FakePylon
from ._seed import seed_demo

__all__ = [
    "DEFAULT_TOKEN",
    "add_serve_options",
    "build_parser",
    "main",
    "make_fake",
    "serve",
    "serve_main",
]

DEFAULT_TOKEN = "test-token"  # noqa: S105 (the fake's well-known token, not a secret)
_DESCRIPTION = (
    "Serve a seeded fake Pylon API on a socket, with Pylon's per-endpoint rate limits. "
    "Point a client at it with PYLON_BASE_URL and PYLON_API_TOKEN, as the banner shows."
)
_BACKLOG = 2048  # uvicorn's default
_INTERRUPTED = 130  # 128 + SIGINT, as the pylon command exits on Ctrl-C


def _positive(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not number > 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"the scale must be above 0, got {value}")
    return number


def add_serve_options(parser: argparse.ArgumentParser) -> None:
    """Add the serve command's options to ``parser``: their one definition."""
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=port, default=8080, help="port (default 8080; 0 picks a free one)"
    )
    parser.add_argument("--seed", type=int, default=42, help="demo data seed (default 42)")
    parser.add_argument(
        "--token",
        default=DEFAULT_TOKEN,
        help=f"the token the fake accepts (default {DEFAULT_TOKEN})",
    )
    parser.add_argument(
        "--accounts",
        type=at_least(0),
        default=300,
        metavar="N",
        help="demo accounts to seed (default 300)",
    )
    limits = parser.add_mutually_exclusive_group()
    limits.add_argument(
        "--scale",
        type=_positive,
        default=None,
        metavar="S",
        help="divide the rate limits' 60 s window by S (default 1)",
    )
    limits.add_argument(
        "--no-rate-limits",
        action="store_true",
        help="answer every request, with no X-RateLimit-* headers and no 429",
    )
    parser.add_argument(
        "--log-size",
        type=at_least(0),
        default=DEFAULT_LOG_SIZE,
        metavar="N",
        help=f"keep the newest N requests in the request log (default {DEFAULT_LOG_SIZE:,})",
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of ``python -m pylon_client.testing`` (one command: ``serve``)."""
    parser = CliParser(prog="python -m pylon_client.testing", description=_DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True, metavar="<command>")
    serve_parser = commands.add_parser(
        "serve", help="serve a seeded fake Pylon API", description=_DESCRIPTION
    )
    add_serve_options(serve_parser)
    return parser


def _listen(host: str, port_number: int) -> socket.socket:
    """Return a TCP socket bound to ``host:port_number`` and listening; raise OSError if not."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port_number, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )[0]
    # IPPROTO_TCP explicitly: asyncio turns TCP_NODELAY on only for sockets that say they are
    # TCP (see _server.serve_in_thread).
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        sock.bind(address)
        sock.listen(_BACKLOG)
    except BaseException:
        sock.close()
        raise
    return sock


def _url(sock: socket.socket) -> str:
    host, bound_port = sock.getsockname()[:2]
    return f"http://[{host}]:{bound_port}" if ":" in host else f"http://{host}:{bound_port}"


def make_fake(args: argparse.Namespace) -> FakePylon:
    """Return the seeded fake the serve options describe (what :func:`serve` serves)."""
    fake = FakePylon(
        token=args.token,
        seed=args.seed,
        rate_limits=not args.no_rate_limits,
        rate_limit_scale=args.scale or 1.0,
        log_size=args.log_size,
    )
    seed_demo(fake, seed=args.seed, accounts=args.accounts)
    return fake


def serve(args: argparse.Namespace, *, out: TextIO | None = None) -> int:
    """Bind, seed, print the banner on ``out`` (default stdout), then serve until interrupted.

    Returns the exit status: 1, with one line on stderr and no banner, if the socket cannot be
    bound.
    """
    try:
        sock = _listen(args.host, args.port)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        sys.stderr.write(
            f"pylon: error: cannot listen on {args.host}:{args.port}: "
            f"{reason[:1].lower()}{reason[1:]}\n"
        )
        return 1
    with sock:
        fake = make_fake(args)
        url = _url(sock)
        if args.no_rate_limits:
            limits = "rate limits off"
        else:
            limits = f"rate limits on, {60 / (args.scale or 1.0):g} s window"
        stream = out if out is not None else sys.stdout
        stream.write(
            f"fake Pylon serving on {url} (seed {args.seed}, {args.accounts} accounts, "
            f"{limits})\n"
            f"point a client at it: PYLON_BASE_URL={url} PYLON_API_TOKEN={args.token}\n"
        )
        stream.flush()
        config = uvicorn.Config(fake, lifespan="on", log_level="info", timeout_graceful_shutdown=2)
        uvicorn.Server(config).run(sockets=[sock])
    return 0


def serve_main(argv: Sequence[str] | None = None, *, prog: str = "pylon fake serve") -> int:
    """Run the serve command with ``argv`` (its options only); return the exit status."""
    parser = CliParser(prog=prog, description=_DESCRIPTION)
    add_serve_options(parser)
    return serve(parser.parse_args(argv))


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``python -m pylon_client.testing`` with ``argv``; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return serve(args)
    except KeyboardInterrupt:  # uvicorn has shut down cleanly, then re-raised the Ctrl-C
        return _INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
