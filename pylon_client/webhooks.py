"""Verify and read the webhooks Pylon sends.

Pylon sends webhooks from triggers and macros set up in its web app: a JSON body written from
a template, POSTed to your URL, with ``X-Pylon-Signature``: the lowercase hex HMAC-SHA256 of
the raw request body, keyed with the webhook's secret (shown once when it is created). Requests
from Pylon custom apps are GETs whose signature covers the JSON of the query-parameter map.

Verify before you parse, on the raw bytes exactly as they arrived (a re-serialised body has
other bytes and fails)::

    from . import webhooks

    event = webhooks.unwrap(await request.body(), request.headers, secret)

:func:`unwrap` raises :class:`~pylon_client.WebhookVerificationError` for a missing header, a
signature that does not match (compared in constant time) and a body that is not JSON; the
message never contains the secret or the body. A secret that is neither ``str`` nor ``bytes``
is a :class:`~pylon_client.PylonInputError`. No timestamp is signed, so a signature does not
protect against a replayed request: deduplicate on something in the body if that matters.
``examples/webhook_receiver.py`` is a Starlette receiver built on this module.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from ._exceptions import PylonInputError, WebhookVerificationError

__all__ = [
    "SIGNATURE_HEADER",
    "query_payload",
    "sign",
    "unwrap",
    "unwrap_query",
    "verify",
    "verify_query",
]

SIGNATURE_HEADER = "X-Pylon-Signature"
"""The header that carries the signature."""


def _key(secret: object) -> bytes:
    if isinstance(secret, str):
        return secret.encode()
    if isinstance(secret, bytes | bytearray):
        return bytes(secret)
    raise PylonInputError(f"the webhook secret must be str or bytes, not {type(secret).__name__}")


def _body(raw_body: object) -> bytes:
    if isinstance(raw_body, bytes | bytearray | memoryview):
        return bytes(raw_body)
    raise PylonInputError(
        f"pass the raw request body as bytes, not {type(raw_body).__name__}: a decoded or "
        "re-serialised body does not have the bytes Pylon signed"
    )


def sign(raw_body: bytes, secret: str | bytes) -> str:
    """Return the signature Pylon sends for ``raw_body``: lowercase hex HMAC-SHA256.

    >>> sign(b'{"ok":true}', "s3cret")[:16]
    '543e03a3257ce4cd'
    """
    return hmac.new(_key(secret), _body(raw_body), hashlib.sha256).hexdigest()


def verify(raw_body: bytes, signature: str | None, secret: str | bytes) -> bool:
    """Return True when ``signature`` is the one Pylon computes for ``raw_body``.

    The comparison takes the same time wherever the strings differ; surrounding white space
    and the case of the hex digits are ignored. A missing or non-string signature is False.
    """
    expected = sign(raw_body, secret)
    if not isinstance(signature, str):
        return False
    return hmac.compare_digest(expected.encode(), signature.strip().lower().encode())


def unwrap(raw_body: bytes, headers: Mapping[str, str], secret: str | bytes) -> Any:
    """Verify a webhook POST and return its parsed JSON body.

    ``headers`` is any mapping of the request's headers (Starlette's, httpx's, a dict); the
    header name is matched without regard to case.

    Raises:
        WebhookVerificationError: the signature header is missing or does not match, or the
            body is not JSON.
        PylonInputError: the secret is not ``str`` or ``bytes``, or the body is not bytes.

    """
    body = _body(raw_body)
    _key(secret)
    signature = _header(headers)
    if not verify(body, signature, secret):
        raise WebhookVerificationError("the webhook signature does not match its body")
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise WebhookVerificationError("the webhook body is not JSON") from None


def query_payload(params: Mapping[str, str]) -> bytes:
    r"""Return the bytes a custom-app GET is signed over: the JSON of its query parameters.

    Pylon's servers are written in Go, whose JSON encoder sorts map keys, writes no spaces and
    escapes ``<``, ``>``, ``&``, U+2028 and U+2029; this does the same.

    >>> query_payload({"b": "2", "a": "<1>"})
    b'{"a":"\\u003c1\\u003e","b":"2"}'
    """
    text = json.dumps(dict(params), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return text.encode()


def verify_query(params: Mapping[str, str], signature: str | None, secret: str | bytes) -> bool:
    """Return True when ``signature`` matches a custom-app GET's query parameters."""
    return verify(query_payload(params), signature, secret)


def unwrap_query(
    params: Mapping[str, str], headers: Mapping[str, str], secret: str | bytes
) -> dict[str, str]:
    """Verify a custom-app GET and return its query parameters as a dict.

    Raises:
        WebhookVerificationError: the signature header is missing or does not match.
        PylonInputError: the secret is not ``str`` or ``bytes``.

    """
    _key(secret)
    if not verify_query(params, _header(headers), secret):
        raise WebhookVerificationError("the custom-app request signature does not match")
    return dict(params)


def _header(headers: Mapping[str, str]) -> str:
    wanted = SIGNATURE_HEADER.lower()
    for name, value in headers.items():
        if name.lower() == wanted:
            return value
    raise WebhookVerificationError(f"the webhook has no {SIGNATURE_HEADER} header")
