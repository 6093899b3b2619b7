"""Pytest fixtures for testing code against the fake Pylon API.

Installed with pylon-client as a ``pytest11`` plugin, so the fixtures are there in any test
suite; they need the ``testing`` extra (``pip install pylon-client[testing]``) only when used,
and the async ones run under anyio's pytest plugin (``@pytest.mark.anyio``). Fixtures:

- ``fake_pylon``: a :class:`FakePylon` seeded with a small demo organization.
- ``fake_pylon_url``: the base URL of ``fake_pylon`` served on 127.0.0.1 by uvicorn.
- ``pylon``: an open :class:`~pylon_client.AsyncPylon` talking to ``fake_pylon`` in process.
- ``pylon_over_socket``: the same, over a real loopback socket (``fake_pylon_url``).

The fake's request log (``fake_pylon.requests``) keeps the newest 1,000 requests. A suite that
needs more overrides the fixture in its ``conftest.py``::

    @pytest.fixture
    def fake_pylon():
        return make_fake_pylon(log_size=10_000)

A test of your own service, in one line of setup::

    @pytest.mark.anyio
    async def test_onboarding(pylon, fake_pylon):
        await my_service.onboard(pylon, account_id=next(iter(fake_pylon.accounts)))
        assert any(t["title"] == "Kickoff call" for t in fake_pylon.tasks.values())
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .. import AsyncPylon
    from ._app import FakePylon

__all__ = [
    "FAKE_PYLON_TOKEN",
    "fake_pylon",
    "fake_pylon_url",
    "make_fake_pylon",
    "pylon",
    "pylon_over_socket",
]

FAKE_PYLON_TOKEN = "test-token"  # noqa: S105 - the fake's well-known test token
# Imports happen inside the fixtures: this module is loaded by pytest in every suite of an
# environment where pylon-client is installed, with or without starlette and uvicorn.


# The value of _app.DEFAULT_LOG_SIZE, written out: importing _app here would need starlette.
_LOG_SIZE = 1000


def make_fake_pylon(*, log_size: int | None = _LOG_SIZE) -> FakePylon:
    """Return the small seeded fake the fixtures use (20 accounts, 60 days of issues).

    ``log_size`` is how many requests its log keeps, the newest (default 1,000; None: all).
    """
    from ._app import FakePylon
    from ._seed import seed_demo

    fake = FakePylon(token=FAKE_PYLON_TOKEN, seed=7, log_size=log_size)
    seed_demo(fake, seed=7, accounts=20, issues_days=60, issues_per_day=3)
    return fake


@pytest.fixture
def fake_pylon() -> FakePylon:
    """Return a fresh fake Pylon API with a small demo organization; token ``test-token``."""
    return make_fake_pylon()


@pytest.fixture
def fake_pylon_url(fake_pylon: FakePylon) -> Iterator[str]:
    """Serve ``fake_pylon`` on a random loopback port; yield its base URL."""
    from ._server import serve_in_thread

    with serve_in_thread(fake_pylon) as url:
        yield url


@pytest.fixture
async def pylon(fake_pylon: FakePylon, anyio_backend: str) -> AsyncIterator[AsyncPylon]:
    """Yield an AsyncPylon connected to ``fake_pylon`` in process (no socket, no pacing)."""
    import httpx

    from .. import AsyncPylon

    async with AsyncPylon(
        FAKE_PYLON_TOKEN,
        base_url="http://fake-pylon.localhost",
        transport=httpx.ASGITransport(app=fake_pylon),
        rate_limit=False,
    ) as client:
        yield client


@pytest.fixture
async def pylon_over_socket(fake_pylon_url: str, anyio_backend: str) -> AsyncIterator[AsyncPylon]:
    """Yield an AsyncPylon connected to ``fake_pylon`` over a loopback socket."""
    from .. import AsyncPylon

    async with AsyncPylon(FAKE_PYLON_TOKEN, base_url=fake_pylon_url) as client:
        yield client
