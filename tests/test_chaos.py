"""The client against the fake Pylon over a real socket, with faults injected on every request.

The faults (see ``pylon_client.testing._faults``): 10 % 500/502/503, 5 % 429 with Retry-After,
2 % connections dropped before the change, 1 % truncated bodies and a few ms of jittered
latency; the write workload adds 2 % connections dropped after the change. Reads are
idempotent, so the client may retry them through every fault; writes must never be applied
twice, and a failed write must say whether it may have been applied.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import timedelta
from typing import Any

import attrs
import pytest
from harness import no_sleep, task_body
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pylon_client import AsyncPylon, InternalServerError, PylonError, RetryPolicy
from pylon_client.testing import (
    DEMO_START,
    FakePylon,
    Faults,
    add_issues,
    seed_demo,
    serve_in_thread,
)

pytestmark = pytest.mark.anyio

TOKEN = "test-token"
READ_FAULTS: dict[str, Any] = {
    "error_rates": {500: 0.033, 502: 0.033, 503: 0.034, 429: 0.05},
    "drop_rate": 0.02,
    "truncate_rate": 0.01,
    "latency": 0.0005,
    "jitter": 0.003,
    "retry_after": 0.01,
}
WRITE_FAULTS: dict[str, Any] = {**READ_FAULTS, "drop_after_rate": 0.02}


def chaos_client(url: str) -> AsyncPylon:
    """The client the brief describes: 8 retries, no waiting, no pacing."""
    return AsyncPylon(
        TOKEN, base_url=url, retry=RetryPolicy(max_retries=8), sleep=no_sleep, rate_limit=False
    )


# ---------------------------------------------------------------------- reads


async def test_export_of_20000_issues_survives_every_fault(anyio_backend: str) -> None:
    """20,000 issues over 200 days come back exactly once each through every injected fault."""
    fake = FakePylon(token=TOKEN, seed=11)
    added = add_issues(fake, 20_000, DEMO_START, DEMO_START + timedelta(days=200), seed=11)
    fake.faults = Faults(**READ_FAULTS, seed=5)
    with serve_in_thread(fake) as url:
        async with chaos_client(url) as pylon:
            export = pylon.issues.list(
                start_time=DEMO_START, end_time=DEMO_START + timedelta(days=200), limit=500
            )
            ids = [issue.id async for issue in export]
    assert Counter(ids) == Counter(issue["id"] for issue in added)
    assert export.progress == 1.0
    faults = Counter(r.fault for r in fake.requests if r.fault)
    assert faults  # the run really met faults


FAULT_KINDS = [
    pytest.param({"error_rates": {500: 0.3}}, id="500-envelope"),
    pytest.param({"error_rates": {502: 0.3}}, id="502-html"),
    pytest.param({"error_rates": {503: 0.3}}, id="503-html"),
    pytest.param({"error_rates": {429: 0.3}, "retry_after": 0.01}, id="429-retry-after"),
    pytest.param({"drop_rate": 0.3}, id="dropped-before-the-change"),
    pytest.param({"drop_after_rate": 0.3}, id="dropped-after-the-change"),
    pytest.param({"truncate_rate": 0.3}, id="truncated-body"),
]


@pytest.mark.parametrize("faults", FAULT_KINDS)
async def test_paged_read_survives_each_fault_kind(
    faults: dict[str, Any], anyio_backend: str
) -> None:
    """A 60-page listing with 30 % of one fault kind still returns every task once."""
    fake = FakePylon(token=TOKEN, seed=3)
    for i in range(120):
        fake.state.tasks[f"t{i:03d}"] = task_body(f"t{i:03d}", title=f"task {i}")
    fake.faults = Faults(**faults, methods={"GET"}, seed=9)
    with serve_in_thread(fake) as url:
        async with chaos_client(url) as pylon:
            tasks = await pylon.tasks.list(limit=2).collect()
    assert Counter(t.id for t in tasks) == Counter(list(fake.tasks))
    assert any(r.fault for r in fake.requests)


# ---------------------------------------------------------------------- writes


@attrs.define
class Tracked:
    """What the workload knows about one object it tried to create."""

    kind: str  # "task" or "project"
    key: str  # its unique title (task) or name (project)
    id: str | None = None  # None when the create raised
    create_error: PylonError | None = None
    present: bool | None = True  # None: a delete raised, either is possible
    allowed: set[str | None] = attrs.Factory(lambda: {None, ""})  # possible body field values


BODY_FIELD = {"task": "body_html", "project": "description_html"}
KEY_FIELD = {"task": "title", "project": "name"}


def store_of(fake: FakePylon, kind: str) -> dict[str, Any]:
    """The fake's live dict of tasks or projects."""
    return fake.tasks if kind == "task" else fake.projects


