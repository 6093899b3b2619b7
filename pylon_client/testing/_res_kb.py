"""Knowledge bases: their collections, articles and route redirects.

A collection or article belongs to the knowledge base in its path; the fake records which in
``store.kb_of`` (Pylon's objects do not carry it), so one knowledge base never serves another's.
"""

from __future__ import annotations

import random

from ._crud import LIST_MAX, getter, paged, unpaged_lister
from ._objects import article_url, new_article, new_collection
from ._protocol import JSON, ApiError, Call
from ._store import Handler, Store
from ._validate import Reader, body_object, parse_limit

__all__ = ["REDIRECT_OBJECT_TYPES", "ROUTES", "article_identifier"]

REDIRECT_OBJECT_TYPES = ("article", "collection")
_VISIBILITY = {
    "visibility": str,
    "ai_agent_access": str,
    "allowed_agent_ids": list,
    "customer_visibility_condition": dict,
}


def article_identifier(store: Store, rng: random.Random) -> str:
    """Return a new article's 7-digit number, one no article of ``store`` has had.

    The number is the article's id in its public URL, so it is vetted like any other id.
    """
    return store.claim(lambda: str(rng.randrange(10**6, 10**7)))


def _kb(store: Store, call: Call) -> JSON:
    return store.get(store.knowledge_bases, "knowledge base", call.params["id"])


def _child(store: Store, call: Call, name: str, kind: str, param: str) -> JSON:
    """Return the collection or article of the path, 404 if it is not in this knowledge base."""
    kb_id = _kb(store, call)["id"]
    child_id = call.params[param]
    if store.kb_of.get(child_id) != kb_id:
        raise ApiError.not_found(kind, child_id)
    return store.get(store.collection(name), kind, child_id)


def _children(name: str, *, with_cursor: bool) -> Handler:
    def handle(store: Store, call: Call) -> JSON:
        kb_id = _kb(store, call)["id"]
        items = [o for o in store.collection(name).values() if store.kb_of.get(o["id"]) == kb_id]
        if not with_cursor:
            return {"data": items}
        limit = parse_limit(call.query.get("limit"), maximum=LIST_MAX)
        return paged(store, call, items, cursor=call.query.get("cursor"), limit=limit)

    return handle


def _child_getter(name: str, kind: str, param: str) -> Handler:
    def handle(store: Store, call: Call) -> JSON:
        return {"data": _child(store, call, name, kind, param)}

    return handle


def _child_deleter(name: str, kind: str, param: str) -> Handler:
    def handle(store: Store, call: Call) -> JSON:
        child = _child(store, call, name, kind, param)
        del store.collection(name)[child["id"]]
        del store.kb_of[child["id"]]
        return {}

    return handle


def _collection_writer(creating: bool) -> Handler:
    """``POST .../collections`` (``title`` required) or ``PATCH .../collections/{id}``."""

    def handle(store: Store, call: Call) -> JSON:
        kb_id = _kb(store, call)["id"]
        r = Reader(body_object(call))
        title = r.string("title", required=creating)
        given = {
            "title": title,
            "description": r.string("description"),
            "slug": r.string("slug"),
            "visibility_config": r.mapping("visibility_config", _VISIBILITY),
        }
        parent = r.string("parent_collection_id") if creating else None
        if parent and store.kb_of.get(parent) != kb_id:
            r.errors.append(f"parent_collection_id: no collection with id {parent!r}")
        r.done()
        if creating:
            collection = new_collection(store.new_id(), title=title or "", now=store.now())
            if parent:
                collection["parent_collection_id"] = parent
            store.add(store.collections, collection)
            store.kb_of[collection["id"]] = kb_id
        else:
            collection = _child(store, call, "collections", "collection", "collection_id")
        collection.update({k: v for k, v in given.items() if v is not None})
        return {"data": collection}

    return handle


def _read_article(store: Store, r: Reader, kb_id: str, *, creating: bool) -> JSON:
    fields: JSON = {
        "title": r.string("title", required=creating),
        "body_html": r.string("body_html", required=creating),
        "author_user_id": r.ref("author_user_id", store.users, "user", required=creating),
        "collection_id": r.string("collection_id"),
        "slug": r.string("slug"),
        "is_published": r.boolean("is_published"),
        "is_unlisted": r.boolean("is_unlisted"),
        "visibility_config": r.mapping("visibility_config", _VISIBILITY),
        "publish": False if creating else r.boolean("publish_updated_body_html"),
        "tag_ids": None if creating else r.str_list("tag_ids"),
    }
    collection = fields["collection_id"]
    if collection and store.kb_of.get(collection) != kb_id:
        r.errors.append(f"collection_id: no collection with id {collection!r}")
    r.errors += [
        f"tag_ids: no tag with id {t!r}" for t in fields["tag_ids"] or [] if t not in store.tags
    ]
    return fields


