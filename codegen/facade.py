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

Layout: this module names the operations and renders the files; ``codegen/plan.py`` plans each
method (``codegen/schema.py`` reads the spec for it); ``codegen/structs.py`` plans the msgspec
Structs of the optional fast decoder from the models just generated; the Jinja templates in
``codegen/templates/facade/`` lay the plans out; ``codegen/runtime/`` holds the modules copied
unchanged, such as the ``Core`` contract (``_contract.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from plan import Operation, lists_by_search, plan_resources
from schema import argument, data_model, item_model, paging
from sources import label
from structs import plan_structs

__all__ = [
    "OVERRIDES",
    "Operation",
    "operations",
    "render_docs",
    "render_modules",
    "runtime_modules",
]

METHODS = ("get", "post", "patch", "put", "delete")

RUNTIME = Path(__file__).resolve().parent / "runtime"
"""Modules copied unchanged into the generated package (every ``*.py`` but ``__init__.py``)."""

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "templates" / "facade"),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    autoescape=False,  # noqa: S701 (the templates emit Python and Markdown, never HTML)
)
_ENV.filters["py"] = repr
_ENV.filters["kwargs"] = lambda bindings: ", ".join(
    f"{b.name}={b.value or b.arg}" for b in bindings
)

OVERRIDES: dict[tuple[str, str], tuple[str, str]] = {
    ("GET", "/me"): ("", "me"),
    ("POST", "/issues/{id}/snooze"): ("issues", "snooze"),
    ("POST", "/issues/{id}/followers"): ("issues", "update_followers"),
    ("POST", "/issues/{id}/external-issues"): ("issues", "link_external_issue"),
    ("POST", "/tasks/{id}/external-issues"): ("tasks", "link_external_issue"),
    ("POST", "/tasks/{id}/issues"): ("tasks", "link_issue"),
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
    ("PATCH", "/custom-objects/{type}"): ("custom_objects", "update_many"),
    # Operations named for what they do where the rule would name a noun.
    ("POST", "/issues/mark-spam"): ("issues", "mark_spam"),
    ("POST", "/issues/{issue_id}/external-incidents"): ("issues", "link_external_incident"),
    ("POST", "/feature-requests/{feature_request_id}/external-issues"): (
        "feature_requests",
        "link_external_issue",
    ),
    ("POST", "/feature-requests/{feature_request_id}/set-portal-visibility"): (
        "feature_requests",
        "set_portal_visibility",
    ),
    ("POST", "/issue-groups/{issue_group_id}/children"): ("issue_groups", "add_children"),
    ("DELETE", "/issue-groups/{issue_group_id}/children/{child_issue_id}"): (
        "issue_groups",
        "remove_child",
    ),
    ("POST", "/knowledge-bases/{knowledge_base_id}/articles/{article_id}/request-review"): (
        "knowledge_bases",
        "request_article_review",
    ),
    ("POST", "/knowledge-bases/{knowledge_base_id}/themes/{theme_id}/publish"): (
        "knowledge_bases",
        "publish_theme",
    ),
    # Deeper paths than the rule reads.
    ("GET", "/accounts/{account_id}/notebook-blocks/{block_id}/notes"): (
        "accounts",
        "list_notebook_notes",
    ),
    ("POST", "/accounts/{account_id}/notebook-blocks/{block_id}/notes"): (
        "accounts",
        "create_notebook_note",
    ),
    # The select options of a field are one collection, the option named in the body.
    ("PATCH", "/custom-fields/{custom_field_id}/select-options"): (
        "custom_fields",
        "update_select_option",
    ),
    ("DELETE", "/custom-fields/{custom_field_id}/select-options"): (
        "custom_fields",
        "delete_select_option",
    ),
    ("POST", "/training-data/upload"): ("training_data", "upload"),
    ("POST", "/training-data/upload-content"): ("training_data", "upload_content"),
    ("DELETE", "/training-data/{id}/documents"): ("training_data", "delete_documents"),
}


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
            declared = [
                p["name"] for p in [*shared, *op.get("parameters", [])] if p["in"] == "path"
            ]
            # Positional path arguments follow the path, whatever order the spec lists them in.
            params = sorted(declared, key=lambda name: path.index("{" + name + "}"))
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


def _call(op: Operation) -> str:
    return f"pylon.{op.resource}.{op.name}" if op.resource else f"pylon.{op.name}"


def render_modules(spec: dict[str, Any], package: Path) -> dict[str, str]:
    """Render the generated facade modules, by path in the package (formatted by ruff afterwards).

    ``package`` is the build folder, where openapi-python-client has written the models: the
    msgspec Structs of ``structs/`` mirror them (``codegen/structs.py``).
    """
    ops = operations(spec)
    rows = []
    for op in ops:
        page, lo, hi = paging(spec, op.method, op.op)
        rate = op.op.get("x-pylon-rate-limit-per-minute")
        key = f"{op.method} {op.path}"
        rows.append((key, op.method, op.path, _call(op), op.operation_id, rate, page, lo, hi))
    modules = {
        "_endpoints.py": _ENV.get_template("endpoints.py.jinja").render(rows=rows),
    }
    plan = plan_resources(spec, ops)
    modules["_resources.py"] = _ENV.get_template("resources.py.jinja").render(plan=plan)
    modules["resources/__init__.py"] = (
        '"""The resource classes of the facade, one module each (see ``_resources``)."""\n'
    )
    resource = _ENV.get_template("resource.py.jinja")
    for r in plan.resources:
        modules[f"resources/{r.attribute}.py"] = resource.render(resource=r)
    structs = plan_structs(plan, package)
    modules["structs/__init__.py"] = _ENV.get_template("structs_init.py.jinja").render(
        modules=structs
    )
    template = _ENV.get_template("structs.py.jinja")
    for found in structs:
        modules[f"structs/{found.name}.py"] = template.render(module=found)
    return modules


def runtime_modules() -> dict[str, str]:
    """Return the modules copied unchanged into the generated package, by file name."""
    return {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted(RUNTIME.glob("*.py"))
        if path.name != "__init__.py"
    }


def render_docs(spec: dict[str, Any]) -> str:
    """Render docs/operations.md: the method + path → Python call table."""
    rows = []
    ops = operations(spec)
    for op in ops:
        page, _, _ = paging(spec, op.method, op.op)
        if page:
            returns = f"async iterator of `{item_model(spec, op.method, op.op, set())}`"
        else:
            returns = f"`{data_model(spec, op.method, op.op, set()).removeprefix('builtins.')}`"
        rows.append(
            {
                "method": op.method,
                "path": op.path,
                "call": _call(op),
                "args": ", ".join(argument(p) for p in op.path_params),
                "returns": returns,
                "source": label(op.op.get("x-pylon-source", "vendored")),
                "rate": op.op.get("x-pylon-rate-limit-per-minute", ""),
            }
        )
    listed = lists_by_search(spec, ops)
    by_search = {
        "names": _series([op.resource.replace("_", " ") for op in listed]),
        "calls": _series([f"`pylon.{op.resource}.list()`" for op in listed]),
        "paths": _series([f"`{op.method} {op.path}`" for op in listed]),
    }
    return _ENV.get_template("operations.md.jinja").render(rows=rows, listed=listed and by_search)


def _series(items: list[str]) -> str:
    """Return ``a, b and c``."""
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)
