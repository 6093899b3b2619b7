"""The rate limiter's default clock: the running event loop's, read cheaply.

A paced request reads the clock twice (taking its turn, then counting it once answered).
``anyio.current_time()`` first finds out which library runs (sniffio), which costs more than
the rest of the limiter's bookkeeping; under asyncio the running loop is one C call away.
"""

from __future__ import annotations

import sys

import anyio

__all__ = ["loop_time"]


def loop_time() -> float:
    """Return ``anyio.current_time()``, the running event loop's clock, cheaply under asyncio.

    anyio first finds out which library runs (sniffio), which costs more than the rest of a
    paced request's bookkeeping, twice per request; asyncio's running loop is one C call away.
    Under trio (no asyncio loop running) this is ``anyio.current_time()`` itself. asyncio is
    looked up, never imported: a trio program need not load it.
    """
    asyncio = sys.modules.get("asyncio")
    if asyncio is not None:
        try:
            return float(asyncio.get_running_loop().time())
        except RuntimeError:  # no asyncio loop in this thread: trio's, or none
            pass
    return anyio.current_time()
