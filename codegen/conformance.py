"""Compare the effective spec with Pylon's own OpenAPI document, operation by operation.

Usage::

    python codegen/conformance.py            # print the table; exit 1 on an unwaived difference
    python codegen/conformance.py --all      # also print the waived differences

Operations are matched by method and path template, path parameter names ignored. For each
operation both documents have, it compares:

- path and query parameters: names, which are required, bounds;
- request body fields: names, which are required, types, enums;
- the response's ``data`` fields (the envelope's own fields where there is no ``data``): names,
  types, nullability, which are required;
- pagination: whether the response carries ``pagination``;
- the rate-limit extension ``x-pylon-rate-limit-per-minute`` against ``openapi/rate-limits.tsv``
  (for every operation of the effective spec, shared or not).

How two fields compare:

- A type is the JSON type; an array's type includes its items' type. Formats are not compared:
  Pylon's document types every timestamp as a plain string, while its newer SDK reads them as
  date-times, so a ``date-time`` on our side refines Pylon's string rather than contradicting it.
- Nullability differs only where Pylon's document allows null and ours does not. Pylon sends
  null for unset optional fields (its SDK types them ``Optional``), so accepting null where
  Pylon's document is silent is the tolerant reading, not a difference.
- Required differs both ways: a field Pylon requires that we do not, or one we require that
  Pylon's document does not.

Every difference must be corrected in ``codegen/overlay.yaml`` or listed in
``codegen/conformance-waivers.yaml``, one field of one operation per line, under a reason and a
source. A waiver that matches no difference is itself an error, so the file cannot go stale.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import effective_spec
from merge import merge_operations, refine_schemas
from ratelimits import METHODS, documented_limit, load_rate_limits, path_key
from sources import ROOT, load_document, references

REFERENCES = sorted(references(), key=lambda s: s.precedence)
"""The references: the ``operations`` sources of ``codegen/sources.yaml`` marked ``conformance``,
lowest precedence first (Pylon's document, then the supplement written from its SDK)."""
OFFICIAL = REFERENCES[0].path
WAIVERS = ROOT / "codegen" / "conformance-waivers.yaml"

__all__ = ["Difference", "compare", "load_waivers", "main"]


@dataclass(frozen=True, order=True)
class Difference:
    """One field of one operation on which the two documents disagree."""

    operation: str  # "PATCH /tasks/{id}", with the effective spec's path
    field: str  # "query.limit", "body.account_id", "data.project", "pagination", "rate-limit"
    kind: str  # missing, extra, required, type, enum, bounds, nullable, value
    ours: str
    theirs: str

    @property
    def key(self) -> str:
        """Return the waiver line that names this difference."""
        return f"{self.operation} {self.field} {self.kind}"


class _Doc:
    """Schema lookups in one OpenAPI 3.0 document."""

    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.doc = doc

    def deref(self, node: Any) -> dict[str, Any]:
        """Follow ``$ref`` and merge ``allOf``; keep ``nullable`` from the referring node."""
        if not isinstance(node, Mapping):
            return {}
        out: dict[str, Any] = {}
        if "$ref" in node:
            name = str(node["$ref"]).rsplit("/", 1)[-1]
            out.update(self.deref(self.doc["components"]["schemas"][name]))
        for part in node.get("allOf", []):
            resolved = self.deref(part)
            props = {**out.get("properties", {}), **resolved.get("properties", {})}
            required = [*out.get("required", []), *resolved.get("required", [])]
            out.update(resolved)
            out["properties"], out["required"] = props, required
        out.update({k: v for k, v in node.items() if k not in ("$ref", "allOf")})
        return out

    def type_of(self, node: Any) -> str:
        """Return a field's JSON type, with the items' type for arrays."""
        schema = self.deref(node)
        kind = str(schema.get("type") or ("object" if "properties" in schema else "any"))
        return f"array[{self.type_of(schema.get('items'))}]" if kind == "array" else kind

    def operations(self) -> Iterator[tuple[tuple[str, str], str, dict[str, Any]]]:
        """Yield (matching key, display name, operation) for every operation."""
        for path, item in self.doc["paths"].items():
            shared = item.get("parameters", [])
            for method in METHODS:
                if method in item:
                    op = {
                        **item[method],
                        "parameters": [*shared, *item[method].get("parameters", [])],
                    }
                    yield path_key(method, path), f"{method.upper()} {path}", op

    def params(self, op: Mapping[str, Any], where: str) -> dict[str, dict[str, Any]]:
        """Return an operation's parameters of one location, by name."""
        found = (self.deref(p) for p in op.get("parameters", []))
        return {p["name"]: p for p in found if p.get("in") == where}

    def body(self, op: Mapping[str, Any]) -> dict[str, Any]:
        """Return an operation's JSON request body schema, resolved (empty if none)."""
        content = op.get("requestBody", {}).get("content", {})
        media: dict[str, Any] = content.get("application/json") or next(iter(content.values()), {})
        return self.deref(media.get("schema", {}))

    def response(self, op: Mapping[str, Any]) -> dict[str, Any]:
        """Return the 200 response's JSON schema, resolved (empty if none)."""
        ok = op.get("responses", {}).get("200", {})
        if "$ref" in ok:
            ok = self.doc["components"]["responses"][ok["$ref"].rsplit("/", 1)[-1]]
        return self.deref(ok.get("content", {}).get("application/json", {}).get("schema", {}))

    def data(self, op: Mapping[str, Any]) -> dict[str, Any]:
        """Return the object schema of the response's ``data`` (items for a list)."""
        envelope = self.response(op)
        props = envelope.get("properties", {})
        if "data" not in props:
            return envelope
        data = self.deref(props["data"])
        return self.deref(data["items"]) if data.get("type") == "array" else data


def _fields(
    ours: _Doc, theirs: _Doc, a: Mapping[str, Any], b: Mapping[str, Any], *, response: bool
) -> Iterator[tuple[str, str, str, str]]:
    """Compare two object schemas field by field: yield (field, kind, ours, theirs)."""
    pa, pb = a.get("properties", {}), b.get("properties", {})
    ra, rb = set(a.get("required", [])), set(b.get("required", []))
    for name in sorted(set(pa) | set(pb)):
        if name not in pa:
            yield name, "missing", "-", theirs.type_of(pb[name])
            continue
        if name not in pb:
            yield name, "extra", ours.type_of(pa[name]), "-"
            continue
        fa, fb = ours.deref(pa[name]), theirs.deref(pb[name])
        ta, tb = ours.type_of(fa), theirs.type_of(fb)
        if ta != tb and "any" not in (ta, tb):
            yield name, "type", ta, tb
        if (name in ra) != (name in rb):
            yield name, "required", str(name in ra).lower(), str(name in rb).lower()
        if response and fb.get("nullable") and not fa.get("nullable"):
            yield name, "nullable", "false", "true"
        if not response and sorted(fa.get("enum", [])) != sorted(fb.get("enum", [])):
            yield name, "enum", _enum(fa), _enum(fb)


def _enum(schema: Mapping[str, Any]) -> str:
    return "|".join(map(str, schema.get("enum", []))) or "-"


def _bounds(schema: Mapping[str, Any]) -> str:
    lo, hi = schema.get("minimum"), schema.get("maximum")
    return "-" if lo is None and hi is None else f"{lo if lo is not None else ''}..{hi or ''}"


def _compare_op(
    name: str, ours: _Doc, a: dict[str, Any], theirs: _Doc, b: dict[str, Any]
) -> Iterator[Difference]:
    if len(ours.params(a, "path")) != len(theirs.params(b, "path")):
        yield Difference(name, "path", "value", "?", "?")
    qa, qb = ours.params(a, "query"), theirs.params(b, "query")
    for q in sorted(set(qa) | set(qb)):
        if q not in qa or q not in qb:
            kind = "missing" if q not in qa else "extra"
            yield Difference(name, f"query.{q}", kind, "-" if q not in qa else "yes", "-")
            continue
        req_a, req_b = bool(qa[q].get("required")), bool(qb[q].get("required"))
        if req_a != req_b:
            yield Difference(name, f"query.{q}", "required", str(req_a).lower(), str(req_b).lower())
        ba, bb = (
            _bounds(ours.deref(qa[q].get("schema"))),
            _bounds(theirs.deref(qb[q].get("schema"))),
        )
        if ba != bb:
            yield Difference(name, f"query.{q}", "bounds", ba, bb)
    body_a, body_b = ours.body(a), theirs.body(b)
    for field, kind, va, vb in _fields(ours, theirs, body_a, body_b, response=False):
        yield Difference(name, f"body.{field}", kind, va, vb)
    for field, kind, va, vb in _fields(ours, theirs, ours.data(a), theirs.data(b), response=True):
        yield Difference(name, f"data.{field}", kind, va, vb)
    paged_a = "pagination" in ours.response(a).get("properties", {})
    paged_b = "pagination" in theirs.response(b).get("properties", {})
    if paged_a != paged_b:
        yield Difference(name, "pagination", "value", str(paged_a).lower(), str(paged_b).lower())


def compare(
    effective: Mapping[str, Any],
    official: Mapping[str, Any],
    limits: Mapping[tuple[str, str], int],
) -> tuple[list[Difference], list[str], list[str]]:
    """Return the differences, the operations compared, and ours that Pylon's document lacks."""
    ours, theirs = _Doc(effective), _Doc(official)
    official_ops = {key: op for key, _, op in theirs.operations()}
    diffs: list[Difference] = []
    compared: list[str] = []
    unmatched: list[str] = []
    for key, name, op in ours.operations():
        rate = op.get("x-pylon-rate-limit-per-minute")
        expected = limits.get(key)
        if expected is None and key in official_ops:
            expected = documented_limit(official_ops[key])
        if rate != expected:
            diffs.append(Difference(name, "rate-limit", "value", str(rate), str(expected)))
        if key not in official_ops:
            unmatched.append(name)
            continue
        compared.append(name)
        diffs.extend(_compare_op(name, ours, op, theirs, official_ops[key]))
    return sorted(diffs), compared, unmatched


def reference() -> dict[str, Any]:
    """Return Pylon's sources as one document, each higher one merged into the one below.

    Pylon's document, with the operations only the supplement has added and the shared types
    refined as the supplement says (``codegen/merge.py`` rule 5): where the sources disagree,
    the newest wins, so a field usepylon requires is not a difference from Pylon's April
    document, which marks none required.
    """
    first, *higher = sorted(REFERENCES, key=lambda s: s.precedence)
    document = load_document(first.path)
    for source in higher:
        newer = load_document(source.path)
        merge_operations(document, newer, source.name)
        refine_schemas(document, newer)
    return document


def load_waivers(path: Path = WAIVERS) -> dict[str, tuple[str, str]]:
    """Return ``{waiver line: (reason, source)}``; a line listed twice is an error."""
    groups = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    waivers: dict[str, tuple[str, str]] = {}
    for group in groups:
        reason, source = str(group["reason"]).strip(), str(group["source"]).strip()
        for line in group["waive"]:
            key = " ".join(str(line).split())
            if key in waivers:
                raise SystemExit(f"{path.name}: {key!r} is waived twice")
            waivers[key] = (reason, source)
    return waivers


def _table(rows: list[Difference]) -> list[str]:
    head = ("operation", "field", "kind", "ours", "Pylon")
    cells = [head, *((d.operation, d.field, d.kind, d.ours, d.theirs) for d in rows)]
    widths = [min(max(len(row[i]) for row in cells), 44) for i in range(len(head))]
    return ["  ".join(c[:44].ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="print waived differences too")
    args = parser.parse_args(argv)
    merged = reference()
    diffs, compared, unmatched = compare(effective_spec(), merged, load_rate_limits())
    # An operation merged from a higher reference carries its name; the rest are the first's.
    source_of = {
        key: str(op.get("x-pylon-source") or REFERENCES[0].name)
        for key, _, op in _Doc(merged).operations()
    }
    tally = Counter(source_of[path_key(*name.split(" ", 1))] for name in compared)
    counts = ", ".join(f"{tally[r.name]} with {r.label}" for r in REFERENCES)
    print(
        f"{len(compared)} operations compared ({counts}); {len(unmatched)} of ours "
        f"are in neither (rate limit checked only): {', '.join(unmatched) or 'none'}"
    )
    waivers = load_waivers(WAIVERS)
    open_diffs = [d for d in diffs if d.key not in waivers]
    stale = sorted(set(waivers) - {d.key for d in diffs})
    print(
        f"{len(diffs)} differences: {len(diffs) - len(open_diffs)} waived, {len(open_diffs)} open"
    )
    if args.all and diffs:
        print("\nwaived:")
        print("\n".join(_table([d for d in diffs if d.key in waivers])))
    if open_diffs:
        print("\nopen (correct codegen/overlay.yaml or waive in codegen/conformance-waivers.yaml):")
        print("\n".join(_table(open_diffs)))
    for key in stale:
        print(f"stale waiver (matches no difference): {key}")
    return 1 if open_diffs or stale else 0


if __name__ == "__main__":
    sys.exit(main())
