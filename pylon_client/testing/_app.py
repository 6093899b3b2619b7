"""The fake Pylon server: an ASGI app over the in-memory store.

Each request goes through, in order: body size (413), injected faults before the change,
authentication (401), routing (404), rate limits (429), JSON parsing (400), the handler, and
injected faults after the change. Every request, whatever happened to it, is appended to the
request log, ``fake.requests``. The log is a ring of the newest ``log_size`` requests (1,000 by
default, about 1.4 KB each): a fake serving a long demo or benchmark would otherwise grow by
every request it ever answered.
"""

from __future__ import annotations

import json
import random
from collections import deque
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import attrs
from starlette.datastructures import Headers, QueryParams
from starlette.types import Message, Receive, Scope, Send

from ._catalog import seed_catalog
from ._clock import Clock, SystemClock
from ._faults import ConnectionDropped, FaultPlan, Faults
from ._multipart import parse_form
from ._protocol import JSON, ApiError, Call
from ._ratelimit import RateLimiter, format_retry_after
from ._routes import OPERATIONS, match_route
from ._store import Store

__all__ = ["DEFAULT_LOG_SIZE", "MAX_BODY_BYTES", "FakePylon", "RecordedRequest"]

MAX_BODY_BYTES = 1024 * 1024
DEFAULT_LOG_SIZE = 1000
"""How many requests :attr:`FakePylon.requests` keeps unless told otherwise: the newest."""
_GATEWAY_PAGES = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


@attrs.frozen
class RecordedRequest:
    """One request as the fake saw it.

    ``json`` is the parsed body (None when empty or not JSON); ``status`` is what was sent, or
    None when the response was dropped; ``fault`` names the injected fault, if any;
    ``operation`` is the endpoint it was routed to (``"GET /tasks/{id}"``), None if none.
    """

    method: str
    path: str
    query: Mapping[str, str]
    json: Any
    status: int | None
    request_id: str
    fault: str | None = None
    operation: str | None = None


