"""The sync client's hand-written resources: the export, the change feeds and the bulk helpers.

Each runs the async helper of :mod:`._resources` on the client's event loop (see
:mod:`._portal`); nothing is written twice. The iterators (:class:`SyncIssueExport`,
:class:`SyncChangeFeed`) run the loop once per item; their checkpoints are read between items,
when the async side is idle.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, Unpack

from ._batching import MAX_BATCH
from ._changes import DEFAULT_WINDOW
from ._generated._contract import CallOptions, check_call_options
from ._generated.resources.accounts import SyncAccountsResource as _SyncAccounts
from ._generated.resources.issues import SyncIssuesResource as _SyncIssues
from ._generated.resources.tasks import SyncTasksResource as _SyncTasks
from ._generated.types import UNSET, Unset
from ._windows import DEFAULT_MAX_WINDOW

if TYPE_CHECKING:
    from ._batching import BulkResult
    from ._bulk import ProgressCallback
    from ._changes import ChangeCheckpoint, ChangeFeed
    from ._generated.models.custom_field_input import CustomFieldInput
    from ._issues import IssueCheckpoint, IssueExport, Order
    from ._resources import AccountsResource, IssuesResource, TasksResource
    from ._sync_client import _Runner

__all__ = [
    "SyncAccountsResource",
    "SyncChangeFeed",
    "SyncIssueExport",
    "SyncIssuesResource",
    "SyncTasksResource",
]


class SyncIssueExport:
    """An issue export for the sync client: ``for issue in export``, ``.checkpoint()``.

    The same export as :class:`IssueExport` (windows, concurrency, checkpoints), driven from
    the client's event loop one issue at a time.
    """

    def __init__(self, export: IssueExport, runner: _Runner) -> None:
        self._export = export
        self._runner = runner

    def __repr__(self) -> str:
        return f"Sync{self._export!r}"

    def __iter__(self) -> Iterator[Any]:
        return self._runner.portal.iterate(self._export, self._runner)

    @property
    def progress(self) -> float:
        """The share of the range done, 0.0 to 1.0."""
        return self._export.progress

    @property
    def windows(self) -> int:
        """The number of windows of the range."""
        return self._export.windows

    def checkpoint(self) -> IssueCheckpoint:
        """Where the export stands, to resume with ``issues.list(checkpoint=...)``."""
        return self._export.checkpoint()

    def collect(self) -> list[Any]:
        """Every issue of the range in a list; for small ranges."""
        return self._runner.run(self._export.collect)


class SyncChangeFeed:
    """A change feed for the sync client: ``for obj in feed``, ``.checkpoint()``."""

    def __init__(self, feed: ChangeFeed, runner: _Runner) -> None:
        self._feed = feed
        self._runner = runner

    def __repr__(self) -> str:
        return f"Sync{self._feed!r}"

    def __iter__(self) -> Iterator[Any]:
        return self._runner.portal.iterate(self._feed, self._runner)

    @property
    def progress(self) -> float:
        """The share of the range done, 0.0 to 1.0."""
        return self._feed.progress

    def checkpoint(self) -> ChangeCheckpoint:
        """Where the feed stands, to continue with ``changes(checkpoint=...)``."""
        return self._feed.checkpoint()

    def collect(self) -> list[Any]:
        """Every changed object in a list; for small ranges."""
        return self._runner.run(self._feed.collect)


class SyncIssuesResource(_SyncIssues):
    """``pylon.issues`` of the sync client: the generated methods, ``list`` and ``changes``."""

    def __init__(self, resource: IssuesResource, runner: _Runner) -> None:
        super().__init__(resource, runner)
        self._issues = resource
        self._runner = runner

    def list(  # type: ignore[override]  # a range, cut into windows, as the async client's
        self,
        *,
        start_time: datetime | date | None = None,
        end_time: datetime | date | None = None,
        window: timedelta = DEFAULT_MAX_WINDOW,
        concurrency: int = 4,
        order: Order = "newest",
        limit: int | None = None,
        checkpoint: IssueCheckpoint | None = None,
        **options: Unpack[CallOptions],
    ) -> SyncIssueExport:
        """Every issue created in ``[start_time, end_time)``; see ``AsyncPylon.issues.list``."""
        check_call_options("list", options)
        export = self._issues.list(
            start_time=start_time,
            end_time=end_time,
            window=window,
            concurrency=concurrency,
            order=order,
            limit=limit,
            checkpoint=checkpoint,
            **options,
        )
        return SyncIssueExport(export, self._runner)

    def changes(
        self,
        since: datetime | date | None = None,
        until: datetime | date | None = None,
        *,
        checkpoint: ChangeCheckpoint | None = None,
        overlap: timedelta | None = None,
        window: timedelta = DEFAULT_WINDOW,
        concurrency: int = 4,
        limit: int | None = 1000,
        **options: Unpack[CallOptions],
    ) -> SyncChangeFeed:
        """Every issue updated in ``[since, until)``; see ``AsyncPylon.issues.changes``."""
        feed = self._issues.changes(
            since,
            until,
            checkpoint=checkpoint,
            overlap=overlap,
            window=window,
            concurrency=concurrency,
            limit=limit,
            **options,
        )
        return SyncChangeFeed(feed, self._runner)


class SyncTasksResource(_SyncTasks):
    """``pylon.tasks`` of the sync client: the generated methods and ``changes``."""

    def __init__(self, resource: TasksResource, runner: _Runner) -> None:
        super().__init__(resource, runner)
        self._tasks = resource
        self._runner = runner

    def changes(
        self,
        since: datetime | date | None = None,
        until: datetime | date | None = None,
        *,
        checkpoint: ChangeCheckpoint | None = None,
        overlap: timedelta | None = None,
        window: timedelta = DEFAULT_WINDOW,
        concurrency: int = 4,
        limit: int | None = 1000,
        **options: Unpack[CallOptions],
    ) -> SyncChangeFeed:
        """Every task updated in ``[since, until)``; see ``AsyncPylon.tasks.changes``."""
        feed = self._tasks.changes(
            since,
            until,
            checkpoint=checkpoint,
            overlap=overlap,
            window=window,
            concurrency=concurrency,
            limit=limit,
            **options,
        )
        return SyncChangeFeed(feed, self._runner)


class SyncAccountsResource(_SyncAccounts):
    """``pylon.accounts`` of the sync client: the generated methods, ``update_many``, ``merge``."""

    def __init__(self, resource: AccountsResource, runner: _Runner) -> None:
        super().__init__(resource, runner)
        self._accounts = resource
        self._runner = runner

    def update_many(  # type: ignore[override]  # any number of ids, as the async client's
        self,
        account_ids: Iterable[str],
        *,
        owner_id: str | Unset = UNSET,
        tags: list[str] | Unset = UNSET,
        tags_apply_mode: Literal["append_only", "remove_only", "replace"] | Unset = UNSET,
        custom_fields: list[CustomFieldInput | dict[str, Any]] | Unset = UNSET,
        account_type: Literal["customer", "partner"] | Unset = UNSET,
        is_disabled: bool | Unset = UNSET,
        batch_size: int = MAX_BATCH,
        concurrency: int = 2,
        on_progress: ProgressCallback | None = None,
        **options: Unpack[CallOptions],
    ) -> BulkResult:
        """Update any number of accounts in batches; see ``AsyncPylon.accounts.update_many``."""
        return self._runner.run(
            self._accounts.update_many,
            account_ids,
            owner_id=owner_id,
            tags=tags,
            tags_apply_mode=tags_apply_mode,
            custom_fields=custom_fields,
            account_type=account_type,
            is_disabled=is_disabled,
            batch_size=batch_size,
            concurrency=concurrency,
            on_progress=on_progress,
            **options,
        )

    def merge(  # type: ignore[override]  # any number of ids, as the async client's
        self,
        *,
        merge_into_account_id: str,
        merge_account_ids: Iterable[str],
        batch_size: int = MAX_BATCH,
        on_progress: ProgressCallback | None = None,
        **options: Unpack[CallOptions],
    ) -> BulkResult:
        """Merge any number of accounts into one; see ``AsyncPylon.accounts.merge``."""
        return self._runner.run(
            self._accounts.merge,
            merge_into_account_id=merge_into_account_id,
            merge_account_ids=merge_account_ids,
            batch_size=batch_size,
            on_progress=on_progress,
            **options,
        )
