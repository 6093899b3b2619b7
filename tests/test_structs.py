"""The msgspec Structs the generator writes (``codegen/structs.py``, ``_generated/structs/``).

What the fast decoder answers is checked against the usual path in ``test_accel.py``; these
tests check what the generator emits: a Struct per mirrored model, as strict as the model,
laid out so that msgspec reads each annotation as an object, with builders that test the cheap
way.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import msgspec
import pytest

from pylon_client._generated.structs import MODULES

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "codegen"))
structs = importlib.import_module("structs")


def _modules() -> list[Any]:
    return [
        importlib.import_module(f"pylon_client._generated.structs.{m}") for m in MODULES.values()
    ]


def _struct_classes() -> list[tuple[Any, type[msgspec.Struct]]]:
    found = []
    for module in _modules():
        for name, value in sorted(vars(module).items()):
            if (
                name.endswith("Struct")
                and isinstance(value, type)
                and issubclass(value, msgspec.Struct)
            ):
                found.append((module, value))
    return found


def test_every_struct_declares_the_keys_of_its_model_and_no_other() -> None:
    """Each Struct forbids unknown keys and names exactly the JSON keys its model reads."""
    found = _struct_classes()
    assert len(found) > 50
    for module, struct in found:
        model = getattr(module, struct.__name__.removesuffix("Struct"))
        known = sys.modules[model.__module__]._KNOWN_KEYS
        assert struct.__struct_config__.forbid_unknown_fields, struct
        keys = {f.encode_name for f in msgspec.structs.fields(struct)}
        assert keys == known, struct


def test_every_parse_module_with_models_has_its_decoders() -> None:
    """``MODULES`` names each module of parse functions, and its ``DECODERS`` are callable."""
    assert MODULES["resources.tasks"] == "tasks"
    assert MODULES["resources.issues"] == "issues"
    for module in _modules():
        assert module.DECODERS
        assert all(name.startswith(("_page_", "_parse_")) for name in module.DECODERS)
        assert all(callable(decode) for decode in module.DECODERS.values())


def _field(**kwargs: Any) -> Any:
    defaults: dict[str, Any] = {"name": "x", "key": "x", "annotation": "str", "optional": False}
    return structs.FieldPlan(**{**defaults, **kwargs})


@pytest.mark.parametrize(
    ("field", "argument"),
    [
        pytest.param(_field(), "s.x", id="value"),
        pytest.param(_field(kind="date", check="Text"), "_iso(s.x)", id="required-date"),
        pytest.param(
            _field(kind="date", check="Text", nullable=True),
            "_iso(s.x) if type(s.x) is Text else s.x",
            id="nullable-date",
        ),
        pytest.param(
            _field(kind="model", build="build_a", check="AStruct", holds="AStruct", optional=True),
            "build_a(s.x) if type(s.x) is AStruct else s.x",
            id="optional-model",
        ),
        pytest.param(
            _field(kind="model", build="A.from_dict", check="Object", optional=True),
            "A.from_dict(s.x) if type(s.x) is Object else s.x",
            id="optional-opaque-model",
        ),
        pytest.param(
            _field(kind="models", build="build_a", check="Items", holds="AStruct", nullable=True),
            "list(map(build_a, s.x)) if type(s.x) is Items else s.x",
            id="nullable-list",
        ),
    ],
)
def test_a_builder_argument_tests_once_and_only_when_it_must(field: Any, argument: str) -> None:
    """A field always there is built as is; any other is tested once, with ``type(v) is``."""
    assert field.argument == argument


def _plan(name: str, *holds: str) -> Any:
    fields = tuple(
        _field(name=h.lower(), key=h.lower(), annotation=h, kind="model", holds=h) for h in holds
    )
    return structs.StructPlan(name, name.lower(), name, f"build_{name.lower()}", fields)


def test_structs_follow_what_they_hold_and_only_back_references_are_quoted() -> None:
    """Held Structs come first; one that holds itself, or a Struct held back, is named in quotes."""
    plans = [_plan("AStruct", "BStruct"), _plan("BStruct", "CStruct"), _plan("CStruct")]
    plans += [_plan("DStruct", "DStruct", "EStruct"), _plan("EStruct", "DStruct")]
    ordered = structs._in_order(plans)
    assert [p.struct for p in ordered] == ["CStruct", "BStruct", "AStruct", "EStruct", "DStruct"]
    annotations = {p.struct: [f.annotation for f in p.fields] for p in ordered}
    assert annotations["AStruct"] == ["BStruct"]
    assert annotations["BStruct"] == ["CStruct"]
    assert annotations["EStruct"] == ["'DStruct'"]  # D is defined after E: a forward reference
    assert annotations["DStruct"] == ["'DStruct'", "EStruct"]


def test_the_generated_modules_read_their_annotations_as_objects() -> None:
    """No ``from __future__ import annotations`` in a Structs module: msgspec evaluates none."""
    folder = ROOT / "pylon_client" / "_generated" / "structs"
    for path in sorted(folder.glob("*.py")):
        if path.name != "__init__.py":
            assert "from __future__ import annotations" not in path.read_text(), path.name
