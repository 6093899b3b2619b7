"""A Starlette app that receives Pylon webhooks, verified with ``pylon_client.webhooks``.

Run it (``pip install "pylon-client[testing]"`` brings starlette and uvicorn)::

    PYLON_WEBHOOK_SECRET=... uvicorn examples.webhook_receiver:app --port 8000

and point a Pylon trigger's webhook at ``https://<your host>/pylon/webhook``. Every request is
verified on its raw body before anything else; a request that fails gets 401 with a short
reason, and neither the secret nor the body is logged. GET requests of a Pylon custom app are
verified on their query parameters.

``make_app(secret, on_event)`` builds the same app around your own handler; the suite uses it
with the fake Pylon's :class:`~pylon_client.testing.WebhookSender`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pylon_client import WebhookVerificationError, webhooks

log = logging.getLogger("webhook_receiver")

Handler = Callable[[Any], Awaitable[None]]


def make_app(secret: str | bytes, on_event: Handler) -> Starlette:
    """Return an ASGI app that verifies each webhook and hands its JSON to ``on_event``."""

    async def receive(request: Request) -> Response:
        try:
            if request.method == "GET":
                event: Any = webhooks.unwrap_query(
                    dict(request.query_params), request.headers, secret
                )
            else:
                event = webhooks.unwrap(await request.body(), request.headers, secret)
        except WebhookVerificationError as exc:
            log.warning("refused a webhook: %s", exc)  # the reason only: no body, no secret
            return JSONResponse({"error": str(exc)}, status_code=401)
        await on_event(event)
        return JSONResponse({"ok": True})

    return Starlette(routes=[Route("/pylon/webhook", receive, methods=["GET", "POST"])])


async def _print_event(event: Any) -> None:
    log.info("webhook: %s", event.get("event") if isinstance(event, dict) else type(event))


def _app_from_environment() -> Starlette:
    secret = os.environ.get("PYLON_WEBHOOK_SECRET", "")
    if not secret:
        # Importing the module (as the suite does) must work without the variable; serving
        # without a secret would accept forged requests, so every request is refused.
        async def refuse(request: Request) -> Response:
            return JSONResponse({"error": "PYLON_WEBHOOK_SECRET is not set"}, status_code=503)

        return Starlette(routes=[Route("/pylon/webhook", refuse, methods=["GET", "POST"])])
    return make_app(secret, _print_event)


app = _app_from_environment()
