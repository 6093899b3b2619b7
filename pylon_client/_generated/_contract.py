# DO NOT EDIT: a copy of codegen/runtime/_contract.py, made by codegen/generate.py; edit that file.
# spec openapi/pylon-openapi.yml sha256 08a4879d9cf420f7690d4b4649118787c1beec8dae42b2dbf045a48e9d4a8c71
# operations openapi/pylon-official.json sha256 d9fab27866e076deb7ab38f96f668db8fb534f1d17be0bb651dc05dd6a34588d
# operations openapi/pylon-sdk-supplement.yml sha256 2eb6aa9dce5f673a4599bd0dbff2bcd9cc56018c5906090caf8e9e0936d7d11f
# rate-limits openapi/rate-limits.tsv sha256 83672a90db737192ea94f9f63884cc947b138d1a06c12174f5b34f5d7144244a
# overlay codegen/overlay.yaml sha256 3692b5f87c6521133d2429f4cc2d1b1434f6b3f200a84ef1115ac268c8973df4
# Regenerate with `make generate`; change codegen/, never this file.
"""The contract between the generated resources and the hand-written client core.

``codegen/generate.py`` copies this module unchanged (under the DO NOT EDIT header) to
``pylon_client/_generated/_contract.py``; the generated ``_resources.py`` imports from it and
re-exports its public names. Edit it here: it is linted and type-checked like any other module
(``_endpoints.pyi`` and ``types.pyi`` beside it point mypy at the generated modules it imports).

* ``Core``: what the resources call, implemented by ``pylon_client.AsyncPylon``;
* ``Paginator`` and ``PageLike``: what list and search methods return, page by page;
* ``PageData``: one parsed page, as the parse functions hand it to ``Core.paginate``;
* ``Upload``, ``FileContent``, ``AsyncReadable``: what an upload method takes as a file;
* ``RequestOptions``: the per-call ``extra_headers``, ``extra_query``, ``extra_body`` and
  ``timeout`` every method takes, ``None`` when none was given;
* ``RawResponseLike``: what ``with_raw_response`` methods return, implemented by
  ``pylon_client.RawResponse``; ``_raw`` and ``_raw_pages`` retype a method bound to a core
  that answers raw (they are the identity at run time);
* ``Runner``, ``SyncPaginatorLike``, ``_blocking``: what the sync classes call to run an async
  method to completion, implemented by ``pylon_client.Pylon``'s worker thread;
* ``FilterInput``: what a search's ``filter=`` takes, a ``pylon_client.F`` expression
  (``FilterLike``) or a dict written as Pylon's JSON (``FilterDict``, its ``operator`` one
  of the 22 ``FilterOperator`` values).
"""

from __future__ import annotations

import datetime
import os
import re
import typing
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from typing import (
    IO,
    Any,
    Literal,
    NamedTuple,
    ParamSpec,
    Protocol,
    Required,
    TypeAlias,
    TypedDict,
    TypeVar,
    cast,
)
from urllib.parse import quote

import httpx

from ._endpoints import Endpoint
from .types import UNSET, Unset

__all__ = [
    "AsyncReadable",
    "CallOptions",
    "Core",
    "Deadline",
    "FileContent",
    "FilterDict",
    "FilterInput",
    "FilterLike",
    "FilterOperator",
    "PageData",
    "PageLike",
    "Paginator",
    "RateLimit",
    "RawResponseLike",
    "RequestOptions",
    "Runner",
    "SyncPaginatorLike",
    "Timeout",
    "Upload",
    "check_call_options",
    "encode_segment",
    "page_data",
]

P = ParamSpec("P")
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

Timeout: TypeAlias = float | httpx.Timeout | None
"""A per-call timeout: seconds, an ``httpx.Timeout``, or ``None`` for no limit."""
Deadline: TypeAlias = float | datetime.timedelta | None
"""A bound on a whole call, retries and waits included: seconds, a ``timedelta``, or ``None``."""


