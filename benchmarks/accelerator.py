"""Rows of section 1: parsing one page of 100 tasks, with and without the msgspec decoder.

Parsing alone, no HTTP: each figure is the time to turn the page's bytes into what
``pylon.tasks.list`` yields (a ``PageData`` of ``Task`` models), over ``json.loads`` of the same
bytes. Two ways, on two bodies:

usual path
    ``json.loads``, then the generated parse function (``Task.from_dict`` per item): what the
    client does without msgspec.
msgspec decoder
    ``pylon_client._transport.accel`` (``pylon-client[fast]``): typed decoding into Structs in
    C, then the same attrs models. Needs msgspec (installed in ``.venv-bench``); the row says
    so without it.

The bodies: the three pages of section 1 (:data:`benchmarks._bodies.PAGE_BODIES`: short tasks
with the documented keys, the longer tasks, the short tasks grown with keys the document lacks),
and the longer page with a key Pylon does not document in every reference. On a grown body the
Structs refuse (a key they do not declare), msgspec reads the body's values instead and the
generated ``from_dict`` builds the models, keeping the keys in ``additional_properties``: the
row is what the client pays, the refused attempt included.
"""

from __future__ import annotations

import gc
import importlib.util
import json
import statistics
import time
from collections.abc import Callable

from pylon_client._generated.resources.tasks import _page_task

from ._bodies import PAGE_BODIES, PAGE_BODY_EXTRA_KEYS
from ._table import Row, fmt_ratio, fmt_us

__all__ = ["rows"]

ROUNDS = 9
BLOCK = 30


def _time(fn: Callable[[], object]) -> float:
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        for _ in range(BLOCK):
            fn()
        return (time.perf_counter() - started) / BLOCK
    finally:
        gc.enable()


def _cases(body: bytes) -> dict[str, Callable[[], object]]:
    cases: dict[str, Callable[[], object]] = {
        "json.loads": lambda: json.loads(body),
        "usual path": lambda: _page_task(json.loads(body)),
    }
    if importlib.util.find_spec("msgspec") is not None:
        from pylon_client._transport.accel import Parsed, fast_decoder

        fast = fast_decoder(_page_task)
        assert fast is not None

        def decoded() -> object:
            answer = fast(body)
            if isinstance(answer, Parsed):
                return answer.value
            # Refused by the Structs: the values msgspec read, built by from_dict.
            return _page_task(answer.value if answer is not None else json.loads(body))

        assert decoded() == _page_task(json.loads(body)), "the two paths differ"
        cases["msgspec decoder"] = decoded
    return cases


def rows() -> list[Row]:
    """Return the parse-only rows for both bodies."""
    out: list[Row] = []
    bodies = [(f" ({name} tasks)", body) for name, body in PAGE_BODIES.items()]
    bodies.append((" (long tasks, undocumented keys)", PAGE_BODY_EXTRA_KEYS))
    for label, body in bodies:
        cases = _cases(body)
        for fn in cases.values():
            fn()
        times: dict[str, list[float]] = {name: [] for name in cases}
        for r in range(ROUNDS):
            names = list(cases)
            for name in names[r % len(names) :] + names[: r % len(names)]:
                times[name].append(_time(cases[name]))
        base = statistics.median(times["json.loads"])
        for name in ("usual path", "msgspec decoder"):
            case = f"parse a page{label}: {name}"
            if name not in times:
                out.append(Row("1 per call", case, "-", verdict="msgspec not installed"))
                continue
            t = statistics.median(times[name])
            out.append(
                Row(
                    "1 per call",
                    case,
                    fmt_ratio(t / base),
                    detail=f"{fmt_us(t)}/page; json.loads of the page {fmt_us(base)}",
                )
            )
    return out
