"""The sources of generation, as ``codegen/sources.yaml`` declares them, and how a document is read.

Every input has one entry there: a name, a role (``spec``, ``operations``, ``rate-limits``), a
path and a precedence (the higher wins where sources disagree). Code asks for a role, never for
a file: ``spec()`` is the document generation starts from, ``operations()`` the documents that
supply what it lacks, highest precedence first. ``make generate SPEC=file`` gives the spec role
to another file (:func:`with_spec`); nothing else about the run changes, since no part of
codegen tells documents apart by their bytes.

:func:`load_document` reads a JSON or YAML document into its canonical form: mapping keys in
sorted order at every level, so two documents that differ only in key order, formatting or
syntax are the same input.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "ROOT",
    "Source",
    "SourceError",
    "canonical",
    "label",
    "load_document",
    "load_sources",
    "operations",
    "rate_limits",
    "read_yaml",
    "references",
    "shown",
    "spec",
    "with_spec",
]

ROOT = Path(__file__).resolve().parent.parent
DECLARED = ROOT / "codegen" / "sources.yaml"
ROLES = ("spec", "operations", "rate-limits")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text: str) -> Any:
    """Parse YAML safely, with libyaml's C parser where PyYAML has it (ten times faster)."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - _LOADER is (C)SafeLoader


def shown(path: Path) -> str:
    """Return a path as messages and headers write it: relative to the project when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


class SourceError(Exception):
    """A declared source, or a document given for a role, cannot be read as one."""


@dataclass(frozen=True)
class Source:
    """One declared input of generation."""

    name: str
    role: str
    path: Path
    precedence: int
    origin: str
    label: str = ""
    conformance: bool = False

    @property
    def shown(self) -> str:
        """The path as a header or a report writes it (relative to the project when inside it)."""
        return shown(self.path)

    def sha256(self) -> str:
        """Return the sha256 of the file as it is now: provenance, never identity."""
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def load_sources(declared: Path = DECLARED) -> tuple[Source, ...]:
    """Read and check the declaration: known roles, one spec, unique names and precedences."""
    entries = read_yaml(declared.read_text(encoding="utf-8"))["sources"]
    found = tuple(
        Source(
            name=str(e["name"]),
            role=str(e["role"]),
            path=(ROOT / str(e["path"])).resolve(),
            precedence=int(e["precedence"]),
            origin=str(e.get("origin", "")),
            label=str(e.get("label", e["name"])),
            conformance=bool(e.get("conformance", False)),
        )
        for e in entries
    )
    problems = [f"{s.name}: unknown role {s.role!r}" for s in found if s.role not in ROLES]
    if sum(s.role == "spec" for s in found) != 1:
        problems.append("exactly one source must have the role spec")
    if len({s.name for s in found}) != len(found):
        problems.append("two sources share a name")
    if len({s.precedence for s in found}) != len(found):
        problems.append("two sources share a precedence")
    if problems:
        raise SourceError(f"{shown(declared)}: {'; '.join(problems)}")
    return tuple(sorted(found, key=lambda s: -s.precedence))


SOURCES = load_sources()
"""Every declared source, highest precedence first."""


def with_spec(path: Path, sources: tuple[Source, ...] = SOURCES) -> tuple[Source, ...]:
    """Return the sources with ``path`` in the spec role (``make generate SPEC=...``)."""
    return tuple(replace(s, path=path.resolve()) if s.role == "spec" else s for s in sources)


def spec(sources: tuple[Source, ...] = SOURCES) -> Source:
    """Return the source in the spec role: the document generation starts from."""
    return next(s for s in sources if s.role == "spec")


def operations(sources: tuple[Source, ...] = SOURCES) -> list[Source]:
    """Return the sources that supply the operations the spec lacks, in declaration order."""
    return [s for s in sources if s.role == "operations"]


def references(sources: tuple[Source, ...] = SOURCES) -> list[Source]:
    """Return the sources ``make conformance`` compares the effective spec with."""
    return [s for s in operations(sources) if s.conformance]


def label(name: str, sources: tuple[Source, ...] = SOURCES) -> str:
    """Return how ``docs/operations.md`` names a source (``Pylon``, ``SDK``); unknown: as is."""
    return next((s.label for s in sources if s.name == name), name)


def rate_limits(sources: tuple[Source, ...] = SOURCES) -> Source:
    """Return the source of the per-endpoint rate limits."""
    return next(s for s in sources if s.role == "rate-limits")


def canonical(node: Any) -> Any:
    """Return ``node`` with every mapping's keys in sorted order (lists keep theirs)."""
    if isinstance(node, dict):
        return {key: canonical(node[key]) for key in sorted(node, key=str)}
    if isinstance(node, list):
        return [canonical(item) for item in node]
    return node


def load_document(path: Path) -> dict[str, Any]:
    """Read an OpenAPI document (JSON or YAML) in canonical form; a clear error if it is not one."""
    text = path.read_text(encoding="utf-8")
    try:
        doc = json.loads(text) if text.lstrip().startswith("{") else read_yaml(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise SourceError(f"{path}: not a JSON or YAML document: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
        raise SourceError(f"{path}: not an OpenAPI document (no `paths` object)")
    doc.setdefault("components", {}).setdefault("schemas", {})
    return dict(canonical(doc))
