"""The fake's account activities, notes and relationships, and its issue operations from usepylon.

Raw HTTP against ``_res_sdk_people`` and ``_res_sdk_people2``: state changes, 400s and 404s, and
every 200 body checked against the response schemas written for these operations
(:data:`FRAGMENT`).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import httpx
import jsonschema  # type: ignore[import-untyped]  # no stubs are installed for jsonschema
import pytest
import yaml
from fake_harness import OFFICIAL_PATH, open_client, to_json_schema
from sdk_walks import answers as sdk_answers
from sdk_walks import walk_sdk_people

from pylon_client.testing import FakeClock, FakePylon, _res_sdk_people, seed_demo
from pylon_client.testing._validate import parse_time

pytestmark = pytest.mark.anyio

FRAGMENT = Path(__file__).parents[1] / "openapi" / "pylon-sdk-supplement.yml"
"""The OpenAPI document whose response schemas the answers are checked against."""

_FORMATS = jsonschema.FormatChecker(formats=())
_FORMATS.checks("date-time")(lambda value: not isinstance(value, str) or bool(parse_time(value)))

ISSUE = {"title": "Login fails", "body_html": "<p>I cannot log in</p>"}


@functools.cache
def _load(document: Path) -> dict[str, Any]:
    """Return the OpenAPI document at ``document`` (YAML or JSON)."""
    loaded: dict[str, Any] = yaml.safe_load(document.read_text())
    return loaded


def schema_errors(document: Path, method: str, template: str, body: Any) -> list[str]:
    """Return how ``body`` breaks the 200 schema of ``method template`` in ``document``.

    Schema names Pylon's own document has are its schemas (the ones ``document`` gives only as
    stubs); every other name is ``document``'s.
    """
    loaded = _load(document)
    defs = {**loaded["components"]["schemas"], **_load(OFFICIAL_PATH)["components"]["schemas"]}
    operation = loaded["paths"][template][method.lower()]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    validator = jsonschema.Draft202012Validator(
        {**to_json_schema(schema), "$defs": to_json_schema(defs)}, format_checker=_FORMATS
    )
    return [
        f"{method} {template} {'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(body)
    ]


def _fake() -> tuple[FakePylon, FakeClock]:
    clock = FakeClock()
    return FakePylon(seed=5, clock=clock), clock


def _seeded() -> FakePylon:
    fake = FakePylon(seed=3, clock=FakeClock())
    seed_demo(fake, seed=3, accounts=6, issues_days=3, issues_per_day=2)
    return fake


async def _body(response: Awaitable[httpx.Response]) -> Any:
    result = await response
    assert result.status_code == 200, result.text
    return result.json()


async def _data(response: Awaitable[httpx.Response]) -> Any:
    return (await _body(response))["data"]


async def _status(response: Awaitable[httpx.Response]) -> int:
    return (await response).status_code


async def _account(client: httpx.AsyncClient, name: str, **extra: Any) -> Any:
    return await _data(client.post("/accounts", json={"name": name, **extra}))


async def _issue(client: httpx.AsyncClient, **extra: Any) -> Any:
    return await _data(client.post("/issues", json={**ISSUE, **extra}))


def _other_user(fake: FakePylon, *, deactivated: bool = False) -> str:
    """Add a second user to the fake; return its id."""
    me = fake.users[fake.state.me_user_id]
    user_id = fake.state.new_id()
    email = f"{user_id[:8]}@example.com"
    user = {**me, "id": user_id, "email": email, "emails": [email], "name": "Other"}
    fake.state.add(fake.state.users, {**user, "is_deactivated": deactivated})
    return user_id


async def test_activities_are_listed_newest_first_filtered_and_paged() -> None:
    """Activities made through the API come back newest first, by id or external id, filtered."""
    fake, _ = _fake()
    slugs = [t["slug"] for t in fake.state.activity_types.values()]
    async with open_client(fake, validate=False) as client:
        crm = [{"external_id": "crm-1", "label": "crm"}]
        account = await _account(client, "Acme", external_ids=crm)
        path = f"/accounts/{account['id']}/activities"
        for slug, day, extra in (
            (slugs[0], 1, {"body_html": "<p>Call</p>"}),
            (slugs[1], 3, {}),
            (slugs[0], 2, {"link": "https://crm.example.com/1"}),
        ):
            happened = f"2026-01-0{day}T10:00:00Z"
            await _body(client.post(path, json={"slug": slug, "happened_at": happened, **extra}))
        listed = await _data(client.get(path))
        by_external = await _data(client.get("/accounts/crm-1/activities"))
        one_type = await _data(client.get(path, params={"activity_type": slugs[0]}))
        window = {"start_time": "2026-01-02T00:00:00Z", "end_time": "2026-01-03T10:00:00Z"}
        inside = await _data(client.get(path, params=window))
        first = await _body(client.get(path, params={"limit": 2}))
        cursor = first["pagination"]["cursor"]
        rest = await _body(client.get(path, params={"limit": 2, "cursor": cursor}))
        bad_limit = await _status(client.get(path, params={"limit": 0}))
        bad_time = await _status(client.get(path, params={"start_time": "yesterday"}))
        ghost = await _status(client.get("/accounts/ghost/activities"))
    assert [a["happened_at"][:10] for a in listed] == ["2026-01-03", "2026-01-02", "2026-01-01"]
    assert all(a["account_id"] == account["id"] for a in listed)
    assert listed[0]["activity_type"]["slug"] == slugs[1]
    assert listed[1]["link_text"] == "Open link"
    assert listed[2]["body_html"] == "<p>Call</p>"
    assert "slug" not in listed[0]
    assert by_external == listed
    assert [a["id"] for a in one_type] == [listed[1]["id"], listed[2]["id"]]
    assert [a["id"] for a in inside] == [listed[1]["id"]]
    assert first["pagination"]["has_next_page"] is True
    assert [a["id"] for a in first["data"] + rest["data"]] == [a["id"] for a in listed]
    assert rest["pagination"] == {"cursor": "", "has_next_page": False}
    assert (bad_limit, bad_time, ghost) == (400, 400, 404)


async def test_notes_are_written_to_a_block_and_listed_newest_first() -> None:
    """A block's notes are the token user's, newest first, and the block is its account's."""
    fake, clock = _fake()
    async with open_client(fake, validate=False) as client:
        account = await _account(client, "Acme")
        other = await _account(client, "Globex")
        path = f"/accounts/{account['id']}/notebook-blocks/blk-1/notes"
        first = await _data(client.post(path, json={"content_html": "<p>Kickoff</p>"}))
        clock.advance(60)
        second = await _data(
            client.post(path, json={"content_html": "<p>QBR</p>", "title": "Q1 review"})
        )
        listed = await _data(client.get(path))
        page = await _body(client.get(path, params={"limit": 1}))
        empty = await _data(client.get(f"/accounts/{account['id']}/notebook-blocks/blk-2/notes"))
        foreign = f"/accounts/{other['id']}/notebook-blocks/blk-1/notes"
        statuses = [
            await _status(client.get(foreign)),
            await _status(client.post(foreign, json={"content_html": "<p>x</p>"})),
            await _status(client.post(path, json={"title": "No body"})),
            await _status(client.post(path, json={"content_html": 5})),
            await _status(client.get(path, params={"limit": 21})),
            await _status(client.get("/accounts/ghost/notebook-blocks/blk-1/notes")),
        ]
    assert [n["id"] for n in listed] == [second["id"], first["id"]]
    assert first["created_by_user_id"] == fake.state.me_user_id
    assert (first["account_id"], first["block_id"]) == (account["id"], "blk-1")
    assert "title" not in first
    assert second["title"] == "Q1 review"
    assert page["pagination"]["has_next_page"] is True
    assert [n["id"] for n in page["data"]] == [second["id"]]
    assert empty == []
    assert statuses == [404, 404, 400, 400, 400, 404]
    assert len(fake.state.account_notes) == 2


