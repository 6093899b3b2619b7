"""Hand-written resources: the thin layer's helpers beside, or instead of, generated methods.

* ``pylon.issues.list`` cuts any time range into windows (:mod:`._issues`);
* ``pylon.issues.changes`` and ``pylon.tasks.changes`` yield what changed since a watermark
  (:mod:`._changes`);
* ``pylon.accounts.update_many`` and ``pylon.accounts.merge`` take any number of ids and
  send them in batches of at most 100 (:mod:`._bulk`).

Every other method is the generated one. The overrides change signatures on purpose (a range
instead of one window, any number of ids instead of 1 to 100), hence the ``override`` ignores.
Each helper takes the per-call options (``extra_headers``, ``extra_query``, ``extra_body``,
``timeout``) and passes them on to every request it makes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, Unpack, cast

from .._bulk import MAX_BATCH
from .._exceptions import PylonConfigError, PylonInputError
from .._export import DEFAULT_WINDOW
from .._export.windows import DEFAULT_MAX_WINDOW, Window, format_rfc3339
from .._generated import _resources as generated
from .._generated._contract import CallOptions, Core, check_call_options
from .._generated._resources import PageLike
from .._generated.types import UNSET, Unset

if TYPE_CHECKING:
    # Loaded by the methods that use them, so that ``pylon.tasks`` does not load the export,
    # the change feeds, the filter builder or the bulk helpers (the import time rows of
    # ``make bench``).
    from .._bulk.batching import BulkResult
    from .._bulk.runner import ProgressCallback
    from .._export.changes import ChangeCheckpoint, ChangeFeed, Kind
    from .._export.issues import IssueCheckpoint, IssueExport, Order
    from .._generated.models.custom_field_input import CustomFieldInput

__all__ = ["AccountsResource", "IssuesResource", "TasksResource"]


class _Client(Core, Protocol):
    """What the helpers need of ``AsyncPylon``: the core, and the id of the latest call."""

    @property
    def last_request_id(self) -> str | None:
        """Pylon's request id of the current task's latest call."""
        ...


class _ChangeFeeds:
    """``changes()``, for the resources whose search filters on ``updated_at``."""

    __slots__ = ()
    _kind: ClassVar[Kind]

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
    ) -> ChangeFeed:
        """Every issue (or task) whose ``updated_at`` is in ``[since, until)``, each version once.

        Searches ``POST /issues/search`` (or ``/tasks/search``) on ``updated_at`` (Pylon allows
        120 a minute), in windows of ``window`` (default 30 days) read ``concurrency`` at a time
        (default 4), each halved until its results fit a page of ``limit`` (default 1000).

        Args:
            since: the start, inclusive: a timezone-aware datetime or a date (midnight UTC).
            until: the end, exclusive; default now. Naive datetimes are an error.
            checkpoint: a :class:`ChangeCheckpoint` from an earlier feed: an unfinished one
                continues its range; a finished one starts the next run at its ``until``
                less ``overlap``, up to ``until`` (default now), skipping what it yielded.
            overlap: how far the next run reaches back, for clock skew and search lag;
                default two minutes (a checkpoint's own when resuming).
            window: the longest window searched at once; default 30 days.
            concurrency: windows read at once; default 4.
            limit: page size, 1 to 1000; default 1000.

        Returns a :class:`ChangeFeed`: ``async for obj in ...``, ``.checkpoint()``.

        """
        from .._export.changes import ChangeFeed  # loaded on first use (see the imports)
        from .._filters.builder import F

        check_call_options("changes", options)
        search = cast(Any, self).search  # the generated search of the class this mixes into

        async def fetch(window: Window, cursor: str | None, limit: int | None) -> PageLike[Any]:
            time_range = F("updated_at").time_range(window.start, window.end)
            paginator = search(filter=time_range, limit=limit, cursor=cursor, **options)
            return await anext(paginator.pages())

        return ChangeFeed(
            fetch,
            kind=self._kind,
            since=since,
            until=until,
            checkpoint=checkpoint,
            overlap=overlap,
            window=window,
            concurrency=concurrency,
            limit=limit,
        )


class IssuesResource(_ChangeFeeds, generated.IssuesResource):
    """``pylon.issues``: the generated methods, ``list`` over any time range, ``changes``."""

    __slots__ = ("_max_window",)
    _kind = "issues"

    def __init__(self, client: _Client, *, max_window: timedelta) -> None:
        super().__init__(client)
        self._max_window = max_window

    def list(  # type: ignore[override]  # a range, cut into windows, instead of one window
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
    ) -> IssueExport:
        """Every issue created in ``[start_time, end_time)``, over as many windows as it takes.

        ``GET /issues`` (Pylon allows 30 a minute) answers for at most 30 days at a time; the
        range is cut into windows of ``window`` (default 30 days; a larger one than the
        client's ``max_issue_window`` is an error), fetched ``concurrency`` at a time (default
        4), each followed to its last page (``limit`` issues a page).

        Args:
            start_time: the start, inclusive: a timezone-aware datetime, or a date (midnight
                UTC). Naive datetimes are an error.
            end_time: the end, exclusive; must be after ``start_time``.
            window: the window size; default 30 days.
            concurrency: windows fetched at once; default 4.
            order: ``"newest"`` (default), ``"oldest"`` or ``"any"``.
            limit: page size; default Pylon's (100).
            checkpoint: resume from ``export.checkpoint()`` of an interrupted run; start and
                end may then be left out.

        Returns an :class:`IssueExport`: ``async for issue in ...``, ``.checkpoint()``.

        """
        from .._export.issues import IssueExport  # loaded on first use (see the imports)

        check_call_options("list", options)

        async def fetch(window: Window, cursor: str | None, limit: int | None) -> PageLike[Any]:
            return await self._fetch_window_page(window, cursor, limit, options)

        return IssueExport(
            fetch,
            start_time=start_time,
            end_time=end_time,
            window=window,
            max_window=self._max_window,
            concurrency=concurrency,
            order=order,
            limit=limit,
            checkpoint=checkpoint,
        )

    async def _fetch_window_page(
        self, window: Window, cursor: str | None, limit: int | None, options: CallOptions
    ) -> PageLike[Any]:
        pages = (
            super()
            .list(
                start_time=format_rfc3339(window.start),
                end_time=format_rfc3339(window.end),
                limit=limit,
                cursor=cursor,
                **options,
            )
            .pages()
        )
        return await anext(pages)


class TasksResource(_ChangeFeeds, generated.TasksResource):
    """``pylon.tasks``: the generated methods, with ``changes`` since a watermark."""

    __slots__ = ()
    _kind = "tasks"


class AccountsResource(generated.AccountsResource):
    """``pylon.accounts``: the generated methods, with batched ``update_many`` and ``merge``."""

    __slots__ = ("_client",)

    def __init__(self, client: _Client) -> None:
        super().__init__(client)
        self._client = client

    async def update_many(  # type: ignore[override]  # any number of ids, sent in batches
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
        """Update any number of accounts, in batches of at most 100 (``PATCH /accounts``).

        Ids are checked and deduplicated (first occurrence kept) before anything is sent; an
        empty list, a blank or non-string id, or ``batch_size`` outside 1..100 raises
        :class:`PylonInputError`. Batches run ``concurrency`` at a time (default 2). Pylon
        answers that each update was *initiated*.

        Pylon refuses a whole batch for one bad id. A batch refused with 400, 404 or 422 is
        therefore split in two and each half sent again, recursively, until each bad id is
        refused in a request of its own and every other id has succeeded: one bad id among
        100 costs 13 to 15 requests instead of failing 99 good ones. These requests are paced
        and counted like any other, one at a time within the batch's place among the
        ``concurrency``. Other errors (401, 403, 429, 5xx, no response) fail the batch as it
        is; so does a refusal that stays the same whichever ids are sent (an unknown
        ``owner_id``), once both halves have been refused with it.

        Returns a :class:`BulkResult`: ``succeeded`` ids, ``failed`` id → error, ``refused``
        (the failed ids Pylon refused on their own, each with its own error), ``settled_by``
        id → request id, a request id per batch, and ``raise_for_failures()``.
        ``on_progress(done, total)`` is called whenever ids are settled.
        """
        from .._bulk.batching import chunk, normalize_ids  # loaded on first use (the imports)
        from .._bulk.runner import check_success, run_batches

        check_call_options("update_many", options)
        ids = normalize_ids(account_ids)
        batches = chunk(ids, batch_size)
        fields: dict[str, Any] = {
            "owner_id": owner_id,
            "tags": tags,
            "tags_apply_mode": tags_apply_mode,
            "custom_fields": custom_fields,
            "account_type": account_type,
            "is_disabled": is_disabled,
        }
        if all(isinstance(value, Unset) for value in fields.values()):
            raise PylonInputError("update_many() needs at least one field to update")

        async def send(batch: list[str]) -> str | None:
            response = await generated.AccountsResource.update_many(
                self, account_ids=batch, **fields, **options
            )
            request_id = self._client.last_request_id
            check_success(response, request_id)
            return request_id

        return await run_batches(
            batches,
            send,
            total=len(ids),
            concurrency=concurrency,
            on_progress=on_progress,
            narrow=True,
        )

    async def merge(  # type: ignore[override]  # any number of ids, merged batch after batch
        self,
        *,
        merge_into_account_id: str,
        merge_account_ids: Iterable[str],
        batch_size: int = MAX_BATCH,
        on_progress: ProgressCallback | None = None,
        **options: Unpack[CallOptions],
    ) -> BulkResult:
        """Merge any number of accounts into one, 100 at a time (``POST /accounts/merge``).

        Pylon merges one account at a time, not atomically, and a merge cannot be undone
        (tags and custom fields of merged accounts are not carried over). So batches run one
        after another, never two merges at once; a failed batch may have merged some of its
        accounts, and is reported with every id in it as failed. Unlike :meth:`update_many`,
        a failed merge batch is never split and sent again: its halves would merge again what
        may already have been merged. The ids are checked before anything is sent: the target
        may not be among them.

        Returns a :class:`BulkResult` as :meth:`update_many` does.

        A client generated from a document without ``POST /accounts/merge`` (Pylon's April
        document has none) raises :class:`PylonConfigError` saying so, before anything is sent.
        """
        merge: Any = getattr(generated.AccountsResource, "merge", None)
        if merge is None:
            raise PylonConfigError(
                "accounts.merge: this client was generated from an OpenAPI document without "
                "POST /accounts/merge; regenerate it from the default spec (make generate)"
            )
        from .._bulk.batching import check_merge, chunk, normalize_ids  # on first use
        from .._bulk.runner import run_batches

        check_call_options("merge", options)
        ids = normalize_ids(merge_account_ids, name="merge_account_ids")
        check_merge(merge_into_account_id, ids)
        batches = chunk(ids, batch_size)

        async def send(batch: list[str]) -> str | None:
            await merge(
                self,
                merge_into_account_id=merge_into_account_id,
                merge_account_ids=batch,
                **options,
            )
            return self._client.last_request_id

        # narrow=False: a refused merge batch may be partly applied, so it is not sent again.
        return await run_batches(
            batches, send, total=len(ids), concurrency=1, on_progress=on_progress, narrow=False
        )
