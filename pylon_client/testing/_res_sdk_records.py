"""Call recordings and the select options of custom fields, known from usepylon 0.1.0a4 alone.

Pylon's April document lacks these operations; their shapes are those of its official SDK,
usepylon 0.1.0a4, as ``openapi/pylon-sdk-supplement.yml`` writes them down. Feature requests and
issue groups are in :mod:`._res_sdk_records2`, whose routes :data:`ROUTES` includes.

- **Call recordings** live in ``store.call_recordings`` by id. ``POST /call-recordings`` takes
  only ``app_type: custom_call_recorder`` (the fake has that integration turned on), a
  ``start_time`` no later than ``end_time``, and at least one transcript message; each message
  has a non-empty ``message_content``, a speaker (``speaker_email``, ``speaker_name`` or both)
  and a ``message_at_ms`` of zero or more, and each ``speaker_email`` is one of the participants
  (``participant_emails``, split on commas, or ``primary_user_email``; any case). The stored
  ``participant_emails`` are those given, then ``primary_user_email`` if it was not among them.
  The account is ``account_id`` (an unknown id is a 400, as usepylon says), else the first
  account one of whose domains is a participant's email domain, the organization's own domains
  (its users') skipped, else none. A recording is known by ``(external_id, source)``, with
  ``external_id`` the ``recording_id`` or ``""``: creating one that exists answers it unchanged.
  The transcript is checked, not kept (no operation reads it back); ``summary`` is ``""``, as
  Pylon writes it later. ``PATCH`` changes ``account_id`` (``""`` unlinks) and merges
  ``custom_fields``; a custom field value gives ``value`` or ``values``, never both (400).
- **Search** takes ``filter``, ``cursor`` and ``limit`` (1 to 1000, default 100) in the body and
  pages the recordings in the order they were made. It filters on ``account_id``, ``source``,
  ``title`` and ``start_time`` with the operators usepylon lists for each; another operator on
  one of these fields, or another field, is a 400.
- **Select options** are the ``select_metadata.options`` of the stored custom field, each
  ``{label, slug}`` and ``ai_description`` when it has one. The field must exist (404) and be a
  select or multiselect field (400); ``current_slug`` (query, required) must name one of its
  options (404). Slugs are unique within a field (400). Changing an option's slug, or deleting
  the option, carries the change at once into every stored object of the field's object type
  (``meeting`` is a call recording) and into the field's defaults: a value of the old slug
  becomes the new one, or is unset; Pylon does the clearing in the background.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from . import _res_sdk_records2
from ._crud import SEARCH_MAX, paged
from ._protocol import JSON, ApiError, Call
from ._search import compile_filter, key
from ._store import Handler, Store
from ._validate import Reader, body_object, merge_custom_fields, parse_limit, parse_time

__all__ = ["CALL_RECORDING_OPERATORS", "OBJECTS_OF_TYPE", "ROUTES", "seed"]

CALL_RECORDING_APP_TYPES = ("custom_call_recorder",)
RECORDING_URL_MAX = 255
CALL_RECORDING_FIELDS = {
    "account_id": key("account_id"),
    "source": key("source"),
    "title": key("title"),
    "start_time": key("start_time"),
}
CALL_RECORDING_OPERATORS: Mapping[str, tuple[str, ...]] = {
    "account_id": ("equals", "in", "not_in", "is_set", "is_unset"),
    "source": ("equals", "in", "not_in"),
    "title": ("equals", "string_contains"),
    "start_time": ("time_is_after", "time_is_before", "time_range"),
}
"""The operators usepylon allows on each filterable field of a call recording search."""
OBJECTS_OF_TYPE = {
    "account": "accounts",
    "issue": "issues",
    "contact": "contacts",
    "task": "tasks",
    "project": "projects",
    "meeting": "call_recordings",
}
"""The store collection holding the objects of each custom field object type."""
SELECT_TYPES = ("select", "multiselect")


def _recording(store: Store, call: Call) -> JSON:
    return store.get(store.call_recordings, "call recording", call.params["id"])


def _custom_fields(r: Reader) -> dict[str, JSON | None] | None:
    """Read ``custom_fields`` as a list of values; one giving both value and values is a 400."""
    raw = r.body.get("custom_fields")
    if isinstance(raw, list):
        both = [
            i for i in raw if isinstance(i, dict) and None not in (i.get("value"), i.get("values"))
        ]
        r.errors += [f"custom_fields: {i.get('slug')!r} gives both value and values" for i in both]
    return r.custom_fields()


def _duration_ms(start: str, end: str) -> int:
    """Return the milliseconds from ``start`` to ``end`` (RFC 3339), 0 if either is not one."""
    started, ended = parse_time(start), parse_time(end)
    if started is None or ended is None:
        return 0
    return int((ended - started).total_seconds() * 1000)


def _required_time(r: Reader, name: str) -> str | None:
    if r.body.get(name) is None:
        r.errors.append(f"{name} is required")
        return None
    return r.time(name)


def _participants(r: Reader) -> list[str]:
    """Return the participants' emails as given, then the primary user's if not among them."""
    raw = r.string("participant_emails") or ""
    emails = [e.strip() for e in raw.split(",") if e.strip()]
    primary = r.string("primary_user_email")
    if primary and primary.lower() not in {e.lower() for e in emails}:
        emails.append(primary)
    return emails


def _check_messages(r: Reader, participants: Iterable[str]) -> None:
    """Check the transcript: at least one message, each with content and a known speaker."""
    raw = r.body.get("call_recording_messages")
    if not isinstance(raw, list) or not raw:
        r.errors.append("call_recording_messages must be an array of at least one message")
        return
    known = {e.lower() for e in participants}
    for i, item in enumerate(raw):
        sub = Reader(item if isinstance(item, dict) else {})
        if not isinstance(item, dict):
            sub.errors.append("must be an object")
        sub.string("message_content", required=True)
        at = item.get("message_at_ms") if isinstance(item, dict) else None
        if at is not None and (isinstance(at, bool) or not isinstance(at, int) or at < 0):
            sub.errors.append("message_at_ms must be an integer, zero or greater")
        email, name = sub.string("speaker_email"), sub.string("speaker_name")
        if not (email or name):
            sub.errors.append("give speaker_email, speaker_name or both")
        elif email and email.lower() not in known:
            sub.errors.append(f"speaker_email {email!r} is not one of the participants")
        r.errors += [f"call_recording_messages[{i}]: {e}" for e in sub.errors]


def _matched_account(store: Store, emails: Iterable[str]) -> str | None:
    """Return the first account whose domains hold a participant's (not the organization's)."""
    own = {
        e.rsplit("@", 1)[-1].lower()
        for user in store.users.values()
        for e in (user.get("email", ""), *user.get("emails", []))
        if "@" in e
    }
    for email in emails:
        domain = email.rsplit("@", 1)[-1].lower()
        if "@" not in email or domain in own:
            continue
        for account in store.accounts.values():
            if domain in (d.lower() for d in account.get("domains", [])):
                return str(account["id"])
    return None


def create_call_recording(store: Store, call: Call) -> JSON:
    """``POST /call-recordings``: a custom recorder's call, or the one it already sent."""
    r = Reader(body_object(call))
    app_type = r.string("app_type", required=True, choices=CALL_RECORDING_APP_TYPES)
    start = _required_time(r, "start_time")
    end = _required_time(r, "end_time")
    emails = _participants(r)
    _check_messages(r, emails)
    account_id = r.ref("account_id", store.accounts, "account")
    fields = _custom_fields(r)
    recording_id = r.string("recording_id") or ""
    url = r.string("recording_url") or ""
    if len(url) > RECORDING_URL_MAX:
        r.errors.append(f"recording_url must be at most {RECORDING_URL_MAX} characters")
    title = r.string("title") or ""
    if start and end and _duration_ms(start, end) < 0:
        r.errors.append("end_time must not be before start_time")
    r.done()
    for existing in store.call_recordings.values():
        if (existing.get("external_id"), existing.get("source")) == (recording_id, app_type):
            return {"data": existing}
    now = store.now()
    recording: JSON = {
        "id": store.new_id(),
        "external_id": recording_id,
        "source": app_type,
        "title": title,
        "summary": "",
        "url": url,
        "start_time": start,
        "end_time": end,
        "duration_ms": _duration_ms(start or "", end or ""),
        "participant_emails": emails,
        "custom_fields": merge_custom_fields({}, fields),
        "created_at": now,
        "updated_at": now,
    }
    account_id = account_id or _matched_account(store, emails)
    if account_id:
        recording["account_id"] = account_id
    return {"data": store.add(store.call_recordings, recording)}


