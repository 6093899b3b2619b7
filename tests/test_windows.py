from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pylon_client._exceptions import PylonInputError
from pylon_client._export.windows import (
    DEFAULT_MAX_WINDOW,
    Window,
    belongs_to,
    format_rfc3339,
    split_windows,
    to_utc,
)

JAN_1 = datetime(2026, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)

# Fixed offsets strictly inside (-24h, 24h), to the minute, zero excluded: every generated
# datetime needs a real conversion to UTC.
offsets = (
    st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1)
    .filter(lambda minutes: minutes != 0)
    .map(lambda minutes: timezone(timedelta(minutes=minutes)))
)
aware_datetimes = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=offsets
)
window_sizes = st.integers(min_value=1, max_value=DEFAULT_MAX_WINDOW // MICROSECOND).map(
    lambda us: timedelta(microseconds=us)
)

# A start, an end and a window size.
Range = tuple[datetime, datetime, timedelta]


@st.composite
def ranges(draw: st.DrawFn) -> Range:
    """Draw a start, an end and a window size giving at most a few hundred windows."""
    window = draw(window_sizes)
    start = draw(aware_datetimes)
    span_us = draw(st.integers(min_value=1, max_value=(window // MICROSECOND) * 300))
    # The end gets its own offset, so start and end are rarely in the same timezone.
    end = (start + timedelta(microseconds=span_us)).astimezone(draw(offsets))
    return start, end, window


@given(ranges())
def test_split_windows_tiles_the_range_exactly(case: Range) -> None:
    """The windows start at start, end at end, and each begins where the previous one ends."""
    start, end, window = case
    windows = split_windows(start, end, window)
    assert windows[0].start == start
    assert windows[-1].end == end
    for before, after in itertools.pairwise(windows):
        assert before.end == after.start


@given(ranges())
def test_split_windows_are_chronological_and_within_size(
    case: Range,
) -> None:
    """Every window is non-empty, at most `window` long, and all but the last are exactly it."""
    start, end, window = case
    windows = split_windows(start, end, window)
    assert all(w.start < w.end for w in windows)
    assert all(w.duration == window for w in windows[:-1])
    assert timedelta(0) < windows[-1].duration <= window
    assert windows == sorted(windows, key=lambda w: w.start)


@given(ranges())
def test_split_windows_count_is_the_ceiling(case: Range) -> None:
    """There are exactly ceil(span / window) windows, computed in integer microseconds."""
    start, end, window = case
    span_us = (end - start) // MICROSECOND
    window_us = window // MICROSECOND
    expected = -(-span_us // window_us)
    assert len(split_windows(start, end, window)) == expected


@given(ranges())
def test_split_windows_are_in_utc(case: Range) -> None:
    """Every window edge is a UTC datetime whatever the offsets of the input."""
    start, end, window = case
    for w in split_windows(start, end, window):
        assert w.start.tzinfo is UTC
        assert w.end.tzinfo is UTC


@given(ranges(), aware_datetimes)
def test_each_instant_belongs_to_exactly_one_window(case: Range, instant: datetime) -> None:
    """An instant inside [start, end) belongs to one window; outside it, to none."""
    start, end, window = case
    windows = split_windows(start, end, window)
    owners = [w for w in windows if belongs_to(w, instant)]
    assert len(owners) == (1 if start <= instant < end else 0)


@pytest.mark.parametrize(
    ("span", "window", "count"),
    [
        pytest.param(timedelta(days=30), timedelta(days=30), 1, id="exactly-one-window"),
        pytest.param(timedelta(days=60), timedelta(days=30), 2, id="exact-multiple"),
        pytest.param(timedelta(days=60, microseconds=1), timedelta(days=30), 3, id="one-us-over"),
        pytest.param(MICROSECOND, timedelta(days=30), 1, id="one-microsecond"),
        pytest.param(timedelta(days=365), timedelta(days=30), 13, id="a-year-in-30-days"),
    ],
)
def test_split_windows_counts(span: timedelta, window: timedelta, count: int) -> None:
    """Known spans give the expected number of windows."""
    assert len(split_windows(JAN_1, JAN_1 + span, window)) == count


def test_split_windows_default_is_30_days() -> None:
    """Without a window argument, windows are 30 days long."""
    windows = split_windows(JAN_1, JAN_1 + timedelta(days=45))
    assert [w.duration for w in windows] == [timedelta(days=30), timedelta(days=15)]


def test_split_windows_converts_offsets_to_utc() -> None:
    """A +05:30 start and a -08:00 end are the same instants in UTC."""
    start = datetime(2026, 1, 1, 5, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    end = datetime(2026, 1, 1, 16, 0, tzinfo=timezone(timedelta(hours=-8)))
    [window] = split_windows(start, end)
    assert window == Window(JAN_1, datetime(2026, 1, 2, tzinfo=UTC))


def test_split_windows_across_a_dst_change() -> None:
    """A named zone's DST change does not shift the UTC windows."""
    new_york = ZoneInfo("America/New_York")
    start = datetime(2026, 3, 1, tzinfo=new_york)  # EST, UTC-5
    end = datetime(2026, 3, 15, tzinfo=new_york)  # EDT, UTC-4
    [window] = split_windows(start, end)
    assert window.start == datetime(2026, 3, 1, 5, tzinfo=UTC)
    assert window.end == datetime(2026, 3, 15, 4, tzinfo=UTC)


def test_split_windows_accepts_dates_as_midnight_utc() -> None:
    """Date objects mean midnight UTC."""
    [window] = split_windows(date(2026, 1, 1), date(2026, 1, 2))
    assert window == Window(JAN_1, datetime(2026, 1, 2, tzinfo=UTC))


def test_split_windows_raising_the_maximum_allows_a_year() -> None:
    """With max_window=365 days, a 365-day window is one request."""
    year = timedelta(days=365)
    [window] = split_windows(JAN_1, JAN_1 + year, year, max_window=year)
    assert window.duration == year


def test_split_windows_near_the_end_of_time() -> None:
    """A range ending at datetime.max does not overflow."""
    end = datetime.max.replace(tzinfo=UTC)
    windows = split_windows(end - timedelta(days=45), end)
    assert windows[-1].end == end
    assert len(windows) == 2


@pytest.mark.parametrize(
    ("start", "end", "window", "message"),
    [
        pytest.param(datetime(2026, 1, 1), JAN_1 + timedelta(days=1), DEFAULT_MAX_WINDOW,
                     "start is a naive datetime", id="naive-start"),
        pytest.param(JAN_1, datetime(2026, 1, 2), DEFAULT_MAX_WINDOW,
                     "end is a naive datetime", id="naive-end"),
        pytest.param(JAN_1, JAN_1, DEFAULT_MAX_WINDOW,
                     "must be after start", id="end-equals-start"),
        pytest.param(JAN_1, JAN_1 - MICROSECOND, DEFAULT_MAX_WINDOW,
                     "must be after start", id="end-before-start"),
        pytest.param(JAN_1, JAN_1 + timedelta(days=1), timedelta(0),
                     "positive timedelta", id="window-zero"),
        pytest.param(JAN_1, JAN_1 + timedelta(days=1), -timedelta(days=1),
                     "positive timedelta", id="window-negative"),
        pytest.param(JAN_1, JAN_1 + timedelta(days=1), 3600,
                     "positive timedelta", id="window-not-timedelta"),
        pytest.param(JAN_1, JAN_1 + timedelta(days=60), timedelta(days=30, microseconds=1),
                     "max_issue_window=timedelta", id="window-over-maximum"),
        pytest.param("2026-01-01", JAN_1, DEFAULT_MAX_WINDOW,
                     "start must be a datetime or a date", id="start-is-a-string"),
    ],
)  # fmt: skip
def test_split_windows_rejects_bad_input(start: Any, end: Any, window: Any, message: str) -> None:
    """Each invalid argument raises PylonInputError (a ValueError) saying what is wrong."""
    with pytest.raises(PylonInputError, match=message) as excinfo:
        split_windows(start, end, window)
    assert isinstance(excinfo.value, ValueError)


def test_split_windows_rejects_a_non_positive_maximum() -> None:
    """max_window must itself be positive."""
    with pytest.raises(PylonInputError, match="max_window must be a positive"):
        split_windows(JAN_1, JAN_1 + timedelta(days=1), timedelta(days=1), max_window=timedelta(0))


def test_split_windows_over_a_raised_maximum_still_fails() -> None:
    """A window over a raised maximum is still refused."""
    with pytest.raises(PylonInputError, match="a window of 366 days exceeds the 365 days"):
        split_windows(
            JAN_1, JAN_1 + timedelta(days=400), timedelta(days=366), max_window=timedelta(days=365)
        )


def test_the_window_hint_names_the_real_settings() -> None:
    """The hint names max_issue_window and --max-window, and says days as a person would."""
    with pytest.raises(PylonInputError) as info:
        split_windows(JAN_1, JAN_1 + timedelta(days=90), timedelta(days=45))
    text = str(info.value)
    assert "a window of 45 days exceeds the 30 days" in text
    assert "AsyncPylon(max_issue_window=timedelta(days=365))" in text
    assert "--max-window 365d" in text
    assert "0:00:00" not in text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(JAN_1, JAN_1, id="utc"),
        pytest.param(
            datetime(2026, 1, 1, 2, tzinfo=timezone(timedelta(hours=2))), JAN_1, id="plus-two"
        ),
        pytest.param(
            datetime(2025, 12, 31, 19, tzinfo=timezone(timedelta(hours=-5))), JAN_1, id="minus-five"
        ),
        pytest.param(date(2026, 1, 1), JAN_1, id="date-is-midnight-utc"),
    ],
)
def test_to_utc(value: datetime | date, expected: datetime) -> None:
    """Aware datetimes are converted to UTC and dates mean midnight UTC."""
    result = to_utc(value, name="start")
    assert result == expected
    assert result.tzinfo is UTC


def test_to_utc_rejects_naive_datetimes_by_name() -> None:
    """A naive datetime is refused, and the message names the argument."""
    with pytest.raises(PylonInputError, match=r"^since is a naive datetime"):
        to_utc(datetime(2026, 1, 1), name="since")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(JAN_1, "2026-01-01T00:00:00Z", id="whole-seconds"),
        pytest.param(JAN_1.replace(microsecond=1500), "2026-01-01T00:00:00.001500Z", id="micros"),
        pytest.param(
            datetime(2026, 1, 1, 1, tzinfo=timezone(timedelta(hours=1))),
            "2026-01-01T00:00:00Z",
            id="offset-converted",
        ),
        pytest.param(date(2026, 1, 1), "2026-01-01T00:00:00Z", id="date"),
    ],
)
def test_format_rfc3339(value: datetime | date, expected: str) -> None:
    """Timestamps are UTC with a Z suffix and microseconds only when non-zero."""
    assert format_rfc3339(value) == expected


def test_format_rfc3339_rejects_naive_datetimes() -> None:
    """A naive datetime cannot be formatted as an instant."""
    with pytest.raises(PylonInputError, match="naive"):
        format_rfc3339(datetime(2026, 1, 1))


@given(aware_datetimes)
def test_format_rfc3339_round_trips(value: datetime) -> None:
    """Reading the formatted text back gives the same instant."""
    assert datetime.fromisoformat(format_rfc3339(value)) == value


def test_window_normalises_to_utc_and_rejects_empty() -> None:
    """Window converts its edges to UTC and refuses end <= start."""
    window = Window(datetime(2026, 1, 1, 1, tzinfo=timezone(timedelta(hours=1))), date(2026, 1, 2))
    assert window.start == JAN_1
    assert window.start.tzinfo is UTC
    with pytest.raises(PylonInputError, match="must be after start"):
        Window(JAN_1, JAN_1)


def test_window_contains_is_half_open() -> None:
    """contains() includes the start and excludes the end."""
    window = Window(JAN_1, JAN_1 + timedelta(days=1))
    assert window.contains(JAN_1)
    assert window.contains(JAN_1 + timedelta(days=1) - MICROSECOND)
    assert not window.contains(JAN_1 + timedelta(days=1))
    assert not window.contains(JAN_1 - MICROSECOND)


def test_window_to_params() -> None:
    """to_params() gives GET /issues its start_time and end_time."""
    window = Window(JAN_1, JAN_1 + timedelta(days=1))
    assert window.to_params() == {
        "start_time": "2026-01-01T00:00:00Z",
        "end_time": "2026-01-02T00:00:00Z",
    }


FIRST = Window(JAN_1, JAN_1 + timedelta(days=1))
SECOND = Window(JAN_1 + timedelta(days=1), JAN_1 + timedelta(days=2))


@pytest.mark.parametrize(
    ("window", "created_at", "expected"),
    [
        pytest.param(FIRST, JAN_1, True, id="at-start-belongs"),
        pytest.param(FIRST, JAN_1 + timedelta(days=1), False, id="at-end-does-not"),
        pytest.param(SECOND, JAN_1 + timedelta(days=1), True, id="at-end-belongs-to-next"),
        pytest.param(FIRST, JAN_1 - MICROSECOND, False, id="before-start"),
        pytest.param(FIRST, "2026-01-01T00:00:00Z", True, id="string-z-at-start"),
        pytest.param(FIRST, "2026-01-02T00:00:00Z", False, id="string-z-at-end"),
        pytest.param(SECOND, "2026-01-02T00:00:00Z", True, id="string-z-next-window"),
        pytest.param(FIRST, "2026-01-02T01:00:00+01:00", False, id="string-offset-at-end"),
        pytest.param(FIRST, "2026-01-01T23:59:59.999999Z", True, id="string-last-microsecond"),
        pytest.param(FIRST, "yesterday", True, id="unparseable-is-kept"),
        pytest.param(SECOND, "", True, id="empty-string-is-kept"),
        pytest.param(SECOND, "2026-01-01T12:00:00", True, id="no-offset-is-kept"),
        pytest.param(SECOND, datetime(2026, 1, 1, 12), True, id="naive-datetime-is-kept"),
        pytest.param(SECOND, None, True, id="missing-is-kept"),
    ],
)
def test_belongs_to(window: Window, created_at: datetime | str | None, expected: bool) -> None:
    """An issue at a boundary belongs to the window starting there; unplaceable ones are kept."""
    assert belongs_to(window, created_at) is expected


def test_belongs_to_drops_the_boundary_duplicate() -> None:
    """An issue returned by two adjacent windows survives only in the later one."""
    boundary = "2026-01-02T00:00:00Z"
    kept = [w for w in (FIRST, SECOND) if belongs_to(w, boundary)]
    assert kept == [SECOND]
