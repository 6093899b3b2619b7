"""Audit pylon-client's runtime dependencies for known vulnerabilities (``make audit``).

The runtime set is what ``pip install pylon-client`` brings (httpx, attrs, anyio and their own
requirements, extras left out), pinned to the versions installed here and read with
``importlib.metadata``. It is handed to ``pip-audit --no-deps``, first against PyPI's
vulnerability data, then OSV's.

Exit status: 1 if any vulnerability is found or pip-audit fails in another way; 0 otherwise.
When neither vulnerability database can be reached (a machine that sees only a package mirror),
pip-audit skips every package; this prints one line saying nothing was audited and exits 0,
rather than pip-audit's own "No known vulnerabilities found".
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT = "pylon-client"
SERVICES = ("pypi", "osv")
UNREACHABLE = "dependency audit could not reach a vulnerability database; nothing was audited"
# What pip-audit says, per package or in a traceback, when its service cannot be reached.
_UNREACHABLE_MARKS = (
    "could not be audited",
    "ConnectionError",
    "NameResolutionError",
    "Max retries exceeded",
)


@dataclass(frozen=True)
class Finding:
    """One known vulnerability of one installed package."""

    name: str
    version: str
    vuln_id: str
    fixes: tuple[str, ...]


def runtime_pins(project: str = PROJECT) -> dict[str, str]:
    """Return ``{name: installed version}`` for everything ``project`` needs at runtime."""
    pins: dict[str, str] = {}
    todo = [project]
    while todo:
        name = todo.pop()
        for line in metadata.requires(name) or []:
            requirement = Requirement(line)
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue  # an extra (pylon-client[testing]) or another platform's dependency
            key = canonicalize_name(requirement.name)
            if key not in pins:
                pins[key] = metadata.version(requirement.name)
                todo.append(requirement.name)
    return pins


def run_pip_audit(requirements: Path, service: str) -> tuple[int, str, str]:
    """Run pip-audit on a pinned requirements file; return its exit status, stdout, stderr."""
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "--requirement",
        str(requirements),
        "--no-deps",
        "--disable-pip",
        "--progress-spinner",
        "off",
        "--format",
        "json",
        "--vulnerability-service",
        service,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    return done.returncode, done.stdout, done.stderr


def findings(report: dict[str, object]) -> tuple[list[Finding], list[str], int]:
    """Read pip-audit's JSON: the vulnerabilities, the skip reasons, and the packages seen."""
    found: list[Finding] = []
    skipped: list[str] = []
    dependencies = report.get("dependencies")
    entries = dependencies if isinstance(dependencies, list) else []
    for entry in entries:
        if "skip_reason" in entry:
            skipped.append(str(entry["skip_reason"]))
            continue
        for vuln in entry.get("vulns", []):
            found.append(
                Finding(
                    str(entry["name"]),
                    str(entry.get("version", "?")),
                    str(vuln.get("id", "?")),
                    tuple(str(v) for v in vuln.get("fix_versions", [])),
                )
            )
    return found, skipped, len(entries)


def unreachable(text: str) -> bool:
    """Tell whether ``text`` says the vulnerability service could not be reached."""
    return any(mark in text for mark in _UNREACHABLE_MARKS)


def audit(pins: dict[str, str]) -> int:
    """Audit ``pins`` against each service in turn; print the outcome; return the exit status."""
    with tempfile.TemporaryDirectory() as tmp:
        requirements = Path(tmp) / "runtime-requirements.txt"
        requirements.write_text("".join(f"{n}=={v}\n" for n, v in sorted(pins.items())))
        for service in SERVICES:
            status, out, err = run_pip_audit(requirements, service)
            try:
                report = json.loads(out) if out.strip() else None
            except ValueError:
                report = None
            if not isinstance(report, dict):
                if unreachable(err):
                    continue
                sys.stderr.write(err)
                print(f"pip-audit failed (exit {status}) against {service}")
                return status or 1
            found, skipped, seen = findings(report)
            if found:
                for f in found:
                    fixes = ", ".join(f.fixes) or "no fixed version"
                    print(f"VULNERABLE {f.name} {f.version}: {f.vuln_id} (fixed in {fixes})")
                return 1
            if seen and len(skipped) == seen and all(unreachable(s) for s in skipped):
                continue
            audited = seen - len(skipped)
            print(f"no known vulnerabilities in {audited} runtime dependencies ({service})")
            for reason in skipped:
                print(f"not audited: {reason}")
            return 0
    print(UNREACHABLE)
    return 0


def main() -> int:
    """Audit the installed runtime dependencies of pylon-client."""
    pins = runtime_pins()
    print("runtime dependencies: " + ", ".join(f"{n} {v}" for n, v in sorted(pins.items())))
    return audit(pins)


if __name__ == "__main__":
    sys.exit(main())
