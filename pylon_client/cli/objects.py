"""``pylon tasks|projects|milestones|accounts|contacts list|get|create|update|delete|search``.

Each object type is described once by a :class:`~._cli_kinds.Kind` (its columns, its create
and update options, its search options); the parsers and the commands are built from that.
Output is an aligned table by default and JSON with ``--json`` (the API's field names, as
``to_dict()`` gives them). ``list`` reads the ``GET`` list endpoint where Pylon has one (tasks,
accounts, contacts); projects and milestones have none, so their ``list`` is
``POST /<type>/search`` without a filter.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .common import CliError, make_client, plural, print_json, run_async
from .kinds import KINDS, Field, Kind
from .parser import CliParser, Commands, at_least

if TYPE_CHECKING:
    from .._client.async_client import AsyncPylon

__all__ = ["add_parsers", "format_table"]

_MAX_CELL = 48  # wider cells are cut with an ellipsis; --json has the full text


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
        raise argparse.ArgumentTypeError(f"not JSON ({exc})") from None
    if not isinstance(parsed, dict):
        raise argparse.ArgumentTypeError("not a JSON object")
    return parsed


def add_parsers(
    groups: Commands,
    common: CliParser,
) -> dict[str, Commands]:
    """Add one group per object type, each with list, get, create, update, delete, search.

    Returns each group's subcommands by plural (``tasks``), for other modules to add to.
    """
    output = CliParser(add_help=False)
    output.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parents = [common, output]
    added = {}
    for kind in KINDS:
        what = f"list, read and change {kind.plural}"
        if kind.bulk:
            what += "; update or merge many at once"
        group = groups.add_parser(kind.plural, help=what, description=what[0].upper() + what[1:])
        commands = group.add_subparsers(dest="command", required=True, metavar="<command>")
        added[kind.plural] = commands
        how = (
            f"through GET /{kind.plural}"
            if kind.has_list
            else f"through POST /{kind.plural}/search (Pylon has no list endpoint)"
        )
        p = commands.add_parser(
            "list",
            parents=parents,
            help=f"list {kind.plural} {how}",
            description=f"List {kind.plural} {how}.",
        )
        _paging(p)
        p.set_defaults(run=_runner(kind, _list))
        p = commands.add_parser("get", parents=parents, help=f"show one {kind.singular}")
        p.add_argument("id")
        p.set_defaults(run=_runner(kind, _get))
        p = commands.add_parser("create", parents=parents, help=f"create {_a(kind.singular)}")
        _fields(p, kind.create, kind.required)
        p.set_defaults(run=_runner(kind, _create))
        p = commands.add_parser("update", parents=parents, help=f"change {_a(kind.singular)}")
        p.add_argument("id")
        _fields(p, kind.update, ())
        p.set_defaults(run=_runner(kind, _update))
        p = commands.add_parser("delete", parents=parents, help=f"delete {_a(kind.singular)}")
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


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"


def _paging(p: CliParser) -> None:
    p.add_argument("--limit", type=at_least(1), metavar="N", help="page size (default: Pylon's)")
    p.add_argument("--max-items", type=at_least(1), metavar="N", help="stop after N objects")


def _fields(p: CliParser, fields: Sequence[Field], required: Sequence[str]) -> None:
    for field in fields:
        options: dict[str, Any] = {"dest": f"set_{field.api_name}", "help": field.help}
        if field.parse is not None:
            options["type"] = field.parse
        if field.choices is not None:
            options["choices"] = field.choices  # shown as {a,b,c}
        else:
            options["metavar"] = field.metavar or field.api_name.upper()
        p.add_argument(field.flag, required=field.api_name in required, **options)
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
        print(plural(len(rows), kind.singular, kind.plural), file=sys.stderr)


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
        if value is not None:  # argparse's type has already parsed it (a date, a list)
            body[field.api_name] = value
    body.update(dict(args.field))  # the escape hatch wins: it is the more specific ask
    if args.command == "update" and not body:
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
