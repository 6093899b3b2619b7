"""What every fake organization starts with: the settings Pylon's API reads but cannot write.

Issue and task statuses, ticket forms, user roles, activity types, macro groups (with one
macro), surveys (with a few responses), feature requests (with evidence), audit log entries and
one custom object type (``companies``) are made in Pylon's web app, not through the API, so the
fake seeds a few plausible ones into every store. Tests may add their own to the store's dicts.

Ids come from the fake's seed through ``uuid5``, not from the store's RNG, so seeding them does
not move the ids of anything created later. Shapes follow Pylon's document, with every field
usepylon 0.1.0a4 marks required (``tests/fake_harness.py`` holds the facts).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from ._objects import FILES_URL
from ._protocol import JSON
from ._validate import format_time, slugify

if TYPE_CHECKING:
    from ._store import Store

__all__ = [
    "BUILT_IN_STATUSES",
    "CUSTOM_OBJECT_TYPES",
    "FEATURE_REQUEST_STATUSES",
    "PORTAL_URL",
    "TASK_STATUSES",
    "catalog_id",
    "seed_catalog",
    "task_status",
]

PORTAL_URL = "https://portal.pylon.test"
"""The fake customer portal, where public ticket forms live (a reserved ``.test`` host)."""

BUILT_IN_STATUSES = ("new", "waiting_on_you", "waiting_on_customer", "on_hold", "closed")
# (slug, label, category, is_archived): custom statuses belong to one built-in category. The
# categories are the fake's reading; Pylon's document does not enumerate them.
_STATUSES = (
    *((s, s.replace("_", " ").capitalize(), s, False) for s in BUILT_IN_STATUSES),
    ("waiting_on_engineering", "Waiting on engineering", "on_hold", False),
    ("pending_review", "Pending review", "waiting_on_you", True),
)
TASK_STATUSES = ("not_started", "in_progress", "completed")
"""The built-in task statuses, each its own category; an organization may add custom ones."""
# Role ids equal their slugs, matching the ``role_id`` the fake's users carry.
_ROLES = (("admin", "Admin"), ("member", "Member"), ("viewer", "Viewer"))
_ACTIVITY_TYPES = (("call", "Call"), ("meeting", "Meeting"), ("product_signup", "Signed up"))
FEATURE_REQUEST_STATUSES = ("new", "in_progress", "closed", "archived")
CUSTOM_OBJECT_TYPES = ("companies",)
_Ago = Callable[[int], str]
"""Formats the time that many days before the store was made."""


def catalog_id(seed: int, kind: str, key: str) -> str:
    """Return the id of seeded object ``key`` of ``kind``: the same for the same seed."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"fake-pylon:{seed}:{kind}:{key}"))


def task_status(slug: str, *, category: str, default: bool = False) -> JSON:
    """Return a task status with all five fields Pylon sends: ``label`` is made from ``slug``."""
    return {
        "slug": slug,
        "label": slug.replace("_", " ").capitalize(),
        "category": category,
        "is_default_status": default,
        "is_archived": False,
    }


def seed_catalog(store: Store) -> None:
    """Fill ``store`` with the organization's settings and a little read-only data."""
    now = store.clock.now()

    def ago(days: int) -> str:
        return format_time(now - timedelta(days=days))

    for slug, label, category, archived in _STATUSES:
        store.issue_statuses[slug] = {
            "slug": slug,
            "label": label,
            "category": category,
            "is_default_status": slug in BUILT_IN_STATUSES,
            "is_archived": archived,
        }
    for slug in TASK_STATUSES:
        store.task_statuses[slug] = task_status(slug, category=slug, default=True)
    for slug, name in _ROLES:
        store.user_roles[slug] = {"id": slug, "name": name, "slug": slug}
    for slug, label in _ACTIVITY_TYPES:
        type_id = catalog_id(store.seed, "activity_type", slug)
        store.activity_types[type_id] = {
            "id": type_id,
            "slug": slug,
            "label": label,
            "icon_url": f"{FILES_URL}/icons/{slug}.svg",
        }
    store.custom_object_types.update(CUSTOM_OBJECT_TYPES)
    _ticket_forms(store)
    _macros(store, ago(90))
    _surveys(store, ago)
    _feature_requests(store, ago)
    _audit_logs(store, ago)


def _field(name: str, kind: str, *, required: bool = False, hidden: bool = False) -> JSON:
    return {
        "name": name,
        "slug": slugify(name, "_"),
        "type": kind,
        "description_html": "",
        "required": required,
        "hidden": hidden,
    }


