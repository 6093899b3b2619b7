"""Tests of ``_client.pagination``: where listings end, cursors, limits, pages and items."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from harness import Api, complete, connect, reply, task_body

from pylon_client import Page, PylonInputError, ResponseValidationError
from pylon_client._client.pagination import AsyncPaginator
from pylon_client._generated._endpoints import ENDPOINTS, Endpoint
from pylon_client._generated._resources import PageData
from pylon_client._generated.models import Task, Team, User

LIST_TASKS = ENDPOINTS["GET /tasks"]


class Pages:
    """A ``fetch`` for AsyncPaginator that plays ``PageData`` in order and records what it got."""

    def __init__(self, *pages: PageData) -> None:
        self.pages = list(pages)
        self.calls: list[dict[str, Any] | None] = []

    async def __call__(
        self,
        endpoint: Endpoint,
        path: str,
        params: dict[str, Any] | None,
        json: dict[str, Any] | None,
    ) -> PageData:
        """Record the query and return the next page."""
        self.calls.append(params)
        return self.pages.pop(0)


def data(*items: str, cursor: str | None, more: bool | None, paged: bool = True) -> PageData:
    """A parsed page of ``items`` with the given pagination."""
    return PageData(list(items), cursor, more, f"req_{len(items)}", paged)


NEVER = data("never", cursor=None, more=False)


@pytest.mark.parametrize(
    ("last", "fetches"),
    [
        pytest.param(data("b", cursor="c2", more=False), 2, id="has-next-page-false"),
        pytest.param(data("b", cursor="", more=True), 2, id="empty-cursor"),
        pytest.param(data("b", cursor=None, more=True), 2, id="null-cursor"),
        pytest.param(data("b", cursor="c2", more=None, paged=False), 2, id="no-pagination"),
        pytest.param(data(cursor="c2", more=True), 3, id="empty-page-goes-on"),
        pytest.param(data("b", cursor="c2", more=None), 3, id="has-next-page-missing-goes-on"),
    ],
)
@pytest.mark.anyio
async def test_paginator_end_of_pages_rules(last: PageData, fetches: int) -> None:
    """has_next_page false or an empty cursor ends a listing; an empty page alone never does."""
    fetch = Pages(data("a", cursor="c1", more=True), last, NEVER)
    paginator: AsyncPaginator[str] = AsyncPaginator(fetch, LIST_TASKS, "/tasks")
    items = await paginator.collect()
    assert len(fetch.calls) == fetches
    assert paginator.cursor is None
    assert items[: 1 + len(last.items)] == ["a", *last.items]


@pytest.mark.anyio
async def test_paginator_sends_limit_and_cursor_in_the_query() -> None:
    """A query-paged endpoint gets limit on every page and the cursor from the second on."""
    fetch = Pages(data("a", cursor="c1", more=True), data("b", cursor=None, more=False))
    paginator: AsyncPaginator[str] = AsyncPaginator(fetch, LIST_TASKS, "/tasks", limit=5)
    assert await paginator.collect() == ["a", "b"]
    assert fetch.calls == [{"limit": 5}, {"limit": 5, "cursor": "c1"}]


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"max_items": -1}, id="negative-max-items"),
        pytest.param({"max_items": True}, id="bool-max-items"),
        pytest.param({"cursor": ""}, id="empty-cursor"),
        pytest.param({"limit": 0}, id="zero-limit"),
    ],
)
def test_paginator_refuses_bad_options_before_fetching(kwargs: dict[str, Any]) -> None:
    """Bad max_items, cursor or limit raise PylonInputError when the paginator is made."""
    fetch = Pages()
    with pytest.raises(PylonInputError):
        AsyncPaginator(fetch, LIST_TASKS, "/tasks", **kwargs)
    assert fetch.calls == []


def test_page_repr_shows_size_and_position() -> None:
    """A Page's repr gives its item count, has_next_page, cursor and request id."""
    page = Page(["a", "b"], "c1", True, "req_1")
    assert repr(page) == "Page(items=2, has_next_page=True, cursor='c1', request_id='req_1')"