async def run_workload(pylon: AsyncPylon, account_id: str, rng: random.Random) -> list[Tracked]:
    """500 mixed creates, updates and deletes of tasks and projects; return what was tried."""
    tracked: list[Tracked] = []
    for n in range(500):
        kind = rng.choice(("task", "project"))
        known = [t for t in tracked if t.kind == kind and t.id is not None and t.present]
        roll = rng.random()
        if not known or roll < 0.45:
            item = Tracked(kind, f"chaos-{kind}-{n:03d}")
            tracked.append(item)
            try:
                if kind == "task":
                    created: Any = await pylon.tasks.create(title=item.key)
                else:
                    created = await pylon.projects.create(account_id=account_id, name=item.key)
            except PylonError as exc:
                item.create_error, item.present = exc, None
            else:
                item.id = created.id
        elif roll < 0.8:
            item = rng.choice(known)
            assert item.id is not None
            marker = f"<p>update {n}</p>"
            resource: Any = pylon.tasks if kind == "task" else pylon.projects
            try:
                await resource.update(item.id, **{BODY_FIELD[kind]: marker})
            except PylonError as exc:
                if getattr(exc, "maybe_applied", False):
                    item.allowed.add(marker)
            else:
                item.allowed = {marker}
        else:
            item = rng.choice(known)
            assert item.id is not None
            resource = pylon.tasks if kind == "task" else pylon.projects
            try:
                await resource.delete(item.id)
            except PylonError:
                item.present = None
            else:
                item.present = False
    return tracked


def applied_creates(fake: FakePylon, kind: str) -> Counter[str]:
    """How many POSTs per title/name reached the handler and changed the fake's state."""
    path = "/tasks" if kind == "task" else "/projects"
    return Counter(
        r.json[KEY_FIELD[kind]]
        for r in fake.requests
        if r.method == "POST"
        and r.path == path
        and isinstance(r.json, dict)
        and (r.status == 200 or r.fault == "drop_after")
    )


async def test_write_workload_never_duplicates_and_says_what_may_have_applied(
    anyio_backend: str,
) -> None:
    """500 writes under faults: each is reflected or raised, nothing exists twice, no retry dup."""
    fake = FakePylon(token=TOKEN, seed=21)
    seed_demo(fake, seed=21, accounts=2, issues_days=1, issues_per_day=1)
    account_id = next(iter(fake.accounts))
    fake.faults = Faults(**WRITE_FAULTS, seed=8)
    with serve_in_thread(fake) as url:
        async with chaos_client(url) as pylon:
            tracked = await run_workload(pylon, account_id, random.Random(4))
    assert any(t.create_error is not None for t in tracked)  # the run really met faults
    for kind in ("task", "project"):
        objects = store_of(fake, kind)
        by_key = Counter(
            o[KEY_FIELD[kind]] for o in objects.values() if o[KEY_FIELD[kind]].startswith("chaos-")
        )
        assert set(by_key.values()) == {1}, "an object exists twice"
        assert set(applied_creates(fake, kind).values()) == {1}, "a create was applied twice"
    for item in tracked:
        objects = store_of(fake, item.kind)
        matches = [o for o in objects.values() if o[KEY_FIELD[item.kind]] == item.key]
        if item.create_error is not None:
            if matches:
                assert getattr(item.create_error, "maybe_applied", False), (
                    f"{item.key} exists after {type(item.create_error).__name__} "
                    f"that did not say it may have been applied: {item.create_error}"
                )
            continue
        if item.present is False:
            assert item.id not in objects
        elif item.present:
            assert item.id in objects
            assert objects[item.id].get(BODY_FIELD[item.kind]) in item.allowed


# ---------------------------------------------------------------------- bulk


class FailOneBatch:
    """An ASGI wrapper: every ``PATCH /accounts`` whose ids include ``poison`` gets a 500."""

    def __init__(self, app: ASGIApp, poison: str) -> None:
        self.app = app
        self.poison = poison
        self.hits = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["method"], scope["path"]) != ("PATCH", "/accounts"):
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        if self.poison in json.loads(body).get("account_ids", []):
            self.hits += 1
            payload = json.dumps(
                {"errors": ["boom"], "code": "internal_error", "request_id": "req_poison"}
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(payload)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": payload})
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def test_bulk_update_names_exactly_the_failed_batch(anyio_backend: str) -> None:
    """1,050 accounts, the third batch failing for good, 429s on the rest: failed ids are exact."""
    fake = FakePylon(token=TOKEN, seed=31)
    seed_demo(fake, seed=31, accounts=1050, issues_days=1, issues_per_day=1)
    ids = list(fake.accounts)
    assert len(ids) == 1050
    # A PATCH is retried only when it provably did not apply: 429s are survivable, the rest not.
    fake.faults = Faults(
        error_rates={429: 0.05}, latency=0.0005, jitter=0.003, retry_after=0.01, seed=2
    )
    app = FailOneBatch(fake, poison=ids[200])
    with serve_in_thread(app) as url:
        async with chaos_client(url) as pylon:
            result = await pylon.accounts.update_many(
                ids, tags=["chaos"], tags_apply_mode="append_only"
            )
    failed = set(ids[200:300])
    assert set(result.failed) == failed
    assert all(isinstance(e, InternalServerError) for e in result.failed.values())
    assert sorted(result.succeeded) == sorted(set(ids) - failed)
    assert result.total == 1050
    assert len(result.request_ids) == 11
    assert app.hits == 1  # a 500 on a PATCH is not retried
    tagged = {i for i, a in fake.accounts.items() if "chaos" in a["tags"]}
    assert tagged == set(ids) - failed