def update_call_recording(store: Store, call: Call) -> JSON:
    """``PATCH /call-recordings/{id}``: ``account_id`` (``""`` unlinks) and ``custom_fields``."""
    recording = _recording(store, call)
    r = Reader(body_object(call))
    account_id = r.ref("account_id", store.accounts, "account")
    fields = _custom_fields(r)
    r.done()
    if account_id == "":
        recording.pop("account_id", None)
    elif account_id is not None:
        recording["account_id"] = account_id
    recording["custom_fields"] = merge_custom_fields(recording["custom_fields"], fields)
    recording["updated_at"] = store.now()
    return {"data": recording}


def get_call_recording(store: Store, call: Call) -> JSON:
    """``GET /call-recordings/{id}``."""
    return {"data": _recording(store, call)}


def delete_call_recording(store: Store, call: Call) -> JSON:
    """``DELETE /call-recordings/{id}``: the answer is ``{request_id}`` alone."""
    del store.call_recordings[_recording(store, call)["id"]]
    return {}


def _check_operators(raw: Any) -> None:
    """Refuse an operator usepylon does not allow on a call recording's field (400)."""
    if not isinstance(raw, dict):
        return
    for sub in raw.get("subfilters") or []:
        _check_operators(sub)
    allowed = CALL_RECORDING_OPERATORS.get(str(raw.get("field")))
    op = raw.get("operator")
    if allowed is not None and op not in ("and", "or") and op not in allowed:
        raise ApiError.bad_request(
            f"operator {op!r} is not allowed on {raw['field']!r}; use one of {', '.join(allowed)}"
        )


