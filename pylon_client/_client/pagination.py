"""Cursor pagination: list and search calls return an :class:`AsyncPaginator`.

An :class:`AsyncPaginator` is an async iterator of items that fetches pages lazily::

    async for task in pylon.tasks.list():
        ...
    async for page in pylon.tasks.search(filter=F("status").equals("completed")).pages():
        print(len(page.items), page.cursor)
    tasks = await pylon.tasks.list(max_items=50).collect()

When pages end (Pylon's rules, not the spec's): the last page is the one whose
``has_next_page`` is false, or whose cursor is missing or empty, or that has no ``pagination``
at all. An empty page that says there is a next page is *not* the end. A server that hands back
a cursor it already gave raises :class:`ResponseValidationError` instead of looping forever.

Each page's response is read and closed before its items are handed out, so leaving a loop
early (``break``, a cancel scope, an exception) leaves no connection open and no task running.
The iterators are plain classes, not async generators, so nothing needs finalizing.

``item_batches()`` hands out the items a page at a time, with ``max_items`` applied: the item
iterator is built on it, and so is the sync client's ``SyncPaginator`` (``_sync/portal.py``), which
crosses to the event loop once per page instead of once per item.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

from .._exceptions import PylonInputError, ResponseValidationError
from .._generated._endpoints import Endpoint
from .._generated._resources import PageData

__all__ = ["AsyncPaginator", "Page"]

T = TypeVar("T")

# (endpoint, path, params, json) -> parsed page; supplied by the client core.
FetchPage = Callable[
    [Endpoint, str, "dict[str, Any] | None", "dict[str, Any] | None"], Awaitable[PageData]
]


class Page(Generic[T]):
    """One page: its ``items``, the next page's ``cursor``, ``has_next_page``, ``request_id``."""

    __slots__ = ("cursor", "has_next_page", "items", "request_id")

    def __init__(
        self, items: Sequence[T], cursor: str | None, has_next_page: bool, request_id: str | None
    ) -> None:
        self.items = items
        self.cursor = cursor
        self.has_next_page = has_next_page
        self.request_id = request_id

    def __repr__(self) -> str:
        return (
            f"Page(items={len(self.items)}, has_next_page={self.has_next_page}, "
            f"cursor={self.cursor!r}, request_id={self.request_id!r})"
        )


class AsyncPaginator(Generic[T]):
    """Async iterator over every item of a list or search, fetching pages on demand.

    Args (given by the resource method):
        limit: page size, checked against Pylon's bounds for the endpoint before any request.
        cursor: start from a saved cursor (for example ``paginator.cursor`` of an interrupted run).
        max_items: stop after this many items.

    ``cursor`` always holds the cursor of the next page not yet fetched (None before the first
    page when not resuming, and once the last page is in), so an interrupted export can resume.
    """

    def __init__(
        self,
        fetch: FetchPage,
        endpoint: Endpoint,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        max_items: int | None = None,
    ) -> None:
        _check_limit(endpoint, limit)
        if max_items is not None and (
            isinstance(max_items, bool) or not isinstance(max_items, int) or max_items < 0
        ):
            raise PylonInputError(f"max_items must be a whole number >= 0, got {max_items!r}")
        if cursor is not None and (not isinstance(cursor, str) or not cursor):
            raise PylonInputError("cursor must be a non-empty string from an earlier page")
        if cursor is not None and endpoint.paging == "single":
            raise PylonInputError(f"{endpoint.key} has no cursor: it returns one page")
        self._fetch = fetch
        self._endpoint = endpoint
        self._path = path
        self._params = params
        self._json = json
        self._limit = limit
        self._max_items = max_items
        self.cursor: str | None = cursor
        self._done = False
        self._seen_cursors: set[str] = set()

    def __repr__(self) -> str:
        return f"AsyncPaginator({self._endpoint.key}, cursor={self.cursor!r}, done={self._done})"

    async def _next_page(self) -> Page[T] | None:
        if self._done:
            return None
        endpoint = self._endpoint
        params, json = self._params, self._json
        if endpoint.paging == "query":
            params = dict(params or {})
            if self._limit is not None:
                params["limit"] = self._limit
            if self.cursor:
                params["cursor"] = self.cursor
        elif endpoint.paging == "body":
            json = dict(json or {})
            if self._limit is not None:
                json["limit"] = self._limit
            if self.cursor:
                json["cursor"] = self.cursor
        data = await self._fetch(endpoint, self._path, params, json)
        cursor = data.cursor or None
        has_next = bool(
            endpoint.paging != "single"
            and data.has_pagination
            and data.has_next_page is not False
            and cursor
        )
        if has_next:
            assert cursor is not None  # noqa: S101 (narrowing: has_next implies a cursor)
            if cursor in self._seen_cursors or cursor == self.cursor:
                raise ResponseValidationError(
                    f"{endpoint.key} returned a cursor it already returned; stopping instead "
                    "of looping forever",
                    status_code=200,
                    body=cursor,
                )
            self._seen_cursors.add(cursor)
            self.cursor = cursor
        else:
            self.cursor = None
            self._done = True
        return Page(data.items, cursor, has_next, data.request_id)

    def pages(self) -> _PageIterator[T]:
        """Iterate page by page (each a :class:`Page`); ``max_items`` is not applied here."""
        return _PageIterator(self)

    def item_batches(self) -> _ItemBatches[T]:
        """Return the items in batches, a page at a time, cut at ``max_items`` as ``async for`` is.

        Each ``await batches.next_batch()`` fetches pages until one has items (or the listing
        ends) and returns those items, cut at ``max_items``; ``batches.exhausted`` says, without
        any I/O, that the next call would return nothing.
        """
        return _ItemBatches(self)

    def __aiter__(self) -> _ItemIterator[T]:
        return _ItemIterator(self)

    async def collect(self) -> list[T]:
        """Gather every item (up to ``max_items``) into a list; for small results."""
        return [item async for item in self]


