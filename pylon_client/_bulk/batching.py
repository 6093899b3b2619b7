"""Batching for bulk account operations: id checks, chunking, narrowing and result bookkeeping.

``PATCH /accounts`` takes 1 to 100 ``account_ids``; ``POST /accounts/merge`` takes a
``merge_into_account_id`` and 1 to 100 ``merge_account_ids``. The client cuts longer lists into
batches of at most :data:`MAX_BATCH`, sends them, and records each batch's outcome in a
:class:`BulkResult`.

Narrowing
    Pylon refuses a whole ``PATCH /accounts`` request when one of its ids is bad, and applies
    nothing in it (its document gives 400 and 500 as the errors of the operation; the fake
    answers an unknown id with a 400 naming it). So that one bad id does not fail 99 good
    ones, an update batch refused with 400, 404 or 422 (:func:`can_narrow`) is split in two
    (:func:`halves`) and each half is sent again, recursively, until every good id has
    succeeded and every bad id has been refused in a request of its own. One bad id in a batch
    of 100 costs ``1 + 2 * 7`` requests at most (``1 + 2 * 6`` at best). The worst case is a
    batch of ids that are all bad, with messages that name them (so that no two refusals are
    the same): ``2 * 100 - 1`` requests.

    Only those statuses are narrowed, because only they can be about the ids sent (404 and 422
    are not in Pylon's document for this operation, but are what an API answers for an
    unknown or invalid object, so they are narrowed too). 401 and 403 are about the token, 429
    about the rate, 5xx and connection errors about Pylon or the network; 409 and 413 are not
    answers of this operation. Splitting such a batch would only multiply the requests,
    against the operation's budget (120 a minute, ``openapi/rate-limits.tsv``). A 200 with
    ``success: false`` gives no reason, so it is not narrowed either.

    When both halves of a refused batch are refused again with the same status, code and
    messages as the batch (:func:`same_refusal`), the refusal does not depend on the ids (an
    unknown ``owner_id`` is refused for any set of ids), so narrowing stops there, after two
    more requests, and the halves' ids are failed with their half's error. If Pylon's message
    for bad ids did not name them, two bad ids that fall in different halves would stop
    narrowing the same way: the ids of those halves are then failed, as without narrowing.

Merges are not atomic and cannot be undone: Pylon merges the accounts one at a time, so a batch
that fails may have been partly applied. Its ids are still reported as failed, because the client
cannot tell which of them were merged. For the same reason a failed merge batch is never
narrowed: sending its halves again would merge again what may already have been merged.

Everything here is pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeGuard

import attrs

from .._exceptions import BulkError, PylonAPIError, PylonInputError
from . import MAX_BATCH

__all__ = [
    "MAX_BATCH",
    "NARROWED_STATUSES",
    "BulkResult",
    "can_narrow",
    "check_merge",
    "chunk",
    "halves",
    "normalize_ids",
    "same_refusal",
]


NARROWED_STATUSES = frozenset({400, 404, 422})
"""The statuses of a refused update batch that :func:`can_narrow` splits: those a bad id gives."""

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


def can_narrow(error: BaseException) -> TypeGuard[PylonAPIError]:
    """Whether a refused update batch may be split to find the ids that caused ``error``.

    True for a :class:`~pylon_client.PylonAPIError` with a status in
    :data:`NARROWED_STATUSES` (400, 404, 422); False for anything else (see the module
    docstring for why).

    >>> from pylon_client import BadRequestError, InternalServerError
    >>> can_narrow(BadRequestError("unknown id", status_code=400))
    True
    >>> can_narrow(InternalServerError("boom", status_code=500))
    False
    """
    return isinstance(error, PylonAPIError) and error.status_code in NARROWED_STATUSES


def halves(ids: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split ``ids`` into two halves, in order; the second is the longer when ``len`` is odd.

    >>> halves(["a", "b", "c"])
    (['a'], ['b', 'c'])

    Raises:
        PylonInputError: fewer than two ids (they cannot be split).

    """
    if len(ids) < 2:
        raise PylonInputError(f"halves needs at least two ids, got {len(ids)}")
    middle = len(ids) // 2
    return list(ids[:middle]), list(ids[middle:])