def search_call_recordings(store: Store, call: Call) -> JSON:
    """``POST /call-recordings/search``: ``filter``, ``cursor``, ``limit`` in the body."""
    body = body_object(call)
    limit = parse_limit(body.get("limit"), maximum=SEARCH_MAX)
    items: Iterable[JSON] = store.call_recordings.values()
    if body.get("filter") is not None:
        predicate = compile_filter(body["filter"], CALL_RECORDING_FIELDS)
        _check_operators(body["filter"])
        items = filter(predicate, items)
    return paged(store, call, list(items), cursor=body.get("cursor"), limit=limit)


def _select_field(store: Store, call: Call) -> tuple[JSON, list[JSON]]:
    """Return the select field of the path and its options; 404 if none, 400 if not a select."""
    field_id = call.params["custom_field_id"]
    field = store.get(store.custom_fields, "custom field", field_id)
    if field["type"] not in SELECT_TYPES:
        raise ApiError.bad_request(
            f"custom field {field_id!r} is a {field['type']} field: only select and "
            "multiselect fields have options"
        )
    metadata = field.setdefault("select_metadata", {})
    options: list[JSON] = metadata.setdefault("options", [])
    return field, options


def _option(call: Call, options: list[JSON]) -> JSON:
    """Return the option ``current_slug`` (query, required) names; 404 if the field lacks it."""
    r = Reader(call.query)
    current = r.string("current_slug", required=True) or ""
    r.done()
    for option in options:
        if option.get("slug") == current:
            return option
    raise ApiError.not_found("select option", current)


def _migrate(store: Store, field: JSON, old: str, new: str | None) -> None:
    """Carry slug ``old`` to ``new`` (None: unset it) in the field's objects and defaults."""
    if field.get("default_value") == old:
        if new is None:
            field.pop("default_value")
        else:
            field["default_value"] = new
    if old in field.get("default_values", []):
        field["default_values"] = _swapped(field["default_values"], old, new)
    name = OBJECTS_OF_TYPE.get(field["object_type"])
    objects: Iterable[JSON] = store.collection(name).values() if name else []
    for obj in objects:
        values = obj.get("custom_fields")
        entry = values.get(field["slug"]) if isinstance(values, dict) else None
        if not isinstance(entry, dict) or not isinstance(values, dict):
            continue
        if entry.get("value") == old:
            changed: JSON | None = None if new is None else {**entry, "value": new}
        elif old in (entry.get("values") or []):
            kept = _swapped(entry["values"], old, new)
            changed = {**entry, "values": kept} if kept else None
        else:
            continue
        if changed is None:
            del values[field["slug"]]
        else:
            values[field["slug"]] = changed


