"""For mypy only: ``_contract``'s ``from .types import`` means the generated module."""

from pylon_client._generated.types import UNSET as UNSET
from pylon_client._generated.types import Unset as Unset
