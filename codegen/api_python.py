"""The Python view of ``make api-diff``: the public API of a generated package, as code sees it.

:func:`python_items` imports a generated package (``pylon_client/_generated`` or a build of a
new spec in a temporary folder) under a name of its own, so two versions load side by side,
and reads what a user's code touches into the items of ``codegen/api_items.py``:

* every method of ``Resources`` (``pylon.me``) and of each resource class, with the
  signature ``inspect.signature`` shows (the first ``@overload`` of a method that also takes
  ``body=``), less the per-call options every method shares and the paginator's own
  ``limit``/``cursor``/``max_items``;
* what each returns and the attrs fields of it, walked as the spec view walks the spec
  (``api_spec.DEPTH`` objects deep); a field is required when it has no default, takes
  ``None`` when its annotation says so, and is an enumeration when it names a ``Literal``;
* every name of ``pylon_client.types`` that comes from the generated models.

Types are the annotations as written, less ``Unset`` and ``None`` (which say requiredness
and nullability). :func:`dump` and :func:`load` write and read the items one a line, the form
of ``docs/public-api.txt``, whose history ``make api-guard`` reads.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import json
import re
import typing
from pathlib import Path
from typing import Any

import attrs
from api_items import Item, Key
from api_spec import DEPTH
from model_reader import loaded

__all__ = ["dump", "load", "python_items"]

_OPTIONS = frozenset({"self", "extra_headers", "extra_query", "extra_body", "timeout", "deadline"})
_PAGING = frozenset({"limit", "cursor", "max_items"})
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def _parts(annotation: str) -> list[str]:
    """Split an annotation at the ``|`` of its top level (``list[A | B] | None``: two parts)."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(annotation):
        depth += char == "["
        depth -= char == "]"
        if char == "|" and depth == 0:
            parts.append(annotation[start:i].strip())
            start = i + 1
    parts.append(annotation[start:].strip())
    return [p.removeprefix("builtins.") for p in parts if p]


class _Reader:
    def __init__(self, root: str) -> None:
        self.root = root
        self.models = importlib.import_module(f"{root}.models")
        self.names: list[str] = list(self.models.__all__)
        self.broken: set[str] = set()

    @functools.cache  # noqa: B019 - one reader per package, dropped with it
    def value(self, name: str) -> Any:
        """Return a model class or enumeration alias by name (None when it is neither).

        A name the package lists but cannot import is kept in ``broken`` (the generator can
        give two schemas one module, and the second class replaces the first).
        """
        if name not in self.names:
            return None
        try:
            return getattr(self.models, name)
        except (AttributeError, ImportError):
            self.broken.add(name)
            return None

    def enum(self, parts: list[str]) -> tuple[str, ...]:
        values: set[str] = set()
        for part in parts:
            alias = self.value(part)
            if typing.get_origin(alias) is typing.Literal:
                values |= {str(v) for v in typing.get_args(alias)}
            elif part.startswith("Literal["):
                values |= {str(v) for v in ast.literal_eval(f"[{part[8:-1]}]")}
        return tuple(sorted(values))

    def describe(self, annotation: str) -> tuple[str, bool, tuple[str, ...], list[str]]:
        """Return an annotation's type, whether it takes None, its enum, and its other parts.

        In the type, a generated class is ``model`` and an enumeration ``str`` (its values are
        the ``enum``), as in the spec view a reference is ``object``: a class's name is the
        ``model`` item's business, so a renamed class is one change (the name), not one for
        every field that holds it.
        """
        parts = _parts(annotation)
        kept = [p for p in parts if p not in ("Unset", "None")]
        shown = [_NAME.sub(self._generic, "str" if p.startswith("Literal[") else p) for p in kept]
        return " | ".join(dict.fromkeys(shown)), "None" in parts, self.enum(kept), kept

    def _generic(self, match: re.Match[str]) -> str:
        name = match.group()
        if name not in self.names:
            return name
        value = self.value(name)
        return "str" if typing.get_origin(value) is typing.Literal else "model"

    def fields(
        self, owner: str, prefix: str, cls: type, seen: frozenset[str], depth: int
    ) -> list[Item]:
        found: list[Item] = []
        for field in attrs.fields(cls):
            if field.name == "additional_properties" or not field.init:
                continue
            path = f"{prefix}{field.name}"
            kind, nullable, enum, parts = self.describe(str(field.type))
            required = field.default is attrs.NOTHING
            found.append(Item("response", owner, path, kind, required, nullable, enum))
            found += self.nested(owner, path, parts, seen, depth)
        return found

    def nested(
        self, owner: str, path: str, parts: list[str], seen: frozenset[str], depth: int
    ) -> list[Item]:
        if depth >= DEPTH:
            return []
        found: list[Item] = []
        for part in parts:
            if part.startswith("list[") and part.endswith("]"):
                found += self.nested(owner, f"{path}[]", _parts(part[5:-1]), seen, depth)
                continue
            cls = self.value(part)
            if part in seen or not attrs.has(cls):
                continue
            found += self.fields(owner, f"{path}.", cls, seen | {part}, depth + 1)
        return found

    def method(self, call: str, func: Any, endpoint: Any) -> list[Item]:
        signature = inspect.signature(func)
        returns = str(signature.return_annotation)
        kind, _, _, parts = self.describe(returns)
        paged = kind.startswith("Paginator[")
        where = f"{endpoint.method} {endpoint.path}" if endpoint else ""
        limit = endpoint.rate_limit if endpoint else None
        items = [Item("operation", call, where=where, rate_limit=limit)]
        for name, param in signature.parameters.items():
            if name in _OPTIONS or name == "body" or (paged and name in _PAGING):
                continue
            ptype, nullable, enum, _ = self.describe(str(param.annotation))
            required = param.default is inspect.Parameter.empty
            items.append(Item("argument", call, name, ptype, required, nullable, enum))
        items.append(Item("response", call, "", kind))
        if paged:
            parts = _parts(returns.removeprefix("Paginator[")[:-1])
        for part in parts:
            inner = part[5:-1] if part.startswith("list[") else part
            cls = self.value(inner)
            if attrs.has(cls):
                items += self.fields(call, "", cls, frozenset({inner}), 1)
        return items


