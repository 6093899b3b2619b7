"""Searching tags and audit logs, updating many custom objects at once, submitting ticket forms.

Pylon's April document lacks these operations; their shapes are those of its official SDK,
usepylon 0.1.0a4, as ``openapi/pylon-sdk-supplement.yml`` writes them down. The routes are part
of :data:`._res_sdk_misc.ROUTES`.

- **Tag search** (``POST /tags/search``) reads ``store.tags`` newest first (the reverse of the
  order they were made), narrowed by ``object_type`` (``account``, ``article`` or ``issue``;
  anything else is a 400) and by ``search_text``: a tag matches when its value contains the text,
  ignoring case, a space, a hyphen and an underscore counting as one character. Paged by
  ``cursor`` and ``limit`` (below 1000) in the body, like the other searches.
- **Audit log search** (``POST /audit-logs/search``) filters ``store.audit_logs`` with the
  common filter (:mod:`._search`) on ``action``, ``action_happened_at`` and ``object_id``, each
  with only the operators usepylon lists for it (another is a 400); newest first, as
  ``GET /audit-logs`` is, and paged the same way. No filter means every entry.
- **Bulk update** (``PATCH /custom-objects/{type}``) sets the same ``custom_fields`` (an object
  keyed by slug, each ``{value}`` or ``{values}``) on 1 to 100 ``ids``; a field given an empty
  value (or neither) is unset, the rest stay. The built-in ``account`` field must name an
  account. An unknown type is a 404; an id that is not an object of the type is skipped and left
  out of ``updated_ids``, which lists, once each and in the order given, every object updated
  (each stamped ``updated_at``). ``success`` is true whenever the update ran.
- **A ticket form submission** makes an issue (``source: form``) and is recorded in
  ``store.ticket_form_submissions`` (``ticket_form_id``, ``issue_id``, ``requester_id``, the
  fields, the copied attachment URLs, ``submitted_at``). The requester is ``requester_id`` (a
  contact) or ``requester_email`` with ``requester_name`` (the contact with that email, made if
  there is none), never both; a field's slug must be one of the form's, not ``name`` or
  ``email``, answered once, with ``value`` or ``values``; every required field of the form must
  be answered; attachment URLs must be HTTPS and are copied to the fake's file host, as Pylon
  copies them to its storage. The issue's title is the ``title`` field's answer, else the form's
  name; its body lists the other answers.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from ._crud import LIST_MAX, paged
from ._objects import attachment_url, new_contact, new_issue
from ._protocol import JSON, ApiError, Call
from ._search import compile_filter, key
from ._store import Store
from ._validate import Reader, body_object, merge_custom_fields, parse_limit, parse_time_lenient

__all__ = [
    "AUDIT_LOG_FIELDS",
    "AUDIT_LOG_OPERATORS",
    "BULK_UPDATE_MAX",
    "ROUTES",
    "TAG_OBJECT_TYPES",
]

TAG_OBJECT_TYPES = ("account", "article", "issue")
BULK_UPDATE_MAX = 100
AUDIT_LOG_FIELDS = {
    "action": key("action"),
    "action_happened_at": key("action_happened_at"),
    "object_id": key("object_id"),
}
AUDIT_LOG_OPERATORS: Mapping[str, frozenset[str]] = {
    "action": frozenset({"equals", "in", "not_in", "string_contains", "string_does_not_contain"}),
    "action_happened_at": frozenset({"time_is_after", "time_is_before", "time_range"}),
    "object_id": frozenset({"equals", "in", "not_in"}),
}
"""The operators usepylon allows on each field of an audit log search."""
_REQUESTER_SLUGS = ("name", "email")
_SEPARATORS = re.compile(r"[\s_-]+")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _folded(text: str) -> str:
    """Lowercase ``text`` with every run of spaces, hyphens and underscores one space."""
    return _SEPARATORS.sub(" ", text.lower())


def search_tags(store: Store, call: Call) -> JSON:
    """``POST /tags/search``: ``object_type``, ``search_text``, ``cursor``, ``limit``."""
    r = Reader(body_object(call))
    object_type = r.string("object_type", choices=TAG_OBJECT_TYPES)
    text = r.string("search_text")
    r.done()
    limit = parse_limit(r.body.get("limit"), maximum=LIST_MAX)
    items = list(reversed(store.tags.values()))
    if object_type is not None:
        items = [t for t in items if t["object_type"] == object_type]
    needle = _folded(text.strip()) if text else ""
    if needle:
        items = [t for t in items if needle in _folded(str(t.get("value", "")))]
    return paged(store, call, items, cursor=r.body.get("cursor"), limit=limit)


def _check_operators(raw: Any) -> None:
    """Raise 400 for a leaf of a (valid) filter tree using an operator its field does not allow."""
    if raw["operator"] in ("and", "or"):
        for sub in raw["subfilters"]:
            _check_operators(sub)
        return
    field, op = raw["field"], raw["operator"]
    allowed = AUDIT_LOG_OPERATORS[field]
    if op not in allowed:
        raise ApiError.bad_request(
            f"operator {op!r} is not allowed on {field!r}; use one of {', '.join(sorted(allowed))}"
        )


def search_audit_logs(store: Store, call: Call) -> JSON:
    """``POST /audit-logs/search``: ``filter``, ``cursor``, ``limit`` (below 1000), newest first."""
    body = body_object(call)
    limit = parse_limit(body.get("limit"), maximum=LIST_MAX)
    items: Iterable[JSON] = store.audit_logs.values()
    if body.get("filter") is not None:
        predicate = compile_filter(body["filter"], AUDIT_LOG_FIELDS)
        _check_operators(body["filter"])
        items = filter(predicate, items)
    ordered = sorted(
        items, key=lambda e: parse_time_lenient(e["created_at"]) or _EPOCH, reverse=True
    )
    return paged(store, call, ordered, cursor=body.get("cursor"), limit=limit)


def _read_field_values(store: Store, r: Reader) -> dict[str, JSON | None] | None:
    """Read ``custom_fields``, ``{slug: {value} | {values}}``; an empty value reads as None."""
    raw = r.body.get("custom_fields")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        r.errors.append("custom_fields must be an object keyed by custom field slug")
        return None
    out: dict[str, JSON | None] = {}
    for slug, entry in raw.items():
        value = entry.get("value") if isinstance(entry, dict) else None
        values = entry.get("values") if isinstance(entry, dict) else None
        if not isinstance(entry, dict):
            r.errors.append(f"custom_fields.{slug} must be an object with value or values")
        elif value is not None and not isinstance(value, str):
            r.errors.append(f"custom_fields.{slug}.value must be a string")
        elif values is not None and not (
            isinstance(values, list) and all(isinstance(v, str) for v in values)
        ):
            r.errors.append(f"custom_fields.{slug}.values must be an array of strings")
        elif values:
            out[slug] = {"slug": slug, "values": list(values)}
        elif value:
            out[slug] = {"slug": slug, "value": value}
        else:
            out[slug] = None
    account = out.get("account")
    if account is not None and account.get("value") not in store.accounts:
        r.errors.append(f"custom_fields.account: no account with id {account.get('value')!r}")
    return out


def update_custom_objects(store: Store, call: Call) -> JSON:
    """``PATCH /custom-objects/{type}``: ``ids`` (1 to 100) and ``custom_fields``."""
    object_type = call.params["type"]
    if object_type not in store.custom_object_types:
        raise ApiError.not_found("custom object type", object_type)
    r = Reader(body_object(call))
    ids = r.str_list("ids", required=True, min_len=1, max_len=BULK_UPDATE_MAX)
    fields = _read_field_values(store, r)
    r.done()
    now = store.now()
    updated = []
    for object_id in dict.fromkeys(ids or []):
        found = store.custom_objects.get(object_id)
        if found is None or found["type"] != object_type:
            continue
        found["custom_fields"] = merge_custom_fields(found["custom_fields"], fields)
        found["updated_at"] = now
        updated.append(object_id)
    return {"success": True, "updated_ids": updated}


def _read_answers(r: Reader, form: JSON) -> list[JSON]:
    """Read ``fields`` against the form's fields, adding every problem to ``r``."""
    answers = r.objects("fields", {"slug": str, "value": str, "values": list}, required=("slug",))
    by_slug = {f["slug"]: f for f in form["fields"]}
    seen: set[str] = set()
    for i, answer in enumerate(answers or []):
        slug = answer["slug"]
        where = f"fields[{i}]"
        if slug in _REQUESTER_SLUGS:
            r.errors.append(f"{where}: {slug} is given by requester_{slug}, not as a field")
        elif slug not in by_slug:
            r.errors.append(f"{where}: the form has no field {slug!r}")
        elif slug in seen:
            r.errors.append(f"{where}: field {slug!r} is answered twice")
        if ("value" in answer) == ("values" in answer):
            r.errors.append(f"{where}: give value or values, one of them")
        elif "values" in answer and not all(isinstance(v, str) for v in answer["values"]):
            r.errors.append(f"{where}.values must be an array of strings")
        seen.add(slug)
    missing = [
        f["slug"]
        for f in form["fields"]
        if f.get("required") and f["slug"] not in _REQUESTER_SLUGS and f["slug"] not in seen
    ]
    r.errors += [f"fields: the required field {slug!r} is not answered" for slug in missing]
    return answers or []


