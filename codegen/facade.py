"""Generate the resource facade (``pylon.tasks.get(...)``) from the effective spec.

Operations are named from method and path, never from operationId (spec authors rename
operationIds between versions; paths are the API's identity):

* resource: the first path segment, ``-`` becoming ``_`` (``/knowledge-bases`` → ``knowledge_bases``);
* ``GET /x`` → ``list``, ``POST /x`` → ``create``, ``PATCH /x`` → ``update_many``,
  ``GET /x/{id}`` → ``get``, ``PATCH /x/{id}`` → ``update``, ``DELETE /x/{id}`` → ``delete``,
  ``POST /x/search`` → ``search``, ``POST /x/merge`` → ``merge``;
* a sub-collection ``/x/{id}/subs`` gets ``list_subs`` (GET) and ``create_sub`` (POST), and
  ``/x/{id}/subs/{sub_id}`` gets ``get_sub``, ``update_sub``, ``delete_sub``;
* :data:`OVERRIDES` names the verbs the rules cannot (``POST /issues/{id}/snooze`` →
  ``issues.snooze``). An operation no rule names fails generation, so a new endpoint in the
  spec forces a naming decision instead of silently going missing.

The generated modules call a ``Core`` (the hand-written client) through a protocol, so
generated code never imports hand-written code.
"""

from __future__ import annotations

import keyword
from collections.abc import Iterator
from typing import Any, NamedTuple

from openapi_python_client.strings import snake_case

__all__ = ["OVERRIDES", "Operation", "operations", "render_docs", "render_modules"]

METHODS = ("get", "post", "patch", "put", "delete")

OVERRIDES: dict[tuple[str, str], tuple[str, str]] = {
    ("GET", "/me"): ("", "me"),
    ("POST", "/issues/{id}/snooze"): ("issues", "snooze"),
    ("POST", "/issues/{id}/followers"): ("issues", "update_followers"),
    ("POST", "/issues/{id}/external-issues"): ("issues", "link_external_issue"),
    ("POST", "/issues/{id}/messages/{message_id}/redact"): ("issues", "redact_message"),
    # /custom-objects/{type} is a collection whose name is a parameter.
    ("GET", "/custom-objects/{type}"): ("custom_objects", "list"),
    ("POST", "/custom-objects/{type}"): ("custom_objects", "create"),
    ("POST", "/custom-objects/{type}/search"): ("custom_objects", "search"),
    ("GET", "/custom-objects/{type}/{id}"): ("custom_objects", "get"),
    ("PATCH", "/custom-objects/{type}/{id}"): ("custom_objects", "update"),
    ("DELETE", "/custom-objects/{type}/{id}"): ("custom_objects", "delete"),
    # `import` is a Python keyword: the resource is `imports`.
    ("POST", "/import/contacts"): ("imports", "create_contact"),
    ("POST", "/import/issues"): ("imports", "create_issue"),
    ("POST", "/import/issues/{id}/messages"): ("imports", "create_issue_messages"),
    ("POST", "/training-data/upload"): ("training_data", "upload"),
    ("POST", "/training-data/upload-content"): ("training_data", "upload_content"),
    ("DELETE", "/training-data/{id}/documents"): ("training_data", "delete_documents"),
}


class Operation(NamedTuple):
    """One operation of the effective spec and the Python call that reaches it."""

    method: str
    path: str
    resource: str
    name: str
    operation_id: str
    summary: str
    op: dict[str, Any]
    path_params: list[str]


