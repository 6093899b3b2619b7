"""Deterministic demo data: the same seed always gives the same objects, ids included.

Objects are written straight into the store (no HTTP, no rate limits, no faults), with ids
drawn from the seed's own RNG so the data does not depend on the fake's seed or history. The
store vets each drawn id (:meth:`Store.claim`): one already handed out, by the store's own RNG
or by an earlier seeding with the same seed, is drawn again, so seeding never replaces an
object and later creates never replace a seeded one.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from . import _res_sdk_misc, _res_sdk_people, _res_sdk_records
from ._app import FakePylon
from ._objects import (
    new_account,
    new_article,
    new_collection,
    new_contact,
    new_custom_field,
    new_issue,
    new_knowledge_base,
    new_milestone,
    new_project,
    new_task,
    new_user,
)
from ._protocol import JSON
from ._res_issues import ISSUE_STATES
from ._res_kb import article_identifier
from ._res_tasks import TASK_STATUSES
from ._store import Store, random_uuid
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
    """Ids and timestamps from one seeded RNG; the store turns down ids it already gave out."""

    def __init__(self, seed: int, store: Store) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible demo data
        self.store = store

    def id(self) -> str:
        return self.store.claim(lambda: random_uuid(self.rng))


def _issue(fake: FakePylon, make: _Maker, created_at: datetime, **extra: Any) -> JSON:
    stamp = format_time(created_at)
    issue_id, number = make.id(), fake.state.next_issue_number()
    issue = new_issue(
        issue_id,
        number,
        title=f"Issue {make.rng.randrange(10**6):06d}",
        body_html="<p>Demo issue</p>",
        created_at=stamp,
        now=stamp,
    )
    issue["state"] = make.rng.choice(ISSUE_STATES)
    issue.update(extra)
    fake.state.add(fake.state.issues, issue)
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
    make = _Maker(seed, fake.state)
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
    ``[start, start + issues_days)``, plus one created exactly on each 30-day boundary; two
    custom fields; a knowledge base with two collections and three articles.
    Same arguments, same data.
    """
    make = _Maker(seed, fake.state)
    rng = make.rng
    state = fake.state
    stamp = format_time(start - timedelta(days=365))
    user_ids = []
    for i in range(8):
        uid = make.id()
        state.add(
            state.users,
            new_user(uid, name=f"Agent {i + 1}", email=f"agent{i + 1}@fake-org.example"),
        )
        user_ids.append(uid)
    team_ids = []
    for i, name in enumerate(("Support", "Success", "Engineering")):
        tid = make.id()
        state.add(
            state.teams, {"id": tid, "name": name, "users": [{"id": u} for u in user_ids[i::3]]}
        )
        team_ids.append(tid)
    for object_type, values in (("account", _ACCOUNT_TAGS), ("issue", _ISSUE_TAGS)):
        for value in values:
            tag_id = make.id()
            tag = {"id": tag_id, "value": value, "object_type": object_type, "hex_color": "#888888"}
            state.add(state.tags, tag)
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
        account = new_account(aid, name=name, now=stamp)
        account.update(domain=domain, primary_domain=domain, domains=[domain])
        account["tags"] = rng.sample(_ACCOUNT_TAGS, rng.randrange(3))
        account["owner"] = {"id": rng.choice(user_ids)}
        account["external_ids"] = [{"external_id": f"crm-{i:05d}", "label": "crm"}]
        state.add(state.accounts, account)
        account_ids.append(aid)
        for j in range(rng.randrange(1, 3)):
            cid = make.id()
            email = f"c{j}@{domain}"
            contact = new_contact(cid, name=f"Contact {i}-{j}")
            contact.update(email=email, emails=[email], account={"id": aid}, portal_role="member")
            state.add(state.contacts, contact)
    for aid in account_ids[::10]:
        _project(fake, make, aid, user_ids, stamp)
    for day in range(issues_days):
        for _ in range(issues_per_day):
            created = start + timedelta(days=day, seconds=rng.randrange(86400))
            _issue(fake, make, created, **_issue_links(rng, account_ids, user_ids, team_ids))
    for k in range(0, issues_days, 30):
        links = _issue_links(rng, account_ids, user_ids, team_ids)
        _issue(fake, make, start + timedelta(days=k), **links)
    _custom_fields(fake, make, stamp)
    _knowledge_base(fake, make, user_ids, stamp)
    for module in (_res_sdk_people, _res_sdk_records, _res_sdk_misc):
        module.seed(state)


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
    project = new_project(pid, name=f"Onboarding {len(state.projects) + 1}", now=stamp)
    project.update(account={"id": account_id}, owner_id=rng.choice(users), status="in_progress")
    state.add(state.projects, project)
    milestones = []
    for m in range(rng.randrange(2, 4)):
        mid = make.id()
        milestone = new_milestone(mid, name=f"Phase {m + 1}", project_id=pid, now=stamp)
        milestone["account"] = {"id": account_id}
        state.add(state.milestones, milestone)
        milestones.append(mid)
    done = 0
    count = rng.randrange(3, 9)
    for t in range(count):
        tid = make.id()
        status = rng.choice(TASK_STATUSES)
        done += status == "completed"
        task = new_task(tid, title=f"Task {t + 1}", now=stamp)
        task.update(
            status=status,
            account={"id": account_id},
            project={"id": pid},
            milestone={"id": rng.choice(milestones)},
            assignee={"user": {"id": rng.choice(users)}},
        )
        if status == "completed":
            task["completed_at"] = stamp
        state.add(state.tasks, task)
    project["progress"] = round(done / count, 2)


def _custom_fields(fake: FakePylon, make: _Maker, stamp: str) -> None:
    for label, object_type, options in (
        ("Tier", "account", ("Gold", "Silver", "Bronze")),
        ("Priority", "issue", ("Urgent", "High", "Medium", "Low")),
    ):
        field = new_custom_field(
            make.id(), label=label, field_type="select", object_type=object_type, now=stamp
        )
        field["select_metadata"] = {
            "options": [{"label": o, "slug": o.lower()} for o in options],
        }
        fake.state.add(fake.state.custom_fields, field)


def _knowledge_base(fake: FakePylon, make: _Maker, users: list[str], stamp: str) -> None:
    state = fake.state
    kb = new_knowledge_base(make.id(), title="Help Center")
    state.add(state.knowledge_bases, kb)
    for c, title in enumerate(("Getting Started", "Billing")):
        collection = new_collection(make.id(), title=title, now=stamp)
        state.add(state.collections, collection)
        state.kb_of[collection["id"]] = kb["id"]
        for a in range(2 - c):
            article = new_article(
                make.id(),
                identifier=article_identifier(state, make.rng),
                title=f"{title} guide {a + 1}",
                kb_slug=kb["slug"],
                author_user_id=make.rng.choice(users),
                now=stamp,
            )
            body = f"<p>{article['title']}</p>"
            article.update(collection_id=collection["id"], current_draft_content_html=body)
            if a == 0:
                article.update(
                    is_published=True, current_published_content_html=body, last_published_at=stamp
                )
            state.add(state.articles, article)
            state.kb_of[article["id"]] = kb["id"]
