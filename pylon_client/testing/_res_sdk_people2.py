"""Account activities, notebook notes and relationships; an issue's surveys and voice calls.

Pylon's April document lacks these eight operations; their shapes are those of its official SDK,
usepylon 0.1.0a4, as ``openapi/pylon-sdk-supplement.yml`` writes them down. The issue changes
known the same way are in :mod:`._res_sdk_people`, whose ``ROUTES`` include these.

- **Activities** are the ones ``POST /accounts/{id}/activities`` keeps in
  ``store.account_activities[account_id]``, served as Pylon's ``CustomActivity``: with the
  account's id, and with ``activity_type`` the organization's type of the record's ``slug``
  (left out if the type is gone). That record keeps no creation time, so ``created_at`` and
  ``updated_at`` are the record's own when it has them and its ``happened_at`` otherwise: the
  same instant for every activity that was not backdated. The list is newest first by
  ``happened_at`` (on a tie, the later made first); ``activity_type`` keeps one slug, and
  ``[start_time, end_time)`` bounds ``happened_at``; ``limit`` is 1 to 1000 (default 100).
- **Notes** live in ``store.account_notes`` by note id, each naming its ``account_id`` and
  ``block_id``, written by the token's user. The fake knows no notebook layout (blocks are made
  in Pylon's web app): any block id names a Notes block, and the first note written to it makes
  it that account's; the block asked for under another account is a 404. Newest first;
  ``limit`` is 1 to 20 (default 20).
- **Relationships** live in ``store.account_relationships`` by id. The account of the path is
  the child (or client) side; ``related_object_id`` is the parent (or partner) and must exist
  (404). A ``parent_account`` relationship is the account's parent as ``Account`` shows it:
  making one sets the child's ``parent_account_id`` and adds it to the parent's
  ``subaccount_ids``, deleting it undoes both, and each change stamps both accounts'
  ``updated_at``. Refused with 400: an account related to itself, the same relationship twice,
  a second parent, and a parent that would close a cycle. An account lists those where it is
  the child or client, oldest first; a relationship asked for under another account is a 404.
  Deleting answers the relationship as it was.
- **Survey responses** of an issue are the responses of every survey in
  ``store.survey_responses`` (by survey id) that name the issue's ``issue_id``, oldest
  submission first, filtered by ``survey_id`` and the open range ``submitted_after`` to
  ``submitted_before``, paged with ``limit`` 1 to 999 (default 100). The answer names the
  issue's id, also when the path gave its number.
- **Voice calls** are ``store.voice_calls[issue_id]``, served whole: every stored recording
  counts as transcribed.

Accounts are found by id or by an external id where usepylon says the path takes either
(activities and notes), by id alone for relationships; issues by id or by number where it says
so (:func:`issue_by_key`). :func:`seed_objects` gives the first seeded issue a voice call and a
CSAT response, and the second seeded account a partner relationship to the first.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ._crud import LIST_MAX, paged
from ._objects import FILES_URL
from ._protocol import JSON, ApiError, Call
from ._res_records import account_by_key
from ._store import Store
from ._validate import Reader, body_object, parse_limit, parse_time, parse_time_lenient

__all__ = [
    "ACTIVITIES_MAX",
    "NOTES_MAX",
    "RELATIONSHIP_TYPES",
    "ROUTES",
    "drop_account",
    "issue_by_key",
    "seed_objects",
    "when",
]

ACTIVITIES_MAX = 1000
NOTES_MAX = 20
RELATIONSHIP_TYPES = ("parent_account", "partner_account")
_OPTIONAL_ACTIVITY_FIELDS = ("body_html", "contact_id", "link", "link_text", "user_id")
_EPOCH = datetime.min.replace(tzinfo=UTC)


def when(value: str | None) -> datetime:
    """Return a stored time as a datetime, the earliest possible one if it is unreadable."""
    return (parse_time_lenient(value) if value else None) or _EPOCH


def issue_by_key(store: Store, key: str) -> JSON:
    """Return the issue with id ``key``, or with number ``key``; 404 if there is none."""
    found = store.issues.get(key)
    if found is not None:
        return found
    if key.isdigit():
        for issue in store.issues.values():
            if issue["number"] == int(key):
                return issue
    raise ApiError.not_found("issue", key)


def _activity(store: Store, account: JSON, record: JSON) -> JSON:
    """Return a kept activity record as Pylon's ``CustomActivity``."""
    happened = record["happened_at"]
    created = record.get("created_at", happened)
    out: JSON = {
        "id": record["id"],
        "account_id": account["id"],
        "happened_at": happened,
        "created_at": created,
        "updated_at": record.get("updated_at", created),
    }
    kinds = [t for t in store.activity_types.values() if t["slug"] == record.get("slug")]
    if kinds:
        out["activity_type"] = kinds[0]
    out.update({k: record[k] for k in _OPTIONAL_ACTIVITY_FIELDS if record.get(k) is not None})
    return out


