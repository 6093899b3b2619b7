from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pylon_client._bulk.batching import (
    MAX_BATCH,
    BulkResult,
    can_narrow,
    check_merge,
    chunk,
    halves,
    normalize_ids,
    same_refusal,
)
from pylon_client._exceptions import (
    AuthenticationError,
    BadRequestError,
    BulkError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    PylonAPIError,
    PylonConnectionError,
    PylonInputError,
    PylonTimeoutError,
    RateLimitError,
)


def ids(n: int) -> list[str]:
    return [f"acc_{i}" for i in range(n)]


@pytest.mark.parametrize(
    ("count", "sizes"),
    [
        pytest.param(0, [], id="0-ids"),
        pytest.param(1, [1], id="1-id"),
        pytest.param(100, [100], id="100-ids"),
        pytest.param(101, [100, 1], id="101-ids"),
        pytest.param(1_050, [100] * 10 + [50], id="1050-ids"),
    ],
)
def test_chunk_batch_counts_and_sizes(count: int, sizes: list[int]) -> None:
    """Ids are cut into batches of 100 with the remainder last."""
    batches = chunk(ids(count))
    assert [len(batch) for batch in batches] == sizes
    assert [id_ for batch in batches for id_ in batch] == ids(count)


@pytest.mark.parametrize(
    ("batch_size", "sizes"),
    [
        pytest.param(1, [1, 1, 1, 1, 1], id="one"),
        pytest.param(2, [2, 2, 1], id="two"),
        pytest.param(5, [5], id="all"),
        pytest.param(MAX_BATCH, [5], id="max"),
    ],
)
def test_chunk_with_a_smaller_batch_size(batch_size: int, sizes: list[int]) -> None:
    """A smaller batch size gives more, smaller batches."""
    assert [len(batch) for batch in chunk(ids(5), batch_size)] == sizes


@given(st.lists(st.text(min_size=1), max_size=400), st.integers(min_value=1, max_value=MAX_BATCH))
def test_chunk_keeps_every_id_in_order(items: list[str], batch_size: int) -> None:
    """Concatenating the batches gives back the ids; all but the last are full."""
    batches = chunk(items, batch_size)
    assert [id_ for batch in batches for id_ in batch] == items
    assert all(len(batch) == batch_size for batch in batches[:-1])
    assert all(1 <= len(batch) <= batch_size for batch in batches)


@pytest.mark.parametrize(
    ("batch_size", "message"),
    [
        pytest.param(0, "from 1 to 100, got 0", id="zero"),
        pytest.param(-1, "from 1 to 100, got -1", id="negative"),
        pytest.param(101, "from 1 to 100, got 101", id="over-100"),
        pytest.param(True, "must be an int, got bool", id="bool"),
        pytest.param(50.0, "must be an int, got float", id="float"),
        pytest.param("50", "must be an int, got str", id="string"),
    ],
)
def test_chunk_rejects_bad_batch_sizes(batch_size: Any, message: str) -> None:
    """A batch size that is not an int from 1 to 100 raises PylonInputError."""
    with pytest.raises(PylonInputError, match=message):
        chunk(ids(3), batch_size)


def test_chunk_rejects_a_single_string() -> None:
    """A bare string is refused rather than cut into characters."""
    with pytest.raises(PylonInputError, match="not a single str"):
        chunk("acc_1")


@pytest.mark.parametrize(
    ("given_ids", "expected"),
    [
        pytest.param(["a"], ["a"], id="one"),
        pytest.param(["a", "b", "a", "c", "b"], ["a", "b", "c"], id="duplicates-first-wins"),
        pytest.param(("b", "a"), ["b", "a"], id="tuple-order-kept"),
        pytest.param((f"acc_{i % 3}" for i in range(9)), ["acc_0", "acc_1", "acc_2"],
                     id="generator"),
        pytest.param([" a "], [" a "], id="not-stripped"),
    ],
)  # fmt: skip
def test_normalize_ids(given_ids: Iterable[str], expected: list[str]) -> None:
    """Ids come back as a list in their first-seen order, duplicates dropped."""
    assert normalize_ids(given_ids) == expected


