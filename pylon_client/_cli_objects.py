"""``pylon tasks|projects|milestones list|get|create|update|delete|search``.

Each object type is described once by a :class:`Kind` (its columns, its create and update
options, its search options); the parsers and the commands are built from that. Output is an
aligned table by default and JSON with ``--json`` (the API's field names, as ``to_dict()``
gives them). Projects and milestones have no list endpoint: ``list`` is a search without a
filter.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._cli_common import CliError, make_client, parse_date_field, print_json, run_async

if TYPE_CHECKING:
    from ._client import AsyncPylon

__all__ = ["KINDS", "Kind", "add_parsers", "format_table"]

_MAX_CELL = 48  # wider cells are cut with an ellipsis; --json has the full text

Getter = Callable[[dict[str, Any]], str]


def _key(name: str) -> Getter:
    return lambda obj: "" if obj.get(name) is None else str(obj[name])


def _ref(name: str) -> Getter:
    def get(obj: dict[str, Any]) -> str:
        ref = obj.get(name)
        return str(ref.get("id") or "") if isinstance(ref, dict) else ""

    return get


def _day(name: str) -> Getter:
    # RFC 3339 dates read best as their day; the time is in --json.
    return lambda obj: str(obj.get(name) or "")[:10]


def _assignee(obj: dict[str, Any]) -> str:
    assignee = obj.get("assignee")
    if not isinstance(assignee, dict):
        return ""
    for side in ("user", "contact"):
        if isinstance(assignee.get(side), dict):
            return str(assignee[side].get("id") or "")
    return ""


@dataclass(frozen=True)
class Field:
    """One ``--option`` of create or update, sent as ``api_name``."""

    flag: str
    api_name: str
    help: str
    is_date: bool = False


@dataclass(frozen=True)
class Kind:
    """What the CLI knows about one object type."""

    plural: str
    singular: str
    columns: tuple[tuple[str, Getter], ...]
    create: tuple[Field, ...]
    required: tuple[str, ...]  # api names create needs
    update: tuple[Field, ...]
    search: tuple[str, ...]  # api fields with a search option (--status, ...)
    has_list: bool = False


def _f(flag: str, help: str, *, is_date: bool = False) -> Field:
    return Field(flag, flag.removeprefix("--").replace("-", "_"), help, is_date)


_TASK_FIELDS = (
    _f("--title", "title"),
    _f("--status", "not_started, in_progress or completed"),
    _f("--account-id", "account"),
    _f("--project-id", "project"),
    _f("--milestone-id", "milestone"),
    _f("--assignee-id", "user or contact"),
    _f("--due-date", "YYYY-MM-DD or RFC 3339 ('' clears it)", is_date=True),
    _f("--body-html", "body, as HTML"),
)
_PROJECT_UPDATE = (
    _f("--name", "name"),
    _f("--description-html", "description, as HTML"),
    _f("--owner-id", "owner (a user)"),
    _f("--start-date", "YYYY-MM-DD or RFC 3339", is_date=True),
    _f("--end-date", "YYYY-MM-DD or RFC 3339", is_date=True),
)

KINDS = (
    Kind(
        plural="tasks",
        singular="task",
        columns=(
            ("ID", _key("id")),
            ("TITLE", _key("title")),
            ("STATUS", _key("status")),
            ("ACCOUNT", _ref("account")),
            ("PROJECT", _ref("project")),
            ("ASSIGNEE", _assignee),
            ("DUE", _day("due_date")),
        ),
        create=_TASK_FIELDS,
        required=("title",),
        update=_TASK_FIELDS,
        search=("status", "account_id", "project_id"),
        has_list=True,
    ),
    Kind(
        plural="projects",
        singular="project",
        columns=(
            ("ID", _key("id")),
            ("NAME", _key("name")),
            ("STATUS", _key("status")),
            ("ACCOUNT", _ref("account")),
            ("OWNER", _key("owner_id")),
            ("START", _day("start_date")),
            ("END", _day("end_date")),
        ),
        create=(_f("--account-id", "account"), *_PROJECT_UPDATE),
        required=("account_id", "name"),
        update=_PROJECT_UPDATE,
        search=("status", "account_id"),
    ),
    Kind(
        plural="milestones",
        singular="milestone",
        columns=(
            ("ID", _key("id")),
            ("NAME", _key("name")),
            ("PROJECT", _ref("project")),
            ("ACCOUNT", _ref("account")),
            ("DUE", _day("due_date")),
        ),
        create=(
            _f("--name", "name"),
            _f("--project-id", "project"),
            _f("--account-id", "account"),
            _f("--due-date", "YYYY-MM-DD or RFC 3339", is_date=True),
        ),
        required=("name", "project_id"),
        update=(
            _f("--name", "name"),
            _f("--due-date", "YYYY-MM-DD or RFC 3339 ('' clears it)", is_date=True),
        ),
        search=("project_id",),
    ),
)


# ---------------------------------------------------------------------- parsers


def _field_pair(value: str) -> tuple[str, Any]:
    """``key=text`` sends a string, ``key:=json`` a JSON value (``flag:=true``)."""
    key, sep, raw = value.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"{value!r} is not key=value or key:=json")
    parsed: Any = raw
    if key.endswith(":"):
        key = key[:-1]
        try:
            parsed = json.loads(raw)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r}: the value is not JSON") from None
    if not key.strip():
        raise argparse.ArgumentTypeError(f"{value!r} has no key")
    return key.strip(), parsed


def _filter_json(value: str) -> dict[str, Any]:
    try:
        parsed = json.loads(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--filter is not JSON: {exc}") from None
    if not isinstance(parsed, dict):
        raise argparse.ArgumentTypeError("--filter must be a JSON object")
    return parsed


def add_parsers(
    groups: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> dict[str, argparse._SubParsersAction[argparse.ArgumentParser]]:
    """Add one group per object type, each with list, get, create, update, delete, search.

    Returns each group's subcommands by plural (``tasks``), for other modules to add to.
    """
    output = argparse.ArgumentParser(add_help=False)
    output.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parents = [common, output]
    added = {}
    for kind in KINDS:
        group = groups.add_parser(kind.plural, help=f"list, read and change {kind.plural}")
        commands = group.add_subparsers(dest="command", required=True, metavar="<command>")
        added[kind.plural] = commands
        how = "GET" if kind.has_list else "a search with no filter"
        p = commands.add_parser("list", parents=parents, help=f"list {kind.plural} ({how})")
        _paging(p)
        p.set_defaults(run=_runner(kind, _list))
        p = commands.add_parser("get", parents=parents, help=f"show one {kind.singular}")
        p.add_argument("id")
        p.set_defaults(run=_runner(kind, _get))
        p = commands.add_parser("create", parents=parents, help=f"create a {kind.singular}")
        _fields(p, kind.create, kind.required)
        p.set_defaults(run=_runner(kind, _create))
        p = commands.add_parser("update", parents=parents, help=f"change a {kind.singular}")
        p.add_argument("id")
        _fields(p, kind.update, ())
        p.set_defaults(run=_runner(kind, _update))
        p = commands.add_parser("delete", parents=parents, help=f"delete a {kind.singular}")
        p.add_argument("id")
        p.set_defaults(run=_runner(kind, _delete))
        p = commands.add_parser("search", parents=parents, help=f"search {kind.plural}")
        for name in kind.search:
            p.add_argument(
                "--" + name.replace("_", "-"),
                dest=f"where_{name}",
                metavar=name.upper(),
                help=f"{name} equals {name.upper()}",
            )
        p.add_argument("--filter", type=_filter_json, help="a raw filter object, as JSON")
        _paging(p)
        p.set_defaults(run=_runner(kind, _search))
    return added


def _paging(p: argparse.ArgumentParser) -> None:
    p.add_argument("--limit", type=int, metavar="N", help="page size (default: Pylon's)")
    p.add_argument("--max-items", type=int, metavar="N", help="stop after N objects")


def _fields(p: argparse.ArgumentParser, fields: Sequence[Field], required: Sequence[str]) -> None:
    for field in fields:
        need = " (required)" if field.api_name in required else ""
        p.add_argument(
            field.flag,
            dest=f"set_{field.api_name}",
            metavar=field.api_name.upper(),
            help=field.help + need,
        )
    p.add_argument(
        "--field",
        type=_field_pair,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="any other body field; KEY:=JSON for a non-string value (repeatable)",
    )


# ---------------------------------------------------------------------- output


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns, two spaces apart; long cells are cut with an ellipsis.

    >>> print(format_table(["ID", "NAME"], [["1", "Alpha"], ["22", "B"]]))
    ID  NAME
    1   Alpha
    22  B
    """
    cells = [
        [
            c if len(c) <= _MAX_CELL else c[: _MAX_CELL - 1] + "\N{HORIZONTAL ELLIPSIS}"
            for c in (" ".join(str(v).split()) for v in row)
        ]
        for row in [list(headers), *rows]
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    )