def list_activities(store: Store, call: Call) -> JSON:
    """``GET /accounts/{account_id}/activities``: newest first, filtered, paged."""
    account = account_by_key(store, call.params["account_id"])
    r = Reader(call.query)
    kind = r.string("activity_type")
    start, end = (r.time(name) for name in ("start_time", "end_time"))
    limit = parse_limit(call.query.get("limit"), maximum=ACTIVITIES_MAX)
    r.done()
    low, high = (parse_time(b) if b else None for b in (start, end))
    records = store.account_activities.get(account["id"], [])
    kept = []
    for index, record in enumerate(records):
        moment = when(record.get("happened_at"))
        if kind and record.get("slug") != kind:
            continue
        if (low and moment < low) or (high and moment >= high):
            continue
        kept.append((moment, index, record))
    kept.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    items = [_activity(store, account, record) for _, _, record in kept]
    return paged(store, call, items, cursor=call.query.get("cursor"), limit=limit)


def _block(store: Store, call: Call) -> tuple[JSON, str]:
    """Return the account and block id of the path; 404 if the block is another account's."""
    account = account_by_key(store, call.params["account_id"])
    block_id = call.params["block_id"]
    owners = [n["account_id"] for n in store.account_notes.values() if n["block_id"] == block_id]
    if owners and owners[0] != account["id"]:
        raise ApiError.not_found("notebook block", block_id)
    return account, block_id


def list_notes(store: Store, call: Call) -> JSON:
    """``GET /accounts/{account_id}/notebook-blocks/{block_id}/notes``: newest first, paged."""
    _, block_id = _block(store, call)
    limit = parse_limit(call.query.get("limit"), maximum=NOTES_MAX, default=NOTES_MAX)
    notes = [n for n in store.account_notes.values() if n["block_id"] == block_id]
    return paged(store, call, notes[::-1], cursor=call.query.get("cursor"), limit=limit)


def create_note(store: Store, call: Call) -> JSON:
    """``POST .../notebook-blocks/{block_id}/notes``: ``content_html`` required, ``title``."""
    account, block_id = _block(store, call)
    r = Reader(body_object(call))
    content_html = r.string("content_html", required=True) or ""
    title = r.string("title")
    r.done()
    now = store.now()
    note: JSON = {
        "id": store.new_id(),
        "account_id": account["id"],
        "block_id": block_id,
        "content_html": content_html,
        **({"title": title} if title is not None else {}),
        "created_by_user_id": store.me_user_id,
        "created_at": now,
        "updated_at": now,
    }
    return {"data": store.add(store.account_notes, note)}


def _new_relationship(store: Store, child_id: str, related_id: str, kind: str, at: str) -> JSON:
    """Store a relationship of ``child_id`` to ``related_id`` made at ``at``; return it."""
    relationship = {
        "id": store.new_id(),
        "child_account_id": child_id,
        "parent_account_id": related_id,
        "related_object_id": related_id,
        "relationship_type": kind,
        "created_at": at,
        "updated_at": at,
    }
    return store.add(store.account_relationships, relationship)


