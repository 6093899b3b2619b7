"""Read the effective spec for the facade: schemas, Python types, paging.

Pure functions of the spec (a dict) and one operation's object. The ``imports`` parameters
collect the names of the generated models a piece of emitted code refers to, so the module
that emits it can import them.
"""

from __future__ import annotations

import keyword
from typing import Any, Literal, NamedTuple

from openapi_python_client.strings import snake_case as _snake

__all__ = [
    "Shape",
    "ShapeKind",
    "argument",
    "body_schema",
    "data_model",
    "is_date_time",
    "is_file",
    "item_model",
    "multipart_schema",
    "paging",
    "parse_name",
    "py_type",
    "ref_name",
    "request_body",
    "resolve",
    "response_body",
    "response_schema",
    "shape",
]


def ref_name(schema: dict[str, Any]) -> str | None:
    """Return the component a schema refers to (directly or as a lone ``allOf``), if any."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if len(schema.get("allOf", [])) == 1:
        return ref_name(schema["allOf"][0])
    return None


def py_type(spec: dict[str, Any], schema: dict[str, Any], imports: set[str]) -> str:
    """Return the annotation of an argument of this schema (a model also takes a dict)."""
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if alternatives:  # an open enumeration: its Literal, or any other string
        return " | ".join(dict.fromkeys(py_type(spec, alt, imports) for alt in alternatives))
    ref = ref_name(schema)
    if ref:
        imports.add(ref)
        if "enum" in spec["components"]["schemas"].get(ref, {}):
            return ref  # a Literal alias
        return f"{ref} | dict[str, Any]"
    if "enum" in schema:
        return "Literal[" + ", ".join(repr(v) for v in schema["enum"]) + "]"
    kind = schema.get("type")
    if kind == "array":
        return f"builtins.list[{py_type(spec, schema.get('items', {}), imports)}]"
    if kind == "string" and schema.get("format") == "date-time":
        return "datetime.datetime | datetime.date | str"
    return {
        "string": "str",
        "integer": "int",
        "number": "float",
        "boolean": "bool",
        "object": "dict[str, Any]",
    }.get(str(kind), "Any")


def resolve(spec: dict[str, Any], schema: dict[str, Any] | None) -> dict[str, Any]:
    """Return the schema itself: the component it refers to, or the inline schema as written."""
    name = ref_name(schema) if schema else None
    if name is None:
        return schema or {}
    found = spec["components"]["schemas"].get(name)
    return found if isinstance(found, dict) else {}


def _json_schema(holder: dict[str, Any]) -> dict[str, Any] | None:
    schema = holder.get("content", {}).get("application/json", {}).get("schema")
    return schema if isinstance(schema, dict) else None


def response_schema(op: dict[str, Any]) -> str | None:
    """Return the component of the operation's JSON 200 response, if it names one."""
    schema = _json_schema(op.get("responses", {}).get("200", {}))
    return ref_name(schema) if schema else None


def response_body(spec: dict[str, Any], op: dict[str, Any]) -> dict[str, Any] | None:
    """Return the schema of the operation's JSON 200 response, named or inline (None if none)."""
    schema = _json_schema(op.get("responses", {}).get("200", {}))
    return resolve(spec, schema) if schema is not None else None


def body_schema(op: dict[str, Any]) -> str | None:
    """Return the component of the operation's JSON request body, if it names one."""
    schema = _json_schema(op.get("requestBody", {}))
    return ref_name(schema) if schema else None


def request_body(spec: dict[str, Any], op: dict[str, Any]) -> dict[str, Any] | None:
    """Return the schema of the operation's JSON request body, named or inline (None if none)."""
    schema = _json_schema(op.get("requestBody", {}))
    return resolve(spec, schema) if schema is not None else None


def multipart_schema(op: dict[str, Any]) -> dict[str, Any] | None:
    """Return the schema of the operation's ``multipart/form-data`` body, if it takes one."""
    content = op.get("requestBody", {}).get("content", {})
    media = content.get("multipart/form-data")
    return media.get("schema", {}) if media is not None else None


def is_date_time(spec: dict[str, Any], schema: dict[str, Any]) -> bool:
    """Tell whether a field holds a date-time (its schema, or the one it refers to, says so)."""
    return resolve(spec, schema).get("format") == "date-time" or schema.get("format") == "date-time"


