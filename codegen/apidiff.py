"""What a new spec changes for a user's code: a changelog by resource, in two views that agree.

Usage::

    python codegen/apidiff.py --spec new.json    # today's sources, then new.json in the spec role
    python codegen/apidiff.py --against main     # the committed client of a git ref, then the tree's
    python codegen/apidiff.py --old a.yml --new b.yml  # two documents, each in the spec role
    python codegen/apidiff.py --guard            # every change of docs/public-api.txt said so

``make api-diff SPEC=new.json`` (or ``AGAINST=ref``) builds both clients in a temporary
folder, so the tree is never touched, and prints every change grouped by resource, each
marked breaking or compatible by the rule of ``codegen/api_items.py``. It reads each client
twice: the **spec view** (``codegen/api_spec.py``: operations, arguments and response fields
of the effective spec, by method, path and field) and the **Python view**
(``codegen/api_python.py``: the methods, signatures and models of the generated package).
Both name items alike, so they are compared key by key; where they judge a key differently
the report says so and why (a renamed schema changes a class name and not the wire; an
argument that moves from the query to the body changes the wire and not the call).

``make api-guard`` reads the history of ``docs/public-api.txt``, the Python view that
``make generate`` writes: each commit that made a breaking change to it, and the tree when
it differs from HEAD, must add a line saying ``BREAKING`` to ``CHANGELOG.md`` in the same
change. ``make generate`` itself prints the counts of what a regeneration changed and
writes them into a generated section of ``CHANGELOG.md`` for the maintainer to edit.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_items import BREAKING, Change, Item, Key, compare
from api_python import load, python_items
from api_spec import spec_items
from sources import ROOT, SOURCES, Source, read_yaml, with_spec

__all__ = [
    "Diff",
    "Side",
    "diff",
    "guard",
    "render",
    "section_lines",
    "side",
    "title",
    "update_changelog",
]

MARKER = "<!-- written by `make generate`; it adds to this section until you delete this line -->"
_RANK = {None: 0, "compatible": 1, "breaking": 2}


@dataclass(frozen=True)
class Side:
    """One client as both views read it, and how to name it."""

    name: str
    spec: dict[Key, Item]
    python: dict[Key, Item]


@dataclass
class Diff:
    """The changes from one client to another in each view, and where the views disagree."""

    old: str
    new: str
    spec: list[Change]
    python: list[Change]
    disagreements: list[str] = field(default_factory=list)

    def count(self, view: str = "listed") -> tuple[int, int]:
        """Return (breaking, compatible) of ``spec``, ``python`` or ``listed`` (both, once)."""
        changes = self.listed() if view == "listed" else getattr(self, view)
        breaking = sum(c.verdict == BREAKING for c in changes)
        return breaking, len(changes) - breaking

    def models(self) -> list[Change]:
        """Return the changes of ``pylon_client.types`` names, which only Python sees."""
        return [c for c in self.python if c.key[0] == "model"]

    def listed(self) -> list[Change]:
        """Return what the changelog lists: the spec view's changes, then the Python view's.

        The Python view's are those on keys the spec view saw no change of: models, and what
        a change in codegen/ did.
        """
        seen = {c.key for c in self.spec}
        return self.spec + [c for c in self.python if c.key not in seen]


def title(spec: dict[str, Any]) -> str:
    """Return a document's title and version, as the report names it."""
    info = spec.get("info", {})
    return f"{info.get('title', 'API')} {info.get('version', '')}".strip()


def side(name: str, spec: dict[str, Any], package: Path) -> Side:
    """Read one client: its effective spec (a dict) and its generated package (a folder)."""
    return Side(f"{name} ({title(spec)})", spec_items(spec), python_items(package))


def built(name: str, sources: tuple[Source, ...], tmp: Path) -> Side:
    """Generate a client from ``sources`` into ``tmp`` (the tree untouched) and read it."""
    import generate  # the generator's imports cost a second: only when building

    out = tmp / name.replace("/", "_")
    out.mkdir()
    result = generate.build(out, sources)
    return side(name, read_yaml(result.effective_yaml), result.package)


def at_ref(ref: str, tmp: Path) -> Side:
    """Read the client committed at a git ref (its generated package and effective spec)."""
    paths = ["pylon_client/_generated", "openapi/pylon-openapi.effective.yml"]
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref, *paths],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        raise SystemExit(f"git archive {ref}: {archive.stderr.decode().strip()}")
    out = tmp / "ref"
    tar = out.with_suffix(".tar")
    tar.write_bytes(archive.stdout)
    with tarfile.open(tar) as opened:
        opened.extractall(out, filter="data")
    spec = read_yaml((out / paths[1]).read_text(encoding="utf-8"))
    return side(ref, spec, out / paths[0])


def in_tree() -> Side:
    """Read the client as the tree holds it."""
    spec = read_yaml((ROOT / "openapi" / "pylon-openapi.effective.yml").read_text("utf-8"))
    return side("the tree", spec, ROOT / "pylon_client" / "_generated")


