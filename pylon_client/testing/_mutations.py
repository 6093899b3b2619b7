"""Changes made to a fake Pylon from outside the API: what people do in Pylon's web app.

A mirror has to cope with issues that change while it syncs, and with bulk changes that stamp
many issues with the same second. These helpers make both happen on purpose:

- :func:`touch_issues` changes issues as an agent or a bulk action would: each gets a new
  ``updated_at`` (all the same one when ``at`` is given), and listeners such as a
  :class:`~pylon_client.testing.WebhookSender` hear about it.
- :class:`UpdatesDuringSync` wraps the fake's ASGI app and runs a change after every few
  matching requests, so updates land between the pages of a sync.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ._protocol import JSON

__all__ = ["UpdatesDuringSync", "touch_issues"]


def touch_issues(
    fake: Any, ids: Iterable[str], *, at: str | None = None, fields: Mapping[str, Any] | None = None
) -> list[JSON]:
    """Update issues ``ids`` of ``fake`` out of band; return them.

    ``fields`` are set on each issue (default: none, only the stamp moves); ``at`` stamps them
    all with that RFC 3339 time (default: the fake's clock now), which makes a same-second
    burst. An unknown id raises ``KeyError``.
    """
    store = fake.state
    touched = []
    for issue_id in ids:
        issue = store.issues[issue_id]
        issue.update(fields or {})
        store.touch("issue", "updated", issue, at=at)
        touched.append(issue)
    return touched


class UpdatesDuringSync:
    """An ASGI app: the fake, with a change run after every ``every`` matching requests.

    Args:
        fake: the :class:`~pylon_client.testing.FakePylon` to wrap (and to change).
        change: called as ``change(fake, rng)`` to make one change (for example a call of
            :func:`touch_issues` on issues picked with ``rng``).
        every: run ``change`` after every this many matching requests (default 1).
        times: stop after this many changes (default: no limit).
        method, path: which requests count (default ``POST /issues/search``).
        seed: seeds ``rng``.

    The change runs after the request was answered, so the next page already sees it.

    """

    def __init__(
        self,
        fake: Any,
        change: Callable[[Any, random.Random], object],
        *,
        every: int = 1,
        times: int | None = None,
        method: str = "POST",
        path: str = "/issues/search",
        seed: int = 0,
    ) -> None:
        if every < 1:
            raise ValueError("every must be >= 1")
        self.fake = fake
        self.change = change
        self.every = every
        self.times = times
        self.method, self.path = method, path
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data
        self.seen = 0
        self.changes = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.fake(scope, receive, send)
        if scope.get("type") != "http" or (scope["method"], scope["path"]) != (
            self.method,
            self.path,
        ):
            return
        self.seen += 1
        if self.seen % self.every == 0 and (self.times is None or self.changes < self.times):
            self.change(self.fake, self.rng)
            self.changes += 1
