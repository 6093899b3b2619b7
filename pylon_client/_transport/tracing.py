"""OpenTelemetry spans for ``AsyncPylon(tracing=...)``; needs the ``otel`` extra.

This module is imported only when a client is built with ``tracing=True`` (the global tracer
provider) or ``tracing=<TracerProvider>``: without it, ``opentelemetry`` is never imported and
tracing costs nothing. :class:`Tracing` wraps the client's retry stack::

    _TracingTransport -> RetryTransport -> RateLimitTransport -> httpx.AsyncClient.send

The span
    One span per call, retries and rate-limit waits included: kind ``CLIENT``, tracer
    ``"pylon_client"`` at the package version, started as the current span. The HTTP semantic
    conventions describe one span per attempt; one per call is what a reader of a trace asks
    about ("how long did ``pylon.tasks.get`` take"), and the attempts are still there, each
    retry as a ``"retry"`` event (``pylon.retry.attempt``, ``pylon.retry.wait_s``, and the
    failed attempt's ``http.response.status_code`` or ``error.type``) and their count as
    ``http.request.resend_count``. A paginated list sends one request per page, so it makes
    one span per page.

    The name is ``"{method} {url.template}"``, e.g. ``"GET /tasks/{id}"``, taken from the
    endpoint the client is calling. A request without one (sent through
    ``pylon.generated_client``) is named by its method alone, as the conventions say, and has
    no ``url.template``.

    Attributes: ``http.request.method``, ``url.template``, ``server.address`` and
    ``server.port`` (of the base URL; the port always, 443 or 80 when the URL names none, as the
    conventions require it), ``http.response.status_code`` of the final response,
    ``pylon.request_id`` when the response body carries Pylon's request id (only 2xx bodies are
    parsed before the span ends), ``http.request.resend_count`` after retries.

What never goes on a span
    The real path and ``url.full`` (paths hold ids, query strings hold search values), any
    header (the Authorization header holds the token), and exception messages (an ``httpx``
    message can quote a URL). Errors are described by their type alone.

Errors
    A response of 400 or above sets the status to ERROR and ``error.type`` to the status code,
    e.g. ``"404"``. An exception from the stack sets ``error.type`` to its class name (as the
    retry events name it, e.g. ``"ConnectError"``) and the status to ERROR, without a
    description, and is re-raised unchanged.

Cancellation
    A cancellation (or any ``BaseException`` that is not an ``Exception``) ends the span and
    propagates at once; the span's status stays unset, since the call did not fail, it was
    abandoned.
"""

from __future__ import annotations

from typing import Any

import httpx

from .._exceptions import PylonConfigError
from .._version import __version__
from .body import body_request_id
from .context import context_of
from .retry import RetryEvent

_MISSING: ImportError | None = None
try:
    from opentelemetry import trace
except ImportError as exc:  # the extra is not installed: Tracing() says how to get it
    _MISSING = exc

__all__ = ["Tracing"]

_TRACER_NAME = "pylon_client"
_DEFAULT_PORTS = {"https": 443, "http": 80}


class Tracing:
    """Make OpenTelemetry spans for the requests of one client.

    Args:
        provider: the ``TracerProvider`` to take the tracer from; None means the global one
            (``opentelemetry.trace.get_tracer_provider()``, looked up when the first span
            starts, so a provider set after the client was built is used).
        base_url: the client's API root, for ``server.address`` and ``server.port``.

    Raises:
        PylonConfigError: ``opentelemetry`` is not installed, or ``provider`` is not a
            ``TracerProvider``.

    """

    def __init__(self, provider: Any, *, base_url: str) -> None:
        if _MISSING is not None:
            raise PylonConfigError(
                "tracing needs OpenTelemetry: pip install 'pylon-client[otel]'"
            ) from _MISSING
        if provider is not None and not isinstance(provider, trace.TracerProvider):
            raise PylonConfigError(
                "tracing must be True, False or an opentelemetry TracerProvider, "
                f"got {type(provider).__name__}"
            )
        self._tracer = trace.get_tracer(_TRACER_NAME, __version__, tracer_provider=provider)
        url = httpx.URL(base_url)
        port = url.port if url.port is not None else _DEFAULT_PORTS.get(url.scheme, 443)
        self._server: dict[str, str | int] = {"server.address": url.host, "server.port": port}

    def wrap(self, inner: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
        """Return a transport sending through ``inner`` with one span per request."""
        return _TracingTransport(inner, self._tracer, self._server)

    def on_retry(self, event: RetryEvent) -> None:
        """Add a ``"retry"`` event to the current span (the call's, set by the wrapped stack).

        ``event.path`` is left out on purpose: it holds ids.
        """
        span = trace.get_current_span()
        if not span.is_recording():
            return
        attributes: dict[str, str | int | float] = {
            "pylon.retry.attempt": event.attempt,
            "pylon.retry.wait_s": event.wait,
        }
        if event.status_code is not None:
            attributes["http.response.status_code"] = event.status_code
        if event.error is not None:
            attributes["error.type"] = event.error
        span.add_event("retry", attributes)


class _TracingTransport(httpx.AsyncBaseTransport):
    """Send each request through ``inner`` inside one client span (see the module docstring)."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        tracer: trace.Tracer,
        server: dict[str, str | int],
    ) -> None:
        self._inner = inner
        self._tracer = tracer
        self._server = server

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through ``inner``, as the current span while it runs."""
        method = request.method
        attributes: dict[str, str | int] = {"http.request.method": method, **self._server}
        # Only the endpoint's template names the span: the real path holds ids.
        key = context_of(request).endpoint
        name = method
        if isinstance(key, str):
            template = key.partition(" ")[2]
            if template:
                attributes["url.template"] = template
                name = f"{method} {template}"
        # Errors are set here, by type only: the defaults would record the exception's message.
        with self._tracer.start_as_current_span(
            name,
            kind=trace.SpanKind.CLIENT,
            attributes=attributes,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                response = await self._inner.handle_async_request(request)
            except Exception as exc:
                if span.is_recording():
                    _set_resend_count(span, request)
                    span.set_attribute("error.type", type(exc).__qualname__)
                    span.set_status(trace.StatusCode.ERROR)
                raise
            if span.is_recording():
                _set_resend_count(span, request)
                status = response.status_code
                span.set_attribute("http.response.status_code", status)
                if status >= 400:
                    span.set_attribute("error.type", str(status))
                    span.set_status(trace.StatusCode.ERROR)
                request_id = body_request_id(request)
                if request_id is not None:
                    span.set_attribute("pylon.request_id", request_id)
            return response

    async def aclose(self) -> None:
        """Close the inner transport."""
        await self._inner.aclose()


def _set_resend_count(span: trace.Span, request: httpx.Request) -> None:
    # The retry layer numbers each attempt on the request, 1 for the first.
    attempt = context_of(request).attempt
    if attempt > 1:
        span.set_attribute("http.request.resend_count", attempt - 1)
