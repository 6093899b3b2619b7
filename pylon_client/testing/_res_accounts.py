"""Accounts: CRUD, search, bulk update and merge."""

from __future__ import annotations

from collections.abc import Mapping

from ._crud import deleter, getter, lister, searcher, set_ref
from ._objects import new_account
from ._protocol import JSON, ApiError, Call
from ._search import key, ref
from ._store import Store
from ._validate import Reader, body_object, merge_custom_fields

__all__ = ["ACCOUNT_FIELDS", "ACCOUNT_TYPES", "EXTERNAL_ID", "ROUTES"]

ACCOUNT_TYPES = ("customer", "partner")
TAGS_APPLY_MODES = ("append_only", "remove_only", "replace")
BULK_MAX = 100

EXTERNAL_ID: Mapping[str, type] = {"external_id": str, "label": str}
"""The fields of an external id, ``[{external_id, label}]`` on accounts and contacts."""
_CHANNEL: Mapping[str, type | tuple[type, ...]] = {
    "channel_id": str,
    "source": str,
    "is_primary": bool,
    "is_internal": bool,
    "mirror_to": dict,
}

ACCOUNT_FIELDS = {
    "id": key("id"),
    "name": key("name"),
    "domain": key("domain"),
    "domains": key("domains"),
    "tags": key("tags"),
    "owner_id": ref("owner"),
    "type": key("type"),
    "is_disabled": key("is_disabled"),
    "external_ids": lambda a: [e.get("external_id") for e in a.get("external_ids", [])],
    "created_at": key("created_at"),
    "updated_at": key("updated_at"),
}


def _read_account(store: Store, r: Reader, *, creating: bool) -> JSON:
    """Read an account write; the type is ``account_type`` (a ``type`` field is ignored)."""
    fields: JSON = {
        "name": r.string("name", required=creating),
        "type": r.string("account_type", choices=ACCOUNT_TYPES),
        "domains": r.str_list("domains"),
        # ``domain`` is the older, create-only spelling of the primary domain.
        "primary": r.string("primary_domain") or (r.string("domain") if creating else None),
        "tags": r.str_list("tags"),
        "external_ids": r.objects("external_ids", EXTERNAL_ID, required=("external_id",)),
        "channels": r.objects("channels", _CHANNEL, required=("channel_id", "source")),
        "subaccount_ids": r.str_list("subaccount_ids"),
        "logo_url": r.string("logo_url"),
        "is_disabled": r.boolean("is_disabled"),
        "custom_fields": r.custom_fields(),
        "owner": r.ref("owner_id", store.users, "user"),
    }
    r.errors += [
        f"subaccount_ids: no account with id {i!r}"
        for i in fields["subaccount_ids"] or []
        if i not in store.accounts
    ]
    return fields


def resolve_domains(
    current: list[str], current_primary: str | None, domains: list[str] | None, primary: str | None
) -> tuple[list[str], str | None]:
    """Return the domains after a write and the one primary among them (None if no domains).

    A primary not in the list joins it, first; without one the old primary stays if it is still
    listed, else the first domain is primary.
    """
    result = list(dict.fromkeys(domains if domains is not None else current))
    if primary and primary not in result:
        result.insert(0, primary)
    if not primary:
        primary = current_primary if current_primary in result else None
    return result, primary or (result[0] if result else None)


def _check_domains(store: Store, domains: list[str], account_id: str | None) -> None:
    for domain in domains:
        for other in store.accounts.values():
            if other["id"] != account_id and domain in other.get("domains", []):
                raise ApiError(
                    409,
                    "duplicate_object",
                    f"an account with domain {domain!r} already exists",
                    exists_id=other["id"],
                )


def _write_account(store: Store, account: JSON, fields: JSON) -> None:
    """Check for a taken domain (409, before any change), then apply ``fields``."""
    domains, primary = resolve_domains(
        account["domains"], account.get("primary_domain"), fields["domains"], fields["primary"]
    )
    _check_domains(store, domains, account["id"])
    account["domains"] = domains
    for name in ("domain", "primary_domain"):
        if primary:
            account[name] = primary
        else:
            account.pop(name, None)
    for name in ("name", "type", "tags", "external_ids", "channels", "logo_url", "is_disabled"):
        if fields[name] is not None:
            account[name] = fields[name]
    if fields["subaccount_ids"] is not None:
        account["subaccount_ids"] = [i for i in fields["subaccount_ids"] if i != account["id"]]
        for sub_id in account["subaccount_ids"]:
            store.accounts[sub_id]["parent_account_id"] = account["id"]
    account["custom_fields"] = merge_custom_fields(
        account["custom_fields"], fields["custom_fields"]
    )
    set_ref(account, "owner", fields["owner"])


def create_account(store: Store, call: Call) -> JSON:
    """``POST /accounts``: ``name`` required; a domain already taken is 409 with exists_id."""
    r = Reader(body_object(call))
    fields = _read_account(store, r, creating=True)
    r.done()
    account = new_account(store.new_id(), name=fields["name"], now=store.now())
    _write_account(store, account, fields)
    store.add(store.accounts, account)
    return {"data": account}


def update_account(store: Store, call: Call) -> JSON:
    """``PATCH /accounts/{id}``: only the fields sent change."""
    account = store.get(store.accounts, "account", call.params["id"])
    r = Reader(body_object(call))
    fields = _read_account(store, r, creating=False)
    r.done()
    _write_account(store, account, fields)
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
        account["custom_fields"] = merge_custom_fields(account["custom_fields"], custom_fields)
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
        for objects in (store.contacts, store.milestones):
            for obj in objects.values():
                if obj.get("account", {}).get("id") == merged_id:
                    obj["account"] = {"id": target_id}
        domains = target["domains"] + merged["domains"]
        target["domains"], primary = resolve_domains(domains, target.get("domain"), None, None)
        if primary:
            target["domain"] = target["primary_domain"] = primary
        del store.accounts[merged_id]
        target["updated_at"] = store.now()
    return {"data": target}


ROUTES = [
    ("GET", "/accounts", lister("accounts")),
    ("POST", "/accounts", create_account),
    ("PATCH", "/accounts", bulk_update_accounts),
    ("POST", "/accounts/search", searcher("accounts", ACCOUNT_FIELDS, text_fields=("name",))),
    ("POST", "/accounts/merge", merge_accounts),
    ("GET", "/accounts/{id}", getter("accounts", "account")),
    ("PATCH", "/accounts/{id}", update_account),
    ("DELETE", "/accounts/{id}", deleter("accounts", "account")),
]
