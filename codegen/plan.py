"""Plans for the generated facade: each method, parse function and resource class as data.

:func:`plan_resources` turns the named operations of the effective spec into frozen
dataclasses that hold everything the emitted code says (names, signatures, docstrings, how the
request is built); the Jinja templates in ``codegen/templates/facade/`` only lay them out. A
method is of one of five kinds:

* ``request``: one call, its arguments sent as query parameters (``get``, ``delete``);
* ``body``: one call whose JSON body is built from keyword fields or passed whole as
  ``body=``, with an ``@overload`` for each of the two ways;
* ``upload``: one ``multipart/form-data`` call, text and file parts as keywords;
* ``list``: a paginator over a GET (paging ``query`` takes ``limit=``/``cursor=``, ``single``
  does not);
* ``search``: a paginator over a POST whose body carries ``filter``, ``cursor`` and ``limit``.
"""

from __future__ import annotations

import dataclasses
import functools
import textwrap
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from openapi_python_client.strings import snake_case
from schema import (
    Shape,
    ShapeKind,
    argument,
    body_schema,
    data_model,
    is_date_time,
    is_file,
    item_model,
    multipart_schema,
    paging,
    parse_name,
    py_type,
    request_body,
    resolve,
    shape,
)

__all__ = [
    "CALL_OPTIONS",
    "Binding",
    "MethodPlan",
    "Model",
    "Operation",
    "ParsePlan",
    "ResourcePlan",
    "ResourcesPlan",
    "lists_by_search",
    "plan_method",
    "plan_resources",
]

Kind = Literal["request", "body", "upload", "list", "search"]

_PAGING_DOC = (
    "Returns an async iterator of items; ``.pages()`` iterates pages and\n"
    "``await .collect()`` gathers a small result into a list."
)
_UPLOAD_DOC = (
    "Sent as ``multipart/form-data``. A file is bytes, a path, or a binary file\n"
    "object (sync or async), optionally as ``(filename, content[, type])``; it is\n"
    "streamed, never read whole into memory."
)
_SYNC_PAGING_DOC = (
    "Returns an iterator of items; ``.pages()`` iterates pages and\n"
    "``.collect()`` gathers a small result into a list."
)
_PAGE_OPTIONS = ("limit: int | None = None", "cursor: str | None = None")
# Every method takes these last (the per-call options of ``_contract.RequestOptions``).
CALL_OPTIONS = (
    "extra_headers: Mapping[str, str] | None = None",
    "extra_query: Mapping[str, Any] | None = None",
    "extra_body: Mapping[str, Any] | None = None",
    "timeout: Timeout | Unset = UNSET",
    "deadline: Deadline | Unset = UNSET",
)
_MAX_ITEMS = "max_items: int | None = None"
_PAGE_PARAMS = {
    _PAGE_OPTIONS[0]: (
        "limit",
        "int",
        False,
        "Items per page, within Pylon's bounds for this list.",
    ),
    _PAGE_OPTIONS[1]: (
        "cursor",
        "str",
        False,
        "Start from this page cursor (``paginator.cursor``).",
    ),
    _MAX_ITEMS: ("max_items", "int", False, "Stop after this many items."),
}
_FILTER_DOC = (
    "A search filter, built with ``F`` or as a dict, checked before sending; none matches all."
)
_BODY_DOC = "The whole request body, instead of the keyword fields."


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


class Binding(NamedTuple):
    """An API name and the Python argument that carries it (``from`` and ``from_``).

    ``value`` is the expression sent, when it is not the argument itself: a date-time field
    goes through ``Core.when``, which checks it and writes it as RFC 3339.
    """

    name: str
    arg: str
    value: str = ""


class Model(NamedTuple):
    """A generated model and the module that defines it (``APIUser`` in ``api_user``)."""

    name: str
    module: str


