"""Client-side test doubles, one of each kind: a recording MockTransport handler, a fake clock.

``Api`` records each request and answers from a script (JSON payloads, ``httpx.Response`` objects
or ``httpx`` error classes to raise) or from a function; ``connect`` builds an unpaced
``AsyncPylon`` on it. ``FakeClock`` is virtual time in seconds, as the rate limiter reads it, on
the public ``pylon_client.testing.FakeClock`` (whose concurrent sleeps overlap as real ones do);
``RecordingSleep`` and ``no_sleep`` are for tests where "never wait" is the point.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import anyio.lowlevel
import attrs
import httpx

from pylon_client import AsyncPylon, testing

__all__ = [
    "Api",
    "FakeClock",
    "RecordingSleep",
    "Reply",
    "body_of",
    "complete",
    "connect",
    "envelope",
    "no_sleep",
    "reply",
    "required_fields",
    "task",
    "task_body",
]

# A scripted answer: a JSON payload (sent with 200), a response (copied for each use), or an
# httpx error class to raise.
Reply = dict[str, Any] | httpx.Response | type[httpx.TransportError]
Handler = Callable[[httpx.Request], httpx.Response | Awaitable[httpx.Response]]


class Api:
    """A MockTransport handler: records each request and answers from a script or a function.

    Scripted replies play in order and the last one repeats once the script is down to it.
    With ``handler=`` every request is answered by that function instead (sync or async).
    Subclasses add test-specific behaviour by overriding ``answer``.
    """

    def __init__(self, *replies: Reply, handler: Handler | None = None) -> None:
        self.replies = list(replies)
        self.handler = handler
        self.requests: list[httpx.Request] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        """Record ``request`` as it was sent and return its answer.

        A copy with its own headers: once a call is over the client redacts the token in the
        requests it hands out, and a test reads what went over the wire.
        """
        sent = object.__new__(httpx.Request)  # copy.copy would drop the stream and extensions
        sent.__dict__.update(vars(request))
        sent.headers = request.headers.copy()
        self.requests.append(sent)
        return await self.answer(request)

    async def answer(self, request: httpx.Request) -> httpx.Response:
        """The answer to ``request``: the handler's, else the next scripted reply."""
        if self.handler is not None:
            got = self.handler(request)
            return got if isinstance(got, httpx.Response) else await got
        item = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(item, type):
            raise item("scripted failure", request=request)
        if isinstance(item, httpx.Response):
            # A copy, so a repeated reply can be read again.
            return httpx.Response(item.status_code, headers=item.headers, content=item.content)
        return httpx.Response(200, json=item)

    @property
    def last(self) -> httpx.Request:
        """The latest request."""
        return self.requests[-1]

    @property
    def transport(self) -> httpx.MockTransport:
        """A MockTransport sending to this handler."""
        return httpx.MockTransport(self)


def body_of(request: httpx.Request) -> Any:
    """The JSON body of ``request``, or None when it has none."""
    return json.loads(request.content) if request.content else None


def connect(api: Api, token: str | None = "tok", **kwargs: Any) -> AsyncPylon:  # noqa: S107 (a test token)
    """A client sending to ``api``; unpaced and retrying without waiting unless told otherwise."""
    kwargs.setdefault("rate_limit", False)
    kwargs.setdefault("sleep", no_sleep)
    return AsyncPylon(token, transport=httpx.MockTransport(api), **kwargs)


def reply(
    status: int = 200,
    payload: Any = None,
    *,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """A response with a JSON ``payload`` or raw ``content``."""
    if content is not None:
        return httpx.Response(status, content=content, headers=headers)
    return httpx.Response(status, json=payload, headers=headers)


def required_fields(model: type[Any]) -> dict[str, Any]:
    """The JSON of the fields ``model`` requires, each a plain valid value (nested ones too)."""
    from pylon_client._generated import models

    out: dict[str, Any] = {}
    for field in attrs.fields(model):
        if field.default is not attrs.NOTHING or not field.init:
            continue
        kind = str(field.type)
        key = field.alias if field.alias and not field.name.endswith("_") else field.name
        key = key.rstrip("_")
        nested = getattr(models, kind, None)
        if isinstance(nested, type) and attrs.has(nested):
            out[key] = required_fields(nested)
        elif "datetime" in kind:
            out[key] = "2026-01-01T00:00:00Z"
        elif kind.startswith(("list[", "builtins.list[")):
            out[key] = []
        elif kind == "bool":
            out[key] = False
        elif kind in ("int", "float"):
            out[key] = 0
        else:
            out[key] = "not_started" if field.name == "status" and model.__name__ == "Task" else "x"
    return out


def complete(model: type[Any], **fields: Any) -> dict[str, Any]:
    """The JSON of a ``model`` with every field Pylon always sends (plain values), then ``fields``.

    ``complete(Issue, id="iss_1", title="Broken")``: what a test cares about, and nothing
    missing that the client requires.
    """
    return {**required_fields(model), **fields}


def task_body(task_id: str = "t1", **fields: Any) -> dict[str, Any]:
    """The JSON of a Task with every field Pylon always sends, then ``fields``."""
    from pylon_client._generated.models import Task

    return {**required_fields(Task), "id": task_id, **fields}


def task(task_id: str = "t1", request_id: str = "req_1", **fields: Any) -> httpx.Response:
    """A 200 holding one Task."""
    return reply(200, {"data": task_body(task_id, **fields), "request_id": request_id})


def envelope(code: str, *errors: str, request_id: str = "req_err", **extra: Any) -> dict[str, Any]:
    """Pylon's error envelope."""
    return {"errors": list(errors), "code": code, "request_id": request_id, **extra}


async def no_sleep(_seconds: float) -> None:
    """A sleep that never waits: it yields once and returns."""
    await anyio.lowlevel.checkpoint()


class RecordingSleep:
    """A sleep that returns at once and records what it was asked to wait."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, delay: float) -> None:
        """Record the delay and yield once."""
        self.waits.append(delay)
        await anyio.lowlevel.checkpoint()


class FakeClock:
    """Seconds of virtual time for the rate limiter, on ``pylon_client.testing.FakeClock``.

    A thin adapter, so the suite has one fake clock: calling it returns ``now``, the public
    clock's ``monotonic()`` (which starts at ``start``); a test may set ``now`` forward. Its
    ``sleep`` keeps every delay asked for in ``sleeps`` and sleeps on the public clock, whose
    concurrent sleeps overlap as real ones do: 5 s and 10 s started together wake at +5 and +10.
    """

    def __init__(self, start: float = 0.0) -> None:
        self.clock = testing.FakeClock()
        self.clock.advance(start)
        self.sleeps: list[float] = []

    @property
    def now(self) -> float:
        """The virtual time, in seconds."""
        return self.clock.monotonic()

    @now.setter
    def now(self, value: float) -> None:
        self.clock.advance(value - self.clock.monotonic())

    def __call__(self) -> float:
        """Return the virtual time."""
        return self.now

    async def sleep(self, delay: float) -> None:
        """Record ``delay``; wake ``delay`` seconds of virtual time later, without real waiting."""
        self.sleeps.append(delay)
        await self.clock.sleep(delay)
