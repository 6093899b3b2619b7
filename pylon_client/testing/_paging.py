"""Opaque cursors and page envelopes.

A cursor is base64 of ``salt:route:offset``. The salt comes from the fake's seed and the route
is the endpoint template, so a cursor from another fake or another endpoint is rejected with
400, as a forged or stale cursor would be. Offsets are not stable when objects are created or
deleted between pages; Pylon makes no stronger promise.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any, TypeVar

from ._protocol import JSON, ApiError

__all__ = ["decode_cursor", "encode_cursor", "page_envelope"]

T = TypeVar("T")


def encode_cursor(salt: str, route: str, offset: int) -> str:
    """Return the opaque cursor for ``offset`` on ``route``."""
    raw = f"{salt}:{route}:{offset}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(salt: str, route: str, cursor: Any) -> int:
    """Return the offset a cursor stands for; 400 if it is not one of ours."""
    if cursor is None or cursor == "":
        return 0
    bad = ApiError.bad_request(f"invalid cursor {cursor!r}")
    if not isinstance(cursor, str):
        raise bad
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise bad from None
    cursor_salt, _, rest = text.partition(":")
    cursor_route, _, offset = rest.rpartition(":")
    if cursor_salt != salt or cursor_route != route or not offset.isdigit():
        raise bad
    return int(offset)


def page_envelope(
    items: Sequence[T], *, salt: str, route: str, cursor: Any, limit: int
) -> tuple[list[T], JSON]:
    """Cut one page from ``items``; return it and the ``pagination`` object.

    The last page says ``has_next_page: false`` with an empty cursor.
    """
    offset = decode_cursor(salt, route, cursor)
    page = list(items[offset : offset + limit])
    end = offset + limit
    more = end < len(items)
    pagination: JSON = {
        "cursor": encode_cursor(salt, route, end) if more else "",
        "has_next_page": more,
    }
    return page, pagination
