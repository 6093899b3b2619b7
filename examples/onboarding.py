"""An onboarding run: projects, tasks, an issue export and bulk account work, end to end.

By default it starts the embedded fake Pylon on a loopback port (no token needed) and runs
everything against it. With ``--live`` and ``PYLON_API_TOKEN`` set it runs only the read-only
parts (who am I, task search, the issue export) against real Pylon.

    python examples/onboarding.py            # against the fake
    python examples/onboarding.py --live     # read-only, against Pylon
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import anyio

from pylon_client import AsyncPylon, F

EXPORT_START = datetime(2026, 1, 1, tzinfo=UTC)
EXPORT_DAYS = 120


@contextlib.contextmanager
def fake_pylon() -> Iterator[tuple[str, str, list[str], list[str]]]:
    """Start the fake on a free loopback port; yield its URL, token, account and duplicate ids."""
    from pylon_client.testing import FakePylon, seed_demo, serve_in_thread

    fake = FakePylon(token="demo-token", seed=42)
    seed_demo(fake, seed=42, accounts=300, issues_days=EXPORT_DAYS, issues_per_day=25)
    accounts = sorted(fake.accounts.values(), key=lambda a: a["name"])
    by_name: dict[str, list[str]] = {}
    for account in accounts:
        by_name.setdefault(account["name"].split(" (")[0].rstrip(".").lower(), []).append(
            account["id"]
        )
    duplicates = next(ids for ids in by_name.values() if len(ids) >= 2)
    ids = [a["id"] for a in accounts if a["id"] not in duplicates][:250]
    with serve_in_thread(fake) as url:
        yield url, "demo-token", ids, duplicates


def _progress(label: str, fraction: float, detail: str, *, final: bool = False) -> None:
    """Draw ``label [####......] detail``: the bar shows ``fraction``, ``detail`` says of what.

    The export's detail is the share of its date range and the issues so far (their total is
    not known in advance); the tagging's is accounts done out of accounts to do.
    """
    if not sys.stderr.isatty() and not final:
        return  # redrawing with \r only makes sense on a terminal; logs get the last line
    width = 30
    filled = int(width * min(max(fraction, 0.0), 1.0))
    print(
        f"\r  {label:<8} [{'#' * filled}{'.' * (width - filled)}] {detail}",
        end="",
        file=sys.stderr,
    )
    if final:
        print(file=sys.stderr)


async def run(
    pylon: AsyncPylon, *, live: bool, account_ids: list[str], duplicates: list[str]
) -> dict[str, object]:
    """Run the onboarding steps; return the figures for the summary."""
    summary: dict[str, object] = {}
    me = await pylon.me()
    summary["organization"] = me.name

    if not live:
        account = account_ids[0]
        project = await pylon.projects.create(account_id=account, name="Onboarding")
        milestones = [
            await pylon.milestones.create(name=name, project_id=project.id)
            for name in ("Kickoff", "Integration", "Go-live")
        ]
        tasks = []
        for milestone in milestones:
            for title in ("Prepare", "Review", "Sign off"):
                tasks.append(
                    await pylon.tasks.create(
                        title=f"{milestone.name}: {title}",
                        account_id=account,
                        project_id=project.id,
                        milestone_id=milestone.id,
                    )
                )
        for task in tasks[:6]:
            await pylon.tasks.update(task.id, status="in_progress")
        for task in tasks[:3]:
            await pylon.tasks.update(task.id, status="completed")
        summary["project"] = f"{project.name} ({len(milestones)} milestones, {len(tasks)} tasks)"
        in_project = F("project_id").equals(project.id)
        statuses = Counter([t.status async for t in pylon.tasks.search(filter=in_project)])
        summary["task statuses"] = dict(sorted(statuses.items()))
        in_progress = await pylon.tasks.search(
            filter=in_project & F("status").equals("in_progress")
        ).collect()
        summary["in progress"] = len(in_progress)
    else:
        summary["tasks in progress"] = len(
            await pylon.tasks.search(
                filter=F("status").equals("in_progress"), max_items=1000
            ).collect()
        )

    started = time.perf_counter()
    export = pylon.issues.list(
        start_time=EXPORT_START,
        end_time=EXPORT_START + timedelta(days=EXPORT_DAYS),
        concurrency=4,
        limit=500,
    )
    count = 0
    ids: set[str] = set()
    async for issue in export:
        count += 1
        ids.add(issue.id)
        if count % 250 == 0:
            done = f"{export.progress:.0%} of {EXPORT_DAYS} days, {count:,} issues"
            _progress("issues", export.progress, done)
    _progress("issues", 1.0, f"100% of {EXPORT_DAYS} days, {count:,} issues", final=True)
    elapsed = time.perf_counter() - started
    summary["issues exported"] = (
        f"{count} over {EXPORT_DAYS} days in {export.windows} windows, "
        f"{len(ids)} distinct, {elapsed:.2f} s"
    )

    if not live:
        result = await pylon.accounts.update_many(
            account_ids,
            tags=["onboarded"],
            tags_apply_mode="append_only",
            on_progress=lambda done, total: _progress(
                "tagging", done / max(total, 1), f"{done}/{total} accounts", final=done >= total
            ),
        )
        summary["accounts tagged"] = (
            f"{len(result.succeeded)} of {result.total} in {len(result.request_ids)} batches, "
            f"{len(result.failed)} failed"
        )
        target, *merged = duplicates[:4]
        merge = await pylon.accounts.merge(merge_into_account_id=target, merge_account_ids=merged)
        survivor = await pylon.accounts.get(target)
        summary["accounts merged"] = f"{len(merge.succeeded)} into {survivor.name!r}"
    return summary


async def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--live", action="store_true", help="read-only run against real Pylon")
    args = parser.parse_args(argv)
    if args.live:
        if not os.environ.get("PYLON_API_TOKEN"):
            parser.error("--live needs PYLON_API_TOKEN")
        async with AsyncPylon() as pylon:
            summary = await run(pylon, live=True, account_ids=[], duplicates=[])
    else:
        with fake_pylon() as (url, token, account_ids, duplicates):
            print(f"fake Pylon on {url}", file=sys.stderr)
            async with AsyncPylon(token, base_url=url) as pylon:
                summary = await run(
                    pylon, live=False, account_ids=account_ids, duplicates=duplicates
                )
    print("\nSummary")
    for key, value in summary.items():
        print(f"  {key:<18} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(anyio.run(main))
