"""Accounts (with bulk update and merge) and contacts."""

from __future__ import annotations

from ._crud import deleter, getter, lister, searcher, set_ref
from ._protocol import JSON, ApiError, Call
from ._search import key, ref
from ._store import Store
from ._validate import Reader, body_object

__all__ = ["ACCOUNT_FIELDS", "CONTACT_FIELDS", "ROUTES"]

ACCOUNT_TYPES = ("customer", "partner")
TAGS_APPLY_MODES = ("append_only", "remove_only", "replace")
BULK_MAX = 100

ACCOUNT_FIELDS = {
    "name": key("name"),
    "domain": key("domain"),
    "domains": key("domains"),
    "tags": key("tags"),
    "owner_id": ref("owner"),
    "type": key("type"),
    "is_disabled": key("is_disabled"),
    "external_ids": key("external_ids"),
    "created_at": key("created_at"),
    "updated_at": key("updated_at"),
}
CONTACT_FIELDS = {
    "name": key("name"),
    "email": key("email"),
    "account_id": key("account_id"),
    "created_at": key("created_at"),
    "updated_at": key("updated_at"),
}


def _read_account(store: Store, r: Reader, *, creating: bool) -> JSON:
    domains = r.str_list("domains")
    primary = r.string("primary_domain") or r.string("domain")
    if domains is not None and primary is None and domains:
        primary = domains[0]
    if primary and domains is not None and primary not in domains:
        domains = [primary, *domains]
    return {
        "name": r.string("name", required=creating),
        "type": r.string("type", choices=ACCOUNT_TYPES)
        or r.string("account_type", choices=ACCOUNT_TYPES),
        "domain": primary,
        "domains": domains,
        "tags": r.str_list("tags"),
        "external_ids": r.str_list("external_ids"),
        "is_disabled": r.boolean("is_disabled"),
        "custom_fields": r.custom_fields(),
        "owner": r.ref("owner_id", store.users, "user"),
    }


def _check_domains(store: Store, fields: JSON, account_id: str | None) -> None:
    for domain in fields["domains"] or []:
        for other in store.accounts.values():
            if other["id"] != account_id and domain in other.get("domains", []):
                raise ApiError(
                    409,
                    "duplicate_object",
                    f"an account with domain {domain!r} already exists",
                    exists_id=other["id"],
                )


def _apply_account(account: JSON, fields: JSON) -> None:
    for name in ("name", "type", "domain", "domains", "tags", "external_ids", "is_disabled"):
        if fields[name] is not None:
            account[name] = fields[name]
    if fields["custom_fields"] is not None:
        account["custom_fields"] = {**account["custom_fields"], **fields["custom_fields"]}
    set_ref(account, "owner", fields["owner"])


def new_account(store: Store, name: str, *, created_at: str | None = None) -> JSON:
    """Return a bare account named ``name`` (not yet stored)."""
    now = store.now()
    return {
        "id": store.new_id(),
        "name": name,
        "type": "customer",
        "domains": [],
        "tags": [],
        "custom_fields": {},
        "external_ids": [],
        "channels": [],
        "is_disabled": False,
        "created_at": created_at or now,
        "updated_at": created_at or now,
    }


def create_account(store: Store, call: Call) -> JSON:
    """``POST /accounts``: ``name`` required; a domain already taken is 409 with exists_id."""
    r = Reader(body_object(call))
    fields = _read_account(store, r, creating=True)
    r.done()
    _check_domains(store, fields, None)
    account = new_account(store, fields["name"])
    _apply_account(account, fields)
    store.accounts[account["id"]] = account
    return {"data": account}


def update_account(store: Store, call: Call) -> JSON:
    """``PATCH /accounts/{id}``: only the fields sent change."""
    account = store.get(store.accounts, "account", call.params["id"])
    r = Reader(body_object(call))
    fields = _read_account(store, r, creating=False)
    r.done()
    _check_domains(store, fields, account["id"])
    _apply_account(account, fields)
    account["updated_at"] = store.now()
    return {"data": account}


def bulk_update_accounts(store: Store, call: Call) -> JSON:
    """``PATCH /accounts``: 1..100 ``account_ids``; answers ``{success: true}``.

    Pylon only *initiates* the update; the fake applies it before answering. ``owner_id: ""``
    removes the owner; ``tags`` follow ``tags_apply_mode`` (default ``replace``).
    """
    r = Reader(body_object(call))
    ids = r.str_list("account_ids", required=True, min_len=1, max_len=BULK_MAX) or []
    owner = r.ref("owner_id", store.users, "user")
    tags = r.str_list("tags")
    mode = r.string("tags_apply_mode", choices=TAGS_APPLY_MODES) or "replace"
    custom_fields = r.custom_fields()
    account_type = r.string("account_type", choices=ACCOUNT_TYPES)
    disabled = r.boolean("is_disabled")
    r.errors += [f"account_ids: no account with id {i!r}" for i in ids if i not in store.accounts]
    r.done()
    now = store.now()
    for account_id in ids:
        account = store.accounts[account_id]
        set_ref(account, "owner", owner)
        if tags is not None:
            account["tags"] = _apply_tags(account["tags"], tags, mode)
        if custom_fields is not None:
            account["custom_fields"] = {**account["custom_fields"], **custom_fields}
        if account_type is not None:
            account["type"] = account_type
        if disabled is not None:
            account["is_disabled"] = disabled
        account["updated_at"] = now
    return {"success": True}