FilterOperator: TypeAlias = Literal[
    "and",
    "or",
    "equals",
    "not_equals",
    "contains",
    "does_not_contain",
    "in",
    "not_in",
    "includes_all_of",
    "is_set",
    "is_unset",
    "time_is_after",
    "time_is_before",
    "time_range",
    "string_contains",
    "string_does_not_contain",
    "starts_with",
    "ends_with",
    "greater_than",
    "greater_than_or_equals",
    "less_than",
    "less_than_or_equals",
]
"""Every operator of Pylon's search filters."""


class FilterDict(TypedDict, total=False):
    """A search filter as Pylon's JSON: a condition on ``field``, or ``and``/``or`` of subfilters."""

    operator: Required[FilterOperator]
    field: str
    value: Any
    values: Sequence[Any]
    subfilters: Sequence[FilterDict]


class FilterLike(Protocol):
    """A built filter: ``pylon_client.F("state").equals("new")`` and its combinations."""

    def to_dict(self) -> dict[str, Any]: ...


FilterInput: TypeAlias = FilterLike | FilterDict
"""What a search's ``filter=`` takes; the client checks it before sending (``InvalidFilterError``)."""


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


class CallOptions(TypedDict, total=False):
    """The per-call options as keywords, for helpers that pass them on to every call they make."""

    extra_headers: Mapping[str, str] | None
    extra_query: Mapping[str, Any] | None
    extra_body: Mapping[str, Any] | None
    timeout: Timeout | Unset
    deadline: Deadline | Unset


_CALL_OPTIONS = frozenset(CallOptions.__annotations__)


_PLAIN_SEGMENT = re.compile(r"[A-Za-z0-9_~-]+").fullmatch


def encode_segment(value: str) -> str:
    """Percent-encode one path segment: ``/``, ``?``, ``#``, ``.`` and ``..`` never move the path.

    The one encoding of ids into paths, for the facade (``Core.segment``) and the generated
    ``api`` functions alike. ``.`` and ``..`` are dot segments that URL normalisation would
    resolve away (``DELETE /tasks/.`` would be ``DELETE /tasks``), so their dots are encoded.

    Raises:
        ValueError: an empty value (``/tasks/`` is another endpoint).

    """
    if _PLAIN_SEGMENT(value):
        return value  # ids are usually plain: nothing to encode
    if not value:
        raise ValueError("a path parameter must not be empty")
    encoded = quote(value, safe="")
    return encoded.replace(".", "%2E") if encoded in (".", "..") else encoded


def check_call_options(name: str, options: Mapping[str, Any]) -> None:
    """Refuse a keyword that is not a per-call option, before any request is sent."""
    unknown = sorted(set(options) - _CALL_OPTIONS)
    if unknown:
        raise TypeError(f"{name}() got unexpected keyword argument(s): {', '.join(unknown)}")


class RequestOptions(NamedTuple):
    """The per-call options of one method call, as given (``UNSET``: the client's own)."""

    headers: Mapping[str, str] | None
    query: Mapping[str, Any] | None
    body: Mapping[str, Any] | None
    timeout: Timeout | Unset
    deadline: Deadline | Unset = UNSET


class RateLimit(NamedTuple):
    """The rate-limit headers of one answer: the endpoint's budget as Pylon counted it.

    ``limit`` is requests a minute (``X-RateLimit-Limit``), ``remaining`` what is left after this
    call, ``reset`` the seconds until the budget refills; ``limit`` and ``reset`` are None when
    Pylon did not say.
    """

    limit: int | None
    remaining: int
    reset: float | None


class RawResponseLike(Protocol[T_co]):
    """One call's HTTP response, read whole, with ``parse()`` for the typed result."""

    @property
    def http_response(self) -> httpx.Response: ...

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> httpx.Headers: ...

    @property
    def content(self) -> bytes: ...

    @property
    def request_id(self) -> str | None: ...

    @property
    def rate_limit(self) -> RateLimit | None: ...

    def parse(self) -> T_co: ...


class SyncPaginatorLike(Protocol[T]):
    """What list and search methods of the sync client return: an iterator of items.

    Implemented by ``pylon_client.SyncPaginator``.
    """

    @property
    def cursor(self) -> str | None: ...

    def __iter__(self) -> Iterator[T]: ...

    def pages(self) -> Iterator[PageLike[T]]: ...

    def collect(self) -> list[T]: ...


