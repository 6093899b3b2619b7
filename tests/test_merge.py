"""Merging Pylon's own document into the effective spec, and naming what it brings."""

from __future__ import annotations

import copy
import importlib
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "codegen"))
merge = importlib.import_module("merge")
overlay = importlib.import_module("overlay")
sources = importlib.import_module("sources")
facade = importlib.import_module("facade")

OFFICIAL = json.loads((ROOT / "openapi" / "pylon-official.json").read_text())
METHODS = ("get", "post", "patch", "put", "delete")


def _corrected() -> dict[str, Any]:
    """The vendored spec with the overlay applied: what the merge starts from."""
    spec = yaml.safe_load((ROOT / "openapi" / "pylon-openapi.yml").read_text())
    actions = yaml.safe_load((ROOT / "codegen" / "overlay.yaml").read_text())
    return dict(overlay.apply_overlay(sources.canonical(spec), actions))


def _ops(spec: dict[str, Any]) -> list[str]:
    return [f"{m.upper()} {p}" for p, item in spec["paths"].items() for m in item if m in METHODS]


def test_the_merge_adds_every_operation_the_vendored_spec_lacks() -> None:
    """The 50 operations only Pylon's document has join the 69 corrected ones: 119."""
    spec = _corrected()
    assert len(_ops(spec)) == 69
    added = merge.merge_operations(spec, OFFICIAL)
    assert len(added) == 50
    assert len(_ops(spec)) == 119
    for key in added:
        method, path = key.split(" ", 1)
        assert spec["paths"][path][method.lower()]["x-pylon-source"] == "official"
    assert "GET /issues/{id}/messages" in added
    assert "POST /attachments" in added


def test_the_merge_is_deterministic() -> None:
    """Two merges of the same inputs give the same document."""
    a, b = _corrected(), _corrected()
    merge.merge_operations(a, OFFICIAL)
    merge.merge_operations(b, OFFICIAL)
    assert a == b


def test_names_the_spec_has_are_the_specs_and_new_ones_are_tolerant() -> None:
    """A name already there (without regard to case) is reused; a new schema reads null."""
    spec = _corrected()
    before = copy.deepcopy(spec["components"]["schemas"])
    merge.merge_operations(spec, OFFICIAL)
    schemas = spec["components"]["schemas"]
    assert schemas["Issue"] == before["Issue"]  # the overlay's, not a second copy
    assert "ExternalID" not in schemas  # ExternalId is the same object
    assert "Me" not in schemas  # an alias of Organization
    assert "Filter" not in schemas  # an alias of SearchFilter
    message = schemas["Message"]
    assert all(p.get("nullable") for p in message["properties"].values())
    assert not any(k.startswith("x-go-") for k in json.dumps(message).split('"'))


def test_an_alias_to_a_missing_schema_is_an_error() -> None:
    """An alias that names nothing in the effective spec stops the merge with a message."""
    spec = _corrected()
    del spec["components"]["schemas"]["SearchFilter"]
    with pytest.raises(merge.MergeError, match="Filter -> SearchFilter"):
        merge.merge_operations(spec, OFFICIAL)


def test_two_operations_with_one_name_stop_generation() -> None:
    """Operations that the naming rules would give one name fail, naming both."""
    op = {"operationId": "x", "responses": {}}
    spec = {"paths": {"/widgets": {"get": op}, "/widgets/": {"get": op}}}
    with pytest.raises(SystemExit, match="GET /widgets/ and GET /widgets share a name"):
        facade.operations(spec)


def test_an_operation_no_rule_names_stops_generation() -> None:
    """A new shape of path forces a naming decision instead of silently going missing."""
    spec = {"paths": {"/widgets/{id}/a/b": {"put": {"operationId": "y", "responses": {}}}}}
    with pytest.raises(SystemExit, match=re.escape("no name for PUT /widgets/{id}/a/b")):
        facade.operations(spec)
