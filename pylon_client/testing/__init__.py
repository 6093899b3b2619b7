"""A stateful fake of the Pylon API for tests: ``pip install pylon-client[testing]``.

:class:`FakePylon` is an in-memory ASGI app that behaves as Pylon's REST API does (envelopes,
errors, cursors, search filters, the ``GET /issues`` window, rate limits) and can inject
:class:`Faults`. Its objects have the shape of Pylon's own OpenAPI document, with every field
Pylon's official SDK (usepylon) marks required; ``FakePylon.operations`` lists what it serves.
Use it in process through ``httpx.ASGITransport`` or on a socket through
:func:`serve_in_thread`; fill it with :func:`seed_demo` or :func:`add_issues`; change issues
behind a sync's back with :func:`touch_issues` and :class:`UpdatesDuringSync`; send signed
webhooks to your receiver with :class:`WebhookSender`. ``fake.requests`` logs the newest
requests it answered (``log_size``, :data:`DEFAULT_LOG_SIZE` by default). Give it a
:class:`FakeClock` to make latency and rate-limit windows instant: virtual time, moved by hand
(``advance``) or by sleeps on it, whose concurrent sleeps overlap as real ones do (5 s and 10 s
started together wake at +5 and +10; in 0.2 they added up, to +5 and +15). Example::

    fake = FakePylon(seed=1)
    seed_demo(fake, accounts=20)
    transport = httpx.ASGITransport(app=fake)
    async with httpx.AsyncClient(transport=transport, base_url="http://pylon.test",
                                 headers={"Authorization": "Bearer test-token"}) as http:
        (await http.get("/me")).json()

This package imports starlette and uvicorn, the ``testing`` extra; nothing else in
pylon-client does.
"""

from ._app import DEFAULT_LOG_SIZE, MAX_BODY_BYTES, FakePylon, RecordedRequest
from ._clock import Clock, FakeClock, SystemClock
from ._faults import ConnectionDropped, Faults
from ._mutations import UpdatesDuringSync, touch_issues
from ._ratelimit import DEFAULT_LIMIT, DEFAULT_LIMITS
from ._seed import DEMO_START, add_issues, seed_demo
from ._server import serve_in_thread
from ._webhooks import WebhookSender

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_LIMITS",
    "DEFAULT_LOG_SIZE",
    "DEMO_START",
    "MAX_BODY_BYTES",
    "Clock",
    "ConnectionDropped",
    "FakeClock",
    "FakePylon",
    "Faults",
    "RecordedRequest",
    "SystemClock",
    "UpdatesDuringSync",
    "WebhookSender",
    "add_issues",
    "seed_demo",
    "serve_in_thread",
    "touch_issues",
]
