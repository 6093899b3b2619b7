"""Section 1: the cost of one call, against raw httpx, on ``httpx.MockTransport``.

Every variant sends through its own ``httpx.AsyncClient`` over the same ``MockTransport``,
which answers with the same canned bytes (:mod:`benchmarks._bodies`), so the difference between
two variants is the client code alone: building the request, the transport layers, parsing
into models. The variants:

raw httpx
    ``await http.get(...)`` then ``.json()``: the baseline, 1.00x.
generated
    the plain generated functions, ``get_task.asyncio_detailed`` / ``list_tasks.asyncio_detailed``
    with an ``AuthenticatedClient`` over the same transport.
AsyncPylon
    ``pylon.tasks.get`` / ``pylon.tasks.list``, with the rate limiter on (the default; scaled so
    that it does its bookkeeping but never waits) and with ``rate_limit=False``; each decoding
    with msgspec (``pylon-client[fast]``, ``accelerate=True``: a long-lived client's default
    once it has read 2 MiB) and without it (``accelerate=False``, what a plain install does).
    The targets apply to both.
usepylon
    the official SDK (Fern-generated, pydantic), when it is installed.

The page is read three times, on the three bodies of :data:`benchmarks._bodies.PAGE_BODIES`:
short tasks with the documented keys, the longer tasks, and the short tasks grown with keys
the document lacks (a ``name`` on each reference, one unknown top-level field), as Pylon sends
them. Every variant is measured on the longer page; raw httpx and both ``AsyncPylon`` decoders
on the other two, and on the grown page one more row compares the two decoders directly (the
fast path must never be slower there).

Before the calls, the cost of parsing alone: ``Task.from_dict`` (the longer task, and the grown
short one) and ``Issue.from_dict`` on 100 decoded items against ``json.loads`` of the same 100
items (each item's own JSON text), in alternating blocks with the collector off; the figure is
the median of the per-round ratios. It says what the generated models add per item, whatever
the machine: the target is 1.5x.

Method: one asyncio event loop; every variant warmed up first; then several rounds, each
running every variant for a block of calls, the order rotated from round to round. The garbage
collector is run before each block and disabled during it, so a collection that one variant's
garbage triggers is not billed to the next. A variant's figure is the median over rounds of its
time per call divided by raw httpx's in the same round; the spread is the lowest and highest of
those per-round ratios.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import importlib
import importlib.util
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from pylon_client import AsyncPylon
from pylon_client._generated.api.tasks import get_task, list_tasks
from pylon_client._generated.client import AuthenticatedClient
from pylon_client._generated.models.issue import Issue
from pylon_client._generated.models.task import Task
from pylon_client._generated.models.task_list_response import TaskListResponse
from pylon_client._generated.models.task_response import TaskResponse

from ._bodies import PAGE_BODIES, PAGE_BODY, PAGE_SIZE, TASK_BODY, short_task, task
from ._table import Row, fmt_ratio, fmt_us, verdict

__all__ = ["run"]

BASE_URL = "https://api.usepylon.com"
TOKEN = "bench-token"  # noqa: S105 (a canned transport's token, checked by nothing)
TASK_ID = "task_00000001"
_HEADERS = {"Content-Type": "application/json"}

# Calls per block, and the targets: ratios of AsyncPylon to raw httpx (with msgspec, without).
GET_CALLS, LIST_CALLS = 1000, 40
GET_TARGET = 1.05
LIST_TARGET_FAST, LIST_TARGET_PLAIN = 1.50, 2.50
FAST = "AsyncPylon (msgspec)"
PLAIN = "AsyncPylon accelerate=False"
PARSE_TARGET = 1.50  # per-item from_dict over json.loads of the same item
PARSE_BLOCK = 20  # passes over the 100 items per block
ROUNDS = 9
WARMUP_CALLS = 50

Call = Callable[[], Awaitable[None]]


def _transport(page: bytes = PAGE_BODY) -> httpx.MockTransport:
    """Answer ``GET /tasks`` with ``page`` and anything else with the canned task."""

    def handler(request: httpx.Request) -> httpx.Response:
        body = page if request.url.path.endswith("/tasks") else TASK_BODY
        return httpx.Response(200, content=body, headers=_HEADERS)

    return httpx.MockTransport(handler)


class _Variants:
    """Builds and closes the clients of every variant; hands out one call per operation.

    Every transport answers ``GET /tasks`` with ``page``.
    """

    def __init__(self, page: bytes = PAGE_BODY) -> None:
        answering = functools.partial(_transport, page)
        self.raw = httpx.AsyncClient(
            base_url=BASE_URL,
            transport=answering(),
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        self.generated = AuthenticatedClient(
            base_url=BASE_URL, token=TOKEN, httpx_args={"transport": answering()}
        )
        # The limiter runs its bookkeeping on every call; scaled so that it never waits.
        self.fast = importlib.util.find_spec("msgspec") is not None
        self.pylon = AsyncPylon(
            TOKEN,
            base_url=BASE_URL,
            transport=answering(),
            rate_limit_scale=1e6,
            accelerate=True if self.fast else None,
        )
        self.pylon_plain = AsyncPylon(
            TOKEN,
            base_url=BASE_URL,
            transport=answering(),
            rate_limit_scale=1e6,
            accelerate=False,
        )
        self.pylon_unpaced = AsyncPylon(
            TOKEN, base_url=BASE_URL, transport=answering(), rate_limit=False
        )
        self.official: Any = None
        self.official_error = ""
        try:
            usepylon = importlib.import_module("usepylon")
            self.official = usepylon.AsyncPylon(
                token=TOKEN,
                base_url=BASE_URL,
                httpx_client=httpx.AsyncClient(transport=answering()),
            )
            self.official_version = getattr(usepylon, "__version__", "")
        except ImportError as exc:
            self.official_error = f"not installed ({exc.name})"

    def calls(self, operation: str) -> dict[str, Call]:
        """Return one call of ``operation`` per variant, each checking what it got."""
        raw, gen, pylon, plain, unpaced, official = (
            self.raw,
            self.generated,
            self.pylon,
            self.pylon_plain,
            self.pylon_unpaced,
            self.official,
        )
        if operation == "tasks.get":

            async def raw_get() -> None:
                response = await raw.get(f"/tasks/{TASK_ID}")
                response.raise_for_status()
                assert response.json()["data"]["id"] == TASK_ID

            async def gen_get() -> None:
                response = await get_task.asyncio_detailed(TASK_ID, client=gen)
                assert isinstance(response.parsed, TaskResponse)
                assert response.parsed.data.id == TASK_ID

            async def pylon_get() -> None:
                assert (await pylon.tasks.get(TASK_ID)).id == TASK_ID

            async def plain_get() -> None:
                assert (await plain.tasks.get(TASK_ID)).id == TASK_ID

            async def unpaced_get() -> None:
                assert (await unpaced.tasks.get(TASK_ID)).id == TASK_ID

            async def official_get() -> None:
                assert (await official.tasks.get(TASK_ID)).data.id == TASK_ID

            variants: dict[str, Call] = {
                "raw httpx": raw_get,
                "generated functions": gen_get,
                FAST: pylon_get,
                PLAIN: plain_get,
                "AsyncPylon rate_limit=False": unpaced_get,
                "usepylon (official)": official_get,
            }
        else:

            async def raw_list() -> None:
                response = await raw.get("/tasks", params={"limit": PAGE_SIZE})
                response.raise_for_status()
                n = 0
                for _item in response.json()["data"]:
                    n += 1
                assert n == PAGE_SIZE

            async def gen_list() -> None:
                response = await list_tasks.asyncio_detailed(client=gen, limit=PAGE_SIZE)
                assert isinstance(response.parsed, TaskListResponse)
                n = 0
                for _item in response.parsed.data:
                    n += 1
                assert n == PAGE_SIZE

            async def pylon_list() -> None:
                n = 0
                async for _item in pylon.tasks.list(limit=PAGE_SIZE):
                    n += 1
                assert n == PAGE_SIZE

            async def plain_list() -> None:
                n = 0
                async for _item in plain.tasks.list(limit=PAGE_SIZE):
                    n += 1
                assert n == PAGE_SIZE

            async def unpaced_list() -> None:
                n = 0
                async for _item in unpaced.tasks.list(limit=PAGE_SIZE):
                    n += 1
                assert n == PAGE_SIZE

            async def official_list() -> None:
                n = 0
                async for _item in await official.tasks.list(limit=PAGE_SIZE):
                    n += 1
                assert n == PAGE_SIZE

            variants = {
                "raw httpx": raw_list,
                "generated functions": gen_list,
                FAST: pylon_list,
                PLAIN: plain_list,
                "AsyncPylon rate_limit=False": unpaced_list,
                "usepylon (official)": official_list,
            }
        if official is None:
            del variants["usepylon (official)"]
        if not self.fast:  # without msgspec, the client is the plain one: measured once
            del variants[FAST]
        return variants

    async def aclose(self) -> None:
        await self.raw.aclose()
        await self.generated.get_async_httpx_client().aclose()
        await self.pylon.aclose()
        await self.pylon_plain.aclose()
        await self.pylon_unpaced.aclose()
        if self.official is not None:
            await self.official._client_wrapper.httpx_client.httpx_client.aclose()


async def _block(call: Call, n: int) -> float:
    """Return the seconds per call of ``n`` calls, garbage collector off."""
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        for _ in range(n):
            await call()
        return (time.perf_counter() - started) / n
    finally:
        gc.enable()


async def measure(variants: dict[str, Call], n: int, rounds: int) -> dict[str, list[float]]:
    """Return each variant's seconds per call in every round, the order rotated per round."""
    for call in variants.values():
        for _ in range(WARMUP_CALLS):
            await call()
    names = list(variants)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            times[name].append(await _block(variants[name], n))
    return times