def page(*ids: str, cursor: str | None = None, more: bool | None = None) -> httpx.Response:
    """A 200 list page; ``more=None`` leaves pagination out entirely."""
    payload: dict[str, Any] = {"data": [task_body(i) for i in ids], "request_id": f"req_{len(ids)}"}
    if more is not None:
        payload["pagination"] = {"cursor": cursor, "has_next_page": more}
    return reply(200, payload)


def cursors(api: Api) -> list[str | None]:
    """The cursor each GET /tasks request sent."""
    return [r.url.params.get("cursor") for r in api.requests]


@pytest.mark.anyio
async def test_zero_items_and_no_next_page_is_one_request() -> None:
    """An empty first page with has_next_page false ends the listing."""
    api = Api(page(cursor=None, more=False))
    async with connect(api) as pylon:
        assert await pylon.tasks.list().collect() == []
    assert len(api.requests) == 1


@pytest.mark.anyio
async def test_empty_page_in_the_middle_does_not_stop_the_listing() -> None:
    """An empty page that says there is a next page is followed."""
    api = Api(
        page("t1", cursor="c1", more=True),
        page(cursor="c2", more=True),
        page("t2", cursor=None, more=False),
    )
    async with connect(api) as pylon:
        tasks = await pylon.tasks.list().collect()
    assert [t.id for t in tasks] == ["t1", "t2"]
    assert cursors(api) == [None, "c1", "c2"]


@pytest.mark.parametrize(
    "last",
    [
        pytest.param(page("t2", cursor="", more=True), id="empty-cursor"),
        pytest.param(page("t2", cursor=None, more=True), id="null-cursor"),
        pytest.param(page("t2"), id="no-pagination"),
        pytest.param(page("t2", cursor="c9", more=False), id="has-next-page-false"),
    ],
)
@pytest.mark.anyio
async def test_listing_stops_at_a_page_that_cannot_be_followed(last: httpx.Response) -> None:
    """An empty or missing cursor, a missing pagination, or has_next_page false ends it."""
    api = Api(page("t1", cursor="c1", more=True), last, page("never"))
    async with connect(api) as pylon:
        tasks = await pylon.tasks.list().collect()
    assert [t.id for t in tasks] == ["t1", "t2"]
    assert len(api.requests) == 2


@pytest.mark.parametrize(
    "replies",
    [
        pytest.param(
            (page("t1", cursor="c1", more=True), page("t2", cursor="c1", more=True)), id="same"
        ),
        pytest.param(
            (
                page("t1", cursor="c1", more=True),
                page("t2", cursor="c2", more=True),
                page("t3", cursor="c1", more=True),
            ),
            id="cycle",
        ),
    ],
)
@pytest.mark.anyio
async def test_repeated_cursor_is_a_response_validation_error(
    replies: tuple[httpx.Response, ...],
) -> None:
    """A cursor handed out twice raises ResponseValidationError instead of looping."""
    api = Api(*replies, page("never"))
    async with connect(api) as pylon:
        with pytest.raises(ResponseValidationError, match="already returned"):
            await pylon.tasks.list().collect()
    assert len(api.requests) == len(replies)


@pytest.mark.anyio
async def test_cursor_resumes_a_listing() -> None:
    """cursor= sends the saved cursor with the first request."""
    api = Api(page("t5", cursor=None, more=False))
    async with connect(api) as pylon:
        tasks = await pylon.tasks.list(cursor="c4", limit=10).collect()
    assert [t.id for t in tasks] == ["t5"]
    assert [dict(r.url.params) for r in api.requests] == [{"cursor": "c4", "limit": "10"}]


@pytest.mark.anyio
async def test_paginator_cursor_is_the_resume_point_after_a_break() -> None:
    """After leaving a loop early, paginator.cursor is the next page's cursor."""
    api = Api(page("t1", "t2", cursor="c1", more=True), page("t3", cursor=None, more=False))
    async with connect(api) as pylon:
        paginator = pylon.tasks.list()
        async for _ in paginator:
            break
        assert paginator.cursor == "c1"
        rest = await pylon.tasks.list(cursor=paginator.cursor).collect()
    assert [t.id for t in rest] == ["t3"]
    assert cursors(api) == [None, "c1"]


