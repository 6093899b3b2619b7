"""The built release in ``dist/``: what the wheel holds, what the sdist rebuilds, what installs.

``make dist`` builds the sdist and the wheel from the source tree (``python -m build --sdist
--wheel``), runs ``twine check --strict`` on them, then these tests (marked ``release``, so the
default run leaves them out: they need ``dist/`` and a package index for the fresh virtualenv).

- The wheel holds the package's tracked files, exactly: every module and data file
  (``py.typed``, the Lua scripts), no test, benchmark, cache or stray file.
- The sdist rebuilds the same wheel: its unpacked tree, built again, gives a wheel whose
  members have the same names and bytes.
- The wheel installs into a fresh virtualenv (with the ``testing`` extra), where ``pylon
  --version``, ``import pylon_client``, ``python -m pylon_client.testing serve`` and a call
  against that server all work, run from outside the source tree. That is done with this
  interpreter and with each one ``RELEASE_PYTHONS`` names (paths, space-separated; CI gives
  the other supported versions).
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from cli_helpers import no_pylon_env, serving

from pylon_client._version import __version__

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
DIST_INFO = f"pylon_client-{__version__}.dist-info"

PYTHONS = [sys.executable, *os.environ.get("RELEASE_PYTHONS", "").split()]

pytestmark = pytest.mark.release


def _only(pattern: str) -> Path:
    """The one file of ``dist/`` matching ``pattern``; a failure saying so otherwise."""
    found = sorted(DIST.glob(pattern))
    assert len(found) == 1, f"expected one {pattern} in {DIST} (run `make dist`), found {found}"
    return found[0]


@pytest.fixture(scope="module")
def wheel() -> Path:
    """The wheel ``make dist`` built."""
    return _only("pylon_client-*.whl")


@pytest.fixture(scope="module")
def sdist() -> Path:
    """The sdist ``make dist`` built."""
    return _only("pylon_client-*.tar.gz")


def _members(wheel: Path) -> dict[str, str]:
    """Each file of ``wheel`` by name, with the SHA-256 of its bytes."""
    with zipfile.ZipFile(wheel) as archive:
        return {
            info.filename: hashlib.sha256(archive.read(info)).hexdigest()
            for info in archive.infolist()
            if not info.is_dir()
        }


def _run(*argv: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run ``argv`` in ``cwd``; return its stdout, or fail with its output."""
    done = subprocess.run(  # noqa: S603 (interpreters and tools we chose, fixed arguments)
        [str(arg) for arg in argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, f"{argv} exited {done.returncode}:\n{done.stdout}{done.stderr}"
    return done.stdout


def test_the_versions_are_the_source_version(wheel: Path, sdist: Path) -> None:
    """Both files are named for ``pylon_client/_version.py``'s version."""
    assert wheel.name == f"pylon_client-{__version__}-py3-none-any.whl"
    assert sdist.name == f"pylon_client-{__version__}.tar.gz"


def test_the_wheel_holds_the_package_and_nothing_else(wheel: Path) -> None:
    """The wheel's package files are the tracked files under ``pylon_client/``, exactly."""
    tracked = set(_run("git", "ls-files", "-z", "pylon_client", cwd=ROOT).rstrip("\0").split("\0"))
    names = set(_members(wheel))
    package = {name for name in names if name.startswith("pylon_client/")}
    assert package == tracked
    assert names - package == {
        f"{DIST_INFO}/{name}"
        for name in ("METADATA", "WHEEL", "RECORD", "entry_points.txt", "licenses/LICENSE")
    }
    # The data the package reads at run time, named so a reader of this test sees them.
    assert {"pylon_client/py.typed", "pylon_client/_ratelimit/lua/acquire.lua"} <= package


def test_the_wheel_metadata_declares_the_commands_and_the_runtime(wheel: Path) -> None:
    """Entry points, the runtime requirements, the Python floor and the licence are declared."""
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"{DIST_INFO}/METADATA").decode()
        entry_points = archive.read(f"{DIST_INFO}/entry_points.txt").decode()
    assert "pylon = pylon_client.cli.main:main" in entry_points
    assert "pylon_client = pylon_client.testing.pytest_plugin" in entry_points
    requires = re.findall(r"^Requires-Dist: ([^;\n]+)$", metadata, flags=re.MULTILINE)
    assert sorted(requires) == ["anyio>=4.4", "attrs>=23.1", "httpx<1,>=0.27"]
    assert "Requires-Python: >=3.11" in metadata
    assert "License-Expression: MIT" in metadata


def test_the_sdist_rebuilds_the_same_wheel(wheel: Path, sdist: Path, tmp_path: Path) -> None:
    """The sdist, unpacked and built again, gives a wheel with the same members, byte for byte."""
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path, filter="data")
    (tree,) = tmp_path.iterdir()
    assert not (tree / "tests").exists()
    assert not (tree / "benchmarks").exists()
    _run(sys.executable, "-m", "build", "--wheel", "--outdir", tmp_path / "out", tree, cwd=tmp_path)
    (rebuilt,) = (tmp_path / "out").glob("*.whl")
    assert rebuilt.name == wheel.name
    assert _members(rebuilt) == _members(wheel)