def _refusal(store: Store, child: JSON, related: JSON, kind: str) -> str | None:
    """Return why ``child`` may not get ``related`` as its ``kind``, or None if it may."""
    if related["id"] == child["id"]:
        return "related_object_id: an account cannot be related to itself"
    for existing in store.account_relationships.values():
        ends = (existing["child_account_id"], existing["related_object_id"])
        if ends == (child["id"], related["id"]) and existing["relationship_type"] == kind:
            return f"account {child['id']!r} already has this {kind} relationship"
    if kind != "parent_account":
        return None
    if child.get("parent_account_id") not in (None, related["id"]):
        return f"account {child['id']!r} already has a parent account"
    seen: set[str] = set()
    ancestor: str | None = related["id"]
    while ancestor is not None and ancestor not in seen:
        if ancestor == child["id"]:
            return "related_object_id: the parent account is a subaccount of this account"
        seen.add(ancestor)
        ancestor = store.accounts.get(ancestor, {}).get("parent_account_id")
    return None


def _set_parent(store: Store, child_id: str, parent_id: str, *, linked: bool) -> None:
    """Make (or, with ``linked=False``, unmake) ``parent_id`` the parent of ``child_id``."""
    now = store.now()
    child, parent = store.accounts.get(child_id), store.accounts.get(parent_id)
    if child is not None:
        if linked:
            child["parent_account_id"] = parent_id
        elif child.get("parent_account_id") == parent_id:
            del child["parent_account_id"]
        child["updated_at"] = now
    if parent is not None:
        subaccounts = [i for i in parent.get("subaccount_ids", []) if i != child_id]
        parent["subaccount_ids"] = [*subaccounts, child_id] if linked else subaccounts
        parent["updated_at"] = now


def create_relationship(store: Store, call: Call) -> JSON:
    """``POST /accounts/{account_id}/relationship``: relate the account to another one."""
    child = store.get(store.accounts, "account", call.params["account_id"])
    r = Reader(body_object(call))
    related_id = r.string("related_object_id", required=True) or ""
    kind = r.string("relationship_type", required=True, choices=RELATIONSHIP_TYPES) or ""
    r.done()
    related = store.get(store.accounts, "account", related_id)
    problem = _refusal(store, child, related, kind)
    if problem is not None:
        raise ApiError.bad_request(problem)
    relationship = _new_relationship(store, child["id"], related["id"], kind, store.now())
    if kind == "parent_account":
        _set_parent(store, child["id"], related["id"], linked=True)
    return {"data": relationship}


def list_relationships(store: Store, call: Call) -> JSON:
    """``GET /accounts/{account_id}/relationships``: those of the child side, not paginated."""
    child = store.get(store.accounts, "account", call.params["account_id"])
    relationships = store.account_relationships.values()
    return {"data": [r for r in relationships if r["child_account_id"] == child["id"]]}


def delete_relationship(store: Store, call: Call) -> JSON:
    """``DELETE /accounts/{account_id}/relationships/{relationship_id}``: the one deleted."""
    child = store.get(store.accounts, "account", call.params["account_id"])
    relationship_id = call.params["relationship_id"]
    relationship = store.account_relationships.get(relationship_id)
    if relationship is None or relationship["child_account_id"] != child["id"]:
        raise ApiError.not_found("account relationship", relationship_id)
    _unrelate(store, relationship)
    return {"data": relationship}


def _unrelate(store: Store, relationship: JSON) -> None:
    """Forget ``relationship``, undoing the parent link a ``parent_account`` one made."""
    del store.account_relationships[relationship["id"]]
    if relationship["relationship_type"] == "parent_account":
        child_id, parent_id = relationship["child_account_id"], relationship["parent_account_id"]
        _set_parent(store, child_id, parent_id, linked=False)


def drop_account(store: Store, account_id: str) -> None:
    """Delete account ``account_id`` and every relationship it is on either side of."""
    store.accounts.pop(account_id, None)
    doomed = [
        r
        for r in store.account_relationships.values()
        if account_id in (r["child_account_id"], r["related_object_id"])
    ]
    for relationship in doomed:
        _unrelate(store, relationship)


