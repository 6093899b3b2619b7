"""The API reference pages, built from the generated code at every ``mkdocs build``.

A mkdocs hook (``hooks:`` in ``mkdocs.yml``). Nothing in ``docs/reference/`` is written by
hand or kept in git: each build reads the operation table
(``pylon_client/_generated/_endpoints.py``), the source and return type of each operation from
the generated ``docs/operations.md``, and the class names of ``pylon_client/_generated/resources/``
and ``pylon_client/_client/helpers.py``, and adds one page per resource: a table of its
operations (method, HTTP path, rate limit, source) and a ``:::`` block that mkdocstrings renders
from the methods' own docstrings (``Args:``, ``Returns:``, "Pylon allows N a minute"). A new
operation appears after ``make generate`` without an edit here.

After the build, :func:`count_operations` reads the rendered pages back and the build fails
unless every operation of the table is there, with its row and its rendered method.

The page builders are plain functions of the repository's files, so the test suite runs them
without mkdocs (``tests/test_docs.py``); mkdocs itself is only imported by the hook functions,
when mkdocs calls them (it lives in ``.venv-docs``, not in ``.venv``).
"""

from __future__ import annotations

import ast
import importlib
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "CLIENT",
    "Operation",
    "Resource",
    "count_operations",
    "load_operations",
    "load_resources",
    "on_config",
    "on_files",
    "on_post_build",
    "render_index",
    "render_page",
]

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pylon_client"
RESOURCES_DIR = PACKAGE / "_generated" / "resources"
HELPERS = PACKAGE / "_client" / "helpers.py"
OPERATIONS_MD = ROOT / "docs" / "operations.md"
REFERENCE = "reference"  # the folder of the pages, under docs/ and site/
CLIENT = "client"  # the page of the operations called on the client itself (pylon.me())

# One row of docs/operations.md: | METHOD | `path` | `call(args)` | returns | From | Limit/min |
_ROW = re.compile(r"^\| (?P<method>[A-Z]+) \| `(?P<path>[^`]+)` \| `[^`]+` \| (?P<returns>.+?) \|")
_FROM = re.compile(r"\| (?P<source>[^|]+?) \| (?P<limit>\d*) \|$")
# The marker of an operation's row in a built page; count_operations counts them.
_MARK = '<code class="pylon-operation" data-operation="{key}">{key}</code>'
_MARKED = re.compile(r'class="pylon-operation" data-operation="(?P<key>[A-Z]+ [^"]+)"')


@dataclass(frozen=True)
class Operation:
    """One operation: the key of the operation table and what its reference row shows."""

    key: str  # "POST /tasks"
    call: str  # "pylon.tasks.create"
    rate_limit: int | None  # requests a minute per organization
    source: str  # vendored, Pylon or SDK: the document the operation comes from
    returns: str  # as docs/operations.md says it

    @property
    def resource(self) -> str:
        """The attribute of the client that holds the method, or :data:`CLIENT`."""
        parts = self.call.split(".")
        return parts[1] if len(parts) == 3 else CLIENT

    @property
    def method(self) -> str:
        """The Python method's name: ``create``."""
        return self.call.rsplit(".", 1)[1]


@dataclass(frozen=True)
class Resource:
    """One page of the reference: an attribute of the client and the class documented."""

    name: str  # "tasks"
    target: str  # the dotted path mkdocstrings renders
    inherited: bool  # a hand-written class over the generated one: show inherited methods
    operations: tuple[Operation, ...]

    def anchor(self, operation: Operation) -> str:
        """Return the identifier mkdocstrings gives the operation's method on this page."""
        return f"{self.target}.{operation.method}"


def _sources(operations_md: str) -> dict[str, tuple[str, str]]:
    """Map ``"METHOD /path"`` to (source, returns), from the rows of docs/operations.md."""
    found: dict[str, tuple[str, str]] = {}
    for line in operations_md.splitlines():
        row = _ROW.match(line)
        tail = _FROM.search(line)
        if row and tail:
            found[f"{row['method']} {row['path']}"] = (tail["source"], row["returns"])
    return found


