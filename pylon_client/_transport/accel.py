"""Optional compiled decoding of successful responses with msgspec (``pylon-client[fast]``).

Without it, a 2xx body is parsed by ``json.loads`` (in the retry layer) and then by the
generated ``from_dict`` of its model, in Python, one key at a time. With ``msgspec`` installed,
the body is decoded straight into ``msgspec.Struct`` classes that mirror the generated models
(the types are checked in C), and the public attrs models are then built from the Structs with
no further checks. Same models, same values: a 100-task page costs about half as much.

**The rule that keeps it safe.** The fast path may only ever answer what the usual path would
answer. It refuses (returns None) whenever it is not sure, and the response then goes the usual
way, which gives the result or the error as before. So every Struct is at least as strict as the
generated code it mirrors:

* unknown keys are refused (``forbid_unknown_fields``): the usual path keeps them in
  ``additional_properties``;
* a value the generated code would accept but the Struct does not (``true`` for an integer, a
  number in a list of strings) is refused;
* dates stay strings in the Struct and are parsed by the same ``datetime.fromisoformat``;
* a model the mirror cannot express (typed additional properties, a field type it does not know,
  a cycle) is decoded as a plain ``dict`` and built by its own ``from_dict``;
* anything msgspec refuses (``NaN``, a byte-order mark, a lone surrogate) goes the usual way.

The Structs and the builders are made from the models themselves (``attrs.fields`` and their
type hints) when a response of that shape first arrives, and kept. Which model a parse
function reads comes from the ``PARSE_SHAPES`` table the generator writes beside the parse
functions. ``tests/test_accel.py`` checks both paths give equal results for every operation.
"""

from __future__ import annotations

import datetime
import importlib
import re
import sys
import threading
import types
import typing
from collections.abc import Callable
from typing import Any, Literal, NamedTuple

import attrs
import msgspec

from .._generated._contract import page_data
from .._generated.types import UNSET, Unset

__all__ = ["Parsed", "fast_decoder", "forget"]

_MODELS = "pylon_client._generated.models."


class Parsed(NamedTuple):
    """A body decoded on the fast path: the envelope's ``request_id`` as sent, and the result."""

    request_id: Any
    value: Any


FastDecoder = Callable[[bytes], Parsed | None]


class _Opaque(Exception):
    """A model (or field) the mirror does not express: decode it as a dict, build with from_dict."""


class _Plan(NamedTuple):
    """How one model is decoded: the type to give msgspec, and what builds the model from it."""

    struct: Any  # a Struct class, or dict[str, Any] for a model built by its own from_dict
    build: Callable[[Any], Any]

    @property
    def marker(self) -> type:
        """The type a decoded value has when it must be built: the Struct class, or dict."""
        return dict if self.struct == dict[str, Any] else self.struct


_PLANS: dict[type, _Plan] = {}
_CHILDREN: dict[Any, dict[str, type]] = {}  # a Struct: the model of each field that has one
_OPEN: set[type] = set()  # models seen with keys they do not declare: built by from_dict
_DECODERS: dict[Callable[[Any], Any], FastDecoder | None] = {}
_LOCK = threading.RLock()
_BUILDING: set[type] = set()
_generation = 0  # bumped when a model joins _OPEN: decoders rebuild their Structs
_UNKNOWN = re.compile(r"unknown field `[^`]*` - at `\$((?:\.[A-Za-z0-9_]+|\[\d+\])*)`")
_STEP = re.compile(r"\.([A-Za-z0-9_]+)|\[\d+\]")
_MAX_LEARNT = 16  # models learnt open while decoding one body, at most


def fast_decoder(parse: Callable[[Any], Any]) -> FastDecoder | None:
    """Return the fast decoder for a generated parse function, or None if it has none."""
    try:
        return _DECODERS[parse]
    except KeyError:
        pass
    with _LOCK:
        if parse not in _DECODERS:
            _DECODERS[parse] = _decoder_for(parse)
        return _DECODERS[parse]


def forget() -> None:
    """Forget every Struct, decoder and learnt-open model (tests start from a clean slate)."""
    global _generation
    with _LOCK:
        _PLANS.clear()
        _CHILDREN.clear()
        _OPEN.clear()
        _DECODERS.clear()
        _generation += 1


