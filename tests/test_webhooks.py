"""Webhook signatures: what is accepted, what is refused, and the fake's signed deliveries."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

import httpx
import pytest
from example_scripts import load_example

from pylon_client import PylonInputError, WebhookVerificationError, webhooks
from pylon_client.testing import FakePylon, WebhookSender, add_issues, touch_issues
from pylon_client.testing._webhooks import render

SECRET = "whsec-canary-93b1"  # must never appear in an error or a log line
BODY = b'{"event":"updated","issue":{"id":"i1","title":"Printer"}}'
GOOD = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()


def test_a_signed_body_is_unwrapped() -> None:
    """The body Pylon signed, with its signature, comes back parsed."""
    event = webhooks.unwrap(BODY, {"X-Pylon-Signature": GOOD}, SECRET)
    assert event == {"event": "updated", "issue": {"id": "i1", "title": "Printer"}}
    assert webhooks.verify(BODY, GOOD.upper(), SECRET.encode())


REFUSED = [
    pytest.param(
        BODY.replace(b"Printer", b"Scanner"),
        {"X-Pylon-Signature": GOOD},
        SECRET,
        "does not match",
        id="tampered-body",
    ),
    pytest.param(
        BODY, {"X-Pylon-Signature": GOOD}, "another-secret", "does not match", id="wrong-secret"
    ),
    pytest.param(
        BODY,
        {"Content-Type": "application/json"},
        SECRET,
        "no X-Pylon-Signature",
        id="missing-header",
    ),
    pytest.param(
        BODY, {"X-Pylon-Signature": GOOD[:-2]}, SECRET, "does not match", id="truncated-signature"
    ),
    pytest.param(BODY, {"X-Pylon-Signature": ""}, SECRET, "does not match", id="empty-signature"),
    pytest.param(
        b"not json",
        {"X-Pylon-Signature": webhooks.sign(b"not json", SECRET)},
        SECRET,
        "not JSON",
        id="non-json-body",
    ),
]


@pytest.mark.parametrize(("body", "headers", "secret", "message"), REFUSED)
def test_an_untrusted_webhook_is_refused(
    body: bytes, headers: dict[str, str], secret: str, message: str
) -> None:
    """Each kind of bad request is a WebhookVerificationError that shows neither secret nor body."""
    with pytest.raises(WebhookVerificationError, match=message) as info:
        webhooks.unwrap(body, headers, secret)
    assert SECRET not in str(info.value)
    assert "Printer" not in str(info.value)


@pytest.mark.parametrize("secret", [None, 1234, ["s"]], ids=["none", "int", "list"])
def test_a_secret_of_the_wrong_type_is_an_input_error(secret: Any) -> None:
    """A secret that is not str or bytes is refused before anything is compared."""
    with pytest.raises(PylonInputError, match="str or bytes"):
        webhooks.unwrap(BODY, {"X-Pylon-Signature": GOOD}, secret)


def test_a_decoded_body_is_an_input_error() -> None:
    """Passing the body as str (or parsed JSON) is refused: Pylon signed the raw bytes."""
    with pytest.raises(PylonInputError, match="raw request body"):
        webhooks.unwrap(BODY.decode(), {"X-Pylon-Signature": GOOD}, SECRET)  # type: ignore[arg-type]


def test_a_custom_app_get_is_verified_on_its_query() -> None:
    """A custom-app GET is signed over the Go-style JSON of its query parameters."""
    params = {"issue_id": "i1", "user": "a&b <c>"}
    payload = b'{"issue_id":"i1","user":"a\\u0026b \\u003cc\\u003e"}'
    signature = hmac.new(SECRET.encode(), payload, hashlib.sha256).hexdigest()
    assert webhooks.unwrap_query(params, {"x-pylon-signature": signature}, SECRET) == params
    with pytest.raises(WebhookVerificationError):
        webhooks.unwrap_query(
            {**params, "issue_id": "i2"}, {"x-pylon-signature": signature}, SECRET
        )


def test_templates_fill_placeholders_with_their_json_types() -> None:
    """A lone placeholder keeps the value's type; one inside text becomes text."""
    issue = {"id": "i1", "number": 7, "tags": ["a"]}
    template = {
        "id": "{{issue.id}}",
        "n": "{{issue.number}}",
        "tags": "{{issue.tags}}",
        "t": "#{{issue.number}} ({{event}})",
    }
    assert render(template, issue=issue, event="updated") == {
        "id": "i1",
        "n": 7,
        "tags": ["a"],
        "t": "#7 (updated)",
    }


def _receiver() -> Any:
    return load_example("webhook_receiver")


@pytest.mark.anyio
async def test_the_fake_delivers_signed_webhooks_to_the_example_receiver(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Issue changes in the fake reach the example receiver signed; a forged one is refused."""
    received: list[Any] = []

    async def on_event(event: Any) -> None:
        received.append(event)

    app = _receiver().make_app(SECRET, on_event)
    fake = FakePylon(seed=2)
    issues = add_issues(fake, 3, *_range())
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://hook") as http,
        WebhookSender(
            fake,
            url="https://hook/pylon/webhook",
            secret=SECRET,
            template={"kind": "{{event}}", "id": "{{issue.id}}", "state": "{{issue.state}}"},
            headers={"X-Source": "fake"},
            client=http,
        ) as sender,
    ):
        touch_issues(fake, [issues[0]["id"]], fields={"state": "closed"})
        responses = await sender.deliver()
        forged = await http.post(
            "/pylon/webhook", content=b'{"id":"x"}', headers={"X-Pylon-Signature": "0" * 64}
        )
        with caplog.at_level(logging.DEBUG):
            await http.post("/pylon/webhook", content=b"{}")
    assert [r.status_code for r in responses] == [200]
    assert received == [{"kind": "updated", "id": issues[0]["id"], "state": "closed"}]
    assert forged.status_code == 401
    assert SECRET not in caplog.text
    assert SECRET not in repr(sender)


def _range() -> tuple[Any, Any]:
    from pylon_client.testing import DEMO_START

    return DEMO_START, DEMO_START.replace(day=20)


@pytest.mark.anyio
async def test_the_receiver_refuses_everything_without_a_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Served without PYLON_WEBHOOK_SECRET, the example answers 503 instead of trusting anyone."""
    monkeypatch.delenv("PYLON_WEBHOOK_SECRET", raising=False)
    app = _receiver().app
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://hook"
    ) as http:
        response = await http.post("/pylon/webhook", content=json.dumps({}).encode())
    assert response.status_code == 503
