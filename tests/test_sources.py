"""The declared sources of generation, and the canonical reading of a document."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "codegen"))
sources = importlib.import_module("sources")


def test_every_input_is_declared_once_with_a_role_and_a_precedence() -> None:
    """The spec, Pylon's document, the SDK supplement and the limits; the newest source wins."""
    declared = {s.name: s for s in sources.SOURCES}
    assert set(declared) == {"vendored", "official", "supplement", "rate-limits"}
    assert sources.spec().path == ROOT / "openapi" / "pylon-openapi.yml"
    assert [s.name for s in sources.operations()] == ["supplement", "official"]
    assert [s.name for s in sources.references()] == ["supplement", "official"]
    assert declared["supplement"].precedence > declared["official"].precedence
    assert sources.rate_limits().path == ROOT / "openapi" / "rate-limits.tsv"
    assert declared["rate-limits"].precedence > declared["official"].precedence
    assert declared["official"].precedence > declared["vendored"].precedence
    assert all(s.path.exists() for s in sources.SOURCES)


def test_a_given_spec_takes_the_spec_role_and_nothing_else_changes(tmp_path: Path) -> None:
    """``make generate SPEC=...`` replaces the document generation starts from, only that."""
    new = tmp_path / "next.json"
    new.write_text("{}")
    given = sources.with_spec(new)
    assert sources.spec(given).path == new
    assert sources.operations(given) == sources.operations()
    assert sources.rate_limits(given) == sources.rate_limits()


@pytest.mark.parametrize(
    ("declaration", "message"),
    [
        pytest.param(
            [{"name": "a", "role": "operations", "path": "x", "precedence": 1}],
            "exactly one source must have the role spec",
            id="no-spec",
        ),
        pytest.param(
            [
                {"name": "a", "role": "spec", "path": "x", "precedence": 1},
                {"name": "b", "role": "operations", "path": "y", "precedence": 1},
            ],
            "two sources share a precedence",
            id="tied-precedence",
        ),
        pytest.param(
            [{"name": "a", "role": "input", "path": "x", "precedence": 1}],
            "unknown role 'input'",
            id="unknown-role",
        ),
    ],
)
def test_a_bad_declaration_is_refused(
    tmp_path: Path, declaration: list[dict[str, Any]], message: str
) -> None:
    """Roles and precedence are checked when the declaration is read."""
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"sources": declaration}))
    with pytest.raises(sources.SourceError, match=message):
        sources.load_sources(path)


def _reversed(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _reversed(node[key]) for key in reversed(list(node))}
    if isinstance(node, list):
        return [_reversed(item) for item in node]
    return node


def test_key_order_and_syntax_do_not_change_the_document(tmp_path: Path) -> None:
    """The same document in JSON, in YAML, and with every key order reversed reads the same."""
    official = ROOT / "openapi" / "pylon-official.json"
    data = json.loads(official.read_text())
    as_yaml = tmp_path / "official.yaml"
    as_yaml.write_text(yaml.safe_dump(data, sort_keys=False))
    shuffled = tmp_path / "shuffled.json"
    shuffled.write_text(json.dumps(_reversed(data), indent=1))
    want = sources.load_document(official)
    assert list(want["paths"]) == sorted(want["paths"])
    assert sources.load_document(as_yaml) == want
    assert json.dumps(sources.load_document(shuffled)) == json.dumps(want)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("openapi: 3.0.1\npaths: {a: [", "not a JSON or YAML document", id="cut-off"),
        pytest.param('{"openapi": "3.0.1"}', "no `paths` object", id="no-paths"),
    ],
)
def test_a_file_that_is_not_a_document_is_refused(tmp_path: Path, text: str, message: str) -> None:
    """A broken spec gives a clear error naming the file."""
    path = tmp_path / "broken.yml"
    path.write_text(text)
    with pytest.raises(sources.SourceError, match=message):
        sources.load_document(path)


def _x_sources(node: Any, where: str = "") -> list[str]:
    """Every operation, schema and field of the supplement that lacks ``x-source``."""
    missing = []
    for path, item in node["paths"].items():
        for method, op in item.items():
            if method != "parameters" and "x-source" not in op:
                missing.append(f"{method.upper()} {path}")
    for name, schema in node["components"]["schemas"].items():
        if "x-source" not in schema:
            missing.append(f"schema {name}")
        missing += [
            f"schema {name} field {field}"
            for field, prop in schema.get("properties", {}).items()
            if "x-source" not in prop
        ]
    return missing


def test_the_supplement_names_the_source_of_every_operation_and_schema() -> None:
    """Each operation, schema and field written from usepylon says where in it it comes from."""
    supplement = yaml.safe_load((ROOT / "openapi" / "pylon-sdk-supplement.yml").read_text())
    assert _x_sources(supplement) == []
    assert all(
        "usepylon" in op["x-source"]
        for item in supplement["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "x-source" in op
    )
