"""Plan the msgspec Structs of the optional fast decoder (``pylon_client/_transport/accel.py``).

With msgspec installed, a 2xx body whose answer holds models (a page, a list or one ``data``
model) is decoded into ``msgspec.Struct`` classes that mirror the generated models, and the
models are then built from the Structs with no further checks. This module plans those
Structs, their builders and the envelopes around them; ``templates/facade/structs.py.jinja``
lays each plan out as ``_generated/structs/<resource>.py``, beside the parse functions of
``_generated/resources/<resource>.py`` whose answers it decodes (``structs/_resources.py``
for ``_resources.py``'s), and ``structs_init.py.jinja`` writes the table of them.

What a model looks like is read from the models openapi-python-client has just written, in
the build folder (``codegen/model_reader.py``: their attrs fields and type hints give each
field's name, JSON key and type). Nothing is reflected on at run time: the emitted code is
plain Python that ruff formats and mypy checks.

**The rule that keeps the fast path safe**: it may only answer what the usual path (the
model's ``from_dict``) would. So every Struct is at least as strict as the code it mirrors:

* unknown keys are refused (``forbid_unknown_fields``), where ``from_dict`` keeps them in
  ``additional_properties``; the body then goes the usual way;
* a value ``from_dict`` accepts but the Struct does not (``true`` for an integer) is refused;
* dates stay strings in the Struct, parsed by the same ``datetime.fromisoformat``;
* an enumeration is any string, as the generated ``check_*`` functions keep a newer value;
* a model the mirror cannot express (typed additional properties, none allowed, a field type
  below it does not know, a union of several types) is decoded as a plain ``dict`` and built
  by its own ``from_dict``. A field holding such a model is a ``dict`` field; a field of an
  unknown type makes its whole model such a model.

Models that refer to each other are recursive Structs (a Struct defined further down is
named in quotes, see :func:`_in_order`). The annotations say ``str``,
``dict`` and ``list`` to msgspec and a little more to mypy (``Absent``, ``Open``, ``Text``,
``Object``, ``Items``: ``templates/facade/structs_init.py.jinja`` defines them), so that the
builders type-check with the cheapest tests there are.
"""

from __future__ import annotations

import datetime
import typing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import attrs
from model_reader import PLAIN, Field, Mirror, loaded, string_literal
from plan import ParsePlan, ResourcesPlan

__all__ = [
    "Envelope",
    "FieldPlan",
    "StructPlan",
    "StructsModule",
    "plan_structs",
]

FieldKind = Literal["value", "date", "model", "models"]


@dataclass(frozen=True)
class FieldPlan:
    """One field of a Struct: its name, JSON key, type as msgspec reads it, and how it is built.

    ``kind`` says what the builder does to the decoded value: pass it on (``value``), parse a
    date (``date``), build a model (``model``) or a list of models (``models``) with ``build``
    (a builder of this module, or a model's ``from_dict``). ``check`` is the type the value has
    when there is something to do: a Struct, or ``Text``, ``Object``, ``Items`` (``str``,
    ``dict`` and ``list`` to msgspec, final classes to mypy: see ``structs_init.py.jinja``).
    ``holds`` is the Struct the field holds, alone or in a list (empty if none).
    """

    name: str
    key: str
    annotation: str
    optional: bool
    nullable: bool = False
    kind: FieldKind = "value"
    build: str = ""
    check: str = ""
    holds: str = ""

    @property
    def argument(self) -> str:
        """Return the builder's expression for this field's argument of the model.

        One test, ``type(v) is C``: the cheapest there is (``isinstance`` looks ``v.__class__``
        up whenever it answers no), and, ``C`` being final to mypy, narrowed both ways.
        """
        value = f"s.{self.name}"
        if self.kind == "value":
            return value
        if self.kind == "date":
            done = f"_iso({value})"
        elif self.kind == "model":
            done = f"{self.build}({value})"
        else:
            done = f"list(map({self.build}, {value}))"
        if not (self.nullable or self.optional):
            return done  # always there, never null: nothing to test
        return f"{done} if type({value}) is {self.check} else {value}"


