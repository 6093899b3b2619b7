"""The types of the API, public: every model, the enumerations, ``UNSET`` and the filter types.

::

    from .types import UNSET, BuiltinTaskStatus, Task, Unset

* **Models** (``Task``, ``Issue``, ``Account``, ``CreateTaskRequest``, ...) are the attrs classes
  calls return and ``body=`` takes. Each has ``to_dict()``, ``to_json()`` and
  ``from_dict()``; a field Pylon omitted is ``UNSET``, one it sent as ``null`` is ``None``.
* **Enumerations** (``BuiltinTaskStatus``, ``AccountType``, ...) are ``Literal`` aliases of
  their values; a value the sources do not list is kept as the string Pylon sent.
* ``UNSET`` / ``Unset``: the marker of a field that was not given (``isinstance(x, Unset)``).
* ``FilterInput``, ``FilterDict``, ``FilterOperator``: what ``filter=`` of a search takes.

The models live in ``pylon_client._generated.models``, which is generated; this module is the
name to import them by. Each loads on first use, so importing this module costs almost nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._generated import models as _models
from ._generated.types import UNSET, Unset

if TYPE_CHECKING:
    from ._generated._contract import FilterDict, FilterInput, FilterOperator
    from ._generated.models import *  # noqa: F403  # every model, for type checkers

__all__ = ["UNSET", "FilterDict", "FilterInput", "FilterOperator", "Unset"]
__all__ += _models.__all__

# The contract imports httpx: its three names load on first use, like the models.
_FROM_CONTRACT = ("FilterDict", "FilterInput", "FilterOperator")


def __getattr__(name: str) -> Any:
    if name in _FROM_CONTRACT:
        from ._generated import _contract

        value = getattr(_contract, name)
    elif name in _models.__all__:
        value = getattr(_models, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
