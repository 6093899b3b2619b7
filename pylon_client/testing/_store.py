"""The fake's state: one dict per kind of object, keyed by id, holding the JSON Pylon returns.

Objects are stored exactly as they are served, so a test can assert on ``fake.tasks[id]`` and
see what a client would.

Ids are UUIDs drawn from seeded RNGs, so the same seed and the same sequence of calls give the
same ids. More than one RNG draws them: the store's, and the demo seed's (:mod:`._seed`), seeded
on its own so that demo data does not depend on the fake's seed. Any two streams can meet (with
one seed they are the very same stream), so rather than argue that they never do, the store
checks: :attr:`Store.ids` holds every id it has handed out, and :meth:`Store.claim` draws again
on any id already there. That alone makes every id unique for every kind of object, whatever
the seeds and the history, and keeps ids reproducible (a redraw is as deterministic as the
draw). A deleted object's id stays in the set, so no id is reused. As a second line,
:meth:`Store.add`, the one way a create puts an object into its dict, refuses an id the dict
already holds, so not even an object a test wrote into a dict by hand is silently replaced.
Ids made with ``uuid5`` (the catalog's, an issue's first message) are version 5 and can never
equal a drawn id, which is version 4.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from typing import Any

from ._clock import Clock
from ._objects import new_user
from ._protocol import JSON, ApiError, Call
from ._validate import format_time

__all__ = ["ChangeListener", "Handler", "Store", "random_uuid"]

ChangeListener = Callable[[str, str, JSON], None]
"""Called as ``listener(kind, event, obj)`` after a change: ``("issue", "updated", {...})``."""


def random_uuid(rng: random.Random) -> str:
    """Return a version-4 UUID string drawn from ``rng``."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


Handler = Callable[["Store", Call], JSON]
"""A handler of the fake: it returns the response body without ``request_id``; the app adds it."""