def is_file(name: str, schema: dict[str, Any]) -> bool:
    """Tell whether a multipart part carries a file: ``format: binary``, or a part named file(s).

    Pylon's document types the parts of ``POST /training-data/upload`` as strings, although
    their description says they are files; the name is what tells them apart.
    """
    items = schema.get("items", {}) if schema.get("type") == "array" else schema
    return items.get("format") == "binary" or name in ("file", "files")


def argument(name: str) -> str:
    """Return the Python argument for an API name: ``from`` -> ``from_``, ``id`` unchanged."""
    return f"{name}_" if keyword.iskeyword(name) else name


def paging(
    spec: dict[str, Any], method: str, op: dict[str, Any]
) -> tuple[str | None, int | None, int | None]:
    """Return how an operation pages (``query``, ``body``, ``single`` or None) and its limits.

    Read from the operation's structure, whatever its schemas are named: a response whose
    ``data`` is an array is a list; it pages by query when the GET takes a ``cursor``, by body
    when the request body has one, and is a ``single`` page without ``pagination``.
    """
    props = (response_body(spec, op) or {}).get("properties", {})
    if resolve(spec, props.get("data")).get("type") != "array":
        return None, None, None
    body = (request_body(spec, op) or {}).get("properties", {})
    if method != "GET" and "cursor" not in body:
        return None, None, None  # a write that answers with a list (followers): one call
    if "pagination" not in props:
        return "single", None, None
    if method == "GET":
        params = {p["name"]: p for p in op.get("parameters", [])}
        if "cursor" not in params:
            return "single", None, None  # a shared list envelope, but this GET has no cursor
        schema = params.get("limit", {}).get("schema", {})
        return "query", schema.get("minimum"), schema.get("maximum")
    limit = body.get("limit", {})
    return "body", limit.get("minimum"), limit.get("maximum")


ShapeKind = Literal["page", "object", "list", "whole", "json", "none"]


class Shape(NamedTuple):
    """What a response gives the caller: a page of ``model`` items, one model, a list, the body.

    ``kind`` is ``page``, ``object`` (the ``data`` model), ``list`` (``data`` is a list of
    models), ``whole`` (no ``data``: the body is the model), ``json`` (no model: the parsed
    JSON as it is) or ``none`` (no JSON body).
    """

    kind: ShapeKind
    model: str


def shape(spec: dict[str, Any], method: str, op: dict[str, Any]) -> Shape:
    """Return the shape of an operation's answer, from its structure (names are only labels)."""
    body = response_body(spec, op)
    if body is None:
        return Shape("none", "None")
    data_schema = body.get("properties", {}).get("data")
    if paging(spec, method, op)[0]:
        return Shape("page", ref_name(resolve(spec, data_schema).get("items", {})) or "Any")
    data = resolve(spec, data_schema) if data_schema is not None else {}
    if data.get("type") == "array" and ref_name(data.get("items", {})):
        return Shape("list", str(ref_name(data["items"])))
    if data_schema is not None and data.get("type") != "array" and ref_name(data_schema):
        return Shape("object", str(ref_name(data_schema)))
    whole = response_schema(op)  # no data model: the envelope itself, when it has a name
    return Shape("whole", whole) if whole else Shape("json", "Any")


def parse_name(found: Shape) -> str:
    """Return the name of the parse function of a shape (two operations that answer alike share it)."""
    snake = _snake(found.model)
    return {
        "page": f"_page_{snake}",
        "object": f"_parse_{snake}",
        "list": f"_parse_{snake}_list",
        "whole": f"_parse_{snake}_whole",
        "json": "_parse_json",
        "none": "_parse_none",
    }[found.kind]


def item_model(spec: dict[str, Any], method: str, op: dict[str, Any], imports: set[str]) -> str:
    """Return the model of one item of a list response (``Any`` when it names none)."""
    name = shape(spec, method, op).model
    if name not in ("Any", "None"):
        imports.add(name)
    return name


def data_model(spec: dict[str, Any], method: str, op: dict[str, Any], imports: set[str]) -> str:
    """Return the type a call returns: its ``data`` model, a list of them, or the whole body."""
    found = shape(spec, method, op)
    if found.kind in ("none", "json"):
        return "None" if found.kind == "none" else "Any"
    imports.add(found.model)
    return f"builtins.list[{found.model}]" if found.kind == "list" else found.model