@dataclass(frozen=True)
class StructPlan:
    """A model mirrored as a Struct, and the builder of the model from it.

    ``fields`` are the model's init fields in the order it declares them: the builder fills
    them slot by slot on a new instance, with no call of the model's ``__init__``.
    """

    model: str
    module: str
    struct: str
    builder: str
    fields: tuple[FieldPlan, ...]


@dataclass(frozen=True)
class Envelope:
    """One parse function's answer: Pylon's envelope around a page, a list or one model.

    ``build`` makes one model from one decoded item: a builder, or the model's ``from_dict``
    for a model the mirror does not express (``item`` is then ``dict[str, Any]``).
    """

    parse: str
    kind: Literal["page", "object", "list"]
    model: str
    item: str
    build: str

    @property
    def struct(self) -> str:
        """The envelope's Struct class (``_page_task`` -> ``PageTaskEnvelope``)."""
        return "".join(part.capitalize() for part in self.parse.split("_")) + "Envelope"

    @property
    def decoder(self) -> str:
        """The module constant that decodes the envelope."""
        return f"_{self.parse.strip('_').upper()}"


@dataclass(frozen=True)
class StructsModule:
    """``structs/<name>.py``: the envelopes of one module of parse functions and their Structs.

    ``source`` is that module inside the generated package (``resources.tasks``).
    """

    name: str
    source: str
    envelopes: tuple[Envelope, ...]
    structs: tuple[StructPlan, ...]
    models: tuple[tuple[str, str], ...]  # (module, class) of every model it names

    @property
    def dates(self) -> bool:
        """Whether a builder parses a date."""
        return any(f.kind == "date" for s in self.structs for f in s.fields)


def plan_structs(plan: ResourcesPlan, package: Path) -> list[StructsModule]:
    """Plan one Structs module per module of parse functions that has an answer to decode.

    ``package`` is the build folder, where openapi-python-client has written the models.
    """
    sources = [("_resources", "_resources", plan.parsers)]
    sources += [(r.attribute, r.module, r.parsers) for r in plan.resources]
    modules = []
    with loaded(package) as root:
        mirror = Mirror(root)
        for name, source, parsers in sources:
            found = _plan_module(mirror, name, source, parsers)
            if found is not None:
                modules.append(found)
    return modules


def _plan_module(
    mirror: Mirror, name: str, source: str, parsers: tuple[ParsePlan, ...]
) -> StructsModule | None:
    """Plan ``structs/<name>.py``: a decoder per parse function of ``source`` that has one."""
    envelopes: list[Envelope] = []
    mirrored: dict[type, None] = {}  # the models it mirrors, in the order found
    named: dict[type, None] = {}  # the models it imports
    for parser in parsers:
        if parser.kind not in ("page", "object", "list") or parser.model == "Any":
            continue
        model = mirror.model(parser.module, parser.model)
        if model is None:
            continue
        plan = _plan_struct(mirror, model)
        if plan is None and parser.kind == "object":
            continue  # a model built by its own from_dict gains nothing from the detour
        named[model] = None
        if plan is None:  # a list of them: still decoded in C, each item built by from_dict
            item, build = "dict[str, Any]", f"{model.__name__}.from_dict"
        else:
            item, build = plan.struct, plan.builder
            mirrored |= dict.fromkeys(mirror.reachable(model))
        envelopes.append(Envelope(parser.name, parser.kind, model.__name__, item, build))
    if not envelopes:
        return None
    for model in mirrored:
        named |= dict.fromkeys([model, *mirror.built_by_from_dict(model)])
    plans = [plan for model in mirrored if (plan := _plan_struct(mirror, model))]
    structs = _in_order(sorted(plans, key=lambda p: p.struct))
    models = sorted({(_module(m), m.__name__) for m in named})
    _check_names(structs, envelopes, {m for _, m in models})
    return StructsModule(name, source, tuple(envelopes), tuple(structs), tuple(models))