def _decoder_for(parse: Callable[[Any], Any]) -> FastDecoder | None:
    module = sys.modules.get(getattr(parse, "__module__", ""), None)
    shapes = getattr(module, "PARSE_SHAPES", None)
    shape = shapes.get(getattr(parse, "__name__", "")) if isinstance(shapes, dict) else None
    if shape is None:
        return None
    kind, module_name, class_name = shape
    model = getattr(importlib.import_module(_MODELS + module_name), class_name)
    return _Decoder(kind, model)


class _Decoder:
    """The fast decoder of one parse function: an envelope Struct around the model's plan.

    Pylon may send a key that a model does not declare (the usual path keeps it in
    ``additional_properties``). The Struct refuses it; the model is then marked open (built by
    its own ``from_dict`` from then on, in every decoder) and the body decoded again. Each
    model is learnt once per process, so a few bodies pay it and the rest do not.
    """

    def __init__(self, kind: str, model: type) -> None:
        self._kind = kind
        self._model = model
        self._build()

    def _build(self) -> None:
        with _LOCK:
            self._generation = _generation
            plan = _plan(self._model)
            self._root: Any = None
            if self._kind == "object" and plan.marker is dict:
                return  # a model built by its own from_dict gains nothing from the detour
            item: Any = plan.struct
            fields: list[Any] = [
                ("data", item if self._kind == "object" else list[item]),
                ("request_id", Any, None),
            ]
            if self._kind == "page":
                fields.append(("pagination", Any, None))
            self._root = msgspec.defstruct("Envelope", fields, kw_only=True)
            _CHILDREN[self._root] = {"data": self._model}
            self._decode = msgspec.json.Decoder(self._root).decode
            self._finish = _finisher(self._kind, plan.build)

    def __call__(self, content: bytes) -> Parsed | None:
        """Decode ``content``; None when the usual path must decide."""
        for _ in range(_MAX_LEARNT):
            if self._generation != _generation:
                self._build()
            if self._root is None:
                return None
            decode, finish = self._decode, self._finish
            try:
                env = decode(content)
                return Parsed(env.request_id, finish(env))
            except msgspec.ValidationError as exc:
                if not _learn(self._root, str(exc)):
                    return None
            except Exception:  # any other refusal: the usual path decides, and reports
                return None
        return None