async def test_a_parent_relationship_is_the_accounts_parent_until_deleted() -> None:
    """A parent relationship sets parent_account_id and subaccount_ids; deleting undoes both."""
    fake, _ = _fake()
    async with open_client(fake, validate=False) as client:
        child, parent, partner = [await _account(client, n) for n in ("Kid", "Mom", "Pal")]
        made = f"/accounts/{child['id']}/relationship"
        body = {"related_object_id": parent["id"], "relationship_type": "parent_account"}
        link = await _data(client.post(made, json=body))
        body = {"related_object_id": partner["id"], "relationship_type": "partner_account"}
        pal = await _data(client.post(made, json=body))
        listed = await _data(client.get(f"/accounts/{child['id']}/relationships"))
        of_parent = await _data(client.get(f"/accounts/{parent['id']}/relationships"))
        linked = (
            fake.accounts[child["id"]].get("parent_account_id"),
            fake.accounts[parent["id"]]["subaccount_ids"],
        )
        wrong = await _status(client.delete(f"/accounts/{parent['id']}/relationships/{link['id']}"))
        gone = await _data(client.delete(f"/accounts/{child['id']}/relationships/{link['id']}"))
        again = await _status(client.delete(f"/accounts/{child['id']}/relationships/{link['id']}"))
        left = await _data(client.get(f"/accounts/{child['id']}/relationships"))
    assert link["child_account_id"] == child["id"]
    assert link["parent_account_id"] == link["related_object_id"] == parent["id"]
    assert link["created_at"] == link["updated_at"]
    assert [r["id"] for r in listed] == [link["id"], pal["id"]]
    assert of_parent == []
    assert linked == (parent["id"], [child["id"]])
    assert (wrong, again) == (404, 404)
    assert gone == link
    assert [r["id"] for r in left] == [pal["id"]]
    assert "parent_account_id" not in fake.accounts[child["id"]]
    assert fake.accounts[parent["id"]]["subaccount_ids"] == []
    assert "parent_account_id" not in fake.accounts[partner["id"]]


