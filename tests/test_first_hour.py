"""What a new user meets first: public types, honest signatures, docstrings, lists by search."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import pydoc
import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

import pylon_client.types as public_types
from pylon_client import AsyncPylon, Pylon
from pylon_client._generated import _resources as generated_resources
from pylon_client._generated import models
from pylon_client.testing import FakePylon

CALL_OPTIONS = {"extra_headers", "extra_query", "extra_body", "timeout", "deadline"}


# --- pylon_client.types ----------------------------------------------------------------------


def test_types_holds_every_model_and_the_markers() -> None:
    """Every generated model, UNSET, Unset and the filter types are importable from one place."""
    assert set(models.__all__) <= set(public_types.__all__)
    for name in ("UNSET", "Unset", "FilterInput", "FilterDict", "FilterOperator"):
        assert name in public_types.__all__
    assert public_types.Task is models.Task
    assert isinstance(public_types.UNSET, public_types.Unset)
    assert public_types.BuiltinTaskStatus.__args__ == ("completed", "in_progress", "not_started")  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        public_types.Nope  # noqa: B018


def test_importing_types_loads_no_model_and_no_http_stack() -> None:
    """``import pylon_client.types`` is cheap: models and the contract load on first use."""
    code = (
        "import sys, pylon_client.types as t; "
        "print(sorted(m for m in sys.modules if m.startswith('pylon_client._generated.models.') "
        "or m in ('httpx', 'pylon_client._generated._contract')))"
    )
    done = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_types_star_import_gives_every_name() -> None:
    """``from pylon_client.types import *`` binds every name of ``__all__``."""
    scope: dict[str, Any] = {}
    exec("from pylon_client.types import *", scope)  # noqa: S102
    assert set(public_types.__all__) <= set(scope)


# --- signatures and docstrings ---------------------------------------------------------------


def _methods() -> list[tuple[str, Callable[..., Any]]]:
    """Every public method of every generated resource class, async and sync."""
    found: list[tuple[str, Callable[..., Any]]] = []
    package = importlib.import_module("pylon_client._generated.resources")
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for cls_name in module.__all__:
            if cls_name.endswith("WithRawResponse"):
                continue
            cls = getattr(module, cls_name)
            for name, func in vars(cls).items():
                if not name.startswith("_") and inspect.isfunction(func):
                    found.append((f"{cls_name}.{name}", func))
    for top in (generated_resources.Resources, generated_resources.SyncResources):
        for name, func in vars(top).items():
            if not name.startswith("_") and inspect.isfunction(func):
                found.append((f"{top.__name__}.{name}", func))
    return found


METHODS = [pytest.param(func, id=name) for name, func in _methods()]


def test_the_walk_finds_every_method() -> None:
    """The walk below covers the facade (168 operations, async and sync, and the lists)."""
    assert len(METHODS) >= 2 * 168


@pytest.mark.parametrize("func", METHODS)
def test_every_method_documents_each_parameter_and_its_answer(func: Callable[..., Any]) -> None:
    """Each parameter of the signature is in ``Args:`` with its type; ``Returns:`` follows."""
    doc = inspect.getdoc(func) or ""
    assert "Args:" in doc
    assert "Returns:" in doc
    assert re.search(r"allows \d+ a minute", doc), doc
    args = doc.split("Args:", 1)[1].split("Returns:", 1)[0]
    documented = set(re.findall(r"^    (\w+) \(", args, re.MULTILINE))
    documented |= CALL_OPTIONS if "extra_headers, extra_query" in args else set()
    params = set(inspect.signature(func).parameters) - {"self"}
    assert params <= documented, params - documented


def test_required_fields_show_as_required_at_run_time() -> None:
    """``inspect.signature`` and ``help()`` show ``title`` without a default, as the call needs."""
    with Pylon("t", base_url="http://127.0.0.1:9") as sync:
        async_client = AsyncPylon("t", base_url="http://127.0.0.1:9")
        for method in (
            async_client.tasks.create,
            async_client.with_raw_response.tasks.create,
            sync.tasks.create,
            sync.with_raw_response.tasks.create,
        ):
            title = inspect.signature(method).parameters["title"]
            assert title.default is inspect.Parameter.empty, method
            assert title.kind is inspect.Parameter.KEYWORD_ONLY
            assert inspect.signature(method).parameters["account_id"].default is not None
        text = pydoc.render_doc(async_client.tasks.create, renderer=pydoc.plaintext)  # type: ignore[attr-defined]
        assert "title: 'str'," in text
        assert "title (str, required unless body= is given): Title for this task" in text


def test_a_docstring_names_the_values_of_an_enumeration() -> None:
    """An open enumeration lists its values and says other strings pass."""
    doc = inspect.getdoc(generated_resources.Resources.me) or ""
    assert "Returns:" in doc
    create = (
        inspect.getdoc(
            importlib.import_module("pylon_client._generated.resources.tasks").TasksResource.create
        )
        or ""
    )
    assert "``not_started``, ``in_progress``, ``completed`` (or another string)" in create


# --- lists through search --------------------------------------------------------------------


@pytest.mark.anyio
async def test_projects_and_milestones_list_through_search(
    pylon: AsyncPylon, fake_pylon: FakePylon
) -> None:
    """``projects.list()`` and ``milestones.list()`` return all, through a search without filter."""
    account = next(iter(fake_pylon.accounts))
    project = await pylon.projects.create(account_id=account, name="Listed")
    await pylon.milestones.create(name="M1", project_id=project.id)
    before = len(fake_pylon.requests)
    projects = await pylon.projects.list(limit=1).collect()
    assert {p.id for p in projects} == set(fake_pylon.projects)
    milestones = await pylon.milestones.list().collect()
    assert {m.id for m in milestones} == set(fake_pylon.milestones)
    sent = list(fake_pylon.requests)[before:]
    assert {(r.method, r.path) for r in sent} == {
        ("POST", "/projects/search"),
        ("POST", "/milestones/search"),
    }
    assert all("filter" not in (r.json or {}) for r in sent)
