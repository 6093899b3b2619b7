"""The fake's routes: every handler under its method and path template, and the match.

The ``_res_*`` modules each list their ``ROUTES``; they are tried in order, and the first
whose template matches the path and whose method is the request's wins. A path that some
route matches under another method is "method not allowed", one that none matches "no
route"; both answer 404, as Pylon does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs
from starlette.routing import compile_path

from . import (
    _res_accounts,
    _res_catalog,
    _res_contacts,
    _res_conversation,
    _res_files,
    _res_import,
    _res_issues,
    _res_kb,
    _res_org,
    _res_projects,
    _res_records,
    _res_sdk_misc,
    _res_sdk_people,
    _res_sdk_records,
    _res_task_extra,
    _res_tasks,
)
from ._protocol import ApiError
from ._store import Handler

__all__ = ["OPERATIONS", "Route", "match_route"]


@attrs.frozen
class Route:
    """One route: the method, the path template, its pattern and its handler."""

    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Handler


def _compile(routes: Iterable[tuple[str, str, Handler]]) -> list[Route]:
    return [Route(m, t, compile_path(t)[0], h) for m, t, h in routes]


_ROUTES = _compile(
    [
        # Operations known from usepylon alone first: their literal segments (/issues/merge,
        # /tags/search) must not be taken for an id.
        *_res_sdk_people.ROUTES,
        *_res_sdk_records.ROUTES,
        *_res_sdk_misc.ROUTES,
        *_res_issues.ROUTES,
        *_res_accounts.ROUTES,
        *_res_contacts.ROUTES,
        *_res_tasks.ROUTES,
        *_res_task_extra.ROUTES,
        *_res_projects.ROUTES,
        *_res_org.ROUTES,
        *_res_kb.ROUTES,
        *_res_conversation.ROUTES,
        *_res_files.ROUTES,
        *_res_import.ROUTES,
        *_res_catalog.ROUTES,
        *_res_records.ROUTES,
    ]
)


def match_route(method: str, path: str) -> tuple[Route, dict[str, str]]:
    """Return the first route for ``method`` and ``path``, and its path parameters; else 404."""
    path_matched = False
    for route in _ROUTES:
        found = route.pattern.match(path)
        if found is None:
            continue
        path_matched = True
        if route.method == method:
            return route, found.groupdict()
    detail = f"method {method} not allowed on {path}" if path_matched else f"no route {path}"
    raise ApiError(404, "not_found", detail)


OPERATIONS: tuple[str, ...] = tuple(f"{r.method} {r.template}" for r in _ROUTES)
"""Every endpoint the fake serves, as ``"METHOD /template"``, in the order they are tried."""