def test_normalize_then_chunk_1050_with_duplicates() -> None:
    """1,050 ids given twice still make 11 batches of unique ids."""
    batches = chunk(normalize_ids(ids(1_050) + ids(1_050)))
    assert [len(batch) for batch in batches] == [100] * 10 + [50]


@pytest.mark.parametrize(
    ("given_ids", "message"),
    [
        pytest.param([], "account_ids must contain at least one id", id="empty"),
        pytest.param(iter([]), "account_ids must contain at least one id", id="empty-iterator"),
        pytest.param("acc_1", r"not a single str; wrap one id in a list: \['acc_1'\]",
                     id="bare-string"),
        pytest.param(b"acc_1", "not a single bytes", id="bare-bytes"),
        pytest.param(42, "must be a list of ids, got int", id="not-iterable"),
        pytest.param(["a", 7], r"account_ids\[1\] must be a string, got int", id="non-string"),
        pytest.param(["a", None], r"account_ids\[1\] must be a string, got NoneType",
                     id="none"),
        pytest.param(["a", "b", ""], r"account_ids\[2\] is empty or blank", id="empty-id"),
        pytest.param([" \t"], r"account_ids\[0\] is empty or blank", id="blank-id"),
    ],
)  # fmt: skip
def test_normalize_ids_rejects_bad_input(given_ids: Any, message: str) -> None:
    """Each invalid list raises PylonInputError (a ValueError) naming the position."""
    with pytest.raises(PylonInputError, match=message) as excinfo:
        normalize_ids(given_ids)
    assert isinstance(excinfo.value, ValueError)


def test_normalize_ids_uses_the_given_name() -> None:
    """Messages name the argument the caller passed."""
    with pytest.raises(PylonInputError, match=r"^merge_account_ids\[0\]"):
        normalize_ids([""], name="merge_account_ids")


def test_check_merge_accepts_a_valid_merge() -> None:
    """A target outside the merged ids passes."""
    check_merge("acc_keep", ["acc_1", "acc_2"])


@pytest.mark.parametrize(
    ("target", "merged", "message"),
    [
        pytest.param("", ["a"], "must be a non-empty string", id="empty-target"),
        pytest.param("  ", ["a"], "must be a non-empty string", id="blank-target"),
        pytest.param(None, ["a"], "must be a non-empty string, got None", id="none-target"),
        pytest.param(7, ["a"], "must be a non-empty string, got 7", id="int-target"),
        pytest.param("a", ["b", "a"], "merged into itself", id="target-in-ids"),
        pytest.param("a", "abc", "not a single str", id="ids-is-a-string"),
    ],
)
def test_check_merge_rejects_bad_input(target: Any, merged: Any, message: str) -> None:
    """A blank target, or a target among the merged ids, raises PylonInputError."""
    with pytest.raises(PylonInputError, match=message):
        check_merge(target, merged)


def test_bulk_result_bookkeeping() -> None:
    """Successes and failures are recorded per id, request ids per batch."""
    result = BulkResult(total=5)
    error = NotFoundError("PATCH /accounts -> 404", status_code=404, request_id="req_2")
    result.record_success(["a", "b"], "req_1")
    result.record_failure(["c", "d"], error)
    result.record_success(["e"], None)
    assert result.succeeded == ["a", "b", "e"]
    assert result.failed == {"c": error, "d": error}
    assert result.request_ids == ["req_1", "req_2", None]
    assert not result.ok
    assert result.pending == 0


def test_bulk_result_ok_needs_every_id() -> None:
    """The ok property is True only when every one of the total ids succeeded."""
    result = BulkResult(total=3)
    assert not result.ok
    result.record_success(["a", "b"], "req_1")
    assert not result.ok
    assert result.pending == 1
    result.record_success(["c"], "req_2")
    assert result.ok
    result.raise_for_failures()


