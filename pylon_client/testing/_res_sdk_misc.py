"""Knowledge base themes, article reviews and feedback, email suppressions, deleting a macro.

Pylon's April document lacks these operations; their shapes are those of its official SDK,
usepylon 0.1.0a4, as ``openapi/pylon-sdk-supplement.yml`` writes them down. The searches of
tags and audit logs, the bulk update of custom objects and ticket form submissions are in
:mod:`._res_sdk_misc2`, whose routes :data:`ROUTES` includes.

- **Themes** live in ``store.kb_themes`` by id, each naming its ``knowledge_base_id``; a theme
  asked for under another knowledge base is a 404, as if it did not exist. Pylon's API cannot
  make a theme, so :func:`seed` gives every seeded knowledge base one, published, and makes it
  the knowledge base's ``active_theme_id``. An update replaces whole files (``assets``, at least
  one, each ``{asset_type, content}``, no type twice) and is atomic: one bad asset is a 400 and
  nothing changes. A file's draft is its ``content``; it has unpublished changes while that
  differs from its ``published_content`` (absent until first published), and the theme has them
  while any file has. An update may add a file of a type the theme lacks (``not_found``, say).
  Publishing copies every draft over; with nothing to publish it changes nothing.
- **Review requests** are recorded on the article as usepylon's ``Article.approval_info``:
  ``{status: needs_review, requested_at}``, replacing any earlier decision. They need
  ``reviewer_user_ids`` (users of the organization: the fake counts every user as a reviewer of
  every knowledge base) or ``request_ai_review: true`` (AI review is on in the fake), and an
  article whose current version is unpublished: never published, or a draft that differs from
  what is published; else 400. The version's id is derived from the article and its draft, so
  asking twice about the same draft names the same version.
- **Article feedback** (``store.article_feedback``) is read only, as in Pylon's API: seeded, or
  written into the store by a test. The list is newest first, filtered by ``knowledge_base_id``
  and ``article_id`` (an id nothing has gives an empty page), paged like ``GET /audit-logs``.
- **Email suppressions** (``store.email_suppressions``) are listed newest first, paged, or for
  one ``email`` (compared ignoring case); deleting one lifts it, an unknown id is a 404.
- **Macros** are deleted for good; an unknown id is a 404.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from . import _res_sdk_misc2
from ._crud import LIST_MAX, deleter, paged
from ._protocol import JSON, ApiError, Call
from ._store import Handler, Store
from ._validate import Reader, body_object, format_time, parse_limit, parse_time_lenient

__all__ = ["ROUTES", "THEME_ASSET_TYPES", "seed"]

THEME_ASSET_TYPES = (
    "article",
    "collection",
    "css",
    "footer",
    "header",
    "homepage",
    "not_found",
    "scripts",
)
"""The files an update may write (usepylon's UpdateKnowledgeBaseThemeAsset names these)."""
SUPPRESSIONS_MAX = 1000
_SEEDED_ASSETS = {
    "article": "<article>{{ article.body }}</article>",
    "collection": "<section>{{ collection.articles }}</section>",
    "css": "body { font-family: sans-serif; }",
    "footer": "<footer>{{ knowledge_base.title }}</footer>",
    "header": "<header>{{ knowledge_base.title }}</header>",
    "homepage": "<main>{{ collections }}</main>",
    "scripts": "",
}
_VERSIONS = uuid.UUID("6f1d3c52-8a4e-4c1b-9d2a-3e5f7a9b0c1d")
"""Namespace of the article version ids (version 5: never equal to a drawn id)."""


def _knowledge_base(store: Store, call: Call) -> JSON:
    kb_id = call.params["knowledge_base_id"]
    return store.get(store.knowledge_bases, "knowledge base", kb_id)


def _theme(store: Store, call: Call) -> JSON:
    """Return the theme of the path if it is the path's knowledge base's, else raise 404."""
    kb = _knowledge_base(store, call)
    theme_id = call.params["theme_id"]
    theme = store.kb_themes.get(theme_id)
    if theme is None or theme["knowledge_base_id"] != kb["id"]:
        raise ApiError.not_found("theme", theme_id)
    return theme


def _set_content(asset: JSON, content: str) -> None:
    asset["content"] = content
    asset["has_unpublished_changes"] = asset.get("published_content") != content


def _refresh(theme: JSON) -> JSON:
    theme["has_unpublished_changes"] = any(a["has_unpublished_changes"] for a in theme["assets"])
    return theme


def get_theme(store: Store, call: Call) -> JSON:
    """``GET /knowledge-bases/{knowledge_base_id}/themes/{theme_id}``."""
    return {"data": _theme(store, call)}


def update_theme(store: Store, call: Call) -> JSON:
    """``PATCH .../themes/{theme_id}``: ``assets`` (required), each replacing one file's draft."""
    theme = _theme(store, call)
    r = Reader(body_object(call))
    assets = r.objects("assets", {"asset_type": str, "content": str}, required=("asset_type",))
    if r.body.get("assets") is None:
        r.errors.append("assets is required")
    elif assets is not None:
        if not assets:
            r.errors.append("assets must hold at least one asset")
        seen: set[str] = set()
        for i, asset in enumerate(assets):
            kind = asset["asset_type"]
            if kind not in THEME_ASSET_TYPES:
                allowed = ", ".join(THEME_ASSET_TYPES)
                r.errors.append(f"assets[{i}].asset_type must be one of {allowed}; got {kind!r}")
            elif kind in seen:
                r.errors.append(f"assets[{i}]: asset_type {kind!r} is given twice")
            if "content" not in asset:
                r.errors.append(f"assets[{i}]: content is required")
            seen.add(kind)
    r.done()
    by_type: dict[str, JSON] = {a["asset_type"]: a for a in theme["assets"]}
    for given in assets or []:
        kind = given["asset_type"]
        if kind not in by_type:
            by_type[kind] = {"asset_type": kind}
            theme["assets"].append(by_type[kind])
        _set_content(by_type[kind], given["content"])
    return {"data": _refresh(theme)}


def publish_theme(store: Store, call: Call) -> JSON:
    """``POST .../themes/{theme_id}/publish``: every draft becomes the published file."""
    theme = _theme(store, call)
    for asset in theme["assets"]:
        asset["published_content"] = asset["content"]
        asset["has_unpublished_changes"] = False
    return {"data": _refresh(theme)}


def _has_unpublished_version(article: JSON) -> bool:
    draft = article.get("current_draft_content_html")
    return not article["is_published"] or draft != article.get("current_published_content_html")


def article_version_id(article: JSON) -> str:
    """Return the id of the article's current version: the same while its draft is."""
    draft = article.get("current_draft_content_html", "")
    name = f"{article['id']}:{article.get('last_edited_at', '')}:{draft}"
    return str(uuid.uuid5(_VERSIONS, name))


def request_review(store: Store, call: Call) -> JSON:
    """``POST .../articles/{article_id}/request-review``: by users, by AI, or both."""
    kb = _knowledge_base(store, call)
    article_id = call.params["article_id"]
    if store.kb_of.get(article_id) != kb["id"]:
        raise ApiError.not_found("article", article_id)
    article = store.get(store.articles, "article", article_id)
    r = Reader(body_object(call))
    ai_review = r.boolean("request_ai_review")
    reviewers = r.str_list("reviewer_user_ids")
    r.errors += [
        f"reviewer_user_ids: no user with id {u!r}" for u in reviewers or [] if u not in store.users
    ]
    if not r.errors and not reviewers and not ai_review:
        r.errors.append("give reviewer_user_ids, request_ai_review: true, or both")
    r.done()
    if not _has_unpublished_version(article):
        raise ApiError.bad_request("the article has no unpublished version to review")
    article["approval_info"] = {"status": "needs_review", "requested_at": store.now()}
    data = {
        "approval_status": "needs_review",
        "article_id": article_id,
        "article_version_id": article_version_id(article),
    }
    return {"data": data}


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _newest_first(items: Iterable[JSON], field: str) -> list[JSON]:
    return sorted(items, key=lambda o: parse_time_lenient(o[field]) or _EPOCH, reverse=True)


def list_article_feedback(store: Store, call: Call) -> JSON:
    """``GET /article-feedback``: ``knowledge_base_id``, ``article_id``, ``cursor``, ``limit``."""
    limit = parse_limit(call.query.get("limit"), maximum=LIST_MAX)
    kb_id, article_id = call.query.get("knowledge_base_id"), call.query.get("article_id")
    items = [
        f
        for f in store.article_feedback.values()
        if kb_id in (None, "", f["knowledge_base_id"]) and article_id in (None, "", f["article_id"])
    ]
    items = _newest_first(items, "submitted_at")
    return paged(store, call, items, cursor=call.query.get("cursor"), limit=limit)


def list_email_suppressions(store: Store, call: Call) -> JSON:
    """``GET /email-suppressions``: ``email``, ``cursor`` and ``limit`` (at most 1000)."""
    limit = parse_limit(call.query.get("limit"), maximum=SUPPRESSIONS_MAX)
    email = (call.query.get("email") or "").strip().lower()
    items = [s for s in store.email_suppressions.values() if email in ("", s["email"].lower())]
    items = _newest_first(items, "created_at")
    return paged(store, call, items, cursor=call.query.get("cursor"), limit=limit)


def seed(store: Store) -> None:
    """Give every knowledge base a published theme; add two suppressions and some feedback.

    Runs after the knowledge bases, articles and contacts are seeded; ids are the store's.
    """
    now = store.clock.now()

    def ago(days: int) -> str:
        return format_time(now - timedelta(days=days))

    for kb in store.knowledge_bases.values():
        assets = [
            {
                "asset_type": kind,
                "content": content,
                "published_content": content,
                "has_unpublished_changes": False,
            }
            for kind, content in _SEEDED_ASSETS.items()
        ]
        theme: JSON = {
            "id": store.new_id(),
            "knowledge_base_id": kb["id"],
            "name": f"{kb['title']} theme",
            "has_unpublished_changes": False,
            "assets": assets,
        }
        store.add(store.kb_themes, theme)
        kb["active_theme_id"] = theme["id"]
    contacts = [c for c in store.contacts.values() if c.get("email")]
    emails = [c["email"] for c in contacts[:2]] or ["bounced@example.com", "opted-out@example.com"]
    details = "550 5.1.1 The email account that you tried to reach does not exist"
    for n, email in enumerate(emails[:2]):
        suppression: JSON = {"id": store.new_id(), "email": email, "created_at": ago(20 - 10 * n)}
        if n == 0:
            suppression.update(reason="hard_bounce", bounce_details=details)
        else:
            suppression["reason"] = "manual"
        store.add(store.email_suppressions, suppression)
    scores = (5, 2, 4)
    for n, article in enumerate(a for a in store.articles.values() if a["id"] in store.kb_of):
        stamp = ago(max(30 - n, 0))
        feedback: JSON = {
            "id": store.new_id(),
            "article_id": article["id"],
            "knowledge_base_id": store.kb_of[article["id"]],
            "score": scores[n % len(scores)],
            "submitted_at": stamp,
            "updated_at": stamp,
        }
        if feedback["score"] < 3:
            feedback["comment"] = "This did not answer my question."
        if contacts:
            contact = contacts[n % len(contacts)]
            feedback["submitter"] = {"contact": {"id": contact["id"], "email": contact["email"]}}
        store.add(store.article_feedback, feedback)


_THEME = "/knowledge-bases/{knowledge_base_id}/themes/{theme_id}"
ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "/article-feedback", list_article_feedback),
    ("GET", "/email-suppressions", list_email_suppressions),
    ("DELETE", "/email-suppressions/{id}", deleter("email_suppressions", "email suppression")),
    (
        "POST",
        "/knowledge-bases/{knowledge_base_id}/articles/{article_id}/request-review",
        request_review,
    ),
    ("GET", _THEME, get_theme),
    ("PATCH", _THEME, update_theme),
    ("POST", f"{_THEME}/publish", publish_theme),
    ("DELETE", "/macros/{id}", deleter("macros", "macro")),
    *_res_sdk_misc2.ROUTES,
]
