"""What a new user of ``pylon`` meets first: accounts and contacts, errors, help, counts, progress.

The commands run in process against the fake on loopback (the ``serve`` fixture of
``conftest``); the fake's own ``serve`` command runs in a subprocess where it must really serve.
"""

from __future__ import annotations

import importlib.util
import io
import json
import re
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cli_helpers import (
    CANARY,
    EXPORT,
    FailSome,
    Serve,
    issue_fake,
    jsonl_ids,
    read_line,
    run,
    serving,
)

import pylon_client.cli.progress as cli_progress
import pylon_client.testing.__main__ as testing_main
from pylon_client import Pylon
from pylon_client.cli.common import plural
from pylon_client.cli.main import main
from pylon_client.cli.progress import ProgressLine
from pylon_client.testing import FakePylon, seed_demo

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.usefixtures("clean_env")


def small_fake() -> FakePylon:
    """A fake with a few accounts, contacts and users."""
    fake = FakePylon(token=CANARY, seed=11)
    seed_demo(fake, accounts=5, issues_days=1, issues_per_day=1)
    return fake


# ---------------------------------------------------------------------- accounts, contacts


def test_accounts_create_get_update_list_delete(
    serve: Serve, capsys: pytest.CaptureFixture[str]
) -> None:
    """`pylon accounts` creates, shows, changes, lists (GET, with --limit) and deletes accounts."""
    fake = small_fake()
    serve(fake)
    owner = sorted(fake.users)[0]
    status, out, err = run(
        capsys,
        *("accounts", "create", "--name", "Acme", "--domains", "acme.com, acme.io"),
        *("--primary-domain", "acme.io", "--owner-id", owner, "--tags", "vip,beta"),
        *("--account-type", "partner", "--json"),
    )
    assert status == 0, err
    account = json.loads(out)
    assert (account["name"], account["primary_domain"], account["type"]) == (
        "Acme",
        "acme.io",
        "partner",
    )
    assert (sorted(account["domains"]), account["tags"]) == (
        ["acme.com", "acme.io"],
        ["vip", "beta"],
    )
    assert account["owner"]["id"] == owner
    account_id = account["id"]
    status, out, _ = run(capsys, "accounts", "get", account_id)
    header, row = out.splitlines()
    assert header.split() == ["ID", "NAME", "DOMAIN", "TYPE", "OWNER", "TAGS", "DISABLED"]
    assert row.split() == [account_id, "Acme", "acme.io", "partner", owner, "vip,beta"]
    status, out, err = run(
        capsys,
        *("accounts", "update", account_id, "--name", "Acme Inc", "--tags", ""),
        *("--is-disabled", "true", "--json"),
    )
    assert status == 0, err
    assert fake.accounts[account_id]["name"] == "Acme Inc"
    assert (fake.accounts[account_id]["tags"], fake.accounts[account_id]["is_disabled"]) == (
        [],
        True,
    )
    fake.reset_log()
    status, out, err = run(capsys, "accounts", "list", "--limit", "2")
    assert status == 0, err
    assert account_id in {line.split()[0] for line in out.splitlines()[1:]}
    assert err == f"{len(fake.accounts)} accounts\n"
    pages = [r for r in fake.requests if r.operation == "GET /accounts"]
    assert len(pages) == 3
    assert {r.query["limit"] for r in pages} == {"2"}
    assert run(capsys, "accounts", "delete", account_id) == (
        0,
        f"deleted account {account_id}\n",
        "",
    )
    assert account_id not in fake.accounts


def test_contacts_create_get_update_list_search_delete(
    serve: Serve, capsys: pytest.CaptureFixture[str]
) -> None:
    """`pylon contacts` creates, shows, changes, lists (GET, with --limit) and deletes contacts."""
    fake = small_fake()
    serve(fake)
    account = sorted(fake.accounts)[0]
    status, out, err = run(
        capsys,
        *("contacts", "create", "--name", "Ada", "--email", "ada@example.com"),
        *("--account-id", account, "--phone-numbers", "15550100,15550101", "--json"),
    )
    assert status == 0, err
    contact = json.loads(out)
    assert (contact["name"], contact["email"], contact["account"]["id"]) == (
        "Ada",
        "ada@example.com",
        account,
    )
    assert contact["phone_numbers"] == ["15550100", "15550101"]
    contact_id = contact["id"]
    status, out, _ = run(capsys, "contacts", "get", contact_id)
    header, row = out.splitlines()
    assert header.split() == ["ID", "NAME", "EMAIL", "ACCOUNT", "PHONE", "PORTAL_ROLE"]
    assert row.split()[:5] == [contact_id, "Ada", "ada@example.com", account, "15550100"]
    status, _, err = run(capsys, "contacts", "update", contact_id, "--email", "ada@example.org")
    assert status == 0, err
    assert fake.contacts[contact_id]["email"] == "ada@example.org"
    fake.reset_log()
    status, out, err = run(capsys, "contacts", "list", "--limit", "1")
    assert status == 0, err
    assert contact_id in {line.split()[0] for line in out.splitlines()[1:]}
    assert err == plural(len(fake.contacts), "contact") + "\n"
    pages = [r for r in fake.requests if r.operation == "GET /contacts"]
    assert {r.query["limit"] for r in pages} == {"1"}
    assert len(pages) >= len(fake.contacts)
    status, out, _ = run(capsys, "contacts", "search", "--email", "ada@example.org", "--json")
    assert [c["id"] for c in json.loads(out)] == [contact_id]
    assert run(capsys, "contacts", "delete", contact_id)[0] == 0
    assert contact_id not in fake.contacts