@dataclass(frozen=True)
class MethodPlan:
    """One generated method: its signature, docstring and how it builds the request.

    ``keywords`` are the keyword-only parameters of the method itself, as written;
    ``overloads`` those of each ``@overload`` before it. ``query`` becomes ``params=``,
    ``fields`` the JSON body (or the text parts of an upload), ``files`` the file parts.
    """

    name: str
    kind: Kind
    key: str
    path_args: tuple[str, ...]
    path: str
    keywords: tuple[str, ...]
    returns: str
    doc: str
    parse: str
    paging: str | None
    overloads: tuple[tuple[str, ...], ...] = ()
    query: tuple[Binding, ...] = ()
    fields: tuple[Binding, ...] = ()
    required: tuple[str, ...] = ()
    files: tuple[Binding, ...] = ()
    sends_body: bool = False
    models: frozenset[str] = frozenset()
    filtered: bool = True

    @property
    def is_async(self) -> bool:
        """Whether the method is a coroutine (paginators are returned, not awaited)."""
        return self.kind not in ("list", "search")

    @property
    def signatures(self) -> tuple[tuple[str, ...], ...]:
        """The keywords of each ``@overload``, then of the method itself, options last."""
        return tuple((*k, *CALL_OPTIONS) for k in (*self.overloads, self.keywords))

    @property
    def arguments(self) -> str:
        """Every parameter passed on by name, as the sync method calls the async one."""
        names = [*self.path_args, *(k.split(":")[0] for k in (*self.keywords, *CALL_OPTIONS))]
        return ", ".join(f"{n}={n}" for n in names)

    @property
    def sync_returns(self) -> str:
        """The return annotation of the sync method."""
        if self.is_async:
            return self.returns
        return "SyncPaginatorLike" + self.returns.removeprefix("Paginator")

    @property
    def sync_doc(self) -> str:
        """The docstring of the sync method."""
        return self.doc.replace(_PAGING_DOC, _SYNC_PAGING_DOC)


@dataclass(frozen=True)
class ParsePlan:
    """One parse function: a page of ``model`` items, one ``data`` model, a list, or the body."""

    name: str
    kind: ShapeKind
    model: str
    module: str


@dataclass(frozen=True)
class ResourcePlan:
    """One resource class (``pylon.issues``): its methods in spec order, in a module of its own.

    ``parsers`` are the parse functions its methods call and ``models`` the models its
    annotations name, so that the module holds everything it needs and nothing else.
    """

    attribute: str
    class_name: str
    methods: tuple[MethodPlan, ...]
    parsers: tuple[ParsePlan, ...] = ()
    models: tuple[Model, ...] = ()

    @property
    def module(self) -> str:
        """The module of the class inside the generated package (``resources.issues``)."""
        return f"resources.{self.attribute}"


@dataclass(frozen=True)
class ResourcesPlan:
    """The whole facade: one module per resource class, and ``_resources.py`` with the rest.

    ``top``, ``parsers`` and ``models`` are the top-level methods (``pylon.me``), their parse
    functions and the models their annotations name.
    """

    resources: tuple[ResourcePlan, ...]
    top: tuple[MethodPlan, ...]
    parsers: tuple[ParsePlan, ...]
    models: tuple[Model, ...]


def _snake(name: str) -> str:
    """Return the module name the generator gives the model ``name`` (``APIUser`` -> ``api_user``)."""
    return snake_case(name)


def _path_code(op: Operation) -> str:
    """Return the expression of the request path: each parameter a checked segment."""
    if not op.path_params:
        return repr(op.path)
    path = op.path
    for raw in op.path_params:
        path = path.replace(
            "{" + raw + "}", "{self._c.segment(" + argument(raw) + ", " + repr(raw) + ")}"
        )
    return f'f"{path}"'


def _doc(op: Operation, *paragraphs: str) -> str:
    key = f"{op.method} {op.path}"
    rate = op.op.get("x-pylon-rate-limit-per-minute")
    limit = f" (Pylon allows {rate} a minute)" if rate else ""
    return "\n\n".join([f"{op.summary or key}.", f"``{key}``{limit}.", *filter(None, paragraphs)])


_WIDTH = 88 - 8  # docstrings sit 8 spaces in
_OPTIONS_DOC = (
    "extra_headers, extra_query, extra_body, timeout, deadline: per-call options, as for "
    "every method (see ``AsyncPylon.with_options``)."
)


class Param(NamedTuple):
    """One parameter as a docstring's ``Args:`` section describes it."""

    arg: str
    annotation: str
    required: bool
    description: str


