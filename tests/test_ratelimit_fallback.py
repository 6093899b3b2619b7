from __future__ import annotations

import doctest

from harness import FakeClock

from pylon_client._ratelimit import fallback as _ratelimit_fallback
from pylon_client._ratelimit.fallback import LocalPacing, Slot


def book(pacing: LocalPacing, slot: Slot, member: str) -> None:
    """Book a plain 200 for ``GET /issues`` in acme's budget."""
    pacing.book(
        "GET /issues",
        "acme",
        slot,
        member,
        limited=False,
        retry_after=None,
        remaining=None,
        reset=None,
    )


def test_pacing_starts_with_a_window_of_pause_at_a_share_of_each_limit() -> None:
    """Local pacing waits a window, then allows the worker its share of the limit."""
    clock = FakeClock(100.0)
    pacing = LocalPacing(
        {"GET /issues": 30}, default_per_minute=10, scale=1.0, workers=4, clock=clock
    )
    assert pacing.pause_left() == 60.0
    assert pacing.limiter.limit("GET /issues") == 7
    assert pacing.limiter.limit("GET /anything") == 2
    clock.now += 61.0
    assert pacing.pause_left() == 0.0


def test_what_was_sent_is_remembered_for_one_window() -> None:
    """Answers booked locally are kept with their ages, and forgotten after a window."""
    clock = FakeClock(100.0)
    pacing = LocalPacing(
        {"GET /issues": 30}, default_per_minute=None, scale=1.0, workers=1, clock=clock
    )
    book(pacing, Slot("w:1"), "w:2")
    clock.now += 50.0
    book(pacing, Slot("w:3"), "w:4")
    assert pacing.sent_since() == {("acme", "GET /issues"): [("w:2", 50.0), ("w:4", 0.0)]}
    clock.now += 20.0
    assert pacing.sent_since() == {("acme", "GET /issues"): [("w:4", 20.0)]}


def test_a_slot_redis_gave_counts_as_sent_now() -> None:
    """An answer to a request Redis let through before it failed takes a local slot."""
    clock = FakeClock(100.0)
    pacing = LocalPacing(
        {"GET /issues": 1}, default_per_minute=None, scale=1.0, workers=1, clock=clock
    )
    book(pacing, Slot("w:1"), "w:2")
    assert pacing.limiter.try_acquire("GET /issues", org="acme") is None


def test_docstring_examples() -> None:
    """The examples in the module's docstrings run as written."""
    results = doctest.testmod(_ratelimit_fallback)
    assert results.attempted > 0
    assert results.failed == 0
