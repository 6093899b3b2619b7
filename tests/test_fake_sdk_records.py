"""The fake's call recordings, select options, feature request writes and issue groups via HTTP."""

from __future__ import annotations

import json
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import httpx
import jsonschema  # type: ignore[import-untyped]  # no stubs are installed for jsonschema
import pytest
import yaml
from fake_harness import REQUIRED, open_client, to_json_schema
from sdk_walks import answers as sdk_answers
from sdk_walks import walk_sdk_records

from pylon_client.testing import FakeClock, FakePylon, _res_sdk_records, seed_demo
from pylon_client.testing._validate import parse_time

pytestmark = pytest.mark.anyio

FRAGMENT = Path(__file__).parents[1] / "openapi" / "pylon-sdk-supplement.yml"
"""The document whose response schemas the answers are checked against."""
OFFICIAL = Path(__file__).parents[1] / "openapi" / "pylon-official.json"


def _fake() -> tuple[FakePylon, FakeClock]:
    clock = FakeClock()
    fake = FakePylon(seed=7, clock=clock)
    seed_demo(fake, seed=7, accounts=12, issues_days=2, issues_per_day=3)
    return fake, clock


async def _ok(response: Awaitable[httpx.Response]) -> Any:
    result = await response
    assert result.status_code == 200, result.text
    return result.json()


async def _status(response: Awaitable[httpx.Response]) -> int:
    return (await response).status_code


def _account(fake: FakePylon, index: int = 0) -> dict[str, Any]:
    account: dict[str, Any] = list(fake.accounts.values())[index]
    return account