async def test_a_relationship_pylon_refuses_is_a_400_or_404() -> None:
    """Self, unknown types, repeats, a second parent and cycles are 400; unknown ids are 404."""
    fake, _ = _fake()
    async with open_client(fake, validate=False) as client:
        a, b, c = [await _account(client, n) for n in ("A", "B", "C")]

        async def relate(child: str, related: str, kind: str = "parent_account") -> int:
            body = {"related_object_id": related, "relationship_type": kind}
            return await _status(client.post(f"/accounts/{child}/relationship", json=body))

        assert await relate(a["id"], b["id"]) == 200
        assert await relate(a["id"], b["id"], "partner_account") == 200
        refused = [
            await relate(a["id"], a["id"]),
            await relate(c["id"], b["id"], "sibling_account"),
            await _status(client.post(f"/accounts/{c['id']}/relationship", json={})),
            await relate(a["id"], b["id"], "partner_account"),
            await relate(a["id"], c["id"]),
            await relate(b["id"], a["id"]),
        ]
        missing = [
            await relate(c["id"], "ghost"),
            await relate("ghost", c["id"]),
            await _status(client.get("/accounts/ghost/relationships")),
            await _status(client.delete(f"/accounts/{a['id']}/relationships/ghost")),
        ]
    assert refused == [400] * 6
    assert missing == [404] * 4
    assert len(fake.state.account_relationships) == 2


