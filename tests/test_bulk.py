"""Tests of accounts.update_many and accounts.merge: batches, failures id by id, no overlap."""

from __future__ import annotations

import json
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest
from harness import Api, complete, connect

from pylon_client import AsyncPylon, BulkError, PylonConfigError, PylonInputError
from pylon_client._generated.models import Account

pytestmark = pytest.mark.anyio


class BulkServer(Api):
    """PATCH /accounts and POST /accounts/merge, recording bodies and requests in flight."""

    def __init__(self, *, fail_containing: str | None = None) -> None:
        super().__init__()
        self.bodies: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.fail_containing = fail_containing

    async def answer(self, request: httpx.Request) -> httpx.Response:
        """Answer as the server would, failing any batch holding ``fail_containing``."""
        body = json.loads(request.content)
        self.bodies.append(body)
        self.paths.append(f"{request.method} {request.url.path}")
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            for _ in range(3):  # give other batches the chance to start
                await anyio.lowlevel.checkpoint()
            ids = body.get("account_ids") or body.get("merge_account_ids") or []
            if self.fail_containing in ids:
                return httpx.Response(
                    500, json={"errors": ["boom"], "code": "internal_error", "request_id": "bad"}
                )
            n = len(self.bodies)
            if request.url.path == "/accounts/merge":
                data = complete(Account, id=body["merge_into_account_id"], name="Survivor")
                return httpx.Response(200, json={"data": data, "request_id": f"req_{n}"})
            return httpx.Response(200, json={"success": True, "request_id": f"req_{n}"})
        finally:
            self.in_flight -= 1


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
