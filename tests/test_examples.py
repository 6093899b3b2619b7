"""The example scripts run end to end against the fake, so they never rot."""

from __future__ import annotations

from pathlib import Path

import pytest
from example_scripts import load_example


@pytest.mark.anyio
async def test_onboarding_demo_prints_its_summary(capsys: pytest.CaptureFixture[str]) -> None:
    """`make demo`'s script exits 0 against the fake and prints every line of the summary."""
    onboarding = load_example("onboarding")
    assert await onboarding.main([]) == 0
    out = capsys.readouterr().out
    for line in (
        "project            Onboarding (3 milestones, 9 tasks)",
        "task statuses      {'completed': 3, 'in_progress': 3, 'not_started': 3}",
        "issues exported    3004 over 120 days in 4 windows, 3004 distinct",
        "accounts tagged    250 of 250 in 3 batches, 0 failed",
        "accounts merged    3 into",
    ):
        assert line in out


def test_live_mode_needs_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """--live without PYLON_API_TOKEN stops with a usage error before any request."""
    import anyio

    monkeypatch.delenv("PYLON_API_TOKEN", raising=False)
    onboarding = load_example("onboarding")
    with pytest.raises(SystemExit) as info:
        anyio.run(onboarding.main, ["--live"])
    assert info.value.code == 2


@pytest.mark.anyio
async def test_mirror_demo_ends_exact(capsys: pytest.CaptureFixture[str]) -> None:
    """The SQLite mirror takes webhooks, misses some, and one reconcile run makes it exact."""
    mirror = load_example("mirror")
    assert await mirror.main([]) == 0
    out = capsys.readouterr().out
    for line in (
        "initial sync       2000 issues",
        "webhooks applied   40",
        "webhooks lost      60 (60 rows behind)",
        "reconciled         60 newer versions",
        "mirror exact       True",
    ):
        assert line in out


def test_mirror_applies_only_newer_versions(tmp_path: Path) -> None:
    """A version older than the stored one (a late webhook) does not overwrite it."""
    with load_example("mirror").Mirror(tmp_path / "m.sqlite3") as mirror:
        assert mirror.apply({"id": "i1", "updated_at": "2026-01-02T00:00:00Z", "title": "new"})
        assert not mirror.apply({"id": "i1", "updated_at": "2026-01-01T00:00:00Z", "title": "old"})
        assert mirror.snapshot() == {"i1": "2026-01-02T00:00:00.000000+00:00"}
