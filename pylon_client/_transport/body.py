"""Reading a successful answer's body once, into the request's context.

:func:`decode_body` is the check the client hands the retry layer (``RetryTransport(
check_body=...)``): it parses a 2xx body and says whether it is usable, so a read whose body
arrived cut off is retried, while the retry layer itself knows nothing of JSON. A request
carrying a fast decoder (``RequestContext.decoder``, see ``accel``) is decoded by it into
``parsed``, the finished result, or, when its Structs refuse the body, into ``payload``, the
body's JSON values, which the usual parse then takes (``json.loads`` is not run). Only a body
the decoder cannot read at all is parsed by ``json.loads``.
"""

from __future__ import annotations

import json as _json

import httpx

from .context import NOT_JSON, Payload, context_of

__all__ = ["body_request_id", "decode_body"]


def decode_body(request: httpx.Request, response: httpx.Response) -> bool:
    """Parse ``response``'s body into ``request``'s context; False if it is not JSON."""
    context = context_of(request)
    content = response.content
    context.parsed = None
    context.payload = NOT_JSON
    if context.decoder is not None and content:
        answer = context.decoder(content)
        if type(answer) is Payload:  # read, not finished: the usual parse takes it from here
            context.payload = answer.value
            return True
        if answer is not None:
            context.parsed = answer
            return True
    try:
        context.payload = _json.loads(content) if content else None
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        return False
    return True


def body_request_id(request: httpx.Request) -> str | None:
    """Return the ``request_id`` string of the body :func:`decode_body` read, if any."""
    context = context_of(request)
    if context.parsed is not None:
        request_id = context.parsed.request_id
    else:
        payload = context.payload
        request_id = payload.get("request_id") if isinstance(payload, dict) else None
    return request_id if isinstance(request_id, str) else None