def test_bulk_result_keeps_batch_order_when_batches_finish_out_of_order() -> None:
    """With batch indexes, request_ids follow batch order, not completion order."""
    result = BulkResult(total=102)
    result.record_success(ids(100), "req_2", batch=2)
    result.record_failure(["x"], RuntimeError("connection reset"), batch=0)
    result.record_success(["y"], "req_1", batch=1)
    assert result.request_ids == [None, "req_1", "req_2"]


def test_bulk_result_rejects_negative_batch_index() -> None:
    """A negative batch index is a programming error."""
    with pytest.raises(PylonInputError, match="batch index"):
        BulkResult(total=1).record_success(["a"], "req", batch=-1)


def test_bulk_result_repr_counts() -> None:
    """The repr shows counts, not ids."""
    result = BulkResult(total=1_050)
    result.record_success(ids(100), "req_1")
    result.record_failure(ids(200)[100:], RuntimeError("boom"))
    assert repr(result) == "BulkResult(total=1050, succeeded=100, failed=100, batches=2)"
    assert "acc_" not in repr(result)


def test_raise_for_failures_lists_every_failed_id() -> None:
    """A few failures are all named, with the first error, and kept on the exception."""
    result = BulkResult(total=4)
    error = RateLimitError("rate limited", status_code=429, retry_after=3.0)
    result.record_success(["a", "b"], "req_1")
    result.record_failure(["c", "d"], error)
    with pytest.raises(BulkError) as excinfo:
        result.raise_for_failures()
    assert str(excinfo.value) == (
        "2 of 4 ids failed: 'c', 'd' (first error: RateLimitError: rate limited)"
    )
    assert excinfo.value.failed == {"c": error, "d": error}
    assert excinfo.value.__cause__ is error


def test_raise_for_failures_truncates_long_lists() -> None:
    """Over 20 failures, the first 20 are named and the rest counted."""
    result = BulkResult(total=250)
    result.record_failure(ids(250), RuntimeError("boom"))
    with pytest.raises(BulkError) as excinfo:
        result.raise_for_failures()
    message = str(excinfo.value)
    assert message.startswith("250 of 250 ids failed: 'acc_0', 'acc_1', ")
    assert "'acc_19' and 230 more (first error: RuntimeError: boom)" in message
    assert "'acc_20'" not in message
    assert len(excinfo.value.failed) == 250


def test_raise_for_failures_without_failures_does_nothing() -> None:
    """No failure, no exception."""
    BulkResult(total=0).raise_for_failures()


@pytest.mark.parametrize(
    ("error", "narrowed"),
    [
        pytest.param(BadRequestError("x", status_code=400), True, id="400"),
        pytest.param(NotFoundError("x", status_code=404), True, id="404"),
        pytest.param(PylonAPIError("x", status_code=422), True, id="422"),
        pytest.param(AuthenticationError("x", status_code=401), False, id="401"),
        pytest.param(PermissionDeniedError("x", status_code=403), False, id="403"),
        pytest.param(ConflictError("x", status_code=409), False, id="409"),
        pytest.param(PayloadTooLargeError("x", status_code=413), False, id="413"),
        pytest.param(RateLimitError("x", status_code=429), False, id="429"),
        pytest.param(InternalServerError("x", status_code=500), False, id="500"),
        pytest.param(InternalServerError("x", status_code=503), False, id="503"),
        pytest.param(PylonAPIError("success: false", status_code=200), False, id="success-false"),
        pytest.param(PylonConnectionError("reset"), False, id="connection"),
        pytest.param(PylonTimeoutError("slow"), False, id="timeout"),
        pytest.param(RuntimeError("bug"), False, id="not-pylon"),
    ],
)
def test_can_narrow_only_refusals_that_can_be_about_the_ids(
    error: BaseException, narrowed: bool
) -> None:
    """400, 404 and 422 are narrowed; token, rate, server and network errors are not."""
    assert can_narrow(error) is narrowed


