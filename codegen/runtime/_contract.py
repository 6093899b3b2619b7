"""The contract between the generated resources and the hand-written client core.

``codegen/generate.py`` copies this module unchanged (under the DO NOT EDIT header) to
``pylon_client/_generated/_contract.py``; the generated ``_resources.py`` imports from it and
re-exports its public names. Edit it here: it is linted and type-checked like any other module
(``_endpoints.pyi`` and ``types.pyi`` beside it point mypy at the generated modules it imports).

* ``Core``: what the resources call, implemented by ``pylon_client.AsyncPylon``;
* ``Paginator`` and ``PageLike``: what list and search methods return, page by page;
* ``PageData``: one parsed page, as the parse functions hand it to ``Core.paginate``;
* ``Upload``, ``FileContent``, ``AsyncReadable``: what an upload method takes as a file.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import AsyncIterator, Callable, Sequence
from typing import IO, Any, NamedTuple, Protocol, TypeAlias, TypeVar

from ._endpoints import Endpoint
from .types import Unset

__all__ = [
    "AsyncReadable",
    "Core",
    "FileContent",
    "PageData",
    "PageLike",
    "Paginator",
    "Upload",
]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class AsyncReadable(Protocol):
    """An async file object: ``anyio.open_file(...)``, ``aiofiles.open(...)``, a stream."""

    async def read(self, size: int = -1, /) -> bytes: ...


FileContent: TypeAlias = bytes | str | os.PathLike[str] | IO[bytes] | AsyncReadable
"""A file's content: bytes, a path (``str`` or ``pathlib.Path``), or a binary file object."""

Upload: TypeAlias = FileContent | tuple[str, FileContent] | tuple[str, FileContent, str]
"""A file to upload: its content, or ``(filename, content)``, or ``(filename, content, type)``."""


class PageData(NamedTuple):
    """One parsed page: its items and what the envelope said about the next one."""

    items: list[Any]
    cursor: str | None
    has_next_page: bool | None
    request_id: str | None
    has_pagination: bool


class PageLike(Protocol[T_co]):
    """One page as the paginator hands it out."""

    @property
    def items(self) -> Sequence[T_co]: ...

    @property
    def cursor(self) -> str | None: ...

    @property
    def has_next_page(self) -> bool: ...

    @property
    def request_id(self) -> str | None: ...


class Paginator(Protocol[T]):
    """What list and search methods return: an async iterator of items.

    Implemented by ``pylon_client.AsyncPaginator``.
    """

    @property
    def cursor(self) -> str | None: ...

    def __aiter__(self) -> AsyncIterator[T]: ...

    def pages(self) -> AsyncIterator[PageLike[T]]: ...

    async def collect(self) -> list[T]: ...


class Core(Protocol):
    """The client core the resources call; implemented by ``pylon_client.AsyncPylon``."""

    def segment(self, value: str, name: str) -> str: ...

    def body(self, value: Any) -> dict[str, Any]: ...

    def search_filter(self, value: Any) -> dict[str, Any] | None: ...

    async def request(
        self,
        endpoint: Endpoint,
        path: str,
        parse: Callable[[Any], T],
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
    ) -> T: ...

    async def upload(
        self,
        endpoint: Endpoint,
        path: str,
        parse: Callable[[Any], T],
        *,
        fields: dict[str, Any],
        files: dict[str, Upload | Sequence[Upload]],
    ) -> T: ...

    def paginate(
        self,
        endpoint: Endpoint,
        path: str,
        parse: Callable[[Any], PageData],
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        max_items: int | None = None,
    ) -> Paginator[Any]: ...


def _jsonable(value: Any) -> Any:
    """Return ``value`` as JSON can carry it: datetimes as ISO strings, models as dicts."""
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if to_dict is not None else value


def _fields(**values: Any) -> dict[str, Any]:
    """Return the arguments that were given (not ``UNSET``), made JSON-ready."""
    return {k: _jsonable(v) for k, v in values.items() if not isinstance(v, Unset)}


def _files(**values: Any) -> dict[str, Any]:
    """Return the file arguments that were given (not ``UNSET``), untouched."""
    return {k: v for k, v in values.items() if not isinstance(v, Unset)}


def _page(payload: Any, parse_item: Callable[[Any], Any]) -> PageData:
    """Parse one page of Pylon's list envelope, each item with ``parse_item``."""
    if not isinstance(payload, dict):
        raise TypeError("the response is not a JSON object")
    data = payload["data"]
    if not isinstance(data, list):
        raise TypeError("data is not a list")
    for item in data:
        if not isinstance(item, dict):
            raise TypeError(f"an item of data is a {type(item).__name__}, not an object")
    pagination = payload.get("pagination")
    cursor = has_next = None
    if isinstance(pagination, dict):
        cursor = pagination.get("cursor")
        has_next = pagination.get("has_next_page")
    return PageData(
        [parse_item(item) for item in data],
        cursor if isinstance(cursor, str) else None,
        has_next if isinstance(has_next, bool) else None,
        payload.get("request_id"),
        isinstance(pagination, dict),
    )