def _ticket_forms(store: Store) -> None:
    forms = (
        (
            "Report a bug",
            "<p>Tell us what went wrong and how to reproduce it.</p>",
            True,
            [
                _field("Title", "text", required=True),
                _field("What happened", "rich_text", required=True),
                _field("Severity", "select"),
                _field("Stack trace", "text", hidden=True),
            ],
        ),
        (
            "Billing question",
            "<p>Questions about invoices and plans.</p>",
            False,
            [_field("Title", "text", required=True), _field("Invoice number", "text")],
        ),
    )
    for name, description, public, fields in forms:
        slug = slugify(name)
        form_id = catalog_id(store.seed, "ticket_form", slug)
        store.ticket_forms[form_id] = {
            "id": form_id,
            "name": name,
            "slug": slug,
            "description_html": description,
            "is_public": public,
            "url": f"{PORTAL_URL}/forms/{slug}",
            "fields": fields,
        }


def _macros(store: Store, stamp: str) -> None:
    for title in ("General", "Billing"):
        group_id = catalog_id(store.seed, "macro_group", title)
        store.macro_groups[group_id] = {
            "id": group_id,
            "title": title,
            "created_at": stamp,
            "updated_at": stamp,
        }
    macro_id = catalog_id(store.seed, "macro", "thanks")
    store.macros[macro_id] = {
        "id": macro_id,
        "name": "Thanks and close",
        "macro_group_id": catalog_id(store.seed, "macro_group", "General"),
        "text_html": "<p>Thanks for reaching out! Closing this for now.</p>",
        "text_type": "reply",
        "visibility": {"type": "org"},
        "has_actions": True,
        "actions": [{"type": "set_issue_state"}],
        "created_at": stamp,
        "updated_at": stamp,
    }


def _surveys(store: Store, ago: _Ago) -> None:
    for key, name, kind in (("nps", "Quarterly NPS", "nps"), ("csat", "Support CSAT", "csat")):
        survey_id = catalog_id(store.seed, "survey", key)
        store.surveys[survey_id] = {
            "id": survey_id,
            "name": name,
            "type": kind,
            "updated_at": ago(30),
        }
        store.survey_responses[survey_id] = []
    nps = catalog_id(store.seed, "survey", "nps")
    for n, (score, comment) in enumerate((("9", "Fast answers."), ("6", "Docs are thin."))):
        store.survey_responses[nps].append(
            {
                "id": catalog_id(store.seed, "survey_response", str(n)),
                "survey_instance_id": catalog_id(store.seed, "survey_instance", str(n)),
                "survey_type": "nps",
                "submitted_at": ago(20 - 10 * n),
                "answers": [
                    {
                        "prompt": "How likely are you to recommend us?",
                        "question_type": "score",
                        "value": score,
                    },
                    {"prompt": "Why?", "question_type": "comment", "value": comment},
                ],
            }
        )


def _feature_requests(store: Store, ago: _Ago) -> None:
    for n, (title, status) in enumerate((("Dark mode", "new"), ("SSO with Okta", "in_progress"))):
        request_id = catalog_id(store.seed, "feature_request", title)
        evidence = [
            {
                "id": catalog_id(store.seed, "evidence", f"{title}:{k}"),
                "source_type": "manual",
                "summary": f"A customer asked for {title.lower()}.",
                "created_at": ago(40 - k),
            }
            for k in range(n + 1)
        ]
        store.feature_request_evidence[request_id] = evidence
        store.feature_requests[request_id] = {
            "id": request_id,
            "title": title,
            "description": f"<p>{title}, as customers asked for it.</p>",
            "request_status": status,
            "evidence_count": len(evidence),
            "custom_fields": {},
            "created_at": ago(60),
            "updated_at": ago(10),
        }


def _audit_logs(store: Store, ago: _Ago) -> None:
    entries = (
        ("api_token.created", "api_token", "fake-api-token", "web_app", 7),
        ("user.updated", "user", store.me_user_id, "api", 3),
    )
    for n, (action, object_type, object_id, source, days) in enumerate(entries):
        log_id = catalog_id(store.seed, "audit_log", str(n))
        store.audit_logs[log_id] = {
            "id": log_id,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "source": source,
            "actor_user_id": store.me_user_id,
            "attributes": {},
            "action_happened_at": ago(days),
            "created_at": ago(days),
        }
