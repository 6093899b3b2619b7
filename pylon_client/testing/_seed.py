"""Deterministic demo data: the same seed always gives the same objects, ids included.

Objects are written straight into the store (no HTTP, no rate limits, no faults), with ids
drawn from the seed's own RNG so the data does not depend on the fake's seed or history.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from ._app import FakePylon
from ._protocol import JSON
from ._res_issues import ISSUE_STATES
from ._res_tasks import TASK_STATUSES
from ._validate import format_time

__all__ = ["DEMO_START", "add_issues", "seed_demo"]

DEMO_START = datetime(2026, 1, 1, tzinfo=UTC)
"""Where :func:`seed_demo` starts its issue range by default."""

_WORDS = (
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark",
    "Wayne",
    "Wonka",
    "Tyrell",
    "Soylent",
    "Cyberdyne",
    "Aperture",
    "Vandelay",
    "Pied Piper",
    "Gringotts",
    "Monarch",
)
_SUFFIXES = ("Corp", "Inc", "Labs", "Systems", "Group", "Industries", "Partners", "Cloud")
# Variants that make a second account look like the first: the stuff of merge demos.
_LOOKALIKES = ("{name}", "{upper}", "{name}.", "{name} (old)", "{name} - EMEA")
_ACCOUNT_TAGS = ("enterprise", "smb", "trial", "churn-risk", "vip")
_ISSUE_TAGS = ("bug", "billing", "feature-request", "urgent", "onboarding")


class _Maker:
    """Ids and timestamps from one seeded RNG."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible demo data

    def id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


def _issue(fake: FakePylon, make: _Maker, created_at: datetime, **extra: Any) -> JSON:
    stamp = format_time(created_at)
    issue: JSON = {
        "id": make.id(),
        "number": fake.state.next_issue_number(),
        "title": f"Issue {make.rng.randrange(10**6):06d}",
        "body_html": "<p>Demo issue</p>",
        "state": make.rng.choice(ISSUE_STATES),
        "created_at": stamp,
        "updated_at": stamp,
        "tags": [],
        "custom_fields": {},
        "attachment_urls": [],
        "external_issues": [],
        **extra,
    }
    fake.state.issues[issue["id"]] = issue
    return issue


def add_issues(
    fake: FakePylon,
    n: int,
    start: datetime,
    end: datetime,
    *,
    boundary_every: timedelta | None = timedelta(days=30),
    seed: int = 0,
) -> list[JSON]:
    """Add ``n`` issues spread evenly over ``[start, end)``; return them oldest first.

    With ``boundary_every`` an issue sits exactly on ``start + k * boundary_every`` for every
    such instant before ``end``, the case window-splitting code gets wrong. Example::

        add_issues(fake, 20_000, DEMO_START, DEMO_START + timedelta(days=120))
    """
    if end <= start:
        raise ValueError("end must be after start")
    boundaries: list[datetime] = []
    if boundary_every is not None:
        moment = start
        while moment < end and len(boundaries) < n:
            boundaries.append(moment)
            moment += boundary_every
    rest = n - len(boundaries)
    step = (end - start) / max(rest, 1)
    times = sorted([*boundaries, *(start + step * (i + 0.5) for i in range(rest))])
    make = _Maker(seed)
    return [_issue(fake, make, t) for t in times]