def test_accounts_is_one_group_with_the_bulk_commands(capsys: pytest.CaptureFixture[str]) -> None:
    """`pylon accounts` holds the object commands and update-many and merge, listed once."""
    status, out, _ = run(capsys, "accounts", "--help")
    assert status == 0
    commands = re.findall(r"^    (\S+)", out, flags=re.M)
    assert commands == [
        "list",
        "get",
        "create",
        "update",
        "delete",
        "search",
        "update-many",
        "merge",
    ]
    _, out, _ = run(capsys, "--help")
    assert re.findall(r"^    accounts\b", out, flags=re.M) == ["    accounts"]


@pytest.mark.parametrize("kind", ["projects", "milestones"])
def test_list_help_says_there_is_no_list_endpoint(
    kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Projects' and milestones' `list` says it goes through search, as Pylon has no list."""
    expected = f"through POST /{kind}/search (Pylon has no list endpoint)"
    for argv in ((kind, "--help"), (kind, "list", "--help")):
        status, out, _ = run(capsys, *argv)
        assert status == 0
        assert expected in " ".join(out.split())


# ---------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("argv", "ending"),
    [
        pytest.param(("frobnicate",), "(see 'pylon --help')", id="unknown-group"),
        pytest.param(("tasks", "frobnicate"), "(see 'pylon tasks --help')", id="unknown-command"),
        pytest.param(
            ("tasks", "list", "--bogus"),
            "unrecognized arguments: --bogus (see 'pylon tasks list --help')",
            id="unknown-option",
        ),
        pytest.param(
            ("accounts", "merge", "--into", "a"),
            "required: --ids-file (see 'pylon accounts merge --help')",
            id="missing-required",
        ),
        pytest.param(
            ("contacts", "create"),
            "required: --name (see 'pylon contacts create --help')",
            id="create-without-name",
        ),
        pytest.param(
            ("tasks", "list", "--limit", "0"),
            "--limit: N must be at least 1, got 0 (see 'pylon tasks list --help')",
            id="limit-zero",
        ),
        pytest.param(
            ("fake", "serve", "--token-file", "t"),
            "unrecognized arguments: --token-file t (see 'pylon fake serve --help')",
            id="fake-takes-no-client-options",
        ),
    ],
)
def test_usage_errors_are_one_line_naming_the_commands_help(
    argv: tuple[str, ...], ending: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A usage error is one line, `pylon: error: ...`, pointing at the command's help; status 2."""
    status, out, err = run(capsys, *argv)
    assert (status, out) == (2, "")
    assert err.count("\n") == 1
    assert err.startswith("pylon: error: ")
    assert err.rstrip("\n").endswith(ending)
    assert "usage:" not in err


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        pytest.param(("tasks", "create", "--title", "x", "--due-date"), "--due-date", id="create"),
        pytest.param(("tasks", "update", "t1", "--due-date"), "--due-date", id="update"),
        pytest.param(
            ("projects", "create", "--account-id", "a", "--name", "n", "--start-date"),
            "--start-date",
            id="project",
        ),
        pytest.param(
            ("issues", "export", "--until", "2026-07-01", "--since"), "--since", id="export"
        ),
    ],
)
def test_an_impossible_date_names_the_flag_and_the_value(
    serve: Serve, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], flag: str
) -> None:
    """2026-02-30 is a one-line usage error naming the option and the value; nothing is sent."""
    fake = FakePylon(token=CANARY, seed=5)
    serve(fake)
    status, out, err = run(capsys, *argv, "2026-02-30")
    assert (status, out, err.count("\n")) == (2, "", 1)
    assert err.startswith(f"pylon: error: argument {flag}: 2026-02-30 is not a valid date (")
    assert "unexpected" not in err
    assert fake.requests == []


