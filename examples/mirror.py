"""Keep a SQLite mirror of Pylon's issues current: webhooks at once, ``changes()`` to reconcile.

Webhooks are fast but not guaranteed (a receiver down for a minute misses them); a change feed
on ``updated_at`` is complete but periodic. A mirror uses both: each webhook updates the row at
once, and a reconcile run every few minutes picks up whatever webhooks missed, resuming from
the watermark it stored beside the rows. Either path applies a version only if it is newer
than the stored one, so their order does not matter.

Run ``python examples/mirror.py`` for a demo against the fake Pylon (no token needed): an
initial sync, edits delivered by signed webhooks to the receiver of
``examples/webhook_receiver.py``, edits whose webhooks are lost, and the reconcile run that
repairs them. With ``PYLON_API_TOKEN`` set, ``--live --db FILE`` runs one reconcile against
Pylon (the first one from ``--since``).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Self

import anyio
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from webhook_receiver import make_app

from pylon_client import AsyncPylon, ChangeCheckpoint

SCHEMA = """
CREATE TABLE IF NOT EXISTS issues (
    id TEXT PRIMARY KEY,
    updated_at TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def _stamp(value: Any) -> str:
    """Return ``updated_at`` as a sortable UTC string with microseconds."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class Mirror:
    """Issues by id in SQLite, each row the newest version seen, and the feed's watermark.

    It holds one SQLite connection: use it in a ``with`` block, or call :meth:`close`.
    """

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.db = sqlite3.connect(path)
        try:
            self.db.executescript(SCHEMA)
        except BaseException:
            self.db.close()
            raise

    def close(self) -> None:
        """Close the SQLite connection (committed writes are on disk already)."""
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def apply(self, issue: dict[str, Any]) -> bool:
        """Store ``issue`` unless the stored version is as new; return True if it was stored."""
        stamp = _stamp(issue["updated_at"])
        with self.db:
            cursor = self.db.execute(
                "INSERT INTO issues (id, updated_at, body) VALUES (?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, "
                "body = excluded.body WHERE excluded.updated_at > issues.updated_at",
                (issue["id"], stamp, json.dumps(issue, default=str)),
            )
        return cursor.rowcount == 1

    def checkpoint(self) -> ChangeCheckpoint | None:
        """Return the stored watermark, if a reconcile run finished before."""
        row = self.db.execute("SELECT value FROM sync_state WHERE key = 'issues'").fetchone()
        return ChangeCheckpoint.from_dict(json.loads(row[0])) if row else None

    def _save(self, checkpoint: ChangeCheckpoint) -> None:
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO sync_state (key, value) VALUES ('issues', ?)",
                (json.dumps(checkpoint.to_dict()),),
            )

    async def reconcile(
        self, pylon: AsyncPylon, *, since: datetime | date | None = None, save_every: int = 500
    ) -> int:
        """Apply every issue changed since the stored watermark; return how many were newer."""
        feed = pylon.issues.changes(since=since, checkpoint=self.checkpoint())
        newer = seen = 0
        async for issue in feed:
            newer += self.apply(issue.to_dict())
            seen += 1
            if seen % save_every == 0:
                self._save(feed.checkpoint())  # a crash resumes here, repeating nothing
        self._save(feed.checkpoint())
        return newer

    def snapshot(self) -> dict[str, str]:
        """Return ``{id: updated_at}`` of every row."""
        return dict(self.db.execute("SELECT id, updated_at FROM issues").fetchall())


async def demo() -> int:
    """Run the mirror against the fake Pylon and print what happened; 0 if it ended exact."""
    from pylon_client.testing import DEMO_START, FakePylon, WebhookSender, add_issues, touch_issues

    fake = FakePylon(seed=12)
    issues = add_issues(fake, 2000, DEMO_START, DEMO_START + timedelta(days=90), seed=12)
    with Mirror() as mirror:
        secret = "demo-webhook-secret"  # noqa: S105 - the demo's own receiver and fake

        async def on_event(event: Any) -> None:
            mirror.apply(event["issue"])

        receiver = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=make_app(secret, on_event)), base_url="https://hook"
        )
        async with (
            receiver,
            AsyncPylon(
                "test-token",
                base_url="https://pylon.test",
                transport=httpx.ASGITransport(app=fake),
                rate_limit=False,
            ) as pylon,
        ):
            first = await mirror.reconcile(pylon, since=DEMO_START)
            sender = WebhookSender(
                fake,
                url="https://hook/pylon/webhook",
                secret=secret,
                template={"event": "{{event}}", "issue": "{{issue}}"},
                client=receiver,
            )
            for issue in issues[:40]:
                await pylon.issues.update(issue["id"], state="closed")
            delivered = len(await sender.deliver())
            touch_issues(fake, [i["id"] for i in issues[40:100]], fields={"title": "Edited"})
            lost = sender.pending
            await sender.aclose()  # the receiver was down: these webhooks never arrive
            rows = mirror.snapshot()
            behind = sum(rows[i] != _stamp(o["updated_at"]) for i, o in fake.issues.items())
            repaired = await mirror.reconcile(pylon)
        exact = mirror.snapshot() == {i: _stamp(o["updated_at"]) for i, o in fake.issues.items()}
        print(f"initial sync       {first} issues")
        print(f"webhooks applied   {delivered}")
        print(f"webhooks lost      {lost} ({behind} rows behind)")
        print(f"reconciled         {repaired} newer versions")
        print(f"mirror exact       {exact}")
    return 0 if exact else 1


async def live(db: str, since: date) -> int:
    """One reconcile run against Pylon, into the SQLite file ``db``."""
    with Mirror(db) as mirror:
        async with AsyncPylon() as pylon:
            newer = await mirror.reconcile(pylon, since=since)
        print(f"{newer} newer versions; {len(mirror.snapshot())} issues in {db}")
    return 0


async def main(argv: list[str]) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--live", action="store_true", help="reconcile against Pylon")
    parser.add_argument("--db", default="pylon-mirror.sqlite3", help="SQLite file (--live)")
    parser.add_argument(
        "--since",
        type=date.fromisoformat,
        default=date.today() - timedelta(days=30),
        help="first run's start, YYYY-MM-DD (--live)",
    )
    args = parser.parse_args(argv)
    if not args.live:
        return await demo()
    if not os.environ.get("PYLON_API_TOKEN"):
        parser.error("--live needs PYLON_API_TOKEN")
    return await live(args.db, args.since)


if __name__ == "__main__":
    sys.exit(anyio.run(main, sys.argv[1:]))