def _python_id(python: str) -> str:
    """The running interpreter's version (``3.11.7``), or another's file name (``python3.13``).

    Named without running it: the ids are made whenever this module is collected.
    """
    return platform.python_version() if python == sys.executable else Path(python).name


@pytest.fixture(scope="module", params=PYTHONS, ids=_python_id)
def installed(
    request: pytest.FixtureRequest, wheel: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A fresh virtualenv of one interpreter, with the wheel and its ``testing`` extra installed.

    Returns its bin directory.
    """
    venv = tmp_path_factory.mktemp("release") / "venv"
    _run(request.param, "-m", "venv", venv, cwd=venv.parent)
    bin_dir = venv / "bin"
    _run(
        bin_dir / "python",
        *("-m", "pip", "install", "--quiet", "--disable-pip-version-check"),
        f"{wheel}[testing]",
        cwd=venv.parent,
    )
    return bin_dir


def _outside(bin_dir: Path) -> dict[str, str]:
    """An environment for the fresh virtualenv's commands, with no path into the source tree."""
    env = no_pylon_env()
    env.pop("PYTHONPATH", None)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return env


def test_the_installed_command_and_package(installed: Path) -> None:
    """``pylon --version`` and ``import pylon_client`` run from the virtualenv, not the tree."""
    cwd = installed.parent.parent  # outside the source tree: nothing to import by accident
    env = _outside(installed)
    assert _run(installed / "pylon", "--version", cwd=cwd, env=env) == f"pylon {__version__}\n"
    where = _run(
        installed / "python",
        "-c",
        "import pylon_client; print(pylon_client.__version__, pylon_client.__file__)",
        cwd=cwd,
        env=env,
    ).split()
    assert where[0] == __version__
    assert Path(where[1]).is_relative_to(installed.parent)


CALL = """\
import sys
from pylon_client import Pylon

with Pylon("release-token", base_url=sys.argv[1], max_retries=0) as pylon:
    raw = pylon.with_raw_response.me()
    accounts = pylon.accounts.list().collect()
print(raw.status_code, len(accounts))
"""


def test_the_installed_fake_serves_and_the_installed_client_calls_it(installed: Path) -> None:
    """``python -m pylon_client.testing serve`` runs; the installed client reads /me from it."""
    cwd = installed.parent.parent
    env = _outside(installed)
    command: list[str | Path] = [installed / "python", "-m", "pylon_client.testing", "serve"]
    command += ["--port", "0", "--accounts", "3", "--token", "release-token"]
    with serving(command, cwd=cwd, env=env) as (url, _):
        out = _run(installed / "python", "-c", CALL, url, cwd=cwd, env=env)
    assert out == "200 3\n"
