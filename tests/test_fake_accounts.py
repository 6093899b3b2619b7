"""Bulk ``PATCH /accounts`` and ``POST /accounts/merge`` as Pylon documents them."""

from __future__ import annotations

from typing import Any

import pytest
from fake_harness import open_client

from pylon_client.testing import FakePylon


async def _make_accounts(fake: FakePylon, n: int, **fields: Any) -> list[str]:
    async with open_client(fake) as client:
        ids = []
        for i in range(n):
            body = {"name": f"Acct {i}", "domains": [f"a{i}.example"], **fields}
            ids.append((await client.post("/accounts", json=body)).json()["data"]["id"])
    return ids


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        pytest.param("append_only", ["vip", "smb", "new"], id="append_only"),
        pytest.param("remove_only", ["vip"], id="remove_only"),
        pytest.param("replace", ["smb", "new"], id="replace"),
        pytest.param(None, ["smb", "new"], id="default-is-replace"),
    ],
)
async def test_bulk_tags_follow_tags_apply_mode(mode: str | None, expected: list[str]) -> None:
    """``tags_apply_mode`` appends, removes, or replaces; replace is the default."""
    fake = FakePylon(seed=1)
    ids = await _make_accounts(fake, 3, tags=["vip", "smb"])
    body: dict[str, Any] = {"account_ids": ids[:2], "tags": ["smb", "new"]}
    if mode is not None:
        body["tags_apply_mode"] = mode
    async with open_client(fake) as client:
        response = await client.patch("/accounts", json=body)
    assert response.json() == {"success": True, "request_id": fake.requests[-1].request_id}
    assert [fake.accounts[i]["tags"] for i in ids[:2]] == [expected, expected]
    assert fake.accounts[ids[2]]["tags"] == ["vip", "smb"]


@pytest.mark.anyio
async def test_bulk_owner_type_disabled_and_custom_fields() -> None:
    """Owner, account type, is_disabled and custom fields apply to every listed account."""
    fake = FakePylon(seed=1)
    ids = await _make_accounts(fake, 2)
    owner = fake.state.me_user_id
    async with open_client(fake) as client:
        await client.patch(
            "/accounts",
            json={
                "account_ids": ids,
                "owner_id": owner,
                "account_type": "partner",
                "is_disabled": True,
                "custom_fields": [{"slug": "tier", "value": "gold"}],
            },
        )
        for account_id in ids:
            account = fake.accounts[account_id]
            assert account["owner"] == {"id": owner}
            assert (account["type"], account["is_disabled"]) == ("partner", True)
            assert account["custom_fields"]["tier"] == {"slug": "tier", "value": "gold"}
        await client.patch("/accounts", json={"account_ids": ids[:1], "owner_id": ""})
    assert "owner" not in fake.accounts[ids[0]]
    assert fake.accounts[ids[1]]["owner"] == {"id": owner}


@pytest.mark.anyio
@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"account_ids": "a"}, id="not-a-list"),
        pytest.param({"account_ids": ["ghost"]}, id="unknown-id"),
        pytest.param({"account_ids": ["x"], "account_type": "vendor"}, id="bad-type"),
        pytest.param({"account_ids": ["x"], "tags_apply_mode": "merge"}, id="bad-mode"),
        pytest.param({"tags": ["a"]}, id="no-ids"),
    ],
)
async def test_bulk_rejects_bad_bodies_without_changes(body: dict[str, Any]) -> None:
    """A bad bulk body is 400 and changes nothing."""
    fake = FakePylon(seed=1)
    ids = await _make_accounts(fake, 1)
    body = {k: ([ids[0]] if v == ["x"] else v) for k, v in body.items()}
    before = {k: dict(v) for k, v in fake.accounts.items()}
    async with open_client(fake) as client:
        response = await client.patch("/accounts", json=body)
    assert response.status_code == 400
    assert fake.accounts == before


@pytest.mark.anyio
async def test_merge_moves_children_and_drops_tags_and_custom_fields() -> None:
    """Merged accounts are deleted; their contacts move; tags and custom fields do not."""
    fake = FakePylon(seed=1)
    cf = [{"slug": "tier", "value": "gold"}]
    target, *merged = await _make_accounts(fake, 3, tags=["keep"], custom_fields=cf)
    async with open_client(fake) as client:
        await client.patch(
            "/accounts",
            json={"account_ids": merged, "tags": ["lost"], "tags_apply_mode": "replace"},
        )
        contact = (
            await client.post("/contacts", json={"name": "C", "account_id": merged[0]})
        ).json()["data"]
        response = await client.post(
            "/accounts/merge",
            json={"merge_into_account_id": target, "merge_account_ids": merged},
        )
    survivor = response.json()["data"]
    assert survivor["id"] == target
    assert survivor["tags"] == ["keep"]
    assert set(survivor["domains"]) == {"a0.example", "a1.example", "a2.example"}
    assert list(fake.accounts) == [target]
    assert fake.contacts[contact["id"]]["account"] == {"id": target}


@pytest.mark.anyio
async def test_merge_is_not_atomic() -> None:
    """An unknown id part-way is 404, and the merges before it stand."""
    fake = FakePylon(seed=1)
    target, first, last = await _make_accounts(fake, 3)
    async with open_client(fake) as client:
        response = await client.post(
            "/accounts/merge",
            json={"merge_into_account_id": target, "merge_account_ids": [first, "ghost", last]},
        )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert first not in fake.accounts
    assert last in fake.accounts


@pytest.mark.anyio
@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"merge_account_ids": ["x"]}, id="no-target"),
        pytest.param({"merge_into_account_id": "t", "merge_account_ids": ["t"]}, id="into-itself"),
        pytest.param(
            {"merge_into_account_id": "t", "merge_account_ids": ["x"] * 101}, id="101-ids"
        ),
    ],
)
async def test_merge_rejects_bad_bodies(body: dict[str, Any]) -> None:
    """A merge without a target, into itself, or of more than 100 accounts is 400."""
    async with open_client(FakePylon(seed=1)) as client:
        response = await client.post("/accounts/merge", json=body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request_body"
