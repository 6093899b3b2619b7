from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from types import ModuleType

import pytest

import pylon_client
from pylon_client._generated import _resources as generated_resources

PUBLIC = [pytest.param(name, id=name) for name in pylon_client.__all__]


def _isort_key(name: str) -> tuple[int, list[int | str]]:
    """Order of ruff's RUF022 (isort style): CONSTANTS, then Classes, then the rest, naturally."""
    if len(name) > 1 and name.isupper():
        kind = 0
    elif name[:1].isupper():
        kind = 1
    else:
        kind = 2
    natural: list[int | str] = [
        int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)
    ]
    return kind, natural


def _private_modules() -> list[str]:
    """Every hand-written module of pylon_client that is not an import API, bar _generated.

    A module is private when a part of its name starts with one underscore
    (``pylon_client._export.windows``, ``pylon_client.testing._app``), or when it is one of the
    ``pylon`` command line's (``pylon_client.cli.main``). Packages are laid out by their
    modules and hold only a docstring.
    """
    names = []
    for info in pkgutil.walk_packages(pylon_client.__path__, prefix="pylon_client."):
        parts = info.name.split(".")[1:]
        if "_generated" in parts or info.ispkg:
            continue
        hidden = any(p.startswith("_") and not p.startswith("__") for p in parts)
        if hidden or parts[0] == "cli":
            names.append(info.name)
    return sorted(names)


PRIVATE = [pytest.param(name, id=name) for name in _private_modules()]


def test_all_is_sorted() -> None:
    """``pylon_client.__all__`` is in isort order: constants, classes, then functions."""
    assert pylon_client.__all__ == sorted(pylon_client.__all__, key=_isort_key)


def test_all_has_no_duplicates() -> None:
    """No name is exported twice."""
    assert len(set(pylon_client.__all__)) == len(pylon_client.__all__)


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_name_is_importable(name: str) -> None:
    """Each name of ``__all__`` imports from the package."""
    namespace: dict[str, object] = {}
    exec(f"from pylon_client import {name}", namespace)  # noqa: S102 (a name from __all__)
    assert namespace[name] is getattr(pylon_client, name)


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_name_is_documented(name: str) -> None:
    """Each exported class and function has its own docstring; each constant is explained."""
    obj = getattr(pylon_client, name)
    if inspect.isclass(obj) or inspect.isfunction(obj):
        assert (obj.__doc__ or "").strip(), f"{name} has no docstring"
    elif not (name.startswith("__") and name.endswith("__")):
        # A constant cannot carry a docstring: the module defining it must describe it.
        [home] = [
            m
            for m in _private_modules()
            if not m.startswith("pylon_client.testing.")
            and name in getattr(importlib.import_module(m), "__all__", ())
        ]
        module = importlib.import_module(home)
        assert name in (module.__doc__ or ""), f"{name} is not described in {home}"


def test_package_docstring_exists() -> None:
    """The package itself has a docstring with an example."""
    assert "AsyncPylon" in (pylon_client.__doc__ or "")


@pytest.mark.parametrize("module_name", PRIVATE)
def test_every_private_module_declares_all(module_name: str) -> None:
    """Each private module of pylon_client (generated code aside) defines ``__all__``."""
    module: ModuleType = importlib.import_module(module_name)
    assert hasattr(module, "__all__"), f"{module_name} has no __all__"


@pytest.mark.parametrize("module_name", PRIVATE)
def test_private_module_all_names_exist(module_name: str) -> None:
    """Every name a private module lists in ``__all__`` is defined in it."""
    module = importlib.import_module(module_name)
    missing = [name for name in getattr(module, "__all__", []) if not hasattr(module, name)]
    assert missing == []


def _modules_after(code: str) -> set[str]:
    """Run ``code`` in a fresh interpreter; return the modules it then holds."""
    done = subprocess.run(  # noqa: S603 (our own interpreter, fixed code)
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sys.modules))"],
        check=True,
        capture_output=True,
        text=True,
    )
    return set(done.stdout.split())


def test_importing_the_package_loads_nothing_else() -> None:
    """``import pylon_client`` loads its version only: no httpx, no generated code."""
    loaded = _modules_after("import pylon_client")
    ours = {m for m in loaded if m.startswith("pylon_client")}
    assert ours == {"pylon_client", "pylon_client._version"}
    assert not {"httpx", "anyio", "attrs"} & loaded


def test_cli_help_loads_the_standard_library_only() -> None:
    """``pylon --help`` builds its parser without httpx, anyio, attrs or the client."""
    loaded = _modules_after(
        "import contextlib, io\n"
        "from pylon_client.cli.main import main\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['--help'])"
    )
    assert not {"httpx", "anyio", "attrs", "pylon_client._client.async_client"} & loaded


def test_resources_load_on_first_use() -> None:
    """A client loads no resource module until one is read, and then only that one."""
    loaded = _modules_after(
        "from pylon_client import AsyncPylon\n"
        "pylon = AsyncPylon('tok', rate_limit=False)\n"
        "import sys\n"
        "assert not [m for m in sys.modules if '_generated.resources.' in m]\n"
        "assert pylon.teams is pylon.teams"
    )
    resources = {m for m in loaded if "_generated.resources." in m or "_generated.models." in m}
    assert resources == {"pylon_client._generated.resources.teams"}
    assert "pylon_client._client.helpers" not in loaded


@pytest.mark.parametrize("name", sorted(generated_resources._MODULES))
def test_every_resource_class_is_importable_from_the_facade(name: str) -> None:
    """``_generated._resources.<Class>`` still gives each resource class, from its own module."""
    klass = getattr(generated_resources, name)
    assert klass.__name__ == name
    assert klass.__module__ == f"pylon_client._generated.{generated_resources._MODULES[name]}"