def python_items(package: Path) -> dict[Key, Item]:
    """Return the public API of the generated package at ``package``, keyed as ``api_items``."""
    with loaded(package) as root:
        reader = _Reader(root)
        endpoints = importlib.import_module(f"{root}._endpoints").ENDPOINTS
        by_call = {e.call.removeprefix("pylon."): e for e in endpoints.values()}
        resources = importlib.import_module(f"{root}._resources").Resources
        items: list[Item] = []
        for attr, member in sorted(vars(resources).items()):
            if attr.startswith("_"):
                continue
            if isinstance(member, functools.cached_property):
                module = importlib.import_module(f"{root}.resources.{attr}")
                cls = getattr(module, module.__all__[0])
                for name, func in sorted(vars(cls).items()):
                    if callable(func) and not name.startswith("_"):
                        call = f"{attr}.{name}"
                        items += reader.method(call, func, by_call.get(call))
            elif callable(member):
                items += reader.method(attr, member, by_call.get(attr))
        for name in reader.names:
            reader.value(name)
        items += [
            Item("model", n, where="unimportable" if n in reader.broken else "")
            for n in reader.names
        ]
        return {item.key: item for item in items}


_FIELDS = ("type", "required", "nullable", "enum", "where", "rate_limit")


def dump(items: dict[Key, Item]) -> str:
    """Return the items one a line, ``kind<TAB>owner<TAB>name<TAB>{what else}``, sorted."""
    lines = []
    for key in sorted(items):
        item = items[key]
        rest = {
            f: getattr(item, f) for f in _FIELDS if getattr(item, f) not in ("", False, (), None)
        }
        lines.append("\t".join([*key, json.dumps(rest, sort_keys=True)]))
    return "\n".join(lines) + "\n"


def load(text: str) -> dict[Key, Item]:
    """Read what :func:`dump` wrote (comment lines, starting ``#``, are skipped)."""
    items: dict[Key, Item] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        kind, owner, name, rest = line.split("\t")
        detail = json.loads(rest)
        detail["enum"] = tuple(detail.get("enum", ()))
        item = Item(kind, owner, name, **detail)  # type: ignore[arg-type]
        items[item.key] = item
    return items