def _apply_tags(current: list[str], tags: list[str], mode: str) -> list[str]:
    if mode == "append_only":
        return current + [t for t in dict.fromkeys(tags) if t not in current]
    if mode == "remove_only":
        return [t for t in current if t not in tags]
    return list(dict.fromkeys(tags))


def merge_accounts(store: Store, call: Call) -> JSON:
    """``POST /accounts/merge``: merge 1..100 accounts into one, one at a time.

    Not atomic: an unknown id part-way stops with 404 and the merges before it stand. Each
    merged account is deleted; its issues, contacts, projects, tasks and domains move to the
    survivor, its tags and custom fields do not.
    """
    r = Reader(body_object(call))
    target_id = r.string("merge_into_account_id", required=True) or ""
    ids = r.str_list("merge_account_ids", required=True, min_len=1, max_len=BULK_MAX) or []
    if target_id in ids:
        r.errors.append("merge_account_ids must not contain merge_into_account_id")
    r.done()
    target = store.get(store.accounts, "account", target_id)
    for merged_id in ids:
        merged = store.get(store.accounts, "account", merged_id)
        for objects in (store.issues, store.tasks, store.projects):
            for obj in objects.values():
                if obj.get("account", {}).get("id") == merged_id:
                    obj["account"] = {"id": target_id}
        for contact in store.contacts.values():
            if contact.get("account_id") == merged_id:
                contact["account_id"] = target_id
        target["domains"] += [d for d in merged["domains"] if d not in target["domains"]]
        if "domain" not in target and merged.get("domain"):
            target["domain"] = merged["domain"]
        del store.accounts[merged_id]
        target["updated_at"] = store.now()
    return {"data": target}


def _read_contact(store: Store, r: Reader, *, creating: bool) -> JSON:
    return {
        "name": r.string("name", required=creating),
        "email": r.string("email"),
        "avatar_url": r.string("avatar_url"),
        "custom_fields": r.custom_fields(),
        "account_id": r.ref("account_id", store.accounts, "account"),
    }


def _apply_contact(store: Store, contact: JSON, fields: JSON) -> None:
    email = fields["email"]
    if email:
        for other in store.contacts.values():
            if other["id"] != contact["id"] and other.get("email") == email:
                raise ApiError(
                    409,
                    "duplicate_object",
                    f"a contact with email {email!r} already exists",
                    exists_id=other["id"],
                )
    for name in ("name", "email", "avatar_url", "account_id"):
        if fields[name] is not None:
            contact[name] = fields[name]
    if contact.get("account_id") == "":
        del contact["account_id"]
    if fields["custom_fields"] is not None:
        contact["custom_fields"] = {**contact["custom_fields"], **fields["custom_fields"]}


def create_contact(store: Store, call: Call) -> JSON:
    """``POST /contacts``: ``name`` required; an email already taken is 409 with exists_id."""
    r = Reader(body_object(call))
    fields = _read_contact(store, r, creating=True)
    r.done()
    now = store.now()
    contact: JSON = {
        "id": store.new_id(),
        "custom_fields": {},
        "created_at": now,
        "updated_at": now,
    }
    _apply_contact(store, contact, fields)
    store.contacts[contact["id"]] = contact
    return {"data": contact}


def update_contact(store: Store, call: Call) -> JSON:
    """``PATCH /contacts/{id}``: only the fields sent change."""
    contact = store.get(store.contacts, "contact", call.params["id"])
    r = Reader(body_object(call))
    fields = _read_contact(store, r, creating=False)
    r.done()
    _apply_contact(store, contact, fields)
    contact["updated_at"] = store.now()
    return {"data": contact}


ROUTES = [
    ("GET", "/accounts", lister("accounts")),
    ("POST", "/accounts", create_account),
    ("PATCH", "/accounts", bulk_update_accounts),
    ("POST", "/accounts/search", searcher("accounts", ACCOUNT_FIELDS, text_fields=("name",))),
    ("POST", "/accounts/merge", merge_accounts),
    ("GET", "/accounts/{id}", getter("accounts", "account")),
    ("PATCH", "/accounts/{id}", update_account),
    ("DELETE", "/accounts/{id}", deleter("accounts", "account")),
    ("GET", "/contacts", lister("contacts")),
    ("POST", "/contacts", create_contact),
    ("POST", "/contacts/search", searcher("contacts", CONTACT_FIELDS)),
    ("GET", "/contacts/{id}", getter("contacts", "contact")),
    ("PATCH", "/contacts/{id}", update_contact),
    ("DELETE", "/contacts/{id}", deleter("contacts", "contact")),
]
