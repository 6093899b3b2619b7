"""Apply an OpenAPI Overlay 1.0 document to an OpenAPI description, and say what each action did.

Targets are RFC 9535 JSONPath queries, evaluated by ``python-jsonpath``. An action names what
it corrects, never which document it expects: it applies to any document in which its target
exists, and is reported as exactly one of four kinds (:class:`Report`):

``applied``
    the target was found and the action changed it;
``already true``
    the target was found and already carries the correction (the update would change
    nothing, or what a ``remove`` deletes is already gone);
``absent``
    the operation (``GET /tasks``) or schema (``schema Task``) the action corrects is not in
    this document: there is nothing to correct;
``stale``
    the operation or schema is there, but the target inside it moved or vanished. Generation
    stops (:class:`StaleAction`), naming the action, what is missing and the closest match.

**Subjects.** The subject of an action is read from its target: ``$.paths[P][M]...`` is the
operation ``M P``, ``$.components.schemas[S]...`` is the schema ``S``; a target above those
(``$``, ``$.components.schemas``, ``$.paths``) is the document itself, which is always there.
Selectors at the subject's level that are names (``['/tasks','/projects']``) name subjects one
by one; a wildcard or filter there selects the subjects it finds (``$.paths.*.delete`` is every
delete the document has).

**Conditions.** A correction's condition is the content it finds. An update that would change
nothing is ``already true``; a filter selector narrows the target to the nodes that need it
(``parameters[?@.name == 'limit']``).

**Semantics** follow Overlay 1.0, with three choices of ours:

* ``update`` merges objects recursively. Arrays get the items they lack: an item already in
  the array is not added twice, and a parameter object (one with ``name`` and ``in``) merges
  into the parameter of the same name and location instead of being declared again.
* ``x-replace: true`` on an update sets each key it lists wholesale instead of merging into it,
  so a schema or a body is replaced by the corrected one in one action.
* ``remove: true`` deletes every node the target selects.

Actions with ``x-phase: merged`` run in a second pass, after the operations of the other
sources have been merged in (``codegen/merge.py``), so they can correct what the merge brought;
the others run first.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import jsonpath

__all__ = ["KINDS", "OverlayError", "Report", "StaleAction", "apply_overlay", "summary"]

Kind = Literal["applied", "already true", "absent", "stale"]
KINDS: tuple[Kind, ...] = ("applied", "already true", "absent", "stale")
_METHODS = ("get", "post", "patch", "put", "delete")


class OverlayError(Exception):
    """The overlay is malformed: a bad version, a bad target, an action of no known kind."""


@dataclass(frozen=True)
class Report:
    """What one action did to one document."""

    number: int
    kind: Kind
    description: str
    absent: tuple[str, ...] = ()
    detail: str = ""
    phase: str = "spec"

    def __str__(self) -> str:
        text = f"{self.kind:<12} #{self.number:<3} {self.description[:80]}"
        if self.absent:
            text += f" [absent here: {', '.join(self.absent)}]"
        return text + (f": {self.detail}" if self.detail else "")


@dataclass
class StaleAction(OverlayError):
    """One or more actions whose target moved or vanished inside a subject that still exists."""

    reports: list[Report] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [
            f"action #{r.number} ({r.description[:70]!r}) is stale: {r.detail}"
            for r in self.reports
        ]
        lines.append(
            "the document changed under these corrections: update each action's target "
            "(codegen/overlay.yaml) to where the thing now is, or delete the action if the "
            "document now says it right"
        )
        return "\n".join(lines)


def summary(reports: list[Report]) -> str:
    """Return the one-line count of each kind (``191 actions: 160 applied, ...``)."""
    counts = {kind: sum(1 for r in reports if r.kind == kind) for kind in KINDS}
    return f"overlay: {len(reports)} actions: " + ", ".join(f"{n} {k}" for k, n in counts.items())


def apply_overlay(
    spec: Mapping[str, Any],
    overlay: Mapping[str, Any],
    *,
    phase: str = "spec",
    reports: list[Report] | None = None,
) -> dict[str, Any]:
    """Return a copy of ``spec`` with every action of ``overlay`` of ``phase`` applied.

    Each action's :class:`Report` is appended to ``reports`` (when given). Raises
    :class:`StaleAction` after the pass when any action was stale, and :class:`OverlayError`
    on a malformed overlay.
    """
    version = str(overlay.get("overlay", ""))
    if not version.startswith("1."):
        raise OverlayError(f"unsupported overlay version {version!r}; expected 1.x")
    doc: dict[str, Any] = copy.deepcopy(dict(spec))
    done: list[Report] = []
    for number, action in enumerate(overlay.get("actions") or [], start=1):
        if action.get("x-phase", "spec") == phase:
            done.append(_apply_action(doc, number, action, phase))
    if reports is not None:
        reports.extend(done)
    stale = [r for r in done if r.kind == "stale"]
    if stale:
        raise StaleAction(stale)
    return doc


def _apply_action(
    doc: dict[str, Any], number: int, action: Mapping[str, Any], phase: str
) -> Report:
    target = action.get("target")
    description = " ".join(str(action.get("description", "")).split())
    label = f"action #{number} ({description[:70]!r}, target {target!r})"
    if not isinstance(target, str):
        raise OverlayError(f"{label}: target must be a JSONPath string")
    if not action.get("remove") and not isinstance(action.get("update"), Mapping):
        raise OverlayError(f"{label}: needs an object `update` or `remove: true`")
    try:
        path = jsonpath.compile(target.strip())
    except jsonpath.JSONPathError as exc:
        raise OverlayError(f"{label}: invalid JSONPath: {exc}") from exc
    if not isinstance(path, jsonpath.JSONPath):
        raise OverlayError(
            f"{label}: a compound path (| or &) has no one subject; write two actions"
        )
    segments = list(path.segments)
    depth = _subject_depth(segments)
    matches = list(path.finditer(doc))

    def report(kind: Kind, absent: tuple[str, ...] = (), detail: str = "") -> Report:
        return Report(number, kind, description, absent, detail, phase)

    absent: tuple[str, ...] = ()
    subjects: list[tuple[Any, ...]] = [()]
    if depth:
        subjects = [m.parts for m in _query(segments[:depth]).finditer(doc)]
        found = {_label(parts) for parts in subjects}
        absent = tuple(name for name in _named(segments[:depth]) if name not in found)
        if not subjects:
            return report("absent", absent)
    if action.get("remove"):
        if not matches:
            return report("already true", absent, "nothing left to remove")
        for match in sorted(matches, key=lambda m: m.parts, reverse=True):
            parent = _resolve(doc, match.parts[:-1])
            del parent[match.parts[-1]]
        return report("applied", absent)
    stale = _unmatched(doc, segments, depth, subjects, matches)
    if stale:
        return report("stale", absent, stale)
    changed = False
    for match in matches:
        if not isinstance(match.obj, dict):
            raise OverlayError(
                f"{label}: update targets must be objects, got {type(match.obj).__name__}"
            )
        if action.get("x-replace"):
            changed |= _replace(match.obj, action["update"])
        else:
            changed |= _merge(match.obj, action["update"])
    return report("applied" if changed else "already true", absent)


def _subject_depth(segments: list[Any]) -> int:
    """Return how many segments select the subject (0: the document is the subject)."""
    names = [_names(s) for s in segments[:2]]
    if names[:1] == [("paths",)] and len(segments) >= 3:
        return 3
    if names[:2] == [("components",), ("schemas",)] and len(segments) >= 3:
        return 3
    return 0


def _names(segment: Any) -> tuple[str, ...] | None:
    """Return the names a segment selects, or None when it has a wildcard, filter or index."""
    found = []
    for selector in segment.selectors:
        name = getattr(selector, "name", None)
        if type(selector).__name__ != "NameSelector" or not isinstance(name, str):
            return None
        found.append(name)
    return tuple(found)


def _named(segments: list[Any]) -> list[str]:
    """Return the subjects the selectors name one by one (``GET /tasks``, ``schema Task``)."""
    levels = [_names(s) for s in segments]
    if any(level is None for level in levels[1:]):
        return []
    if levels[0] == ("paths",):
        return [
            f"{m.upper()} {p}" for p in levels[1] or () for m in levels[2] or () if m in _METHODS
        ]
    return [f"schema {name}" for name in levels[2] or ()]


def _label(parts: tuple[Any, ...]) -> str:
    if parts[0] == "paths":
        return f"{str(parts[2]).upper()} {parts[1]}"
    return f"schema {parts[2]}"


def _query(segments: list[Any]) -> Any:
    return jsonpath.compile("$" + "".join(str(s) for s in segments))


def _unmatched(
    doc: Any, segments: list[Any], depth: int, subjects: list[tuple[Any, ...]], matches: list[Any]
) -> str:
    """Describe the first subject the target finds nothing in ('' when every one has a match)."""
    hit = {m.parts[:depth] for m in matches}
    for parts in subjects:
        if parts[:depth] in hit:
            continue
        node = _resolve(doc, parts)
        where = _label(parts) if depth else "the document"
        for k in range(depth, len(segments)):
            step = _query(segments[k : k + 1])
            found = [m.obj for m in step.finditer(node)]
            if not found:
                return f"{where} has no {segments[k]!s} under {_show(segments[depth:k])}{_closest(segments[k], node)}"
            node = found[0]
        return f"{where}: the target selects nothing"
    return ""


def _show(segments: list[Any]) -> str:
    return "".join(str(s) for s in segments) or "it"


def _closest(segment: Any, node: Any) -> str:
    """Name the nearest thing there is, for the stale message."""
    if isinstance(node, dict):
        keys = [str(k) for k in node]
    elif isinstance(node, list):
        keys = [str(item.get("name")) for item in node if isinstance(item, dict) and "name" in item]
    else:
        return ""
    wanted = " ".join(_names(segment) or (str(segment),))
    near = difflib.get_close_matches(wanted, keys, n=1, cutoff=0.0)
    return f" (closest: {near[0]!r}; there: {', '.join(keys[:8])})" if near else " (it is empty)"


def _resolve(doc: Any, parts: tuple[Any, ...]) -> Any:
    node = doc
    for part in parts:
        node = node[part]
    return node


def _merge(into: dict[str, Any], update: Mapping[str, Any]) -> bool:
    """Merge ``update`` into ``into`` in place; return whether anything changed."""
    changed = False
    for key, value in update.items():
        current = into.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            changed |= _merge(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            changed |= _extend(current, value)
        elif key not in into or current != value:
            into[key] = copy.deepcopy(value)
            changed = True
    return changed


def _extend(current: list[Any], items: list[Any]) -> bool:
    changed = False
    for item in items:
        same = _same_parameter(current, item)
        if same is not None:
            changed |= _merge(same, item)
        elif item not in current:
            current.append(copy.deepcopy(item))
            changed = True
    return changed


def _same_parameter(current: list[Any], item: Any) -> dict[str, Any] | None:
    if not (isinstance(item, Mapping) and "name" in item and "in" in item):
        return None
    for existing in current:
        if isinstance(existing, dict) and (existing.get("name"), existing.get("in")) == (
            item["name"],
            item["in"],
        ):
            return existing
    return None


def _replace(into: dict[str, Any], update: Mapping[str, Any]) -> bool:
    changed = False
    for key, value in update.items():
        if key not in into or into[key] != value:
            into[key] = copy.deepcopy(value)
            changed = True
    return changed
