"""``python -m pylon_client.testing serve``: run the fake Pylon API under uvicorn.

Example::

    python -m pylon_client.testing serve --port 8080 --seed 42 --scale 10

``--log-size`` is how many requests the fake's request log keeps (the newest; default 1,000).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import uvicorn

from ._app import DEFAULT_LOG_SIZE, FakePylon
from ._seed import seed_demo

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> None:
    """Parse ``argv`` and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m pylon_client.testing")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve a seeded fake Pylon API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--seed", type=int, default=42)
    serve.add_argument("--token", default="test-token")
    serve.add_argument("--accounts", type=int, default=300)
    serve.add_argument(
        "--scale",
        type=float,
        default=None,
        help="enable Pylon's rate limits, with the 60 s window divided by SCALE",
    )
    serve.add_argument(
        "--log-size",
        type=int,
        default=DEFAULT_LOG_SIZE,
        help=f"keep the newest N requests in the request log (default {DEFAULT_LOG_SIZE})",
        metavar="N",
    )
    args = parser.parse_args(argv)
    fake = FakePylon(
        token=args.token,
        seed=args.seed,
        rate_limits=args.scale is not None,
        rate_limit_scale=args.scale or 1.0,
        log_size=args.log_size,
    )
    seed_demo(fake, seed=args.seed, accounts=args.accounts)
    print(f"fake Pylon on http://{args.host}:{args.port} (token {args.token!r})")
    uvicorn.run(fake, host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
