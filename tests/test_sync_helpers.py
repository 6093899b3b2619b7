"""``_sync.helpers``: each sync helper takes exactly the arguments of the async one it runs."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

from pylon_client._client import helpers as async_helpers
from pylon_client._sync import helpers as sync_helpers

PAIRS = [
    pytest.param(
        async_helpers.IssuesResource.list, sync_helpers.SyncIssuesResource.list, id="issues.list"
    ),
    pytest.param(
        async_helpers.IssuesResource.changes,
        sync_helpers.SyncIssuesResource.changes,
        id="issues.changes",
    ),
    pytest.param(
        async_helpers.TasksResource.changes,
        sync_helpers.SyncTasksResource.changes,
        id="tasks.changes",
    ),
    pytest.param(
        async_helpers.AccountsResource.update_many,
        sync_helpers.SyncAccountsResource.update_many,
        id="accounts.update_many",
    ),
    pytest.param(
        async_helpers.AccountsResource.merge,
        sync_helpers.SyncAccountsResource.merge,
        id="accounts.merge",
    ),
]


def _arguments(method: Callable[..., Any]) -> list[tuple[str, Any, Any, Any]]:
    return [
        (p.name, p.kind, p.default, p.annotation)
        for p in inspect.signature(method).parameters.values()
    ]


@pytest.mark.parametrize(("async_method", "sync_method"), PAIRS)
def test_the_sync_helper_takes_the_async_helpers_arguments(
    async_method: Callable[..., Any], sync_method: Callable[..., Any]
) -> None:
    """Names, kinds, defaults and annotations agree, in order; only the return type differs."""
    assert _arguments(sync_method) == _arguments(async_method)


def test_every_hand_written_sync_helper_is_checked() -> None:
    """Each public method the sync helpers define is one of the pairs above."""
    checked = {p.values[1] for p in PAIRS}
    defined = {
        value
        for cls in (
            sync_helpers.SyncIssuesResource,
            sync_helpers.SyncTasksResource,
            sync_helpers.SyncAccountsResource,
        )
        for name in dir(cls)
        if not name.startswith("_")
        and callable(value := getattr(cls, name))
        and getattr(value, "__module__", None) == sync_helpers.__name__
    }
    assert defined <= checked
