"""Every example in README.md runs against the fake Pylon, so the README never rots."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import no_pylon_env, serving

from pylon_client import Pylon
from pylon_client.cli import main as cli

README = Path(__file__).resolve().parent.parent / "README.md"
TOKEN = "test-token"  # the served fake's, as the README says
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


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """``python -m pylon_client.testing serve`` as the README says, on a free port; its URL."""
    with serving([sys.executable, "-m", "pylon_client.testing", "serve", "--port", "0"]) as (
        url,
        _,
    ):
        yield url


def _env(url: str) -> dict[str, str]:
    """The environment of an example: the machine's, no PYLON_* of its own, the README's two."""
    return {**no_pylon_env(), "PYLON_BASE_URL": url, "PYLON_API_TOKEN": TOKEN}


def _run(source: str, url: str, tmp_path: Path, *args: str) -> str:
    """Run ``source`` as a program of its own (``python FILE`` or ``python ARGS FILE``)."""
    program = tmp_path / "example.py"
    program.write_text(source)
    done = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, *args, str(program)],
        env=_env(url),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


# What each example prints (or, for ``--``, that it runs to the end): a marker finds the block.
EXAMPLES = {
    "quickstart": ("anyio.run(main)  # asyncio", ["Kickoff call", "req_", "404 not_found"]),
    "sync-client": ("with Pylon() as pylon:", ["Kickoff call", "req_"]),
    "options": ("fast = pylon.with_options(", ["200 req_", "RateLimit(limit=300"]),
    "pagination": ("pylon.tasks.list(limit=200)", ["10 accounts"]),
    "filters": ("vip_open = ", []),
    "issues": ("export = pylon.issues.list(", ["0 issues left"]),
    "changes": ("feed = pylon.issues.changes(", ["0 changed since"]),
    "webhooks": ("event = webhooks.unwrap(", ["issue_updated"]),
    "bulk": ("pylon.accounts.update_many(ids", ["250 {} ['req_"]),
    "fake-by-hand": ("fake = FakePylon(", ["requests logged"]),
}


def _block(marker: str) -> str:
    [found] = [b for b in _blocks("python") if marker in b]
    return found


def test_every_python_example_is_run() -> None:
    """Each python block of the README is one of the examples run below, or the pytest one."""
    for block in _blocks("python"):
        known = [name for name, (marker, _) in EXAMPLES.items() if marker in block]
        assert known or "async def test_onboarding" in block, block


def _runs() -> list[Any]:
    """Each example as written; each one that uses a client again for the sync client."""
    runs = [pytest.param(name, "async", id=name) for name in sorted(EXAMPLES)]
    for name in sorted(EXAMPLES):
        if "AsyncPylon" in _block(EXAMPLES[name][0]):
            runs.append(pytest.param(name, "sync", id=f"{name}-sync"))
    return runs


@pytest.mark.parametrize(("name", "client"), _runs())
def test_example_runs_as_written(served: str, tmp_path: Path, name: str, client: str) -> None:
    """The example runs as its own program against the served fake, given the README's variables.

    ``sync``: the same program for ``Pylon`` (no async, no await); the quickstart's second
    run, on trio, is the sync client's second run.
    """
    marker, expected = EXAMPLES[name]
    source = _block(marker)
    if client == "sync":
        source = to_sync(source)
    out = _run(source, served, tmp_path)
    for text in expected:
        assert text in out, out
    if name == "quickstart":
        assert out.count("404 not_found") == 2  # asyncio then trio (or twice, sync)


def test_pytest_example_runs_as_a_test_file(served: str, tmp_path: Path) -> None:
    """The fixture example passes as a test module of its own, with the installed plugin."""
    source = _block("async def test_onboarding")
    test_file = tmp_path / "test_readme_example.py"
    test_file.write_text(source)
    out = _run(source, served, tmp_path, "-m", "pytest", "-q", "-p", "no:cacheprovider")
    assert "passed" in out, out


def test_shell_examples_run_against_the_fake(
    served: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every `pylon ...` line of the README exits 0 against the served fake, in order."""
    for name, value in _env(served).items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    with Pylon() as pylon:
        ids = [account.id for account in pylon.accounts.list(max_items=5)]
    (tmp_path / "ids.txt").write_text("\n".join(ids) + "\n")
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
