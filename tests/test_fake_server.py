"""The fake on a real loopback socket (uvicorn in a thread), and the pytest fixtures."""

from __future__ import annotations

import httpx
import pytest

from pylon_client.testing import FakePylon, Faults, serve_in_thread
from pylon_client.testing import __main__ as cli

AUTH = {"Authorization": "Bearer test-token"}


@pytest.mark.anyio
async def test_round_trip_over_a_socket(fake_pylon: FakePylon, fake_pylon_url: str) -> None:
    """A task created over HTTP on 127.0.0.1 is stored and listed back."""
    assert fake_pylon_url.startswith("http://127.0.0.1:")
    async with httpx.AsyncClient(base_url=fake_pylon_url, headers=AUTH) as client:
        created = await client.post("/tasks", json={"title": "over the wire"})
        listed = await client.get("/tasks", params={"limit": 999})
        me = await client.get("/me")
    assert created.status_code == 200
    task_id = created.json()["data"]["id"]
    assert fake_pylon.tasks[task_id]["title"] == "over the wire"
    assert task_id in {t["id"] for t in listed.json()["data"]}
    assert me.json()["data"]["user"]["id"] == fake_pylon.state.me_user_id


@pytest.mark.anyio
async def test_dropped_connection_over_a_socket() -> None:
    """On a socket a drop-after fault closes the connection mid-response; the write stands."""
    fake = FakePylon(seed=1, faults=Faults(drop_after_rate=1.0))
    with serve_in_thread(fake) as url:
        async with httpx.AsyncClient(base_url=url, headers=AUTH) as client:
            with pytest.raises(httpx.RemoteProtocolError):
                await client.post("/tasks", json={"title": "t"})
    assert len(fake.tasks) == 1


def test_server_stops_on_exit() -> None:
    """Leaving ``serve_in_thread`` shuts uvicorn down and frees the port."""
    with serve_in_thread(FakePylon(seed=1)) as url:
        assert httpx.get(f"{url}/me", headers=AUTH).status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/me", headers=AUTH)


def test_fixture_fake_is_seeded(fake_pylon: FakePylon) -> None:
    """The ``fake_pylon`` fixture holds a small seeded organization."""
    assert len(fake_pylon.accounts) == 20
    assert fake_pylon.issues
    assert fake_pylon.tasks


def test_cli_serves_a_seeded_fake() -> None:
    """``python -m pylon_client.testing serve`` builds a seeded, rate-limited fake."""
    args = cli.build_parser().parse_args(
        ["serve", "--port", "9999", "--seed", "5", "--accounts", "7", "--scale", "10"]
    )
    app = cli.make_fake(args)
    assert (args.host, args.port) == ("127.0.0.1", 9999)
    assert len(app.accounts) == 7
    assert app.rate_limiter is not None
    assert app.rate_limiter.window == 6.0
    default = cli.make_fake(cli.build_parser().parse_args(["serve", "--accounts", "1"]))
    assert default.rate_limiter is not None
    assert default.rate_limiter.window == 60.0
    off = cli.make_fake(cli.build_parser().parse_args(["serve", "--no-rate-limits"]))
    assert off.rate_limiter is None