class _PageIterator(Generic[T]):
    __slots__ = ("_paginator",)

    def __init__(self, paginator: AsyncPaginator[T]) -> None:
        self._paginator = paginator

    @property
    def exhausted(self) -> bool:
        """True once the last page is in: the next step would fetch nothing."""
        return self._paginator._done

    def __aiter__(self) -> _PageIterator[T]:
        return self

    async def __anext__(self) -> Page[T]:
        page = await self._paginator._next_page()
        if page is None:
            raise StopAsyncIteration
        return page


class _ItemBatches(Generic[T]):
    """The items of each page in turn, cut at ``max_items``; the one place that rule lives."""

    __slots__ = ("_left", "_paginator")

    def __init__(self, paginator: AsyncPaginator[T]) -> None:
        self._paginator = paginator
        self._left = paginator._max_items

    @property
    def exhausted(self) -> bool:
        """True when ``max_items`` is reached or the last page is in: no more items, no I/O."""
        return (self._left is not None and self._left <= 0) or self._paginator._done

    async def next_batch(self) -> Sequence[T]:
        """Return the next non-empty page's items (cut at ``max_items``), or ``()`` at the end."""
        while not self.exhausted:
            page = await self._paginator._next_page()
            if page is None:
                break
            items = page.items
            if self._left is not None:
                items = items[: self._left]
                self._left -= len(items)
            if items:
                return items
        return ()


class _ItemIterator(Generic[T]):
    __slots__ = ("_batches", "_buffer", "_index")

    def __init__(self, paginator: AsyncPaginator[T]) -> None:
        self._batches = _ItemBatches(paginator)
        self._buffer: Sequence[T] = ()
        self._index = 0

    def __aiter__(self) -> _ItemIterator[T]:
        return self

    async def __anext__(self) -> T:
        if self._index >= len(self._buffer):
            self._buffer, self._index = await self._batches.next_batch(), 0
            if not self._buffer:
                raise StopAsyncIteration
        item = self._buffer[self._index]
        self._index += 1
        return item


def _check_limit(endpoint: Endpoint, limit: int | None) -> None:
    if limit is None:
        return
    if endpoint.paging == "single":
        raise PylonInputError(f"{endpoint.key} takes no limit: it returns one page")
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise PylonInputError(f"limit must be an int, got {type(limit).__name__}")
    low = endpoint.limit_min if endpoint.limit_min is not None else 1
    high = endpoint.limit_max
    if limit < low or (high is not None and limit > high):
        bound = f"{low} to {high}" if high is not None else f"at least {low}"
        raise PylonInputError(f"limit for {endpoint.key} must be {bound}, got {limit}")
