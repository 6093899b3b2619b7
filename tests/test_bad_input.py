"""Bad input across the public surface: each case fails early with a PylonError, or is handled.

One table; each row is a call on a client built over a recording ``httpx.MockTransport``, what
it must give (an exception type, or "handled" with a check), and how many requests may leave.
Input mistakes are ``ValueError`` subclasses raised before anything is sent. Related single
cases already in ``tests/test_client.py`` (tokens, base URLs, limits of ``tasks.list``, wrong
types, nulls) are not repeated here beyond one row each, for the table's completeness.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import httpx
import pytest
from harness import Api, complete, connect, required_fields, task_body

from pylon_client import (
    AsyncPylon,
    BulkResult,
    InvalidFilterError,
    PylonConfigError,
    PylonError,
    PylonInputError,
    ResponseValidationError,
)
from pylon_client._generated.models import Account, Task

pytestmark = pytest.mark.anyio

START = datetime(2026, 1, 1, tzinfo=UTC)
NAIVE = datetime(2026, 1, 1)  # naive on purpose


def ok(data: Any) -> httpx.Response:
    """A 200 in Pylon's envelope."""
    return httpx.Response(200, json={"data": data, "request_id": "req_1"})


PAGE = httpx.Response(200, json={"data": [], "request_id": "req_1"})
SUCCESS = httpx.Response(200, json={"success": True, "request_id": "req_1"})


class Harness:
    """Builds clients over one recording MockTransport and closes them afterwards."""

    def __init__(self, reply: httpx.Response) -> None:
        self.api = Api(reply)
        self.requests = self.api.requests
        self.clients: list[AsyncPylon] = []

    def make(self, token: str | None = "tok", **kwargs: Any) -> AsyncPylon:  # noqa: S107
        """A client over the recording transport; ``kwargs`` override the defaults."""
        client = connect(self.api, token, **kwargs)
        self.clients.append(client)
        return client

    @property
    def pylon(self) -> AsyncPylon:
        """The default client (made on first use)."""
        return self.clients[0] if self.clients else self.make()

    async def close(self) -> None:
        """Close every client made."""
        for client in self.clients:
            await client.aclose()


Check = Callable[[Any, list[httpx.Request]], None]


@attrs.frozen
class Case:
    """One bad input: the call, what it must give, and how many requests may leave."""

    call: Callable[[Harness], Awaitable[Any]]
    raises: type[PylonError] | None = None
    check: Check | None = None
    sends: int = 0
    reply: httpx.Response = attrs.field(factory=lambda: ok(task_body()))


async def export(h: Harness, **kwargs: Any) -> list[Any]:
    """Run ``issues.list`` to the end."""
    kwargs.setdefault("start_time", START)
    kwargs.setdefault("end_time", START + timedelta(days=1))
    return await h.pylon.issues.list(**kwargs).collect()


async def update_many(h: Harness, ids: Any, **kwargs: Any) -> BulkResult:
    """Tag the accounts ``ids``."""
    return await h.pylon.accounts.update_many(ids, tags=["x"], **kwargs)


async def search(h: Harness, filter: Any) -> list[Any]:
    """Search tasks with ``filter``."""
    return await h.pylon.tasks.search(filter=filter).collect()


async def make(h: Harness, token: str | None = "tok", **kwargs: Any) -> AsyncPylon:  # noqa: S107
    """Build a client (the constructor is the call under test)."""
    return h.make(token, **kwargs)


def raw_path(expected: bytes) -> Check:
    """The one request went to exactly ``expected``, with no query string."""

    def check(result: Any, requests: list[httpx.Request]) -> None:
        assert requests[0].url.raw_path == expected
        assert requests[0].url.query == b""

    return check


def sent_ids(expected: list[str]) -> Check:
    """The one PATCH /accounts carried exactly ``expected`` and the result counts them once."""

    def check(result: Any, requests: list[httpx.Request]) -> None:
        import json

        assert json.loads(requests[0].content)["account_ids"] == expected
        assert isinstance(result, BulkResult)
        assert result.ok
        assert result.succeeded == expected

    return check


def attribute(name: str, expected: Any) -> Check:
    """The returned model's ``name`` is ``expected``."""

    def check(result: Any, requests: list[httpx.Request]) -> None:
        assert getattr(result, name) == expected

    return check


def all_none(result: Any, requests: list[httpx.Request]) -> None:
    """Every optional field of the returned Task is None."""
    assert isinstance(result, Task)
    required = required_fields(Task)
    for field in attrs.fields(Task):
        if field.init and field.name not in required:
            assert getattr(result, field.name) is None, field.name


def _all_null_task() -> dict[str, Any]:
    required = required_fields(Task)
    names = [f.name for f in attrs.fields(Task) if f.init and f.name not in required]
    return {**dict.fromkeys(names), **task_body()}


DEPTH_4 = {
    "operator": "and",
    "subfilters": [
        {
            "operator": "or",
            "subfilters": [
                {
                    "operator": "and",
                    "subfilters": [{"field": "status", "operator": "equals", "value": "x"}],
                }
            ],
        }
    ],
}