async def test_a_bulk_update_changes_every_issue_and_skips_unknown_ones() -> None:
    """``PATCH /issues`` applies the same fields to each issue and reports each id."""
    fake, clock = _fake()
    me = fake.state.me_user_id
    async with open_client(fake, validate=False) as client:
        one = await _issue(client, tags=["bug"])
        two = await _issue(client, tags=["billing", "vip"])
        clock.advance(60)
        body = {
            "issue_ids": [one["id"], "ghost", two["id"], one["id"]],
            "assignee_id": me,
            "state": "waiting_on_qa",
            "tags": ["vip"],
            "tags_apply_mode": "append_only",
            "customer_portal_visible": True,
            "custom_fields": [{"slug": "priority", "value": "high"}],
        }
        result = await _data(client.patch("/issues", json=body))
        changed = [dict(fake.issues[i]) for i in (one["id"], two["id"])]
        body = {"issue_ids": [one["id"]], "assignee_id": "", "tags": ["vip"]}
        again = await _data(
            client.patch("/issues", json={**body, "tags_apply_mode": "remove_only"})
        )
    assert result == {
        "succeeded_issue_ids": [one["id"], two["id"]],
        "skipped_issues": [{"issue_id": "ghost", "reason": "not_found"}],
    }
    assert [i["tags"] for i in changed] == [["bug", "vip"], ["billing", "vip"]]
    assert all(i["assignee"] == {"id": me} and i["state"] == "waiting_on_qa" for i in changed)
    assert all(i["customer_portal_visible"] is True for i in changed)
    assert all(i["custom_fields"]["priority"]["value"] == "high" for i in changed)
    assert changed[0]["updated_at"] == changed[1]["updated_at"] > one["updated_at"]
    assert again["succeeded_issue_ids"] == [one["id"]]
    assert "assignee" not in fake.issues[one["id"]]
    assert fake.issues[one["id"]]["tags"] == ["bug"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"issue_ids": None}, id="no-ids"),
        pytest.param({"issue_ids": []}, id="empty-ids"),
        pytest.param({"issue_ids": ["x"] * 101}, id="too-many-ids"),
        pytest.param({"tags": ["a"], "tags_apply_mode": "merge"}, id="bad-mode"),
        pytest.param({"assignee_id": "ghost"}, id="unknown-assignee"),
        pytest.param({"state": "Not a state!"}, id="bad-state"),
        pytest.param({"custom_fields": [{"slug": "priority", "value": None}]}, id="clear-field"),
    ],
)
async def test_a_bulk_update_pylon_refuses_is_a_400_and_changes_nothing(body: Any) -> None:
    """A bad field fails the whole bulk update with 400, before any issue changes."""
    fake, _ = _fake()
    async with open_client(fake, validate=False) as client:
        issue = await _issue(client)
        before = dict(fake.issues[issue["id"]])
        status = await _status(client.patch("/issues", json={"issue_ids": [issue["id"]], **body}))
    assert status == 400
    assert fake.issues[issue["id"]] == before


async def test_marking_spam_deletes_email_issues_and_accounts_left_empty() -> None:
    """Email issues go, others are skipped; an account with no issue left is deleted too."""
    fake, _ = _fake()
    async with open_client(fake, validate=False) as client:
        kept, emptied = await _account(client, "Kept"), await _account(client, "Emptied")
        spam = await _issue(client, account_id=kept["id"])
        manual = await _issue(client, account_id=kept["id"])
        last = await _issue(client, account_id=emptied["id"])
        for issue in (spam, last):
            fake.issues[issue["id"]]["source"] = "email"
        ids = [spam["id"], manual["id"], last["id"], "ghost"]
        result = await _data(client.post("/issues/mark-spam", json={"issue_ids": ids}))
        after = [
            await _status(client.get(f"/issues/{spam['id']}")),
            await _status(client.get(f"/issues/{manual['id']}")),
            await _status(client.get(f"/accounts/{kept['id']}")),
            await _status(client.get(f"/accounts/{emptied['id']}")),
        ]
        refused = [
            await _status(client.post("/issues/mark-spam", json={"issue_ids": []})),
            await _status(client.post("/issues/mark-spam", json={})),
        ]
    assert result == {
        "succeeded_issue_ids": [spam["id"], last["id"]],
        "skipped_issues": [
            {"issue_id": manual["id"], "reason": "unsupported_source"},
            {"issue_id": "ghost", "reason": "not_found"},
        ],
    }
    assert after == [404, 200, 200, 404]
    assert refused == [400, 400]