def _recording(**fields: Any) -> dict[str, Any]:
    """Return a valid ``POST /call-recordings`` body, changed by ``fields``."""
    body: dict[str, Any] = {
        "app_type": "custom_call_recorder",
        "start_time": "2026-01-05T10:00:00Z",
        "end_time": "2026-01-05T10:30:00Z",
        "participant_emails": "ann@elsewhere.example, api-user@example.com",
        "call_recording_messages": [
            {
                "speaker_email": "Ann@Elsewhere.example",
                "message_content": "Hello",
                "message_at_ms": 0,
            }
        ],
        "recording_id": "rec-1",
        "title": "Discovery",
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


async def test_call_recordings_are_made_read_changed_and_deleted() -> None:
    """A recording is stored with its duration and participants, updated, then gone."""
    fake, clock = _fake()
    account = _account(fake, 2)
    async with open_client(fake, validate=False) as client:
        made = (
            await _ok(client.post("/call-recordings", json=_recording(account_id=account["id"])))
        )["data"]
        got = (await _ok(client.get(f"/call-recordings/{made['id']}")))["data"]
        clock.advance(60)
        changed = (
            await _ok(
                client.patch(
                    f"/call-recordings/{made['id']}",
                    json={"account_id": "", "custom_fields": [{"slug": "stage", "value": "demo"}]},
                )
            )
        )["data"]
        deleted = await _ok(client.delete(f"/call-recordings/{made['id']}"))
        gone = await _status(client.get(f"/call-recordings/{made['id']}"))
    assert got == made
    assert made["account_id"] == account["id"]
    assert made["duration_ms"] == 30 * 60 * 1000
    assert made["participant_emails"] == ["ann@elsewhere.example", "api-user@example.com"]
    assert (made["external_id"], made["source"], made["summary"]) == (
        "rec-1",
        "custom_call_recorder",
        "",
    )
    assert "account_id" not in changed
    assert changed["custom_fields"] == {"stage": {"slug": "stage", "value": "demo"}}
    assert changed["updated_at"] > made["updated_at"]
    assert list(deleted) == ["request_id"]
    assert gone == 404
    assert made["id"] not in fake.state.call_recordings


async def test_the_account_is_matched_from_a_participant_outside_the_organization() -> None:
    """Without account_id a customer domain picks the account; the organization's is skipped."""
    fake, _ = _fake()
    account = _account(fake, 3)
    customer = f"ceo@{account['domains'][0]}"
    async with open_client(fake, validate=False) as client:
        matched = await _ok(
            client.post(
                "/call-recordings",
                json=_recording(
                    participant_emails="api-user@example.com",
                    primary_user_email=customer.upper(),
                    call_recording_messages=[{"speaker_email": customer, "message_content": "Hi"}],
                ),
            )
        )
        internal = await _ok(
            client.post(
                "/call-recordings",
                json=_recording(
                    recording_id="rec-2",
                    participant_emails="api-user@example.com",
                    call_recording_messages=[
                        {"speaker_name": "Support rep", "message_content": "Hi"}
                    ],
                ),
            )
        )
    assert matched["data"]["account_id"] == account["id"]
    assert matched["data"]["participant_emails"] == ["api-user@example.com", customer.upper()]
    assert "account_id" not in internal["data"]


async def test_a_recording_id_sent_again_answers_the_first_recording_unchanged() -> None:
    """Pylon deduplicates on recording_id and app_type: the second create changes nothing."""
    fake, _ = _fake()
    async with open_client(fake, validate=False) as client:
        first = await _ok(client.post("/call-recordings", json=_recording()))
        again = await _ok(client.post("/call-recordings", json=_recording(title="Other")))
        unnamed = [
            (await _ok(client.post("/call-recordings", json=_recording(recording_id=None))))["data"]
            for _ in range(2)
        ]
    assert again["data"] == first["data"]
    assert unnamed[0] == unnamed[1]
    assert unnamed[0]["external_id"] == ""
    assert len(fake.state.call_recordings) == 2 + 2  # the two seeded ones, then these two


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param({"app_type": "zoom"}, "app_type", id="app-type"),
        pytest.param({"start_time": None}, "start_time is required", id="no-start"),
        pytest.param({"end_time": "yesterday"}, "end_time must be", id="bad-end"),
        pytest.param({"end_time": "2026-01-05T09:00:00Z"}, "before start_time", id="backwards"),
        pytest.param({"call_recording_messages": []}, "at least one", id="no-messages"),
        pytest.param(
            {"call_recording_messages": [{"speaker_name": "A", "message_content": " "}]},
            "message_content must not be empty",
            id="empty-content",
        ),
        pytest.param(
            {"call_recording_messages": [{"message_content": "Hi"}]},
            "speaker_email, speaker_name or both",
            id="no-speaker",
        ),
        pytest.param(
            {
                "call_recording_messages": [
                    {"speaker_email": "x@y.example", "message_content": "Hi"}
                ]
            },
            "not one of the participants",
            id="stranger",
        ),
        pytest.param(
            {
                "call_recording_messages": [
                    {"speaker_name": "A", "message_content": "Hi", "message_at_ms": -5}
                ]
            },
            "zero or greater",
            id="negative-offset",
        ),
        pytest.param({"recording_url": "https://x.example/" + "a" * 250}, "255", id="long-url"),
        pytest.param({"account_id": "ghost"}, "no account", id="unknown-account"),
        pytest.param(
            {"custom_fields": [{"slug": "stage", "value": "a", "values": ["b"]}]},
            "both value and values",
            id="value-and-values",
        ),
    ],
)
async def test_a_bad_call_recording_is_refused(fields: dict[str, Any], message: str) -> None:
    """Every rule usepylon states for a new call recording is a 400 that names it."""
    fake, _ = _fake()
    before = dict(fake.state.call_recordings)
    async with open_client(fake, validate=False) as client:
        response = await client.post("/call-recordings", json=_recording(**fields))
    assert response.status_code == 400
    assert message in "; ".join(response.json()["errors"])
    assert fake.state.call_recordings == before


