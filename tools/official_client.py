"""Build the client from Pylon's own document alone, on a copy, and run the thin layer's tests.

``make official-client`` (run by CI after ``make test``): copy the repository's tracked files to
a temporary folder, run ``codegen/generate.py --spec openapi/pylon-official.json`` there (every
overlay action is reported as applied, already true, absent or stale), check that
every operation both clients have keeps its facade name, and run the tests of the hand-written
layer (pagination, issue windows, change feeds, bulk updates) against that client. The
committed client is never touched. ``accounts.merge``, which Pylon's April document lacks, must
fail with a clear ``PylonConfigError``: the merge tests are left out and
``test_merge_says_so_when_the_client_has_no_merge`` runs instead.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "codegen"))
import sources  # noqa: E402 - codegen/ is not a package

OFFICIAL = str(min(sources.references(), key=lambda s: s.precedence).path.relative_to(ROOT))
"""Pylon's own document: the oldest conformance reference ``codegen/sources.yaml`` declares
(the supplement written from its SDK is the other, and not a document to generate from)."""
TESTS = [
    "tests/test_windows.py",
    "tests/test_issues.py",
    "tests/test_changes.py",
    "tests/test_batching.py",
    "tests/test_bulk.py",
    "tests/test_client.py",
    "tests/test_pagination.py",
]
# The merge tests need POST /accounts/merge; the client-core tests outside pagination need the
# default client's models.
SELECT = (
    "(test_bulk and not merge and not target) or test_merge_says_so or test_windows or "
    "test_issues or "
    "test_changes or test_batching or test_pagination or "
    "(test_client and (page or cursor or pagination))"
)


def _calls(endpoints_py: Path) -> dict[str, str]:
    spec = importlib.util.spec_from_file_location("endpoints", endpoints_py)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {endpoints_py}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    table: dict[str, Any] = module.ENDPOINTS
    return {re.sub(r"\{[^}]+\}", "{}", key): str(e.call) for key, e in table.items()}


def main() -> int:
    """Run the job; return the tests' exit status (non-zero on a renamed operation too)."""
    git = ["git", "ls-files", "-z"]
    listed = subprocess.run(git, cwd=ROOT, check=True, capture_output=True)  # noqa: S603 - fixed argv
    files = listed.stdout.decode().split("\0")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "client"
        for name in filter(None, files):
            target = copy / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target)
        started = time.perf_counter()
        subprocess.run(  # noqa: S603 - our interpreter, our script, the declared source
            [sys.executable, "codegen/generate.py", "--spec", OFFICIAL],
            cwd=copy,
            check=True,
        )
        print(f"official-client: generated in {time.perf_counter() - started:.1f} s")
        ours = _calls(ROOT / "pylon_client" / "_generated" / "_endpoints.py")
        theirs = _calls(copy / "pylon_client" / "_generated" / "_endpoints.py")
        shared = set(ours) & set(theirs)
        renamed = sorted(k for k in shared if ours[k] != theirs[k])
        print(
            f"official-client: {len(theirs)} operations from Pylon's document, {len(shared)} "
            f"shared with the default client's {len(ours)}, {len(renamed)} renamed; only in the "
            f"default client: {', '.join(sorted(set(ours) - set(theirs))) or 'none'}"
        )
        for key in renamed:
            print(f"official-client: renamed {key}: {ours[key]} -> {theirs[key]}")
        env = {**os.environ, "PYTHONPATH": str(copy)}
        tests = subprocess.run(  # noqa: S603 - our interpreter, our test files
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", SELECT, *TESTS],
            cwd=copy,
            env=env,
            check=False,
        )
        return 1 if renamed else tests.returncode


if __name__ == "__main__":
    sys.exit(main())