def _show(kind: Kind, args: argparse.Namespace, objects: list[Any], *, one: bool) -> None:
    data = [o.to_dict() for o in objects]
    if args.json:
        print_json(data[0] if one else data)
        return
    headers = [name for name, _ in kind.columns]
    rows = [[get(obj) for _, get in kind.columns] for obj in data]
    sys.stdout.write(format_table(headers, rows) + "\n")
    if not one:
        print(f"{len(rows)} {kind.singular if len(rows) == 1 else kind.plural}", file=sys.stderr)


# ---------------------------------------------------------------------- commands

Action = Callable[["AsyncPylon", Any, Kind, argparse.Namespace], Any]


def _runner(kind: Kind, action: Action) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        body = _body(kind, args) if action in (_create, _update) else None
        if body is not None:
            args.body = body
        client = make_client(args)

        async def job() -> int:
            async with client:
                await action(client, getattr(client, kind.plural), kind, args)
            return 0

        return run_async(args, job)

    return run


def _body(kind: Kind, args: argparse.Namespace) -> dict[str, Any]:
    fields = kind.create if args.command == "create" else kind.update
    body: dict[str, Any] = {}
    for field in fields:
        value = getattr(args, f"set_{field.api_name}", None)
        if value is not None:
            body[field.api_name] = parse_date_field(value) if field.is_date else value
    body.update(dict(args.field))  # the escape hatch wins: it is the more specific ask
    if args.command == "create":
        missing = [n for n in kind.required if n not in body]
        if missing:
            flags = ", ".join("--" + n.replace("_", "-") for n in missing)
            raise CliError(f"{kind.plural} create needs {flags}")
    elif not body:
        raise CliError(f"{kind.plural} update: nothing to change (give an option or --field)")
    return body