async def test_call_recordings_are_searched_by_field_and_paged() -> None:
    """Filters on usepylon's fields and operators select; cursor and limit page; others are 400."""
    fake, _ = _fake()
    account = _account(fake)
    async with open_client(fake, validate=False) as client:
        for n in range(3):
            body = _recording(
                recording_id=f"r{n}", title=f"Weekly sync {n}", account_id=account["id"]
            )
            await _ok(client.post("/call-recordings", json=body))
        titled = {"field": "title", "operator": "string_contains", "value": "weekly"}
        first = await _ok(
            client.post("/call-recordings/search", json={"filter": titled, "limit": 2})
        )
        cursor = first["pagination"]["cursor"]
        rest = await _ok(
            client.post("/call-recordings/search", json={"filter": titled, "cursor": cursor})
        )
        gong = await _ok(
            client.post(
                "/call-recordings/search",
                json={"filter": {"field": "source", "operator": "in", "values": ["gong"]}},
            )
        )
        early = {
            "field": "start_time",
            "operator": "time_is_before",
            "value": "2026-01-01T00:00:00Z",
        }
        either = await _ok(
            client.post(
                "/call-recordings/search",
                json={
                    "filter": {
                        "operator": "and",
                        "subfilters": [early, {"field": "account_id", "operator": "is_set"}],
                    }
                },
            )
        )
        everything = await _ok(client.post("/call-recordings/search", json={}))
        refused = [
            await _status(client.post("/call-recordings/search", json=body))
            for body in (
                {"filter": {"field": "title", "operator": "starts_with", "value": "W"}},
                {"filter": {"field": "url", "operator": "equals", "value": "x"}},
                {"limit": 0},
                {"cursor": "not-a-cursor"},
            )
        ]
    assert [r["title"] for r in first["data"]] == ["Weekly sync 0", "Weekly sync 1"]
    assert first["pagination"]["has_next_page"] is True
    assert [r["title"] for r in rest["data"]] == ["Weekly sync 2"]
    assert rest["pagination"] == {"cursor": "", "has_next_page": False}
    assert [r["source"] for r in gong["data"]] == ["gong"]
    assert len(either["data"]) == 2  # the seeded demo calls, before 2026
    assert len(everything["data"]) == 5
    assert refused == [400, 400, 400, 400]


async def test_unknown_call_recordings_are_404() -> None:
    """Reading, changing or deleting a call recording that does not exist is a 404."""
    fake, _ = _fake()
    async with open_client(fake, validate=False) as client:
        statuses = [
            await _status(client.get("/call-recordings/ghost")),
            await _status(client.patch("/call-recordings/ghost", json={"account_id": ""})),
            await _status(client.delete("/call-recordings/ghost")),
        ]
    assert statuses == [404, 404, 404]


def _field(fake: FakePylon, slug: str) -> dict[str, Any]:
    field: dict[str, Any] = next(f for f in fake.state.custom_fields.values() if f["slug"] == slug)
    return field


async def test_select_options_are_added_changed_and_removed_on_the_field() -> None:
    """Options change the stored field; a new slug or a deletion reaches the values held."""
    fake, clock = _fake()
    tier = _field(fake, "tier")
    url = f"/custom-fields/{tier['id']}/select-options"
    gold, silver = _account(fake, 0), _account(fake, 1)
    gold["custom_fields"]["tier"] = {"slug": "tier", "value": "gold"}
    silver["custom_fields"]["tier"] = {"slug": "tier", "value": "silver"}
    async with open_client(fake, validate=False) as client:
        made = await _ok(
            client.post(
                url, json={"label": "Platinum", "slug": "platinum", "ai_description": "Top"}
            )
        )
        clock.advance(60)
        renamed = await _ok(
            client.patch(
                url,
                params={"current_slug": "gold"},
                json={"slug": "gold_plus", "label": "Gold+", "ai_description": "Second"},
            )
        )
        cleared = await _ok(
            client.patch(url, params={"current_slug": "gold_plus"}, json={"ai_description": ""})
        )
        removed = await _ok(client.delete(url, params={"current_slug": "silver"}))
    assert made["data"] == {"label": "Platinum", "slug": "platinum", "ai_description": "Top"}
    assert renamed["data"] == {"label": "Gold+", "slug": "gold_plus", "ai_description": "Second"}
    assert cleared["data"] == {"label": "Gold+", "slug": "gold_plus"}
    assert removed["data"] == {"success": True}
    options = [o["slug"] for o in tier["select_metadata"]["options"]]
    assert options == ["gold_plus", "bronze", "platinum"]
    assert gold["custom_fields"]["tier"] == {"slug": "tier", "value": "gold_plus"}
    assert "tier" not in silver["custom_fields"]
    assert tier["updated_at"] == "2026-01-01T00:01:00Z"


