"""What the generated models look like to the msgspec Structs (``codegen/structs.py``).

:func:`loaded` imports the models openapi-python-client has just written into the build
folder, under a name of their own (as ``api_python`` reads the public API), and forgets them
afterwards. :class:`Mirror` reads each model's attrs fields and type hints: its init fields in
the order it declares them, each with its JSON key, its type less ``None`` and ``Unset``,
whether it may be null and whether it may be absent. It says which models are mirrored:

* a model with additional properties of any type (``dict[str, Any]``) and a field for each
  key of its ``_KNOWN_KEYS``, whose every field is of a plain type (:data:`PLAIN`), a date, a
  string enumeration (open or not), a generated model or a list of them;
* any other (typed additional properties, none allowed, a union of several types, a type it
  does not know) is built by its own ``from_dict``.

Whether a model is mirrored depends on its own fields only (a field holding another model is
always expressible, as that model's Struct or as a ``dict``), so the answer never depends on
the order models are met in, and models that refer to each other need none.
"""

from __future__ import annotations

import contextlib
import datetime
import importlib
import importlib.util
import itertools
import sys
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import attrs

__all__ = ["PLAIN", "Field", "Mirror", "loaded", "string_literal"]

_counter = itertools.count()


class _Opaque(Exception):
    """A model (or field) the mirror does not express: decoded as a dict, built by from_dict."""


PLAIN: dict[Any, str] = {
    str: "str",
    bool: "bool",
    int: "int",
    float: "int | float",  # the generated code keeps an integer as it came
    Any: "Any",
    list[str]: "list[str]",
    list[int]: "list[int]",
    list[bool]: "list[bool]",
    list[Any]: "list[Any]",
    dict[str, Any]: "dict[str, Any]",
}


class Field(typing.NamedTuple):
    """A field as its model declares it: ``core`` is its type less ``None`` and ``Unset``."""

    name: str
    key: str
    core: Any
    nullable: bool
    optional: bool

    @property
    def model(self) -> type | None:
        """The model the field holds, alone or in a list (None for any other type)."""
        if attrs.has(self.core):
            return self.core
        if typing.get_origin(self.core) is list and attrs.has(
            item := typing.get_args(self.core)[0]
        ):
            return item
        return None


class Mirror:
    """The generated models of one build (imported as ``root``): which are mirrored, and how.

    Each model is read once; ``fields`` keeps what was read, for the build's length.
    """

    def __init__(self, root: str) -> None:
        self.root = root
        self.unset: type = importlib.import_module(f"{root}.types").Unset
        self.fields: dict[type, tuple[Field, ...] | None] = {}

    def model(self, module: str, name: str) -> type | None:
        """Return the class ``name`` of ``models/<module>.py``, or None when it is not there."""
        try:
            found = getattr(importlib.import_module(f"{self.root}.models.{module}"), name)
        except (AttributeError, ImportError):
            return None  # the generator gave two schemas one module: the second class won
        return found if isinstance(found, type) else None

    def mirrored(self, model: type) -> tuple[Field, ...] | None:
        """Return the fields of ``model`` if it is mirrored, None if built by ``from_dict``."""
        if model not in self.fields:
            try:
                self.fields[model] = self._fields(model)
            except _Opaque:
                self.fields[model] = None
        return self.fields[model]

    def reachable(self, model: type) -> list[type]:
        """Return ``model`` and every mirrored model its Struct holds, each once."""
        seen: dict[type, None] = {}
        todo = [model]
        while todo:
            found = todo.pop()
            fields = self.mirrored(found)
            if found in seen or fields is None:
                continue
            seen[found] = None
            todo += [f.model for f in fields if f.model is not None]
        return list(seen)

    def built_by_from_dict(self, model: type) -> list[type]:
        """Return the models a field of ``model``'s Struct holds as dicts, for ``from_dict``."""
        return [
            f.model
            for f in self.mirrored(model) or ()
            if f.model and self.mirrored(f.model) is None
        ]

    def _fields(self, model: type) -> tuple[Field, ...]:
        known = getattr(sys.modules[model.__module__], "_KNOWN_KEYS", None)
        try:
            hints = typing.get_type_hints(model)
        except Exception as exc:  # a name the module does not define at run time
            raise _Opaque from exc
        init = [f for f in attrs.fields(model) if f.init]
        extra = [f for f in attrs.fields(model) if not f.init]
        if (
            not isinstance(known, frozenset)
            or [f.name for f in extra] != ["additional_properties"]
            or hints["additional_properties"] != dict[str, Any]
        ):
            raise _Opaque  # no fields, additional properties of a given type, or none allowed
        keys = {f.name: _json_key(f.name, known) for f in init}
        if set(keys.values()) != known:
            raise _Opaque
        fields = []
        for f in init:
            core, nullable, optional = self._split(hints[f.name])
            field = Field(f.name, keys[f.name], core, nullable, optional)
            if field.model is not None:
                if not callable(getattr(field.model, "from_dict", None)):
                    raise _Opaque  # not a generated model (types.File)
            elif not (core in PLAIN or core is datetime.datetime or string_literal(core)):
                raise _Opaque  # a type the mirror does not know
            fields.append(field)
        return tuple(fields)

    def _split(self, hint: Any) -> tuple[Any, bool, bool]:
        """Split ``X | None | Unset`` into X, whether None is allowed, whether it may be absent."""
        if typing.get_origin(hint) not in (typing.Union, types.UnionType):
            return hint, False, False
        args = typing.get_args(hint)
        rest = [a for a in args if a is not type(None) and a is not self.unset]
        if str in rest and all(a is str or string_literal(a) for a in rest):
            rest = [str]  # an open enumeration (BuiltinTaskStatus | str): any string
        if len(rest) != 1:
            raise _Opaque  # a union of several types: left to from_dict
        return rest[0], type(None) in args, self.unset in args


def string_literal(hint: Any) -> bool:
    """Tell whether ``hint`` is a ``Literal`` of strings (a generated enumeration)."""
    return typing.get_origin(hint) is Literal and all(type(a) is str for a in typing.get_args(hint))


def _json_key(name: str, known: frozenset[str]) -> str:
    """Return the JSON key of an attrs field: its name, or without the ``_`` of ``type_``."""
    if name in known:
        return name
    if name.endswith("_") and name[:-1] in known:
        return name[:-1]
    raise _Opaque


@contextlib.contextmanager
def loaded(package: Path) -> Iterator[str]:
    """Import the package at ``package`` under a fresh name; forget it afterwards."""
    root = f"_generated_copy_{next(_counter)}"
    found = importlib.util.spec_from_file_location(
        root, package / "__init__.py", submodule_search_locations=[str(package)]
    )
    if found is None or found.loader is None:
        raise SystemExit(f"{package}: not a generated package")
    bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        module = importlib.util.module_from_spec(found)
        sys.modules[root] = module
        found.loader.exec_module(module)
        yield root
    finally:
        sys.dont_write_bytecode = bytecode
        for name in [n for n in sys.modules if n == root or n.startswith(root + ".")]:
            del sys.modules[name]
