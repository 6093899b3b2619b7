"""Account highlights and activities, custom objects, and feature requests.

Accounts in these paths are found by id or by one of their external ids, as Pylon's document
says. Custom objects exist for the types the organization defined in Pylon's web app:
``store.custom_object_types`` (seeded with ``companies``; add yours); any other type is 404.
Feature requests are seeded (Pylon's document has no way to create one) and can be searched,
read (with their evidence on ``fetch_evidence=true``), updated and deleted.
"""

from __future__ import annotations

from collections.abc import Iterable

from ._catalog import FEATURE_REQUEST_STATUSES
from ._crud import paged
from ._protocol import JSON, ApiError, Call
from ._search import compile_filter, key
from ._store import Handler, Store
from ._validate import Reader, body_object, merge_custom_fields, parse_limit

__all__ = ["CUSTOM_OBJECT_FIELDS", "ROUTES", "account_by_key"]

CUSTOM_OBJECTS_MAX = 100
CUSTOM_OBJECTS_DEFAULT = 25
FEATURE_REQUESTS_MAX = 1000
CUSTOM_OBJECT_FIELDS = {
    "id": key("id"),
    "name": key("name"),
    "created_at": key("created_at"),
    "updated_at": key("updated_at"),
}


def account_by_key(store: Store, account_key: str) -> JSON:
    """Return the account with id (or external id) ``account_key``; 404 if none."""
    found = store.accounts.get(account_key)
    if found is not None:
        return found
    for account in store.accounts.values():
        if any(e.get("external_id") == account_key for e in account.get("external_ids", [])):
            return account
    raise ApiError.not_found("account", account_key)


def _highlight(store: Store, call: Call) -> tuple[JSON, JSON]:
    account = account_by_key(store, call.params["account_id"])
    highlight_id = call.params["highlight_id"]
    found = store.account_highlights.get(highlight_id)
    if found is None or found["account_id"] != account["id"]:
        raise ApiError.not_found("highlight", highlight_id)
    return account, found


def create_highlight(store: Store, call: Call) -> JSON:
    """``POST /accounts/{account_id}/highlights``: ``content_html`` required, ``expires_at``."""
    account = account_by_key(store, call.params["account_id"])
    r = Reader(body_object(call))
    content = r.string("content_html", required=True)
    expires_at = r.time("expires_at")
    r.done()
    now = store.now()
    highlight: JSON = {
        "id": store.new_id(),
        "account_id": account["id"],
        "content_html": content,
        "created_at": now,
        "updated_at": now,
    }
    if expires_at:
        highlight["expires_at"] = expires_at
    store.add(store.account_highlights, highlight)
    return {"data": highlight}


def update_highlight(store: Store, call: Call) -> JSON:
    """``PATCH .../highlights/{highlight_id}``: ``content_html``; ``expires_at`` (``""`` clears)."""
    _, highlight = _highlight(store, call)
    r = Reader(body_object(call))
    content = r.string("content_html")
    expires_at = r.time("expires_at", clearable=True)
    r.done()
    if content is not None:
        highlight["content_html"] = content
    if expires_at == "":
        highlight.pop("expires_at", None)
    elif expires_at is not None:
        highlight["expires_at"] = expires_at
    highlight["updated_at"] = store.now()
    return {"data": highlight}


def delete_highlight(store: Store, call: Call) -> JSON:
    """``DELETE .../highlights/{highlight_id}``: answers ``{data: {success: true}}``."""
    _, highlight = _highlight(store, call)
    del store.account_highlights[highlight["id"]]
    return {"data": {"success": True}}


