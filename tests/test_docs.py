"""The documentation site: every code block of its pages runs, and its reference is whole.

A ```python block of a page under ``docs/`` is a whole program: it runs as its own process
against ``python -m pylon_client.testing serve`` on a socket, with ``PYLON_BASE_URL`` and
``PYLON_API_TOKEN`` set as the pages say, and must exit 0 (each block checks what it shows with
``assert``). A block that uses ``AsyncPylon`` through ``anyio.run(main)`` runs again for the
sync client (``Pylon``, no async, no await), as the README's do, unless it says
``# AsyncPylon only`` and why. A block holding
``def test_`` is a test module, run by pytest with the installed plugin. Every ``pylon ...``
line of a ```sh block runs through the CLI against the same fake. Any other block is marked
as not run by its language tag (```console, ```text, ```yaml, ...); a fence without a tag fails.

The API reference is built by ``docs/gen_ref.py`` at each ``mkdocs build``: the tests here run
its page builders without mkdocs and check that the reference holds every operation of the
client, each on its resource's page and documented by a method of the class rendered there.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from cli_helpers import no_pylon_env, serving

from pylon_client import Pylon
from pylon_client._generated._endpoints import ENDPOINTS
from pylon_client.cli import main as cli

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
TOKEN = "test-token"  # the served fake's, as the pages say
FENCE = re.compile(r"^```(?P<lang>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)
NOT_RUN = {"console", "text", "yaml", "toml", "json", "ini", "diff", "pycon"}


def _pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def _blocks(lang: str) -> list[tuple[str, str]]:
    """(id, body) of every block tagged ``lang``, numbered per page from 1."""
    found = []
    for page in _pages():
        name = page.relative_to(DOCS).with_suffix("").as_posix()
        for number, match in enumerate(FENCE.finditer(page.read_text()), start=1):
            if match["lang"].strip() == lang:
                found.append((f"{name}-{number}", match["body"]))
    return found


def _load(name: str) -> ModuleType:
    """Import ``docs/<name>.py`` (the docs folder is not a package)."""
    spec = importlib.util.spec_from_file_location(f"docs_{name}", DOCS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def to_sync(source: str) -> str:
    """The same program for the sync client: ``Pylon`` for ``AsyncPylon``, no async, no await."""
    source = source.replace("AsyncPylon", "Pylon")
    source = re.sub(r"\basync (with|for|def)\b", r"\1", source)
    source = source.replace("await ", "")
    return re.sub(r"anyio\.run\(main(, backend=\"trio\")?\)", "main()", source)


def _for_both_clients(body: str) -> bool:
    """Whether a block runs again for ``Pylon``: it uses ``AsyncPylon``, and says no otherwise."""
    return "AsyncPylon" in body and "# AsyncPylon only" not in body


def _runs() -> list[Any]:
    """Each python block as written; each that runs ``AsyncPylon`` again for the sync client."""
    runs = []
    for block_id, body in _blocks("python"):
        kind = "pytest" if "def test_" in body else "program"
        runs.append(pytest.param(body, kind, id=block_id))
        if kind == "program" and "anyio.run(main" in body and _for_both_clients(body):
            runs.append(pytest.param(to_sync(body), kind, id=f"{block_id}-sync"))
    return runs


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """``python -m pylon_client.testing serve`` as the pages say, on a free port; its URL."""
    with serving([sys.executable, "-m", "pylon_client.testing", "serve", "--port", "0"]) as (
        url,
        _,
    ):
        yield url


def _env(url: str) -> dict[str, str]:
    """The machine's environment, no PYLON_* of its own, and the two variables the pages set."""
    return {**no_pylon_env(), "PYLON_BASE_URL": url, "PYLON_API_TOKEN": TOKEN}


def test_every_fence_is_tagged() -> None:
    """Each block says what it is: python and sh run, the tags of NOT_RUN are shown only."""
    for page in _pages():
        for match in FENCE.finditer(page.read_text()):
            lang = match["lang"].strip()
            assert lang in {"python", "sh"} | NOT_RUN, (page.name, lang, match["body"][:80])


def test_the_guides_have_code_to_run() -> None:
    """The harness finds the blocks: every guide has at least one block that runs."""
    running = {block_id.rsplit("-", 1)[0] for block_id, _ in _blocks("python") + _blocks("sh")}
    for guide in sorted((DOCS / "guides").glob("*.md")):
        assert f"guides/{guide.stem}" in running, guide.name


def test_to_sync_rewrites_the_async_forms() -> None:
    """The rewrite covers every async form the pages use."""
    source = (
        "async def main():\n"
        "    async with AsyncPylon() as p:\n"
        "        async for t in p.tasks.list():\n"
        "            await p.tasks.get(t.id)\n"
        "anyio.run(main)\n"
    )
    assert to_sync(source) == (
        "def main():\n"
        "    with Pylon() as p:\n"
        "        for t in p.tasks.list():\n"
        "            p.tasks.get(t.id)\n"
        "main()\n"
    )