def same_refusal(*errors: PylonAPIError) -> bool:
    """Whether ``errors`` all carry the same status, Pylon error code and messages.

    A refusal that stays the same whichever ids are sent is about the request's fields, not
    about an id, so narrowing it further would only spend requests. Request ids are not
    compared: they differ for every request.

    >>> from pylon_client import BadRequestError
    >>> owner = ["owner_id: no user with id 'u_9'"]
    >>> a = BadRequestError("x", status_code=400, errors=owner, request_id="r1")
    >>> b = BadRequestError("y", status_code=400, errors=owner, request_id="r2")
    >>> same_refusal(a, b)
    True
    """
    keys = {(e.status_code, e.code, tuple(e.errors)) for e in errors}
    return len(keys) <= 1


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
    >>> result.settled_by
    {'a': 'req_1', 'b': 'req_1', 'c': None}

    Attributes:
        total: how many ids the operation was asked to handle.
        succeeded: ids whose request succeeded, in the order they were recorded.
        failed: each failed id mapped to its error: the error of the last request that held
            it (for an id refused on its own, that request held only this id).
        refused: the failed ids that Pylon refused on their own, each mapped to the error of
            a request that held only that id (400, 404 or 422; see the module docstring). An
            id here is also in ``failed``; an id failed by anything else (a 5xx, a timeout,
            a refusal narrowing could not pin on one id) is in ``failed`` only.
        request_ids: Pylon's request id of each batch's own request, in batch order (``None``
            where the batch got no response, or the response carried none). The requests
            that narrow a refused batch are not listed here, but in ``settled_by``.
        settled_by: each recorded id mapped to the request id of the request that settled it
            (the one that succeeded, or the last one that failed), or ``None`` as above.

    """

    total: int
    succeeded: list[str] = attrs.Factory(list)
    failed: dict[str, BaseException] = attrs.Factory(dict)
    refused: dict[str, PylonAPIError] = attrs.Factory(dict)
    request_ids: list[str | None] = attrs.Factory(list)
    settled_by: dict[str, str | None] = attrs.Factory(dict)
    # Batch indexes whose slot in request_ids is taken: the first request of a batch keeps it.
    _recorded_batches: set[int] = attrs.field(factory=set, init=False)

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
        """Record that a request for ``ids`` succeeded, with Pylon's ``request_id`` for it.

        Batches sent concurrently finish in any order; pass ``batch`` (the batch's index) to
        keep ``request_ids`` in batch order. Without it the request id is appended. A batch's
        slot keeps the first request id recorded for it, so the requests that narrow a
        refused batch (recorded with its index) leave it alone.
        """
        for id_ in ids:
            self.succeeded.append(id_)
            self.settled_by[id_] = request_id
        self._record_request_id(request_id, batch)

    def record_failure(
        self, ids: Iterable[str], error: BaseException, *, batch: int | None = None
    ) -> None:
        """Record that a request for ``ids`` failed with ``error``.

        The request id is taken from ``error.request_id`` when the error carries one (every
        :class:`~pylon_client.PylonAPIError` does). ``batch`` works as in
        :meth:`record_success`.
        """
        request_id = _request_id_of(error)
        for id_ in ids:
            self.failed[id_] = error
            self.settled_by[id_] = request_id
        self._record_request_id(request_id, batch)

    def record_refusal(self, id_: str, error: PylonAPIError, *, batch: int | None = None) -> None:
        """Record that Pylon refused a request holding only ``id_``: it is failed and refused.

        ``batch`` works as in :meth:`record_success`.
        """
        self.refused[id_] = error
        self.record_failure([id_], error, batch=batch)

    def record_narrowing(self, error: BaseException, *, batch: int | None = None) -> None:
        """Record that a batch's own request was refused with ``error`` and will be narrowed.

        Only the request id is recorded (in ``request_ids``); the batch's ids are settled by
        the requests that narrow it. ``batch`` works as in :meth:`record_success`.
        """
        self._record_request_id(_request_id_of(error), batch)

    def _record_request_id(self, request_id: str | None, batch: int | None) -> None:
        if batch is None:
            self.request_ids.append(request_id)
            return
        if batch < 0:
            raise PylonInputError(f"batch must be a batch index (0 or more), got {batch}")
        if batch in self._recorded_batches:
            return
        self._recorded_batches.add(batch)
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


def _request_id_of(error: BaseException) -> str | None:
    request_id = getattr(error, "request_id", None)
    return request_id if isinstance(request_id, str) else None
