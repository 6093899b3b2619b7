"""The spec view of ``make api-diff``: the public API as the effective spec describes it.

:func:`spec_items` reads an effective spec (``openapi/pylon-openapi.effective.yml`` or one
built from a new document) into the items of ``codegen/api_items.py``: each operation under
the name the facade gives it, its path, query and body arguments, and the fields of what it
returns, walked through references down to :data:`DEPTH` objects. Names are the Python
names (``from`` is ``from_``), so the two views key the same thing alike; types stay the
spec's (``string``, ``integer``, ``string:date-time``, ``array[object]``), and a reference
to an object is ``object`` whatever the schema is called, so a renamed schema changes nothing
here: the wire is the same.

An argument's ``nullable`` is not read: the client never offers ``None`` for one (its
annotation does not take it, and ``UNSET`` leaves it out), so whether Pylon accepts ``null``
changes nothing a caller can send.
"""

from __future__ import annotations

from typing import Any

from api_items import Item, Key
from facade import operations
from openapi_python_client.strings import PythonIdentifier
from plan import lists_by_search
from schema import argument, multipart_schema, paging, ref_name, request_body, shape

__all__ = ["DEPTH", "spec_items"]

DEPTH = 3
"""How many objects deep a response is walked (``account.owner.id`` is three)."""
_FORMATS = ("date-time", "date", "binary")  # the formats that change the Python type


def field_name(name: str) -> str:
    """Return the attribute the generator makes of a property (``field_prefix`` default)."""
    return str(PythonIdentifier(value=name, prefix="field_"))