def _parse_rows(rounds: int = ROUNDS) -> list[Row]:
    """Per item: ``Model.from_dict`` of the decoded item over ``json.loads`` of its JSON text."""
    from .memory import _issue  # the Pylon-shaped issue that section 4 streams

    rows = []
    for name, model, items in (
        ("Task", Task, [task(n) for n in range(PAGE_SIZE)]),
        ("Task, grown", Task, [short_task(n, grown=True) for n in range(PAGE_SIZE)]),
        ("Issue", Issue, [_issue(n) for n in range(PAGE_SIZE)]),
    ):
        texts = [json.dumps(item).encode() for item in items]
        from_dict = model.from_dict
        loads = json.loads

        def parse(from_dict: Any = from_dict, items: list[Any] = items) -> None:
            for item in items:
                from_dict(item)

        def decode(loads: Any = loads, texts: list[bytes] = texts) -> None:
            for text in texts:
                loads(text)

        for _ in range(3):  # warm up
            parse()
            decode()
        ratios: list[float] = []
        per_item: list[tuple[float, float]] = []
        for r in range(rounds):
            timed: dict[str, float] = {}
            for label in ("parse", "decode") if r % 2 else ("decode", "parse"):
                fn = parse if label == "parse" else decode
                gc.collect()
                gc.disable()
                try:
                    started = time.perf_counter()
                    for _ in range(PARSE_BLOCK):
                        fn()
                    timed[label] = (time.perf_counter() - started) / (PARSE_BLOCK * len(items))
                finally:
                    gc.enable()
            ratios.append(timed["parse"] / timed["decode"])
            per_item.append((timed["parse"], timed["decode"]))
        ratio = statistics.median(ratios)
        rows.append(
            Row(
                "1 per call",
                f"parse one {name} (from_dict / json.loads of the item)",
                fmt_ratio(ratio),
                f"<= {fmt_ratio(PARSE_TARGET)}",
                verdict(ratio <= PARSE_TARGET),
                f"from_dict {fmt_us(statistics.median(p for p, _ in per_item))}/item, "
                f"json.loads {fmt_us(statistics.median(d for _, d in per_item))}/item, "
                f"rounds {min(ratios):.2f}-{max(ratios):.2f}",
            )
        )
    return rows


