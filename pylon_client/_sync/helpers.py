"""The sync client's hand-written resources: the export, the change feeds and the bulk helpers.

Each runs the async helper of :mod:`._resources` on the client's event loop (see
:mod:`._portal`); nothing is written twice. The iterators (:class:`SyncIssueExport`,
:class:`SyncChangeFeed`) run the loop once per item; their checkpoints are read between items,
when the async side is idle.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar, Unpack

from .._bulk import MAX_BATCH
from .._export import DEFAULT_WINDOW
from .._export.windows import DEFAULT_MAX_WINDOW
from .._generated._contract import CallOptions, Runner, check_call_options
from .._generated.resources.accounts import SyncAccountsResource as _SyncAccounts
from .._generated.resources.issues import SyncIssuesResource as _SyncIssues
from .._generated.resources.tasks import SyncTasksResource as _SyncTasks
from .._generated.types import UNSET, Unset

if TYPE_CHECKING:
    from .._bulk.batching import BulkResult
    from .._bulk.runner import ProgressCallback
    from .._client.helpers import AccountsResource, IssuesResource, TasksResource, _ChangeFeeds
    from .._export.changes import ChangeCheckpoint
    from .._export.issues import IssueCheckpoint, Order
    from .._generated.models.custom_field_input import CustomFieldInput
    from .portal import Portal

C = TypeVar("C")
C_co = TypeVar("C_co", covariant=True)

__all__ = [
    "SyncAccountsResource",
    "SyncChangeFeed",
    "SyncIssueExport",
    "SyncIssuesResource",
    "SyncTasksResource",
]


class _Runner(Runner, Protocol):
    """What the sync helpers need of the sync client's runner: the runner, and its portal."""

    portal: Portal


class _Resumable(Protocol[C_co]):
    """What the async export and change feed share: items, progress, a checkpoint."""

    def __aiter__(self) -> AsyncIterator[Any]: ...

    @property
    def progress(self) -> float: ...

    @property
    def windows(self) -> int: ...

    def checkpoint(self) -> C_co: ...

    async def collect(self) -> list[Any]: ...


class _SyncResumable(Generic[C]):
    """An async export or change feed, iterated from blocking code, one item per loop run."""

    def __init__(self, source: _Resumable[C], runner: _Runner) -> None:
        self._source = source
        self._runner = runner

    def __repr__(self) -> str:
        return f"Sync{self._source!r}"

    def __iter__(self) -> Iterator[Any]:
        return self._runner.portal.iterate(self._source, self._runner)

    @property
    def progress(self) -> float:
        """The share of the range done, 0.0 to 1.0."""
        return self._source.progress

    @property
    def windows(self) -> int:
        """The number of windows of the range."""
        return self._source.windows

    def checkpoint(self) -> C:
        """Where it stands, to resume with ``checkpoint=`` (see the async one)."""
        return self._source.checkpoint()

    def collect(self) -> list[Any]:
        """Every item of the range in a list; for small ranges."""
        return self._runner.run(self._source.collect)


class SyncIssueExport(_SyncResumable["IssueCheckpoint"]):
    """An issue export for the sync client: ``for issue in export``, ``.checkpoint()``.

    The same export as :class:`IssueExport` (windows, concurrency, checkpoints), driven from
    the client's event loop one issue at a time.
    """


class SyncChangeFeed(_SyncResumable["ChangeCheckpoint"]):
    """A change feed for the sync client: ``for obj in feed``, ``.checkpoint()``."""


class _SyncChangeFeeds:
    """``changes()`` for the sync resources whose async resource has it."""

    _feeds: _ChangeFeeds
    _runner: _Runner

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
        """Every object updated in ``[since, until)``; see ``AsyncPylon.issues.changes``."""
        feed = self._feeds.changes(
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


class SyncIssuesResource(_SyncChangeFeeds, _SyncIssues):
    """``pylon.issues`` of the sync client: the generated methods, ``list`` and ``changes``."""

    def __init__(self, resource: IssuesResource, runner: _Runner) -> None:
        super().__init__(resource, runner)
        self._issues = self._feeds = resource
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


class SyncTasksResource(_SyncChangeFeeds, _SyncTasks):
    """``pylon.tasks`` of the sync client: the generated methods and ``changes``."""

    def __init__(self, resource: TasksResource, runner: _Runner) -> None:
        super().__init__(resource, runner)
        self._feeds = resource
        self._runner = runner


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
