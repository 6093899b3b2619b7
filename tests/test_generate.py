"""Regenerating from a new version of a spec, on temporary copies of the project.

Each test copies what generation reads and writes (``codegen/``, ``openapi/``, ``docs/`` and
the generated package) to a temporary folder and runs ``codegen/generate.py`` there, as
``make generate SPEC=...`` would. The committed tree is never touched.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "codegen"))
generate = importlib.import_module("generate")
sources = importlib.import_module("sources")
overlay = importlib.import_module("overlay")

OFFICIAL = ROOT / "openapi" / "pylon-official.json"
VENDORED = ROOT / "openapi" / "pylon-openapi.yml"


def _copy_project(tmp: Path) -> Path:
    for name in ("codegen", "openapi", "docs"):
        shutil.copytree(ROOT / name, tmp / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(
        ROOT / "pylon_client" / "_generated",
        tmp / "pylon_client" / "_generated",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return tmp


def _generate(project: Path, spec: Path | None = None) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, str(project / "codegen" / "generate.py")]
    return subprocess.run(  # noqa: S603 (our own script, with the interpreter running the tests)
        [*argv, *(["--spec", str(spec)] if spec else [])],
        capture_output=True,
        text=True,
        check=False,
    )


def _code(project: Path) -> dict[str, str]:
    """The generated package and operations table, each file without its provenance header."""
    files = sorted((project / "pylon_client" / "_generated").rglob("*.py"))
    files.append(project / "docs" / "operations.md")
    code = {}
    for path in files:
        text = path.read_text()
        if text.startswith("# DO NOT EDIT"):
            text = text.split("; change codegen/, never this file.\n", 1)[1]
        code[str(path.relative_to(project))] = text
    return code


def _tree_digest(project: Path) -> dict[str, str]:
    return {
        str(p.relative_to(project)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(project.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def _calls(project: Path) -> dict[str, str]:
    """Method and path -> the facade call, from the generated operation table."""
    path = project / "pylon_client" / "_generated" / "_endpoints.py"
    spec = importlib.util.spec_from_file_location(f"endpoints_{abs(hash(path))}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {key: str(endpoint.call) for key, endpoint in module.ENDPOINTS.items()}


def _report(spec: Path) -> list[str]:
    reports: list[Any] = []
    generate.effective_spec(sources.with_spec(spec), reports=reports)
    return [str(r) for r in reports]


def _bumped(source: Path, target: Path) -> Path:
    """A copy of a document whose only change is ``info.version``, in the same syntax."""
    text = source.read_text()
    if source.suffix == ".json":
        data = json.loads(text)
        data["info"]["version"] = data["info"]["version"] + ".1"
        target.write_text(json.dumps(data, indent=2))
    else:
        new, count = re.subn(r"(?m)^(  version: )'?([^'\n]+)'?$", r"\1'\2.1'", text, count=1)
        assert count == 1
        target.write_text(new)
    return target


@pytest.fixture(scope="module")
def official_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project regenerated from Pylon's own document as it is vendored."""
    project = _copy_project(tmp_path_factory.mktemp("official"))
    shutil.copy(ROOT / "CHANGELOG.md", project / "CHANGELOG.md")
    done = _generate(project, project / "openapi" / "pylon-official.json")
    assert done.returncode == 0, done.stdout + done.stderr
    (project / "generate.out").write_text(done.stdout)
    return project


def test_regenerating_from_another_document_says_what_changed_for_users(
    official_project: Path,
) -> None:
    """``make generate`` counts the API changes and writes them into the changelog to edit."""
    said = (official_project / "generate.out").read_text()
    found = re.search(r"the public API changed: (\d+) breaking, (\d+) compatible", said)
    assert found, said[-2000:]
    breaking, compatible = int(found[1]), int(found[2])
    assert breaking > 0  # accounts.merge goes
    assert compatible > 0  # Pylon's own figures come
    log = (official_project / "CHANGELOG.md").read_text()
    unreleased = log.index("## [Unreleased]")
    section = log.index("### API changes: ", unreleased)
    assert section < log.index("### Changed", unreleased)
    body = log[section:].split("\n### ", 1)[0]
    assert "- **BREAKING** accounts.merge: removed" in body
    assert body.count("**BREAKING**") > 0
    assert (ROOT / "CHANGELOG.md").read_text() != log  # the copy's, never the tree's


