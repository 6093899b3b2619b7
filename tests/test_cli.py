"""Tests of the ``pylon`` command line, run in process against the fake on a real socket."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import CANARY, EXPORT, FailSome, Serve, issue_fake, jsonl_ids, run

import pylon_client
from pylon_client._client.helpers import IssuesResource
from pylon_client._export.issues import IssueCheckpoint
from pylon_client.cli.export import CSV_COLUMNS
from pylon_client.cli.main import main
from pylon_client.cli.progress import ProgressLine
from pylon_client.testing import FakePylon, seed_demo

pytestmark = pytest.mark.usefixtures("clean_env")


# ---------------------------------------------------------------------- issues export


def test_export_jsonl_holds_each_issue_once(
    serve: Serve, capsys: pytest.CaptureFixture[str], tmp_path: Path, backend: str
) -> None:
    """A JSONL export holds every issue of the range exactly once, boundary issues included."""
    fake, inside = issue_fake()
    serve(fake)
    out = tmp_path / "issues.jsonl"
    status, _, err = run(capsys, *EXPORT, "-o", str(out), backend=backend)
    assert status == 0, err
    ids = jsonl_ids(out)
    assert len(ids) == len(set(ids)) == 120
    assert set(ids) == inside
    assert not (tmp_path / "issues.jsonl.checkpoint.json").exists()
    assert f"pylon: exported 120 issues to {out} (7 windows in " in err


def test_export_csv_columns_and_rows(
    serve: Serve, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A CSV export has the documented columns, one row per issue, tags joined by ';'."""
    fake, inside = issue_fake()
    some = sorted(inside)[0]
    fake.issues[some].update(tags=["bug", "vip"], account={"id": "acc_1"}, team={"id": "t_1"})
    serve(fake)
    out = tmp_path / "issues.csv"
    status, _, err = run(capsys, *EXPORT, "--format", "csv", "--order", "oldest", "-o", str(out))
    assert status == 0, err
    with out.open(newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
        rows = list(reader)
    assert sorted(r["id"] for r in rows) == sorted(inside)
    row = next(r for r in rows if r["id"] == some)
    assert (row["tags"], row["account_id"], row["team_id"]) == ("bug;vip", "acc_1", "t_1")
    assert row["title"] == fake.issues[some]["title"]
    created = [datetime.fromisoformat(r["created_at"]) for r in rows]
    assert created == sorted(created)


def test_export_to_stdout_with_progress(serve: Serve, capsys: pytest.CaptureFixture[str]) -> None:
    """Without -o the issues go to stdout; --progress draws the bar and a summary on stderr."""
    fake, inside = issue_fake()
    serve(fake)
    status, out, err = run(capsys, *EXPORT, "--progress")
    assert status == 0
    assert {json.loads(line)["id"] for line in out.splitlines()} == inside
    assert "windows" in err
    assert "issues" in err
    assert "exported 120 issues" in err


def test_export_resumes_after_a_failure_without_duplicates_or_gaps(
    serve: Serve, capsys: pytest.CaptureFixture[str], tmp_path: Path, backend: str
) -> None:
    """A server failure part-way leaves a checkpoint; --resume then completes exactly once."""
    fake, inside = issue_fake()
    armed = True
    failing = FailSome(fake, "GET", "/issues", lambda n: armed and n > 5)
    serve(failing)
    out = tmp_path / "issues.jsonl"
    checkpoint = tmp_path / "issues.jsonl.checkpoint.json"
    status, _, err = run(
        capsys,
        "--max-retries",
        "0",
        *EXPORT,
        "-o",
        str(out),
        "--concurrency",
        "2",
        "--checkpoint-every",
        "7",
        backend=backend,
    )
    assert status == 1
    assert err.strip().splitlines()[-1].startswith("pylon: error: GET /issues -> 500")
    assert "Traceback" not in err
    saved = json.loads(checkpoint.read_text())
    assert (saved["output_bytes"], saved["limit"]) == (out.stat().st_size, 10)
    partial = jsonl_ids(out)
    assert 0 < len(partial) < 120
    # A crash (kill -9) can leave lines after the last checkpoint, even half a line.
    with out.open("a") as handle:
        handle.write(out.read_text().splitlines()[0] + "\n" + '{"id": "half')
    armed = False
    status, _, err = run(capsys, "issues", "export", "-o", str(out), "--resume", backend=backend)
    assert status == 0, err
    ids = jsonl_ids(out)
    assert len(ids) == len(set(ids))
    assert set(ids) == inside
    assert not checkpoint.exists()
    assert {r.query["limit"] for r in fake.requests if r.path == "/issues"} == {"10"}


def test_export_ctrl_c_then_resume(
    serve: Serve,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    backend: str,
) -> None:
    """Ctrl-C mid-export exits 130 with a valid checkpoint; --resume then completes exactly once."""
    fake, inside = issue_fake()
    serve(fake)
    real = IssuesResource._fetch_window_page
    calls = 0

    async def interrupted(self: IssuesResource, *args: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 6:
            raise KeyboardInterrupt
        return await real(self, *args)

    monkeypatch.setattr(IssuesResource, "_fetch_window_page", interrupted)
    out = tmp_path / "issues.csv"
    argv = (*EXPORT, "--format", "csv", "-o", str(out), "--checkpoint-every", "5")
    status, _, err = run(capsys, *argv, backend=backend)
    assert status == 130
    assert err.strip().splitlines()[-1] == "pylon: interrupted"
    saved = json.loads((tmp_path / "issues.csv.checkpoint.json").read_text())
    IssueCheckpoint.from_dict(saved["export"])  # a checkpoint the client accepts
    monkeypatch.setattr(IssuesResource, "_fetch_window_page", real)
    status, _, err = run(capsys, "issues", "export", "-o", str(out), "--resume", backend=backend)
    assert status == 0, err
    with out.open(newline="") as handle:
        ids = [row["id"] for row in csv.DictReader(handle)]
    assert len(ids) == len(set(ids))
    assert set(ids) == inside


def test_export_refuses_to_overwrite_without_force(
    serve: Serve, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An existing output is an error without --force, and --resume needs a file."""
    fake, _ = issue_fake()
    serve(fake)
    out = tmp_path / "issues.jsonl"
    out.write_text("keep me\n")
    status, _, err = run(capsys, *EXPORT, "-o", str(out))
    assert (status, out.read_text()) == (1, "keep me\n")
    assert "--force" in err
    assert run(capsys, *EXPORT, "-o", str(out), "--force")[0] == 0
    status, _, err = run(capsys, *EXPORT, "--resume")
    assert status == 1
    assert "--resume needs -o FILE" in err


def test_export_window_options(
    serve: Serve, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A window over 30 days needs --max-window; bad dates and durations are usage errors."""
    fake, inside = issue_fake()
    serve(fake)
    out = tmp_path / "issues.jsonl"
    status, _, err = run(capsys, *EXPORT, "--window", "90d", "-o", str(out))
    assert status == 1
    assert "a window of 90 days exceeds the 30 days that GET /issues accepts" in err
    assert "--max-window 365d" in err  # a flag the CLI has
    assert "pylon: error:" in err
    # The fake accepts 30-day windows only, so a 90-day maximum is used with 12-hour windows.
    status, _, err = run(
        capsys, *EXPORT, "--window", "720h", "--max-window", "90d", "-o", str(out), "--force"
    )
    assert status == 0, err
    assert set(jsonl_ids(out)) == inside
    assert run(capsys, "issues", "export", "--since", "2026-01-01T00:00:00")[0] == 2
    assert run(capsys, "issues", "export", "--since", "2026-01-01", "--window", "3w")[0] == 2


def test_progress_line_redraws_at_most_ten_times_a_second() -> None:
    """The bar is redrawn only when 0.1 s passed since the last draw."""
    now = [0.0]
    stream = io.StringIO()
    bar = ProgressLine(stream, bar=True, clock=lambda: now[0])
    for t in (0.0, 0.05, 0.09, 0.1, 0.15, 0.5):
        now[0] = t
        bar.update(0.5, 7, 10)
    assert stream.getvalue().count("\r") == 3
    assert "-/s" in stream.getvalue()  # no rate before half a second
    assert "20/s" in stream.getvalue()  # 10 issues in 0.5 s
    bar.finish("done")
    assert stream.getvalue().endswith("\rdone\n")


# ---------------------------------------------------------------------- accounts


def account_fake() -> tuple[FakePylon, list[str]]:
    """A fake with 120 accounts; their ids in a stable order."""
    fake = FakePylon(token=CANARY, seed=3)
    seed_demo(fake, accounts=120, issues_days=1, issues_per_day=1)
    return fake, sorted(fake.accounts)


def ids_file(path: Path, ids: list[str]) -> Path:
    """Write an ids file with a comment, a blank line and a repeated id."""
    path.write_text("# accounts to tag\n\n" + "\n".join([*ids, ids[0]]) + "\n")
    return path


def test_update_many_reports_a_failed_batch_and_reruns_it(
    serve: Serve, capsys: pytest.CaptureFixture[str], tmp_path: Path, backend: str
) -> None:
    """A failed batch gives status 1, a report naming it, and a failed-ids file that re-runs."""
    fake, ids = account_fake()
    failing = FailSome(fake, "PATCH", "/accounts", lambda n: n == 2)
    serve(failing)
    source = ids_file(tmp_path / "ids.txt", ids)
    argv = ("accounts", "update-many", "--add-tag", "vip", "--batch-size", "40")
    status, out, err = run(
        capsys, *argv, "--concurrency", "1", "--ids-file", str(source), backend=backend
    )
    assert status == 1
    assert "updated: 80 of 120 accounts in 3 batches; failed: 40 accounts" in out
    assert "batch 2 (40 ids, request id req_injected_2)" in out
    last = err.strip().splitlines()[-1]
    assert last.startswith("pylon: error: of 120 accounts, 40 failed (re-run with --ids-file")
    assert not (tmp_path / "ids.txt.refused").exists()
    failed_file = tmp_path / "ids.txt.failed"
    failed = [x for x in failed_file.read_text().splitlines() if not x.startswith("#")]
    assert failed == ids[40:80] == failing.failed_bodies[0]["account_ids"]
    assert all("vip" in fake.accounts[i]["tags"] for i in ids[:40] + ids[80:])
    status, out, _ = run(capsys, *argv, "--ids-file", str(failed_file), backend=backend)
    assert status == 0
    assert "40 of 40 accounts" in out
    assert all("vip" in fake.accounts[i]["tags"] for i in ids)


def test_update_many_reports_refused_ids_alone_and_lands_the_rest(
    serve: Serve, capsys: pytest.CaptureFixture[str], tmp_path: Path, backend: str
) -> None:
    """An unknown id among good ones: the good ones land, the refused one is named with why."""
    fake, ids = account_fake()
    serve(fake)
    source = ids_file(tmp_path / "ids.txt", [*ids[:30], "acc_unknown", *ids[30:60]])
    argv = ("accounts", "update-many", "--add-tag", "vip", "--ids-file", str(source))
    status, out, err = run(capsys, *argv, backend=backend)
    assert status == 1
    assert "updated: 60 of 61 accounts in 1 batch; failed: 1 account (1 refused by Pylon)" in out
    assert "refused acc_unknown (request id req_" in out
    assert "no account with id 'acc_unknown'" in out
    assert all("vip" in fake.accounts[i]["tags"] for i in ids[:60])
    refused = (tmp_path / "ids.txt.refused").read_text().splitlines()
    assert [line.split("\t")[0] for line in refused if not line.startswith("#")] == ["acc_unknown"]
    assert not (tmp_path / "ids.txt.failed").exists()
    assert "1 refused by Pylon (ids and reasons in" in err.strip().splitlines()[-1]


def test_update_many_dry_run_sends_nothing(
    serve: Serve,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """--dry-run prints the batches and body, sends nothing, and needs no token."""
    fake, ids = account_fake()
    serve(fake)
    monkeypatch.delenv("PYLON_API_TOKEN")
    source = ids_file(tmp_path / "ids.txt", ids)
    status, out, _ = run(
        capsys,
        *("accounts", "update-many", "--ids-file", str(source), "--set-tags", "a, b"),
        *("--disable", "--batch-size", "50", "--dry-run"),
    )
    assert status == 0
    assert "would be sent 3 times for 120 ids" in out
    assert '"tags_apply_mode": "replace"' in out
    assert '"is_disabled": true' in out
    assert fake.requests == []


def test_update_many_options_are_checked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Two tag modes, no field at all, or a batch over 100 are refused before anything is sent."""
    source = ids_file(tmp_path / "ids.txt", ["a", "b"])
    base = ("accounts", "update-many", "--ids-file", str(source), "--dry-run")
    assert run(capsys, *base, "--add-tag", "x", "--remove-tag", "y")[0] == 2
    status, _, err = run(capsys, *base)
    assert (status, err.count("\n")) == (1, 1)
    status, _, err = run(capsys, *base, "--add-tag", "x", "--batch-size", "101")
    assert status == 1
    assert "batch_size must be from 1 to 100" in err


def test_merge_happy_path(serve: Serve, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Merge folds the listed accounts into the target."""
    fake, ids = account_fake()
    serve(fake)
    source = ids_file(tmp_path / "dupes.txt", ids[1:4])
    status, out, _ = run(capsys, "accounts", "merge", "--into", ids[0], "--ids-file", str(source))
    assert status == 0
    assert f"merged into {ids[0]}: 3 of 3 accounts in 1 batch; failed: 0 accounts" in out
    assert ids[0] in fake.accounts
    assert not set(ids[1:4]) & set(fake.accounts)


def test_merge_target_in_list_is_refused(
    serve: Serve, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A target that is also in the ids file is one line, status 1, and nothing is sent."""
    fake, ids = account_fake()
    serve(fake)
    source = ids_file(tmp_path / "dupes.txt", ids[:3])
    status, out, err = run(capsys, "accounts", "merge", "--into", ids[0], "--ids-file", str(source))
    assert (status, out) == (1, "")
    assert err.count("\n") == 1
    assert "cannot be merged into itself" in err
    assert fake.requests == []


# ---------------------------------------------------------------------- tasks, projects, milestones


def test_tasks_round_trip(serve: Serve, capsys: pytest.CaptureFixture[str]) -> None:
    """Create, get, update, list, search and delete a task, as tables and as JSON."""
    fake = FakePylon(token=CANARY, seed=5)
    seed_demo(fake, accounts=20, issues_days=1, issues_per_day=1)
    serve(fake)
    account = sorted(fake.accounts)[0]
    status, out, _ = run(
        capsys,
        *("tasks", "create", "--title", "Kickoff call", "--account-id", account),
        *("--due-date", "2026-03-01", "--json"),
    )
    assert status == 0
    task = json.loads(out)
    assert (task["title"], task["account"]["id"]) == ("Kickoff call", account)
    task_id = task["id"]
    status, out, _ = run(capsys, "tasks", "get", task_id)
    header, row = out.splitlines()
    assert header.split() == ["ID", "TITLE", "STATUS", "ACCOUNT", "PROJECT", "ASSIGNEE", "DUE"]
    assert row.split() == [task_id, "Kickoff", "call", "not_started", account, "2026-03-01"]
    assert header.index("STATUS") == row.index("not_started")  # aligned columns
    status, out, _ = run(
        capsys,
        *("tasks", "update", task_id, "--status", "in_progress"),
        *("--field", "customer_portal_visible:=true", "--json"),
    )
    assert status == 0
    assert json.loads(out)["status"] == "in_progress"
    assert fake.tasks[task_id]["customer_portal_visible"] is True
    status, out, err = run(capsys, "tasks", "list")
    assert status == 0
    assert task_id in out
    assert f"{len(fake.tasks)} tasks" in err
    status, out, _ = run(
        capsys, "tasks", "search", "--status", "in_progress", "--account-id", account, "--json"
    )
    assert [t["id"] for t in json.loads(out)] == [task_id]
    filt = json.dumps({"field": "account_id", "operator": "equals", "value": account})
    status, out, _ = run(capsys, "tasks", "search", "--filter", filt, "--json")
    assert task_id in [t["id"] for t in json.loads(out)]
    assert run(capsys, "tasks", "delete", task_id) == (0, f"deleted task {task_id}\n", "")
    assert task_id not in fake.tasks


def test_projects_and_milestones_create_and_search(
    serve: Serve, capsys: pytest.CaptureFixture[str]
) -> None:
    """Projects and milestones are created, listed by search, and found by filter."""
    fake = FakePylon(token=CANARY, seed=5)
    seed_demo(fake, accounts=20, issues_days=1, issues_per_day=1)
    serve(fake)
    account = sorted(fake.accounts)[0]
    status, out, _ = run(
        capsys,
        *("projects", "create", "--account-id", account, "--name", "Onboarding X"),
        *("--start-date", "2026-02-01", "--json"),
    )
    assert status == 0
    project = json.loads(out)["id"]
    status, out, _ = run(capsys, "projects", "search", "--account-id", account)
    assert project in out
    assert "Onboarding X" in out
    status, out, _ = run(
        capsys, "milestones", "create", "--name", "Go-live", "--project-id", project, "--json"
    )
    milestone = json.loads(out)["id"]
    status, out, _ = run(capsys, "milestones", "search", "--project-id", project, "--json")
    assert [m["id"] for m in json.loads(out)] == [milestone]
    status, out, _ = run(capsys, "milestones", "list", "--max-items", "500")
    assert milestone in out
    status, _, err = run(capsys, "milestones", "create", "--name", "No project")
    assert (status, err.count("\n")) == (2, 1)
    assert "required: --project-id" in err


# ---------------------------------------------------------------------- errors


def test_no_token_is_one_line_naming_the_variable(capsys: pytest.CaptureFixture[str]) -> None:
    """Without a token the command fails with one line naming PYLON_API_TOKEN."""
    status, out, err = run(capsys, "tasks", "list")
    assert (status, out) == (1, "")
    assert err.count("\n") == 1
    assert "PYLON_API_TOKEN" in err
    assert "Traceback" not in err


def test_token_file_is_read(
    serve: Serve,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """--token-file supplies the token from its first line."""
    fake = FakePylon(token=CANARY, seed=5)
    serve(fake)
    monkeypatch.delenv("PYLON_API_TOKEN")
    token_file = tmp_path / "token"
    token_file.write_text(f"  {CANARY}  \nsecond line\n")
    assert run(capsys, "--token-file", str(token_file), "tasks", "list")[0] == 0
    assert run(capsys, "tasks", "list", "--token-file", str(tmp_path / "none"))[0] == 1


def test_not_found_is_one_line_with_the_code(
    serve: Serve, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 404 is one line with Pylon's code and status 1; --debug adds the traceback."""
    serve(FakePylon(token=CANARY, seed=5))
    status, out, err = run(capsys, "tasks", "get", "no-such-task")
    assert (status, out) == (1, "")
    assert err.count("\n") == 1
    assert "404 not_found" in err
    status, _, err = run(capsys, "--debug", "tasks", "get", "no-such-task")
    assert status == 1
    assert "Traceback" in err
    assert "NotFoundError" in err
    assert "GET /tasks/no-such-task -> 404" in err  # the DEBUG log line of the request


def test_wrong_token_never_shows_the_token(
    serve: Serve, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rejected token is reported as a 401 line, without the token, even with --debug."""
    serve(FakePylon(token="the-right-token", seed=5))
    monkeypatch.setenv("PYLON_API_TOKEN", CANARY)
    status, _, err = run(capsys, "tasks", "list", "--debug")
    assert status == 1
    assert "401 invalid_api_token" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """Unknown commands and bad option values are usage errors (status 2)."""
    assert run(capsys, "tasks", "frobnicate")[0] == 2
    assert run(capsys, "tasks", "create", "--field", "no-equals-sign")[0] == 2
    assert run(capsys, "--help")[0] == 0


def test_fake_serve_delegates_and_explains_a_missing_extra(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`pylon fake serve` parses with the testing package's parser, or names the missing extra."""
    import pylon_client.testing.__main__ as testing_main

    seen: list[Any] = []

    def record(args: Any) -> int:
        seen.append(args)
        return 0

    monkeypatch.setattr(testing_main, "serve", record)
    assert run(capsys, "fake", "serve", "--port", "9999", "--scale", "10")[0] == 0
    (args,) = seen
    assert (args.host, args.port, args.scale, args.token) == ("127.0.0.1", 9999, 10.0, "test-token")
    assert args.no_rate_limits is False  # Pylon's rate limits are on unless turned off
    monkeypatch.delitem(sys.modules, "pylon_client.testing.__main__")
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    status, _, err = run(capsys, "fake", "serve")
    assert status == 1
    assert "pylon-client[testing]" in err
    assert "uvicorn" in err


def test_help_does_not_load_the_testing_package() -> None:
    """Building the parser and printing --help imports neither the fake nor the models."""
    code = (
        "import sys; from pylon_client.cli.main import main; main(['--help']); "
        "print([m for m in sys.modules if m.startswith('pylon_client.testing')"
        " or m.startswith('pylon_client._generated.models')])"
    )
    result = subprocess.run(  # noqa: S603 (our own interpreter and a fixed script)
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines()[-1] == "[]"


# ---------------------------------------------------------------------- task comments, statuses


@pytest.mark.parametrize("source", ["argument", "file", "stdin"])
def test_task_comments_from_an_argument_a_file_or_stdin(
    serve: Serve,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    source: str,
) -> None:
    """``tasks comment`` adds the body as given; ``tasks comments`` lists it, table or JSON."""
    fake = FakePylon(token=CANARY, seed=5)
    seed_demo(fake, accounts=10, issues_days=1, issues_per_day=1)
    serve(fake)
    task_id = sorted(fake.tasks)[0]
    html = "<p>Called the customer</p>"
    if source == "argument":
        body = ["--body", html]
    elif source == "file":
        (tmp_path / "note.html").write_text(html)
        body = ["--body-file", str(tmp_path / "note.html")]
    else:
        monkeypatch.setattr("sys.stdin", io.StringIO(html))
        body = ["--body-file", "-"]
    status, out, _ = run(capsys, "tasks", "comment", task_id, *body, "--internal", "--json")
    assert status == 0
    created = json.loads(out)
    assert (created["body_html"], created["is_internal"], created["task_id"]) == (
        html,
        True,
        task_id,
    )
    status, out, err = run(capsys, "tasks", "comments", task_id)
    header, row = out.splitlines()
    assert header.split() == ["ID", "AUTHOR", "CREATED", "INTERNAL", "BODY"]
    assert row.startswith(created["id"])
    assert "<p>Called the customer</p>" in row
    assert err.strip() == "1 comment"


def test_an_empty_comment_is_refused_before_sending(
    serve: Serve, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An empty body is a one-line error and nothing is sent."""
    fake = FakePylon(token=CANARY, seed=5)
    serve(fake)
    (tmp_path / "empty.html").write_text("  \n")
    status, _, err = run(
        capsys, "tasks", "comment", "t1", "--body-file", str(tmp_path / "empty.html")
    )
    assert status == 1
    assert "the comment is empty" in err
    assert fake.requests == []


def test_task_statuses_lists_the_built_ins(
    serve: Serve, capsys: pytest.CaptureFixture[str]
) -> None:
    """``task-statuses`` prints each status's slug, label and category."""
    serve(FakePylon(token=CANARY, seed=5))
    status, out, _ = run(capsys, "task-statuses")
    assert status == 0
    slugs = [line.split()[0] for line in out.splitlines()[1:]]
    assert {"not_started", "in_progress", "completed"} <= set(slugs)
    status, out, _ = run(capsys, "task-statuses", "--json")
    assert {s["slug"] for s in json.loads(out)} >= {"not_started", "in_progress", "completed"}


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """``pylon --version`` prints the package version."""
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"pylon {pylon_client.__version__}"


def test_an_insecure_base_url_names_the_flag_that_allows_it(
    serve: Serve, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The error points at --allow-insecure, which the CLI has, and the flag lets it through."""
    monkeypatch.setenv("PYLON_API_TOKEN", CANARY)
    status, _, err = run(capsys, "--base-url", "http://10.0.0.7:9", "tasks", "list")
    assert status == 1
    assert "--allow-insecure" in err
    fake = FakePylon(token=CANARY, seed=5)
    serve(fake)
    assert run(capsys, "--allow-insecure", "tasks", "list")[0] == 0


def test_a_count_of_one_is_singular(serve: Serve, capsys: pytest.CaptureFixture[str]) -> None:
    """A count of one is singular: "1 task", not "1 tasks"."""
    fake = FakePylon(token=CANARY, seed=5)
    serve(fake)
    run(capsys, "tasks", "create", "--title", "Only")
    status, _, err = run(capsys, "tasks", "list")
    assert status == 0
    assert err.strip() == f"{len(fake.tasks)} task" + ("" if len(fake.tasks) == 1 else "s")
    assert len(fake.tasks) == 1
