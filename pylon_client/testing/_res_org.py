"""Me, users, teams, tags and custom fields.

Simple, valid behaviour: create, read, update and delete where Pylon has them.
"""

from __future__ import annotations

from ._crud import deleter, getter, searcher, unpaged_lister
from ._objects import new_custom_field
from ._protocol import JSON, Call
from ._search import key
from ._store import Handler, Store
from ._validate import Reader, body_object, slugify

__all__ = ["CUSTOM_FIELD_OBJECT_TYPES", "CUSTOM_FIELD_TYPES", "ROUTES", "USER_FIELDS"]

# Pylon's document says account, issue, contact; its newer SDK account, article, issue.
TAG_OBJECT_TYPES = ("account", "issue", "contact", "article")
CUSTOM_FIELD_OBJECT_TYPES = (
    "account",
    "issue",
    "contact",
    "task",
    "project",
    "meeting",
    "opportunity",
)
CUSTOM_FIELD_TYPES = (
    "text",
    "number",
    "decimal",
    "boolean",
    "date",
    "datetime",
    "user",
    "url",
    "select",
    "multiselect",
)
_SELECT_OPTION = {"label": str, "slug": str, "ai_description": str}
USER_FIELDS = {
    "name": key("name"),
    "email": key("email"),
    "role_id": key("role_id"),
    "status": key("status"),
}


def get_me(store: Store, call: Call) -> JSON:
    """``GET /me``: the organization (``id``, ``name``) with the calling ``user`` inside."""
    user = store.users[store.me_user_id]
    organization = call.organization or store.organization
    return {"data": {**organization, "user": {"id": user["id"], "email": user["email"]}}}


def update_user(store: Store, call: Call) -> JSON:
    """``PATCH /users/{id}``: ``name``, ``avatar_url``, ``role_id`` and ``status``."""
    user = store.get(store.users, "user", call.params["id"])
    r = Reader(body_object(call))
    given = {
        "name": r.string("name"),
        "avatar_url": r.string("avatar_url"),
        "role_id": r.string("role_id"),
        "status": r.string("status", choices=("active", "away", "out_of_office")),
    }
    r.done()
    user.update({k: v for k, v in given.items() if v is not None})
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
            store.add(store.teams, {"id": store.new_id(), "users": []})
            if creating
            else (store.get(store.teams, "team", call.params["id"]))
        )
        if name is not None:
            team["name"] = name
        if user_ids is not None:
            team["users"] = [{"id": u} for u in user_ids]
        return {"data": team}

    return handle


def _tag_writer(creating: bool) -> Handler:
    def handle(store: Store, call: Call) -> JSON:
        r = Reader(body_object(call))
        value = r.string("value", required=creating)
        # The object type is set on create only.
        object_type = (
            r.string("object_type", required=True, choices=TAG_OBJECT_TYPES) if creating else None
        )
        hex_color = r.string("hex_color")
        r.done()
        tag: JSON = (
            store.add(store.tags, {"id": store.new_id(), "hex_color": "#888888"})
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
        return {"data": tag}

    return handle


def _read_custom_field(r: Reader, *, creating: bool) -> JSON:
    return {
        "label": r.string("label", required=creating),
        "type": r.string("type", required=True, choices=CUSTOM_FIELD_TYPES) if creating else None,
        "object_type": (
            r.string("object_type", required=True, choices=CUSTOM_FIELD_OBJECT_TYPES)
            if creating
            else None
        ),
        "slug": r.string("slug"),
        "description": r.string("description"),
        "default_value": r.string("default_value"),
        "default_values": r.str_list("default_values"),
        "options": r.objects("select_options", _SELECT_OPTION, required=("label",)),
    }


def _custom_field_writer(creating: bool) -> Handler:
    """``POST /custom-fields`` (``label``, ``object_type``, ``type``) or ``PATCH`` one.

    ``select_options`` (``[{label, slug}]``, a slug derived from the label when absent) land in
    ``select_metadata.options`` of a select or multiselect field.
    """

    def handle(store: Store, call: Call) -> JSON:
        r = Reader(body_object(call))
        given = _read_custom_field(r, creating=creating)
        r.done()
        now = store.now()
        if creating:
            field = new_custom_field(
                store.new_id(),
                label=given["label"],
                field_type=given["type"],
                object_type=given["object_type"],
                now=now,
            )
            store.add(store.custom_fields, field)
        else:
            field = store.get(store.custom_fields, "custom field", call.params["id"])
        for name in ("label", "slug", "description", "default_value", "default_values"):
            if given[name] is not None:
                field[name] = given[name]
        if given["options"] is not None and field["type"] in ("select", "multiselect"):
            options = [{"slug": slugify(o["label"], "_"), **o} for o in given["options"]]
            field["select_metadata"] = {"options": options}
        field["updated_at"] = now
        return {"data": field}

    return handle


def list_custom_fields(store: Store, call: Call) -> JSON:
    """``GET /custom-fields?object_type=...``: the fields of one object type (required)."""
    r = Reader(call.query)
    object_type = r.string("object_type", required=True, choices=CUSTOM_FIELD_OBJECT_TYPES)
    r.done()
    fields = [f for f in store.custom_fields.values() if f["object_type"] == object_type]
    return {"data": fields}


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
    ("GET", "/custom-fields", list_custom_fields),
    ("POST", "/custom-fields", _custom_field_writer(creating=True)),
    ("GET", "/custom-fields/{id}", getter("custom_fields", "custom field")),
    ("PATCH", "/custom-fields/{id}", _custom_field_writer(creating=False)),
]
