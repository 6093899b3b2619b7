"""What the layers under ``AsyncPylon`` tell one another about one request: one typed object.

The client core makes a :class:`RequestContext` for each request it sends and puts it under
one key, ``request.extensions["pylon_client"]``; every layer reads and writes that object, and
nothing else travels in the extensions:

==============  ===============================  ==========================================
field           written by                       read by
==============  ===============================  ==========================================
``endpoint``    the core (``"GET /tasks/{id}"``)  the rate limiter (its budget), tracing
``retry``       the caller (``True``: retry a    the retry layer
                write; ``False``: never)
``replayable``  the core, for an upload           the retry layer (a stream is re-sent only
                                                  when it starts over)
``decoder``     the core (msgspec, optional)      :func:`.body.decode_body`
``attempt``     the retry layer, 1 for the first  tracing, the log line, ``last_response``
``payload``     :func:`.body.decode_body`          the core (parsed JSON, or ``NOT_JSON``)
``parsed``      :func:`.body.decode_body`          the core (the decoder's finished result)
``elapsed_ms``  the core, once answered           ``last_response``
==============  ===============================  ==========================================

A request built elsewhere (a user's own use of ``RetryTransport``) gets a default context on
first use: :func:`context_of` never fails.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, NamedTuple

import attrs
import httpx

__all__ = ["CONTEXT_KEY", "NOT_JSON", "Payload", "RequestContext", "context_of"]

CONTEXT_KEY: Final = "pylon_client"
"""The one key of ``request.extensions`` that pylon-client uses."""


class _NotJson:
    def __repr__(self) -> str:
        return "NOT_JSON"


NOT_JSON: Final = _NotJson()
"""``payload`` of a response whose body was not (or not yet) parsed as JSON."""


class Payload(NamedTuple):
    """A fast decoder's answer for a body it read as JSON values only, for the usual parse.

    The decoder answers a finished result (``parsed``), this (its Structs refused the body, a
    key they do not declare, say: ``value`` is the body as ``json.loads`` would give it), or
    None (it could not read the body at all: ``json.loads`` then decides).
    """

    value: Any


@attrs.define(slots=True, kw_only=True, eq=False)
class RequestContext:
    """One request's state, shared by the layers of the transport stack (table above)."""

    endpoint: str | None = None
    retry: bool | None = None
    replayable: bool | None = None
    decoder: Callable[[bytes], Any] | None = None
    attempt: int = 1
    payload: Any = NOT_JSON
    parsed: Any = None
    elapsed_ms: float = 0.0


def context_of(request: httpx.Request) -> RequestContext:
    """Return the request's context, attaching a default one if it has none yet."""
    found = request.extensions.get(CONTEXT_KEY)
    if not isinstance(found, RequestContext):
        found = RequestContext()
        request.extensions[CONTEXT_KEY] = found
    return found
