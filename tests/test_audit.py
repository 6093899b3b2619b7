"""Tests of tools/audit.py's verdicts, on canned pip-audit reports (no network)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

TOOL = Path(__file__).resolve().parent.parent / "tools" / "audit.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_tool", TOOL)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _report(*deps: dict[str, Any]) -> str:
    return json.dumps({"dependencies": list(deps), "fixes": []})


SKIPPED = {"name": "httpx", "skip_reason": "Dependency not found on PyPI and could not be audited"}
CLEAN = {"name": "httpx", "version": "0.28.1", "vulns": []}
VULNERABLE = {
    "name": "httpx",
    "version": "0.28.1",
    "vulns": [{"id": "PYSEC-0000-1", "fix_versions": ["0.28.2"]}],
}


@pytest.mark.parametrize(
    ("replies", "status", "says"),
    [
        pytest.param([_report(VULNERABLE)], 1, "VULNERABLE httpx 0.28.1", id="vulnerability-found"),
        pytest.param([_report(CLEAN)], 0, "no known vulnerabilities in 1", id="clean"),
        pytest.param(
            [_report(SKIPPED), ("", "NameResolutionError: api.osv.dev")],
            0,
            "nothing was audited",
            id="no-database-reachable",
        ),
        pytest.param(
            [_report(SKIPPED), _report(VULNERABLE)], 1, "PYSEC-0000-1", id="second-service-finds"
        ),
    ],
)
def test_audit_verdicts(
    replies: list[Any], status: int, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A vulnerability fails the audit; an unreachable database is said plainly, not hidden."""
    tool = _load()
    answers = iter(replies)

    def fake_run(requirements: Path, service: str) -> tuple[int, str, str]:
        reply = next(answers)
        return (0, *reply) if isinstance(reply, tuple) else (0, reply, "")

    setattr(tool, "run_pip_audit", fake_run)  # noqa: B010 (a module loaded from a path)
    assert tool.audit({"httpx": "0.28.1"}) == status
    assert says in capsys.readouterr().out
