"""The fake's webhooks: signed POSTs to your receiver when issues change, as Pylon's triggers send.

In Pylon a webhook is set up in the web app: a target URL, a secret, custom headers and a JSON
body template that a trigger fills in. :class:`WebhookSender` does the same for the fake: it
listens to the fake's store, renders the template for each issue change, and POSTs it with
``X-Pylon-Signature`` (lowercase hex HMAC-SHA256 of the body, keyed with the secret).

A template is JSON (a dict or list) whose strings may hold ``{{event}}`` (``created`` or
``updated``) and ``{{issue.FIELD}}`` (``{{issue.id}}``, ``{{issue.title}}``, ...); a string
that is exactly one placeholder takes the value with its JSON type (``"{{issue}}"`` is the
whole issue), and placeholders inside a longer string are replaced by their text.

Deliveries are queued when the change happens (the body is rendered then, so it shows the issue
as it was) and sent by :meth:`WebhookSender.deliver` (everything queued, in order) or by
:meth:`WebhookSender.run` (continuously, until cancelled: start it in a task group).
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

import anyio
import httpx

from ..webhooks import SIGNATURE_HEADER, sign
from ._protocol import JSON

__all__ = ["DEFAULT_TEMPLATE", "WebhookSender"]

DEFAULT_TEMPLATE: JSON = {"event": "{{event}}", "issue": "{{issue}}"}
"""The body sent when no template is given: the event and the whole issue."""

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+(?:\.[a-z_]+)?)\s*\}\}")


class WebhookSender:
    """Send a signed webhook for each issue change of a fake Pylon.

    Args:
        fake: the :class:`~pylon_client.testing.FakePylon` whose changes are sent.
        url: the receiver's URL.
        secret: the webhook's secret.
        template: the JSON body template (default :data:`DEFAULT_TEMPLATE`).
        headers: custom headers sent with every request.
        events: which changes are sent: ``"created"``, ``"updated"`` or both (default).
        client: the ``httpx.AsyncClient`` to send with (default: one of its own, closed by
            :meth:`aclose`); give one with ``transport=httpx.ASGITransport(app=receiver)`` to
            deliver to an app in the same process.

    The secret is kept for signing only: it is not in ``repr`` and never logged.

    """

    def __init__(
        self,
        fake: Any,
        *,
        url: str,
        secret: str | bytes,
        template: JSON | Sequence[Any] | None = None,
        headers: Mapping[str, str] | None = None,
        events: Sequence[str] = ("created", "updated"),
        client: httpx.AsyncClient | None = None,
    ) -> None:
        sign(b"", secret)  # a wrong secret type fails here, not at the first change
        self.url = url
        self._secret = secret
        self.template: Any = DEFAULT_TEMPLATE if template is None else template
        self.headers = dict(headers or {})
        self.events = frozenset(events)
        self._client = client or httpx.AsyncClient()
        self._owns_client = client is None
        self._pending: deque[bytes] = deque()
        self._wake = anyio.Event()
        self.sent: list[httpx.Response] = []
        self._store = fake.state
        self._store.listeners.append(self._on_change)

    def __repr__(self) -> str:
        return f"WebhookSender(url={self.url!r}, pending={len(self._pending)})"

    @property
    def pending(self) -> int:
        """How many deliveries are queued."""
        return len(self._pending)

    def _on_change(self, kind: str, event: str, obj: JSON) -> None:
        if kind != "issue" or event not in self.events:
            return
        body = render(self.template, event=event, issue=obj)
        self._pending.append(json.dumps(body, separators=(",", ":")).encode())
        self._wake.set()

    async def deliver(self) -> list[httpx.Response]:
        """Send every queued delivery, in order; return the receiver's responses."""
        out: list[httpx.Response] = []
        while self._pending:
            body = self._pending.popleft()
            headers = {
                **self.headers,
                "Content-Type": "application/json",
                SIGNATURE_HEADER: sign(body, self._secret),
            }
            response = await self._client.post(self.url, content=body, headers=headers)
            out.append(response)
        self.sent.extend(out)
        return out

    async def run(self) -> None:
        """Deliver as changes happen, until cancelled (start it in a task group)."""
        while True:
            await self._wake.wait()
            self._wake = anyio.Event()
            await self.deliver()

    async def aclose(self) -> None:
        """Stop listening, and close the HTTP client if it is our own."""
        if self._on_change in self._store.listeners:
            self._store.listeners.remove(self._on_change)
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> WebhookSender:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def render(template: Any, **values: Any) -> Any:
    """Fill ``{{name}}`` and ``{{name.field}}`` placeholders of a JSON template.

    >>> render({"id": "{{issue.id}}", "n": "{{issue.number}}", "t": "#{{issue.number}}"},
    ...        issue={"id": "i1", "number": 7})
    {'id': 'i1', 'n': 7, 't': '#7'}
    """
    if isinstance(template, dict):
        return {key: render(value, **values) for key, value in template.items()}
    if isinstance(template, list):
        return [render(value, **values) for value in template]
    if not isinstance(template, str):
        return template
    whole = _PLACEHOLDER.fullmatch(template)
    if whole:
        return _lookup(whole.group(1), values)
    return _PLACEHOLDER.sub(lambda m: _text(_lookup(m.group(1), values)), template)


def _lookup(path: str, values: Mapping[str, Any]) -> Any:
    name, _, field = path.partition(".")
    value = values.get(name)
    if field:
        value = value.get(field) if isinstance(value, Mapping) else None
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