async def test_a_merge_moves_the_conversation_into_the_primary_issue() -> None:
    """Duplicates' messages and threads join the primary in time order; the duplicates go."""
    fake, clock = _fake()
    async with open_client(fake, validate=False) as client:
        account = await _account(client, "Acme")
        primary = await _issue(client, account_id=account["id"])
        clock.advance(60)
        slack = await _issue(client, account_id=account["id"])
        fake.issues[slack["id"]]["source"] = "slack"
        clock.advance(60)
        manual = await _issue(client, account_id=account["id"])
        clock.advance(60)
        note = {"body_html": "<p>Looking</p>", "thread_name": "Triage"}
        await _body(client.post(f"/issues/{slack['id']}/note", json=note))
        clock.advance(60)
        body = {
            "primary_issue_id": str(primary["number"]),
            "duplicate_issue_ids": [slack["id"], str(manual["number"]), slack["id"]],
            "closing_message": "Merged <into> the first one",
        }
        merged = await _data(client.post("/issues/merge", json=body))
        messages = await _data(client.get(f"/issues/{primary['id']}/messages"))
        threads = await _data(client.get(f"/issues/{primary['id']}/threads"))
        gone = [await _status(client.get(f"/issues/{i['id']}")) for i in (slack, manual)]
    assert merged["id"] == primary["id"]
    assert [m["message_html"] for m in messages] == [
        ISSUE["body_html"],
        ISSUE["body_html"],
        ISSUE["body_html"],
        "<p>Looking</p>",
        "<p>Merged &lt;into&gt; the first one</p>",
    ]
    assert messages[-1]["source"] == "slack"
    assert [(t["name"], t["issue_id"]) for t in threads] == [("Triage", primary["id"])]
    assert messages[3]["thread_id"] == threads[0]["id"]
    assert merged["latest_message_time"] == messages[-1]["timestamp"]
    assert gone == [404, 404]


async def test_a_merge_pylon_refuses_changes_nothing() -> None:
    """An unknown issue is a 404, an ineligible one a 400, and no issue is merged either way."""
    fake, _ = _fake()
    async with open_client(fake, validate=False) as client:
        mine, theirs = await _account(client, "Mine"), await _account(client, "Theirs")
        primary = await _issue(client, account_id=mine["id"])
        dup = await _issue(client, account_id=mine["id"])
        stranger = await _issue(client, account_id=theirs["id"])
        loner = await _issue(client)

        async def merge(primary_id: str, *ids: str) -> int:
            body = {"primary_issue_id": primary_id, "duplicate_issue_ids": list(ids)}
            return await _status(client.post("/issues/merge", json=body))

        statuses = [
            await merge(primary["id"], dup["id"], "ghost"),
            await merge("ghost", dup["id"]),
            await merge(primary["id"], dup["id"], stranger["id"]),
            await merge(primary["id"], primary["id"]),
            await merge(primary["id"], loner["id"]),
            await merge(primary["id"]),
            await merge(primary["id"], *[dup["id"]] * 51),
            await _status(client.post("/issues/merge", json={"duplicate_issue_ids": [dup["id"]]})),
        ]
        messages = await _data(client.get(f"/issues/{primary['id']}/messages"))
    assert statuses == [404, 404, 400, 400, 400, 400, 400, 400]
    assert {dup["id"], stranger["id"], loner["id"]} <= set(fake.issues)
    assert len(messages) == 1


async def test_a_draft_reply_is_made_then_updated_per_user() -> None:
    """The first save makes a user's draft, the next replaces it; each user has their own."""
    fake, clock = _fake()
    other = _other_user(fake)
    async with open_client(fake, validate=False) as client:
        issue = await _issue(client)
        path = f"/issues/{issue['id']}/draft-reply"
        made = await _data(client.post(path, json={"body_html": "<p>Hi</p>"}))
        clock.advance(60)
        updated = await _data(client.post(path, json={"body_html": "<p>Hello</p>"}))
        theirs = await _data(client.post(path, json={"body_html": "<p>Yo</p>", "user_id": other}))
    assert made["status"] == "created"
    assert (made["issue_id"], made["user_id"]) == (issue["id"], fake.state.me_user_id)
    assert updated["status"] == "updated"
    assert updated["id"] == made["id"]
    assert updated["updated_at"] > made["updated_at"]
    assert fake.state.issue_drafts[made["id"]]["body_html"] == "<p>Hello</p>"
    assert (theirs["status"], theirs["user_id"]) == ("created", other)
    assert theirs["id"] != made["id"]