class Store:
    """Every object the fake holds, plus the RNG and clock that make new ones."""

    def __init__(self, *, seed: int, clock: Clock, max_window_seconds: float) -> None:
        self.seed = seed
        self.clock = clock
        self.max_window_seconds = max_window_seconds
        self.rng = random.Random(seed)  # noqa: S311 - reproducible ids
        # Every id handed out, deleted objects' included: see the module docstring.
        self.ids: set[str] = set()
        # Salted per seed so a cursor from one fake is not accepted by another.
        self.cursor_salt = f"{self.rng.getrandbits(32):08x}"
        self.issues: dict[str, JSON] = {}
        self.accounts: dict[str, JSON] = {}
        self.contacts: dict[str, JSON] = {}
        self.users: dict[str, JSON] = {}
        self.teams: dict[str, JSON] = {}
        self.tags: dict[str, JSON] = {}
        self.custom_fields: dict[str, JSON] = {}
        self.knowledge_bases: dict[str, JSON] = {}
        self.collections: dict[str, JSON] = {}
        self.articles: dict[str, JSON] = {}
        self.route_redirects: dict[str, JSON] = {}
        self.tasks: dict[str, JSON] = {}
        self.projects: dict[str, JSON] = {}
        self.milestones: dict[str, JSON] = {}
        # Comments of every task by comment id, in the order made; each names its task_id.
        self.task_comments: dict[str, JSON] = {}
        # Followers are not part of the Issue object Pylon returns, so they live beside it;
        # likewise the knowledge base each collection and article belongs to (by object id).
        self.issue_followers: dict[str, dict[str, list[str]]] = {}
        self.kb_of: dict[str, str] = {}
        # An issue's conversation, by issue id: its messages (oldest first) and its threads.
        self.messages: dict[str, list[JSON]] = {}
        self.threads: dict[str, list[JSON]] = {}
        self.attachments: dict[str, JSON] = {}
        # Bytes uploaded per attachment (None when given by file_url): not in Pylon's object.
        self.attachment_sizes: dict[str, int | None] = {}
        self.account_highlights: dict[str, JSON] = {}
        self.account_activities: dict[str, list[JSON]] = {}
        self.custom_objects: dict[str, JSON] = {}
        self.training_data: dict[str, JSON] = {}
        # Settings made in Pylon's web app, seeded by _catalog: statuses by slug, the rest by id.
        self.issue_statuses: dict[str, JSON] = {}
        self.task_statuses: dict[str, JSON] = {}
        self.ticket_forms: dict[str, JSON] = {}
        self.user_roles: dict[str, JSON] = {}
        self.activity_types: dict[str, JSON] = {}
        self.macro_groups: dict[str, JSON] = {}
        self.macros: dict[str, JSON] = {}
        self.surveys: dict[str, JSON] = {}
        self.survey_responses: dict[str, list[JSON]] = {}
        self.feature_requests: dict[str, JSON] = {}
        self.feature_request_evidence: dict[str, list[JSON]] = {}
        self.audit_logs: dict[str, JSON] = {}
        self.custom_object_types: set[str] = set()
        # Known from usepylon 0.1.0a4 alone (openapi/pylon-sdk-supplement.yml), by object id
        # unless said otherwise.
        self.account_notes: dict[str, JSON] = {}  # notebook-block notes, each names its block
        self.account_relationships: dict[str, JSON] = {}
        self.call_recordings: dict[str, JSON] = {}
        self.voice_calls: dict[str, list[JSON]] = {}  # by issue id
        self.issue_drafts: dict[str, JSON] = {}  # draft replies, each names its issue_id
        self.kb_themes: dict[str, JSON] = {}
        self.email_suppressions: dict[str, JSON] = {}
        self.article_feedback: dict[str, JSON] = {}
        self.ticket_form_submissions: dict[str, JSON] = {}
        self.issue_number = 0
        self.listeners: list[ChangeListener] = []
        self.me_user_id = self.new_id()
        self.organization: JSON = {"id": self.new_id(), "name": "Fake Org"}
        self.add(
            self.users,
            new_user(
                self.me_user_id, name="API User", email="api-user@example.com", role_id="admin"
            ),
        )

    def new_id(self) -> str:
        """Return a UUID drawn from the seeded RNG that this store never handed out before."""
        return self.claim(lambda: random_uuid(self.rng))

    def claim(self, draw: Callable[[], str]) -> str:
        """Return the first value of ``draw()`` not in :attr:`ids`, and add it there.

        ``draw`` is called again for as long as it gives an id already handed out, so any
        stream of ids (the demo seed's, say) can share the store without ever repeating one.
        """
        candidate = draw()
        while candidate in self.ids:
            candidate = draw()
        self.ids.add(candidate)
        return candidate

    def add(self, objects: dict[str, JSON], obj: JSON) -> JSON:
        """Put the new object ``obj`` into ``objects`` under its id; return it.

        An id ``objects`` already holds is a bug in the fake, never the client's doing (ids are
        not chosen by clients), so it raises rather than replace what is there.
        """
        object_id = obj["id"]
        if object_id in objects:
            raise RuntimeError(f"refusing to replace the object with id {object_id!r}")
        self.ids.add(object_id)
        objects[object_id] = obj
        return obj

    def now(self) -> str:
        """Return the clock's current time formatted as Pylon does."""
        return format_time(self.clock.now())

    def touch(self, kind: str, event: str, obj: JSON, *, at: str | None = None) -> None:
        """Stamp ``obj["updated_at"]`` (now, or ``at``) and tell every listener of the change."""
        obj["updated_at"] = self.now() if at is None else at
        for listener in list(self.listeners):
            listener(kind, event, obj)

    def next_issue_number(self) -> int:
        """Return the next issue number (1, 2, ...)."""
        self.issue_number += 1
        return self.issue_number

    def get(self, objects: dict[str, JSON], kind: str, object_id: str) -> JSON:
        """Return ``objects[object_id]`` or raise 404 naming ``kind``."""
        found = objects.get(object_id)
        if found is None:
            raise ApiError.not_found(kind, object_id)
        return found

    def collection(self, name: str) -> dict[str, JSON]:
        """Return the dict of objects called ``name`` (e.g. ``"tasks"``)."""
        found: Any = getattr(self, name, None)
        if not isinstance(found, dict):
            raise KeyError(name)
        return found