@pytest.mark.parametrize(("source", "kind"), _runs())
def test_python_block_runs(served: str, tmp_path: Path, source: str, kind: str) -> None:
    """The block runs as its own program (or test module) against the served fake, and passes."""
    if kind == "pytest":
        program = tmp_path / "test_docs_example.py"
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", program.name]
    else:
        program = tmp_path / "example.py"
        command = [sys.executable, program.name]
    program.write_text(source)
    done = subprocess.run(  # noqa: S603 (our own interpreter)
        command,
        env=_env(served),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    if kind == "pytest":
        assert " passed" in done.stdout, done.stdout


def test_shell_blocks_run_against_the_fake(
    served: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every ``pylon ...`` line of the pages' sh blocks exits 0 against the served fake."""
    for name, value in _env(served).items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    with Pylon() as pylon:
        ids = [account.id for account in pylon.accounts.list(max_items=5)]
    (tmp_path / "ids.txt").write_text("\n".join(ids) + "\n")
    lines = [
        line.split("  #", 1)[0].strip()
        for _, block in _blocks("sh")
        for line in block.splitlines()
        if line.startswith("pylon ")
    ]
    assert lines
    for line in lines:
        status = cli.main(shlex.split(line)[1:])
        assert status == 0, (line, capsys.readouterr().err)


def test_the_reference_has_every_operation() -> None:
    """The reference pages list each operation of the client once: 168 today."""
    gen_ref = _load("gen_ref")
    resources = gen_ref.load_resources(gen_ref.load_operations())
    listed = [op.key for r in resources for op in r.operations]
    assert sorted(listed) == sorted(ENDPOINTS)
    assert len(listed) == len(ENDPOINTS) == 168
    pages = "".join(gen_ref.render_page(r) for r in resources)
    assert pages.count('class="pylon-operation"') == len(ENDPOINTS)
    assert f"Every operation of the client ({len(ENDPOINTS)})" in gen_ref.render_index(resources)


def _methods(target: str) -> set[str]:
    """The methods of the class at ``target``, its own and its bases'."""
    module, _, name = target.rpartition(".")
    imported = importlib.import_module(module)
    cls = getattr(imported, name)
    return {n for klass in cls.__mro__ for n, v in vars(klass).items() if callable(v)}


def test_each_operation_is_a_method_of_its_page_class() -> None:
    """On each page, the class rendered has the method each row links to."""
    gen_ref = _load("gen_ref")
    for resource in gen_ref.load_resources(gen_ref.load_operations()):
        methods = _methods(resource.target)
        for op in resource.operations:
            assert op.method in methods, (resource.target, op.call)


def test_the_pages_take_the_rate_limit_and_source_of_the_table() -> None:
    """Each row shows the operation table's rate limit and operations.md's source."""
    gen_ref = _load("gen_ref")
    [tasks] = [r for r in gen_ref.load_resources(gen_ref.load_operations()) if r.name == "tasks"]
    page = gen_ref.render_page(tasks)
    assert "::: pylon_client._client.helpers.TasksResource" in page
    create = ENDPOINTS["POST /tasks"]
    row = next(line for line in page.splitlines() if 'data-operation="POST /tasks"' in line)
    assert f"| {create.rate_limit} | vendored | `Task` |" in row


def test_count_operations_reads_rows_and_methods() -> None:
    """An operation counts in a built page only with both its row and its rendered method."""
    gen_ref = _load("gen_ref")
    op = gen_ref.Operation("GET /me", "pylon.me", 300, "vendored", "`Organization`")
    page = gen_ref.Resource("client", "pkg.Resources", inherited=False, operations=(op,))
    row = '<code class="pylon-operation" data-operation="GET /me">GET /me</code>'
    method = '<h2 id="pkg.Resources.me">'
    assert gen_ref.count_operations({"client": row + method}, [page]) == 1
    assert gen_ref.count_operations({"client": row}, [page]) == 0
    assert gen_ref.count_operations({"client": method}, [page]) == 0


@pytest.mark.parametrize(
    ("docstring", "expected"),
    [
        pytest.param(
            "Do.\n\nArgs:\n    kind (Literal['a', 'b'], required\n"
            "        unless body= is given): x\n"
            "        more\n\nReturns:\n    T: y",
            "Do.\n\nArgs:\n    kind (Literal['a', 'b'], required unless body= is given): x\n"
            "        more\n\nReturns:\n    T: y",
            id="wrapped-head",
        ),
        pytest.param(
            "Do.\n\nArgs:\n    a (str, optional): x\n    extra_headers, timeout: per-call\n"
            "        options.\n\nReturns:\n    T: y",
            "Do.\n\nArgs:\n    a (str, optional): x\n    extra_headers: per-call options.\n"
            "    timeout: per-call options.\n\nReturns:\n    T: y",
            id="grouped-options",
        ),
        pytest.param("Do.\n\nArgs:\n    a: x\n        y\n", None, id="plain"),
    ],
)
def test_normalize_args(
    monkeypatch: pytest.MonkeyPatch, docstring: str, expected: str | None
) -> None:
    """The griffe extension joins wrapped heads and splits the per-call options' entry."""
    monkeypatch.setitem(sys.modules, "griffe", SimpleNamespace(Extension=object))  # not in .venv
    normalize_args = _load("griffe_docstrings").normalize_args
    assert normalize_args(docstring) == (docstring if expected is None else expected)
