"""Tests of ``Pylon``, the sync client: the same facade, run on a worker thread."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import trio
from core_walks import ALL_WALKS
from facade_client import FacadeClient
from fake_harness import small_fake
from harness import Api, envelope, no_sleep, reply, task

from pylon_client import (
    IssueCheckpoint,
    NotFoundError,
    Pylon,
    PylonConfigError,
    PylonConnectionError,
    RawResponse,
    SyncIssueExport,
    SyncPaginator,
)
from pylon_client._generated._endpoints import ENDPOINTS, Endpoint
from pylon_client.testing import FakePylon

TOKEN = "test-token"


def on_fake(fake: FakePylon, **kwargs: Any) -> Pylon:
    """A sync client talking to ``fake`` in process, unpaced."""
    kwargs.setdefault("rate_limit", False)
    return Pylon(
        TOKEN, base_url="https://pylon.test", transport=httpx.ASGITransport(app=fake), **kwargs
    )


def on_api(api: Api, **kwargs: Any) -> Pylon:
    """A sync client answered by ``api``, unpaced, retrying without waiting."""
    kwargs.setdefault("rate_limit", False)
    kwargs.setdefault("sleep", no_sleep)
    return Pylon("tok", transport=api.transport, **kwargs)


class SyncFacadeClient(FacadeClient):
    """The facade walk's client, each request sent by the sync client's method."""

    async def send(
        self, call: Any, endpoint: Endpoint, path_args: list[str], kwargs: dict[str, Any]
    ) -> None:
        """Call the sync method, blocking this coroutine's loop: a list's first page or one."""
        if endpoint.paging:
            next(iter(call(*path_args, **kwargs).pages()))
        else:
            call(*path_args, **kwargs)


@pytest.mark.anyio
async def test_every_facade_method_runs_through_the_sync_client() -> None:
    """All 168 methods of the sync client send, and parse the fake's answer into models.

    The walk itself is a coroutine: every sync call here is made from inside a running event
    loop (asyncio, then trio), which the sync client must support.
    """
    fake = small_fake()
    ids = {"me": fake.state.me_user_id}
    with on_fake(fake) as pylon:
        client = SyncFacadeClient(pylon)
        for walk in ALL_WALKS:
            await walk(client, fake, ids)  # type: ignore[arg-type]
    assert sorted(set(ENDPOINTS) - client.called) == []


def test_get_returns_the_model_and_errors_are_typed() -> None:
    """A call returns the parsed model; a 404 raises NotFoundError in the calling thread."""
    api = Api(task("t1", title="T"), reply(404, envelope("not_found", "no such task")))
    with on_api(api) as pylon:
        got = pylon.tasks.get("t1")
        assert (got.id, got.title) == ("t1", "T")
        assert pylon.last_request_id == "req_1"
        with pytest.raises(NotFoundError):
            pylon.tasks.get("t2")


def test_bad_input_is_refused_before_anything_is_sent() -> None:
    """Argument checks raise in the caller's thread; nothing reaches the transport."""
    api = Api(task())
    with on_api(api) as pylon:
        with pytest.raises(TypeError, match="title"):
            pylon.tasks.create(account_id="acc_1")  # type: ignore[call-overload]  # missing title on purpose
        with pytest.raises(Exception, match="limit"):
            pylon.tasks.list(limit=0)
    assert api.requests == []


def test_lists_iterate_pages_and_honour_max_items() -> None:
    """A list iterates every item across pages; max_items stops it; collect gathers."""
    fake = small_fake()
    with on_fake(fake) as pylon:
        everything = list(pylon.accounts.list(limit=5))
        assert len(everything) == len(fake.accounts)
        paginator = pylon.accounts.list(limit=5, max_items=7)
        assert isinstance(paginator, SyncPaginator)
        assert len(list(paginator)) == 7
        pages = list(pylon.accounts.list(limit=5).pages())
        assert sum(len(p.items) for p in pages) == len(fake.accounts)
        assert len(pylon.accounts.list(limit=5, max_items=3).collect()) == 3


def test_issue_export_and_checkpoint() -> None:
    """issues.list cuts a range into windows; the sync export resumes from its checkpoint."""
    fake = small_fake()
    start, end = datetime(2025, 12, 25, tzinfo=UTC), datetime(2026, 2, 5, tzinfo=UTC)
    with on_fake(fake) as pylon:
        export = pylon.issues.list(start_time=start, end_time=end, window=timedelta(days=7))
        assert isinstance(export, SyncIssueExport)
        first = []
        for issue in export:
            first.append(issue.id)
            if len(first) == 10:
                break
        saved = IssueCheckpoint.from_dict(export.checkpoint().to_dict())
        rest = [i.id for i in pylon.issues.list(checkpoint=saved, window=timedelta(days=7))]
        whole = [i.id for i in pylon.issues.list(start_time=start, end_time=end)]
    assert sorted(first + rest) == sorted(whole)
    assert len(set(whole)) == len(whole) == len(fake.issues)


def test_change_feed_and_bulk_helpers() -> None:
    """tasks.changes, accounts.update_many and accounts.merge run as the async ones do."""
    fake = small_fake()
    with on_fake(fake) as pylon:
        ids = sorted(fake.accounts)
        result = pylon.accounts.update_many(ids[:5], tags=["vip"], tags_apply_mode="append_only")
        assert sorted(result.succeeded) == ids[:5]
        merged = pylon.accounts.merge(merge_into_account_id=ids[5], merge_account_ids=ids[6:8])
        assert merged.ok
        pylon.tasks.create(title="Fresh", account_id=ids[0])
        feed = pylon.tasks.changes(since=datetime.now(UTC) - timedelta(hours=1))
        titles = [t.title for t in feed]
        assert "Fresh" in titles
        assert feed.checkpoint().complete