class FakePylon:
    """An in-memory, stateful Pylon API, served as an ASGI app.

    Args:
        token: the API token it accepts (``Authorization: Bearer <token>``), of the fake's own
            organization (``fake.state.organization``).
        tokens: more tokens, each mapped to the id of its organization, or to None for the
            fake's own. All tokens of one organization share its rate-limit budget; ``GET /me``
            answers with the caller's organization. The data is the same for all.
        seed: seeds ids and cursors; None draws one (kept in ``fake.seed`` to replay a run).
        max_window: the longest ``GET /issues`` window (default 30 days).
        rate_limits: False (default) for none, True for Pylon's published per-minute limits,
            or a mapping ``{"GET /issues": 10, ...}`` overriding some of them: the budget of
            each organization, counted across all its tokens and connections.
        rate_limit_scale: divides the 60 s window: 10 turns 300/min into 300 per 6 s.
        faults: :class:`Faults` to inject; assign ``fake.faults`` to change them at runtime.
        clock: where time comes from; a :class:`FakeClock` makes latency and windows instant.
        log_size: how many requests :attr:`requests` keeps, the newest (default 1,000); older
            ones are dropped as new ones arrive. None keeps every request, without limit.

    Use it in process with ``httpx.AsyncClient(transport=httpx.ASGITransport(app=fake))`` or
    on a socket with :func:`serve_in_thread`. The store is ``fake.state``; the common
    collections are also ``fake.tasks``, ``fake.accounts``, ... (dicts id -> JSON object).

    """

    def __init__(
        self,
        *,
        token: str = "test-token",  # noqa: S107 - a fake server's well-known test token
        tokens: Mapping[str, str | None] | None = None,
        seed: int | None = None,
        max_window: float | timedelta = timedelta(days=30),
        rate_limits: bool | Mapping[str, int] = False,
        rate_limit_scale: float = 1.0,
        faults: Faults | None = None,
        clock: Clock | None = None,
        log_size: int | None = DEFAULT_LOG_SIZE,
    ) -> None:
        self.token = token
        self.seed = random.SystemRandom().getrandbits(32) if seed is None else seed
        self.clock: Clock = clock or SystemClock()
        window = max_window.total_seconds() if isinstance(max_window, timedelta) else max_window
        self.state = Store(seed=self.seed, clock=self.clock, max_window_seconds=float(window))
        seed_catalog(self.state)  # the catalogs every organization has (macros, forms, ...)
        own = str(self.state.organization["id"])
        self.tokens: dict[str, str] = {t: org or own for t, org in (tokens or {}).items()}
        self.rate_limiter: RateLimiter | None = None
        if rate_limits is not False:
            overrides = None if rate_limits is True else rate_limits
            self.rate_limiter = RateLimiter(self.clock, limits=overrides, scale=rate_limit_scale)
        self.faults = faults
        if log_size is not None and log_size < 0:
            raise ValueError(f"log_size must be at least 0, got {log_size}")
        self._log: deque[RecordedRequest] = deque(maxlen=log_size)
        self._request_count = 0

    operations: tuple[str, ...] = OPERATIONS
    """Every endpoint the fake serves, as ``"METHOD /template"`` (``"GET /tasks/{id}"``)."""

    @property
    def app(self) -> FakePylon:
        """The ASGI app: the fake itself (kept for frameworks that expect ``.app``)."""
        return self

    @property
    def requests(self) -> list[RecordedRequest]:
        """The newest :attr:`log_size` requests, oldest first: a copy, so it stays as read.

        ``fake.requests[-1]`` is the last request; :meth:`reset_log` empties the log.
        """
        return list(self._log)

    @property
    def log_size(self) -> int | None:
        """How many requests the log keeps (None: all of them)."""
        return self._log.maxlen

    def reset_log(self) -> None:
        """Forget the recorded requests."""
        self._log.clear()

    # Shortcuts for assertions: the live dicts of the store.
    @property
    def issues(self) -> dict[str, JSON]:
        """Issues by id."""
        return self.state.issues

    @property
    def accounts(self) -> dict[str, JSON]:
        """Accounts by id."""
        return self.state.accounts

    @property
    def contacts(self) -> dict[str, JSON]:
        """Contacts by id."""
        return self.state.contacts

    @property
    def users(self) -> dict[str, JSON]:
        """Users by id."""
        return self.state.users

    @property
    def tasks(self) -> dict[str, JSON]:
        """Tasks by id."""
        return self.state.tasks

    @property
    def projects(self) -> dict[str, JSON]:
        """Projects by id."""
        return self.state.projects

    @property
    def milestones(self) -> dict[str, JSON]:
        """Milestones by id."""
        return self.state.milestones

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        self._request_count += 1
        request_id = f"req_{self.seed:08x}_{self._request_count:06d}"
        method, path = scope["method"], scope["path"]
        # Handlers can read every value of a repeated key (getlist); the record keeps the last.
        multi = QueryParams(scope.get("query_string", b""))
        query = dict(multi)
        out = await self._respond(scope, receive, method, path, multi, request_id)
        dropped = out.fault in ("drop", "drop_after")
        self._log.append(
            RecordedRequest(
                method,
                path,
                query,
                _try_json(out.raw),
                None if dropped else out.status,
                request_id,
                out.fault,
                out.operation,
            )
        )
        if dropped:
            # No content-length: the head alone is not a complete response on the wire.
            await _send_head(send, 200, {"content-type": "application/json"})
            raise ConnectionDropped(f"{method} {path}: connection dropped by fault injection")
        await self._send(send, out, truncate=out.fault == "truncate")

    async def _respond(
        self,
        scope: Scope,
        receive: Receive,
        method: str,
        path: str,
        query: Mapping[str, str],
        request_id: str,
    ) -> _Outcome:
        """Run one request through every stage; never raises."""
        out = _Outcome()
        try:
            out.raw = await _read_body(scope, receive)
            if self.faults is not None:
                out.plan = self.faults.plan(method, path)
            if out.plan.delay > 0:
                await self.clock.sleep(out.plan.delay)
            if out.plan.before == "drop":
                out.fault = "drop"
                return out
            if out.plan.before == "error":
                out.fault = f"error_{out.plan.status}"
                if out.plan.status in _GATEWAY_PAGES:
                    # A gateway in front of Pylon answers with its own page, not the envelope.
                    name = _GATEWAY_PAGES[out.plan.status]
                    out.body = (
                        f"<html><body><h1>{out.plan.status} {name}</h1></body></html>".encode()
                    )
                    out.status, out.headers = out.plan.status, {"content-type": "text/html"}
                    return out
                raise self._injected_error(out.plan.status)
            organization = self._authenticate(Headers(scope=scope))
            route, params = match_route(method, path)
            out.operation = f"{method} {route.template}"
            if self.rate_limiter is not None:
                out.headers = self.rate_limiter.check(out.operation, organization)
            other = None if organization == self.state.organization["id"] else organization
            call = Call(
                method,
                route.template,
                params,
                query,
                _parse_body(Headers(scope=scope), out.raw),
                None if other is None else {"id": other, "name": other},
            )
            data = route.handler(self.state, call)
        except ApiError as error:
            out.status, out.body, out.headers = (
                error.status,
                _dump(error.body(request_id)),
                {**out.headers, **error.headers},
            )
            return out
        out.status, out.body = 200, _dump({**data, "request_id": request_id})
        out.fault = out.plan.after
        return out

    def _injected_error(self, status: int) -> ApiError:
        if status == 429:
            wait = self.faults.retry_after if self.faults is not None else 1.0
            headers = {"Retry-After": format_retry_after(wait)}
            return ApiError(429, "rate_limited", "rate limit exceeded", headers=headers)
        return ApiError(status, "internal_error", "an internal error occurred")

    def _authenticate(self, headers: Headers) -> str:
        """Return the id of the caller's organization, or raise 401."""
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(
                401,
                "invalid_authorization_header",
                "the Authorization header must be 'Bearer <api token>'",
            )
        token = token.strip()
        if token == self.token:
            return str(self.state.organization["id"])
        if token in self.tokens:
            return self.tokens[token]
        raise ApiError(401, "invalid_api_token", "the API token is not valid")

    async def _send(self, send: Send, out: _Outcome, *, truncate: bool) -> None:
        body = out.body[: len(out.body) // 2] if truncate else out.body
        head = {"content-type": "application/json"}
        head.update({k.lower(): v for k, v in out.headers.items()})
        head["content-length"] = str(len(body))
        await _send_head(send, out.status, head)
        if out.plan.slow_body <= 0:
            await send({"type": "http.response.body", "body": body})
            return
        size = out.plan.chunk_size
        chunks = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
        for index, chunk in enumerate(chunks):
            if index:
                await self.clock.sleep(out.plan.slow_body)
            more = index < len(chunks) - 1
            await send({"type": "http.response.body", "body": chunk, "more_body": more})


@attrs.define
class _Outcome:
    """What a request came to: the body read, the faults drawn, and the response to send."""

    raw: bytes = b""
    plan: FaultPlan = attrs.Factory(FaultPlan)
    status: int = 0
    body: bytes = b""
    headers: dict[str, str] = attrs.Factory(dict)
    fault: str | None = None
    operation: str | None = None


async def _read_body(scope: Scope, receive: Receive) -> bytes:
    declared = Headers(scope=scope).get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _too_large()
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _too_large()
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _too_large() -> ApiError:
    return ApiError(413, "payload_too_large", f"the request body exceeds {MAX_BODY_BYTES} bytes")


def _parse_body(headers: Headers, raw: bytes) -> Any:
    """Return a ``multipart/form-data`` body as a :class:`Form`; read any other as JSON."""
    form = parse_form(headers.get("content-type", ""), raw)
    return _parse_json(raw) if form is None else form


def _parse_json(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError.bad_request("the request body is not valid JSON") from None


def _try_json(raw: bytes) -> Any:
    try:
        return _parse_json(raw)
    except ApiError:
        return None


def _dump(payload: JSON) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


async def _send_head(send: Send, status: int, headers: Mapping[str, str]) -> None:
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message: Message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
