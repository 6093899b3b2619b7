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
    with msgspec (``pylon-client[fast]``, when installed: the default then) and without it
    (``accelerate=False``, what a plain install does). The target applies to both.
usepylon
    the official SDK (Fern-generated, pydantic), when it is installed.

Before the calls, the cost of parsing alone: ``Task.from_dict`` and ``Issue.from_dict`` on 100
decoded items against ``json.loads`` of the same 100 items (each item's own JSON text), in
alternating blocks with the collector off; the figure is the median of the per-round ratios.
It says what the generated models add per item, whatever the machine: the target is 1.5x.

Method: one asyncio event loop; every variant warmed up first; then several rounds, each
running every variant for a block of calls, the order rotated from round to round. The garbage
collector is run before each block and disabled during it, so a collection that one variant's
garbage triggers is not billed to the next. A variant's figure is the median over rounds of its
time per call divided by raw httpx's in the same round; the spread is the lowest and highest of
those per-round ratios.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
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

from ._bodies import PAGE_BODY, PAGE_SIZE, TASK_BODY, task
from ._table import Row, fmt_ratio, fmt_us, verdict

__all__ = ["run"]

BASE_URL = "https://api.usepylon.com"
TOKEN = "bench-token"  # noqa: S105 (a canned transport's token, checked by nothing)
TASK_ID = "task_00000001"
_HEADERS = {"Content-Type": "application/json"}

# (operation, calls per block, target ratio of AsyncPylon to raw httpx)
_OPERATIONS: dict[str, tuple[int, float]] = {"tasks.get": (1000, 1.10), "tasks.list": (40, 1.60)}
PARSE_TARGET = 1.50  # per-item from_dict over json.loads of the same item
PARSE_BLOCK = 20  # passes over the 100 items per block
ROUNDS = 9
WARMUP_CALLS = 50

Call = Callable[[], Awaitable[None]]


def handler(request: httpx.Request) -> httpx.Response:
    """Answer ``GET /tasks`` with the canned page and anything else with the canned task."""
    body = PAGE_BODY if request.url.path.endswith("/tasks") else TASK_BODY
    return httpx.Response(200, content=body, headers=_HEADERS)


def _transport() -> httpx.MockTransport:
    return httpx.MockTransport(handler)


class _Variants:
    """Builds and closes the clients of every variant; hands out one call per operation."""

    def __init__(self) -> None:
        self.raw = httpx.AsyncClient(
            base_url=BASE_URL,
            transport=_transport(),
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        self.generated = AuthenticatedClient(
            base_url=BASE_URL, token=TOKEN, httpx_args={"transport": _transport()}
        )
        # The limiter runs its bookkeeping on every call; scaled so that it never waits.
        self.pylon = AsyncPylon(
            TOKEN, base_url=BASE_URL, transport=_transport(), rate_limit_scale=1e6
        )
        self.pylon_plain = AsyncPylon(
            TOKEN,
            base_url=BASE_URL,
            transport=_transport(),
            rate_limit_scale=1e6,
            accelerate=False,
        )
        self.pylon_unpaced = AsyncPylon(
            TOKEN, base_url=BASE_URL, transport=_transport(), rate_limit=False
        )
        self.fast = self.pylon._fast is not None
        self.official: Any = None
        self.official_error = ""
        try:
            usepylon = importlib.import_module("usepylon")
            self.official = usepylon.AsyncPylon(
                token=TOKEN,
                base_url=BASE_URL,
                httpx_client=httpx.AsyncClient(transport=_transport()),
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
                "AsyncPylon": pylon_get,
                "AsyncPylon accelerate=False": plain_get,
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
                "AsyncPylon": pylon_list,
                "AsyncPylon accelerate=False": plain_list,
                "AsyncPylon rate_limit=False": unpaced_list,
                "usepylon (official)": official_list,
            }
        if official is None:
            del variants["usepylon (official)"]
        if not self.fast:  # the default client is the plain one: measured once
            del variants["AsyncPylon accelerate=False"]
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


async def _run() -> list[Row]:
    from .accelerator import rows as accelerator_rows

    variants = _Variants()
    rows: list[Row] = _parse_rows() + accelerator_rows()
    try:
        for operation, (n, target) in _OPERATIONS.items():
            times = await measure(variants.calls(operation), n, ROUNDS)
            base = times["raw httpx"]
            label = f"{operation} ({PAGE_SIZE} items)" if operation == "tasks.list" else operation
            for name, per_call in times.items():
                ratios = [t / b for t, b in zip(per_call, base, strict=True)]
                ratio = statistics.median(ratios)
                is_target = name in ("AsyncPylon", "AsyncPylon accelerate=False")
                shown = f"{name} (msgspec)" if name == "AsyncPylon" and variants.fast else name
                rows.append(
                    Row(
                        "1 per call",
                        f"{label}: {shown}",
                        fmt_ratio(ratio),
                        f"<= {fmt_ratio(target)}" if is_target else "",
                        verdict(ratio <= target) if is_target else "",
                        f"{fmt_us(statistics.median(per_call))}/call, "
                        f"rounds {min(ratios):.2f}-{max(ratios):.2f}",
                    )
                )
            if variants.official is None:
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
