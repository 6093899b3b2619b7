"""Connections opened under load: 200 calls in flight against a loopback HTTP/1.1 server.

The server counts the connections it accepts and answers every request on a connection with
the same small task, keeping the connection open (HTTP/1.1 keep-alive). 1,000 requests are
sent by 200 workers at once, by ``AsyncPylon`` as it is (pool 100, keep-alive 100) and as it
was before (httpx's default keep-alive of 20, which closes a freed connection whenever 20 are
idle, so the next requests open new ones). The figure is connections opened per 1,000
requests; the target is at most 1.2 x the pool size.
"""

from __future__ import annotations

import json

import anyio
import anyio.abc
import anyio.streams.buffered

from ._table import Row, verdict

__all__ = ["run"]

REQUESTS = 1000
IN_FLIGHT = 200
POOL = 100
_BODY = json.dumps({"data": {"id": "t1", "title": "Kickoff"}, "request_id": "r"}).encode()
_ANSWER = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
    + str(len(_BODY)).encode()
    + b"\r\n\r\n"
    + _BODY
)


class _Server:
    """A keep-alive HTTP/1.1 server on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self) -> None:
        self.accepted = 0

    async def serve(self, stream: anyio.abc.SocketStream) -> None:
        self.accepted += 1
        buffered = anyio.streams.buffered.BufferedByteReceiveStream(stream)
        async with stream:
            try:
                while True:
                    await buffered.receive_until(b"\r\n\r\n", 65536)  # GETs carry no body
                    await stream.send(_ANSWER)
            except (anyio.EndOfStream, anyio.IncompleteRead, anyio.BrokenResourceError):
                return


async def _opened(keepalive: int | None) -> int:
    from pylon_client import AsyncPylon

    server = _Server()
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)  # noqa: S610 - anyio, not Django
    async with anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, server.serve)
        async with AsyncPylon(
            "bench-token",
            base_url=f"http://127.0.0.1:{port}",
            rate_limit=False,
            max_connections=POOL,
            max_keepalive_connections=keepalive,
        ) as pylon:

            async def worker() -> None:
                for _ in range(REQUESTS // IN_FLIGHT):
                    await pylon.tasks.get("t1")

            async with anyio.create_task_group() as workers:  # 200 in flight all along
                for _ in range(IN_FLIGHT):
                    workers.start_soon(worker)
        tg.cancel_scope.cancel()
    await listener.aclose()
    return server.accepted


def run() -> list[Row]:
    """Return the rows: connections per 1,000 requests, now and with keep-alive 20."""
    rows = []
    for case, keepalive in (("keep-alive = pool (default)", None), ("keep-alive 20 (before)", 20)):
        opened = anyio.run(_opened, keepalive)
        per_thousand = opened * 1000 / REQUESTS
        rows.append(
            Row(
                "10 connections",
                f"{IN_FLIGHT} in flight, pool {POOL}, {case}",
                f"{per_thousand:.0f} opened / 1,000 requests",
                f"<= {1.2 * POOL:.0f}",
                verdict(per_thousand <= 1.2 * POOL) if keepalive is None else "",
            )
        )
    return rows
