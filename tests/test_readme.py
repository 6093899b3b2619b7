"""Every example in README.md runs against the fake Pylon, so the README never rots."""

from __future__ import annotations

import ast
import re
import shlex
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from pylon_client import AsyncPylon, ChangeCheckpoint, F, IssueCheckpoint, Pylon, webhooks
from pylon_client import _cli as cli
from pylon_client.testing import FakePylon, seed_demo, serve_in_thread

README = Path(__file__).resolve().parent.parent / "README.md"
TOKEN = "readme-token"
BLOCK = re.compile(r"```(python|sh)\n(.*?)```", re.DOTALL)


def _blocks(kind: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(README.read_text()) if lang == kind]


def to_sync(source: str) -> str:
    """The same example for the sync client: ``Pylon`` for ``AsyncPylon``, no async, no await."""
    source = source.replace("AsyncPylon", "Pylon")
    source = re.sub(r"\basync (with|for|def)\b", r"\1", source)
    source = source.replace("await ", "")
    return re.sub(r"anyio\.run\(main(, backend=\"trio\")?\)", "main()", source)


def test_to_sync_rewrites_the_async_forms() -> None:
    """The rewrite covers every async form the README uses."""
    source = (
        "async def main():\n"
        "    async with AsyncPylon() as p:\n"
        "        async for t in p.tasks.list():\n"
        "            await p.tasks.get(t.id)\n"
        'anyio.run(main)\nanyio.run(main, backend="trio")\n'
    )
    assert to_sync(source) == (
        "def main():\n"
        "    with Pylon() as p:\n"
        "        for t in p.tasks.list():\n"
        "            p.tasks.get(t.id)\n"
        "main()\nmain()\n"
    )


def _fake() -> FakePylon:
    fake = FakePylon(token=TOKEN, seed=3)
    seed_demo(fake, seed=3, accounts=30, issues_days=120, issues_per_day=4)
    first = next(iter(fake.accounts.values()))
    fake.accounts["acc_1"] = {**first, "id": "acc_1", "name": "Acme (README)"}
    return fake


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakePylon, str]]:
    """The fake on a loopback port, with PYLON_API_TOKEN and PYLON_BASE_URL pointing at it."""
    fake = _fake()
    with serve_in_thread(fake) as url:
        monkeypatch.setenv("PYLON_API_TOKEN", TOKEN)
        monkeypatch.setenv("PYLON_BASE_URL", url)
        yield fake, url


def test_readme_has_the_examples_this_file_runs() -> None:
    """The README keeps its python and shell examples (a rename would skip them silently)."""
    assert len(_blocks("python")) == 11
    assert len(_blocks("sh")) == 3


@pytest.mark.parametrize("client", ["async", "sync"])
def test_quickstart_runs_under_asyncio_and_trio(
    served: tuple[FakePylon, str], capsys: pytest.CaptureFixture[str], client: str
) -> None:
    """The quickstart program runs as written, on both event loops, and with the sync client."""
    program = next(b for b in _blocks("python") if "anyio.run(main)" in b)
    if client == "sync":
        program = to_sync(program)
    exec(compile(program, "README quickstart", "exec"), {"__name__": "readme"})  # noqa: S102
    out = capsys.readouterr().out
    assert out.count("404 not_found") == 2
    assert out.count("Kickoff call") >= 2
    assert out.count("req_") >= 2  # the request id, printed by both runs


