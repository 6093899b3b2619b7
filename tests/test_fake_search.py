"""Search filters: operators, nesting, the depth limit, search_text, and body cursors."""

from __future__ import annotations

from typing import Any

import pytest
from fake_harness import open_client

from pylon_client.testing import FakePylon


def _eq(field: str, value: Any) -> dict[str, Any]:
    return {"field": field, "operator": "equals", "value": value}


async def _tasks_fake() -> tuple[FakePylon, dict[str, str]]:
    """Return a fake with two accounts and five tasks named t0..t4, and its ids by name."""
    fake = FakePylon(seed=5)
    names: dict[str, str] = {}
    async with open_client(fake) as client:
        for name in ("A", "B"):
            body = {"name": name, "domains": [f"{name}.example"]}
            names[name] = (await client.post("/accounts", json=body)).json()["data"]["id"]
        specs = [
            ("t0", "A", "not_started", "2026-01-10T00:00:00Z"),
            ("t1", "A", "in_progress", "2026-02-10T00:00:00Z"),
            ("t2", "A", "completed", None),
            ("t3", "B", "completed", "2026-03-10T00:00:00Z"),
            ("t4", "B", "waiting_on_legal", None),
        ]
        for title, account, status, due in specs:
            body = {"title": title, "account_id": names[account], "status": status}
            if due:
                body["due_date"] = due
            names[title] = (await client.post("/tasks", json=body)).json()["data"]["id"]
    return fake, names


A_FILTER = {"field": "account_id", "operator": "equals", "value": "@A"}


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        pytest.param(_eq("status", "completed"), {"t2", "t3"}, id="equals"),
        pytest.param(
            {"field": "status", "operator": "not_equals", "value": "completed"},
            {"t0", "t1", "t4"},
            id="not_equals",
        ),
        pytest.param(
            {"field": "status", "operator": "in", "values": ["not_started", "waiting_on_legal"]},
            {"t0", "t4"},
            id="in",
        ),
        pytest.param(
            {"field": "status", "operator": "not_in", "values": ["completed"]},
            {"t0", "t1", "t4"},
            id="not_in",
        ),
        pytest.param(_eq("account_id", "@B"), {"t3", "t4"}, id="nested-ref"),
        pytest.param(
            {"field": "due_date", "operator": "time_is_before", "value": "2026-02-10T00:00:00Z"},
            {"t0"},
            id="time_is_before-strict",
        ),
        pytest.param(
            {"field": "due_date", "operator": "time_is_after", "value": "2026-02-01T00:00:00Z"},
            {"t1", "t3"},
            id="time_is_after",
        ),
        pytest.param(
            {
                "field": "due_date",
                "operator": "time_range",
                "values": ["2026-01-10T00:00:00Z", "2026-03-10T00:00:00Z"],
            },
            {"t0", "t1"},
            id="time_range-half-open",
        ),
        pytest.param({"field": "due_date", "operator": "is_unset"}, {"t2", "t4"}, id="is_unset"),
        pytest.param({"field": "due_date", "operator": "is_set"}, {"t0", "t1", "t3"}, id="is_set"),
        pytest.param(
            {
                "operator": "and",
                "subfilters": [
                    A_FILTER,
                    {
                        "operator": "or",
                        "subfilters": [
                            _eq("status", "completed"),
                            {
                                "field": "due_date",
                                "operator": "time_is_before",
                                "value": "2026-01-31T00:00:00Z",
                            },
                        ],
                    },
                ],
            },
            {"t0", "t2"},
            id="and-or-depth-3",
        ),
    ],
)
async def test_task_filters(flt: dict[str, Any], expected: set[str]) -> None:
    """Each operator selects the tasks Pylon's semantics say it should."""
    fake, names = await _tasks_fake()
    flt = _resolve(flt, names)
    async with open_client(fake) as client:
        response = await client.post("/tasks/search", json={"filter": flt})
    assert response.status_code == 200, response.text
    assert {t["title"] for t in response.json()["data"]} == expected