def _worst(changes: Iterable[Change]) -> str | None:
    return max((c.verdict for c in changes), key=_RANK.__getitem__, default=None)


def _why(spec: list[Change], python: list[Change]) -> str:
    """Say why the views judge a key differently (the cases a generator gives rise to)."""
    spec_what = {c.what for c in spec}
    py_what = {c.what for c in python}
    if not spec and py_what <= {"type changed"}:
        return "the wire is the same; a generated class is named differently (a schema renamed or moved), so code that names the class breaks"
    if spec and spec_what <= {"sent elsewhere", "endpoint changed"}:
        return "the request goes elsewhere on the wire; the Python call is the same"
    if not python and spec_what <= {"type changed"}:
        return "both types are the same Python type"
    if not spec and py_what & {
        "may be None",
        "is never None",
        "takes None",
        "no longer takes None",
    }:
        return "the generated type reads the nullability otherwise than the spec says it"
    if not python and {c.key[2] for c in spec} <= {"cursor", "limit"}:
        return "the facade takes cursor and limit only where a call pages"
    if not spec:
        return "the generated code changed with the same spec (a change in codegen/)"
    if not python:
        return "the generated code does not show this change"
    return "the views see different changes here"


def _agreement(spec: list[Change], python: list[Change]) -> list[str]:
    by_key: dict[Key, tuple[list[Change], list[Change]]] = defaultdict(lambda: ([], []))
    for change in spec:
        by_key[change.key][0].append(change)
    for change in python:
        if change.key[0] != "model":
            by_key[change.key][1].append(change)
    lines = []
    removed = sorted(c.key[1] for c in python if c.key[0] == "model" and c.what == "removed")
    if removed and not any(c.what in ("removed", "renamed") for c in spec):
        lines.append(
            f"models: spec: nothing removed; Python: {len(removed)} name(s) gone from "
            f"pylon_client.types (breaking): {', '.join(removed[:8])}"
            f"{', ...' if len(removed) > 8 else ''}. The wire is the same; the generator names "
            "these classes after schemas, so a renamed or inlined schema renames one, and code "
            "that imports the old name breaks"
        )
    for key in sorted(by_key):
        s, p = by_key[key]
        if _worst(s) != _worst(p):
            label = (s or p)[0].label
            shown_s = "; ".join(f"{c.what} ({c.verdict})" for c in s) or "no change"
            shown_p = "; ".join(f"{c.what} ({c.verdict})" for c in p) or "no change"
            lines.append(f"{label}: spec: {shown_s}; Python: {shown_p}. {_why(s, p)}")
    return lines


def diff(old: Side, new: Side) -> Diff:
    """Compare two clients in both views."""
    spec = compare(old.spec, new.spec)
    python = compare(old.python, new.python)
    return Diff(old.name, new.name, spec, python, _agreement(spec, python))


def _resource(change: Change) -> str:
    owner = change.key[1]
    return "models (pylon_client.types)" if change.key[0] == "model" else owner.partition(".")[0]


def _grouped(changes: list[Change]) -> dict[str, list[str]]:
    """Lines by resource; a field change shared by several methods is one line naming them.

    A method added or removed is one line that counts its arguments and response fields.
    """
    whole = {
        c.key[1]: c for c in changes if c.key[0] == "operation" and c.what in ("added", "removed")
    }
    parts: dict[str, int] = defaultdict(int)
    merged: dict[tuple[str, str, str, str, str, str], list[str]] = defaultdict(list)
    for c in changes:
        if c.key[0] in ("argument", "response") and c.key[1] in whole:
            parts[c.key[1]] += bool(c.key[2])
            continue
        kind, owner, name = c.key
        shared = kind == "response" and name != ""
        group = (_resource(c), c.verdict, kind, name if shared else c.label, c.what, c.detail)
        merged[group].append(owner)
    out: dict[str, list[str]] = defaultdict(list)
    for (resource, verdict, kind, name, what, detail), owners in sorted(merged.items()):
        if kind == "operation" and name in whole and parts[name]:
            detail = f"with {parts[name]} argument(s) and field(s)"
        if kind == "response" and owners and name and not name.endswith("returns"):
            label = f"{', '.join(sorted(set(owners)))} -> {name}"
        else:
            label = name
        out[resource].append(f"{verdict:<10} {label}: {what}{f': {detail}' if detail else ''}")
    return dict(out)


def render(result: Diff) -> str:
    """Return the report: counts, changes by resource, and where the two views disagree."""
    (breaking, compatible), spec, python = (result.count(v) for v in ("listed", "spec", "python"))
    lines = [
        f"API changes from {result.old} to {result.new}",
        f"{breaking} breaking, {compatible} compatible (spec view: {spec[0]} and {spec[1]}; "
        f"Python view: {python[0]} and {python[1]})",
    ]
    if not result.spec and not result.python:
        return "\n".join([*lines, "no change to the public API"]) + "\n"
    for resource, entries in sorted(_grouped(result.listed()).items()):
        lines += ["", f"## {resource}", *(f"  {line}" for line in entries)]
    if result.disagreements:
        lines += ["", f"## where the views disagree ({len(result.disagreements)})"]
        lines += [f"  {line}" for line in result.disagreements]
    else:
        lines += ["", "the spec view and the Python view agree on every change"]
    return "\n".join(lines) + "\n"