class _Reader:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.schemas: dict[str, Any] = spec.get("components", {}).get("schemas", {})

    def deref(self, schema: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        """Return the schema a reference names (with its name), or the schema itself."""
        name = ref_name(schema)
        if name is None:
            return schema, None
        found = self.schemas.get(name)
        return (found if isinstance(found, dict) else {}), name

    def alternatives(self, schema: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
        """Return the non-null alternatives of a schema and whether ``null`` is one of them.

        ``nullable`` is read on the schema as written and on what it refers to: a field may be
        ``{allOf: [$ref], nullable: true}``. As OpenAPI 3.0 has it, and as the generator reads
        it, the siblings of a ``$ref`` are ignored, and an enumeration takes ``null`` only when
        its values list it.
        """
        outer = bool(schema.get("nullable")) and "$ref" not in schema  # siblings of $ref: ignored
        schema, _ = self.deref(schema)
        options = schema.get("anyOf") or schema.get("oneOf")
        if not options:
            kinds = schema.get("type")
            if isinstance(kinds, list) and "null" in kinds:
                rest = [k for k in kinds if k != "null"]
                return [{**schema, "type": rest[0] if len(rest) == 1 else rest}], True
            if "enum" in schema:  # OpenAPI 3.0.3: a nullable enumeration lists null itself
                return [schema], None in schema["enum"]
            return [schema], outer or bool(schema.get("nullable"))
        found: list[dict[str, Any]] = []
        nullable = outer or bool(schema.get("nullable"))
        for option in options:
            inner, null = self.alternatives(option)
            nullable |= null or self.deref(option)[0].get("type") == "null"
            found += [o for o in inner if self.deref(o)[0].get("type") != "null"]
        return found, nullable

    def type_of(self, schema: dict[str, Any]) -> tuple[str, bool, tuple[str, ...]]:
        """Return a schema's type as the spec view writes it, whether it is nullable, its enum."""
        options, nullable = self.alternatives(schema)
        types: list[str] = []
        enum: set[str] = set()
        for option in options:
            resolved, _ = self.deref(option)
            if "enum" in resolved:
                enum |= {str(v) for v in resolved["enum"] if v is not None}
                nullable |= None in resolved["enum"]
            types.append(self._one_type(resolved))
        return " | ".join(dict.fromkeys(types)) or "any", nullable, tuple(sorted(enum))

    def _one_type(self, schema: dict[str, Any]) -> str:
        kind = schema.get("type")
        if kind is None and ("properties" in schema or "allOf" in schema):
            kind = "object"
        if kind == "array":
            return f"array[{self.type_of(schema.get('items', {}))[0]}]"
        if kind == "string" and schema.get("format") in _FORMATS:
            return f"string:{schema['format']}"
        return str(kind or "any")

    def properties(self, schema: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
        """Return an object's properties and required names, ``allOf`` parts merged."""
        schema, _ = self.deref(schema)
        props = dict(schema.get("properties", {}))
        required = set(schema.get("required", []))
        for part in schema.get("allOf", []):
            more, needed = self.properties(part)
            props.update(more)
            required |= needed
        return props, required

    def fields(
        self, owner: str, prefix: str, schema: dict[str, Any], seen: frozenset[str], depth: int
    ) -> list[Item]:
        """Return the response items of an object's fields, and of theirs down to ``DEPTH``."""
        found: list[Item] = []
        props, required = self.properties(schema)
        for name, sub in sorted(props.items()):
            path = f"{prefix}{field_name(name)}"
            kind, nullable, enum = self.type_of(sub)
            found.append(Item("response", owner, path, kind, name in required, nullable, enum))
            found += self.nested(owner, path, sub, seen, depth)
        return found

    def nested(
        self, owner: str, path: str, schema: dict[str, Any], seen: frozenset[str], depth: int
    ) -> list[Item]:
        """Walk into an object field, or the items of a list, unless too deep or recursive."""
        if depth >= DEPTH:
            return []
        found: list[Item] = []
        for option in self.alternatives(schema)[0]:
            resolved, name = self.deref(option)
            if name in seen:
                continue
            inner = seen | {name} if name else seen
            if resolved.get("type") == "array":
                items = resolved.get("items", {})
                found += self.nested(owner, f"{path}[]", items, inner, depth)
            elif self.properties(resolved)[0]:
                found += self.fields(owner, f"{path}.", resolved, inner, depth + 1)
        return found


def _arguments(reader: _Reader, call: str, op: Any) -> list[Item]:
    """Return the items of an operation's path, query and body arguments."""
    spec = reader.spec
    shared = spec["paths"][op.path].get("parameters", [])
    found: list[Item] = []
    paged = paging(spec, op.method, op.op)[0]
    for param in [*shared, *op.op.get("parameters", [])]:
        if param.get("in") not in ("path", "query"):
            continue
        if paged == "query" and param["name"] in ("cursor", "limit"):
            continue  # the paginator's own
        kind, _, enum = reader.type_of(param.get("schema", {}))
        required = bool(param.get("required")) or param["in"] == "path"
        name = argument(param["name"])
        found.append(Item("argument", call, name, kind, required, False, enum, param["in"]))
    body = multipart_schema(op.op) or request_body(spec, op.op)
    if body is None:
        return found
    props, required_names = reader.properties(body)
    for name, sub in sorted(props.items()):
        if paged == "body" and name in ("cursor", "limit"):
            continue  # the paginator's own
        kind, _, enum = reader.type_of(sub)
        item = Item(
            "argument", call, argument(name), kind, name in required_names, False, enum, "body"
        )
        found.append(item)
    return found


def _response(reader: _Reader, call: str, op: Any) -> list[Item]:
    """Return the item of what an operation returns, and of each field in it."""
    found = shape(reader.spec, op.method, op.op)
    items = [Item("response", call, "", found.kind)]
    if found.model in reader.schemas:
        model = reader.schemas[found.model]
        items += reader.fields(call, "", model, frozenset({found.model}), 1)
    return items


def spec_items(spec: dict[str, Any]) -> dict[Key, Item]:
    """Return the public API an effective spec describes, keyed as ``api_items`` keys it."""
    reader = _Reader(spec)
    items: list[Item] = []
    ops = operations(spec)
    for op in ops:
        call = f"{op.resource}.{op.name}" if op.resource else op.name
        limit = op.op.get("x-pylon-rate-limit-per-minute")
        where = f"{op.method} {op.path}"
        items.append(Item("operation", call, where=where, rate_limit=limit))
        items += _arguments(reader, call, op)
        items += _response(reader, call, op)
    for op in lists_by_search(spec, ops):  # ``list()``: the search without a filter
        call = f"{op.resource}.list"
        items.append(Item("operation", call, where=f"{op.method} {op.path}"))
        items += _response(reader, call, op)
    return {item.key: item for item in items}
