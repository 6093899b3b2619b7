"""Read the effective spec for the facade: schemas, Python types, paging.

Pure functions of the spec (a dict) and one operation's object. The ``imports`` parameters
collect the names of the generated models a piece of emitted code refers to, so the module
that emits it can import them.
"""

from __future__ import annotations

import keyword
from typing import Any

__all__ = [
    "argument",
    "body_schema",
    "data_model",
    "is_file",
    "item_model",
    "multipart_schema",
    "paging",
    "py_type",
    "ref_name",
    "response_schema",
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
    ref = ref_name(schema)
    if ref:
        imports.add(ref)
        return f"{ref} | dict[str, Any]"
    if "enum" in schema:
        return "Literal[" + ", ".join(repr(v) for v in schema["enum"]) + "]"
    kind = schema.get("type")
    if kind == "array":
        return f"builtins.list[{py_type(spec, schema.get('items', {}), imports)}]"
    if kind == "string" and schema.get("format") == "date-time":
        return "datetime.datetime | str"
    return {
        "string": "str",
        "integer": "int",
        "number": "float",
        "boolean": "bool",
        "object": "dict[str, Any]",
    }.get(str(kind), "Any")


def response_schema(op: dict[str, Any]) -> str | None:
    """Return the component of the operation's JSON 200 response, if it names one."""
    content = op.get("responses", {}).get("200", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    return ref_name(schema) if schema else None


def body_schema(op: dict[str, Any]) -> str | None:
    """Return the component of the operation's JSON request body, if it names one."""
    content = op.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    return ref_name(schema) if schema else None


def multipart_schema(op: dict[str, Any]) -> dict[str, Any] | None:
    """Return the schema of the operation's ``multipart/form-data`` body, if it takes one."""
    content = op.get("requestBody", {}).get("content", {})
    media = content.get("multipart/form-data")
    return media.get("schema", {}) if media is not None else None


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
    """Return how an operation pages (``query``, ``body``, ``single`` or None) and its limits."""
    response = response_schema(op)
    if not response:
        return None, None, None
    props = spec["components"]["schemas"][response].get("properties", {})
    if props.get("data", {}).get("type") != "array":
        return None, None, None
    body = body_schema(op)
    if method != "GET" and "cursor" not in (
        spec["components"]["schemas"][body].get("properties", {}) if body else {}
    ):
        return None, None, None  # a write that answers with a list (followers): one call
    if "pagination" not in props:
        return "single", None, None
    if method == "GET":
        params = {p["name"]: p for p in op.get("parameters", [])}
        if "cursor" not in params:
            return "single", None, None  # a shared list envelope, but this GET has no cursor
        schema = params.get("limit", {}).get("schema", {})
        return "query", schema.get("minimum"), schema.get("maximum")
    limit = spec["components"]["schemas"][body]["properties"].get("limit", {}) if body else {}
    return "body", limit.get("minimum"), limit.get("maximum")


def item_model(spec: dict[str, Any], response: str | None, imports: set[str]) -> str:
    """Return the model of one item of a list response (``Any`` when it names none)."""
    items = (
        spec["components"]["schemas"][response]["properties"]["data"]["items"] if response else {}
    )
    name = ref_name(items) or "Any"
    if name != "Any":
        imports.add(name)
    return name


def data_model(spec: dict[str, Any], response: str | None, imports: set[str]) -> str:
    """Return the type a call returns: its ``data`` model, a list of them, or the whole body."""
    if not response:
        return "None"
    data = spec["components"]["schemas"][response].get("properties", {}).get("data")
    if data is None:
        imports.add(response)
        return response
    name = ref_name(data.get("items", {}) if data.get("type") == "array" else data)
    if name:
        imports.add(name)
        return f"builtins.list[{name}]" if data.get("type") == "array" else name
    return "Any"