async def test_a_multiselect_value_loses_only_the_deleted_option() -> None:
    """Deleting an option takes it out of a multiselect's values and keeps the rest."""
    fake, _ = _fake()
    async with open_client(fake, validate=False) as client:
        field = await _ok(
            client.post(
                "/custom-fields",
                json={
                    "label": "Regions",
                    "object_type": "issue",
                    "type": "multiselect",
                    "select_options": [{"label": "EU"}, {"label": "US"}],
                },
            )
        )
        issue = next(iter(fake.issues.values()))
        issue["custom_fields"]["regions"] = {"slug": "regions", "values": ["eu", "us"]}
        url = f"/custom-fields/{field['data']['id']}/select-options"
        await _ok(client.delete(url, params={"current_slug": "eu"}))
        await _ok(client.delete(url, params={"current_slug": "us"}))
        await _ok(client.post(url, json={"label": "EU", "slug": "eu"}))
    assert "regions" not in issue["custom_fields"]
    assert fake.state.custom_fields[field["data"]["id"]]["select_metadata"]["options"] == [
        {"label": "EU", "slug": "eu"}
    ]


async def test_bad_select_option_calls_are_refused() -> None:
    """Unknown fields and options are 404; a text field, a taken slug or no current_slug, 400."""
    fake, _ = _fake()
    tier = _field(fake, "tier")
    url = f"/custom-fields/{tier['id']}/select-options"
    async with open_client(fake, validate=False) as client:
        text = await _ok(
            client.post(
                "/custom-fields", json={"label": "Notes", "object_type": "account", "type": "text"}
            )
        )
        text_url = f"/custom-fields/{text['data']['id']}/select-options"
        statuses = [
            await _status(
                client.post("/custom-fields/ghost/select-options", json={"label": "A", "slug": "a"})
            ),
            await _status(client.patch(url, params={"current_slug": "ghost"}, json={"label": "A"})),
            await _status(client.delete(url, params={"current_slug": "ghost"})),
            await _status(client.post(text_url, json={"label": "A", "slug": "a"})),
            await _status(client.post(url, json={"label": "Gold again", "slug": "gold"})),
            await _status(client.post(url, json={"label": "No slug"})),
            await _status(
                client.patch(url, params={"current_slug": "gold"}, json={"slug": "silver"})
            ),
            await _status(client.patch(url, json={"label": "A"})),
            await _status(client.delete(url)),
        ]
    assert statuses == [404, 404, 404, 400, 400, 400, 400, 400, 400]
    assert [o["slug"] for o in tier["select_metadata"]["options"]] == ["gold", "silver", "bronze"]


async def test_feature_requests_are_created_with_evidence_added() -> None:
    """A new request is ``new``; each evidence record counts and shows on the request."""
    fake, clock = _fake()
    account = _account(fake)
    async with open_client(fake, validate=False) as client:
        made = (
            await _ok(
                client.post("/feature-requests", json={"title": "Exports", "description": "CSV"})
            )
        )["data"]
        auto = (
            await _ok(
                client.post(
                    "/feature-requests",
                    json={"title": "SSO", "description": "x", "should_auto_fetch_evidence": True},
                )
            )
        )["data"]
        clock.advance(60)
        url = f"/feature-requests/{made['id']}/evidence"
        first = (await _ok(client.post(url, json={"account_id": account["id"]})))["data"]
        second = (
            await _ok(
                client.post(url, json={"account_id": account["id"], "summary": "Asked twice"})
            )
        )["data"]
        read = (await _ok(client.get(f"/feature-requests/{made['id']}?fetch_evidence=true")))[
            "data"
        ]
        refused = [
            await _status(client.post(url, json={})),
            await _status(client.post(url, json={"account_id": "ghost"})),
            await _status(
                client.post("/feature-requests/ghost/evidence", json={"account_id": account["id"]})
            ),
            await _status(client.post("/feature-requests", json={"description": "untitled"})),
        ]
    assert (made["request_status"], made["evidence_count"], made["description"]) == (
        "new",
        0,
        "CSV",
    )
    assert auto["description"] == ""
    assert first["summary"] == "Account manually linked via API."
    assert (first["source_type"], first["account_id"]) == ("manual", account["id"])
    assert second["id"] != first["id"]
    assert read["evidence_count"] == 2
    assert [e["id"] for e in read["evidence"]] == [first["id"], second["id"]]
    assert read["updated_at"] > made["updated_at"]
    assert refused == [400, 400, 404, 400]