def _name(method: str, path: str) -> tuple[str, str]:
    if (method, path) in OVERRIDES:
        return OVERRIDES[(method, path)]
    segments = path.strip("/").split("/")
    resource = segments[0].replace("-", "_")
    rest = segments[1:]
    param = [s.startswith("{") for s in rest]
    simple = {
        ("GET", ()): "list",
        ("POST", ()): "create",
        ("PATCH", ()): "update_many",
        ("GET", (True,)): "get",
        ("PATCH", (True,)): "update",
        ("DELETE", (True,)): "delete",
        ("POST", (False,)): rest[0] if rest and rest[0] in ("search", "merge") else "",
    }
    name = simple.get((method, tuple(param)), "")
    if name:
        return resource, name
    if len(rest) >= 2 and param[0] and not param[1]:
        sub = rest[1].replace("-", "_")
        one = _singular(sub)
        if len(rest) == 2:
            name = {"GET": f"list_{sub}", "POST": f"create_{one}"}.get(method, "")
        elif len(rest) == 3 and param[2]:
            name = {"GET": f"get_{one}", "PATCH": f"update_{one}", "DELETE": f"delete_{one}"}.get(
                method, ""
            )
    if not name:
        raise SystemExit(f"no name for {method} {path}: add it to OVERRIDES in codegen/facade.py")
    return resource, name


def _singular(plural: str) -> str:
    """``activities`` -> ``activity``, ``messages`` -> ``message``, ``ai_response`` unchanged."""
    if plural.endswith("ies"):
        return plural[:-3] + "y"
    return plural[:-1] if plural.endswith("s") else plural


def operations(spec: dict[str, Any]) -> list[Operation]:
    """Every operation of the spec with its Python name, in spec order."""
    found: list[Operation] = []
    seen: dict[tuple[str, str], str] = {}
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            params = [p["name"] for p in [*shared, *op.get("parameters", [])] if p["in"] == "path"]
            resource, name = _name(method.upper(), path)
            if (resource, name) in seen:
                raise SystemExit(
                    f"{method.upper()} {path} and {seen[(resource, name)]} share a name"
                )
            seen[(resource, name)] = f"{method.upper()} {path}"
            found.append(
                Operation(
                    method.upper(),
                    path,
                    resource,
                    name,
                    op.get("operationId", ""),
                    op.get("summary", ""),
                    op,
                    params,
                )
            )
    return found


# ----------------------------------------------------------------------------- schema helpers


def _ref_name(schema: dict[str, Any]) -> str | None:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if len(schema.get("allOf", [])) == 1:
        return _ref_name(schema["allOf"][0])
    return None


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    name = _ref_name(schema)
    return spec["components"]["schemas"][name] if name else schema


def _snake(name: str) -> str:
    """Return the module name the generator gives the model ``name`` (``APIUser`` -> ``api_user``)."""
    return snake_case(name)


def _py_type(spec: dict[str, Any], schema: dict[str, Any], imports: set[str]) -> str:
    ref = _ref_name(schema)
    if ref:
        imports.add(ref)
        return f"{ref} | dict[str, Any]"
    if "enum" in schema:
        return "Literal[" + ", ".join(repr(v) for v in schema["enum"]) + "]"
    kind = schema.get("type")
    if kind == "array":
        return f"builtins.list[{_py_type(spec, schema.get('items', {}), imports)}]"
    if kind == "string" and schema.get("format") == "date-time":
        return "datetime.datetime | str"
    return {
        "string": "str",
        "integer": "int",
        "number": "float",
        "boolean": "bool",
        "object": "dict[str, Any]",
    }.get(str(kind), "Any")