def _swapped(values: list[str], old: str, new: str | None) -> list[str]:
    swapped = [new if v == old else v for v in values]
    return list(dict.fromkeys(v for v in swapped if v is not None))


def create_select_option(store: Store, call: Call) -> JSON:
    """``POST /custom-fields/{custom_field_id}/select-options``: ``label``, ``slug`` required."""
    field, options = _select_field(store, call)
    r = Reader(body_object(call))
    label = r.string("label", required=True) or ""
    slug = r.string("slug", required=True) or ""
    ai_description = r.string("ai_description")
    if any(o.get("slug") == slug for o in options):
        r.errors.append(f"slug {slug!r}: the field already has an option with it")
    r.done()
    option: JSON = {"label": label, "slug": slug}
    if ai_description:
        option["ai_description"] = ai_description
    options.append(option)
    field["updated_at"] = store.now()
    return {"data": option}


def update_select_option(store: Store, call: Call) -> JSON:
    """``PATCH .../select-options?current_slug=``: ``label``, ``slug``, ``ai_description``.

    ``ai_description: ""`` removes it; a new slug is carried into the objects that hold the old.
    """
    field, options = _select_field(store, call)
    option = _option(call, options)
    r = Reader(body_object(call))
    # Given, a label or slug must not be empty.
    label = r.string("label", required=r.body.get("label") is not None)
    slug = r.string("slug", required=r.body.get("slug") is not None)
    ai_description = r.string("ai_description")
    if slug and any(o is not option and o.get("slug") == slug for o in options):
        r.errors.append(f"slug {slug!r}: the field already has an option with it")
    r.done()
    if label is not None:
        option["label"] = label
    if ai_description == "":
        option.pop("ai_description", None)
    elif ai_description is not None:
        option["ai_description"] = ai_description
    old = option["slug"]
    if slug is not None and slug != old:
        option["slug"] = slug
        _migrate(store, field, old, slug)
    field["updated_at"] = store.now()
    return {"data": option}


def delete_select_option(store: Store, call: Call) -> JSON:
    """``DELETE .../select-options?current_slug=``: the option goes, and its values with it."""
    field, options = _select_field(store, call)
    option = _option(call, options)
    options.remove(option)
    _migrate(store, field, option["slug"], None)
    field["updated_at"] = store.now()
    return {"data": {"success": True}}


_DEMO_CALLS = (
    ("Kickoff call", "gong", "2025-12-02T15:00:00Z", "2025-12-02T15:30:00Z"),
    ("Quarterly review", "custom_call_recorder", "2025-12-16T16:00:00Z", "2025-12-16T16:45:00Z"),
)


def seed(store: Store) -> None:
    """Add two demo call recordings, linked to the first account when there is one."""
    account = next(iter(store.accounts.values()), None)
    domains = account.get("domains", []) if account else []
    me = store.users[store.me_user_id]["email"]
    for n, (title, source, start, end) in enumerate(_DEMO_CALLS, start=1):
        emails = [f"buyer@{domains[0]}", me] if domains else [me]
        recording: JSON = {
            "id": store.new_id(),
            "external_id": f"demo-call-{n}",
            "source": source,
            "title": title,
            "summary": f"A demo {title.lower()}.",
            "url": f"https://calls.example.com/demo-call-{n}",
            "start_time": start,
            "end_time": end,
            "duration_ms": _duration_ms(start, end),
            "participant_emails": emails,
            "custom_fields": {},
            "created_at": end,
            "updated_at": end,
        }
        if account:
            recording["account_id"] = account["id"]
        store.add(store.call_recordings, recording)


_OPTIONS = "/custom-fields/{custom_field_id}/select-options"
ROUTES: list[tuple[str, str, Handler]] = [
    ("POST", "/call-recordings", create_call_recording),
    ("POST", "/call-recordings/search", search_call_recordings),
    ("GET", "/call-recordings/{id}", get_call_recording),
    ("PATCH", "/call-recordings/{id}", update_call_recording),
    ("DELETE", "/call-recordings/{id}", delete_call_recording),
    ("POST", _OPTIONS, create_select_option),
    ("PATCH", _OPTIONS, update_select_option),
    ("DELETE", _OPTIONS, delete_select_option),
    *_res_sdk_records2.ROUTES,
]