async def test_merged_feature_requests_give_their_evidence_and_links_and_are_archived() -> None:
    """The survivor takes every evidence record and external issue once; the others archive."""
    fake, _ = _fake()
    account = _account(fake)
    async with open_client(fake, validate=False) as client:
        ids = []
        for title in ("Target", "One", "Two"):
            made = await _ok(client.post("/feature-requests", json={"title": title}))
            ids.append(made["data"]["id"])
            await _ok(
                client.post(
                    f"/feature-requests/{ids[-1]}/evidence", json={"account_id": account["id"]}
                )
            )
            link = {"external_issue_id": "ENG-1", "source": "linear"}
            await _ok(client.post(f"/feature-requests/{ids[-1]}/external-issues", json=link))
        await _ok(
            client.post(
                f"/feature-requests/{ids[2]}/external-issues",
                json={"external_issue_id": "42", "source": "github"},
            )
        )
        target, *merged = ids
        survivor = await _ok(
            client.post(
                "/feature-requests/merge",
                json={"merge_into_feature_request_id": target, "merge_feature_request_ids": merged},
            )
        )
    data = survivor["data"]
    assert data["id"] == target
    assert data["evidence_count"] == 3
    assert len(fake.state.feature_request_evidence[target]) == 3
    assert [(e["external_id"], e["source"]) for e in data["external_issues"]] == [
        ("ENG-1", "linear"),
        ("42", "github"),
    ]
    for merged_id in merged:
        archived = fake.state.feature_requests[merged_id]
        assert (archived["request_status"], archived["evidence_count"]) == ("archived", 0)
        assert archived["external_issues"] == []
        assert fake.state.feature_request_evidence[merged_id] == []


@pytest.mark.parametrize(
    ("body", "status"),
    [
        pytest.param({"merge_feature_request_ids": ["B"]}, 400, id="no-target"),
        pytest.param(
            {"merge_into_feature_request_id": "A", "merge_feature_request_ids": []}, 400, id="none"
        ),
        pytest.param(
            {"merge_into_feature_request_id": "A", "merge_feature_request_ids": ["A"]},
            400,
            id="self",
        ),
        pytest.param(
            {"merge_into_feature_request_id": "A", "merge_feature_request_ids": ["B", "B"]},
            400,
            id="twice",
        ),
        pytest.param(
            {
                "merge_into_feature_request_id": "A",
                "merge_feature_request_ids": [f"x{i}" for i in range(101)],
            },
            400,
            id="too-many",
        ),
        pytest.param(
            {"merge_into_feature_request_id": "ghost", "merge_feature_request_ids": ["B"]},
            404,
            id="no-survivor",
        ),
        pytest.param(
            {"merge_into_feature_request_id": "A", "merge_feature_request_ids": ["B", "ghost"]},
            404,
            id="unknown",
        ),
    ],
)
async def test_a_bad_merge_changes_nothing(body: dict[str, Any], status: int) -> None:
    """Every id is checked before the merge starts: a refused merge leaves all as it was."""
    fake, _ = _fake()
    async with open_client(fake, validate=False) as client:
        made = {
            name: (await _ok(client.post("/feature-requests", json={"title": name})))["data"]["id"]
            for name in ("A", "B")
        }
        named = {
            k: [made.get(i, i) for i in v] if isinstance(v, list) else made.get(v, v)
            for k, v in body.items()
        }
        before = json.dumps(fake.state.feature_requests, sort_keys=True)
        response = await client.post("/feature-requests/merge", json=named)
    assert response.status_code == status, response.text
    assert json.dumps(fake.state.feature_requests, sort_keys=True) == before