@pytest.mark.parametrize(
    ("max_items", "expected"),
    [
        pytest.param(0, [], id="zero"),
        pytest.param(2, ["t1", "t2"], id="inside-first-page"),
        pytest.param(3, ["t1", "t2", "t3"], id="exactly-first-page"),
    ],
)
@pytest.mark.anyio
async def test_max_items_stops_without_an_extra_request(
    max_items: int, expected: list[str]
) -> None:
    """max_items ends the listing early and never fetches a page it does not need."""
    api = Api(page("t1", "t2", "t3", cursor="c1", more=True), page("t4", more=False))
    async with connect(api) as pylon:
        tasks = await pylon.tasks.list(max_items=max_items).collect()
    assert [t.id for t in tasks] == expected
    assert len(api.requests) == (1 if max_items else 0)


@pytest.mark.anyio
async def test_pages_yield_page_objects() -> None:
    """.pages() yields Page objects with items, cursor, has_next_page and request_id."""
    api = Api(page("t1", "t2", cursor="c1", more=True), page("t3", cursor=None, more=False))
    async with connect(api) as pylon:
        pages = [p async for p in pylon.tasks.list().pages()]
    assert all(isinstance(p, Page) for p in pages)
    assert [[t.id for t in p.items] for p in pages] == [["t1", "t2"], ["t3"]]
    assert [p.cursor for p in pages] == ["c1", None]
    assert [p.has_next_page for p in pages] == [True, False]
    assert [p.request_id for p in pages] == ["req_2", "req_1"]


@pytest.mark.anyio
async def test_collect_gathers_every_item_in_order() -> None:
    """.collect() returns the items of every page as Task models, in order."""
    api = Api(page("t1", cursor="c1", more=True), page("t2", "t3", more=False))
    async with connect(api) as pylon:
        tasks = await pylon.tasks.list().collect()
    assert [t.id for t in tasks] == ["t1", "t2", "t3"]
    assert all(isinstance(t, Task) for t in tasks)


@pytest.mark.parametrize(
    "limit",
    [
        pytest.param(0, id="zero"),
        pytest.param(-1, id="negative"),
        pytest.param(1000, id="above-999"),
        pytest.param(True, id="bool"),
        pytest.param("50", id="string"),
        pytest.param(2.5, id="float"),
    ],
)
@pytest.mark.anyio
async def test_bad_limit_raises_input_error_before_any_request(limit: Any) -> None:
    """GET /tasks allows limit 1..999 as an int; anything else fails before sending."""
    api = Api(page("t1", more=False))
    async with connect(api) as pylon:
        with pytest.raises(PylonInputError, match="limit"):
            await pylon.tasks.list(limit=limit).collect()
    assert api.requests == []


@pytest.mark.parametrize("limit", [pytest.param(1, id="one"), pytest.param(999, id="max")])
@pytest.mark.anyio
async def test_limit_bounds_are_accepted(limit: int) -> None:
    """limit=1 and limit=999 are sent as they are."""
    api = Api(page("t1", more=False))
    async with connect(api) as pylon:
        await pylon.tasks.list(limit=limit).collect()
    assert api.last.url.params["limit"] == str(limit)


@pytest.mark.anyio
async def test_users_list_is_one_page_even_with_pagination() -> None:
    """GET /users takes no cursor: users.list() reads one page whatever the body says."""
    api = Api(
        reply(
            200,
            {
                "data": [complete(User, id="u1"), complete(User, id="u2")],
                "pagination": {"cursor": "c1", "has_next_page": True},
            },
        ),
        reply(200, {"data": [complete(User, id="u3")]}),
    )
    async with connect(api) as pylon:
        users = await pylon.users.list().collect()
    assert [u.id for u in users] == ["u1", "u2"]
    assert len(api.requests) == 1
    assert api.last.url.query == b""


@pytest.mark.anyio
async def test_teams_list_is_one_page_even_with_pagination() -> None:
    """GET /teams takes no cursor: teams.list() reads one page whatever the body says."""
    api = Api(
        reply(
            200,
            {
                "data": [complete(Team, id="tm1")],
                "pagination": {"cursor": "c1", "has_next_page": True},
            },
        ),
        reply(200, {"data": [complete(Team, id="tm2")]}),
    )
    async with connect(api) as pylon:
        teams = await pylon.teams.list().collect()
    assert [t.id for t in teams] == ["tm1"]
    assert len(api.requests) == 1
