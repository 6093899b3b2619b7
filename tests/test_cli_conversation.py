"""``pylon issues messages|reply|note``: an issue's conversation from the command line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from cli_helpers import CANARY, Serve, run

from pylon_client.testing import FakePylon


def test_reply_and_note_show_up_in_the_messages(
    serve: Serve, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A reply (to the latest message) and a note from a file are listed after the first message."""
    fake = FakePylon(token=CANARY, seed=31)
    serve(fake)
    issue_id = _create_issue(fake)
    status, out, err = run(capsys, "issues", "reply", issue_id, "<p>On it</p>")
    assert status == 0, err
    assert out.startswith("reply ")
    note = tmp_path / "note.html"
    note.write_text("<p>Escalated to <b>engineering</b></p>")
    assert run(capsys, "issues", "note", issue_id, "--file", str(note))[0] == 0
    status, out, err = run(capsys, "issues", "messages", issue_id)
    assert status == 0, err
    lines = out.splitlines()
    assert len(lines) == 3
    assert "It crashed" in lines[0]
    assert "On it" in lines[1]
    assert "(note)" in lines[2]
    assert "Escalated to engineering" in lines[2]
    assert "3 messages" in err
    status, out, _ = run(capsys, "issues", "messages", issue_id, "--json")
    assert [json.loads(line)["id"] for line in out.splitlines()]


def test_one_message_is_counted_as_one(serve: Serve, capsys: pytest.CaptureFixture[str]) -> None:
    """A thread of one message is counted "1 message", not "1 messages"."""
    fake = FakePylon(token=CANARY, seed=34)
    serve(fake)
    status, _, err = run(capsys, "issues", "messages", _create_issue(fake))
    assert (status, err) == (0, "1 message\n")


def test_the_body_can_come_from_stdin(
    serve: Serve, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`-` reads the reply's body from standard input."""
    fake = FakePylon(token=CANARY, seed=32)
    serve(fake)
    issue_id = _create_issue(fake)
    monkeypatch.setattr("sys.stdin", io.StringIO("<p>From a pipe</p>"))
    assert run(capsys, "issues", "reply", issue_id, "-")[0] == 0
    _, out, _ = run(capsys, "issues", "messages", issue_id)
    assert "From a pipe" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(("note", "ID", "   "), "the body is empty", id="blank"),
        pytest.param(("note", "ID", "x", "--file", "f.html"), "not both", id="both"),
        pytest.param(("reply", "ID", "--file", "missing.html"), "cannot read", id="no-file"),
    ],
)
def test_a_bad_body_is_refused_before_any_request(
    serve: Serve,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """An empty body, two bodies or an unreadable file stop the command; nothing is sent."""
    monkeypatch.chdir(tmp_path)
    fake = FakePylon(token=CANARY, seed=33)
    serve(fake)
    status, _, err = run(capsys, "issues", *args)
    assert status == 1
    assert message in err
    assert fake.requests == []


def _create_issue(fake: FakePylon) -> str:
    """Create an issue through the fake's store the way POST /issues does; return its id."""
    import anyio
    import httpx

    async def create() -> str:
        transport = httpx.ASGITransport(app=fake)
        async with httpx.AsyncClient(
            transport=transport,
            base_url="https://pylon.test",
            headers={"Authorization": f"Bearer {CANARY}"},
        ) as http:
            body = {"title": "Crash", "body_html": "<p>It crashed</p>"}
            response = await http.post("/issues", json=body)
            return str(response.json()["data"]["id"])

    issue_id = anyio.run(create)
    fake.reset_log()
    return issue_id
