"""Time windows: split a long range into windows Pylon accepts, and the arithmetic on them.

The issue export (``GET /issues``, on ``created_at``) and the change feeds (searches on
``updated_at``) both cut their range here, halve a window whose results take more than a page,
and keep the finished part of a range as merged intervals for their checkpoints.

``GET /issues`` requires ``start_time`` and ``end_time`` (RFC 3339). They filter on ``created_at``
with the start inclusive and the end exclusive, and the span may not exceed a maximum: 30 days in
the vendored spec, 365 days in Pylon's newer SDK. The maximum is therefore a setting
(``max_window``) with :data:`DEFAULT_MAX_WINDOW` as the default, never a constant baked into the
splitter.

Everything here is pure: no I/O and no event loop. The client wraps these functions with HTTP.

Naive datetimes (no ``tzinfo``) are rejected with :class:`~pylon_client.PylonInputError` rather
than assumed to be UTC or local time: guessing wrong would silently shift every window by hours
and miss or repeat issues at the edges.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

import attrs

from .._exceptions import PylonInputError

__all__ = [
    "DEFAULT_MAX_WINDOW",
    "Window",
    "belongs_to",
    "format_rfc3339",
    "halve",
    "merge_windows",
    "rfc3339_argument",
    "split_windows",
    "subtract_windows",
    "to_utc",
]

DEFAULT_MAX_WINDOW = timedelta(days=30)
"""The widest window ``GET /issues`` accepts by default (the vendored spec's 30 days)."""


def to_utc(value: datetime | date, *, name: str) -> datetime:
    """Return ``value`` as a timezone-aware datetime in UTC.

    - an aware ``datetime`` is converted to UTC (``+02:00`` becomes two hours earlier, in UTC);
    - a ``date`` (not a ``datetime``) means midnight UTC of that day;
    - a naive ``datetime`` raises :class:`~pylon_client.PylonInputError` naming the argument,
      because there is no safe guess for its timezone.

    >>> to_utc(date(2026, 1, 1), name="start")
    datetime.datetime(2026, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)
    >>> from datetime import timezone
    >>> to_utc(datetime(2026, 1, 1, 2, 0, tzinfo=timezone(timedelta(hours=2))), name="start")
    datetime.datetime(2026, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)
    """
    # datetime is a subclass of date, so it must be tested first.
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise PylonInputError(
                f"{name} is a naive datetime ({value.isoformat()}); pass a timezone-aware "
                f"datetime, e.g. {name}.replace(tzinfo=datetime.timezone.utc)"
            )
        return value.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    raise PylonInputError(
        f"{name} must be a datetime or a date, got {type(value).__name__}: {value!r}"
    )


def _start_to_utc(value: datetime | date) -> datetime:
    return to_utc(value, name="start")


def _end_to_utc(value: datetime | date) -> datetime:
    return to_utc(value, name="end")


@attrs.frozen
class Window:
    """A half-open time window ``[start, end)`` in UTC.

    Both ends are converted to UTC on construction (naive datetimes are rejected), and ``end``
    must be after ``start``.

    >>> w = Window(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC))
    >>> w.contains(datetime(2026, 1, 1, tzinfo=UTC)), w.contains(datetime(2026, 1, 2, tzinfo=UTC))
    (True, False)
    """

    start: datetime = attrs.field(converter=_start_to_utc)
    end: datetime = attrs.field(converter=_end_to_utc)

    def __attrs_post_init__(self) -> None:
        if self.end <= self.start:
            raise PylonInputError(
                f"end ({format_rfc3339(self.end)}) must be after start "
                f"({format_rfc3339(self.start)})"
            )

    @property
    def duration(self) -> timedelta:
        """The length of the window, ``end - start``."""
        return self.end - self.start

    def contains(self, dt: datetime | date) -> bool:
        """Return True when ``start <= dt < end``; a naive ``dt`` raises PylonInputError."""
        return self.start <= to_utc(dt, name="dt") < self.end

    def to_params(self) -> dict[str, str]:
        """Return the query parameters of ``GET /issues`` for this window.

        >>> Window(date(2026, 1, 1), date(2026, 1, 2)).to_params()
        {'start_time': '2026-01-01T00:00:00Z', 'end_time': '2026-01-02T00:00:00Z'}
        """
        return {"start_time": format_rfc3339(self.start), "end_time": format_rfc3339(self.end)}


def split_windows(
    start: datetime | date,
    end: datetime | date,
    window: timedelta = DEFAULT_MAX_WINDOW,
    *,
    max_window: timedelta = DEFAULT_MAX_WINDOW,
) -> list[Window]:
    """Cut ``[start, end)`` into consecutive windows of ``window``, the last one shorter.

    ``start`` and ``end`` are normalised with :func:`to_utc` (naive datetimes are rejected, a
    ``date`` means midnight UTC). The windows are in chronological order and cover ``[start, end)``
    exactly: no gap, no overlap, each at most ``window`` long, and there are
    ``ceil((end - start) / window)`` of them.

    >>> windows = split_windows(date(2026, 1, 1), date(2026, 3, 1))
    >>> [(w.start.date().isoformat(), w.end.date().isoformat()) for w in windows]
    [('2026-01-01', '2026-01-31'), ('2026-01-31', '2026-03-01')]

    Args:
        start: first instant covered (inclusive).
        end: first instant not covered (exclusive).
        window: the length of each window; default 30 days.
        max_window: the widest window Pylon accepts; default 30 days. Pass
            ``timedelta(days=365)`` for accounts where Pylon allows a year.

    Raises:
        PylonInputError: ``end`` is not after ``start``, ``window`` is not positive, or
            ``window`` exceeds ``max_window``.

    """
    start_utc = to_utc(start, name="start")
    end_utc = to_utc(end, name="end")
    if end_utc <= start_utc:
        raise PylonInputError(
            f"end ({format_rfc3339(end_utc)}) must be after start ({format_rfc3339(start_utc)})"
        )
    if not isinstance(window, timedelta) or window <= timedelta(0):
        raise PylonInputError(f"window must be a positive timedelta, got {window!r}")
    if not isinstance(max_window, timedelta) or max_window <= timedelta(0):
        raise PylonInputError(f"max_window must be a positive timedelta, got {max_window!r}")
    if window > max_window:
        raise PylonInputError(
            f"a window of {_duration(window)} exceeds the {_duration(max_window)} that GET "
            "/issues accepts; if your Pylon account allows wider windows, raise the limit: "
            "AsyncPylon(max_issue_window=timedelta(days=365)), or --max-window 365d on the "
            "command line"
        )

    # timedelta arithmetic is exact integer microseconds, so the windows tile the range with no
    # floating-point drift. Each step is min(window, what is left) rather than
    # min(cursor + window, end), so a range ending near datetime.max cannot overflow.
    windows: list[Window] = []
    cursor = start_utc
    while cursor < end_utc:
        step = min(window, end_utc - cursor)
        windows.append(Window(cursor, cursor + step))
        cursor += step
    return windows


def format_rfc3339(dt: datetime | date) -> str:
    """Format ``dt`` as RFC 3339 in UTC with a ``Z`` suffix.

    Microseconds appear only when they are not zero. Naive datetimes raise PylonInputError.

    >>> format_rfc3339(datetime(2026, 1, 1, tzinfo=UTC))
    '2026-01-01T00:00:00Z'
    >>> format_rfc3339(datetime(2026, 1, 1, 0, 0, 0, 1500, tzinfo=UTC))
    '2026-01-01T00:00:00.001500Z'
    """
    utc = to_utc(dt, name="dt")
    timespec = "microseconds" if utc.microsecond else "seconds"
    return utc.replace(tzinfo=None).isoformat(timespec=timespec) + "Z"


def _duration(span: timedelta) -> str:
    """Say a span as a person would: ``45 days``, ``1 day``, else ``timedelta``'s own text."""
    if span % timedelta(days=1):
        return str(span)
    return f"{span.days} day" + ("" if span.days == 1 else "s")


def rfc3339_argument(value: object, name: str) -> str:
    """Return a date or date-time argument as the RFC 3339 string Pylon takes.

    A ``datetime`` must be aware (it is sent in UTC); a ``date`` or a ``YYYY-MM-DD`` string
    means midnight UTC of that day; another string must already be RFC 3339 with an offset, and
    goes as it is. Anything else, an impossible day (``2026-02-30``) or a naive time raises
    :class:`~pylon_client.PylonInputError` naming the argument, before anything is sent.

    >>> rfc3339_argument(date(2026, 3, 1), "due_date")
    '2026-03-01T00:00:00Z'
    >>> rfc3339_argument("2026-03-01", "due_date")
    '2026-03-01T00:00:00Z'
    """
    if isinstance(value, date):  # a datetime too
        return format_rfc3339(to_utc(value, name=name))
    if not isinstance(value, str):
        raise PylonInputError(
            f"{name} must be a datetime, a date or an RFC 3339 string, got {type(value).__name__}"
        )
    try:
        if len(value) == 10:
            return format_rfc3339(date.fromisoformat(value))
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise PylonInputError(
            f"{name} must be a date (YYYY-MM-DD) or an RFC 3339 time, got {value!r}"
        ) from None
    if parsed.tzinfo is None:
        raise PylonInputError(f"{name} {value!r} has no UTC offset: add Z or +HH:MM")
    return value


def belongs_to(window: Window, created_at: datetime | str | None) -> bool:
    """Return True when an object stamped ``created_at`` belongs to ``window``.

    The stamp is whichever time the window filters on: ``created_at`` for ``GET /issues``,
    ``updated_at`` for the change feeds.

    Pylon documents ``end_time`` as exclusive, but a server that treats both edges as inclusive
    would return an issue created exactly at a boundary in two adjacent windows. An issue at a
    boundary belongs to the window that *starts* there, so the client drops every result that
    does not belong to the window it was fetched for. That gives exactly-once results without
    remembering every id seen.

    ``created_at`` may be a datetime or an RFC 3339 string (``Z`` or a numeric offset). When it
    cannot be placed (``None``, unparseable, or without a timezone) the result is **kept**
    (True): dropping it could lose an issue for good, while keeping it risks at most a duplicate.

    >>> w = Window(date(2026, 1, 1), date(2026, 1, 2))
    >>> belongs_to(w, "2026-01-01T00:00:00Z"), belongs_to(w, "2026-01-02T00:00:00Z")
    (True, False)
    >>> belongs_to(w, "not a timestamp")
    True
    """
    if isinstance(created_at, str):
        try:
            created_at = datetime.fromisoformat(created_at)
        except ValueError:
            return True
    if not isinstance(created_at, datetime):
        return True
    if created_at.tzinfo is None or created_at.utcoffset() is None:
        return True
    return window.start <= created_at < window.end


def halve(window: Window) -> tuple[Window, Window] | None:
    """Split ``window`` in two at a whole second, or return None if it is under two seconds.

    Timestamps Pylon sends carry whole seconds or less, so a window is not cut finer than a
    second: a burst of updates stamped with one second is read with the cursor instead.

    >>> a, b = halve(Window(date(2026, 1, 1), date(2026, 1, 2)))
    >>> format_rfc3339(a.end) == format_rfc3339(b.start) == "2026-01-01T12:00:00Z"
    True
    """
    half = timedelta(seconds=int(window.duration.total_seconds() // 2))
    if half < timedelta(seconds=1):
        return None
    mid = window.start + half
    return Window(window.start, mid), Window(mid, window.end)


def merge_windows(windows: Iterable[Window]) -> list[Window]:
    """Return the union of ``windows`` as sorted windows, adjacent and overlapping ones merged.

    >>> merged = merge_windows([Window(date(2026, 1, 2), date(2026, 1, 3)),
    ...                         Window(date(2026, 1, 1), date(2026, 1, 2))])
    >>> [(w.start.day, w.end.day) for w in merged]
    [(1, 3)]
    """
    merged: list[Window] = []
    for w in sorted(windows, key=lambda w: w.start):
        if merged and merged[-1].end >= w.start:
            if w.end > merged[-1].end:
                merged[-1] = Window(merged[-1].start, w.end)
        else:
            merged.append(w)
    return merged


def subtract_windows(windows: Iterable[Window], cut: Iterable[Window]) -> list[Window]:
    """Return the parts of ``windows`` that no window of ``cut`` covers, in their order.

    >>> left = subtract_windows([Window(date(2026, 1, 1), date(2026, 1, 5))],
    ...                         [Window(date(2026, 1, 2), date(2026, 1, 3))])
    >>> [(w.start.day, w.end.day) for w in left]
    [(1, 2), (3, 5)]
    """
    out = list(windows)
    for c in cut:
        nxt: list[Window] = []
        for w in out:
            if c.end <= w.start or c.start >= w.end:
                nxt.append(w)
                continue
            if w.start < c.start:
                nxt.append(Window(w.start, c.start))
            if c.end < w.end:
                nxt.append(Window(c.end, w.end))
        out = nxt
    return out
