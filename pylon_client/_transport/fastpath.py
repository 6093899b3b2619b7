"""When the msgspec decoder is loaded: once the answers read so far would have paid for it.

Importing msgspec and the accelerator costs about 12 ms on the machine ``make bench`` reports
from (``benchmarks/README.md``, section 2), and the decoder saves 5 to 10 µs per kilobyte of
answer over ``json.loads`` and ``from_dict``. A script that reads one page would lose more to
the import than it gains, so with ``accelerate=None`` (the default, msgspec installed) the
client parses the usual way until it has read :data:`PAYS_AFTER` bytes of answers, then loads
the decoder and uses it from the next answer on (the one that crosses the line included). It
is the ski-rental rule: whatever the traffic, what the client pays never exceeds twice what
the best choice in hindsight would have cost, and a long export decodes all but its first two
megabytes with msgspec. ``accelerate=True`` loads the decoder at once.

Nothing here imports msgspec: :class:`WhenItPays` does, through ``accel``, on the crossing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

__all__ = ["PAYS_AFTER", "WhenItPays"]

PAYS_AFTER = 2 * 1024 * 1024
"""Bytes of answers read the usual way before the decoder is loaded: its import's cost (about
12 ms) over what it saves (5 to 10 µs a kilobyte), rounded up."""

Decoder = Callable[[bytes], Any]


def _none(parse: Callable[[Any], Any]) -> None:
    return None


class WhenItPays:
    """A fast-decoder factory for the core that loads ``accel`` once :data:`PAYS_AFTER` is read.

    Until then each request's decoder only counts the bytes of its answer and steps aside
    (returns None: the usual path parses it). Counting is per client and its copies; two
    threads may count one answer late, which only moves the crossing by an answer.
    """

    __slots__ = ("_fast", "_read", "_threshold")

    def __init__(self, threshold: int = PAYS_AFTER) -> None:
        self._fast: Callable[[Callable[[Any], Any]], Decoder | None] | None = None
        self._read = 0
        self._threshold = threshold

    def __call__(self, parse: Callable[[Any], Any]) -> Decoder | None:
        """Return the decoder of ``parse``'s answers (for the request about to be sent)."""
        if self._fast is not None:
            return self._fast(parse)
        return functools.partial(self._count, parse)

    @property
    def loaded(self) -> bool:
        """Whether the decoder has been loaded."""
        return self._fast is not None

    def _count(self, parse: Callable[[Any], Any], content: bytes) -> Any:
        if self._fast is None:
            self._read += len(content)
            if self._read < self._threshold:
                return None
            try:
                from .accel import fast_decoder
            except ImportError:  # msgspec is there but does not load: stay on the usual path
                self._fast = _none
                return None
            self._fast = fast_decoder
        decode = self._fast(parse)
        return decode(content) if decode is not None else None