def _finisher(kind: str, build: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Return what turns a decoded envelope into what the parse function returns."""
    if kind == "object":
        return lambda env: build(env.data)
    if kind == "list":
        return lambda env: [build(item) for item in env.data]
    return lambda env: page_data([build(item) for item in env.data], env.pagination, env.request_id)


def _learn(root: Any, message: str) -> bool:
    """Mark open the model that refused an unknown key; False if the message names none."""
    match = _UNKNOWN.search(message)
    if match is None:
        return False
    struct, model = root, None
    for step in _STEP.finditer(match.group(1)):
        key = step.group(1)
        if key is None:
            continue  # an index into a list: the same model
        model = _CHILDREN.get(struct, {}).get(key)
        if model is None:
            return False
        struct = _PLANS[model].struct if model in _PLANS else None
    if model is None or model in _OPEN:
        return False
    global _generation
    with _LOCK:
        _OPEN.add(model)
        _PLANS.clear()
        _CHILDREN.clear()
        _generation += 1
    return True


# ---------------------------------------------------------------------------- models


def _plan(model: type) -> _Plan:
    plan = _PLANS.get(model)
    if plan is not None:
        return plan
    if not callable(getattr(model, "from_dict", None)):
        raise _Opaque  # not a generated model (types.File): the field is left to from_dict
    if model in _BUILDING or model in _OPEN:  # a cycle, or extra keys: built by from_dict
        return _Plan(dict[str, Any], model.from_dict)  # type: ignore[attr-defined]  # generated
    _BUILDING.add(model)
    try:
        plan = _struct_plan(model)
    except _Opaque:
        plan = _Plan(dict[str, Any], model.from_dict)  # type: ignore[attr-defined]  # generated
    finally:
        _BUILDING.discard(model)
    _PLANS[model] = plan
    return plan


def _struct_plan(model: type) -> _Plan:
    """Mirror ``model`` as a Struct, and write the function that builds the model from it."""
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
    struct_fields: list[Any] = []
    lines: list[str] = []
    names: dict[str, Any] = {"_cls": model, "_iso": datetime.datetime.fromisoformat}
    args: list[str] = []
    children: dict[str, type] = {}
    for i, f in enumerate(init):
        core, nullable, optional = _split(hints[f.name])
        struct_type, step, child = _field_type(core, i, names)
        if child is not None:
            children[keys[f.name]] = child
        if nullable:
            struct_type = struct_type | None
        if optional:
            struct_fields.append((f.name, struct_type, UNSET))
        else:
            struct_fields.append((f.name, struct_type))
        if step:
            lines.append(f"    v{i} = s.{f.name}")
            lines.append(f"    {step.format(v=f'v{i}')}")
            args.append(f"v{i}")
        else:
            args.append(f"s.{f.name}")
    try:
        struct = msgspec.defstruct(
            model.__name__,
            struct_fields,
            kw_only=True,
            forbid_unknown_fields=True,
            rename={name: key for name, key in keys.items() if name != key} or None,
        )
    except (TypeError, ValueError) as exc:
        raise _Opaque from exc
    _CHILDREN[struct] = children
    source = "def build(s):\n" + "\n".join(lines) + f"\n    return _cls({', '.join(args)})\n"
    exec(compile(source, f"<pylon_client._transport.accel {model.__name__}>", "exec"), names)  # noqa: S102 (our own source)
    return _Plan(struct, names["build"])


def _json_key(name: str, known: frozenset[str]) -> str:
    """Return the JSON key of an attrs field: its name, or without the ``_`` of ``type_``."""
    if name in known:
        return name
    if name.endswith("_") and name[:-1] in known:
        return name[:-1]
    raise _Opaque


def _split(hint: Any) -> tuple[Any, bool, bool]:
    """Split ``X | None | Unset`` into X, whether None is allowed, whether the key may be absent."""
    if typing.get_origin(hint) not in (typing.Union, types.UnionType):
        return hint, False, False
    args = typing.get_args(hint)
    rest = [a for a in args if a is not type(None) and a is not Unset]
    if str in rest and all(a is str or _string_literal(a) for a in rest):
        rest = [str]  # an open enumeration (BuiltinTaskStatus | str): any string
    if len(rest) != 1:
        raise _Opaque  # a union of several types: left to from_dict
    return rest[0], type(None) in args, Unset in args


def _string_literal(hint: Any) -> bool:
    """Whether ``hint`` is a ``Literal`` of strings (a generated enumeration)."""
    return typing.get_origin(hint) is Literal and all(type(a) is str for a in typing.get_args(hint))


_PLAIN: dict[Any, Any] = {
    str: str,
    bool: bool,
    int: int,
    float: int | float,  # the generated code keeps an integer as it came
    Any: Any,
    list[str]: list[str],
    list[int]: list[int],
    list[bool]: list[bool],
    list[Any]: list[Any],
    dict[str, Any]: dict[str, Any],
}


def _field_type(core: Any, i: int, names: dict[str, Any]) -> tuple[Any, str, type | None]:
    """Return a field's Struct type, the statement that finishes its value, and its model."""
    plain = _PLAIN.get(core)
    if plain is not None:
        return plain, "", None
    if core is datetime.datetime:
        names["_str"] = str
        return str, "if type({v}) is _str: {v} = _iso({v})", None
    if _string_literal(core):
        # Kept as it came, documented or not, as the generated check_* functions keep it.
        return str, "", None
    if attrs.has(core):
        plan = _plan(core)
        names[f"_b{i}"], names[f"_m{i}"] = plan.build, plan.marker
        return plan.struct, f"if type({{v}}) is _m{i}: {{v}} = _b{i}({{v}})", core
    if typing.get_origin(core) is list and attrs.has(item := typing.get_args(core)[0]):
        plan = _plan(item)
        names[f"_b{i}"], names["_list"] = plan.build, list
        step = f"if type({{v}}) is _list: {{v}} = [_b{i}(x) for x in {{v}}]"
        return list[plan.struct], step, item  # type: ignore[name-defined]  # a runtime type
    raise _Opaque