def _contact_for(store: Store, email: str, name: str) -> JSON:
    """Return the contact with ``email`` (ignoring case), making one named ``name`` if none."""
    wanted = email.lower()
    for contact in store.contacts.values():
        if wanted in (e.lower() for e in (contact.get("email"), *contact.get("emails", [])) if e):
            return contact
    contact = new_contact(store.new_id(), name=name)
    contact.update(email=email, emails=[email])
    return store.add(store.contacts, contact)


def _body(form: JSON, answers: list[JSON]) -> str:
    names = {f["slug"]: f["name"] for f in form["fields"]}
    parts = [
        f"<p><strong>{html.escape(names[a['slug']])}</strong>: "
        f"{html.escape(', '.join(a['values']) if 'values' in a else a['value'])}</p>"
        for a in answers
        if a["slug"] != "title"
    ]
    return "".join(parts) or f"<p>{html.escape(form['name'])}</p>"


def submit_ticket_form(store: Store, call: Call) -> JSON:
    """``POST /ticket-forms/{ticket_form_id}/submissions``: the answers make an issue."""
    form = store.get(store.ticket_forms, "ticket form", call.params["ticket_form_id"])
    r = Reader(body_object(call))
    requester_id = r.ref("requester_id", store.contacts, "contact")
    email = r.string("requester_email")
    name = r.string("requester_name")
    urls = r.str_list("attachment_urls") or []
    answers = _read_answers(r, form)
    if r.body.get("requester_id") is not None:
        if email is not None or name is not None:
            r.errors.append(
                "requester_id cannot be combined with requester_email or requester_name"
            )
    elif not (email and name):
        r.errors.append("give requester_id, or requester_email and requester_name together")
    r.errors += [f"attachment_urls: {u!r} is not an HTTPS URL" for u in urls if not _https(u)]
    r.done()
    contact = (
        store.contacts[requester_id]
        if requester_id
        else _contact_for(store, email or "", name or "")
    )
    now = store.now()
    title = next((a.get("value") for a in answers if a["slug"] == "title"), None) or form["name"]
    issue = new_issue(
        store.new_id(),
        store.next_issue_number(),
        title=title,
        body_html=_body(form, answers),
        created_at=now,
        now=now,
    )
    copied = [attachment_url(store.new_id(), u.rstrip("/").rsplit("/", 1)[-1]) for u in urls]
    requester: JSON = {"id": contact["id"]}
    if contact.get("email"):
        requester["email"] = contact["email"]
    issue.update(source="form", requester=requester, attachment_urls=copied)
    store.add(store.issues, issue)
    store.touch("issue", "created", issue, at=now)
    submission: JSON = {
        "id": store.new_id(),
        "ticket_form_id": form["id"],
        "issue_id": issue["id"],
        "requester_id": contact["id"],
        "fields": answers,
        "attachment_urls": copied,
        "submitted_at": now,
    }
    store.add(store.ticket_form_submissions, submission)
    return {"data": issue}


def _https(url: str) -> bool:
    return url.startswith("https://") and len(url) > len("https://")


ROUTES = [
    ("POST", "/tags/search", search_tags),
    ("POST", "/audit-logs/search", search_audit_logs),
    ("PATCH", "/custom-objects/{type}", update_custom_objects),
    ("POST", "/ticket-forms/{ticket_form_id}/submissions", submit_ticket_form),
]
