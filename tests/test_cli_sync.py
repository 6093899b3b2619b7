"""``pylon issues sync``: runs that append each changed version once, whatever stops them."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from cli_helpers import CANARY, FailSome, Serve, run

from pylon_client.testing import DEMO_START, FakePylon, add_issues, touch_issues


def versions(path: Path) -> Counter[tuple[str, str]]:
    """(id, updated_at) of every line of a sync's output."""
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    return Counter((line["id"], line["updated_at"]) for line in lines)


def fake_with_issues(n: int = 120) -> FakePylon:
    """A fake with ``n`` issues over 90 days."""
    fake = FakePylon(token=CANARY, seed=21)
    add_issues(fake, n, DEMO_START, DEMO_START.replace(month=4), seed=21)
    return fake


def current(fake: FakePylon) -> Counter[tuple[str, str]]:
    """Every issue's current version, as the output writes it."""
    return Counter((i, o["updated_at"].replace("Z", "+00:00")) for i, o in fake.issues.items())


def test_runs_append_each_change_once(
    serve: Serve, capsys: pytest.CaptureFixture[str], tmp_path: Path, backend: str
) -> None:
    """The first run writes every issue, a quiet run nothing, the next run only what changed."""
    fake = fake_with_issues()
    serve(fake)
    out, state = tmp_path / "changes.jsonl", tmp_path / "sync.json"
    args = ("issues", "sync", "--state", str(state), "-o", str(out), "--limit", "25")
    status, _, err = run(capsys, *args, "--since", "2026-01-01", backend=backend)
    assert status == 0, err
    assert versions(out) == current(fake)
    assert "120 changed issues" in err
    assert run(capsys, *args, backend=backend)[0] == 0
    assert sum(versions(out).values()) == 120
    touched = touch_issues(fake, list(fake.issues)[:5], fields={"state": "closed"})
    assert run(capsys, *args, backend=backend)[0] == 0
    got = versions(out)
    assert sum(got.values()) == 125
    assert max(got.values()) == 1
    for issue in touched:
        assert (issue["id"], issue["updated_at"].replace("Z", "+00:00")) in got


def test_a_run_that_fails_is_finished_by_the_next(
    serve: Serve, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A run cut off by failures saves its place; the next run writes the rest, nothing twice."""
    fake = fake_with_issues(400)
    broken = FailSome(fake, "POST", "/issues/search", lambda n: n > 6)
    serve(broken)
    out, state = tmp_path / "changes.jsonl", tmp_path / "sync.json"
    args: tuple[str, ...] = ("issues", "sync", "--state", str(state), "-o", str(out))
    args += ("--limit", "20", "--concurrency", "1", "--max-retries", "0", "--since", "2026-01-01")
    status, _, err = run(capsys, *args)
    assert status == 1
    assert "the next run continues" in err
    assert 0 < sum(versions(out).values()) < 400
    broken.fail = lambda n: False
    assert run(capsys, *args)[0] == 0
    assert versions(out) == current(fake)


def test_the_first_run_needs_since(
    serve: Serve, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Without a state file, --since is required; nothing is sent."""
    fake = fake_with_issues(3)
    serve(fake)
    status, _, err = run(capsys, "issues", "sync", "--state", str(tmp_path / "s.json"))
    assert status == 1
    assert "--since" in err
    assert fake.requests == []


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("not json", id="not-json"),
        pytest.param('{"version": 1}', id="no-feed"),
        pytest.param('{"version": 1, "output_bytes": 0, "feed": {"kind": "tasks"}}', id="bad-feed"),
    ],
)
def test_a_malformed_state_file_is_refused(
    serve: Serve, capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str
) -> None:
    """A state file that is not one of ours stops the command before any request."""
    fake = fake_with_issues(3)
    serve(fake)
    state = tmp_path / "sync.json"
    state.write_text(content)
    status, _, err = run(capsys, "issues", "sync", "--state", str(state))
    assert status == 1
    assert "not a readable sync state" in err
    assert fake.requests == []


def test_since_on_a_later_run_is_ignored_with_a_warning(
    serve: Serve, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Once the state holds a watermark, --since is ignored with a warning on how to restart."""
    fake = fake_with_issues(30)
    serve(fake)
    out, state = tmp_path / "changes.jsonl", tmp_path / "sync.json"
    args = ("issues", "sync", "--state", str(state), "-o", str(out))
    status, _, err = run(capsys, *args, "--since", "2026-01-01")
    assert status == 0, err
    assert "warning" not in err
    watermark = json.loads(state.read_text())["feed"]["until"]
    status, _, err = run(capsys, *args, "--since", "2026-03-01")
    assert status == 0, err
    first = err.splitlines()[0]
    assert first.startswith(
        f"pylon: warning: --since is ignored: {state} already holds a watermark of "
        f"{watermark[:10]} {watermark[11:19]} UTC;"
    )
    assert first.endswith(
        f"to start over from --since, delete {state} (the output is then written afresh)"
    )
    assert versions(out) == current(fake)  # nothing re-read from --since
    assert "warning" not in run(capsys, *args)[2]


def test_sync_off_a_terminal_reports_progress_and_a_final_count(
    serve: Serve,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without a terminal the sync prints plain progress lines and a final count line."""
    import pylon_client.cli.progress as cli_progress

    monkeypatch.setattr(cli_progress, "PROGRESS_LINE_SECONDS", 0.0)  # a line per issue
    fake = fake_with_issues(40)
    serve(fake)
    out, state = tmp_path / "changes.jsonl", tmp_path / "sync.json"
    argv = ("issues", "sync", "--state", str(state), "-o", str(out), "--since", "2026-01-01")
    status, _, err = run(capsys, *argv)
    assert status == 0, err
    lines = err.splitlines()
    assert "\r" not in err
    assert lines[0].startswith("pylon: appended 1 changed issue (")
    assert all(
        re.fullmatch(r"pylon: appended [\d,]+ changed issues? \(\d+%\)", x) for x in lines[:-1]
    )
    assert len(lines) == 41
    assert lines[-1].startswith(
        f"pylon: appended 40 changed issues to {out} (changed from 2026-01-01"
    )