MISTAKES = [
    pytest.param(("tasks", "comment", "t1", "--body-file", "{binary}"), id="binary-body-file"),
    pytest.param(("issues", "reply", "i1", "--file", "{binary}"), id="binary-reply-file"),
    pytest.param(("--token-file", "{binary}", "tasks", "list"), id="binary-token-file"),
    pytest.param(("--token-file", "{tmp}", "tasks", "list"), id="token-file-is-a-directory"),
    pytest.param(
        ("accounts", "update-many", "--ids-file", "{binary}", "--add-tag", "x"),
        id="binary-ids-file",
    ),
    pytest.param(
        ("accounts", "update-many", "--ids-file", "{ids}", "--add-tag", "x", "--batch-size", "0"),
        id="batch-size-zero",
    ),
    pytest.param(("accounts", "update", "a1", "--is-disabled", "maybe"), id="not-a-boolean"),
    pytest.param(("accounts", "create", "--name", "x", "--account-type", "big"), id="bad-type"),
    pytest.param(("--max-retries", "-1", "tasks", "list"), id="negative-retries"),
    pytest.param(("--base-url", "nonsense", "tasks", "list"), id="bad-base-url"),
    pytest.param(("tasks", "list", "--limit", "5000"), id="limit-over-pylons"),
    pytest.param(("tasks", "search", "--filter", '{"field": "title"}'), id="bad-filter"),
    pytest.param(("tasks", "update", "t1"), id="nothing-to-update"),
    pytest.param(("tasks", "create", "--title", "x", "--due-date", "soon"), id="not-a-date"),
    pytest.param(
        ("issues", "export", "--since", "2026-07-01", "--until", "2026-01-01"), id="reversed-range"
    ),
    pytest.param(
        ("issues", "export", "-o", "{tmp}/none.jsonl", "--resume"), id="nothing-to-resume"
    ),
    pytest.param(
        ("issues", "sync", "--state", "{tmp}", "--since", "2026-01-01"), id="state-is-dir"
    ),
    pytest.param(("issues", "sync", "--state", "{tmp}/s.json", "--limit", "0"), id="sync-limit"),
    pytest.param(("fake", "serve", "--scale", "0"), id="fake-scale-zero"),
    pytest.param(("fake", "serve", "--port", "70000"), id="fake-port-too-big"),
    pytest.param(("fake", "serve", "--log-size", "-1"), id="fake-log-size"),
    pytest.param(("fake", "serve", "--scale", "2", "--no-rate-limits"), id="fake-scale-no-limits"),
]


@pytest.mark.parametrize("argv", MISTAKES)
def test_user_mistakes_are_one_line_and_never_unexpected(
    serve: Serve,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    argv: tuple[str, ...],
) -> None:
    """Whatever a user gets wrong is one line and a non-zero status; "unexpected" is for bugs."""
    serve(small_fake())
    monkeypatch.setattr(testing_main, "serve", lambda args: 0)  # never block on a socket
    (tmp_path / "binary").write_bytes(b"\xff\xfe\x00 not text")
    (tmp_path / "ids.txt").write_text("a1\na2\n")
    paths = {"{binary}": tmp_path / "binary", "{ids}": tmp_path / "ids.txt", "{tmp}": tmp_path}
    for name, path in paths.items():
        argv = tuple(a.replace(name, str(path)) for a in argv)
    status, _, err = run(capsys, *argv)
    assert status in (1, 2)
    assert err.count("\n") == 1, err
    assert err.startswith("pylon: error: ")
    assert "unexpected" not in err
    assert "Traceback" not in err


# ---------------------------------------------------------------------- help