def create_activity(store: Store, call: Call) -> JSON:
    """``POST /accounts/{id}/activities``: ``slug`` (an activity type's) required.

    The activity is kept in ``store.account_activities[account_id]``: Pylon's API cannot read
    activities back, so the answer is ``{data: {success: true}}``.
    """
    account = account_by_key(store, call.params["id"])
    r = Reader(body_object(call))
    slug = r.string("slug", required=True)
    if slug and all(t["slug"] != slug for t in store.activity_types.values()):
        r.errors.append(f"slug: no activity type {slug!r}")
    activity: JSON = {
        "slug": slug,
        "user_id": r.ref("user_id", store.users, "user"),
        "contact_id": r.ref("contact_id", store.contacts, "contact"),
        "happened_at": r.time("happened_at") or store.now(),
        "body_html": r.string("body_html"),
        "link": r.string("link"),
        "link_text": r.string("link_text"),
    }
    r.done()
    if activity["link"] and not activity["link_text"]:
        activity["link_text"] = "Open link"
    kept = {"id": store.new_id(), **{k: v for k, v in activity.items() if v is not None}}
    store.account_activities.setdefault(account["id"], []).append(kept)
    return {"data": {"success": True}}


def _custom_type(store: Store, call: Call) -> str:
    object_type = call.params["type"]
    if object_type not in store.custom_object_types:
        raise ApiError.not_found("custom object type", object_type)
    return object_type


def _custom_object(store: Store, call: Call) -> JSON:
    object_type = _custom_type(store, call)
    found = store.custom_objects.get(call.params["id"])
    if found is None or found["type"] != object_type:
        raise ApiError.not_found("custom object", call.params["id"])
    return found


def _field_map(r: Reader, name: str = "custom_fields") -> dict[str, JSON | None] | None:
    """Read custom field values keyed by slug: ``{slug: {"value": ...} | {"values": [...]}}``.

    A null entry (or one with neither value) unsets that field.
    """
    raw = r.body.get(name)
    if raw is None:
        return None
    if not isinstance(raw, dict):
        r.errors.append(f"{name} must be an object keyed by custom field slug")
        return None
    items = [{**(v if isinstance(v, dict) else {"value": v}), "slug": k} for k, v in raw.items()]
    if not items:
        return {}
    sub = Reader({name: items})
    read = sub.custom_fields(name)
    r.errors += sub.errors
    return read


def _custom_object_writer(creating: bool) -> Handler:
    """``POST /custom-objects/{type}`` (``name`` required) or ``PATCH`` one."""

    def handle(store: Store, call: Call) -> JSON:
        if creating:
            found = None
            object_type = _custom_type(store, call)
        else:
            found = _custom_object(store, call)
            object_type = found["type"]
        r = Reader(body_object(call))
        name = r.string("name", required=creating)
        fields = _field_map(r)
        r.done()
        now = store.now()
        if found is None:
            found = {"id": store.new_id(), "type": object_type, "custom_fields": {}}
            found["created_at"] = now
            store.add(store.custom_objects, found)
        if name is not None:
            found["name"] = name
        found["custom_fields"] = merge_custom_fields(found["custom_fields"], fields)
        found["updated_at"] = now
        return {"data": found}

    return handle


def _of_type(store: Store, object_type: str) -> list[JSON]:
    return [o for o in store.custom_objects.values() if o["type"] == object_type]


def list_custom_objects(store: Store, call: Call) -> JSON:
    """``GET /custom-objects/{type}``: ``cursor`` and ``limit`` (default 25, at most 100)."""
    object_type = _custom_type(store, call)
    limit = parse_limit(
        call.query.get("limit"), maximum=CUSTOM_OBJECTS_MAX, default=CUSTOM_OBJECTS_DEFAULT
    )
    items = _of_type(store, object_type)
    return paged(store, call, items, cursor=call.query.get("cursor"), limit=limit)


def search_custom_objects(store: Store, call: Call) -> JSON:
    """``POST /custom-objects/{type}/search``: ``filter``, ``cursor``, ``limit`` in the body.

    Pylon's document requires ``filter``; usepylon, the newer source, makes it optional.
    """
    object_type = _custom_type(store, call)
    body = body_object(call)
    limit = parse_limit(
        body.get("limit"), maximum=CUSTOM_OBJECTS_MAX, default=CUSTOM_OBJECTS_DEFAULT
    )
    items: Iterable[JSON] = _of_type(store, object_type)
    if body.get("filter") is not None:
        items = filter(compile_filter(body["filter"], CUSTOM_OBJECT_FIELDS), items)
    return paged(store, call, list(items), cursor=body.get("cursor"), limit=limit)


