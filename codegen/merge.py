"""Add to the effective spec every operation of another source (Pylon's own document) that it lacks.

The vendored spec, corrected by the overlay, stays the base: for the operations both documents
have, it wins, and ``make conformance`` holds it to Pylon's document field by field. Every
operation only Pylon's document has (matched by method and path, parameter names ignored) is
copied in with the schemas it refers to, directly or not. The rules, in order:

1. **Names that are already there.** A referenced schema whose name the effective spec already
   has, compared without regard to case (``ExternalID`` is ``ExternalId``), is the effective
   spec's: the overlay built each of those from Pylon's document, under Pylon's name or its
   Python-cased spelling, and the conformance check keeps them in step. :data:`ALIASES` maps the
   three that the effective spec names differently (``Me`` is ``Organization``,
   ``CustomFieldDefinition`` is ``CustomField``, a search ``Filter`` is ``SearchFilter``).
2. **New names** are copied as Pylon's document has them, without its ``x-go-*`` annotations
   and without ``title`` (the generator would name the class after a title such as "Survey
   represents a survey in the API response.").
3. **Tolerant reading.** Pylon sends ``null`` for unset fields, and its document marks none
   nullable: every property of a copied schema that the schema does not require becomes
   ``nullable``, as the overlay does for the shared ones.
4. **Errors** of a copied operation use the effective spec's error response, like every other
   operation.
5. **What a higher source knows better.** A schema of the source marked ``x-refines: true``
   names a type the effective spec already has (by the rule 1 names) and corrects it: each field
   it requires becomes required and not nullable (unless it says ``nullable: true``), and each
   field it gives a shape (``type``, ``enum``, ``anyOf``, ``items``, ``$ref``...) takes that
   shape, keeping its description. A field it gives only an ``x-source`` keeps its shape. A
   refinement of a type, or of a field, that this version of the spec lacks is skipped: the
   correction follows what it corrects.

The result is deterministic: operations and schemas are added in the order of each document.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ratelimits import METHODS, path_key

__all__ = ["ALIASES", "MergeError", "merge_operations", "operation_keys", "refine_schemas"]

ALIASES = {"Me": "Organization", "CustomFieldDefinition": "CustomField", "Filter": "SearchFilter"}
_ERRORS = ("400", "401", "403", "404", "409", "413", "429", "500")
_REF = "#/components/schemas/"


class MergeError(Exception):
    """Pylon's document cannot be merged into the effective spec."""


def merge_operations(
    effective: dict[str, Any],
    official: Mapping[str, Any],
    source_name: str = "official",
    *,
    extra: list[str] | None = None,
    skip: frozenset[tuple[str, str]] = frozenset(),
) -> list[str]:
    """Add the operations only ``official`` has to ``effective`` (in place); return their keys.

    Each added operation is marked ``x-pylon-source: <source_name>`` (the source's declared name).
    """
    have = {path_key(m, p) for p, item in effective["paths"].items() for m in item if m in METHODS}
    schemas: dict[str, Any] = effective["components"]["schemas"]
    by_folded = {name.lower(): name for name in schemas}
    names: dict[str, str] = {}  # official name -> name in the effective spec
    source = official["components"]["schemas"]

    def target(name: str) -> str:
        if name in names:
            return names[name]
        found = by_folded.get(name.lower()) or ALIASES.get(name)
        if found is not None:
            if found not in schemas:
                raise MergeError(f"alias {name} -> {found}: no such schema in the effective spec")
            names[name] = found
            return found
        names[name] = name
        by_folded[name.lower()] = name
        schemas[name] = _tolerant(rewrite(source[name]))
        return name

    def rewrite(node: Any) -> Any:
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key.startswith("x-go-") or (key == "title" and isinstance(value, str)):
                continue
            if key == "$ref" and isinstance(value, str) and value.startswith(_REF):
                out[key] = _REF + target(value[len(_REF) :])
            else:
                out[key] = rewrite(value)
        return out

    for name in extra or ():  # schemas wanted by name (refine_schemas), with what they refer to
        target(name)
    added: list[str] = []
    for path, item in official["paths"].items():
        for method in METHODS:
            if method not in item or path_key(method, path) in have | skip:
                continue
            op = rewrite(copy.deepcopy(item[method]))
            # Parameters the source declares on the path item belong to the operation too.
            own = {(p["name"], p["in"]) for p in op.get("parameters", [])}
            inherited = [
                p
                for p in rewrite(copy.deepcopy(item.get("parameters", [])))
                if (p["name"], p["in"]) not in own
            ]
            if inherited:
                op["parameters"] = [*inherited, *op.get("parameters", [])]
            op["responses"] = {
                **{
                    k: v for k, v in op.get("responses", {}).items() if not k.startswith(("4", "5"))
                },
                **{code: {"$ref": "#/components/responses/Error"} for code in _ERRORS},
            }
            op["x-pylon-source"] = source_name
            target_item = effective["paths"].setdefault(path, {})
            shared = {(p["name"], p["in"]) for p in target_item.get("parameters", [])}
            if shared:  # the path item already declares them: do not declare them twice
                op["parameters"] = [
                    p for p in op.get("parameters", []) if (p["name"], p["in"]) not in shared
                ]
            target_item[method] = op
            added.append(f"{method.upper()} {path}")
    return added


