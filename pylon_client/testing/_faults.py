"""Fault injection: latency, error statuses, dropped connections, truncated and slow bodies.

When each fault strikes, relative to the state change:

================  ======================  ==================================================
fault             when                    what the client observes
================  ======================  ==================================================
latency/jitter    before                  the response arrives later (``clock.sleep``)
error_rates       before (no change)      that status; 500 in Pylon's envelope with code
                                          ``internal_error``; 502/503 as a gateway's HTML
                                          page; 429 in the envelope with ``Retry-After``
drop_rate         before (no change)      no response: see below
drop_after_rate   after (state changed)   no response, though the write took effect
truncate_rate     after (state changed)   a 200 whose JSON body is cut in half (with a
                                          matching Content-Length, so it parses as HTTP)
slow_body         after                   the body arrives in chunks, ``slow_body`` seconds
                                          apart
================  ======================  ==================================================

A dropped connection sends the status line and headers and then fails the ASGI call with
:class:`ConnectionDropped` (an ``httpx.RemoteProtocolError``). In process, through
``httpx.ASGITransport``, the client gets that exception raised from ``send``. On a socket,
uvicorn closes the connection mid-response and httpx raises its own ``RemoteProtocolError``
(and uvicorn logs the exception). Either way the client sees an ``httpx.TransportError`` and
no status, as when a real network loses a response.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Literal

import attrs
import httpx

__all__ = ["ConnectionDropped", "FaultPlan", "Faults"]

BeforeFault = Literal["error", "drop"] | None
AfterFault = Literal["drop_after", "truncate"] | None


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised by the fake's ASGI app to lose a response, as a broken connection would."""


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _methods(value: Iterable[str] | None) -> frozenset[str] | None:
    return None if value is None else frozenset(m.upper() for m in value)


def _rate(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value}")


@attrs.frozen
class FaultPlan:
    """What the faults decided for one request."""

    delay: float = 0.0
    before: BeforeFault = None
    status: int = 0
    after: AfterFault = None
    slow_body: float = 0.0
    chunk_size: int = 64


@attrs.frozen
class Faults:
    """Faults to inject, drawn per request from a seeded RNG.

    Rates are probabilities in 0..1. ``error_rates`` maps a status (500, 502, 503, 429, ...) to
    its rate; with ``drop_rate`` their sum must not exceed 1, as must ``drop_after_rate`` plus
    ``truncate_rate``. ``methods`` (e.g. ``{"POST"}``) and ``path_prefix`` (e.g. ``"/issues"``)
    scope the faults; requests outside the scope pass untouched. Defaults: no fault at all.

    Example::

        fake.faults = Faults(error_rates={503: 0.2}, latency=0.05, path_prefix="/issues")
    """

    latency: float = attrs.field(default=0.0, converter=_seconds)
    jitter: float = attrs.field(default=0.0, converter=_seconds)
    error_rates: Mapping[int, float] = attrs.field(factory=dict)
    drop_rate: float = attrs.field(default=0.0, validator=_rate)
    drop_after_rate: float = attrs.field(default=0.0, validator=_rate)
    truncate_rate: float = attrs.field(default=0.0, validator=_rate)
    slow_body: float = attrs.field(default=0.0, converter=_seconds)
    slow_body_chunk: int = 64
    retry_after: float = attrs.field(default=1.0, converter=_seconds)
    methods: frozenset[str] | None = attrs.field(default=None, converter=_methods)
    path_prefix: str | None = None
    seed: int = 0
    _rng: random.Random = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        for status, rate in self.error_rates.items():
            if status < 400 or not 0.0 <= rate <= 1.0:
                raise ValueError(f"error_rates[{status}]: need a status >= 400 and a rate in 0..1")
        if sum(self.error_rates.values()) + self.drop_rate > 1.0:
            raise ValueError("error_rates and drop_rate add up to more than 1")
        if self.drop_after_rate + self.truncate_rate > 1.0:
            raise ValueError("drop_after_rate and truncate_rate add up to more than 1")
        # The RNG is state of a frozen instance: drawing from it is the one mutation allowed.
        object.__setattr__(self, "_rng", random.Random(self.seed))  # noqa: S311 - test data

    def applies_to(self, method: str, path: str) -> bool:
        """Return True if a request to ``method path`` is in scope."""
        if self.methods is not None and method.upper() not in self.methods:
            return False
        return self.path_prefix is None or path.startswith(self.path_prefix)

    def plan(self, method: str, path: str) -> FaultPlan:
        """Draw the faults for one request."""
        if not self.applies_to(method, path):
            return FaultPlan()
        rng = self._rng
        delay = self.latency + (rng.uniform(0.0, self.jitter) if self.jitter else 0.0)
        before: BeforeFault = None
        status = 0
        draw = rng.random()
        for code, rate in sorted(self.error_rates.items()):
            if draw < rate:
                before, status = "error", code
                break
            draw -= rate
        else:
            if draw < self.drop_rate:
                before = "drop"
        after: AfterFault = None
        draw = rng.random()
        if draw < self.drop_after_rate:
            after = "drop_after"
        elif draw < self.drop_after_rate + self.truncate_rate:
            after = "truncate"
        return FaultPlan(
            delay=delay,
            before=before,
            status=status,
            after=after,
            slow_body=self.slow_body,
            chunk_size=max(self.slow_body_chunk, 1),
        )