async def _list(pylon: AsyncPylon, resource: Any, kind: Kind, args: argparse.Namespace) -> None:
    if kind.has_list:
        items = resource.list(limit=args.limit, max_items=args.max_items)
    else:
        items = resource.search(limit=args.limit, max_items=args.max_items)
    _show(kind, args, await items.collect(), one=False)


async def _search(pylon: AsyncPylon, resource: Any, kind: Kind, args: argparse.Namespace) -> None:
    parts: list[dict[str, Any]] = [
        {"field": name, "operator": "equals", "value": getattr(args, f"where_{name}")}
        for name in kind.search
        if getattr(args, f"where_{name}") is not None
    ]
    if args.filter is not None:
        parts.append(args.filter)
    search_filter = (
        None
        if not parts
        else parts[0]
        if len(parts) == 1
        else {"operator": "and", "subfilters": parts}
    )
    items = resource.search(filter=search_filter, limit=args.limit, max_items=args.max_items)
    _show(kind, args, await items.collect(), one=False)


async def _get(pylon: AsyncPylon, resource: Any, kind: Kind, args: argparse.Namespace) -> None:
    _show(kind, args, [await resource.get(args.id)], one=True)


async def _create(pylon: AsyncPylon, resource: Any, kind: Kind, args: argparse.Namespace) -> None:
    _show(kind, args, [await resource.create(body=args.body)], one=True)


async def _update(pylon: AsyncPylon, resource: Any, kind: Kind, args: argparse.Namespace) -> None:
    _show(kind, args, [await resource.update(args.id, body=args.body)], one=True)


async def _delete(pylon: AsyncPylon, resource: Any, kind: Kind, args: argparse.Namespace) -> None:
    await resource.delete(args.id)
    if args.json:
        print_json({"id": args.id, "deleted": True})
    else:
        print(f"deleted {kind.singular} {args.id}")
