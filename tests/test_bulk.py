"""Tests of accounts.update_many and accounts.merge: batches, failures id by id, no overlap."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest
from harness import Api, FakeClock, complete, connect, no_sleep

from pylon_client import (
    AsyncPylon,
    BadRequestError,
    BulkError,
    PylonConfigError,
    PylonInputError,
    RateLimiter,
)
from pylon_client._generated.models import Account
from pylon_client.testing import FakePylon, RecordedRequest, seed_demo

pytestmark = pytest.mark.anyio


class BulkServer(Api):
    """PATCH /accounts and POST /accounts/merge, recording bodies and requests in flight.

    ``refuse``: a request holding any of those ids is refused with 400 naming them, as Pylon
    refuses unknown ids. ``fail_containing``: any other request holding that id is answered
    ``status`` (None: no answer, a connection error; 200: ``success: false``). ``hang_below``:
    a request with fewer ids than that is never answered (``hung`` is set when one arrives).
    """

    def __init__(
        self,
        *,
        fail_containing: str | None = None,
        status: int | None = 500,
        refuse: Collection[str] = (),
        hang_below: int = 0,
    ) -> None:
        super().__init__()
        self.bodies: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.fail_containing = fail_containing
        self.status = status
        self.refuse = set(refuse)
        self.hang_below = hang_below
        self.hung = anyio.Event()

    async def answer(self, request: httpx.Request) -> httpx.Response:
        """Answer as the server would, failing or refusing as configured."""
        body = json.loads(request.content)
        self.bodies.append(body)
        self.paths.append(f"{request.method} {request.url.path}")
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            for _ in range(3):  # give other batches the chance to start
                await anyio.lowlevel.checkpoint()
            ids = body.get("account_ids") or body.get("merge_account_ids") or []
            n = len(self.bodies)
            if len(ids) < self.hang_below:
                self.hung.set()
                await anyio.sleep_forever()
            refused = [i for i in ids if i in self.refuse]
            if refused:
                errors = [f"account_ids: no account with id {i!r}" for i in refused]
                payload = {
                    "errors": errors,
                    "code": "invalid_request_body",
                    "request_id": f"req_{n}",
                }
                return httpx.Response(400, json=payload)
            if self.fail_containing in ids:
                return self._failure(request)
            if request.url.path == "/accounts/merge":
                data = complete(Account, id=body["merge_into_account_id"], name="Survivor")
                return httpx.Response(200, json={"data": data, "request_id": f"req_{n}"})
            return httpx.Response(200, json={"success": True, "request_id": f"req_{n}"})
        finally:
            self.in_flight -= 1

    def _failure(self, request: httpx.Request) -> httpx.Response:
        if self.status is None:
            raise httpx.ConnectError("connection refused", request=request)
        if self.status == 200:
            return httpx.Response(200, json={"success": False, "request_id": "bad"})
        payload = {"errors": ["boom"], "code": "some_error", "request_id": "bad"}
        return httpx.Response(self.status, json=payload)


def _ids(n: int) -> list[str]:
    return [f"acc_{i:05d}" for i in range(n)]


def _client(server: BulkServer) -> AsyncPylon:
    return connect(server)


@pytest.mark.parametrize(
    ("count", "batches"),
    [
        pytest.param(1, 1, id="1"),
        pytest.param(100, 1, id="100"),
        pytest.param(101, 2, id="101"),
        pytest.param(1050, 11, id="1050"),
    ],
)
async def test_update_many_batches_of_at_most_100(count: int, batches: int) -> None:
    """Any number of ids goes out in ceil(n/100) batches of at most 100, all succeeding."""
    server = BulkServer()
    async with _client(server) as pylon:
        result = await pylon.accounts.update_many(
            _ids(count), tags=["vip"], tags_apply_mode="append_only"
        )
    assert len(server.bodies) == batches
    assert all(len(b["account_ids"]) <= 100 for b in server.bodies)
    assert sorted(i for b in server.bodies for i in b["account_ids"]) == _ids(count)
    assert server.bodies[0]["tags"] == ["vip"]
    assert server.bodies[0]["tags_apply_mode"] == "append_only"
    assert result.ok
    assert sorted(result.succeeded) == _ids(count)
    assert len(result.request_ids) == batches
    assert all(r and r.startswith("req_") for r in result.request_ids)


async def test_update_many_deduplicates_keeping_first_occurrence() -> None:
    """Duplicate ids are sent once."""
    server = BulkServer()
    async with _client(server) as pylon:
        result = await pylon.accounts.update_many(["a", "b", "a", "c", "b"], is_disabled=True)
    assert server.bodies == [{"account_ids": ["a", "b", "c"], "is_disabled": True}]
    assert result.total == 3


async def test_a_failing_batch_is_reported_id_by_id() -> None:
    """One batch failing with 500 after the retry policy: exactly its ids are failed."""
    server = BulkServer(fail_containing="acc_00250")
    ids = _ids(1050)
    async with _client(server) as pylon:
        result = await pylon.accounts.update_many(ids, owner_id="")
    failed_batch = ids[200:300]
    assert sorted(result.failed) == failed_batch
    assert sorted(result.succeeded) == sorted(set(ids) - set(failed_batch))
    assert type(result.failed["acc_00250"]).__name__ == "InternalServerError"
    assert result.request_ids[2] == "bad"
    with pytest.raises(BulkError, match="100 of 1050 ids failed") as info:
        result.raise_for_failures()
    assert set(info.value.failed) == set(failed_batch)


async def test_update_batches_run_concurrently_within_the_bound() -> None:
    """The server sees more than one update batch at once, never more than `concurrency`."""
    server = BulkServer()
    async with _client(server) as pylon:
        await pylon.accounts.update_many(_ids(1050), tags=["x"], concurrency=3)
    assert 1 < server.max_in_flight <= 3


async def test_progress_is_reported_after_each_batch() -> None:
    """on_progress sees the running count of handled ids, ending at the total."""
    server = BulkServer()
    seen: list[tuple[int, int]] = []
    async with _client(server) as pylon:
        await pylon.accounts.update_many(
            _ids(250), tags=["x"], on_progress=lambda done, total: seen.append((done, total))
        )
    assert len(seen) == 3
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert seen[-1] == (250, 250)
    assert {total for _, total in seen} == {250}


async def test_merges_run_one_batch_at_a_time() -> None:
    """Merge batches never overlap on the server, and the result names every id."""
    server = BulkServer()
    async with _client(server) as pylon:
        result = await pylon.accounts.merge(
            merge_into_account_id="target", merge_account_ids=_ids(250)
        )
    assert server.max_in_flight == 1
    assert [len(b["merge_account_ids"]) for b in server.bodies] == [100, 100, 50]
    assert all(b["merge_into_account_id"] == "target" for b in server.bodies)
    assert result.ok
    assert result.succeeded == _ids(250)


async def test_a_failing_merge_batch_does_not_hide_the_others() -> None:
    """A failed merge batch fails its ids; the batches after it still run and are reported."""
    server = BulkServer(fail_containing="acc_00000")
    async with _client(server) as pylon:
        result = await pylon.accounts.merge(
            merge_into_account_id="target", merge_account_ids=_ids(150)
        )
    assert sorted(result.failed) == _ids(100)
    assert result.succeeded == _ids(150)[100:]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(
            lambda p: p.accounts.update_many([], tags=["x"]), "at least one id", id="no-ids"
        ),
        pytest.param(lambda p: p.accounts.update_many(["a", " "], tags=["x"]), "blank", id="blank"),
        pytest.param(lambda p: p.accounts.update_many(["a", 7], tags=["x"]), "string", id="int-id"),
        pytest.param(lambda p: p.accounts.update_many("abc", tags=["x"]), "str", id="bare-str"),
        pytest.param(
            lambda p: p.accounts.update_many(["a"], tags=["x"], batch_size=0), "batch", id="batch-0"
        ),
        pytest.param(
            lambda p: p.accounts.update_many(["a"], tags=["x"], batch_size=101),
            "batch",
            id="batch-101",
        ),
        pytest.param(
            lambda p: p.accounts.update_many(["a"], tags=["x"], concurrency=0),
            "concurrency",
            id="concurrency-0",
        ),
        pytest.param(lambda p: p.accounts.update_many(["a"]), "at least one field", id="no-fields"),
        pytest.param(
            lambda p: p.accounts.merge(merge_into_account_id="a", merge_account_ids=["b", "a"]),
            "itself",
            id="target-in-list",
        ),
        pytest.param(
            lambda p: p.accounts.merge(merge_into_account_id=" ", merge_account_ids=["b"]),
            "merge_into_account_id",
            id="blank-target",
        ),
        pytest.param(
            lambda p: p.accounts.merge(merge_into_account_id="a", merge_account_ids=[]),
            "at least one id",
            id="merge-no-ids",
        ),
    ],
)
async def test_bad_bulk_input_raises_before_any_request(call: Any, message: str) -> None:
    """Every bad bulk input raises PylonInputError and nothing is sent."""
    server = BulkServer()
    async with _client(server) as pylon:
        with pytest.raises(PylonInputError, match=message):
            await call(pylon)
    assert server.bodies == []


@pytest.mark.anyio
async def test_merge_says_so_when_the_client_has_no_merge(monkeypatch: pytest.MonkeyPatch) -> None:
    """A client generated from a document without POST /accounts/merge says so, sending nothing."""
    from pylon_client._generated import _resources as generated

    monkeypatch.delattr(generated.AccountsResource, "merge", raising=False)
    server = Api({"data": {"id": "a"}, "request_id": "r"})
    async with connect(server) as p:
        with pytest.raises(PylonConfigError, match="without POST /accounts/merge"):
            await p.accounts.merge(merge_into_account_id="a", merge_account_ids=["b"])
    assert server.requests == []


# ---------------------------------------------------------------- narrowing a refused batch

GHOST = "acc_ghost"  # an id the fake does not know: PATCH /accounts refuses it with 400


def _fake_with_accounts(n: int) -> tuple[FakePylon, list[str]]:
    """A fake holding ``n`` accounts, and their ids."""
    fake = FakePylon(seed=7, log_size=None)
    seed_demo(fake, seed=7, accounts=n, issues_days=1, issues_per_day=1)
    return fake, list(fake.accounts)[:n]


def _on_fake(fake: FakePylon, **kwargs: Any) -> AsyncPylon:
    """A client on ``fake`` in process; unpaced unless given a rate limiter."""
    kwargs.setdefault("rate_limit", False)
    return AsyncPylon(
        fake.token,
        base_url="https://pylon.test",
        transport=httpx.ASGITransport(app=fake),
        sleep=no_sleep,
        **kwargs,
    )


def _patches(fake: FakePylon) -> list[RecordedRequest]:
    return [r for r in fake.requests if r.operation == "PATCH /accounts"]


@pytest.mark.parametrize(
    ("position", "requests"),
    [
        # 100 -> 50 -> 25 -> 12 -> 6 -> 3 -> 1: six splits of two requests each, plus the batch.
        pytest.param(0, 13, id="first"),
        # 100 -> 50 -> 25 -> 13 -> 7 -> 4 -> 2 -> 1: seven splits (the second half is the longer).
        pytest.param(99, 15, id="last"),
        # 100 -> 50 -> 25 -> 13 -> 6 -> 3 -> 1.
        pytest.param(37, 13, id="middle"),
    ],
)
async def test_one_unknown_id_is_narrowed_down_to_itself(position: int, requests: int) -> None:
    """One unknown id among 100: its 99 neighbours succeed and it fails with its own 400."""
    fake, good = _fake_with_accounts(99)
    ids = [*good[:position], GHOST, *good[position:]]
    async with _on_fake(fake) as pylon:
        result = await pylon.accounts.update_many(ids, tags=["vip"], tags_apply_mode="append_only")
    patches = _patches(fake)
    assert len(patches) == requests  # about 2 * log2(100) + 1 = 14.3
    assert sorted(result.succeeded) == sorted(good)
    assert all("vip" in fake.accounts[i]["tags"] for i in good)
    assert list(result.failed) == list(result.refused) == [GHOST]
    error = result.refused[GHOST]
    assert isinstance(error, BadRequestError)
    assert error.errors == [f"account_ids: no account with id {GHOST!r}"]
    (own,) = [r for r in patches if r.json["account_ids"] == [GHOST]]
    assert (own.status, own.request_id) == (400, error.request_id)
    assert result.settled_by[GHOST] == own.request_id
    by_id = {r.request_id: r for r in patches}
    for account_id in good:
        settling = by_id[str(result.settled_by[account_id])]
        assert settling.status == 200
        assert account_id in settling.json["account_ids"]
    assert result.request_ids == [patches[0].request_id]  # the batch's own, refused request
    assert patches[0].status == 400
    assert not result.ok
    assert result.pending == 0


async def test_narrowing_requests_are_paced_by_the_client_rate_limiter() -> None:
    """The 13 requests narrowing one batch go through the limiter: at 5 a minute, 2+ minutes."""
    fake, good = _fake_with_accounts(99)
    clock = FakeClock()
    limiter = RateLimiter({"PATCH /accounts": 5}, clock=clock, sleep=clock.sleep)
    async with _on_fake(fake, rate_limit=limiter) as pylon:
        result = await pylon.accounts.update_many([GHOST, *good], is_disabled=True)
    assert len(_patches(fake)) == 13
    # Starts at 0 s (5 requests), 60 s (5) and 120 s (3): the budget counts every one.
    assert 120 <= clock.now < 180
    assert list(result.refused) == [GHOST]
    assert len(result.succeeded) == 99


async def test_two_bad_ids_in_one_batch_are_each_isolated() -> None:
    """Two refused ids, one in each half: both isolated, the other 98 succeed, 27 requests."""
    ids = _ids(100)
    server = BulkServer(refuse={ids[10], ids[70]})
    async with _client(server) as pylon:
        result = await pylon.accounts.update_many(ids, tags=["x"])
    # The batch, its two halves, then six splits (12 requests) down to each bad id.
    assert len(server.bodies) == 1 + 2 + 12 + 12
    assert sorted(result.refused) == sorted(result.failed) == [ids[10], ids[70]]
    assert result.refused[ids[70]].errors == [f"account_ids: no account with id {ids[70]!r}"]
    assert sorted(result.succeeded) == sorted(set(ids) - {ids[10], ids[70]})
    assert result.request_ids == ["req_1"]


async def test_every_id_refused_costs_two_requests_per_id_less_one() -> None:
    """The worst case, each of 100 ids refused by name, is 199 requests; all are refused."""
    fake, _ = _fake_with_accounts(1)
    ghosts = [f"acc_ghost_{i:03d}" for i in range(100)]
    async with _on_fake(fake) as pylon:
        result = await pylon.accounts.update_many(ghosts, is_disabled=True)
    assert len(_patches(fake)) == 2 * 100 - 1
    assert sorted(result.refused) == ghosts
    assert result.succeeded == []


async def test_narrowing_stays_within_the_concurrency_bound() -> None:
    """Three refused batches narrowed at once: never more than two requests in flight."""
    ids = _ids(300)
    server = BulkServer(refuse={ids[0], ids[100], ids[200]})
    async with _client(server) as pylon:
        result = await pylon.accounts.update_many(ids, tags=["x"], concurrency=2)
    assert server.max_in_flight == 2
    assert len(server.bodies) == 3 * 13
    assert sorted(result.refused) == [ids[0], ids[100], ids[200]]
    assert len(result.succeeded) == 297
    assert len(result.request_ids) == 3


async def test_a_refusal_that_does_not_depend_on_the_ids_stops_after_one_split() -> None:
    """An unknown owner_id refuses every half alike: 3 requests, all failed, none refused."""
    fake, ids = _fake_with_accounts(100)
    async with _on_fake(fake) as pylon:
        result = await pylon.accounts.update_many(ids, owner_id="usr_ghost")
    patches = _patches(fake)
    assert [len(r.json["account_ids"]) for r in patches] == [100, 50, 50]
    assert sorted(result.failed) == sorted(ids)
    assert result.refused == {}
    errors = {type(e).__name__ for e in result.failed.values()}
    assert errors == {"BadRequestError"}
    assert result.settled_by[ids[0]] == patches[1].request_id
    assert result.settled_by[ids[-1]] == patches[2].request_id


@pytest.mark.parametrize(
    "status",
    [
        pytest.param(401, id="401"),
        pytest.param(403, id="403"),
        pytest.param(409, id="409"),
        pytest.param(413, id="413"),
        pytest.param(429, id="429"),
        pytest.param(500, id="500"),
        pytest.param(503, id="503"),
        pytest.param(200, id="success-false"),
        pytest.param(None, id="connection-error"),
    ],
)
async def test_errors_not_about_the_ids_are_not_narrowed(status: int | None) -> None:
    """A batch failing for its token, rate, Pylon or the network is never split."""
    ids = _ids(150)
    server = BulkServer(fail_containing=ids[120], status=status)
    async with _client(server) as pylon:
        result = await pylon.accounts.update_many(ids, tags=["x"])
    # Retries (of a 429, of a request that was never sent) repeat a batch; nothing is halved.
    assert {len(body["account_ids"]) for body in server.bodies} == {100, 50}
    assert sorted(result.failed) == ids[100:]
    assert result.refused == {}
    assert sorted(result.succeeded) == ids[:100]


async def test_a_half_failing_for_another_reason_is_failed_as_it_is() -> None:
    """While narrowing, a half answered 500 is failed whole; the refused id is still isolated."""
    ids = _ids(100)
    # ids[80] fails any request holding it with 500; ids[10] is refused by name.
    server = BulkServer(fail_containing=ids[80], status=500, refuse={ids[10]})
    async with _client(server) as pylon:
        result = await pylon.accounts.update_many(ids, tags=["x"])
    assert list(result.refused) == [ids[10]]
    assert sorted(result.failed) == sorted([ids[10], *ids[50:]])
    assert type(result.failed[ids[80]]).__name__ == "InternalServerError"
    assert sorted(result.succeeded) == sorted(set(ids[:50]) - {ids[10]})
    assert len(server.bodies) == 1 + 2 + 12


async def test_progress_while_narrowing_only_grows_and_ends_at_the_total() -> None:
    """on_progress counts settled ids: strictly increasing, always with the total, ending there."""
    ids = _ids(250)
    server = BulkServer(refuse={ids[120]})
    seen: list[tuple[int, int]] = []
    async with _client(server) as pylon:
        await pylon.accounts.update_many(
            ids, tags=["x"], on_progress=lambda done, total: seen.append((done, total))
        )
    done = [d for d, _ in seen]
    assert done == sorted(set(done))
    assert seen[-1] == (250, 250)
    assert {total for _, total in seen} == {250}
    assert len(seen) > 3  # the narrowed batch reports as its halves settle


async def test_a_failed_merge_batch_is_not_split() -> None:
    """A merge batch refused with 404 part-way is failed whole and never sent again in halves."""
    fake, ids = _fake_with_accounts(151)
    target, merged = ids[0], [*ids[1:11], GHOST, *ids[11:150]]
    async with _on_fake(fake) as pylon:
        result = await pylon.accounts.merge(merge_into_account_id=target, merge_account_ids=merged)
    merges = [r for r in fake.requests if r.operation == "POST /accounts/merge"]
    assert [(len(r.json["merge_account_ids"]), r.status) for r in merges] == [(100, 404), (50, 200)]
    assert sorted(result.failed) == sorted(merged[:100])
    assert result.refused == {}
    assert result.succeeded == merged[100:]
    # Why: the ten accounts before the unknown one were merged before Pylon stopped.
    assert set(ids[1:11]).isdisjoint(fake.accounts)


async def test_cancelling_while_narrowing_stops_it() -> None:
    """A cancellation during a narrowing request propagates; no further request is sent."""
    ids = _ids(100)
    server = BulkServer(refuse={ids[3]}, hang_below=100)
    finished = False
    async with _client(server) as pylon:

        async def run() -> None:
            nonlocal finished
            await pylon.accounts.update_many(ids, tags=["x"])
            finished = True

        async with anyio.create_task_group() as group:
            group.start_soon(run)
            await server.hung.wait()
            group.cancel_scope.cancel()
    assert not finished
    assert [len(body["account_ids"]) for body in server.bodies] == [100, 50]