def load_operations(operations_md: Path = OPERATIONS_MD) -> list[Operation]:
    """Return every operation of the client, in the order of the generated operation table.

    Raises:
        ValueError: docs/operations.md and the table disagree (one of them is stale).

    """
    endpoints: Mapping[str, Any] = importlib.import_module(
        "pylon_client._generated._endpoints"
    ).ENDPOINTS
    sources = _sources(operations_md.read_text(encoding="utf-8"))
    if set(sources) != set(endpoints):
        stale = sorted(set(sources) ^ set(endpoints))
        raise ValueError(f"docs/operations.md and ENDPOINTS disagree on {stale}: make generate")
    return [
        Operation(
            key=key,
            call=endpoint.call,
            rate_limit=endpoint.rate_limit,
            source=sources[key][0],
            returns=sources[key][1],
        )
        for key, endpoint in endpoints.items()
    ]


def _class_names(module: Path) -> list[str]:
    """Return the names of the classes a module defines, read without importing it."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    return [node.name for node in tree.body if isinstance(node, ast.ClassDef)]


def _class_of(resource: str) -> tuple[str, bool]:
    """Return the class behind ``pylon.<resource>``, and whether it is hand-written."""
    if resource == CLIENT:
        return "pylon_client._generated._resources.Resources", False
    module = RESOURCES_DIR / f"{resource}.py"
    [name] = [
        n
        for n in _class_names(module)
        if n.endswith("Resource") and not n.startswith("Sync") and "WithRaw" not in n
    ]
    if name in _class_names(HELPERS):  # pylon.issues, pylon.tasks, pylon.accounts
        return f"pylon_client._client.helpers.{name}", True
    return f"pylon_client._generated.resources.{resource}.{name}", False


def load_resources(operations: list[Operation]) -> list[Resource]:
    """Return the pages: one per resource, sorted by name, the client's own operations first."""
    by_resource: dict[str, list[Operation]] = {}
    for operation in operations:
        by_resource.setdefault(operation.resource, []).append(operation)
    names = sorted(by_resource, key=lambda name: (name != CLIENT, name))
    pages = []
    for name in names:
        target, inherited = _class_of(name)
        pages.append(Resource(name, target, inherited, tuple(by_resource[name])))
    return pages


def _limit(operation: Operation) -> str:
    return str(operation.rate_limit) if operation.rate_limit else "none"


def render_page(resource: Resource) -> str:
    """Return the Markdown of one resource's page: its operations' table, then the class."""
    if resource.name == CLIENT:
        title = "The client's own operations"
        lead = (
            "Operations called on the client itself: `pylon.me()` on `AsyncPylon`, and the "
            "same on `Pylon`."
        )
        options = ["members:", *[f"  - {op.method}" for op in resource.operations]]
    else:
        title = f"pylon.{resource.name}"
        lead = (
            f"Every method below is `pylon.{resource.name}.<method>(...)` on `AsyncPylon`. "
            f"The sync client `Pylon` has the same methods with the same arguments (lists "
            f"and searches return a sync iterator), and "
            f"`pylon.with_raw_response.{resource.name}.<method>(...)` returns a "
            f"`RawResponse` (see [Options, raw responses and tracing]"
            f"(../guides/options.md))."
        )
        options = [
            'filters: ["!^_"]',
            f"inherited_members: {'true' if resource.inherited else 'false'}",
        ]
    lines = [
        f"# {title}",
        "",
        lead,
        "",
        "| Method | HTTP | Limit/min | From | Returns |",
        "|---|---|---|---|---|",
    ]
    for op in resource.operations:
        link = f"[`{op.method}`][{resource.anchor(op)}]"
        mark = _MARK.format(key=op.key)
        lines.append(f"| {link} | {mark} | {_limit(op)} | {op.source} | {op.returns} |")
    lines += [
        "",
        "*Limit/min*: requests a minute per organization, which the client paces itself to. "
        "*From*: the document that defines the operation (`vendored`: the vendored spec as "
        "the overlay corrects it; `Pylon`: Pylon's own OpenAPI document; `SDK`: the supplement "
        "written from Pylon's SDK), as in [All operations](../operations.md).",
        "",
        f"::: {resource.target}",
        "    options:",
        *[f"      {line}" for line in options],
        "",
    ]
    return "\n".join(lines)


