"""``FacadeClient``: enough of ``httpx.AsyncClient`` for the fake's walks, sent through the facade.

It looks like the client the walks (``core_walks.ALL_WALKS``) expect, but sends each request by
calling the facade method that owns it (``pylon.issues.create_reply(id, body_html=...,
message_id=...)``), with the request's JSON fields, query parameters and multipart parts as
that method's keyword arguments, and answers with the response the client received (or the
error envelope of the ``PylonAPIError`` it raised). Methods the hand-written layer overrides
(``issues.list``, ``accounts.update_many``, ``accounts.merge``) are called as generated, under
the override. Used by ``test_facade_walk``, ``test_accel`` and ``test_sync_client`` (whose
subclass sends with the sync client).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Sequence
from typing import Any

import httpx

from pylon_client import AsyncPylon, PylonAPIError
from pylon_client._generated import _resources as generated
from pylon_client._generated._endpoints import ENDPOINTS, Endpoint

__all__ = ["FacadeClient"]

TEMPLATES = sorted(
    (
        (re.compile("^" + re.sub(r"\{[^}]+\}", "([^/]+)", e.path) + "$"), e)
        for e in ENDPOINTS.values()
    ),
    key=lambda pair: pair[1].path.count("{"),  # literal segments first: /issues/search
)


def _endpoint(method: str, path: str) -> tuple[Endpoint, list[str]]:
    for pattern, endpoint in TEMPLATES:
        found = pattern.match(path)
        if endpoint.method == method and found:
            return endpoint, list(found.groups())
    raise AssertionError(f"no facade method for {method} {path}")


def _method(pylon: AsyncPylon, endpoint: Endpoint) -> Any:
    """The generated method behind ``endpoint.call``, bound to its resource."""
    _, *names = endpoint.call.split(".")
    owner: Any = pylon if len(names) == 1 else getattr(pylon, names[0])
    name = names[-1]
    for klass in type(owner).__mro__:
        if klass.__module__.startswith(generated.__package__ or "") and name in vars(klass):
            return getattr(klass, name).__get__(owner)
    return getattr(owner, name)


def _arg(name: str) -> str:
    return f"{name}_" if keyword.iskeyword(name) else name


def _multipart(files: Any, data: Any) -> dict[str, Any]:
    parts: Sequence[tuple[str, Any]] = list(files.items()) if isinstance(files, dict) else files
    out: dict[str, Any] = dict(data or {})
    for name, (filename, content, *kind) in parts:
        value: Any = content.decode() if filename is None else (filename, content, *kind)
        if name in out:
            out[name] = [*(out[name] if isinstance(out[name], list) else [out[name]]), value]
        else:
            out[name] = value
    for name in ("files",):
        if name in out and not isinstance(out[name], list):
            out[name] = [out[name]]
    return out


class FacadeClient:
    """Enough of ``httpx.AsyncClient`` for the walks, sending through the facade."""

    def __init__(self, pylon: Any) -> None:
        self.pylon = pylon  # an AsyncPylon here; a Pylon in test_sync_client
        self.called: set[str] = set()

    async def request(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        params: Any = None,
        files: Any = None,
        data: Any = None,
    ) -> httpx.Response:
        endpoint, path_args = _endpoint(method, url)
        kwargs: dict[str, Any] = {}
        if files is not None or data is not None:
            kwargs.update(_multipart(files, data))
        elif isinstance(json, dict):
            kwargs.update(json)
        kwargs.update(params or {})
        kwargs = {_arg(k): v for k, v in kwargs.items()}
        call = _method(self.pylon, endpoint)
        self.called.add(endpoint.key)
        try:
            await self.send(call, endpoint, path_args, kwargs)
        except PylonAPIError as exc:
            body = {"errors": exc.errors, "code": exc.code, "request_id": exc.request_id}
            return httpx.Response(exc.status_code, json=body, request=httpx.Request(method, url))
        last = self.pylon.last_response
        assert last is not None
        return httpx.Response(
            last.status_code, content=last.content, request=httpx.Request(method, url)
        )

    async def send(
        self, call: Any, endpoint: Endpoint, path_args: list[str], kwargs: dict[str, Any]
    ) -> None:
        """Call the facade method: a list's first page, or the one request."""
        if endpoint.paging:
            await anext(call(*path_args, **kwargs).pages())
        else:
            await call(*path_args, **kwargs)

    async def get(self, url: str, **kw: Any) -> httpx.Response:
        return await self.request("GET", url, **kw)

    async def post(self, url: str, **kw: Any) -> httpx.Response:
        return await self.request("POST", url, **kw)

    async def patch(self, url: str, **kw: Any) -> httpx.Response:
        return await self.request("PATCH", url, **kw)

    async def delete(self, url: str, **kw: Any) -> httpx.Response:
        return await self.request("DELETE", url, **kw)
