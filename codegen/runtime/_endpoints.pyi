"""For mypy only: ``_contract``'s ``from ._endpoints import`` means the generated module."""

from pylon_client._generated._endpoints import Endpoint as Endpoint
