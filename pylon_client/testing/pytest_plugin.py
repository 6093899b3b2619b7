"""Pytest fixtures for testing code against the fake Pylon API.

Enable with ``pytest -p pylon_client.testing.pytest_plugin`` (or the ``pytest11`` entry
point). Fixtures:

- ``fake_pylon``: a :class:`FakePylon` seeded with a small demo organization.
- ``fake_pylon_url``: the base URL of ``fake_pylon`` served on 127.0.0.1 by uvicorn.

A client fixture builds on these two: take ``fake_pylon`` for in-process use
(``httpx.ASGITransport(app=fake_pylon)``) or ``fake_pylon_url`` for a socket.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._app import FakePylon
from ._seed import seed_demo
from ._server import serve_in_thread

__all__ = ["FAKE_PYLON_TOKEN", "fake_pylon", "fake_pylon_url", "make_fake_pylon"]

FAKE_PYLON_TOKEN = "test-token"  # noqa: S105 - the fake's well-known test token


def make_fake_pylon() -> FakePylon:
    """Return the small seeded fake the fixtures use (20 accounts, 60 days of issues)."""
    fake = FakePylon(token=FAKE_PYLON_TOKEN, seed=7)
    seed_demo(fake, seed=7, accounts=20, issues_days=60, issues_per_day=3)
    return fake


@pytest.fixture
def fake_pylon() -> FakePylon:
    """Return a fresh fake Pylon API with a small demo organization; token ``test-token``."""
    return make_fake_pylon()


@pytest.fixture
def fake_pylon_url(fake_pylon: FakePylon) -> Iterator[str]:
    """Serve ``fake_pylon`` on a random loopback port; yield its base URL."""
    with serve_in_thread(fake_pylon) as url:
        yield url