def _response_schema(op: dict[str, Any]) -> str | None:
    content = op.get("responses", {}).get("200", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    return _ref_name(schema) if schema else None


def _body_schema(op: dict[str, Any]) -> str | None:
    content = op.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    return _ref_name(schema) if schema else None


def _multipart_schema(op: dict[str, Any]) -> dict[str, Any] | None:
    content = op.get("requestBody", {}).get("content", {})
    media = content.get("multipart/form-data")
    return media.get("schema", {}) if media is not None else None


def _is_file(name: str, schema: dict[str, Any]) -> bool:
    """A multipart part that carries a file: ``format: binary``, or a part named file(s).

    Pylon's document types the parts of ``POST /training-data/upload`` as strings, although
    their description says they are files; the name is what tells them apart.
    """
    items = schema.get("items", {}) if schema.get("type") == "array" else schema
    return items.get("format") == "binary" or name in ("file", "files")


def _arg(name: str) -> str:
    return f"{name}_" if keyword.iskeyword(name) else name


# ----------------------------------------------------------------------------- rendering


_ENDPOINTS_HEAD = '''"""The operation table: every endpoint of the effective spec, with what the client needs.

``ENDPOINTS`` is keyed by ``"METHOD /path/{template}"``. ``rate_limit`` is the documented
per-minute limit (``x-pylon-rate-limit-per-minute``); ``paging`` is ``"query"`` for GET lists
that take a cursor, ``"body"`` for searches, ``"single"`` for lists without a cursor, and
``None`` for everything else.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["ENDPOINTS", "Endpoint"]


class Endpoint(NamedTuple):
    """One operation: its key, method, path template, Python name and limits."""

    key: str
    method: str
    path: str
    call: str
    operation_id: str
    rate_limit: int | None
    paging: str | None
    limit_min: int | None
    limit_max: int | None


ENDPOINTS: dict[str, Endpoint] = {
'''


def _paging(spec: dict[str, Any], op: Operation) -> tuple[str | None, int | None, int | None]:
    response = _response_schema(op.op)
    if not response:
        return None, None, None
    props = spec["components"]["schemas"][response].get("properties", {})
    if props.get("data", {}).get("type") != "array":
        return None, None, None
    body = _body_schema(op.op)
    if op.method != "GET" and "cursor" not in (
        spec["components"]["schemas"][body].get("properties", {}) if body else {}
    ):
        return None, None, None  # a write that answers with a list (followers): one call
    if "pagination" not in props:
        return "single", None, None
    if op.method == "GET":
        params = {p["name"]: p for p in op.op.get("parameters", [])}
        if "cursor" not in params:
            return "single", None, None  # a shared list envelope, but this GET has no cursor
        schema = params.get("limit", {}).get("schema", {})
        return "query", schema.get("minimum"), schema.get("maximum")
    limit = spec["components"]["schemas"][body]["properties"].get("limit", {}) if body else {}
    return "body", limit.get("minimum"), limit.get("maximum")


def _call(op: Operation) -> str:
    return f"pylon.{op.resource}.{op.name}" if op.resource else f"pylon.{op.name}"


def _render_endpoints(spec: dict[str, Any], ops: list[Operation]) -> str:
    lines = [_ENDPOINTS_HEAD]
    for op in ops:
        paging, lo, hi = _paging(spec, op)
        key = f"{op.method} {op.path}"
        rate = op.op.get("x-pylon-rate-limit-per-minute")
        lines.append(
            f"    {key!r}: Endpoint({key!r}, {op.method!r}, {op.path!r}, {_call(op)!r}, "
            f"{op.operation_id!r}, {rate!r}, {paging!r}, {lo!r}, {hi!r}),\n"
        )
    lines.append("}\n")
    return "".join(lines)


_RESOURCES_HEAD = '''"""Resource classes: one method per operation, named from method and path.

Each method builds the request from typed arguments and hands it to the client core (the
``Core`` protocol below), which sends it with retries and rate limiting, maps errors, and
returns the unwrapped ``data`` of Pylon's envelope as the generated model.
"""

from __future__ import annotations

import builtins
import datetime
import os
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any, Literal, NamedTuple, Protocol, TypeAlias, TypeVar, overload

from ._endpoints import ENDPOINTS, Endpoint
from .types import UNSET, Unset

if TYPE_CHECKING:  # models load on first use, inside the parse functions below
{imports}

__all__ = [
    "AsyncReadable",
    "Core",
    "FileContent",
    "PageData",
    "PageLike",
    "Paginator",
    "Resources",
    "Upload",
{exported}]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class AsyncReadable(Protocol):
    """An async file object: ``anyio.open_file(...)``, ``aiofiles.open(...)``, a stream."""

    async def read(self, size: int = -1, /) -> bytes: ...


FileContent: TypeAlias = bytes | str | os.PathLike[str] | IO[bytes] | AsyncReadable
"""A file's content: bytes, a path (``str`` or ``pathlib.Path``), or a binary file object."""

Upload: TypeAlias = FileContent | tuple[str, FileContent] | tuple[str, FileContent, str]
"""A file to upload: its content, or ``(filename, content)``, or ``(filename, content, type)``."""


class PageData(NamedTuple):
    """One parsed page: its items and what the envelope said about the next one."""

    items: builtins.list[Any]
    cursor: str | None
    has_next_page: bool | None
    request_id: str | None
    has_pagination: bool


class PageLike(Protocol[T_co]):
    """One page as the paginator hands it out."""

    @property
    def items(self) -> Sequence[T_co]: ...

    @property
    def cursor(self) -> str | None: ...

    @property
    def has_next_page(self) -> bool: ...

    @property
    def request_id(self) -> str | None: ...


class Paginator(Protocol[T]):
    """What list and search methods return: an async iterator of items (pylon_client.AsyncPaginator)."""

    @property
    def cursor(self) -> str | None: ...

    def __aiter__(self) -> AsyncIterator[T]: ...

    def pages(self) -> AsyncIterator[PageLike[T]]: ...

    async def collect(self) -> builtins.list[T]: ...


class Core(Protocol):
    """The client core the resources call; implemented by ``pylon_client.AsyncPylon``."""

    def segment(self, value: str, name: str) -> str: ...

    def body(self, value: Any) -> dict[str, Any]: ...

    def search_filter(self, value: Any) -> dict[str, Any] | None: ...

    async def request(
        self,
        endpoint: Endpoint,
        path: str,
        parse: Callable[[Any], T],
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
    ) -> T: ...

    async def upload(
        self,
        endpoint: Endpoint,
        path: str,
        parse: Callable[[Any], T],
        *,
        fields: dict[str, Any],
        files: dict[str, Upload | Sequence[Upload]],
    ) -> T: ...

    def paginate(
        self,
        endpoint: Endpoint,
        path: str,
        parse: Callable[[Any], PageData],
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        max_items: int | None = None,
    ) -> Paginator[Any]: ...


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, builtins.list):
        return [_jsonable(v) for v in value]
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if to_dict is not None else value


def _fields(**values: Any) -> dict[str, Any]:
    return {{k: _jsonable(v) for k, v in values.items() if not isinstance(v, Unset)}}


def _files(**values: Any) -> dict[str, Any]:
    return {{k: v for k, v in values.items() if not isinstance(v, Unset)}}


def _page(payload: Any, parse_item: Callable[[Any], Any]) -> PageData:
    if not isinstance(payload, dict):
        raise TypeError("the response is not a JSON object")
    data = payload["data"]
    if not isinstance(data, builtins.list):
        raise TypeError("data is not a list")
    for item in data:
        if not isinstance(item, dict):
            raise TypeError(f"an item of data is a {{type(item).__name__}}, not an object")
    pagination = payload.get("pagination")
    cursor = has_next = None
    if isinstance(pagination, dict):
        cursor = pagination.get("cursor")
        has_next = pagination.get("has_next_page")
    return PageData(
        [parse_item(item) for item in data],
        cursor if isinstance(cursor, str) else None,
        has_next if isinstance(has_next, bool) else None,
        payload.get("request_id"),
        isinstance(pagination, dict),
    )

'''


def _render_method(spec: dict[str, Any], op: Operation, imports: set[str]) -> list[str]:
    key = f"{op.method} {op.path}"
    paging, _, _ = _paging(spec, op)
    response = _response_schema(op.op)
    body_name = _body_schema(op.op)
    body = spec["components"]["schemas"][body_name] if body_name else None
    path_args = [_arg(p) for p in op.path_params]
    path_expr = op.path
    for raw, arg in zip(op.path_params, path_args, strict=True):
        path_expr = path_expr.replace(
            "{" + raw + "}", "{self._c.segment(" + arg + ", " + repr(raw) + ")}"
        )
    path_code = f'f"{path_expr}"' if path_args else repr(op.path)
    query = [
        p
        for p in op.op.get("parameters", [])
        if p["in"] == "query" and p["name"] not in ("cursor", "limit")
    ]

    required: list[tuple[str, str, str]] = []
    optional: list[tuple[str, str, str]] = []
    for p in query:
        ann = _py_type(spec, p.get("schema", {}), imports)
        (required if p.get("required") else optional).append((_arg(p["name"]), p["name"], ann))
    body_fields: list[tuple[str, str, str, bool]] = []
    if body is not None and paging != "body":
        needed = set(body.get("required", []))
        for prop, schema in body.get("properties", {}).items():
            if prop == "id" or prop in op.path_params:
                continue  # bodies borrowed from response schemas carry read-only ids
            ann = _py_type(spec, schema, imports)
            body_fields.append((_arg(prop), prop, ann, prop in needed))
    if body_name:
        imports.add(body_name)

    doc = f'        """{op.summary or key}.\n\n        ``{key}``'
    rate = op.op.get("x-pylon-rate-limit-per-minute")
    if rate:
        doc += f" (Pylon allows {rate} a minute)"
    doc += ".\n"
    if body_fields:
        doc += (
            "\n        Body fields are keyword arguments named as in the API; pass ``body=`` a\n"
            f"        ``{body_name}`` (or a dict) instead to send a prepared body.\n"
        )
    if paging:
        doc += (
            "\n        Returns an async iterator of items; ``.pages()`` iterates pages and\n"
            "        ``await .collect()`` gathers a small result into a list.\n"
        )
    doc += '        """\n'

    pos = "".join(f", {a}: str" for a in path_args)
    multipart = _multipart_schema(op.op)
    if multipart is not None:
        return _render_upload(spec, op, multipart, pos, path_code, doc, imports)
    kw: list[str] = []
    for arg, _, ann in required:
        kw.append(f"{arg}: {ann}")
    for arg, _, ann in optional:
        kw.append(f"{arg}: {ann} | Unset = UNSET")
    out: list[str] = []

    if paging == "body":
        imports.add(body_name or "")
        props = body.get("properties", {}) if body else {}
        extra = [p for p in props if p not in ("filter", "cursor", "limit")]
        sig = ["filter: Any = None", *[f"{_arg(p)}: str | Unset = UNSET" for p in extra]]
        sig += [
            "limit: int | None = None",
            "cursor: str | None = None",
            "max_items: int | None = None",
        ]
        item = _item_model(spec, response, imports)
        out.append(f"    def {op.name}(self{pos}, *, {', '.join(sig)}) -> Paginator[{item}]:\n")
        out.append(doc)
        fields = ", ".join(f"{p}={_arg(p)}" for p in extra)
        out.append(
            f"        json = _fields({fields})\n"
            if fields
            else "        json: dict[str, Any] = {}\n"
        )
        out.append("        search_filter = self._c.search_filter(filter)\n")
        out.append("        if search_filter is not None:\n")
        out.append('            json["filter"] = search_filter\n')
        out.append(
            f"        return self._c.paginate(ENDPOINTS[{key!r}], {path_code}, _page_{_snake(item)}, "
            "json=json, limit=limit, cursor=cursor, max_items=max_items)\n\n"
        )
        return out

    if paging in ("query", "single"):
        item = _item_model(spec, response, imports)
        sig = list(kw)
        if paging == "query":
            sig += ["limit: int | None = None", "cursor: str | None = None"]
        sig += ["max_items: int | None = None"]
        star = ", *, " if sig else ""
        out.append(f"    def {op.name}(self{pos}{star}{', '.join(sig)}) -> Paginator[{item}]:\n")
        out.append(doc)
        params = ", ".join(f"{name}={arg}" for arg, name, _ in [*required, *optional])
        params_code = f"_fields({params})" if params else "None"
        paging_args = "limit=limit, cursor=cursor, " if paging == "query" else ""
        out.append(
            f"        return self._c.paginate(ENDPOINTS[{key!r}], {path_code}, _page_{_snake(item)}, "
            f"params={params_code}, {paging_args}max_items=max_items)\n\n"
        )
        return out

    result = _data_model(spec, response, imports)
    parse = f"_parse_{_snake(response)}" if response else "_parse_none"
    if body_fields:
        req_sig = [f"{a}: {ann}" for a, _, ann, need in body_fields if need]
        opt_sig = [f"{a}: {ann} | Unset = UNSET" for a, _, ann, need in body_fields if not need]
        loose = [f"{a}: {ann} | Unset = UNSET" for a, _, ann, _ in body_fields]
        all_kw = ", ".join([*kw, *req_sig, *opt_sig])
        out.append("    @overload\n")
        out.append(f"    async def {op.name}(self{pos}, *, {all_kw}) -> {result}: ...\n\n")
        out.append("    @overload\n")
        out.append(
            f"    async def {op.name}(self{pos}, *, {', '.join([*kw, f'body: {body_name} | Mapping[str, Any]'])}) -> {result}: ...\n\n"
        )
        out.append(
            f"    async def {op.name}(self{pos}, *, {', '.join([*kw, *loose, f'body: {body_name} | Mapping[str, Any] | None = None'])}) -> {result}:\n"
        )
        out.append(doc)
        names = ", ".join(f"{p}={a}" for a, p, _, _ in body_fields)
        out.append(f"        fields = _fields({names})\n")
        out.append("        if body is not None:\n")
        out.append("            if fields:\n")
        out.append(
            f'                raise TypeError("{op.name}() takes body= or keyword fields, not both")\n'
        )
        out.append("            json = self._c.body(body)\n")
        out.append("        else:\n")
        required_fields = [p for _, p, _, need in body_fields if need]
        if required_fields:
            out.append(
                f"            missing = [n for n in {required_fields!r} if n not in fields]\n"
            )
            out.append("            if missing:\n")
            out.append(
                f"                raise TypeError(f\"{op.name}() missing required keyword argument(s): {{', '.join(missing)}}\")\n"
            )
        out.append("            json = fields\n")
    else:
        star = ", *, " if kw else ""
        out.append(f"    async def {op.name}(self{pos}{star}{', '.join(kw)}) -> {result}:\n")
        out.append(doc)
        json_line = (
            "        json: Any = {}\n"
            if op.method in ("POST", "PATCH", "PUT") and body_name
            else ""
        )
        out.append(json_line or "        json = None\n")
    params = ", ".join(f"{name}={arg}" for arg, name, _ in [*required, *optional])
    params_code = f"_fields({params})" if params else "None"
    out.append(
        f"        return await self._c.request(ENDPOINTS[{key!r}], {path_code}, {parse}, params={params_code}, json=json)\n\n"
    )
    return out


def _render_upload(
    spec: dict[str, Any],
    op: Operation,
    schema: dict[str, Any],
    pos: str,
    path_code: str,
    doc: str,
    imports: set[str],
) -> list[str]:
    """Render a ``multipart/form-data`` operation: text parts and file parts as keywords."""
    key = f"{op.method} {op.path}"
    response = _response_schema(op.op)
    result = _data_model(spec, response, imports)
    parse = f"_parse_{_snake(response)}" if response else "_parse_none"
    needed = set(schema.get("required", []))
    files: list[tuple[str, str, str]] = []
    texts: list[tuple[str, str, str]] = []
    for prop, part in schema.get("properties", {}).items():
        if _is_file(prop, part):
            many = part.get("type") == "array"
            files.append((_arg(prop), prop, "Sequence[Upload]" if many else "Upload"))
        else:
            texts.append((_arg(prop), prop, _py_type(spec, part, imports)))
    sig = [
        f"{a}: {ann}" if p in needed else f"{a}: {ann} | Unset = UNSET"
        for a, p, ann in [*files, *texts]
    ]
    sig.sort(key=lambda s: "=" in s)  # required keywords first, for readability
    upload_doc = doc.replace(
        '        """\n',
        "\n        Sent as ``multipart/form-data``. A file is bytes, a path, or a binary file\n"
        "        object (sync or async), optionally as ``(filename, content[, type])``; it is\n"
        "        streamed, never read whole into memory.\n"
        '        """\n',
    )
    out = [f"    async def {op.name}(self{pos}, *, {', '.join(sig)}) -> {result}:\n", upload_doc]
    text_args = ", ".join(f"{p}={a}" for a, p, _ in texts)
    file_args = ", ".join(f"{p}={a}" for a, p, _ in files)
    out.append(
        f"        return await self._c.upload(ENDPOINTS[{key!r}], {path_code}, {parse}, "
        f"fields=_fields({text_args}), files=_files({file_args}))\n\n"
    )
    return out


def _item_model(spec: dict[str, Any], response: str | None, imports: set[str]) -> str:
    items = (
        spec["components"]["schemas"][response]["properties"]["data"]["items"] if response else {}
    )
    name = _ref_name(items) or "Any"
    if name != "Any":
        imports.add(name)
    return name


def _data_model(spec: dict[str, Any], response: str | None, imports: set[str]) -> str:
    if not response:
        return "None"
    data = spec["components"]["schemas"][response].get("properties", {}).get("data")
    if data is None:
        imports.add(response)
        return response
    name = _ref_name(data.get("items", {}) if data.get("type") == "array" else data)
    if name:
        imports.add(name)
        return f"builtins.list[{name}]" if data.get("type") == "array" else name
    return "Any"


def _parsers(spec: dict[str, Any], ops: list[Operation], imports: set[str]) -> Iterator[str]:
    singles: set[str] = set()
    items: set[str] = set()
    for op in ops:
        paging, _, _ = _paging(spec, op)
        response = _response_schema(op.op)
        if paging:
            items.add(_item_model(spec, response, imports))
        elif response:
            singles.add(response)
    for response in sorted(singles):
        data = spec["components"]["schemas"][response].get("properties", {}).get("data")
        is_list = bool(data) and data.get("type") == "array"
        name = _ref_name(data.get("items", {}) if is_list else data) if data else None
        fn = f"_parse_{_snake(response)}"
        if name and is_list:
            imports.add(name)
            yield (
                f"def {fn}(payload: Any) -> builtins.list[{name}]:\n"
                f"    from .models.{_snake(name)} import {name}\n\n"
                "    if not isinstance(payload, dict):\n"
                '        raise TypeError("the response is not a JSON object")\n'
                '    data = payload["data"]\n'
                "    if not isinstance(data, list):\n"
                '        raise TypeError("data is not a list")\n'
                f"    return [{name}.from_dict(item) for item in data]\n\n\n"
            )
        elif name:
            imports.add(name)
            yield (
                f"def {fn}(payload: Any) -> {name}:\n"
                f"    from .models.{_snake(name)} import {name}\n\n"
                "    if not isinstance(payload, dict):\n"
                '        raise TypeError("the response is not a JSON object")\n'
                '    data = payload["data"]\n'
                "    if not isinstance(data, dict):\n"
                '        raise TypeError("data is not an object")\n'
                f"    return {name}.from_dict(data)\n\n\n"
            )
        else:
            imports.add(response)
            yield (
                f"def {fn}(payload: Any) -> {response}:\n"
                f"    from .models.{_snake(response)} import {response}\n\n"
                "    if not isinstance(payload, dict):\n"
                '        raise TypeError("the response is not a JSON object")\n'
                f"    return {response}.from_dict(payload)\n\n\n"
            )
    yield "def _parse_none(payload: Any) -> None:\n    return None\n\n\n"
    for item in sorted(items):
        if item == "Any":
            yield "def _page_any(payload: Any) -> PageData:\n    return _page(payload, lambda item: item)\n\n\n"
            continue
        yield (
            f"def _page_{_snake(item)}(payload: Any) -> PageData:\n"
            f"    from .models.{_snake(item)} import {item}\n\n"
            f"    return _page(payload, {item}.from_dict)\n\n\n"
        )


def _class_name(resource: str) -> str:
    return "".join(part.capitalize() for part in resource.split("_")) + "Resource"


def _render_resources(spec: dict[str, Any], ops: list[Operation]) -> str:
    imports: set[str] = set()
    by_resource: dict[str, list[Operation]] = {}
    for op in ops:
        by_resource.setdefault(op.resource, []).append(op)
    classes: list[str] = []
    for resource in sorted(r for r in by_resource if r):
        cls = _class_name(resource)
        body = [
            f"class {cls}:\n",
            f'    """``pylon.{resource}``: {", ".join(o.name for o in by_resource[resource])}."""\n\n',
            '    __slots__ = ("_c",)\n\n',
            "    def __init__(self, core: Core) -> None:\n",
            "        self._c = core\n\n",
        ]
        for op in by_resource[resource]:
            body.extend(_render_method(spec, op, imports))
        classes.append("".join(body).rstrip() + "\n\n\n")
    top = by_resource.get("", [])
    container = [
        "class Resources:\n",
        '    """Every resource of the API as an attribute, plus the top-level operations."""\n\n',
        "    _c: Core\n",
    ]
    for resource in sorted(r for r in by_resource if r):
        container.append(f"    {resource}: {_class_name(resource)}\n")
    container.append("\n    def _init_resources(self, core: Core) -> None:\n")
    container.append("        self._c = core\n")
    for resource in sorted(r for r in by_resource if r):
        container.append(f"        self.{resource} = {_class_name(resource)}(core)\n")
    container.append("\n")
    for op in top:
        container.extend(_render_method(spec, op, imports))
    parsers = "".join(_parsers(spec, ops, imports))
    exported = "".join(f'    "{_class_name(r)}",\n' for r in sorted(r for r in by_resource if r))
    import_lines = "\n".join(
        f"    from .models.{_snake(name)} import {name}"
        for name in sorted(n for n in imports if n and n != "Any")
    )
    head = _RESOURCES_HEAD.format(imports=import_lines, exported=exported)
    return head + parsers + "".join(classes) + "".join(container).rstrip() + "\n"


def render_modules(spec: dict[str, Any]) -> dict[str, str]:
    """Render the generated facade modules, by file name."""
    ops = operations(spec)
    return {
        "_endpoints.py": _render_endpoints(spec, ops),
        "_resources.py": _render_resources(spec, ops),
    }


def render_docs(spec: dict[str, Any]) -> str:
    """Render docs/operations.md: the method + path → Python call table."""
    ops = operations(spec)
    lines = [
        "<!-- DO NOT EDIT: generated by codegen/facade.py; regenerate with `make generate`. -->\n",
        "# Operations\n\n",
        f"Every operation of the client ({len(ops)}) and the call that reaches it. List and search\n",
        "calls return async iterators; the rest return the unwrapped `data` model. *From*: the\n",
        "vendored spec as the overlay corrects it (`vendored`), or Pylon's own document where the\n",
        "vendored spec lacks the operation (`Pylon`). *Limit/min*: requests a minute per\n",
        "organization, from `openapi/rate-limits.tsv` (or the operation's own documentation).\n\n",
        "| Method | Path | Python | Returns | From | Limit/min |\n",
        "|---|---|---|---|---|---|\n",
    ]
    for op in ops:
        paging, _, _ = _paging(spec, op)
        response = _response_schema(op.op)
        if paging:
            returns = f"async iterator of `{_item_model(spec, response, set())}`"
        else:
            returns = f"`{_data_model(spec, response, set()).removeprefix('builtins.')}`"
        rate = op.op.get("x-pylon-rate-limit-per-minute", "")
        args = ", ".join(_arg(p) for p in op.path_params)
        source = "Pylon" if op.op.get("x-pylon-source") == "official" else "vendored"
        lines.append(
            f"| {op.method} | `{op.path}` | `{_call(op)}({args})` | {returns} | {source} | {rate} |\n"
        )
    return "".join(lines)