def refine_schemas(effective: dict[str, Any], source: Mapping[str, Any]) -> list[str]:
    """Apply the ``x-refines`` schemas of ``source`` to ``effective`` (rule 5); return their names.

    Run after every source's operations are merged, lowest precedence first, so that a type
    any source added is there to refine and the newest source's word is the last.
    """
    schemas: dict[str, Any] = effective["components"]["schemas"]
    by_folded = {name.lower(): name for name in schemas}
    refined: list[str] = []
    for name, refinement in source["components"]["schemas"].items():
        if refinement.get("x-refines") is not True:
            continue
        found = by_folded.get(name.lower()) or ALIASES.get(name)
        if found is None or found not in schemas:
            continue  # the type this refines is not in this version of the spec
        shapes = refinement.get("properties", {}).values()
        missing = sorted({r for p in shapes for r in _refs(p)} - set(schemas))
        if missing:  # a typed sub-object new to the spec: bring it in as the merge would
            merge_operations(
                effective,
                {"paths": {}, "components": {"schemas": source["components"]["schemas"]}},
                "",
                extra=missing,
            )
        _refine(schemas[found], refinement)
        refined.append(found)
    return refined


def operation_keys(document: Mapping[str, Any]) -> set[tuple[str, str]]:
    """Return the matching keys (method, path with parameters unnamed) of a document's operations."""
    return {path_key(m, p) for p, item in document["paths"].items() for m in item if m in METHODS}


def _refs(node: Any) -> set[str]:
    if isinstance(node, list):
        return {r for item in node for r in _refs(item)}
    if not isinstance(node, dict):
        return set()
    found = {str(node["$ref"]).rsplit("/", 1)[-1]} if isinstance(node.get("$ref"), str) else set()
    return found | {r for value in node.values() for r in _refs(value)}


_SHAPE = ("type", "format", "enum", "anyOf", "oneOf", "allOf", "items", "$ref")
_KEEP = ("description", "x-source")


def _refine(target: dict[str, Any], refinement: Mapping[str, Any]) -> None:
    """Apply what a higher source knows better of a shared schema (rule 5), in place."""
    properties = target.setdefault("properties", {})
    required = list(target.get("required", []))
    wanted = set(required) | set(refinement.get("required", []))
    for field, given in refinement.get("properties", {}).items():
        shape = {k: v for k, v in given.items() if k in _SHAPE}
        if shape:  # a typed sub-object, an enumeration: the higher source's shape wins
            kept = {k: v for k, v in properties.get(field, {}).items() if k in _KEEP}
            properties[field] = {**kept, **{k: v for k, v in given.items() if k in _KEEP}, **shape}
        elif field not in properties:
            continue  # a presence fact about a field this version lacks: nothing to refine
        prop = properties[field]
        nullable = given.get("nullable") is True or (field not in wanted and bool(shape))
        if "$ref" in prop and nullable:
            properties[field] = {"allOf": [prop], "nullable": True}
        elif "$ref" not in prop and (nullable or field in wanted):
            prop["nullable"] = nullable
    added = [f for f in refinement.get("required", []) if f not in required and f in properties]
    if added:
        target["required"] = [*required, *added]


def _tolerant(schema: dict[str, Any]) -> dict[str, Any]:
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        if name not in required and isinstance(prop, dict):
            if "$ref" in prop:
                schema["properties"][name] = {"allOf": [prop], "nullable": True}
            else:
                prop["nullable"] = True
    return schema