def _write_article(store: Store, article: JSON, fields: JSON, kb_slug: str) -> None:
    """Apply an article write: ``body_html`` edits the draft, publishing copies it over."""
    now = store.now()
    for name in ("title", "author_user_id", "collection_id", "is_unlisted", "visibility_config"):
        if fields[name] is not None:
            article[name] = fields[name]
    if fields["slug"] is not None:
        article["slug"] = fields["slug"]
        article["url"] = article_url(kb_slug, article["identifier"], fields["slug"])
    if fields["body_html"] is not None:
        article["current_draft_content_html"] = fields["body_html"]
    if fields["tag_ids"] is not None:
        article["tags"] = [store.tags[t] for t in fields["tag_ids"]]
    if fields["is_published"] is False:
        article["is_published"] = False
        article.pop("current_published_content_html", None)
    elif fields["is_published"] or (fields["publish"] and article["is_published"]):
        article["is_published"] = True
        article["current_published_content_html"] = article["current_draft_content_html"]
        article["last_published_at"] = now
    article["last_edited_at"] = now


def _article_writer(creating: bool) -> Handler:
    """``POST .../articles`` (``author_user_id``, ``title``, ``body_html``) or ``PATCH`` one.

    ``is_published`` publishes the draft (or unpublishes); on update,
    ``publish_updated_body_html`` republishes a published article's new draft.
    """

    def handle(store: Store, call: Call) -> JSON:
        kb = _kb(store, call)
        r = Reader(body_object(call))
        fields = _read_article(store, r, kb["id"], creating=creating)
        r.done()
        if creating:
            article = new_article(
                store.new_id(),
                identifier=article_identifier(store, store.rng),
                title=fields["title"],
                kb_slug=kb["slug"],
                author_user_id=fields["author_user_id"],
                now=store.now(),
            )
            store.add(store.articles, article)
            store.kb_of[article["id"]] = kb["id"]
        else:
            article = _child(store, call, "articles", "article", "article_id")
        _write_article(store, article, fields, kb["slug"])
        return {"data": article}

    return handle


def create_route_redirect(store: Store, call: Call) -> JSON:
    """``POST /knowledge-bases/{id}/route-redirects``: ``from_path`` to an article or collection.

    ``from_path``, ``object_id`` and ``object_type`` (``article`` or ``collection``) are
    required, ``language`` optional; the object must be in this knowledge base.
    """
    kb_id = _kb(store, call)["id"]
    r = Reader(body_object(call))
    from_path = r.string("from_path", required=True)
    object_type = r.string("object_type", required=True, choices=REDIRECT_OBJECT_TYPES)
    object_id = r.string("object_id", required=True)
    language = r.string("language")
    if object_type and object_id:
        objects = store.collection(f"{object_type}s")
        if object_id not in objects or store.kb_of.get(object_id) != kb_id:
            r.errors.append(f"object_id: no {object_type} with id {object_id!r} here")
    r.done()
    redirect: JSON = {
        "id": store.new_id(),
        "from_path": from_path,
        "object_id": object_id,
        "object_type": object_type,
        "created_at": store.now(),
    }
    if language:
        redirect["language"] = language
    store.add(store.route_redirects, redirect)
    return {"data": redirect}


_KB = "/knowledge-bases/{id}"
_COLLECTION = f"{_KB}/collections/{{collection_id}}"
_ARTICLE = f"{_KB}/articles/{{article_id}}"
ROUTES = [
    ("GET", "/knowledge-bases", unpaged_lister("knowledge_bases")),
    ("GET", _KB, getter("knowledge_bases", "knowledge base")),
    ("GET", f"{_KB}/collections", _children("collections", with_cursor=False)),
    ("POST", f"{_KB}/collections", _collection_writer(creating=True)),
    ("GET", _COLLECTION, _child_getter("collections", "collection", "collection_id")),
    ("PATCH", _COLLECTION, _collection_writer(creating=False)),
    ("DELETE", _COLLECTION, _child_deleter("collections", "collection", "collection_id")),
    ("GET", f"{_KB}/articles", _children("articles", with_cursor=True)),
    ("POST", f"{_KB}/articles", _article_writer(creating=True)),
    ("GET", _ARTICLE, _child_getter("articles", "article", "article_id")),
    ("PATCH", _ARTICLE, _article_writer(creating=False)),
    ("DELETE", _ARTICLE, _child_deleter("articles", "article", "article_id")),
    ("POST", f"{_KB}/route-redirects", create_route_redirect),
]