def render_index(resources: list[Resource]) -> str:
    """Return the Markdown of the reference's first page: every resource, with its count."""
    total = sum(len(r.operations) for r in resources)
    lines = [
        "# API reference",
        "",
        f"Every operation of the client ({total}), one page per resource, rendered from the "
        "generated code and its docstrings at each build of this site. Each page starts with a "
        "table of its operations: the Python method, the HTTP method and path, Pylon's rate "
        "limit and the document the operation comes from; then each method with its parameters "
        "(type, whether required, description) and what it returns.",
        "",
        "| Resource | Operations |",
        "|---|---|",
    ]
    for resource in resources:
        label = "`pylon.me()`" if resource.name == CLIENT else f"`pylon.{resource.name}`"
        lines.append(f"| [{label}]({resource.name}.md) | {len(resource.operations)} |")
    return "\n".join([*lines, ""])


def count_operations(pages: Mapping[str, str], resources: list[Resource]) -> int:
    """Count the operations the built pages show with both their row and their method.

    ``pages`` maps a resource's name to its built HTML. An operation counts once, on its
    resource's page, when the page has its row and the element mkdocstrings rendered for its
    method (an ``id`` equal to the method's dotted path).
    """
    shown = 0
    for resource in resources:
        html = pages.get(resource.name, "")
        rows = set(_MARKED.findall(html))
        for op in resource.operations:
            if op.key in rows and f'id="{resource.anchor(op)}"' in html:
                shown += 1
    return shown


# The mkdocs hooks. Their arguments are mkdocs objects, typed Any: mkdocs is installed in
# .venv-docs only, and the type checker runs in .venv.


def _resources() -> list[Resource]:
    return load_resources(load_operations())


def on_config(config: Any) -> Any:
    """Add the reference's pages to the navigation, under "API reference"."""
    entries: list[Any] = [{"Overview": f"{REFERENCE}/index.md"}]
    for resource in _resources():
        label = "pylon.me()" if resource.name == CLIENT else resource.name
        entries.append({label: f"{REFERENCE}/{resource.name}.md"})
    config["nav"] = [*config["nav"], {"API reference": entries}]
    return config


def on_files(files: Any, config: Any) -> Any:
    """Add the reference's pages, built from the generated code, to the site's files."""
    file_class = importlib.import_module("mkdocs.structure.files").File
    resources = _resources()
    pages = {f"{REFERENCE}/index.md": render_index(resources)}
    pages |= {f"{REFERENCE}/{r.name}.md": render_page(r) for r in resources}
    for path, content in pages.items():
        files.append(file_class.generated(config, path, content=content))
    return files


def on_post_build(config: Any) -> None:
    """Fail the build unless the built reference shows every operation of the client."""
    site = Path(config["site_dir"]) / REFERENCE
    resources = _resources()
    pages = {}
    for resource in resources:
        built = site / resource.name / "index.html"
        pages[resource.name] = built.read_text(encoding="utf-8") if built.exists() else ""
    expected = sum(len(r.operations) for r in resources)
    shown = count_operations(pages, resources)
    if shown != expected:
        error = importlib.import_module("mkdocs.exceptions").PluginError
        raise error(f"the API reference shows {shown} of the {expected} operations")
    logging.getLogger("mkdocs.hooks.gen_ref").info(
        "API reference: %d operations on %d pages", shown, len(resources)
    )
