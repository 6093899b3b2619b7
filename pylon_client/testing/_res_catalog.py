"""The organization's settings (seeded by :mod:`._catalog`): statuses, forms, roles, macros...

Issue statuses, ticket forms, user roles, activity types, audit logs, macro groups and surveys
are read only; macros can also be created and updated.
"""

from __future__ import annotations

from collections.abc import Iterable

from ._crud import LIST_MAX, getter, paged
from ._protocol import JSON, Call
from ._search import compile_filter, key
from ._store import Handler, Store
from ._validate import Reader, body_object, parse_limit, parse_time

__all__ = ["MACRO_TEXT_TYPES", "ROUTES", "SURVEY_FIELDS", "VISIBILITY_TYPES"]

MACRO_TEXT_TYPES = ("reply", "note", "email")
VISIBILITY_TYPES = ("org", "user", "team", "users_and_teams")
SURVEY_FIELDS = {
    "id": key("id"),
    "name": key("name"),
    "type": key("type"),
    "updated_at": key("updated_at"),
}
_VISIBILITY = {"type": str, "user_ids": list, "team_ids": list}


def one_page(items: Iterable[JSON]) -> JSON:
    """Return ``items`` as one complete page: Pylon sends ``pagination`` on these lists."""
    return {"data": list(items), "pagination": {"cursor": "", "has_next_page": False}}


def _whole(name: str, *, paginated: bool) -> Handler:
    """``GET /<name>``: every object at once (with a one-page ``pagination`` if Pylon sends one)."""

    def handle(store: Store, call: Call) -> JSON:
        items = store.collection(name).values()
        return one_page(items) if paginated else {"data": list(items)}

    return handle


def list_audit_logs(store: Store, call: Call) -> JSON:
    """``GET /audit-logs``: newest first, with ``cursor`` and ``limit`` (fewer than 1000)."""
    limit = parse_limit(call.query.get("limit"), maximum=LIST_MAX)
    items = sorted(store.audit_logs.values(), key=lambda e: e["created_at"], reverse=True)
    return paged(store, call, items, cursor=call.query.get("cursor"), limit=limit)


def list_macros(store: Store, call: Call) -> JSON:
    """``GET /macros``: all macros, or those of ``macro_group_id``."""
    group = call.query.get("macro_group_id")
    macros = [m for m in store.macros.values() if group in (None, "", m["macro_group_id"])]
    return {"data": macros}


def _read_visibility(store: Store, r: Reader) -> JSON | None:
    visibility = r.mapping("visibility", _VISIBILITY)
    if visibility is None:
        return None
    kind = visibility.get("type")
    if kind not in VISIBILITY_TYPES:
        r.errors.append(f"visibility.type must be one of {', '.join(VISIBILITY_TYPES)}")
    for name, objects, needed in (
        ("user_ids", store.users, ("user", "users_and_teams")),
        ("team_ids", store.teams, ("team", "users_and_teams")),
    ):
        ids = visibility.get(name, [])
        if kind in needed and not ids:
            r.errors.append(f"visibility.{name} is required when type is {kind!r}")
        r.errors += [f"visibility.{name}: no such id {i!r}" for i in ids if i not in objects]
    return visibility


def _macro_writer(creating: bool) -> Handler:
    """``POST /macros`` (``macro_group_id``, ``name``, ``text_html``) or ``PATCH /macros/{id}``.

    ``text_type`` is ``reply`` (the default), ``note`` or ``email``; ``visibility`` is
    ``{type, user_ids, team_ids}``; ``conditions``, a filter object, is not kept (Pylon's Macro
    does not show it).
    """

    def handle(store: Store, call: Call) -> JSON:
        macro = None if creating else store.get(store.macros, "macro", call.params["id"])
        r = Reader(body_object(call))
        given = {
            "macro_group_id": r.ref(
                "macro_group_id", store.macro_groups, "macro group", required=creating
            ),
            "name": r.string("name", required=creating),
            "text_html": r.string("text_html", required=creating),
            "text_type": r.string("text_type", choices=MACRO_TEXT_TYPES),
            "visibility": _read_visibility(store, r),
        }
        if r.body.get("conditions") is not None and not isinstance(r.body["conditions"], dict):
            r.errors.append("conditions must be a filter object")
        r.done()
        now = store.now()
        if macro is None:
            macro = {
                "id": store.new_id(),
                "text_type": "reply",
                "visibility": {"type": "org"},
                "has_actions": False,
                "actions": [],
                "created_at": now,
            }
            store.add(store.macros, macro)
        macro.update({k: v for k, v in given.items() if v is not None})
        macro["updated_at"] = now
        return {"data": macro}

    return handle


def search_surveys(store: Store, call: Call) -> JSON:
    """``POST /surveys/search``: ``filter`` (on ``id``, ``name``, ``type``, ``updated_at``)."""
    body = body_object(call)
    limit = parse_limit(body.get("limit"), maximum=LIST_MAX)
    items: Iterable[JSON] = store.surveys.values()
    if body.get("filter") is not None:
        items = filter(compile_filter(body["filter"], SURVEY_FIELDS), items)
    return {"data": list(items)[:limit]}


def list_survey_responses(store: Store, call: Call) -> JSON:
    """``GET /surveys/{id}/responses``: filtered by time, account and contact; paged."""
    survey = store.get(store.surveys, "survey", call.params["id"])
    r = Reader(call.query)
    bounds = [r.time(name) for name in ("submitted_after", "submitted_before")]
    account_id, contact_id = r.string("account_id"), r.string("contact_id")
    limit = parse_limit(call.query.get("limit"), maximum=LIST_MAX)
    r.done()
    after, before = (parse_time(b) if b else None for b in bounds)
    items = []
    for item in store.survey_responses.get(survey["id"], []):
        moment = parse_time(item["submitted_at"])
        if after and (moment is None or moment <= after):
            continue
        if before and (moment is None or moment >= before):
            continue
        if account_id and item.get("account_id") != account_id:
            continue
        if contact_id and item.get("contact_id") != contact_id:
            continue
        items.append(item)
    return paged(store, call, items, cursor=call.query.get("cursor"), limit=limit)


ROUTES = [
    ("GET", "/issue-statuses", _whole("issue_statuses", paginated=True)),
    ("GET", "/ticket-forms", _whole("ticket_forms", paginated=True)),
    ("GET", "/ticket-forms/{id}", getter("ticket_forms", "ticket form")),
    ("GET", "/user-roles", _whole("user_roles", paginated=True)),
    ("GET", "/activity-types", _whole("activity_types", paginated=True)),
    ("GET", "/audit-logs", list_audit_logs),
    ("GET", "/macro-groups", _whole("macro_groups", paginated=False)),
    ("GET", "/macros", list_macros),
    ("POST", "/macros", _macro_writer(creating=True)),
    ("GET", "/macros/{id}", getter("macros", "macro")),
    ("PATCH", "/macros/{id}", _macro_writer(creating=False)),
    ("GET", "/surveys", _whole("surveys", paginated=False)),
    ("POST", "/surveys/search", search_surveys),
    ("GET", "/surveys/{id}", getter("surveys", "survey")),
    ("GET", "/surveys/{id}/responses", list_survey_responses),
]
