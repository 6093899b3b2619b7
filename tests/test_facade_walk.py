"""Every facade method, called against the fake: the fake's own walks, replayed through the client.

``test_fake_official`` walks every operation the fake serves with raw HTTP. Here the same walks
(``core_walks.ALL_WALKS``) run through ``facade_client.FacadeClient``, which looks like the
``httpx.AsyncClient`` they expect but sends each request by calling the facade method that owns
it (``pylon.issues.create_reply(id, body_html=..., message_id=...)``), with the request's JSON
fields, query parameters and multipart parts as that method's keyword arguments. So each of
the 168 methods builds its request, the client sends it, and the answer is parsed into the
generated models, strictly. Methods the hand-written layer overrides (``issues.list``,
``accounts.update_many``, ``accounts.merge``) are called as generated, under the override.
"""

from __future__ import annotations

import httpx
import pytest
from core_walks import ALL_WALKS
from facade_client import FacadeClient
from fake_harness import small_fake

from pylon_client import AsyncPylon
from pylon_client._generated._endpoints import ENDPOINTS

pytestmark = pytest.mark.anyio


async def test_every_facade_method_runs_against_the_fake() -> None:
    """All 168 facade methods send their request and parse the fake's answer into models.

    Parsed the usual way (``accelerate=False``); ``test_accel`` walks them with msgspec.
    """
    fake = small_fake()
    ids = {"me": fake.state.me_user_id}
    async with AsyncPylon(
        "test-token",
        base_url="https://pylon.test",
        transport=httpx.ASGITransport(app=fake),
        rate_limit=False,
        accelerate=False,
    ) as pylon:
        client = FacadeClient(pylon)
        for walk in ALL_WALKS:
            await walk(client, fake, ids)  # type: ignore[arg-type]
    assert sorted(set(ENDPOINTS) - client.called) == []
    assert len(ENDPOINTS) == 168