def list_survey_responses(store: Store, call: Call) -> JSON:
    """``GET /issues/{issue_id}/survey-responses``: the issue's, filtered, paged."""
    issue = issue_by_key(store, call.params["issue_id"])
    r = Reader(call.query)
    survey_id = r.string("survey_id")
    bounds = [r.time(name) for name in ("submitted_after", "submitted_before")]
    limit = parse_limit(call.query.get("limit"), maximum=LIST_MAX)
    r.done()
    after, before = (parse_time(b) if b else None for b in bounds)
    items = []
    for responses in store.survey_responses.values():
        for response in responses:
            if response.get("issue_id") != issue["id"]:
                continue
            if survey_id and response.get("survey_id") != survey_id:
                continue
            submitted = response.get("submitted_at")
            moment = when(submitted)
            if (after or before) and not submitted:
                continue
            if (after and moment <= after) or (before and moment >= before):
                continue
            items.append(response)
    items.sort(key=lambda response: when(response.get("submitted_at")))
    page = paged(store, call, items, cursor=call.query.get("cursor"), limit=limit)
    return {**page, "issue_id": issue["id"]}


def list_voice_calls(store: Store, call: Call) -> JSON:
    """``GET /issues/{issue_id}/voice-calls``: every call of the issue, not paginated."""
    issue = store.get(store.issues, "issue", call.params["issue_id"])
    return {"data": list(store.voice_calls.get(issue["id"], []))}


def seed_objects(store: Store) -> None:
    """Add a voice call, a survey response and an account relationship to a seeded store."""
    issue = next(iter(store.issues.values()), None)
    if issue is not None:
        call_id = store.new_id()
        recording = {
            "id": store.new_id(),
            "download_url": f"{FILES_URL}/voice-calls/{call_id}/recording.mp3",
            "transcript_segments": [
                {"speaker": "Customer", "text": "Hi, I cannot log in since this morning."},
                {"speaker": "Support", "text": "Sorry about that, let me sign you out everywhere."},
            ],
        }
        store.voice_calls.setdefault(issue["id"], []).append(
            {
                "id": call_id,
                "created_at": issue["created_at"],
                "duration_sec": 312,
                "from_phone_number": "+15555550142",
                "to_phone_number": "+15555550100",
                "recordings": [recording],
            }
        )
        _seed_survey_response(store, issue)
    accounts = list(store.accounts.values())[:2]
    if len(accounts) == 2:
        client, partner = accounts[1], accounts[0]
        stamp = max(client["created_at"], partner["created_at"], key=when)
        _new_relationship(store, client["id"], partner["id"], "partner_account", stamp)


def _seed_survey_response(store: Store, issue: JSON) -> None:
    surveys = [s for s in store.surveys.values() if s["type"] == "csat"]
    if not surveys:
        return
    survey_id = surveys[0]["id"]
    account = (issue.get("account") or {}).get("id")
    response: JSON = {
        "id": store.new_id(),
        "survey_instance_id": store.new_id(),
        "survey_type": "csat",
        "survey_id": survey_id,
        "issue_id": issue["id"],
        **({"account_id": account} if account else {}),
        "submitted_at": issue["created_at"],
        "answers": [
            {"prompt": "How did we do?", "question_type": "score", "value": "5"},
            {"prompt": "Anything to add?", "question_type": "comment", "value": "Quick fix."},
        ],
    }
    store.survey_responses.setdefault(survey_id, []).append(response)


_ACCOUNT = "/accounts/{account_id}"
_NOTES = f"{_ACCOUNT}/notebook-blocks/{{block_id}}/notes"
ROUTES = [
    ("GET", f"{_ACCOUNT}/activities", list_activities),
    ("GET", _NOTES, list_notes),
    ("POST", _NOTES, create_note),
    ("POST", f"{_ACCOUNT}/relationship", create_relationship),
    ("GET", f"{_ACCOUNT}/relationships", list_relationships),
    ("DELETE", f"{_ACCOUNT}/relationships/{{relationship_id}}", delete_relationship),
    ("GET", "/issues/{issue_id}/survey-responses", list_survey_responses),
    ("GET", "/issues/{issue_id}/voice-calls", list_voice_calls),
]
