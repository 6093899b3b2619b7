"""Token providers (``_transport.auth``): rotation per attempt, errors that never show the token."""

from __future__ import annotations

import logging
import traceback

import httpx
import pytest
from harness import Api, connect, envelope, reply, task

from pylon_client import AsyncPylon, AuthenticationError, PylonConfigError

pytestmark = pytest.mark.anyio

SECRET = "sk_live_rotating_SECRET"


async def test_a_callable_is_asked_for_the_token_before_each_request() -> None:
    """A sync provider is called per request, so a rotated token is used at once."""
    tokens = iter(["tok_a", "tok_b"])
    api = Api(task())
    async with connect(api, token=lambda: next(tokens)) as pylon:  # type: ignore[arg-type]  # the harness types token as str
        await pylon.tasks.get("t1")
        await pylon.tasks.get("t1")
    assert [r.headers["authorization"] for r in api.requests] == ["Bearer tok_a", "Bearer tok_b"]


async def test_an_async_callable_is_awaited() -> None:
    """An async provider is awaited per request."""
    calls = 0

    async def provider() -> str:
        nonlocal calls
        calls += 1
        return f"tok_{calls}"

    api = Api(task())
    async with AsyncPylon(provider, transport=api.transport, rate_limit=False) as pylon:
        await pylon.tasks.get("t1")
    assert api.last.headers["authorization"] == "Bearer tok_1"


async def test_each_retry_asks_again() -> None:
    """A retried request carries the token the provider gives at that attempt."""
    tokens = iter(["old", "new"])
    seen: list[str] = []
    answers = [reply(503, envelope("unavailable")), task()]

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])  # as sent: the retry re-sends the request
        return answers.pop(0)

    async with connect(Api(handler=handler), token=lambda: next(tokens)) as pylon:  # type: ignore[arg-type]  # the harness types token as str
        await pylon.tasks.get("t1")
    assert seen == ["Bearer old", "Bearer new"]


async def test_a_provider_that_raises_is_a_config_error_and_nothing_is_sent() -> None:
    """The provider's failure becomes PylonConfigError (its exception the cause); no request."""

    def broken() -> str:
        raise RuntimeError("vault unreachable")

    api = Api(task())
    async with connect(api, token=broken) as pylon:  # type: ignore[arg-type]  # the harness types token as str
        with pytest.raises(PylonConfigError, match="token provider raised RuntimeError") as info:
            await pylon.tasks.get("t1")
    assert isinstance(info.value.__cause__, RuntimeError)
    assert api.requests == []


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param("", id="empty"),
        pytest.param(f"{SECRET}\r\nX-Evil: 1", id="header-injection"),
        pytest.param(None, id="none"),
    ],
)
async def test_a_bad_token_from_a_provider_is_refused_without_echoing_it(bad: str | None) -> None:
    """A provider's unfit token is refused before sending; the message never shows it."""
    api = Api(task())
    async with connect(api, token=lambda: bad) as pylon:  # type: ignore[arg-type]  # the harness types token as str
        with pytest.raises(PylonConfigError) as info:
            await pylon.tasks.get("t1")
    text = "".join(traceback.format_exception(info.value))
    assert SECRET not in text
    assert api.requests == []


async def test_the_provided_token_never_appears_in_repr_logs_or_errors(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Repr of the client and its stack, debug logs and a failing call's traceback: no token."""
    caplog.set_level(logging.DEBUG, logger="pylon_client")
    api = Api(reply(401, envelope("unauthorized", "bad token")))
    pylon = connect(api, token=lambda: SECRET)  # type: ignore[arg-type]  # the harness types token as str
    async with pylon:
        with pytest.raises(AuthenticationError) as info:
            await pylon.tasks.get("t1")
    seen = [
        repr(pylon),
        repr(pylon._stack),
        repr(api.last),
        repr(api.last.headers),
        caplog.text,
        "".join(traceback.format_exception(info.value)),
    ]
    assert api.last.headers["authorization"] == f"Bearer {SECRET}"
    for text in seen:
        assert SECRET not in text