def describe(spec: dict[str, Any], holder: dict[str, Any]) -> str:
    """Return the description the sources give a parameter or field, as one docstring line.

    A parameter's own ``description`` comes first, then its schema's, then that of the
    component the schema (or one of its alternatives) refers to; the values of an enumeration
    follow. Backslashes and triple quotes are escaped for a docstring.
    """
    schema = holder.get("schema", holder)
    target = resolve(spec, schema)
    alternatives = [resolve(spec, alt) for alt in schema.get("anyOf") or schema.get("oneOf") or []]
    texts = [holder.get("description"), schema.get("description"), target.get("description")]
    texts += [alt.get("description") for alt in alternatives]
    text = " ".join(str(next((t for t in texts if t), "")).split())
    values = [v for alt in [target, *alternatives] for v in alt.get("enum", [])]
    if values:
        listed = ", ".join(f"``{v}``" for v in dict.fromkeys(values))
        other = (
            " (or another string)"
            if any(a.get("type") == "string" and "enum" not in a for a in alternatives)
            else ""
        )
        text = (
            f"{text.rstrip('.')}. One of {listed}{other}." if text else f"One of {listed}{other}."
        )
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def _args_doc(params: list[Param], *, body: str | None) -> str:
    """Return the ``Args:`` section: each parameter's type, whether it is required, its meaning."""
    lines = ["Args:"]
    for p in sorted(params, key=lambda p: not p.required):
        annotation = p.annotation.removesuffix(" | Unset = UNSET").removesuffix(" = None")
        annotation = annotation.removesuffix(" | None").replace("builtins.", "")
        need = "required" if p.required else "optional"
        if p.required and body:
            need = "required unless body= is given"
        head = f"{p.arg} ({annotation}, {need}):"
        text = f"{head} {p.description}" if p.description else head
        lines.append(
            textwrap.fill(text, _WIDTH, initial_indent="    ", subsequent_indent="        ")
        )
    lines.append(
        textwrap.fill(_OPTIONS_DOC, _WIDTH, initial_indent="    ", subsequent_indent="        ")
    )
    return "\n".join(lines)


def _returns_doc(returns: str, *, page: bool) -> str:
    """Return the ``Returns:`` section."""
    shown = returns.replace("builtins.", "")
    if page:
        item = shown.removeprefix("Paginator[").removesuffix("]")
        return f"Returns:\n    {shown}: each ``{item}`` across every page, fetched as you iterate."
    if shown == "None":
        return "Returns:\n    None: Pylon's answer carries no data."
    return f"Returns:\n    {shown}: the ``data`` of Pylon's answer."


def _keyword(arg: str, annotation: str, required: bool) -> str:
    return f"{arg}: {annotation}" if required else f"{arg}: {annotation} | Unset = UNSET"