@pytest.mark.parametrize(
    ("argv", "flags"),
    [
        pytest.param(("tasks", "create"), ["--title"], id="tasks-create"),
        pytest.param(("accounts", "create"), ["--name"], id="accounts-create"),
        pytest.param(("projects", "create"), ["--account-id", "--name"], id="projects-create"),
        pytest.param(("accounts", "merge"), ["--ids-file", "--into"], id="accounts-merge"),
        pytest.param(("accounts", "update-many"), ["--ids-file"], id="update-many"),
        pytest.param(("issues", "sync"), ["--state"], id="issues-sync"),
    ],
)
def test_required_options_have_their_own_heading(
    argv: tuple[str, ...], flags: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Required options are listed under "required options", first, and unbracketed in usage."""
    status, out, _ = run(capsys, *argv, "--help")
    assert status == 0
    usage, _, rest = out.partition("\n\n")
    usage = " ".join(usage.split())
    headed = [block for block in rest.split("\n\n") if block.split("\n", 1)[0].endswith(":")]
    sections = {block.split("\n", 1)[0]: block for block in headed}
    required = sections["required options:"]
    options = sections["options:"]
    assert list(sections).index("required options:") < list(sections).index("options:")
    for flag in flags:
        assert re.search(rf"^  {flag}\b", required, flags=re.M)
        assert not re.search(rf"^  {flag}\b", options, flags=re.M)
        assert f" {flag} " in usage
        assert f"[{flag}" not in usage


# ---------------------------------------------------------------------- counts


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        pytest.param(1, "task", "1 task", id="one"),
        pytest.param(0, "task", "0 tasks", id="zero"),
        pytest.param(2, "batch", "2 batches", id="es"),
        pytest.param(1234, "changed issue", "1,234 changed issues", id="thousands"),
    ],
)
def test_plural(count: int, noun: str, expected: str) -> None:
    """`plural` says "1 task" and "2 tasks", with a thousands separator."""
    assert plural(count, noun) == expected


def test_counts_of_one_are_singular(
    serve: Serve, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Lists and bulk reports say "1 account" and "1 batch", never "1 accounts"."""
    fake = FakePylon(token=CANARY, seed=5)
    serve(fake)
    _, out, _ = run(capsys, "accounts", "create", "--name", "Only", "--json")
    account_id = json.loads(out)["id"]
    assert run(capsys, "accounts", "list")[2] == "1 account\n"
    run(capsys, "contacts", "create", "--name", "Only")
    assert run(capsys, "contacts", "list")[2] == "1 contact\n"
    ids = tmp_path / "ids.txt"
    ids.write_text(f"{account_id}\n")
    status, out, _ = run(
        capsys, "accounts", "update-many", "--ids-file", str(ids), "--add-tag", "x"
    )
    assert status == 0
    assert out == "updated: 1 of 1 account in 1 batch; failed: 0 accounts\n"
    _, out, _ = run(
        capsys, "accounts", "update-many", "--ids-file", str(ids), "--add-tag", "x", "--dry-run"
    )
    assert "would be sent once for 1 id;" in out
    assert "batch 1: 1 id," in out


# ---------------------------------------------------------------------- progress


def test_plain_progress_lines_come_every_interval() -> None:
    """Off a terminal, a plain line comes once per interval, never more often, then the total."""
    now = [0.0]
    stream = io.StringIO()
    progress = ProgressLine(stream, bar=False, interval=5.0, clock=lambda: now[0])
    for t, issues in ((0.0, 10), (1.0, 400), (4.9, 1100), (5.0, 1200), (6.0, 1300), (10.1, 2000)):
        now[0] = t
        progress.update(issues / 5000, 3, issues)
    progress.finish("pylon: exported 2,000 issues to issues.jsonl")
    assert stream.getvalue().splitlines() == [
        "pylon: exported 1,200 issues (24%)",
        "pylon: exported 2,000 issues (40%)",
        "pylon: exported 2,000 issues to issues.jsonl",
    ]
    assert "\r" not in stream.getvalue()


def test_export_off_a_terminal_reports_progress_and_a_final_count(
    serve: Serve,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without a terminal the export prints plain progress lines and a final count line."""
    monkeypatch.setattr(cli_progress, "PROGRESS_LINE_SECONDS", 0.0)  # a line per issue
    fake, _ = issue_fake()
    serve(fake)
    out = tmp_path / "issues.jsonl"
    status, _, err = run(capsys, *EXPORT, "-o", str(out))
    assert status == 0, err
    lines = err.splitlines()
    assert "\r" not in err
    assert len(lines) == 121
    assert all(
        re.fullmatch(r"pylon: exported [\d,]+ issues? \(\d+%\)", line) for line in lines[:-1]
    )
    assert lines[0] == "pylon: exported 1 issue (0%)"
    assert lines[-2].startswith("pylon: exported 120 issues (")
    assert lines[-1].startswith(f"pylon: exported 120 issues to {out} (")


@pytest.mark.parametrize(
    ("given", "note"),
    [
        pytest.param((), "pylon: resuming with the checkpoint's --limit 10\n", id="default"),
        pytest.param(
            ("--limit", "25"),
            "pylon: resuming with the checkpoint's --limit 10 instead of --limit 25\n",
            id="other",
        ),
        pytest.param(("--limit", "10"), None, id="same"),
    ],
)
def test_resume_keeps_the_checkpoints_limit_and_says_so(
    serve: Serve,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    given: tuple[str, ...],
    note: str | None,
) -> None:
    """--resume reads pages of the checkpoint's --limit, saying so when it is not the one given."""
    fake, inside = issue_fake()
    armed = True
    serve(FailSome(fake, "GET", "/issues", lambda n: armed and n > 5))
    out = tmp_path / "issues.jsonl"
    argv = ("--max-retries", "0", *EXPORT, "-o", str(out), "--checkpoint-every", "3")
    assert run(capsys, *argv)[0] == 1
    armed = False
    fake.reset_log()
    status, _, err = run(capsys, "issues", "export", "-o", str(out), "--resume", *given)
    assert status == 0, err
    assert set(jsonl_ids(out)) == inside
    assert {r.query["limit"] for r in fake.requests if r.path == "/issues"} == {"10"}
    if note is None:
        assert "resuming" not in err
    else:
        assert err.startswith(note)


# ---------------------------------------------------------------------- the demo's progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_onboarding_progress_says_what_it_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's bars say a share of the date range with the issues, and accounts done of all."""
    import anyio

    spec = importlib.util.spec_from_file_location(
        "example_onboarding", ROOT / "examples/onboarding.py"
    )
    assert spec is not None
    assert spec.loader is not None
    onboarding = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(onboarding)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    monkeypatch.setattr(sys, "stderr", terminal)
    assert anyio.run(onboarding.main, []) == 0
    bars = [part.strip() for part in re.split(r"[\r\n]", terminal.getvalue()) if "[" in part]
    issues = [b for b in bars if b.startswith("issues")]
    tagging = [b for b in bars if b.startswith("tagging")]
    assert issues
    assert tagging
    assert all(
        re.fullmatch(r"issues +\[[#.]{30}\] \d+% of 120 days, [\d,]+ issues", b) for b in issues
    )
    assert all(re.fullmatch(r"tagging +\[[#.]{30}\] \d+/250 accounts", b) for b in tagging)
    assert issues[-1].endswith("100% of 120 days, 3,004 issues")
    assert tagging[-1].endswith("250/250 accounts")


# ---------------------------------------------------------------------- the fake's serve command

PYLON = "import sys; from pylon_client.cli.main import main; sys.exit(main(sys.argv[1:]))"
ENTRY_POINTS = [
    pytest.param([sys.executable, "-m", "pylon_client.testing", "serve"], id="python-m"),
    pytest.param([sys.executable, "-c", PYLON, "fake", "serve"], id="pylon-fake-serve"),
]


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A loopback port something else is listening on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


@pytest.mark.parametrize("entry", ["pylon", "python-m"])
def test_serve_on_a_busy_port_is_one_line_and_no_banner(
    busy_port: int, capsys: pytest.CaptureFixture[str], entry: str
) -> None:
    """A port in use gives one error line, status 1, and no "serving on" banner."""
    if entry == "pylon":
        status = main(["fake", "serve", "--port", str(busy_port), "--accounts", "0"])
    else:
        status = testing_main.main(["serve", "--port", str(busy_port), "--accounts", "0"])
    out, err = capsys.readouterr()
    assert (status, out) == (1, "")
    assert err == f"pylon: error: cannot listen on 127.0.0.1:{busy_port}: address already in use\n"


@pytest.mark.parametrize("command", ENTRY_POINTS)
@pytest.mark.parametrize("limits", [True, False], ids=["rate-limits", "no-rate-limits"])
def test_serve_announces_once_the_socket_accepts(command: list[str], limits: bool) -> None:
    """The banner comes once the socket listens: a client connects at once and reads /me.

    Rate limits are on unless --no-rate-limits: then /me carries no X-RateLimit-* headers.
    """
    argv = [*command, "--port", "0", "--accounts", "3", "--token", "tok-7"]
    with serving([*argv, *([] if limits else ["--no-rate-limits"])]) as (url, stdout):
        hint = read_line(stdout)
        assert hint == f"point a client at it: PYLON_BASE_URL={url} PYLON_API_TOKEN=tok-7\n"
        with Pylon("tok-7", base_url=url, max_retries=0) as pylon:  # no retry hides a refusal
            raw = pylon.with_raw_response.me()
        assert raw.status_code == 200
        if limits:
            assert raw.rate_limit is not None
            assert raw.rate_limit.limit == 300  # GET /me: Pylon's figure
        else:
            assert raw.rate_limit is None
        assert httpx.get(f"{url}/me").status_code == 401  # the token is the one given