def get_custom_object(store: Store, call: Call) -> JSON:
    """``GET /custom-objects/{type}/{id}``."""
    return {"data": _custom_object(store, call)}


def delete_custom_object(store: Store, call: Call) -> JSON:
    """``DELETE /custom-objects/{type}/{id}``."""
    del store.custom_objects[_custom_object(store, call)["id"]]
    return {}


def _feature_request(store: Store, call: Call) -> JSON:
    return store.get(store.feature_requests, "feature request", call.params["id"])


def search_feature_requests(store: Store, call: Call) -> JSON:
    """``POST /feature-requests/search``: ``query``, ``request_statuses``, ``account_ids``.

    ``query`` matches title and description (any case); ``account_ids`` matches requests with
    evidence from one of those accounts. Each result lists its ``account_ids``; not paginated.
    """
    r = Reader(body_object(call))
    query = (r.string("query") or "").strip().lower()
    statuses = r.str_list("request_statuses")
    accounts = r.str_list("account_ids")
    r.done()
    limit = parse_limit(r.body.get("limit"), maximum=FEATURE_REQUESTS_MAX)
    found = []
    for request in store.feature_requests.values():
        evidence = store.feature_request_evidence.get(request["id"], [])
        account_ids = sorted({e["account_id"] for e in evidence if e.get("account_id")})
        text = f"{request['title']} {request['description']}".lower()
        if (
            (query and query not in text)
            or (statuses and request["request_status"] not in statuses)
            or (accounts and not set(accounts) & set(account_ids))
        ):
            continue
        found.append({**request, "account_ids": account_ids})
    return {"data": found[:limit]}


def get_feature_request(store: Store, call: Call) -> JSON:
    """``GET /feature-requests/{id}``; ``fetch_evidence=true`` adds its ``evidence``."""
    request = _feature_request(store, call)
    if call.query.get("fetch_evidence", "").lower() != "true":
        return {"data": request}
    evidence = store.feature_request_evidence.get(request["id"], [])
    return {"data": {**request, "evidence": evidence}}


def update_feature_request(store: Store, call: Call) -> JSON:
    """``PATCH /feature-requests/{id}``: ``request_status`` (built-in or custom slug), fields."""
    request = _feature_request(store, call)
    r = Reader(body_object(call))
    status = r.string("request_status", choices=FEATURE_REQUEST_STATUSES, slug=True)
    fields = r.custom_fields()
    r.done()
    if status is not None:
        request["request_status"] = status
    request["custom_fields"] = merge_custom_fields(request["custom_fields"], fields)
    request["updated_at"] = store.now()
    return {"data": request}


def delete_feature_request(store: Store, call: Call) -> JSON:
    """``DELETE /feature-requests/{id}``: the request and its evidence are gone."""
    request = _feature_request(store, call)
    del store.feature_requests[request["id"]]
    store.feature_request_evidence.pop(request["id"], None)
    return {}


_HIGHLIGHT = "/accounts/{account_id}/highlights/{highlight_id}"
_OBJECT = "/custom-objects/{type}/{id}"
ROUTES = [
    ("POST", "/accounts/{account_id}/highlights", create_highlight),
    ("PATCH", _HIGHLIGHT, update_highlight),
    ("DELETE", _HIGHLIGHT, delete_highlight),
    ("POST", "/accounts/{id}/activities", create_activity),
    ("GET", "/custom-objects/{type}", list_custom_objects),
    ("POST", "/custom-objects/{type}", _custom_object_writer(creating=True)),
    ("POST", "/custom-objects/{type}/search", search_custom_objects),
    ("GET", _OBJECT, get_custom_object),
    ("PATCH", _OBJECT, _custom_object_writer(creating=False)),
    ("DELETE", _OBJECT, delete_custom_object),
    ("POST", "/feature-requests/search", search_feature_requests),
    ("GET", "/feature-requests/{id}", get_feature_request),
    ("PATCH", "/feature-requests/{id}", update_feature_request),
    ("DELETE", "/feature-requests/{id}", delete_feature_request),
]