def section_lines(result: Diff) -> list[str]:
    """Return the changelog lines of a diff: breaking ones first, each saying so."""
    lines = []
    for _, entries in sorted(_grouped(result.listed()).items()):
        for entry in entries:
            verdict, _, rest = entry.partition(" ")
            mark = "**BREAKING** " if verdict == BREAKING else ""
            lines.append(f"- {mark}{rest.strip()}")
    return sorted(lines, key=lambda line: "**BREAKING**" not in line)


def update_changelog(path: Path, heading: str, lines: list[str]) -> None:
    """Add ``lines`` to the generated section under ``## [Unreleased]``, made if need be.

    The section is the one whose next line is :data:`MARKER`; once a maintainer deletes
    that line, the section is theirs and the next regeneration starts a new one.
    """
    text = path.read_text(encoding="utf-8").splitlines() if path.exists() else ["# Changelog"]
    if MARKER in text:
        start = text.index(MARKER) + 1
        end = next((i for i in range(start, len(text)) if text[i].startswith("#")), len(text))
        kept = [line for line in text[start:end] if line.strip()]
        body = [*kept, *(line for line in lines if line not in kept)]
        text[start - 2 : end] = [heading, MARKER, *body, ""]
    else:
        at = next(
            (i + 1 for i, line in enumerate(text) if line.startswith("## [Unreleased]")), None
        )
        if at is None:
            text += ["", "## [Unreleased]"]
            at = len(text)
        text[at:at] = ["", heading, MARKER, *lines]
    path.write_text("\n".join(text).rstrip("\n") + "\n", encoding="utf-8")


def _git(root: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *argv],  # noqa: S607
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


def _said(changelog_diff: str) -> bool:
    return any(
        line.startswith("+") and not line.startswith("+++") and "BREAKING" in line
        for line in changelog_diff.splitlines()
    )


def _breaking(old_text: str, new_text: str) -> list[Change]:
    return [c for c in compare(load(old_text), load(new_text)) if c.verdict == BREAKING]


def guard(root: Path = ROOT, api: str = "docs/public-api.txt", log: str = "CHANGELOG.md") -> int:
    """Fail when a change to the public API broke it and did not say so in the changelog.

    Every commit that changed ``api`` is compared with its parent, and the tree with HEAD; a
    breaking one must add a line holding ``BREAKING`` to ``log`` in the same commit (or, for
    the tree, in the uncommitted change). The file's first version is the baseline.
    """
    problems: list[str] = []
    checked = 0
    head = _git(root, "show", f"HEAD:{api}")
    current = (root / api).read_text(encoding="utf-8")
    if head.returncode == 0 and current != head.stdout:
        checked += 1
        found = _breaking(head.stdout, current)
        if found and not _said(_git(root, "diff", "HEAD", "--", log).stdout):
            problems.append(f"the uncommitted change breaks {len(found)}: {found[0]}")
    commits = _git(root, "log", "--format=%H", "--", api).stdout.split()
    for commit in commits:
        before = _git(root, "show", f"{commit}^:{api}")
        if before.returncode != 0:
            continue  # the file's first version (or a shallow clone's edge): the baseline
        checked += 1
        found = _breaking(before.stdout, _git(root, "show", f"{commit}:{api}").stdout)
        if found and not _said(_git(root, "diff", f"{commit}^", commit, "--", log).stdout):
            problems.append(
                f"{commit[:10]} breaks {len(found)} without a BREAKING line: {found[0]}"
            )
    for problem in problems:
        print(f"api-guard: {problem}")
    if problems:
        print(f"api-guard: say so in {log} (a line with BREAKING), in the same change")
        return 1
    print(f"api-guard: {checked} change(s) of {api} checked; every breaking one says so")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, help="a new document for the spec role")
    parser.add_argument("--against", metavar="REF", help="a git ref whose client is the old one")
    parser.add_argument("--old", type=Path, help="with --new: compare two documents")
    parser.add_argument("--new", type=Path)
    parser.add_argument("--guard", action="store_true", help="check docs/public-api.txt's history")
    args = parser.parse_args(argv)
    if args.guard:
        return guard()
    with tempfile.TemporaryDirectory() as tmp:
        if args.spec:
            old = built("the current sources", SOURCES, Path(tmp))
            new = built(str(args.spec), with_spec(args.spec), Path(tmp))
        elif args.against:
            old, new = at_ref(args.against, Path(tmp)), in_tree()
        elif args.old and args.new:
            old = built(str(args.old), with_spec(args.old), Path(tmp))
            new = built(str(args.new), with_spec(args.new), Path(tmp))
        else:
            parser.error("give --spec FILE, --against REF, --old A --new B, or --guard")
        sys.stdout.write(render(diff(old, new)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