def _plan_struct(mirror: Mirror, model: type) -> StructPlan | None:
    """Return the Struct of ``model``, or None if it is built by its own ``from_dict``."""
    fields = mirror.mirrored(model)
    if fields is None:
        return None
    return StructPlan(
        model.__name__,
        _module(model),
        _struct(model),
        _builder(model),
        tuple(_plan_field(mirror, f) for f in fields),
    )


def _plan_field(mirror: Mirror, field: Field) -> FieldPlan:
    """Return how a Struct declares ``field`` and how its builder finishes the value."""
    kind: FieldKind = "value"
    build = check = holds = ""
    core = field.core
    held = field.model
    if held is not None:
        mirrored = mirror.mirrored(held) is not None
        struct = _struct(held) if mirrored else "Object"
        build = _builder(held) if mirrored else f"{held.__name__}.from_dict"
        holds = _struct(held) if mirrored else ""
        if attrs.has(core):
            annotation, kind, check = struct, "model", struct
        else:
            annotation, kind, check = f"Items[{struct}]", "models", "Items"
    elif core is datetime.datetime:
        annotation, kind, check = "Text", "date", "Text"
    elif string_literal(core):
        # Any string, documented or not, as the generated check_* functions keep it;
        # typed as the model types it (a Literal).
        values = ", ".join(repr(v) for v in typing.get_args(core))
        annotation = f"Open[Literal[{values}]]"
    else:
        annotation = PLAIN[core]
    if field.nullable:
        annotation += " | None"
    if field.optional:
        annotation = f"Absent[{annotation}]"
    return FieldPlan(
        field.name,
        field.key,
        annotation,
        field.optional,
        field.nullable,
        kind,
        build,
        check,
        holds,
    )


def _module(model: type) -> str:
    """Return the module of a model inside ``models/`` (``mini_account``)."""
    return model.__module__.rsplit(".", 1)[-1]


def _struct(model: type) -> str:
    """Return the Struct class that mirrors a model (``MiniAccountStruct``)."""
    return f"{model.__name__}Struct"


def _builder(model: type) -> str:
    """Return the function that builds a model from its Struct (``build_mini_account``)."""
    return f"build_{_module(model)}"


def _in_order(structs: list[StructPlan]) -> list[StructPlan]:
    """Put each Struct after those it holds; quote the annotations that must name a later one.

    The modules do without ``from __future__ import annotations``: msgspec then reads each
    annotation as the object it already is, where a string costs it an ``eval`` per field
    (half the time of importing the module). Only a Struct that holds itself, directly or not,
    names one that is not defined yet, as a string.
    """
    by_name = {p.struct: p for p in structs}
    done: dict[str, StructPlan] = {}
    started: set[str] = set()

    def visit(plan: StructPlan) -> None:
        if plan.struct in started:
            return
        started.add(plan.struct)
        for field in plan.fields:
            if field.holds:
                visit(by_name[field.holds])
        fields = tuple(
            replace(f, annotation=repr(f.annotation)) if f.holds and f.holds not in done else f
            for f in plan.fields
        )
        done[plan.struct] = replace(plan, fields=fields)

    for plan in structs:
        visit(plan)
    return list(done.values())


def _check_names(structs: list[StructPlan], envelopes: list[Envelope], models: set[str]) -> None:
    """Fail when a name the module defines is also a model's it imports."""
    ours = {p.struct for p in structs} | {e.struct for e in envelopes}
    ours |= {"Absent", "Open", "Text", "Object", "Items", "Any", "Callable", "Literal"}
    ours |= {"PageData", "UNSET", "final", "msgspec", "page_data"}
    clash = sorted(ours & models)
    if clash:
        raise SystemExit(f"codegen/structs.py: models named {clash} clash with its own names")