def _call_rows(label: str, times: dict[str, list[float]], target: dict[str, float]) -> list[Row]:
    """One row per variant: its median per-round ratio to raw httpx, and its target if any."""
    rows = []
    base = times["raw httpx"]
    for name, per_call in times.items():
        ratios = [t / b for t, b in zip(per_call, base, strict=True)]
        ratio = statistics.median(ratios)
        wanted = target.get(name)
        rows.append(
            Row(
                "1 per call",
                f"{label}: {name}",
                fmt_ratio(ratio),
                f"<= {fmt_ratio(wanted)}" if wanted else "",
                verdict(ratio <= wanted) if wanted else "",
                f"{fmt_us(statistics.median(per_call))}/call, "
                f"rounds {min(ratios):.2f}-{max(ratios):.2f}",
            )
        )
    return rows


def _fast_over_plain(label: str, times: dict[str, list[float]]) -> Row:
    """Return the row of msgspec over the plain decoder, round by round: it must never lose."""
    ratios = [f / p for f, p in zip(times[FAST], times[PLAIN], strict=True)]
    ratio = statistics.median(ratios)
    return Row(
        "1 per call",
        f"{label}: msgspec over accelerate=False",
        fmt_ratio(ratio),
        "<= 1.00x",
        verdict(ratio <= 1.0),
        f"rounds {min(ratios):.2f}-{max(ratios):.2f}",
    )


async def _run() -> list[Row]:
    from .accelerator import rows as accelerator_rows

    rows: list[Row] = _parse_rows() + accelerator_rows()
    variants = _Variants()
    try:
        times = await measure(variants.calls("tasks.get"), GET_CALLS, ROUNDS)
        rows += _call_rows("tasks.get", times, {FAST: GET_TARGET, PLAIN: GET_TARGET})
        if variants.official is None:
            rows.append(
                Row(
                    "1 per call",
                    "tasks.get: usepylon (official)",
                    "-",
                    verdict=variants.official_error,
                )
            )
    finally:
        await variants.aclose()
    list_targets = {FAST: LIST_TARGET_FAST, PLAIN: LIST_TARGET_PLAIN}
    if not variants.fast:
        rows.append(Row("1 per call", f"tasks.list: {FAST}", "-", verdict="msgspec not installed"))
    for body_name, page in PAGE_BODIES.items():
        variants = _Variants(page)
        try:
            calls = variants.calls("tasks.list")
            if body_name != "long":
                calls = {k: v for k, v in calls.items() if k in ("raw httpx", FAST, PLAIN)}
            times = await measure(calls, LIST_CALLS, ROUNDS)
            label = f"tasks.list ({PAGE_SIZE} {body_name} tasks)"
            rows += _call_rows(label, times, list_targets)
            if body_name == "grown" and FAST in times:
                rows.append(_fast_over_plain(label, times))
            if body_name == "long" and variants.official is None:
                rows.append(
                    Row(
                        "1 per call",
                        f"{label}: usepylon (official)",
                        "-",
                        verdict=variants.official_error,
                    )
                )
        finally:
            await variants.aclose()
    return rows


def run() -> list[Row]:
    """Run section 1 on one asyncio event loop and return its rows."""
    return asyncio.run(_run())
