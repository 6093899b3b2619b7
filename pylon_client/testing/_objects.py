"""New objects in the shape Pylon returns them, shared by the handlers and the demo seed.

Every constructor fills every field Pylon always sends for its type (the fields its official
SDK, usepylon 0.1.0a4, marks required) with a plausible default, plus the empty lists and maps
Pylon sends for an object that has none. Optional references (``account``, ``owner_id``, ...)
are left out until set: Pylon's document declares no field nullable, so the fake omits an unset
field rather than sending null.
"""

from __future__ import annotations

from urllib.parse import quote

from ._protocol import JSON
from ._validate import slugify

__all__ = [
    "APP_URL",
    "FILES_URL",
    "article_url",
    "attachment_url",
    "contact_author",
    "external_issue",
    "issue_link",
    "mini_issue",
    "new_account",
    "new_article",
    "new_attachment",
    "new_collection",
    "new_contact",
    "new_custom_field",
    "new_issue",
    "new_knowledge_base",
    "new_message",
    "new_milestone",
    "new_project",
    "new_task",
    "new_task_comment",
    "new_thread",
    "new_user",
    "user_author",
]

APP_URL = "https://app.usepylon.com"
FILES_URL = "https://files.pylon.test"
"""Where the fake says uploaded files live: a reserved ``.test`` host nothing answers on."""


def issue_link(number: int) -> str:
    """Return the web-app link of issue ``number``, as Pylon's ``link`` field gives it."""
    return f"{APP_URL}/issues?issueNumber={number}"


def article_url(kb_slug: str, identifier: str, slug: str) -> str:
    """Return the public URL of an article in the knowledge base ``kb_slug``."""
    return f"https://{kb_slug}.help.usepylon.com/articles/{identifier}-{slugify(slug)}"


def new_user(user_id: str, *, name: str, email: str, role_id: str = "member") -> JSON:
    """Return an active user."""
    return {
        "id": user_id,
        "name": name,
        "email": email,
        "emails": [email],
        "avatar_url": "",
        "role_id": role_id,
        "status": "active",
        "is_deactivated": False,
    }


def new_issue(
    issue_id: str, number: int, *, title: str, body_html: str, created_at: str, now: str
) -> JSON:
    """Return a new issue, as one created through the API (``source: manual``)."""
    return {
        "id": issue_id,
        "number": number,
        "title": title,
        "body_html": body_html,
        "state": "new",
        "type": "conversation",
        "source": "manual",
        "link": issue_link(number),
        "number_of_touches": 0,
        "is_issue_group": False,
        "customer_portal_visible": False,
        "author_unverified": False,
        "latest_message_time": created_at,
        "created_at": created_at,
        "updated_at": now,
        "tags": [],
        "custom_fields": {},
        "attachment_urls": [],
        "external_issues": [],
    }


def new_account(account_id: str, *, name: str, now: str) -> JSON:
    """Return a customer account without domains, owner or activity yet."""
    return {
        "id": account_id,
        "name": name,
        "type": "customer",
        "domains": [],
        "tags": [],
        "custom_fields": {},
        "external_ids": [],
        "channels": [],
        "subaccount_ids": [],
        "is_disabled": False,
        "logo_url": "",
        # Pylon always sends it (a plain string in its SDK); until a customer writes in, the
        # fake says the account's creation time.
        "latest_customer_activity_time": now,
        "created_at": now,
        "updated_at": now,
    }


def new_contact(contact_id: str, *, name: str) -> JSON:
    """Return a contact with no email, account or portal access yet."""
    return {
        "id": contact_id,
        "name": name,
        "avatar_url": "",
        "portal_role": "no_access",
        "emails": [],
        "phone_numbers": [],
        "external_ids": [],
        "custom_fields": {},
    }


def new_task(task_id: str, *, title: str, now: str) -> JSON:
    """Return a ``not_started`` task."""
    return {
        "id": task_id,
        "title": title,
        "body_html": "",
        "status": "not_started",
        "customer_portal_visible": False,
        "subtask_ids": [],
        "custom_fields": {},
        "external_issues": [],
        "linked_issues": [],
        "created_at": now,
        "updated_at": now,
    }


def new_task_comment(
    comment_id: str, *, task_id: str, body_html: str, is_internal: bool, author: JSON, now: str
) -> JSON:
    """Return a comment on task ``task_id``, never edited (``last_edited_at`` is left out)."""
    return {
        "id": comment_id,
        "task_id": task_id,
        "body_html": body_html,
        "is_internal": is_internal,
        "author": author,
        "created_at": now,
        "updated_at": now,
    }