def seed_demo(
    fake: FakePylon,
    *,
    seed: int = 42,
    accounts: int = 300,
    issues_days: int = 120,
    issues_per_day: int = 10,
    start: datetime = DEMO_START,
) -> None:
    """Fill ``fake`` with a small, realistic organization.

    Users and teams; account and issue tags; ``accounts`` accounts (about one in ten with a
    look-alike twin for merge demos) with contacts; a project with milestones and tasks of
    mixed statuses for every tenth account; ``issues_days * issues_per_day`` issues over
    ``[start, start + issues_days)``, plus one created exactly on each 30-day boundary.
    Same arguments, same data.
    """
    make = _Maker(seed)
    rng = make.rng
    state = fake.state
    stamp = format_time(start - timedelta(days=365))
    user_ids = []
    for i in range(8):
        uid = make.id()
        state.users[uid] = {
            "id": uid,
            "name": f"Agent {i + 1}",
            "email": f"agent{i + 1}@fake-org.example",
            "avatar_url": "",
            "role_id": "member",
            "status": "active",
        }
        user_ids.append(uid)
    team_ids = []
    for i, name in enumerate(("Support", "Success", "Engineering")):
        tid = make.id()
        state.teams[tid] = {"id": tid, "name": name, "users": [{"id": u} for u in user_ids[i::3]]}
        team_ids.append(tid)
    for object_type, values in (("account", _ACCOUNT_TAGS), ("issue", _ISSUE_TAGS)):
        for value in values:
            tag_id = make.id()
            state.tags[tag_id] = {
                "id": tag_id,
                "value": value,
                "object_type": object_type,
                "hex_color": "#888888",
            }
    account_ids: list[str] = []
    base_name = ""
    for i in range(accounts):
        twin = i % 10 == 9 and base_name
        if twin:
            name = rng.choice(_LOOKALIKES[1:]).format(name=base_name, upper=base_name.upper())
        else:
            base_name = f"{rng.choice(_WORDS)} {rng.choice(_SUFFIXES)}"
            name = base_name
        aid = make.id()
        domain = f"{base_name.lower().replace(' ', '-')}-{i}.example.com"
        state.accounts[aid] = {
            "id": aid,
            "name": name,
            "type": "customer",
            "domain": domain,
            "domains": [domain],
            "tags": rng.sample(_ACCOUNT_TAGS, rng.randrange(3)),
            "custom_fields": {},
            "external_ids": [],
            "channels": [],
            "is_disabled": False,
            "owner": {"id": rng.choice(user_ids)},
            "created_at": stamp,
            "updated_at": stamp,
        }
        account_ids.append(aid)
        for j in range(rng.randrange(1, 3)):
            cid = make.id()
            state.contacts[cid] = {
                "id": cid,
                "name": f"Contact {i}-{j}",
                "email": f"c{j}@{domain}",
                "account_id": aid,
                "custom_fields": {},
                "created_at": stamp,
                "updated_at": stamp,
            }
    for aid in account_ids[::10]:
        _project(fake, make, aid, user_ids, stamp)
    for day in range(issues_days):
        for _ in range(issues_per_day):
            created = start + timedelta(days=day, seconds=rng.randrange(86400))
            _issue(fake, make, created, **_issue_links(rng, account_ids, user_ids, team_ids))
    for k in range(0, issues_days, 30):
        links = _issue_links(rng, account_ids, user_ids, team_ids)
        _issue(fake, make, start + timedelta(days=k), **links)


def _issue_links(
    rng: random.Random, account_ids: list[str], user_ids: list[str], team_ids: list[str]
) -> JSON:
    links: JSON = {"tags": rng.sample(_ISSUE_TAGS, rng.randrange(3))}
    if account_ids:
        links["account"] = {"id": rng.choice(account_ids)}
    if rng.random() < 0.7:
        links["assignee"] = {"id": rng.choice(user_ids)}
    links["team"] = {"id": rng.choice(team_ids)}
    return links


def _project(fake: FakePylon, make: _Maker, account_id: str, users: list[str], stamp: str) -> None:
    rng, state = make.rng, fake.state
    pid = make.id()
    state.projects[pid] = {
        "id": pid,
        "name": f"Onboarding {len(state.projects) + 1}",
        "description_html": "",
        "account": {"id": account_id},
        "owner": {"id": rng.choice(users)},
        "is_archived": False,
        "progress": 0,
        "status": "in_progress",
        "customer_portal_visible": False,
        "created_at": stamp,
        "updated_at": stamp,
    }
    milestones = []
    for m in range(rng.randrange(2, 4)):
        mid = make.id()
        state.milestones[mid] = {
            "id": mid,
            "name": f"Phase {m + 1}",
            "project_id": pid,
            "created_at": stamp,
            "updated_at": stamp,
        }
        milestones.append(mid)
    done = 0
    count = rng.randrange(3, 9)
    for t in range(count):
        tid = make.id()
        status = rng.choice(TASK_STATUSES)
        done += status == "completed"
        task: JSON = {
            "id": tid,
            "title": f"Task {t + 1}",
            "body_html": "",
            "status": status,
            "account": {"id": account_id},
            "project": {"id": pid},
            "milestone": {"id": rng.choice(milestones)},
            "assignee": {"user": {"id": rng.choice(users)}},
            "subtask_ids": [],
            "customer_portal_visible": False,
            "custom_fields": {},
            "created_at": stamp,
            "updated_at": stamp,
        }
        if status == "completed":
            task["completed_at"] = stamp
        state.tasks[tid] = task
    state.projects[pid]["progress"] = round(done / count, 2)