async def test_external_issues_are_linked_once_and_unlinked() -> None:
    """Linking twice is one link and no change; unlinking removes it; bad input is a 400."""
    fake, clock = _fake()
    async with open_client(fake, validate=False) as client:
        made = (await _ok(client.post("/feature-requests", json={"title": "Webhooks"})))["data"]
        url = f"/feature-requests/{made['id']}/external-issues"
        clock.advance(60)
        link = {"external_issue_id": "ENG-7", "source": "jira"}
        linked = (await _ok(client.post(url, json=link)))["data"]
        clock.advance(60)
        again = (await _ok(client.post(url, json={**link, "operation": "link"})))["data"]
        unlinked = (await _ok(client.post(url, json={**link, "operation": "unlink"})))["data"]
        refused = [
            await _status(client.post(url, json={**link, "operation": "toggle"})),
            await _status(client.post(url, json={"source": "jira"})),
            await _status(client.post("/feature-requests/ghost/external-issues", json=link)),
        ]
    assert [(e["external_id"], e["source"]) for e in linked["external_issues"]] == [
        ("ENG-7", "jira")
    ]
    assert linked["external_issues"][0]["link"].startswith("https://")
    assert again["updated_at"] == linked["updated_at"] > made["updated_at"]
    assert unlinked["external_issues"] == []
    assert unlinked["updated_at"] > linked["updated_at"]
    assert refused == [400, 400, 404]


async def test_portal_visibility_is_shown_and_hidden_per_account() -> None:
    """Accounts are added to and removed from the request's portal audience, idempotently."""
    fake, clock = _fake()
    one, two = _account(fake, 0)["id"], _account(fake, 1)["id"]
    async with open_client(fake, validate=False) as client:
        made = (await _ok(client.post("/feature-requests", json={"title": "Dark mode"})))["data"]
        url = f"/feature-requests/{made['id']}/set-portal-visibility"
        clock.advance(60)
        shown = (await _ok(client.post(url, json={"account_ids": [one, two], "visible": True})))[
            "data"
        ]
        clock.advance(60)
        again = (await _ok(client.post(url, json={"account_ids": [two], "visible": True})))["data"]
        hidden = (await _ok(client.post(url, json={"account_ids": [one], "visible": False})))[
            "data"
        ]
        refused = [
            await _status(client.post(url, json={"account_ids": ["ghost"], "visible": True})),
            await _status(client.post(url, json={"account_ids": [one]})),
            await _status(client.post(url, json={"visible": True})),
            await _status(
                client.post(
                    "/feature-requests/ghost/set-portal-visibility",
                    json={"account_ids": [], "visible": True},
                )
            ),
        ]
    assert made["portal_visible_to_account_ids"] == []
    assert shown["portal_visible_to_account_ids"] == [one, two]
    assert again["updated_at"] == shown["updated_at"]
    assert hidden["portal_visible_to_account_ids"] == [two]
    assert hidden["updated_at"] > shown["updated_at"]
    assert refused == [400, 400, 400, 404]


def _issue_ids(fake: FakePylon, count: int) -> list[str]:
    return [i for i, issue in fake.issues.items() if not issue["is_issue_group"]][:count]


async def test_an_issue_group_is_made_and_its_children_added_and_removed() -> None:
    """A group is an issue listing its children; each child names its group until removed."""
    fake, _ = _fake()
    a, b, c = _issue_ids(fake, 3)
    async with open_client(fake, validate=False) as client:
        group = (
            await _ok(
                client.post("/issue-groups", json={"title": "Outage", "child_issue_ids": [a, b, a]})
            )
        )["data"]
        url = f"/issue-groups/{group['id']}/children"
        added = await _ok(client.post(url, json={"child_issue_ids": [b, c]}))
        read = (await _ok(client.get(f"/issues/{group['id']}")))["data"]
        child = (await _ok(client.get(f"/issues/{c}")))["data"]
        removed = await _ok(client.delete(f"{url}/{a}"))
    assert group["is_issue_group"] is True
    assert group["title"] == "Outage"
    assert [k["id"] for k in group["child_issues"]] == [a, b]
    assert added == {"success": True, "request_id": added["request_id"]}
    assert [k["id"] for k in read["child_issues"]] == [a, b, c]
    assert child["parent_issue_group"] == {
        "id": group["id"],
        "number": group["number"],
        "title": "Outage",
    }
    assert removed["success"] is True
    assert [k["id"] for k in fake.issues[group["id"]]["child_issues"]] == [b, c]
    assert "parent_issue_group" not in fake.issues[a]