def external_issue(external_id: str, source: str) -> JSON:
    """Return a link to issue ``external_id`` of the tracker ``source``, with its fake URL."""
    link = f"https://{slugify(source)}.example.com/issues/{external_id}"
    return {"external_id": external_id, "source": source, "link": link}


def mini_issue(issue: JSON) -> JSON:
    """Return the ``{id, number, title}`` by which a task shows a linked issue."""
    return {"id": issue["id"], "number": issue["number"], "title": issue["title"]}


def new_project(project_id: str, *, name: str, now: str) -> JSON:
    """Return a ``not_started`` project at 0 % progress."""
    return {
        "id": project_id,
        "name": name,
        "description_html": "",
        "status": "not_started",
        "progress": 0.0,
        "is_archived": False,
        "customer_portal_visible": False,
        "custom_fields": {},
        "created_at": now,
        "updated_at": now,
    }


def new_milestone(milestone_id: str, *, name: str, project_id: str, now: str) -> JSON:
    """Return a milestone of project ``project_id``."""
    return {
        "id": milestone_id,
        "name": name,
        "project": {"id": project_id},
        "created_at": now,
        "updated_at": now,
    }


def new_knowledge_base(kb_id: str, *, title: str) -> JSON:
    """Return an English knowledge base."""
    return {
        "id": kb_id,
        "title": title,
        "slug": slugify(title),
        "default_language": "en",
        "supported_languages": ["en"],
    }


def new_collection(collection_id: str, *, title: str, now: str) -> JSON:
    """Return a top-level collection."""
    return {
        "id": collection_id,
        "title": title,
        "slug": slugify(title),
        "description": "",
        "created_at": now,
    }


def new_article(
    article_id: str, *, identifier: str, title: str, kb_slug: str, author_user_id: str, now: str
) -> JSON:
    """Return an unpublished, listed article with an empty draft."""
    slug = slugify(title)
    return {
        "id": article_id,
        "identifier": identifier,
        "title": title,
        "slug": slug,
        "url": article_url(kb_slug, identifier, slug),
        "author_user_id": author_user_id,
        "is_published": False,
        "is_unlisted": False,
        "current_draft_content_html": "",
        "created_at": now,
        "last_edited_at": now,
    }


def new_custom_field(
    field_id: str, *, label: str, field_type: str, object_type: str, now: str
) -> JSON:
    """Return a writable custom field defined in Pylon (not synced from an integration)."""
    return {
        "id": field_id,
        "label": label,
        "slug": slugify(label, "_"),
        "type": field_type,
        "object_type": object_type,
        "description": "",
        "source": "pylon",
        "is_read_only": False,
        "created_at": now,
        "updated_at": now,
    }


def attachment_url(attachment_id: str, name: str) -> str:
    """Return the URL of an uploaded file on the fake's file host."""
    return f"{FILES_URL}/attachments/{attachment_id}/{quote(name)}"


def new_attachment(attachment_id: str, *, name: str, url: str, description: str) -> JSON:
    """Return an attachment, as ``POST /attachments`` answers it."""
    return {"id": attachment_id, "name": name, "url": url, "description": description}


def user_author(user: JSON) -> JSON:
    """Return the ``author`` of a message a user wrote."""
    return {
        "name": user["name"],
        "avatar_url": user.get("avatar_url", ""),
        "user": {"id": user["id"], "email": user["email"]},
    }


def contact_author(contact: JSON) -> JSON:
    """Return the ``author`` of a message a contact wrote."""
    mini = {"id": contact["id"], **({"email": contact["email"]} if contact.get("email") else {})}
    return {"name": contact["name"], "avatar_url": contact.get("avatar_url", ""), "contact": mini}


def new_message(
    message_id: str,
    *,
    html: str,
    is_private: bool,
    source: str,
    timestamp: str,
    author: JSON,
    file_urls: list[str] | None = None,
) -> JSON:
    """Return a message of an issue: a customer-visible one, or an internal note."""
    return {
        "id": message_id,
        "message_html": html,
        "is_private": is_private,
        "source": source,
        "timestamp": timestamp,
        "author": author,
        "author_unverified": False,
        "file_urls": list(file_urls or []),
    }


def new_thread(thread_id: str, *, issue_id: str, name: str) -> JSON:
    """Return an internal thread of an issue."""
    return {"id": thread_id, "issue_id": issue_id, "name": name}
