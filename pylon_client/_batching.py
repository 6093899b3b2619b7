"""Batching for bulk account operations: id checks, chunking and result bookkeeping.

``PATCH /accounts`` takes 1 to 100 ``account_ids``; ``POST /accounts/merge`` takes a
``merge_into_account_id`` and 1 to 100 ``merge_account_ids``. The client cuts longer lists into
batches of at most :data:`MAX_BATCH`, sends them, and records each batch's outcome in a
:class:`BulkResult`.

Merges are not atomic and cannot be undone: Pylon merges the accounts one at a time, so a batch
that fails may have been partly applied. Its ids are still reported as failed, because the client
cannot tell which of them were merged.

Everything here is pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from ._errors import BulkError, PylonInputError

__all__ = [
    "MAX_BATCH",
    "BulkResult",
    "check_merge",
    "chunk",
    "normalize_ids",
]

MAX_BATCH = 100
"""The most ids one ``PATCH /accounts`` or ``POST /accounts/merge`` request accepts."""

# raise_for_failures lists this many ids and counts the rest, so a failed run over thousands of
# accounts does not produce a message thousands of lines long.
_LISTED_FAILURES = 20


def normalize_ids(ids: Iterable[str], *, name: str = "account_ids") -> list[str]:
    """Check a list of ids and return it as a list with duplicates dropped.

    Duplicates are dropped keeping the first occurrence, so the order of the ids is preserved
    and no id is sent (or merged) twice. Ids are otherwise returned as given: surrounding
    whitespace is not stripped, since an id is opaque.

    >>> normalize_ids(["a", "b", "a"])
    ['a', 'b']

    Raises:
        PylonInputError: ``ids`` is a single string rather than a list of strings (iterating
            ``"acc_1"`` would give its characters), is empty, or holds an id that is not a
            string or is empty or blank; the message names the argument and the position.

    """
    if isinstance(ids, str | bytes):
        raise PylonInputError(
            f"{name} must be a list of ids, not a single {type(ids).__name__}; "
            f"wrap one id in a list: [{ids!r}]"
        )
    try:
        items = list(ids)
    except TypeError:
        raise PylonInputError(
            f"{name} must be a list of ids, got {type(ids).__name__}: {ids!r}"
        ) from None
    if not items:
        raise PylonInputError(f"{name} must contain at least one id")
    seen: dict[str, None] = {}  # a dict keeps insertion order, so the first occurrence wins
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise PylonInputError(
                f"{name}[{i}] must be a string, got {type(item).__name__}: {item!r}"
            )
        if not item.strip():
            raise PylonInputError(f"{name}[{i}] is empty or blank: {item!r}")
        seen.setdefault(item, None)
    return list(seen)


def chunk(ids: Sequence[str], batch_size: int = MAX_BATCH) -> list[list[str]]:
    """Cut ``ids`` into consecutive batches of ``batch_size``, the last one shorter.

    No ids give no batches.

    >>> chunk(["a", "b", "c"], batch_size=2)
    [['a', 'b'], ['c']]

    Raises:
        PylonInputError: ``batch_size`` is not an int from 1 to 100 (a bool is refused), or
            ``ids`` is a single string.

    """
    # bool is a subclass of int: chunk(ids, True) would mean batches of one.
    if isinstance(batch_size, bool) or not isinstance(batch_size, int):
        raise PylonInputError(
            f"batch_size must be an int, got {type(batch_size).__name__}: {batch_size!r}"
        )
    if not 1 <= batch_size <= MAX_BATCH:
        raise PylonInputError(f"batch_size must be from 1 to {MAX_BATCH}, got {batch_size}")
    if isinstance(ids, str | bytes):
        raise PylonInputError(
            f"ids must be a list of ids, not a single {type(ids).__name__}: {ids!r}"
        )
    return [list(ids[i : i + batch_size]) for i in range(0, len(ids), batch_size)]


def check_merge(target: str, ids: Sequence[str]) -> None:
    """Check the arguments of an account merge before anything is merged.

    >>> check_merge("acc_keep", ["acc_dup_1", "acc_dup_2"])

    Raises:
        PylonInputError: ``target`` (``merge_into_account_id``) is not a non-blank string, or
            it is also among ``ids`` (an account cannot be merged into itself).

    """
    if not isinstance(target, str) or not target.strip():
        raise PylonInputError(f"merge_into_account_id must be a non-empty string, got {target!r}")
    if isinstance(ids, str | bytes):
        raise PylonInputError(
            f"merge_account_ids must be a list of ids, not a single {type(ids).__name__}"
        )
    if target in ids:
        raise PylonInputError(
            f"merge_into_account_id {target!r} is also in merge_account_ids; "
            f"an account cannot be merged into itself"
        )


@attrs.define(kw_only=True, repr=False)
class BulkResult:
    """The outcome of a bulk operation, filled in batch by batch and then read.

    >>> result = BulkResult(total=3)
    >>> result.record_success(["a", "b"], "req_1")
    >>> result.record_failure(["c"], ValueError("boom"))
    >>> result
    BulkResult(total=3, succeeded=2, failed=1, batches=2)
    >>> result.ok
    False

    Attributes:
        total: how many ids the operation was asked to handle.
        succeeded: ids whose batch succeeded, in the order they were recorded.
        failed: each failed id mapped to the error of its batch.
        request_ids: Pylon's request id of each batch, in batch order (``None`` where the
            batch got no response, or the response carried none).

    """

    total: int
    succeeded: list[str] = attrs.Factory(list)
    failed: dict[str, BaseException] = attrs.Factory(dict)
    request_ids: list[str | None] = attrs.Factory(list)

    @property
    def ok(self) -> bool:
        """True when every one of the ``total`` ids succeeded."""
        return not self.failed and len(self.succeeded) == self.total

    @property
    def pending(self) -> int:
        """How many ids have been recorded neither as succeeded nor as failed."""
        return self.total - len(self.succeeded) - len(self.failed)

    def record_success(
        self, ids: Iterable[str], request_id: str | None, *, batch: int | None = None
    ) -> None:
        """Record that a batch of ``ids`` succeeded, with Pylon's ``request_id`` for it.

        Batches sent concurrently finish in any order; pass ``batch`` (the batch's index) to
        keep ``request_ids`` in batch order. Without it the request id is appended.
        """
        self.succeeded.extend(ids)
        self._record_request_id(request_id, batch)

    def record_failure(
        self, ids: Iterable[str], error: BaseException, *, batch: int | None = None
    ) -> None:
        """Record that a batch of ``ids`` failed with ``error``.

        The batch's request id is taken from ``error.request_id`` when the error carries one
        (every :class:`~pylon_client.PylonAPIError` does). ``batch`` works as in
        :meth:`record_success`.
        """
        for id_ in ids:
            self.failed[id_] = error
        request_id = getattr(error, "request_id", None)
        self._record_request_id(request_id if isinstance(request_id, str) else None, batch)

    def _record_request_id(self, request_id: str | None, batch: int | None) -> None:
        if batch is None:
            self.request_ids.append(request_id)
            return
        if batch < 0:
            raise PylonInputError(f"batch must be a batch index (0 or more), got {batch}")
        # Batches may finish out of order: pad with None until the slot exists.
        if batch >= len(self.request_ids):
            self.request_ids.extend([None] * (batch + 1 - len(self.request_ids)))
        self.request_ids[batch] = request_id

    def raise_for_failures(self) -> None:
        """Raise :class:`~pylon_client.BulkError` if any id failed; do nothing otherwise.

        The message lists the failed ids (the first 20, then how many more) and the first
        error; the exception's ``failed`` maps every failed id to its error, and its
        ``__cause__`` is the first error.
        """
        if not self.failed:
            return
        ids = list(self.failed)
        listed = ", ".join(repr(id_) for id_ in ids[:_LISTED_FAILURES])
        more = len(ids) - _LISTED_FAILURES
        if more > 0:
            listed += f" and {more} more"
        first = self.failed[ids[0]]
        message = (
            f"{len(ids)} of {self.total} ids failed: {listed} "
            f"(first error: {type(first).__name__}: {first})"
        )
        raise BulkError(message, failed=self.failed) from first

    def __repr__(self) -> str:
        # Counts, not ids: a result can hold thousands of them.
        return (
            f"BulkResult(total={self.total}, succeeded={len(self.succeeded)}, "
            f"failed={len(self.failed)}, batches={len(self.request_ids)})"
        )