def _resolve(node: Any, names: dict[str, str]) -> Any:
    """Replace "@A"-style placeholders with the ids of the objects so named."""
    if isinstance(node, dict):
        return {k: _resolve(v, names) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, names) for v in node]
    if isinstance(node, str) and node.startswith("@"):
        return names[node[1:]]
    return node


def _nest(depth: int) -> dict[str, Any]:
    node: dict[str, Any] = _eq("status", "completed")
    for _ in range(depth - 1):
        node = {"operator": "and", "subfilters": [node]}
    return node


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("flt", "message"),
    [
        pytest.param(_nest(4), "more than 3 levels deep", id="depth-4"),
        pytest.param(_eq("colour", "red"), "unknown filter field 'colour'", id="unknown-field"),
        pytest.param(
            {"field": "status", "operator": "resembles", "value": "x"},
            "unknown filter operator",
            id="unknown-operator",
        ),
        pytest.param(
            {"field": "status", "operator": "in", "value": "completed"},
            "needs a non-empty values array",
            id="in-with-value",
        ),
        pytest.param({"field": "status", "operator": "equals"}, "needs a value", id="no-value"),
        pytest.param({"operator": "or", "subfilters": []}, "non-empty subfilters", id="empty-or"),
        pytest.param(
            {"field": "due_date", "operator": "time_is_after", "value": "soon"},
            "RFC 3339",
            id="bad-time",
        ),
        pytest.param("status = completed", "filter must be an object", id="not-an-object"),
    ],
)
async def test_bad_filters_are_400(flt: Any, message: str) -> None:
    """A malformed or too deep filter is 400 invalid_request_body with a reason."""
    async with open_client(FakePylon(seed=1)) as client:
        response = await client.post("/tasks/search", json={"filter": flt})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request_body"
    assert message in response.json()["errors"][0]


@pytest.mark.anyio
async def test_depth_three_is_accepted() -> None:
    """Exactly three levels, counting the top, is allowed."""
    async with open_client(FakePylon(seed=1)) as client:
        response = await client.post("/tasks/search", json={"filter": _nest(3)})
    assert response.status_code == 200


@pytest.mark.anyio
async def test_issue_search_text_intersects_the_filter() -> None:
    """``search_text`` (case-insensitive, on the title) narrows the filter's matches."""
    fake = FakePylon(seed=1)
    async with open_client(fake) as client:
        for title, tags in (("Login fails", ["bug"]), ("login slow", []), ("Billing", ["bug"])):
            body: dict[str, Any] = {"title": title, "body_html": "<p>.</p>", "tags": tags}
            await client.post("/issues", json=body)
        flt = {"field": "tags", "operator": "contains", "value": "bug"}
        body = {"filter": flt, "search_text": "LOGIN"}
        response = await client.post("/issues/search", json=body)
    assert [i["title"] for i in response.json()["data"]] == ["Login fails"]


@pytest.mark.anyio
async def test_account_search_by_name_and_tags() -> None:
    """Account search takes ``search_text`` on the name and ``includes_all_of`` on tags."""
    fake = FakePylon(seed=1)
    async with open_client(fake) as client:
        for i, tags in enumerate((["vip", "smb"], ["vip"], ["vip", "smb"])):
            body = {"name": f"Acme {i}", "domains": [f"acme{i}.example"], "tags": tags}
            await client.post("/accounts", json=body)
        flt = {"field": "tags", "operator": "includes_all_of", "values": ["vip", "smb"]}
        response = await client.post(
            "/accounts/search", json={"filter": flt, "search_text": "acme 2"}
        )
    assert [a["name"] for a in response.json()["data"]] == ["Acme 2"]


@pytest.mark.anyio
async def test_search_pages_with_a_body_cursor() -> None:
    """Search pages through ``cursor`` and ``limit`` in the JSON body."""
    fake, _ = await _tasks_fake()
    seen: list[str] = []
    async with open_client(fake) as client:
        body: dict[str, Any] = {"limit": 2}
        while True:
            page = (await client.post("/tasks/search", json=body)).json()
            seen += [t["title"] for t in page["data"]]
            if not page["pagination"]["has_next_page"]:
                break
            body["cursor"] = page["pagination"]["cursor"]
    assert seen == ["t0", "t1", "t2", "t3", "t4"]
