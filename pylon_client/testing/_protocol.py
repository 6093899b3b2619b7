"""What handlers see and return: the parsed call, and the error they raise."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

__all__ = [
    "JSON",
    "ApiError",
    "Call",
]

JSON = dict[str, Any]


@attrs.frozen
class Call:
    """One request, after routing and JSON parsing.

    ``template`` is the route (``/tasks/{id}``); ``body`` is the parsed JSON or None;
    ``organization`` is the caller's organization (``id``, ``name``) when the token belongs to
    another one than the store's, else None.
    """

    method: str
    template: str
    params: Mapping[str, str]
    query: Mapping[str, str]
    body: Any
    organization: Mapping[str, Any] | None = None


class ApiError(Exception):
    """An error response in Pylon's envelope: ``{"errors", "request_id", "code"}``."""

    def __init__(
        self,
        status: int,
        code: str,
        *messages: str,
        headers: Mapping[str, str] | None = None,
        exists_id: str | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {'; '.join(messages)}")
        self.status = status
        self.code = code
        self.messages = list(messages) or [code]
        self.headers = dict(headers or {})
        self.exists_id = exists_id

    @classmethod
    def bad_request(cls, *messages: str) -> ApiError:
        """Return a 400 ``invalid_request_body``."""
        return cls(400, "invalid_request_body", *messages)

    @classmethod
    def not_found(cls, kind: str, object_id: str) -> ApiError:
        """Return a 404 ``not_found`` for ``kind`` (e.g. "task") ``object_id``."""
        return cls(404, "not_found", f"{kind} {object_id!r} not found")

    def body(self, request_id: str) -> JSON:
        """Return the error envelope."""
        out: JSON = {"errors": self.messages, "request_id": request_id, "code": self.code}
        if self.exists_id is not None:
            out["exists_id"] = self.exists_id
        return out
