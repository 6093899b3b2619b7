"""Serve an ASGI app on a real socket with uvicorn, in a background thread.

uvicorn runs on asyncio; giving it its own thread and event loop lets a test on trio (or on
another asyncio loop) talk to it over loopback like any remote server.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

__all__ = ["serve_in_thread"]

_STARTUP_TIMEOUT = 10.0


@contextmanager
def serve_in_thread(app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a thread; yield its base URL; stop it on exit.

    ``port=0`` picks a free port. The socket is bound before uvicorn starts, so the port is
    known and cannot be taken in between. Exiting asks uvicorn to shut down and waits for the
    thread. The app's state is shared with the calling thread: inspect it between requests,
    not during one. Example::

        with serve_in_thread(FakePylon(seed=1)) as base_url:
            ...  # httpx.AsyncClient(base_url=base_url)
    """
    # IPPROTO_TCP explicitly: asyncio turns TCP_NODELAY on only for sockets that say they are
    # TCP, and without it uvicorn's separate header and body writes wait on delayed ACKs
    # (40 ms a response on loopback).
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, lifespan="on", log_level="warning", access_log=False, timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="fake-pylon-uvicorn", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + _STARTUP_TIMEOUT
        # uvicorn sets ``started`` once it is accepting connections; poll it briefly.
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start on {host}:{bound_port}")
            time.sleep(0.01)
        url_host = f"[{host}]" if ":" in host else host
        yield f"http://{url_host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=_STARTUP_TIMEOUT)
        sock.close()