async def test_a_draft_reply_pylon_refuses_gets_its_status() -> None:
    """A draft made outside the API is a 409; bad fields are 400; an unknown issue is 404."""
    fake, _ = _fake()
    retired = _other_user(fake, deactivated=True)
    async with open_client(fake, validate=False) as client:
        issue = await _issue(client)
        path = f"/issues/{issue['id']}/draft-reply"
        draft = await _data(client.post(path, json={"body_html": "<p>Hi</p>"}))
        fake.state.issue_drafts[draft["id"]]["from_api"] = False
        statuses = [
            await _status(client.post(path, json={"body_html": "<p>Again</p>"})),
            await _status(client.post(path, json={})),
            await _status(client.post(path, json={"body_html": "<p>x</p>", "user_id": "ghost"})),
            await _status(client.post(path, json={"body_html": "<p>x</p>", "user_id": retired})),
            await _status(client.post("/issues/ghost/draft-reply", json={"body_html": "<p>x</p>"})),
        ]
    assert statuses == [409, 400, 400, 400, 404]
    assert fake.state.issue_drafts[draft["id"]]["body_html"] == "<p>Hi</p>"
    assert len(fake.state.issue_drafts) == 1


async def test_external_incidents_are_linked_once_and_unlinked() -> None:
    """An incident is linked to the issue once, by id or number, and unlinked again."""
    fake, clock = _fake()
    async with open_client(fake, validate=False) as client:
        issue = await _issue(client)
        path = f"/issues/{issue['id']}/external-incidents"
        incident = {"incident_id": "INC-123", "source": "incident_io"}
        clock.advance(60)
        linked = await _data(client.post(path, json=incident))
        clock.advance(60)
        by_number = f"/issues/{issue['number']}/external-incidents"
        again = await _data(client.post(by_number, json={**incident, "operation": "link"}))
        other = await _data(client.post(path, json={"incident_id": "INC-123", "source": "rootly"}))
        clock.advance(60)
        unlinked = await _data(client.post(path, json={**incident, "operation": "unlink"}))
        refused = [
            await _status(client.post(path, json={"incident_id": "INC-1", "source": "pagerduty"})),
            await _status(client.post(path, json={"source": "rootly"})),
            await _status(client.post(path, json={**incident, "operation": "toggle"})),
            await _status(client.post("/issues/ghost/external-incidents", json=incident)),
        ]
    assert linked["external_incidents"] == [
        {
            "reference": "INC-123",
            "source": "incident_io",
            "link": "https://incident-io.example.com/incidents/INC-123",
        }
    ]
    assert linked["updated_at"] > issue["updated_at"]
    assert again["external_incidents"] == linked["external_incidents"]
    assert again["updated_at"] == linked["updated_at"]
    assert [i["source"] for i in other["external_incidents"]] == ["incident_io", "rootly"]
    assert [i["source"] for i in unlinked["external_incidents"]] == ["rootly"]
    assert refused == [400, 400, 400, 404]


async def test_a_message_of_the_token_user_is_edited_and_others_are_refused() -> None:
    """The token user's own message is edited; others', emails and customers' messages are not."""
    fake, clock = _fake()
    other = _other_user(fake)
    async with open_client(fake, validate=False) as client:
        issue = await _issue(client)
        path = f"/issues/{issue['id']}/messages"
        first = (await _data(client.get(path)))[0]
        clock.advance(60)
        edited = await _data(client.patch(f"{path}/{first['id']}", json={"body_html": "<p>x</p>"}))
        listed = await _data(client.get(path))
        reply = {"body_html": "<p>On it</p>", "message_id": first["id"]}
        theirs = await _data(
            client.post(f"/issues/{issue['id']}/reply", json={**reply, **{"user_id": other}})
        )
        email = {**reply, "email_info": {"to_emails": ["c@example.com"]}}
        mail = await _data(client.post(f"/issues/{issue['id']}/reply", json=email))
        customer = await _issue(client, requester_email="c@example.com")
        said = (await _data(client.get(f"/issues/{customer['id']}/messages")))[0]
        new = {"body_html": "<p>y</p>"}
        statuses = [
            await _status(client.patch(f"{path}/{theirs['id']}", json=new)),
            await _status(client.patch(f"{path}/{mail['id']}", json=new)),
            await _status(
                client.patch(f"/issues/{customer['id']}/messages/{said['id']}", json=new)
            ),
            await _status(client.patch(f"{path}/{first['id']}", json={})),
            await _status(client.patch(f"{path}/ghost", json=new)),
            await _status(client.patch(f"/issues/ghost/messages/{first['id']}", json=new)),
        ]
    assert edited["id"] == first["id"]
    assert edited["message_html"] == listed[0]["message_html"] == "<p>x</p>"
    assert fake.issues[issue["id"]]["updated_at"] > issue["updated_at"]
    assert statuses == [403, 400, 400, 400, 404, 404]