def plan_method(spec: dict[str, Any], op: Operation) -> MethodPlan:
    """Plan the method that reaches one operation."""
    models: set[str] = set()
    page, _, _ = paging(spec, op.method, op.op)
    body_name = body_schema(op.op)
    body = request_body(spec, op.op)
    query = [
        p
        for p in op.op.get("parameters", [])
        if p["in"] == "query" and p["name"] not in ("cursor", "limit")
    ]
    query.sort(key=lambda p: not p.get("required"))  # required first, each in spec order
    kw = [
        _keyword(
            argument(p["name"]), py_type(spec, p.get("schema", {}), models), bool(p.get("required"))
        )
        for p in query
    ]
    params = [_path_param(spec, op, raw) for raw in op.path_params]
    params += [
        Param(argument(p["name"]), k.split(": ", 1)[1], bool(p.get("required")), describe(spec, p))
        for p, k in zip(query, kw, strict=True)
    ]
    bindings = tuple(Binding(p["name"], argument(p["name"])) for p in query)
    body_fields: list[tuple[Binding, str, bool]] = []
    if body is not None and page != "body":
        needed = set(body.get("required", []))
        for prop, schema in body.get("properties", {}).items():
            if prop == "id" or prop in op.path_params:
                continue  # bodies borrowed from response schemas carry read-only ids
            ann = py_type(spec, schema, models)
            arg = argument(prop)
            value = f"self._c.when({arg}, {prop!r})" if is_date_time(spec, schema) else ""
            body_fields.append((Binding(prop, arg, value), ann, prop in needed))
            params.append(Param(arg, ann, prop in needed, describe(spec, schema)))
    if body_name:
        models.add(body_name)
    doc = [
        "Body fields are keyword arguments named as in the API; pass ``body=`` a\n"
        f"``{body_name}`` (or a dict) instead to send a prepared body."
        if body_fields
        else "",
        _PAGING_DOC if page else "",
    ]
    make = functools.partial(
        MethodPlan,
        name=op.name,
        key=f"{op.method} {op.path}",
        path_args=tuple(argument(p) for p in op.path_params),
        path=_path_code(op),
        paging=page,
    )
    multipart = multipart_schema(op.op)
    if multipart is None and page is not None:
        item = item_model(spec, op.method, op.op, models)
        options = _PAGE_OPTIONS if page != "single" else ()
        extra: tuple[Binding, ...] = ()
        filtered = False
        if page == "body":
            props = body.get("properties", {}) if body else {}
            filtered = "filter" in props  # tags.search takes criteria of its own, no filter
            extra = tuple(
                Binding(p, argument(p)) for p in props if p not in ("filter", "cursor", "limit")
            )
            types = {b.arg: py_type(spec, props[b.name], models) for b in extra}
            kw = [
                *(["filter: FilterInput | None = None"] if filtered else []),
                *(f"{b.arg}: {types[b.arg]} | Unset = UNSET" for b in extra),
            ]
            params = [
                *params[: len(op.path_params)],
                *([Param("filter", "FilterInput", False, _FILTER_DOC)] if filtered else []),
                *(Param(b.arg, types[b.arg], False, describe(spec, props[b.name])) for b in extra),
            ]
        params += [Param(*_PAGE_PARAMS[o]) for o in (*options, _MAX_ITEMS)]
        returns = f"Paginator[{item}]"
        return make(
            kind="search" if page == "body" else "list",
            keywords=(*kw, *options, _MAX_ITEMS),
            returns=returns,
            doc=_doc(op, *doc, _args_doc(params, body=None), _returns_doc(returns, page=True)),
            parse=parse_name(shape(spec, op.method, op.op)),
            query=bindings if page != "body" else (),
            fields=extra,
            filtered=filtered,
            models=frozenset(models),
        )
    result = data_model(spec, op.method, op.op, models)
    parse = parse_name(shape(spec, op.method, op.op))
    ends = _returns_doc(result, page=False)
    if multipart is not None:
        keywords, texts, files = _upload_parts(spec, multipart, models)
        parts = [*params[: len(op.path_params)], *_upload_params(spec, multipart, keywords)]
        return make(
            kind="upload",
            keywords=keywords,
            returns=result,
            doc=_doc(op, *doc, _UPLOAD_DOC, _args_doc(parts, body=None), ends),
            parse=parse,
            fields=texts,
            files=files,
            models=frozenset(models),
        )
    if not body_fields:
        return make(
            kind="request",
            keywords=tuple(kw),
            returns=result,
            doc=_doc(op, *doc, _args_doc(params, body=None), ends),
            parse=parse,
            query=bindings,
            sends_body=op.method in ("POST", "PATCH", "PUT") and bool(body_name),
            models=frozenset(models),
        )
    whole = f"body: {body_name} | Mapping[str, Any]"
    params.append(Param("body", f"{body_name} | Mapping[str, Any]", False, _BODY_DOC))
    return make(
        kind="body",
        keywords=(
            *kw,
            *(_keyword(b.arg, ann, False) for b, ann, _ in body_fields),
            f"{whole} | None = None",
        ),
        overloads=(
            (
                *kw,
                *(_keyword(b.arg, ann, True) for b, ann, need in body_fields if need),
                *(_keyword(b.arg, ann, False) for b, ann, need in body_fields if not need),
            ),
            (*kw, whole),
        ),
        returns=result,
        doc=_doc(op, *doc, _args_doc(params, body=body_name), ends),
        parse=parse,
        query=bindings,
        fields=tuple(b for b, _, _ in body_fields),
        required=tuple(b.name for b, _, need in body_fields if need),
        models=frozenset(models),
    )


def _path_param(spec: dict[str, Any], op: Operation, raw: str) -> Param:
    """Describe a path parameter (always a required positional string)."""
    found = [p for p in op.op.get("parameters", []) if p["in"] == "path" and p["name"] == raw]
    return Param(argument(raw), "str", True, describe(spec, found[0]) if found else "")


def _upload_params(
    spec: dict[str, Any], schema: dict[str, Any], keywords: tuple[str, ...]
) -> list[Param]:
    """Describe an upload's parts, in the order of its keywords."""
    props = schema.get("properties", {})
    by_arg = {argument(name): part for name, part in props.items()}
    params = []
    for keyword in keywords:
        arg, annotation = keyword.split(": ", 1)
        part = by_arg.get(arg, {})
        params.append(Param(arg, annotation, "=" not in annotation, describe(spec, part)))
    return params


def lists_by_search(spec: dict[str, Any], ops: list[Operation]) -> list[Operation]:
    """Return the searches that are the only way to list their resource.

    Pylon lists projects and milestones only through ``POST /projects/search`` and
    ``POST /milestones/search``. A resource with no ``list`` whose ``search`` takes an optional
    ``filter`` and a ``cursor`` gets ``list()``: that search without a filter.
    """
    names = {(op.resource, op.name) for op in ops}
    found = []
    for op in ops:
        if op.resource == "" or op.name != "search" or (op.resource, "list") in names:
            continue
        body = request_body(spec, op.op) or {}
        props = body.get("properties", {})
        if "filter" in props and "cursor" in props and "filter" not in body.get("required", []):
            found.append(op)
    return found