def test_sync_client_example_runs(
    served: tuple[FakePylon, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """The sync client's example runs as written, and leaves no task behind."""
    fake, _ = served
    program = next(b for b in _blocks("python") if "with Pylon() as pylon:" in b)
    before = len(fake.tasks)
    exec(compile(program, "README sync client", "exec"), {"__name__": "readme"})  # noqa: S102
    out = capsys.readouterr().out
    assert "Kickoff call" in out
    assert "req_" in out
    assert len(fake.tasks) == before


FRAGMENTS = [
    pytest.param(marker, id=name)
    for name, marker in (
        ("pagination", "pylon.tasks.list(limit=200)"),
        ("options", "fast = pylon.with_options("),
        ("filters", "vip_open = "),
        ("issues", "export = pylon.issues.list("),
        ("changes", "feed = pylon.issues.changes("),
        ("webhooks", "event = webhooks.unwrap("),
        ("bulk", "pylon.accounts.update_many(ids"),
        ("fake-by-hand", "fake = FakePylon("),
        ("pytest-fixture", "async def test_onboarding"),
    )
]


def _scope(pylon: AsyncPylon | Pylon, accounts: list[str]) -> dict[str, Any]:
    """What a fragment finds in scope: a connected client, names it uses, account ids."""
    return {
        "__name__": "readme",
        "pylon": pylon,
        "F": F,
        "date": date,
        "timedelta": timedelta,
        "IssueCheckpoint": IssueCheckpoint,
        "ChangeCheckpoint": ChangeCheckpoint,
        "raw_body": b'{"event":"updated"}',
        "headers": {"X-Pylon-Signature": webhooks.sign(b'{"event":"updated"}', "s")},
        "secret": "s",
        "ids": accounts[:12],
        "duplicates": accounts[12:15],
    }


@pytest.mark.parametrize("marker", FRAGMENTS)
@pytest.mark.parametrize(
    "backend", [pytest.param("asyncio"), pytest.param("trio"), pytest.param("sync")]
)
def test_fragments_run_against_the_fake(
    served: tuple[FakePylon, str], marker: str, backend: str
) -> None:
    """Each fragment runs with a connected client and account ids in scope, async and sync.

    ``asyncio``/``trio``: as written, top-level await allowed; ``sync``: rewritten for
    ``Pylon`` (no async, no await), with a connected ``Pylon``.
    """
    fake, url = served
    source = next(b for b in _blocks("python") if marker in b)
    accounts = sorted(i for i in fake.accounts if i != "acc_1")
    if backend == "sync":
        code = compile(to_sync(source), f"README {marker} (sync)", "exec")
        with Pylon(TOKEN, base_url=url) as sync_pylon:
            scope = _scope(sync_pylon, accounts)
            exec(code, scope)  # noqa: S102 (the README's own example code)
            if "test_onboarding" in scope:
                transport = httpx.ASGITransport(app=fake)
                with Pylon(
                    TOKEN, base_url="http://fake.localhost", transport=transport
                ) as in_process_sync:
                    scope["test_onboarding"](in_process_sync, fake)
        _check(scope)
        return
    code = compile(source, f"README {marker}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)

    async def run() -> dict[str, Any]:
        async with AsyncPylon(TOKEN, base_url=url) as pylon:
            scope = _scope(pylon, accounts)
            result = eval(code, scope)  # noqa: S307 (the README's own example code)
            if result is not None:
                await result
            if "test_onboarding" in scope:
                transport = httpx.ASGITransport(app=fake)
                async with AsyncPylon(
                    TOKEN, base_url="http://fake.localhost", transport=transport
                ) as in_process:
                    await scope["test_onboarding"](in_process, fake)
            return scope

    _check(anyio.run(run, backend=backend))


def _check(scope: dict[str, Any]) -> None:
    """What a fragment's run must have left in its scope."""
    if "export" in scope:
        assert scope["export"].progress == 1.0
    if "merged" in scope:
        assert scope["merged"].ok
    if "later" in scope:
        assert scope["feed"].checkpoint().complete
    if "event" in scope:
        assert scope["event"] == {"event": "updated"}


def test_shell_examples_run_against_the_fake(
    served: tuple[FakePylon, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every `pylon ...` line of the README exits 0 against the fake, in order."""
    fake, _ = served
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ids.txt").write_text("\n".join(sorted(fake.accounts)[:5]) + "\n")
    lines = [
        line.split("#", 1)[0].strip()
        for block in _blocks("sh")
        for line in block.splitlines()
        if line.startswith("pylon ")
    ]
    assert len(lines) >= 5
    for line in lines:
        status = cli.main(shlex.split(line)[1:])
        assert status == 0, (line, capsys.readouterr().err)
    assert (tmp_path / "issues.jsonl").stat().st_size > 0
