"""``_transport.tracing``: one client span per call, retries as its events, nothing secret on it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
from harness import Api, RecordingSleep, connect, envelope, reply, task, task_body
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from pylon_client import NotFoundError, PylonConfigError, PylonConnectionError
from pylon_client._generated.api.tasks import get_task
from pylon_client._version import __version__

TOKEN = "sk_live_7Hq2ZpXw9"
TASK_ID = "task_123"


class Traced:
    """A tracer provider of the test's own, keeping every finished span in memory."""

    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        self.provider = TracerProvider()
        self.provider.add_span_processor(SimpleSpanProcessor(self.exporter))

    @property
    def spans(self) -> tuple[ReadableSpan, ...]:
        """The finished spans, oldest first."""
        return self.exporter.get_finished_spans()

    @property
    def only(self) -> ReadableSpan:
        """The one finished span."""
        spans = self.spans
        assert len(spans) == 1
        return spans[0]


@pytest.fixture
def traced() -> Iterator[Traced]:
    """A fresh provider and exporter, shut down after the test."""
    got = Traced()
    yield got
    got.provider.shutdown()


def attrs_of(span: ReadableSpan) -> dict[str, Any]:
    """The span's attributes as a plain dict."""
    return dict(span.attributes or {})


def events_of(span: ReadableSpan) -> list[tuple[str, dict[str, Any]]]:
    """The span's events as (name, attributes) pairs."""
    return [(e.name, dict(e.attributes or {})) for e in span.events]