async def test_an_issues_survey_responses_are_listed_by_id_or_number() -> None:
    """The seeded CSAT response of an issue is listed for it, filtered by survey and time."""
    fake = _seeded()
    found = [r for rs in fake.state.survey_responses.values() for r in rs if r.get("issue_id")]
    assert len(found) == 1
    response = found[0]
    issue = fake.issues[response["issue_id"]]
    other = next(i for i in fake.issues.values() if i["id"] != issue["id"])
    path = f"/issues/{issue['id']}/survey-responses"
    async with open_client(fake, validate=False) as client:
        listed = await _body(client.get(path))
        by_number = await _body(client.get(f"/issues/{issue['number']}/survey-responses"))
        of_survey = await _data(client.get(path, params={"survey_id": response["survey_id"]}))
        elsewhere = await _data(client.get(path, params={"survey_id": "ghost"}))
        later = await _data(client.get(path, params={"submitted_after": response["submitted_at"]}))
        before = {"submitted_before": "2030-01-01T00:00:00Z"}
        earlier = await _data(client.get(path, params=before))
        none = await _data(client.get(f"/issues/{other['id']}/survey-responses"))
        statuses = [
            await _status(client.get("/issues/ghost/survey-responses")),
            await _status(client.get(path, params={"submitted_after": "soon"})),
            await _status(client.get(path, params={"limit": 1000})),
        ]
    assert listed["data"] == [response]
    assert listed["issue_id"] == by_number["issue_id"] == issue["id"]
    assert listed["pagination"] == {"cursor": "", "has_next_page": False}
    assert by_number["data"] == of_survey == earlier == [response]
    assert elsewhere == later == none == []
    assert statuses == [404, 400, 400]


async def test_voice_calls_are_those_stored_for_the_issue() -> None:
    """The seeded issue lists its voice call with its recording; others list none."""
    fake = _seeded()
    issue_id, calls = next(iter(fake.state.voice_calls.items()))
    other = next(i for i in fake.issues if i != issue_id)
    async with open_client(fake, validate=False) as client:
        listed = await _data(client.get(f"/issues/{issue_id}/voice-calls"))
        none = await _data(client.get(f"/issues/{other}/voice-calls"))
        ghost = await _status(client.get("/issues/ghost/voice-calls"))
    assert listed == calls
    assert listed[0]["recordings"][0]["transcript_segments"][0]["speaker"] == "Customer"
    assert none == []
    assert ghost == 404


def test_the_demo_objects_are_the_same_for_the_same_seed() -> None:
    """Seeding twice alike gives the same voice calls, relationships and survey responses."""
    one, two = _seeded(), _seeded()
    assert one.state.voice_calls == two.state.voice_calls
    assert one.state.account_relationships == two.state.account_relationships
    assert one.state.survey_responses == two.state.survey_responses
    assert len(one.state.account_relationships) == 1


@pytest.mark.skipif(not FRAGMENT.exists(), reason=f"{FRAGMENT} is not there")
async def test_every_answer_has_the_shape_its_response_schema_gives() -> None:
    """Each operation's 200 body is valid against its response schema in :data:`FRAGMENT`."""
    fake = _seeded()
    async with open_client(fake, validate=False) as client:
        answers = await sdk_answers(client, fake, walk_sdk_people, _res_sdk_people.ROUTES)
    assert len({(method, template) for method, template, _ in answers}) == 14
    errors = [
        e
        for method, template, body in answers
        for e in schema_errors(FRAGMENT, method, template, body)
    ]
    assert errors == []