class Runner(Protocol):
    """Runs the async methods for the sync classes; implemented by ``pylon_client.Pylon``."""

    def run(self, func: Callable[..., Awaitable[T]], /, *args: Any, **kwargs: Any) -> T: ...

    def paginator(self, paginator: Paginator[T]) -> SyncPaginatorLike[T]: ...


class Core(Protocol):
    """The client core the resources call; implemented by ``pylon_client.AsyncPylon``."""

    def segment(self, value: str, name: str) -> str: ...

    def when(self, value: Any, name: str) -> Any: ...

    def body(self, value: Any) -> dict[str, Any]: ...

    def search_filter(self, value: FilterInput | None) -> dict[str, Any] | None: ...

    async def request(
        self,
        endpoint: Endpoint,
        path: str,
        parse: Callable[[Any], T],
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        options: RequestOptions | None = None,
    ) -> T: ...

    async def upload(
        self,
        endpoint: Endpoint,
        path: str,
        parse: Callable[[Any], T],
        *,
        fields: dict[str, Any],
        files: dict[str, Upload | Sequence[Upload]],
        options: RequestOptions | None = None,
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
        options: RequestOptions | None = None,
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


def _options(
    extra_headers: Mapping[str, str] | None,
    extra_query: Mapping[str, Any] | None,
    extra_body: Mapping[str, Any] | None,
    timeout: Timeout | Unset,
    deadline: Deadline | Unset = UNSET,
) -> RequestOptions | None:
    """Return the per-call options, or ``None`` (the common case) when none was given."""
    if (
        extra_headers is None
        and extra_query is None
        and extra_body is None
        and timeout is UNSET
        and deadline is UNSET
    ):
        return None
    return RequestOptions(extra_headers, extra_query, extra_body, timeout, deadline)


def _raw(func: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[RawResponseLike[T]]]:
    """Retype a method whose core answers raw; the method itself is returned."""
    return cast(Callable[P, Awaitable[RawResponseLike[T]]], func)


def _raw_pages(
    func: Callable[P, Paginator[T]],
) -> Callable[P, Awaitable[RawResponseLike[PageLike[T]]]]:
    """Retype a list method whose core answers raw: it returns the first page, raw."""
    return cast(Callable[P, Awaitable[RawResponseLike[PageLike[T]]]], func)


def _blocking(runner: Runner, func: Callable[P, Awaitable[T]]) -> Callable[P, T]:
    """Return ``func`` as a blocking function that ``runner`` runs to completion."""

    def call(*args: P.args, **kwargs: P.kwargs) -> T:
        return runner.run(func, *args, **kwargs)

    call.__name__ = getattr(func, "__name__", "call")
    call.__doc__ = func.__doc__
    call.__wrapped__ = func  # type: ignore[attr-defined]  # help() and inspect show its signature
    return call


C = TypeVar("C", bound=type)


def _shown_as_called(cls: C) -> C:
    """Show each overloaded method of ``cls`` with the signature of its first ``@overload``.

    A method that takes keyword fields or ``body=`` is written with every field optional, so
    that one body serves both overloads; its first overload is the honest one (required fields
    without a default). ``help()`` and ``inspect.signature`` follow ``__wrapped__`` to it, and
    work the signature out only when asked, so loading a resource costs a lookup per method;
    the docstring says that ``body=`` may stand in for the fields.
    """
    for func in list(vars(cls).values()):
        overloads = typing.get_overloads(func) if callable(func) else []
        if overloads:
            func.__wrapped__ = overloads[0]  # read by inspect.signature, hence by help()
    return cls


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
    items = [parse_item(item) for item in data]
    return page_data(items, payload.get("pagination"), payload.get("request_id"))


def page_data(items: list[Any], pagination: Any, request_id: Any) -> PageData:
    """Return a page of parsed ``items`` with the envelope's ``pagination`` and ``request_id``."""
    cursor = has_next = None
    if isinstance(pagination, dict):
        cursor = pagination.get("cursor")
        has_next = pagination.get("has_next_page")
    return PageData(
        items,
        cursor if isinstance(cursor, str) else None,
        has_next if isinstance(has_next, bool) else None,
        request_id,
        isinstance(pagination, dict),
    )
