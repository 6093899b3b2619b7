"""Me, users, teams, tags, custom fields, and the knowledge base.

Simple, valid behaviour: create, read, update and delete where the spec has them.
"""

from __future__ import annotations

from ._crud import LIST_MAX, deleter, getter, paged, searcher, unpaged_lister
from ._protocol import JSON, Call, Handler
from ._search import key
from ._store import Store
from ._validate import Reader, body_object, parse_limit

__all__ = ["ROUTES", "USER_FIELDS"]

TAG_OBJECT_TYPES = ("account", "issue", "contact")
USER_FIELDS = {
    "name": key("name"),
    "email": key("email"),
    "role_id": key("role_id"),
    "status": key("status"),
}


def get_me(store: Store, call: Call) -> JSON:
    """``GET /me``: the organization, with the calling user inside."""
    return {"data": {**store.organization, "user": store.users[store.me_user_id]}}


def update_user(store: Store, call: Call) -> JSON:
    """``PATCH /users/{id}``: ``role_id`` and ``status``."""
    user = store.get(store.users, "user", call.params["id"])
    r = Reader(body_object(call))
    role_id = r.string("role_id")
    status = r.string("status", choices=("active", "away", "out_of_office"))
    r.done()
    if role_id is not None:
        user["role_id"] = role_id
    if status is not None:
        user["status"] = status
    return {"data": user}


def _team_writer(creating: bool) -> Handler:
    def handle(store: Store, call: Call) -> JSON:
        r = Reader(body_object(call))
        name = r.string("name", required=creating)
        user_ids = r.str_list("user_ids")
        r.errors += [
            f"user_ids: no user with id {u!r}" for u in user_ids or [] if u not in store.users
        ]
        r.done()
        team: JSON = (
            {"id": store.new_id(), "users": []}
            if creating
            else (store.get(store.teams, "team", call.params["id"]))
        )
        if name is not None:
            team["name"] = name
        if user_ids is not None:
            team["users"] = [{"id": u} for u in user_ids]
        store.teams[team["id"]] = team
        return {"data": team}

    return handle


def _tag_writer(creating: bool) -> Handler:
    def handle(store: Store, call: Call) -> JSON:
        r = Reader(body_object(call))
        value = r.string("value", required=creating)
        object_type = r.string("object_type", required=creating, choices=TAG_OBJECT_TYPES)
        hex_color = r.string("hex_color")
        r.done()
        tag: JSON = (
            {"id": store.new_id(), "hex_color": "#888888"}
            if creating
            else (store.get(store.tags, "tag", call.params["id"]))
        )
        for name, given in (
            ("value", value),
            ("object_type", object_type),
            ("hex_color", hex_color),
        ):
            if given is not None:
                tag[name] = given
        store.tags[tag["id"]] = tag
        return {"data": tag}

    return handle


def _custom_field_writer(creating: bool) -> Handler:
    def handle(store: Store, call: Call) -> JSON:
        r = Reader(body_object(call))
        given: JSON = {
            "label": r.string("label", required=creating),
            "slug": r.string("slug"),
            "type": r.string("type", required=creating),
            "object_type": r.string("object_type", required=creating),
            "options": r.str_list("options"),
        }
        r.done()
        field: JSON = (
            {"id": store.new_id(), "options": []}
            if creating
            else (store.get(store.custom_fields, "custom field", call.params["id"]))
        )
        field.update({k: v for k, v in given.items() if v is not None})
        field.setdefault("slug", str(field["label"]).lower().replace(" ", "_"))
        store.custom_fields[field["id"]] = field
        return {"data": field}

    return handle


def _kb_child_writer(name: str, kind: str, param: str, creating: bool) -> Handler:
    """Create or update a collection or an article (a child of a knowledge base)."""

    def handle(store: Store, call: Call) -> JSON:
        store.get(store.knowledge_bases, "knowledge base", call.params["id"])
        objects = store.collection(name)
        r = Reader(body_object(call))
        given = {
            "title": r.string("title", required=creating),
            "description": r.string("description"),
            "parent_collection_id": r.string("parent_collection_id"),
            "slug": r.string("slug"),
            "body_html": r.string("body_html"),
            "collection_id": r.string("collection_id"),
            "published": r.boolean("published"),
        }
        r.done()
        now = store.now()
        if creating:
            obj: JSON = {"id": store.new_id(), "knowledge_base_id": call.params["id"]}
            obj["created_at"] = now
        else:
            obj = store.get(objects, kind, call.params[param])
        obj.update({k: v for k, v in given.items() if v is not None})
        obj["updated_at"] = now
        objects[obj["id"]] = obj
        return {"data": obj}

    return handle