def _unfiltered(search: MethodPlan, op: Operation) -> MethodPlan:
    """Return ``list()``: the search ``search`` plans, without a filter or other criteria."""
    keywords = (*_PAGE_OPTIONS, _MAX_ITEMS)
    params = [Param(*_PAGE_PARAMS[o]) for o in keywords]
    returns_doc = _returns_doc(search.returns, page=True)
    words = op.resource.replace("_", " ")
    lead = f"Pylon has no list endpoint for {words}: this is the search without a filter."
    listing = op._replace(summary=f"List {words}")
    return dataclasses.replace(
        search,
        name="list",
        keywords=keywords,
        fields=(),
        filtered=False,
        doc=_doc(listing, lead, _PAGING_DOC, _args_doc(params, body=None), returns_doc),
    )


def _upload_parts(
    spec: dict[str, Any], schema: dict[str, Any], models: set[str]
) -> tuple[tuple[str, ...], tuple[Binding, ...], tuple[Binding, ...]]:
    """Return an upload's keywords, its text parts and its file parts."""
    needed = set(schema.get("required", []))
    files: list[tuple[Binding, str]] = []
    texts: list[tuple[Binding, str]] = []
    for prop, part in schema.get("properties", {}).items():
        if is_file(prop, part):
            many = part.get("type") == "array"
            files.append((Binding(prop, argument(prop)), "Sequence[Upload]" if many else "Upload"))
        else:
            texts.append((Binding(prop, argument(prop)), py_type(spec, part, models)))
    keywords = [_keyword(b.arg, ann, b.name in needed) for b, ann in [*files, *texts]]
    keywords.sort(key=lambda s: "=" in s)  # required keywords first, for readability
    return tuple(keywords), tuple(b for b, _ in texts), tuple(b for b, _ in files)


def _plan_parsers(spec: dict[str, Any], ops: list[Operation], models: set[str]) -> list[ParsePlan]:
    """Plan one parse function per shape of answer (``schema.shape``), pages last."""
    shapes = {shape(spec, op.method, op.op) for op in ops}
    shapes |= {Shape("none", "None")}
    parsers = []
    for found in sorted(shapes, key=lambda s: (s.kind == "page", parse_name(s))):
        if found.model not in ("Any", "None"):
            models.add(found.model)
        module = _snake(found.model) if found.model not in ("Any", "None") else ""
        parsers.append(ParsePlan(parse_name(found), found.kind, found.model, module))
    return parsers


def _class_name(resource: str) -> str:
    return "".join(part.capitalize() for part in resource.split("_")) + "Resource"


def _scope(
    methods: tuple[MethodPlan, ...], parsers: list[ParsePlan]
) -> tuple[tuple[ParsePlan, ...], tuple[Model, ...]]:
    """Return the parse functions ``methods`` call and the models their module must name."""
    called = {m.parse for m in methods}
    used = tuple(p for p in parsers if p.name in called)
    names: set[str] = set()
    for method in methods:
        names |= method.models
    names |= {p.model for p in used if p.kind != "none"}
    return used, tuple(Model(n, _snake(n)) for n in sorted(names) if n and n != "Any")


def plan_resources(spec: dict[str, Any], ops: list[Operation]) -> ResourcesPlan:
    """Plan the facade: a class per resource, methods in spec order, parse functions."""
    plans = [plan_method(spec, op) for op in ops]
    models: set[str] = set()
    for method in plans:
        models |= method.models
    parsers = _plan_parsers(spec, ops, models)
    by_resource: dict[str, list[MethodPlan]] = {}
    for op, method in zip(ops, plans, strict=True):
        by_resource.setdefault(op.resource, []).append(method)
    searches = lists_by_search(spec, ops)
    for op, method in zip(ops, plans, strict=True):
        if op in searches:
            by_resource[op.resource].insert(0, _unfiltered(method, op))
    resources = []
    for resource in sorted(r for r in by_resource if r):
        methods = tuple(by_resource[resource])
        used, named = _scope(methods, parsers)
        resources.append(ResourcePlan(resource, _class_name(resource), methods, used, named))
    top = tuple(by_resource.get("", []))
    top_parsers, top_models = _scope(top, parsers)
    return ResourcesPlan(
        resources=tuple(resources), top=top, parsers=top_parsers, models=top_models
    )