def test_a_version_bump_of_the_vendored_spec_regenerates_the_same_code(tmp_path: Path) -> None:
    """Only provenance changes, and every action is reported as it is for the original."""
    project = _copy_project(tmp_path / "project")
    new = _bumped(VENDORED, tmp_path / "pylon-openapi-1.0.1.yml")
    done = _generate(project, new)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _code(project) == _code(ROOT)
    assert _report(new) == _report(VENDORED)
    assert "0 stale" in done.stdout
    assert "skipped" not in done.stdout


def test_a_version_bump_of_pylons_document_regenerates_the_same_code(
    tmp_path: Path, official_project: Path
) -> None:
    """Pylon's own document, version bumped, gives the client its original gives."""
    project = _copy_project(tmp_path / "project")
    new = _bumped(OFFICIAL, tmp_path / "pylon-official-next.json")
    done = _generate(project, new)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _code(project) == _code(official_project)
    assert _report(new) == _report(OFFICIAL)
    assert "skipped" not in done.stdout


def test_key_order_and_yaml_give_the_same_effective_spec(tmp_path: Path) -> None:
    """Reformatting a document changes nothing the generator sees."""
    data = json.loads(OFFICIAL.read_text())
    as_yaml = tmp_path / "official.yaml"
    as_yaml.write_text(yaml.safe_dump(data, sort_keys=False, width=80))
    reordered = tmp_path / "reordered.json"
    reordered.write_text(json.dumps({k: data[k] for k in reversed(list(data))}, indent=4))
    want = generate.effective_spec(sources.with_spec(OFFICIAL))
    for variant in (as_yaml, reordered):
        assert generate.effective_spec(sources.with_spec(variant)) == want


def _restyle(operation_id: str) -> str:
    """``GetIssueFollowers`` -> ``issues_followers_get_v2``: every operationId renamed."""
    words = re.findall(r"[A-Z][a-z]*|[a-z]+|\d+", operation_id)
    return "_".join(w.lower() for w in [*words[1:], words[0], "v2"])


