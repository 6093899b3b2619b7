"""Apply an OpenAPI Overlay 1.0 document to an OpenAPI description.

Targets are RFC 9535 JSONPath queries, evaluated by ``python-jsonpath``. Semantics follow the
Overlay 1.0 specification: ``update`` merges objects recursively and appends to arrays;
``remove: true`` deletes every node the target selects. Unlike the specification, an action
whose target selects nothing is an error (a changed spec must not silently drop a correction)
unless the action carries ``x-optional: true``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import jsonpath

__all__ = ["OverlayError", "apply_overlay"]


class OverlayError(Exception):
    """An overlay action could not be applied."""


def apply_overlay(spec: Mapping[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    """Return a copy of ``spec`` with every action of ``overlay`` applied in order."""
    version = str(overlay.get("overlay", ""))
    if not version.startswith("1."):
        raise OverlayError(f"unsupported overlay version {version!r}; expected 1.x")
    doc: dict[str, Any] = copy.deepcopy(dict(spec))
    for number, action in enumerate(overlay.get("actions") or [], start=1):
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