@pytest.mark.parametrize(
    ("count", "sizes"),
    [
        pytest.param(2, (1, 1), id="2"),
        pytest.param(3, (1, 2), id="3"),
        pytest.param(25, (12, 13), id="25"),
        pytest.param(100, (50, 50), id="100"),
    ],
)
def test_halves_split_in_order_with_the_longer_half_second(
    count: int, sizes: tuple[int, int]
) -> None:
    """Halves keep the order; an odd count puts the extra id in the second half."""
    first, second = halves(ids(count))
    assert (len(first), len(second)) == sizes
    assert first + second == ids(count)


@given(st.lists(st.text(min_size=1), min_size=2, max_size=MAX_BATCH))
def test_halves_are_never_empty_and_differ_by_at_most_one(items: list[str]) -> None:
    """Any list of two or more ids splits into two non-empty halves that give it back."""
    first, second = halves(items)
    assert first
    assert second
    assert 0 <= len(second) - len(first) <= 1
    assert first + second == items


@pytest.mark.parametrize("count", [pytest.param(0, id="0"), pytest.param(1, id="1")])
def test_halves_needs_two_ids(count: int) -> None:
    """Fewer than two ids cannot be split: a programming error."""
    with pytest.raises(PylonInputError, match="at least two ids"):
        halves(ids(count))


def _refusal(*errors: str, status: int = 400, code: str = "invalid_request_body") -> PylonAPIError:
    return PylonAPIError("x", status_code=status, code=code, errors=list(errors), request_id="r")


@pytest.mark.parametrize(
    ("others", "same"),
    [
        pytest.param([_refusal("owner_id: no user")], True, id="same"),
        pytest.param([_refusal("owner_id: no user"), _refusal("owner_id: no user")], True, id="3"),
        pytest.param([_refusal("no account with id 'a'")], False, id="other-message"),
        pytest.param([_refusal("owner_id: no user", status=404)], False, id="other-status"),
        pytest.param([_refusal("owner_id: no user", code="not_found")], False, id="other-code"),
    ],
)
def test_same_refusal_compares_status_code_and_messages(
    others: list[PylonAPIError], same: bool
) -> None:
    """Refusals are the same when status, code and messages are; request ids do not count."""
    first = PylonAPIError(
        "y",
        status_code=400,
        code="invalid_request_body",
        errors=["owner_id: no user"],
        request_id="other",
    )
    assert same_refusal(first, *others) is same


def test_bulk_result_narrowing_keeps_the_batch_request_id_and_each_settling_one() -> None:
    """A narrowed batch keeps its own request id; each id keeps the one that settled it."""
    result = BulkResult(total=4)
    whole = BadRequestError("refused", status_code=400, request_id="req_1")
    alone = BadRequestError("no account 'c'", status_code=400, request_id="req_4")
    result.record_narrowing(whole, batch=0)
    result.record_success(["a", "b"], "req_2", batch=0)
    result.record_refusal("c", alone, batch=0)
    result.record_success(["d"], "req_5", batch=1)
    assert result.request_ids == ["req_1", "req_5"]
    assert result.settled_by == {"a": "req_2", "b": "req_2", "c": "req_4", "d": "req_5"}
    assert result.failed == result.refused == {"c": alone}
    assert result.succeeded == ["a", "b", "d"]
    assert result.pending == 0
    assert repr(result) == "BulkResult(total=4, succeeded=3, failed=1, batches=2)"


def test_bulk_result_failures_are_not_refusals() -> None:
    """A batch failed for another reason is in failed only, with its request id per id."""
    result = BulkResult(total=2)
    error = InternalServerError("boom", status_code=500, request_id="req_9")
    result.record_failure(["a", "b"], error, batch=0)
    assert result.refused == {}
    assert result.settled_by == {"a": "req_9", "b": "req_9"}
    assert result.request_ids == ["req_9"]