def test_restyled_operation_ids_keep_every_facade_name(
    tmp_path: Path, official_project: Path
) -> None:
    """Facade names follow method and path, whatever a document calls its operations."""
    data = json.loads(OFFICIAL.read_text())
    renamed = 0
    for item in data["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and "operationId" in op:
                op["operationId"] = _restyle(op["operationId"])
                renamed += 1
    assert renamed == 114
    new = tmp_path / "restyled.json"
    new.write_text(json.dumps(data))
    project = _copy_project(tmp_path / "project")
    done = _generate(project, new)
    assert done.returncode == 0, done.stdout + done.stderr
    calls = _calls(project)
    assert len(calls) == len(_calls(official_project)) >= 114
    assert calls == _calls(official_project)
    api = project / "pylon_client" / "_generated" / "api"
    assert any(p.stem.endswith("_v2") for p in api.rglob("*.py"))


def test_a_document_that_names_its_schemas_otherwise_still_generates(
    tmp_path: Path, official_project: Path
) -> None:
    """Paging, envelopes and return types come from structure: every schema renamed, same facade."""
    text = OFFICIAL.read_text()
    data = json.loads(text)
    for name in data["components"]["schemas"]:
        text = text.replace(f'"#/components/schemas/{name}"', f'"#/components/schemas/Pylon{name}"')
    data = json.loads(text)
    data["components"]["schemas"] = {
        f"Pylon{k}": v for k, v in data["components"]["schemas"].items()
    }
    new = tmp_path / "renamed.json"
    new.write_text(json.dumps(data))
    project = _copy_project(tmp_path / "project")
    done = _generate(project, new)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _calls(project) == _calls(official_project)
    table = (project / "docs" / "operations.md").read_text()
    assert "| `pylon.issues.list_messages(id)` | async iterator of `PylonMessage` |" in table


def test_a_removed_operation_reports_its_actions_absent_and_generates(tmp_path: Path) -> None:
    """POST /accounts/merge gone: the corrections of it say so, and the client lacks it."""
    spec = yaml.safe_load(VENDORED.read_text())
    del spec["paths"]["/accounts/merge"]
    new = tmp_path / "without-merge.yml"
    new.write_text(yaml.safe_dump(spec, sort_keys=False))
    reports: list[Any] = []
    generate.effective_spec(sources.with_spec(new), reports=reports)
    on_merge = [r for r in reports if "POST /accounts/merge" in r.absent]
    assert len(on_merge) == 2
    assert {r.kind for r in on_merge} == {"absent"}
    project = _copy_project(tmp_path / "project")
    done = _generate(project, new)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[absent here: POST /accounts/merge]" in done.stdout
    calls = _calls(project)
    assert "POST /accounts/merge" not in calls
    assert "POST /accounts/merge" in _calls(ROOT)
    assert len(calls) == len(_calls(ROOT)) - 1


def _cut_off(spec: dict[str, Any], path: Path) -> None:
    text = yaml.safe_dump(spec, sort_keys=False)
    path.write_text(text[: len(text) // 2] + "\n  broken: [")


def _stale(spec: dict[str, Any], path: Path) -> None:
    body = spec["paths"]["/issues/{id}/snooze"]["post"]["requestBody"]["content"]
    body["application/x-www-form-urlencoded"] = body.pop("application/json")
    path.write_text(yaml.safe_dump(spec, sort_keys=False))


def _unnamed(spec: dict[str, Any], path: Path) -> None:
    """An operation no naming rule covers: refused after openapi-python-client has run."""
    spec["paths"]["/widgets/{id}/a/b"] = {
        "put": {
            "operationId": "putWidget",
            "description": "**Rate limit:** 10 requests per minute",
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {"200": {"description": "OK"}},
        }
    }
    path.write_text(yaml.safe_dump(spec, sort_keys=False))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(_cut_off, "not a JSON or YAML document", id="broken-spec"),
        pytest.param(
            _stale,
            "POST /issues/{id}/snooze has no ['application/json'] under ['requestBody']['content'] "
            "(closest: 'application/x-www-form-urlencoded'",
            id="stale-action",
        ),
        pytest.param(_unnamed, "no name for PUT /widgets/{id}/a/b", id="late-failure"),
    ],
)
def test_a_failed_run_leaves_the_tree_as_it_was(
    tmp_path: Path, make: Callable[[dict[str, Any], Path], None], message: str
) -> None:
    """Nothing is replaced unless every step succeeded; the error says what went wrong."""
    project = _copy_project(tmp_path / "project")
    before = _tree_digest(project)
    new = tmp_path / "next.yml"
    make(yaml.safe_load(VENDORED.read_text()), new)
    done = _generate(project, new)
    assert done.returncode == 1
    assert "generation stopped, nothing was changed" in done.stderr
    assert message in done.stderr
    assert _tree_digest(project) == before


def _check(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own script, with the interpreter running the tests)
        [sys.executable, str(project / "codegen" / "generate.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(None, id="clean-tree-passes"),
        pytest.param("generated", id="one-character-in-generated-code"),
        pytest.param("spec", id="spec-changed-without-regenerating"),
    ],
)
def test_check_generated_detects_drift(tmp_path: Path, edit: str | None) -> None:
    """check-generated passes on the tree as committed and fails on either kind of drift."""
    project = _copy_project(tmp_path)
    if edit == "generated":
        target = project / "pylon_client" / "_generated" / "models" / "task.py"
        text = target.read_text()
        target.write_text(text.replace("title", "titlf", 1))
    elif edit == "spec":
        target = project / "openapi" / "pylon-openapi.yml"
        target.write_text(target.read_text().replace("List issues", "List issuez", 1))
    result = _check(project)
    if edit is None:
        assert result.returncode == 0, result.stdout + result.stderr
    else:
        assert result.returncode == 1
        assert "out of date" in result.stdout
