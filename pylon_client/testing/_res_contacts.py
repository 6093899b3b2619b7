"""Contacts: CRUD and search, with their emails, phone numbers and external ids."""

from __future__ import annotations

from ._crud import deleter, getter, lister, searcher, set_ref
from ._objects import new_contact
from ._protocol import JSON, ApiError, Call
from ._res_accounts import EXTERNAL_ID
from ._search import key, ref
from ._store import Store
from ._validate import Reader, body_object, merge_custom_fields

__all__ = ["CONTACT_FIELDS", "PORTAL_ROLES", "ROUTES"]

PORTAL_ROLES = ("no_access", "member", "admin")
_EMAIL = {"email": str, "is_primary": bool}

CONTACT_FIELDS = {
    "id": key("id"),
    "name": key("name"),
    "email": key("email"),
    "account_id": ref("account"),
}


def _account_by_external_id(store: Store, r: Reader) -> str | None:
    external_id = r.string("account_external_id")
    if not external_id:
        return None
    for account in store.accounts.values():
        if any(e.get("external_id") == external_id for e in account.get("external_ids", [])):
            return str(account["id"])
    r.errors.append(f"account_external_id: no account with external id {external_id!r}")
    return None


def _read_contact(store: Store, r: Reader, *, creating: bool) -> JSON:
    account = r.ref("account_id", store.accounts, "account")
    return {
        "name": r.string("name", required=creating),
        "email": r.string("email"),
        # ``emails`` (each ``{email, is_primary}``) is only taken on update.
        "emails": None if creating else r.objects("emails", _EMAIL, required=("email",)),
        "avatar_url": r.string("avatar_url"),
        "phone_numbers": r.str_list("phone_numbers"),
        "primary_phone_number": r.string("primary_phone_number"),
        "portal_role": r.string("portal_role", choices=PORTAL_ROLES),
        "portal_role_id": r.string("portal_role_id"),
        "external_ids": r.objects("external_ids", EXTERNAL_ID, required=("external_id",)),
        "custom_fields": r.custom_fields(),
        "account": account if account is not None else _account_by_external_id(store, r),
    }


def _with_primary(items: list[str], primary: str | None, old: str | None) -> list[str]:
    """Return ``items`` with the primary first-class: it joins the list if missing."""
    result = list(dict.fromkeys(items))
    chosen = primary or (old if old in result else None)
    if chosen and chosen not in result:
        result.insert(0, chosen)
    return result


def _write_contact(store: Store, contact: JSON, fields: JSON) -> None:
    """Check for a taken email (409, before any change), then apply ``fields``."""
    emails = contact["emails"]
    primary = fields["email"]
    if fields["emails"] is not None:
        emails = [e["email"] for e in fields["emails"]]
        flagged = [e["email"] for e in fields["emails"] if e.get("is_primary")]
        primary = primary or (flagged[0] if flagged else None)
    emails = _with_primary(emails, primary, contact.get("email"))
    for email in emails:
        for other in store.contacts.values():
            if other["id"] != contact["id"] and email in other.get("emails", []):
                raise ApiError(
                    409,
                    "duplicate_object",
                    f"a contact with email {email!r} already exists",
                    exists_id=other["id"],
                )
    contact["emails"] = emails
    _set_primary(contact, "email", primary, emails)
    phones = fields["phone_numbers"]
    phones = contact["phone_numbers"] if phones is None else phones
    primary_phone = fields["primary_phone_number"]
    contact["phone_numbers"] = _with_primary(
        phones, primary_phone, contact.get("primary_phone_number")
    )
    _set_primary(contact, "primary_phone_number", primary_phone, contact["phone_numbers"])
    for name in ("name", "avatar_url", "portal_role", "portal_role_id", "external_ids"):
        if fields[name] is not None:
            contact[name] = fields[name]
    contact["custom_fields"] = merge_custom_fields(
        contact["custom_fields"], fields["custom_fields"]
    )
    set_ref(contact, "account", fields["account"])


def _set_primary(contact: JSON, name: str, given: str | None, items: list[str]) -> None:
    current = given or contact.get(name)
    if current not in items:
        current = items[0] if items else None
    if current:
        contact[name] = current
    else:
        contact.pop(name, None)


def create_contact(store: Store, call: Call) -> JSON:
    """``POST /contacts``: ``name`` required; an email already taken is 409 with exists_id."""
    r = Reader(body_object(call))
    fields = _read_contact(store, r, creating=True)
    r.done()
    contact = new_contact(store.new_id(), name=fields["name"])
    _write_contact(store, contact, fields)
    store.add(store.contacts, contact)
    return {"data": contact}


def update_contact(store: Store, call: Call) -> JSON:
    """``PATCH /contacts/{id}``: only the fields sent change; ``emails`` replaces the list."""
    contact = store.get(store.contacts, "contact", call.params["id"])
    r = Reader(body_object(call))
    fields = _read_contact(store, r, creating=False)
    r.done()
    _write_contact(store, contact, fields)
    return {"data": contact}


ROUTES = [
    ("GET", "/contacts", lister("contacts")),
    ("POST", "/contacts", create_contact),
    ("POST", "/contacts/search", searcher("contacts", CONTACT_FIELDS)),
    ("GET", "/contacts/{id}", getter("contacts", "contact")),
    ("PATCH", "/contacts/{id}", update_contact),
    ("DELETE", "/contacts/{id}", deleter("contacts", "contact")),
]
