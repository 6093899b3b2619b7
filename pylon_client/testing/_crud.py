"""Handler factories shared by every kind of object: get, delete, list, search."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ._paging import page_envelope
from ._protocol import JSON, Call
from ._search import FieldGetter, compile_filter
from ._store import Handler, Store
from ._validate import body_object, parse_limit

__all__ = [
    "LIST_MAX",
    "SEARCH_MAX",
    "deleter",
    "getter",
    "lister",
    "paged",
    "searcher",
    "set_date",
    "set_ref",
    "unpaged_lister",
]

LIST_MAX = 999  # GET lists allow "fewer than 1000"
SEARCH_MAX = 1000


def getter(name: str, kind: str) -> Handler:
    """``GET /<name>/{id}``."""

    def handle(store: Store, call: Call) -> JSON:
        return {"data": store.get(store.collection(name), kind, call.params["id"])}

    return handle


def deleter(name: str, kind: str) -> Handler:
    """``DELETE /<name>/{id}``: forget the object; the answer is ``{request_id}`` alone."""

    def handle(store: Store, call: Call) -> JSON:
        objects = store.collection(name)
        store.get(objects, kind, call.params["id"])
        del objects[call.params["id"]]
        return {}

    return handle


def paged(store: Store, call: Call, items: Sequence[JSON], *, cursor: Any, limit: int) -> JSON:
    """Return one page of ``items`` in the list envelope."""
    page, pagination = page_envelope(
        items,
        salt=store.cursor_salt,
        route=f"{call.method} {call.template}",
        cursor=cursor,
        limit=limit,
    )
    return {"data": page, "pagination": pagination}


def lister(name: str) -> Handler:
    """``GET /<name>`` with ``cursor`` and ``limit`` query parameters, oldest first."""

    def handle(store: Store, call: Call) -> JSON:
        limit = parse_limit(call.query.get("limit"), maximum=LIST_MAX)
        items = list(store.collection(name).values())
        return paged(store, call, items, cursor=call.query.get("cursor"), limit=limit)

    return handle


def unpaged_lister(name: str) -> Handler:
    """``GET /<name>`` without a cursor (users, teams, tags, ...): everything at once."""

    def handle(store: Store, call: Call) -> JSON:
        return {"data": list(store.collection(name).values())}

    return handle


def searcher(
    name: str,
    fields: Mapping[str, FieldGetter],
    *,
    text_fields: Sequence[str] = (),
    order: Callable[[Iterable[JSON]], list[JSON]] = list,
) -> Handler:
    """``POST /<name>/search``: ``filter``, ``cursor``, ``limit`` (and ``search_text``)."""

    def handle(store: Store, call: Call) -> JSON:
        body = body_object(call)
        limit = parse_limit(body.get("limit"), maximum=SEARCH_MAX)
        items: Iterable[JSON] = store.collection(name).values()
        if body.get("filter") is not None:
            predicate = compile_filter(body["filter"], fields)
            items = filter(predicate, items)
        text = body.get("search_text")
        if text_fields and isinstance(text, str) and text.strip():
            needle = text.strip().lower()
            items = [
                o for o in items if any(needle in str(o.get(f) or "").lower() for f in text_fields)
            ]
        return paged(store, call, order(items), cursor=body.get("cursor"), limit=limit)

    return handle


def set_ref(obj: JSON, key: str, object_id: str | None) -> None:
    """Set ``obj[key] = {"id": object_id}``; None leaves it, ``""`` removes it."""
    if object_id is None:
        return
    if object_id == "":
        obj.pop(key, None)
    else:
        obj[key] = {"id": object_id}


def set_date(obj: JSON, name: str, value: str | None) -> None:
    """Set ``obj[name]`` to a date: ``""`` clears it, None (null or absent) leaves it."""
    if value == "":
        obj.pop(name, None)
    elif value is not None:
        obj[name] = value