def run(code: str) -> str:
    """Run ``code`` in a fresh interpreter and return what it printed."""
    done = subprocess.run(  # noqa: S603 (our own interpreter, fixed code)
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


@pytest.mark.anyio
async def test_a_call_is_one_client_span_with_the_template_and_no_ids(traced: Traced) -> None:
    """GET /tasks/{id} is one CLIENT span with semconv attributes; no id or token is on it."""
    api = Api(task(TASK_ID, request_id="req_42"))
    async with connect(api, TOKEN, tracing=traced.provider) as pylon:
        await pylon.tasks.get(TASK_ID)
    span = traced.only
    assert span.name == "GET /tasks/{id}"
    assert span.kind is trace.SpanKind.CLIENT
    assert span.instrumentation_scope is not None
    assert span.instrumentation_scope.name == "pylon_client"
    assert span.instrumentation_scope.version == __version__
    assert attrs_of(span) == {
        "http.request.method": "GET",
        "url.template": "/tasks/{id}",
        "server.address": "api.usepylon.com",
        "server.port": 443,
        "http.response.status_code": 200,
        "pylon.request_id": "req_42",
    }
    assert span.status.status_code is trace.StatusCode.UNSET
    assert span.events == ()
    text = span.to_json()
    assert TASK_ID not in text
    assert TOKEN not in text
    assert "Bearer" not in text


@pytest.mark.anyio
async def test_the_span_is_current_while_the_request_is_sent(traced: Traced) -> None:
    """The transport below runs inside the call's span, so it sees it as the current span."""
    seen: list[trace.SpanContext] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(trace.get_current_span().get_span_context())
        return task(TASK_ID)

    async with connect(Api(handler=answer), tracing=traced.provider) as pylon:
        await pylon.tasks.get(TASK_ID)
    context = traced.only.context
    assert context is not None
    assert [c.span_id for c in seen] == [context.span_id]


@pytest.mark.anyio
async def test_a_retried_call_is_one_span_with_a_retry_event(traced: Traced) -> None:
    """429 then 200: one span, one retry event (attempt 1, 429, the wait), final status 200."""
    limited = reply(429, envelope("rate_limited"), headers={"Retry-After": "2"})
    api = Api(limited, task(TASK_ID))
    sleep = RecordingSleep()
    async with connect(api, tracing=traced.provider, sleep=sleep) as pylon:
        await pylon.tasks.get(TASK_ID)
    span = traced.only
    assert sleep.waits == [2.0]
    assert events_of(span) == [
        (
            "retry",
            {
                "pylon.retry.attempt": 1,
                "pylon.retry.wait_s": 2.0,
                "http.response.status_code": 429,
            },
        )
    ]
    assert attrs_of(span)["http.response.status_code"] == 200
    assert attrs_of(span)["http.request.resend_count"] == 1
    assert span.status.status_code is trace.StatusCode.UNSET
    assert TASK_ID not in span.to_json()


@pytest.mark.anyio
async def test_a_retry_after_a_connection_error_names_its_type(traced: Traced) -> None:
    """A connect error then a 200: the retry event carries error.type, not a message or path."""
    api = Api(httpx.ConnectError, task(TASK_ID))
    async with connect(api, tracing=traced.provider) as pylon:
        await pylon.tasks.get(TASK_ID)
    span = traced.only
    [(name, attributes)] = events_of(span)
    assert name == "retry"
    assert attributes["error.type"] == "ConnectError"
    assert "http.response.status_code" not in attributes
    assert "scripted failure" not in span.to_json()


@pytest.mark.anyio
async def test_an_error_status_marks_the_span_and_still_raises(traced: Traced) -> None:
    """A 404 sets status ERROR and error.type "404"; the client raises NotFoundError as before."""
    api = Api(reply(404, envelope("not_found", f"no task {TASK_ID}")))
    async with connect(api, tracing=traced.provider) as pylon:
        with pytest.raises(NotFoundError):
            await pylon.tasks.get(TASK_ID)
    span = traced.only
    assert span.status.status_code is trace.StatusCode.ERROR
    assert attrs_of(span)["error.type"] == "404"
    assert attrs_of(span)["http.response.status_code"] == 404
    assert TASK_ID not in span.to_json()


@pytest.mark.anyio
async def test_a_connection_error_ends_the_span_with_its_type_only(traced: Traced) -> None:
    """A ConnectError on every attempt ends the span as ERROR, typed, without its message."""
    api = Api(httpx.ConnectError)
    async with connect(api, tracing=traced.provider) as pylon:
        with pytest.raises(PylonConnectionError):
            await pylon.tasks.get(TASK_ID)
    span = traced.only
    assert span.end_time is not None
    assert span.status.status_code is trace.StatusCode.ERROR
    assert span.status.description is None
    assert attrs_of(span)["error.type"] == "ConnectError"
    assert attrs_of(span)["http.request.resend_count"] == 2
    assert "http.response.status_code" not in attrs_of(span)
    assert [name for name, _ in events_of(span)] == ["retry", "retry"]
    text = span.to_json()
    assert "scripted failure" not in text
    assert "exception" not in text


@pytest.mark.anyio
async def test_a_cancelled_call_ends_its_span_without_an_error(traced: Traced) -> None:
    """A cancellation during the request propagates and ends the span, its status left unset."""
    scope = anyio.CancelScope()

    async def hang(request: httpx.Request) -> httpx.Response:
        scope.cancel()
        await anyio.sleep_forever()
        raise AssertionError("not reached")

    async with connect(Api(handler=hang), tracing=traced.provider) as pylon:
        with scope:
            await pylon.tasks.get(TASK_ID)
    assert scope.cancelled_caught
    span = traced.only
    assert span.end_time is not None
    assert span.status.status_code is trace.StatusCode.UNSET
    assert "error.type" not in attrs_of(span)
    assert span.events == ()


@pytest.mark.anyio
async def test_each_page_of_a_listing_is_its_own_span(traced: Traced) -> None:
    """pylon.tasks.list() over two pages makes two spans, both with url.template /tasks."""
    first = reply(
        200,
        {
            "data": [task_body(TASK_ID)],
            "pagination": {"cursor": "cursor_p2", "has_next_page": True},
            "request_id": "req_p1",
        },
    )
    last = reply(200, {"data": [task_body("task_456")], "request_id": "req_p2"})
    api = Api(first, last)
    async with connect(api, tracing=traced.provider) as pylon:
        tasks = await pylon.tasks.list().collect()
    assert [t.id for t in tasks] == [TASK_ID, "task_456"]
    spans = traced.spans
    assert [s.name for s in spans] == ["GET /tasks", "GET /tasks"]
    assert [attrs_of(s)["url.template"] for s in spans] == ["/tasks", "/tasks"]
    assert [attrs_of(s)["pylon.request_id"] for s in spans] == ["req_p1", "req_p2"]
    assert all("cursor_p2" not in s.to_json() for s in spans)


@pytest.mark.anyio
async def test_the_generated_client_gets_spans_named_by_method_only(traced: Traced) -> None:
    """A request without an endpoint key is named by its method and has no url.template."""
    api = Api(task(TASK_ID))
    async with connect(api, TOKEN, tracing=traced.provider) as pylon:
        done = await get_task.asyncio_detailed(TASK_ID, client=pylon.generated_client)
    assert done.status_code == 200
    span = traced.only
    assert span.name == "GET"
    assert "url.template" not in attrs_of(span)
    assert attrs_of(span)["http.response.status_code"] == 200
    text = span.to_json()
    assert TASK_ID not in text
    assert TOKEN not in text


@pytest.mark.parametrize(
    ("base_url", "address", "port"),
    [
        pytest.param("https://api.eu.usepylon.com", "api.eu.usepylon.com", 443, id="https"),
        pytest.param("http://127.0.0.1:8123", "127.0.0.1", 8123, id="explicit-port"),
    ],
)
@pytest.mark.anyio
async def test_server_address_and_port_come_from_the_base_url(
    traced: Traced, base_url: str, address: str, port: int
) -> None:
    """server.port is always set: the URL's own, else the scheme's default."""
    async with connect(Api(task()), base_url=base_url, tracing=traced.provider) as pylon:
        await pylon.tasks.get("t1")
    attributes = attrs_of(traced.only)
    assert (attributes["server.address"], attributes["server.port"]) == (address, port)


def test_tracing_something_else_is_a_config_error() -> None:
    """A tracing= that is neither a bool nor a TracerProvider is refused as the client is built."""
    with pytest.raises(PylonConfigError, match="TracerProvider"):
        connect(Api(task()), tracing="yes")


def test_tracing_true_uses_the_global_tracer_provider() -> None:
    """tracing=True sends spans to the provider set globally (in a fresh interpreter)."""
    code = (
        f"TASK = {task_body('t1')!r}\n"
        + """
import anyio, httpx
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pylon_client import AsyncPylon

exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(provider)

def answer(request):
    return httpx.Response(200, json={"data": TASK, "request_id": "r"})

async def main():
    transport = httpx.MockTransport(answer)
    async with AsyncPylon("tok", transport=transport, rate_limit=False, tracing=True) as pylon:
        await pylon.tasks.get("t1")

anyio.run(main)
print([s.name for s in exporter.get_finished_spans()])
"""
    )
    assert run(code) == "['GET /tasks/{id}']"


def test_without_tracing_opentelemetry_is_never_imported() -> None:
    """A client built without tracing= makes a call and leaves opentelemetry unloaded."""
    code = (
        f"TASK = {task_body('t1')!r}\n"
        + """
import sys, anyio, httpx
from pylon_client import AsyncPylon

def answer(request):
    return httpx.Response(200, json={"data": TASK, "request_id": "r"})

async def main():
    transport = httpx.MockTransport(answer)
    async with AsyncPylon("tok", transport=transport, rate_limit=False) as pylon:
        await pylon.tasks.get("t1")

anyio.run(main)
print(any(m.startswith("opentelemetry") for m in sys.modules))
"""
    )
    assert run(code) == "False"


def test_tracing_without_opentelemetry_names_the_extra() -> None:
    """With opentelemetry not importable, tracing=True raises PylonConfigError naming [otel]."""
    code = """
import sys
sys.modules["opentelemetry"] = None  # as if it were not installed
from pylon_client import AsyncPylon, PylonConfigError
try:
    AsyncPylon("tok", tracing=True)
except PylonConfigError as exc:
    print(exc)
"""
    assert "pip install 'pylon-client[otel]'" in run(code)
