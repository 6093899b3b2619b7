"""Apply an OpenAPI Overlay 1.0 document to an OpenAPI description.

Targets are RFC 9535 JSONPath queries, evaluated by ``python-jsonpath``. Semantics follow the
Overlay 1.0 specification: ``update`` merges objects recursively and appends to arrays;
``remove: true`` deletes every node the target selects. Unlike the specification, an action
whose target selects nothing is an error (a changed spec must not silently drop a correction)
unless the action carries ``x-optional: true``.

An action with ``x-phase: merged`` runs in a second pass, after Pylon's own document has been
merged in (``codegen/merge.py``), so it can correct what the merge brought; the others run first.

An action may say which documents it is for: ``x-documents: [vendored]`` (or ``[official]``).
Applied to another document, it is skipped and reported by number and description (see
:class:`Skipped`), never silently; an action without ``x-documents`` is for every document.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, NamedTuple

import jsonpath

__all__ = ["OverlayError", "Skipped", "apply_overlay"]


class OverlayError(Exception):
    """An overlay action could not be applied."""


class Skipped(NamedTuple):
    """An action that is not for the document it was applied to."""

    number: int
    description: str
    documents: tuple[str, ...]

    def __str__(self) -> str:
        return (
            f"action {self.number} ({self.description[:70]!r}) is for "
            f"{', '.join(self.documents)} only: skipped"
        )


def apply_overlay(
    spec: Mapping[str, Any],
    overlay: Mapping[str, Any],
    *,
    document: str = "vendored",
    skipped: list[Skipped] | None = None,
    phase: str = "spec",
) -> dict[str, Any]:
    """Return a copy of ``spec`` with every action of ``overlay`` for ``document`` applied.

    Only the actions of ``phase`` run (``x-phase``, default ``spec``). Actions for other
    documents are appended to ``skipped`` (when given).
    """
    version = str(overlay.get("overlay", ""))
    if not version.startswith("1."):
        raise OverlayError(f"unsupported overlay version {version!r}; expected 1.x")
    doc: dict[str, Any] = copy.deepcopy(dict(spec))
    for number, action in enumerate(overlay.get("actions") or [], start=1):
        if action.get("x-phase", "spec") != phase:
            continue
        documents = tuple(action.get("x-documents") or ())
        if documents and document not in documents:
            if skipped is not None:
                description = " ".join(str(action.get("description", "")).split())
                skipped.append(Skipped(number, description, documents))
            continue
        _apply_action(doc, number, action)
    return doc


def _apply_action(doc: dict[str, Any], number: int, action: Mapping[str, Any]) -> None:
    target = action.get("target")
    label = f"action {number} ({action.get('description', '').strip()[:70]!r}, target {target!r})"
    if not isinstance(target, str):
        raise OverlayError(f"{label}: target must be a JSONPath string")
    try:
        matches = list(jsonpath.finditer(target, doc))
    except jsonpath.JSONPathError as exc:
        raise OverlayError(f"{label}: invalid JSONPath: {exc}") from exc
    if not matches:
        if action.get("x-optional"):
            return
        raise OverlayError(f"{label}: target matched nothing (mark it x-optional if expected)")
    if action.get("remove"):
        # Remove deepest-first and from the end of lists so earlier paths stay valid.
        for match in sorted(matches, key=lambda m: m.parts, reverse=True):
            parent = _resolve(doc, match.parts[:-1])
            del parent[match.parts[-1]]
        return
    if "update" not in action:
        raise OverlayError(f"{label}: needs `update` or `remove: true`")
    for match in matches:
        if not isinstance(match.obj, dict):
            raise OverlayError(f"{label}: update targets must be objects, got {type(match.obj)}")
        _merge(match.obj, action["update"])


def _resolve(doc: Any, parts: tuple[Any, ...]) -> Any:
    node = doc
    for part in parts:
        node = node[part]
    return node


def _merge(into: dict[str, Any], update: Mapping[str, Any]) -> None:
    for key, value in update.items():
        current = into.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            _merge(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            current.extend(copy.deepcopy(value))
        else:
            into[key] = copy.deepcopy(value)