def _kb_children(name: str, *, with_cursor: bool) -> Handler:
    def handle(store: Store, call: Call) -> JSON:
        store.get(store.knowledge_bases, "knowledge base", call.params["id"])
        kb_id = call.params["id"]
        items = [o for o in store.collection(name).values() if o["knowledge_base_id"] == kb_id]
        if not with_cursor:
            return {"data": items}
        limit = parse_limit(call.query.get("limit"), maximum=LIST_MAX)
        return paged(store, call, items, cursor=call.query.get("cursor"), limit=limit)

    return handle


def _kb_child_deleter(name: str, kind: str, param: str) -> Handler:
    def handle(store: Store, call: Call) -> JSON:
        store.get(store.knowledge_bases, "knowledge base", call.params["id"])
        store.get(store.collection(name), kind, call.params[param])
        del store.collection(name)[call.params[param]]
        return {"success": True}

    return handle


def get_article(store: Store, call: Call) -> JSON:
    """``GET /knowledge-bases/{id}/articles/{article_id}``."""
    store.get(store.knowledge_bases, "knowledge base", call.params["id"])
    return {"data": store.get(store.articles, "article", call.params["article_id"])}


def create_route_redirect(store: Store, call: Call) -> JSON:
    """``POST /knowledge-bases/{id}/route-redirects``: ``from_path`` to ``to_path``."""
    store.get(store.knowledge_bases, "knowledge base", call.params["id"])
    r = Reader(body_object(call))
    from_path = r.string("from_path", required=True)
    to_path = r.string("to_path", required=True)
    r.done()
    redirect: JSON = {"id": store.new_id(), "from_path": from_path, "to_path": to_path}
    store.route_redirects[redirect["id"]] = redirect
    return {"success": True}


_KB = "/knowledge-bases/{id}"
ROUTES = [
    ("GET", "/me", get_me),
    ("GET", "/users", unpaged_lister("users")),
    ("POST", "/users/search", searcher("users", USER_FIELDS)),
    ("GET", "/users/{id}", getter("users", "user")),
    ("PATCH", "/users/{id}", update_user),
    ("GET", "/teams", unpaged_lister("teams")),
    ("POST", "/teams", _team_writer(creating=True)),
    ("GET", "/teams/{id}", getter("teams", "team")),
    ("PATCH", "/teams/{id}", _team_writer(creating=False)),
    ("GET", "/tags", unpaged_lister("tags")),
    ("POST", "/tags", _tag_writer(creating=True)),
    ("GET", "/tags/{id}", getter("tags", "tag")),
    ("PATCH", "/tags/{id}", _tag_writer(creating=False)),
    ("DELETE", "/tags/{id}", deleter("tags", "tag")),
    ("GET", "/custom-fields", unpaged_lister("custom_fields")),
    ("POST", "/custom-fields", _custom_field_writer(creating=True)),
    ("GET", "/custom-fields/{id}", getter("custom_fields", "custom field")),
    ("PATCH", "/custom-fields/{id}", _custom_field_writer(creating=False)),
    ("GET", "/knowledge-bases", unpaged_lister("knowledge_bases")),
    ("GET", f"{_KB}/collections", _kb_children("collections", with_cursor=False)),
    ("POST", f"{_KB}/collections", _kb_child_writer("collections", "collection", "", True)),
    (
        "PATCH",
        f"{_KB}/collections/{{collection_id}}",
        _kb_child_writer("collections", "collection", "collection_id", False),
    ),
    (
        "DELETE",
        f"{_KB}/collections/{{collection_id}}",
        _kb_child_deleter("collections", "collection", "collection_id"),
    ),
    ("GET", f"{_KB}/articles", _kb_children("articles", with_cursor=True)),
    ("POST", f"{_KB}/articles", _kb_child_writer("articles", "article", "", True)),
    ("GET", f"{_KB}/articles/{{article_id}}", get_article),
    (
        "PATCH",
        f"{_KB}/articles/{{article_id}}",
        _kb_child_writer("articles", "article", "article_id", False),
    ),
    (
        "DELETE",
        f"{_KB}/articles/{{article_id}}",
        _kb_child_deleter("articles", "article", "article_id"),
    ),
    ("POST", f"{_KB}/route-redirects", create_route_redirect),
]