async def test_bad_issue_group_calls_are_refused_and_change_nothing() -> None:
    """Unknown ids are 404, groups as children 400, a child of another group or the last 409."""
    fake, _ = _fake()
    a, b, c = _issue_ids(fake, 3)
    async with open_client(fake, validate=False) as client:
        one = (
            await _ok(client.post("/issue-groups", json={"title": "One", "child_issue_ids": [a]}))
        )["data"]
        two = (
            await _ok(client.post("/issue-groups", json={"title": "Two", "child_issue_ids": [b]}))
        )["data"]
        before = json.dumps(fake.state.issues, sort_keys=True)
        children = f"/issue-groups/{one['id']}/children"
        statuses = [
            await _status(client.post("/issue-groups", json={"title": "X", "child_issue_ids": []})),
            await _status(client.post("/issue-groups", json={"child_issue_ids": [c]})),
            await _status(
                client.post("/issue-groups", json={"title": "X", "child_issue_ids": [c, "ghost"]})
            ),
            await _status(
                client.post("/issue-groups", json={"title": "X", "child_issue_ids": [c, b]})
            ),
            await _status(client.post(children, json={"child_issue_ids": [two["id"]]})),
            await _status(client.post(children, json={"child_issue_ids": [c, b]})),
            await _status(
                client.post(f"/issue-groups/{c}/children", json={"child_issue_ids": [a]})
            ),
            await _status(
                client.post("/issue-groups/ghost/children", json={"child_issue_ids": [c]})
            ),
            await _status(client.delete(f"{children}/{b}")),
            await _status(client.delete(f"{children}/{a}")),
        ]
        after = json.dumps(fake.state.issues, sort_keys=True)
    assert statuses == [400, 400, 404, 409, 400, 409, 404, 404, 404, 409]
    assert after == before


def _schemas() -> dict[str, Any]:
    """Return the fragment's schemas, each one Pylon's document also has overlaid by Pylon's.

    A shared schema keeps the fragment's fields and takes Pylon's where both give one; its
    required fields are both documents' and those usepylon marks (``fake_harness.REQUIRED``).
    """
    fragment: dict[str, Any] = yaml.safe_load(FRAGMENT.read_text())["components"]["schemas"]
    official: dict[str, Any] = json.loads(OFFICIAL.read_text())["components"]["schemas"]
    out = dict(official)
    for name, schema in fragment.items():
        theirs = official.get(name, {})
        required = {
            *schema.get("required", ()),
            *theirs.get("required", ()),
            *REQUIRED.get(name, ()),
        }
        merged = {**schema, **theirs}
        merged["properties"] = {**schema.get("properties", {}), **theirs.get("properties", {})}
        if required:
            merged["required"] = sorted(required)
        out[name] = merged
    return out


def _response_schema(method: str, template: str) -> dict[str, Any]:
    operation = yaml.safe_load(FRAGMENT.read_text())["paths"][template][method.lower()]
    schema: dict[str, Any] = operation["responses"]["200"]["content"]["application/json"]["schema"]
    return schema


async def test_every_answer_has_the_shape_the_document_gives() -> None:
    """Each operation's 200 validates against its response schema in the document."""
    fake, _ = _fake()
    async with open_client(fake, validate=False) as client:
        answers = await sdk_answers(client, fake, walk_sdk_records, _res_sdk_records.ROUTES)
    defs = to_json_schema(_schemas())
    formats = jsonschema.FormatChecker(formats=())
    formats.checks("date-time")(lambda v: not isinstance(v, str) or parse_time(v) is not None)
    for method, template, body in answers:
        schema = {**to_json_schema(_response_schema(method, template)), "$defs": defs}
        jsonschema.Draft202012Validator(schema, format_checker=formats).validate(body)
    operations = {(m, t) for m, t, _ in _res_sdk_records.ROUTES}
    assert {(m, t) for m, t, _ in answers} == operations
    assert len(operations) == 16