CASES = [
    # time ranges of issues.list
    pytest.param(Case(lambda h: export(h, start_time=NAIVE), PylonInputError), id="naive-start"),
    pytest.param(
        Case(lambda h: export(h, end_time=NAIVE + timedelta(days=1)), PylonInputError),
        id="naive-end",
    ),
    pytest.param(Case(lambda h: export(h, end_time=START), PylonInputError), id="end-equals-start"),
    pytest.param(
        Case(lambda h: export(h, end_time=START - timedelta(days=1)), PylonInputError),
        id="end-before-start",
    ),
    pytest.param(Case(lambda h: export(h, window=timedelta(0)), PylonInputError), id="window-zero"),
    pytest.param(
        Case(lambda h: export(h, window=timedelta(days=-1)), PylonInputError), id="window-negative"
    ),
    pytest.param(
        Case(lambda h: export(h, window=timedelta(days=31)), PylonInputError),
        id="window-over-max-30d",
    ),
    pytest.param(
        Case(lambda h: export(h, start_time="2026-01-01"), PylonInputError),
        id="start-as-string",
    ),
    pytest.param(Case(lambda h: export(h, concurrency=0), PylonInputError), id="concurrency-zero"),
    # page sizes
    pytest.param(
        Case(lambda h: h.pylon.tasks.list(limit=0).collect(), PylonInputError),
        id="tasks-list-limit-0",
    ),
    pytest.param(
        Case(lambda h: h.pylon.tasks.list(limit=-1).collect(), PylonInputError),
        id="tasks-list-limit-negative",
    ),
    pytest.param(
        Case(lambda h: h.pylon.tasks.list(limit=1000).collect(), PylonInputError),
        id="tasks-list-limit-1000",
    ),
    pytest.param(
        Case(lambda h: h.pylon.tasks.search(limit=1001).collect(), PylonInputError),
        id="tasks-search-limit-1001",
    ),
    pytest.param(
        Case(lambda h: h.pylon.accounts.search(limit=1001).collect(), PylonInputError),
        id="accounts-search-limit-1001",
    ),
    pytest.param(Case(lambda h: export(h, limit=20001), PylonInputError), id="issues-limit-20001"),
    pytest.param(
        Case(lambda h: h.pylon.tasks.list(limit=True).collect(), PylonInputError),
        id="limit-bool",
    ),
    pytest.param(
        Case(lambda h: h.pylon.tasks.list(max_items=-1).collect(), PylonInputError),
        id="max-items-negative",
    ),
    # bulk ids
    pytest.param(Case(lambda h: update_many(h, []), PylonInputError), id="update-many-empty"),
    pytest.param(
        Case(lambda h: update_many(h, ["a", "  "]), PylonInputError), id="update-many-blank-id"
    ),
    pytest.param(
        Case(lambda h: update_many(h, ["a", ""]), PylonInputError), id="update-many-empty-id"
    ),
    pytest.param(
        Case(
            lambda h: update_many(h, ["a", "b", "a", "b"]),
            check=sent_ids(["a", "b"]),
            sends=1,
            reply=SUCCESS,
        ),
        id="update-many-duplicates-handled-deduplicated",
    ),
    pytest.param(
        Case(lambda h: update_many(h, ["a", 5]), PylonInputError), id="update-many-int-id"
    ),
    pytest.param(
        Case(lambda h: update_many(h, ["a", None]), PylonInputError), id="update-many-none-id"
    ),
    pytest.param(
        Case(lambda h: update_many(h, "acc_1"), PylonInputError), id="update-many-single-string"
    ),
    pytest.param(
        Case(lambda h: h.pylon.accounts.update_many(["a"]), PylonInputError),
        id="update-many-no-field",
    ),
    pytest.param(
        Case(
            lambda h: h.pylon.accounts.merge(
                merge_into_account_id="a", merge_account_ids=["b", "a"]
            ),
            PylonInputError,
        ),
        id="merge-target-in-list",
    ),
    pytest.param(
        Case(lambda h: update_many(h, ["a"], batch_size=0), PylonInputError), id="batch-size-0"
    ),
    pytest.param(
        Case(lambda h: update_many(h, ["a"], batch_size=101), PylonInputError), id="batch-size-101"
    ),
    # search filters
    pytest.param(
        Case(
            lambda h: search(h, {"field": "status", "operator": "eq", "value": "x"}),
            InvalidFilterError,
        ),
        id="filter-unknown-operator",
    ),
    pytest.param(
        Case(
            lambda h: search(h, {"field": "status", "operator": "in", "value": "x"}),
            InvalidFilterError,
        ),
        id="filter-in-with-value",
    ),
    pytest.param(
        Case(
            lambda h: search(h, {"field": "status", "operator": "equals", "values": ["x"]}),
            InvalidFilterError,
        ),
        id="filter-equals-with-values",
    ),
    pytest.param(Case(lambda h: search(h, DEPTH_4), InvalidFilterError), id="filter-depth-4"),
    # configuration
    pytest.param(
        Case(lambda h: make(h, base_url="ftp://api.usepylon.com"), PylonConfigError),
        id="base-url-ftp-scheme",
    ),
    pytest.param(
        Case(lambda h: make(h, base_url="http://api.usepylon.com"), PylonConfigError),
        id="base-url-http-not-loopback",
    ),
    pytest.param(Case(lambda h: make(h, token=None), PylonConfigError), id="token-missing"),
    pytest.param(Case(lambda h: make(h, token="tok en"), PylonConfigError), id="token-space"),
    pytest.param(
        Case(lambda h: make(h, token="tok\r\nX-Evil: 1"), PylonConfigError),
        id="token-newline-header-injection",
    ),
    pytest.param(Case(lambda h: make(h, token="tok\x01"), PylonConfigError), id="token-control"),
    # path ids
    pytest.param(
        Case(lambda h: h.pylon.tasks.get("a/b"), check=raw_path(b"/tasks/a%2Fb"), sends=1),
        id="id-slash-handled-encoded",
    ),
    pytest.param(
        Case(lambda h: h.pylon.tasks.get(".."), check=raw_path(b"/tasks/%2E%2E"), sends=1),
        id="id-dotdot-handled-encoded",
    ),
    pytest.param(
        Case(
            lambda h: h.pylon.tasks.get("../../accounts"),
            check=raw_path(b"/tasks/..%2F..%2Faccounts"),
            sends=1,
        ),
        id="id-traversal-handled-encoded",
    ),
    pytest.param(
        Case(
            lambda h: h.pylon.tasks.get("a?b=c#d"),
            check=raw_path(b"/tasks/a%3Fb%3Dc%23d"),
            sends=1,
        ),
        id="id-query-and-fragment-handled-encoded",
    ),
    pytest.param(Case(lambda h: h.pylon.tasks.get(""), PylonInputError), id="id-empty"),
    pytest.param(Case(lambda h: h.pylon.tasks.get("  "), PylonInputError), id="id-blank"),
    pytest.param(
        Case(lambda h: h.pylon.tasks.get(5), PylonInputError),  # type: ignore[arg-type]
        id="id-int",
    ),
    # responses
    pytest.param(
        Case(
            # A read whose 2xx body does not parse is retried (max_retries=2), then raised.
            lambda h: h.pylon.tasks.get("t1"),
            ResponseValidationError,
            sends=3,
            reply=httpx.Response(200, content=b"<html>oops</html>"),
        ),
        id="200-non-json-body-retried-then-raised",
    ),
    pytest.param(
        Case(
            lambda h: h.pylon.tasks.get("t1"),
            ResponseValidationError,
            sends=1,
            reply=ok(task_body(subtask_ids="not-a-list", created_at=5)),
        ),
        id="200-wrong-types",
    ),
    pytest.param(
        Case(
            lambda h: h.pylon.tasks.list().collect(),
            ResponseValidationError,
            sends=1,
            reply=httpx.Response(200, json={"data": {"id": "t1"}}),
        ),
        id="200-object-where-a-page-is-due",
    ),
    pytest.param(
        Case(
            lambda h: h.pylon.tasks.get("t1"),
            check=attribute("status", "escalated_custom"),
            sends=1,
            reply=ok(task_body(status="escalated_custom")),
        ),
        id="unknown-task-status-handled-kept",
    ),
    pytest.param(
        Case(
            lambda h: h.pylon.accounts.get("a1"),
            check=attribute("type_", "reseller"),
            sends=1,
            reply=ok(complete(Account, id="a1", type="reseller")),
        ),
        id="unknown-account-type-handled-kept",
    ),
    pytest.param(
        Case(
            lambda h: h.pylon.tasks.get("t1"),
            check=all_none,
            sends=1,
            reply=ok(_all_null_task()),
        ),
        id="null-in-every-optional-field-handled",
    ),
]


@pytest.mark.parametrize("case", CASES)
async def test_bad_input_fails_early_or_is_handled(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each bad input raises its PylonError before sending, or is handled as documented."""
    for name in ("PYLON_API_TOKEN", "PYLON_BASE_URL", "PYLON_LOG"):
        monkeypatch.delenv(name, raising=False)
    h = Harness(case.reply)
    try:
        if case.raises is not None:
            with pytest.raises(PylonError) as info:
                await case.call(h)
            assert isinstance(info.value, case.raises)
            if issubclass(case.raises, PylonInputError | PylonConfigError):
                assert isinstance(info.value, ValueError)
        else:
            result = await case.call(h)
            assert case.check is not None
            case.check(result, h.requests)
        assert len(h.requests) == case.sends, [str(r.url) for r in h.requests]
    finally:
        await h.close()


def test_the_table_is_wide_enough() -> None:
    """The table holds at least 30 cases and every id is unique."""
    ids = [p.id for p in CASES]
    assert len(ids) >= 30
    assert len(set(ids)) == len(ids)