def test_with_options_shares_pool_limiter_and_thread() -> None:
    """A copy has other options, the same connections, limiter and worker thread."""
    api = Api(task())
    with on_api(api, rate_limit=True) as pylon:
        fast = pylon.with_options(timeout=3, max_retries=0)
        assert (fast.options.timeout, fast.options.max_retries) == (3, 0)
        assert (pylon.options.timeout, pylon.options.max_retries) == (30.0, 2)
        assert fast.options.evolve(timeout=30.0, max_retries=2) == pylon.options
        assert fast.async_client._http is pylon.async_client._http
        assert fast.rate_limiter is pylon.rate_limiter
        fast.tasks.get("t1", extra_headers={"X-A": "1"})
        fast.close()  # a copy owns nothing
        pylon.tasks.get("t1")
    assert api.requests[0].extensions["timeout"] == httpx.Timeout(3).as_dict()
    assert api.requests[0].headers["x-a"] == "1"
    assert api.requests[1].extensions["timeout"] == httpx.Timeout(30.0).as_dict()


def test_raw_response() -> None:
    """with_raw_response works on the sync client, top-level operations included."""
    api = Api(task("t1", request_id="req_raw"))
    with on_api(api) as pylon:
        raw = pylon.with_raw_response.tasks.get("t1")
        assert isinstance(raw, RawResponse)
        assert (raw.status_code, raw.request_id, raw.parse().id) == (200, "req_raw", "t1")
        api.replies = [reply(200, {"data": {"id": "org"}, "request_id": "req_me"})]
        assert pylon.with_raw_response.me().request_id == "req_me"


def test_close_closes_connections_and_loop_and_later_calls_fail() -> None:
    """No thread is started; leaving ``with`` closes the connections and the loop."""
    api = Api(task())
    before = set(threading.enumerate())
    with on_api(api) as pylon:
        pylon.tasks.get("t1")
        loop = pylon._portal._loop
        assert loop is not None
        assert set(threading.enumerate()) == before
    assert loop.is_closed()
    assert pylon.async_client._http.is_closed
    with pytest.raises(PylonConnectionError, match="closed"):
        pylon.tasks.get("t1")
    pylon.close()  # twice is harmless


def test_a_client_never_called_makes_no_loop() -> None:
    """Building and closing a client without a call makes no event loop."""
    with Pylon("tok", transport=Api(task()).transport) as pylon:
        assert pylon._portal._loop is None
    assert pylon._portal.closed


@pytest.mark.parametrize("loop", ["asyncio", "trio"])
def test_called_from_inside_a_running_event_loop(loop: str) -> None:
    """A coroutine (a notebook cell, say) may call the sync client: it blocks, and works."""
    api = Api(task("t1"))

    async def main() -> str:
        with on_api(api) as pylon:
            got = pylon.tasks.get("t1")
            return got.id

    got = asyncio.run(main()) if loop == "asyncio" else trio.run(main)
    assert got == "t1"


def test_threads_share_one_client() -> None:
    """Calls from several threads run concurrently through one client; each sees its own last."""
    api = Api(handler=lambda r: task(r.url.path.rsplit("/", 1)[-1], request_id=r.url.path))
    seen: dict[str, str | None] = {}
    with on_api(api) as pylon:

        def work(n: int) -> None:
            pylon.tasks.get(f"t{n}")
            seen[f"t{n}"] = pylon.last_request_id

        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert seen == {f"t{n}": f"/tasks/t{n}" for n in range(8)}


def test_calling_it_from_its_own_worker_thread_is_a_clear_error() -> None:
    """A callback on the worker thread that calls the sync client gets an error, not a hang."""
    errors: list[BaseException] = []
    holder: dict[str, Pylon] = {}

    def on_retry(_event: object) -> None:
        try:
            holder["pylon"].tasks.get("t1")
        except PylonConfigError as exc:
            errors.append(exc)

    api = Api(reply(503, envelope("unavailable")), task())
    with on_api(api, on_retry=on_retry) as pylon:
        holder["pylon"] = pylon
        pylon.tasks.get("t1")
    assert len(errors) == 1
    assert "worker thread" in str(errors[0]) or "event loop" in str(errors[0])


def test_token_provider_and_repr_never_show_the_token() -> None:
    """A rotating token works on the sync client; repr shows the base URL only."""
    tokens = iter(["a", "b"])
    api = Api(task())
    with Pylon(lambda: next(tokens), transport=api.transport, rate_limit=False) as pylon:
        pylon.tasks.get("t1")
        pylon.tasks.get("t1")
        assert repr(pylon) == "Pylon(base_url='https://api.usepylon.com')"
    assert [r.headers["authorization"] for r in api.requests][-1] == "Bearer b"


def test_spans_of_sync_calls_are_children_of_the_callers_span() -> None:
    """With tracing, a sync call's span has the caller's current span as its parent."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    api = Api(task("task_42"))
    tracer = provider.get_tracer("test")
    with on_api(api, tracing=provider) as pylon, tracer.start_as_current_span("job") as job:
        pylon.tasks.get("task_42")
    spans = {s.name: s for s in exporter.get_finished_spans()}
    call = spans["GET /tasks/{id}"]
    assert call.parent is not None
    assert call.parent.span_id == job.get_span_context().span_id
    assert "task_42" not in call.to_json()
