"""The fake's ids never meet seeded or earlier ones, and its request log is bounded.

The 5,000-creates test calls each create operation's handler through the fake's own routing,
without HTTP (about 20 microseconds a create instead of 400); the HTTP tests below show the
same store behind the app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import Any, NamedTuple

import pytest
from fake_harness import open_client

from pylon_client.testing import DEMO_START, FakePylon, add_issues, seed_demo
from pylon_client.testing import __main__ as cli
from pylon_client.testing._multipart import Form, Part
from pylon_client.testing._protocol import JSON, Call
from pylon_client.testing._res_conversation import conversation
from pylon_client.testing._routes import match_route as _match
from pylon_client.testing._store import Store
from pylon_client.testing.pytest_plugin import make_fake_pylon

CREATES = 5_000
Targets = Mapping[str, str]
"""Ids of seeded objects a create refers to, by name: ``{"account": ..., "issue": ...}``."""


def _served_fake() -> FakePylon:
    """Return the fake ``python -m pylon_client.testing serve`` builds (seed 42), unserved."""
    return cli.make_fake(cli.build_parser().parse_args(["serve"]))


def _seed_zero_fake() -> FakePylon:
    """Return a fake whose own seed, demo seed and ``add_issues`` seed are all 0."""
    fake = FakePylon(seed=0)
    seed_demo(fake, seed=0, accounts=50, issues_days=30, issues_per_day=5)
    add_issues(fake, 200, DEMO_START, DEMO_START + timedelta(days=60))
    return fake


SEEDED = [
    pytest.param(_served_fake, id="serve-seed-42"),
    pytest.param(make_fake_pylon, id="fixture-seed-7"),
    pytest.param(_seed_zero_fake, id="seed-0"),
]


def _targets(fake: FakePylon) -> dict[str, str]:
    """Pick the seeded objects creates refer to; start the conversation replies answer."""
    store = fake.state
    issue = next(iter(store.issues.values()))
    article = next(iter(store.articles))
    return {
        "account": next(iter(store.accounts)),
        "project": next(iter(store.projects)),
        "user": next(iter(store.users)),
        "issue": issue["id"],
        "message": conversation(store, issue)[0]["id"],
        "kb": store.kb_of[article],
        "article": article,
        "macro_group": next(iter(store.macro_groups)),
    }


def _creator(fake: FakePylon, operation: str, targets: Targets) -> Callable[[Any], JSON]:
    """Route ``operation`` (``"POST /accounts/{account}/highlights"``) once; return a caller."""
    method, template = operation.split(" ", 1)
    route, params = _match(method, template.format_map(targets))

    def create(body: Any) -> JSON:
        return route.handler(fake.state, Call(method, route.template, params, {}, body))

    return create


def _by_id(objects: Iterable[JSON]) -> dict[str, JSON]:
    return {o["id"]: o for o in objects}


def _file_url(i: int, targets: Targets) -> Form:
    url = memoryview(f"https://files.example.com/{i}.txt".encode())
    return Form((Part("file_url", None, "text/plain", url),))


class Kind(NamedTuple):
    """A kind of object with a create: the operation, its ``i``-th body, where objects live."""

    operation: str
    body: Callable[[int, Targets], Any]
    objects: Callable[[Store, Targets], dict[str, JSON]]


KINDS = [
    Kind("POST /accounts", lambda i, t: {"name": f"New {i}"}, lambda s, t: s.accounts),
    # POST /import/contacts goes through the same create_contact.
    Kind("POST /contacts", lambda i, t: {"name": f"New {i}"}, lambda s, t: s.contacts),
    Kind("POST /issues", lambda i, t: {"title": "t", "body_html": "b"}, lambda s, t: s.issues),
    Kind(
        "POST /import/issues",
        lambda i, t: {
            "title": "t",
            "state": "new",
            "messages": [{"body_html": "b", "is_private": False}],
        },
        lambda s, t: s.issues,
    ),
    Kind("POST /tasks", lambda i, t: {"title": f"New {i}"}, lambda s, t: s.tasks),
    Kind(
        "POST /projects",
        lambda i, t: {"name": f"New {i}", "account_id": t["account"]},
        lambda s, t: s.projects,
    ),
    Kind(
        "POST /milestones",
        lambda i, t: {"name": f"New {i}", "project_id": t["project"]},
        lambda s, t: s.milestones,
    ),
    Kind("POST /teams", lambda i, t: {"name": f"New {i}"}, lambda s, t: s.teams),
    Kind(
        "POST /tags",
        lambda i, t: {"value": f"new-{i}", "object_type": "account"},
        lambda s, t: s.tags,
    ),
    Kind(
        "POST /custom-fields",
        lambda i, t: {"label": f"New {i}", "type": "text", "object_type": "account"},
        lambda s, t: s.custom_fields,
    ),
    Kind(
        "POST /knowledge-bases/{kb}/collections",
        lambda i, t: {"title": f"New {i}"},
        lambda s, t: s.collections,
    ),
    Kind(
        "POST /knowledge-bases/{kb}/articles",
        lambda i, t: {"title": f"New {i}", "body_html": "b", "author_user_id": t["user"]},
        lambda s, t: s.articles,
    ),
    Kind(
        "POST /knowledge-bases/{kb}/route-redirects",
        lambda i, t: {
            "from_path": f"/old/{i}",
            "object_type": "article",
            "object_id": t["article"],
        },
        lambda s, t: s.route_redirects,
    ),
    Kind(
        "POST /accounts/{account}/highlights",
        lambda i, t: {"content_html": f"<p>{i}</p>"},
        lambda s, t: s.account_highlights,
    ),
    Kind(
        "POST /accounts/{account}/activities",
        lambda i, t: {"slug": "call"},
        lambda s, t: _by_id(s.account_activities.get(t["account"], [])),
    ),
    Kind(
        "POST /custom-objects/companies",
        lambda i, t: {"name": f"New {i}"},
        lambda s, t: s.custom_objects,
    ),
    Kind(
        "POST /macros",
        lambda i, t: {"macro_group_id": t["macro_group"], "name": f"New {i}", "text_html": "m"},
        lambda s, t: s.macros,
    ),
    Kind("POST /attachments", _file_url, lambda s, t: s.attachments),
    Kind("POST /training-data", lambda i, t: {}, lambda s, t: s.training_data),
    Kind(
        "POST /training-data/upload-content",
        lambda i, t: {"content": "c", "training_data_name": f"New {i}"},
        lambda s, t: _by_id(d for data in s.training_data.values() for d in data["documents"]),
    ),
    Kind(
        "POST /issues/{issue}/reply",
        lambda i, t: {"body_html": "r", "message_id": t["message"]},
        lambda s, t: _by_id(s.messages[t["issue"]]),
    ),
    Kind(
        "POST /issues/{issue}/threads",
        lambda i, t: {"name": f"New {i}"},
        lambda s, t: _by_id(s.threads.get(t["issue"], [])),
    ),
]


def _held_ids(node: Any) -> set[str]:
    """Return every ``id`` at any depth of ``node`` (the store's ids, and references to them)."""
    if isinstance(node, dict):
        found = {node["id"]} if isinstance(node.get("id"), str) else set()
        for value in node.values():
            found |= _held_ids(value)
        return found
    if isinstance(node, list):
        return set().union(*map(_held_ids, node)) if node else set()
    return set()


def _state(store: Store) -> dict[str, Any]:
    return {k: v for k, v in vars(store).items() if isinstance(v, dict | list)}


@pytest.mark.parametrize("make", SEEDED)
@pytest.mark.parametrize("kind", [pytest.param(k, id=k.operation) for k in KINDS])
def test_creates_never_replace_or_reuse_a_held_id(
    make: Callable[[], FakePylon], kind: Kind
) -> None:
    """5,000 creates add exactly 5,000 objects, none under an id the store held before."""
    fake = make()
    targets = _targets(fake)
    before = dict(kind.objects(fake.state, targets))
    held = _held_ids(_state(fake.state))
    create = _creator(fake, kind.operation, targets)
    for i in range(CREATES):
        create(kind.body(i, targets))
    after = kind.objects(fake.state, targets)
    assert len(after) == len(before) + CREATES
    assert all(after.get(object_id) is obj for object_id, obj in before.items())
    assert not (set(after) - set(before)) & held


def test_claim_draws_again_on_an_id_already_handed_out() -> None:
    """``Store.claim`` skips every id the store gave out, whichever stream offers it again."""
    store = FakePylon(seed=1).state
    held = store.new_id()
    offers = iter([held, store.me_user_id, held, "fresh"])
    assert store.claim(lambda: next(offers)) == "fresh"
    assert "fresh" in store.ids


def test_add_refuses_to_replace_an_object() -> None:
    """``Store.add`` raises on an id its dict holds, even one a test wrote there directly."""
    fake = FakePylon(seed=1)
    fake.accounts["acct-1"] = {"id": "acct-1", "name": "Written by a test"}
    with pytest.raises(RuntimeError, match="acct-1"):
        fake.state.add(fake.accounts, {"id": "acct-1", "name": "Impostor"})
    assert fake.accounts["acct-1"]["name"] == "Written by a test"


def test_article_identifiers_stay_unique() -> None:
    """New articles never share the number in their URL with another article."""
    fake = make_fake_pylon()
    targets = _targets(fake)
    body = {"title": "New", "body_html": "b", "author_user_id": targets["user"]}
    create = _creator(fake, "POST /knowledge-bases/{kb}/articles", targets)
    for _ in range(CREATES):
        create(body)
    identifiers = [a["identifier"] for a in fake.state.articles.values()]
    assert len(set(identifiers)) == len(identifiers)


def test_add_issues_twice_with_one_seed_keeps_both_batches() -> None:
    """Two ``add_issues`` calls with the same seed add twice the issues, not the same ones."""
    fake = FakePylon(seed=1)
    for _ in range(2):
        add_issues(fake, 100, DEMO_START, DEMO_START + timedelta(days=10), seed=3)
    assert len(fake.issues) == 200


@pytest.mark.anyio
async def test_account_creates_over_http_reach_the_expected_count() -> None:
    """Over the app, 50 account creates on the ``serve`` fake leave 350 accounts."""
    fake = _served_fake()
    seeded = dict(fake.accounts)
    async with open_client(fake) as client:
        for i in range(50):
            response = await client.post("/accounts", json={"name": f"New {i}"})
            assert response.status_code == 200
    assert len(fake.accounts) == len(seeded) + 50 == 350
    assert all(fake.accounts[a] is account for a, account in seeded.items())


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("path", "collection"),
    [
        pytest.param("/accounts", "accounts", id="account"),
        pytest.param("/contacts", "contacts", id="contact"),
        pytest.param("/tasks", "tasks", id="task"),
    ],
)
async def test_a_client_chosen_id_never_replaces_an_object(path: str, collection: str) -> None:
    """A create that sends a held ``id`` and external ids gets a new id; the held one stays."""
    fake = make_fake_pylon()
    objects = fake.state.collection(collection)
    held_id, held = next(iter(objects.items()))
    snapshot, count = dict(held), len(objects)
    body = {
        "id": held_id,
        "name": "Impostor",
        "title": "Impostor",
        "external_ids": held.get("external_ids", []),
    }
    async with open_client(fake) as client:
        response = await client.post(path, json=body)
    assert response.status_code == 200
    new_id = response.json()["data"]["id"]
    assert new_id != held_id
    assert objects[held_id] == snapshot
    assert len(objects) == count + 1


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("size", "sent"),
    [
        pytest.param(1, 4, id="one"),
        pytest.param(5, 12, id="five-of-twelve"),
        pytest.param(5, 3, id="under-the-limit"),
    ],
)
async def test_request_log_keeps_the_newest_requests(size: int, sent: int) -> None:
    """The log holds at most ``log_size`` requests, the newest ones, oldest first."""
    fake = FakePylon(seed=1, log_size=size)
    async with open_client(fake) as client:
        for i in range(sent):
            await client.get("/tasks", params={"limit": str(i + 1)})
    kept = [r.query["limit"] for r in fake.requests]
    assert kept == [str(i + 1) for i in range(sent)][-size:]


@pytest.mark.anyio
async def test_request_log_keeps_a_thousand_requests_by_default() -> None:
    """Without ``log_size`` the log stops growing at 1,000 requests and keeps the newest."""
    fake = FakePylon(seed=1)
    async with open_client(fake, validate=False) as client:
        for _ in range(1_005):
            await client.get("/me")
    ids = [r.request_id for r in fake.requests]
    assert len(ids) == 1_000
    assert (ids[0], ids[-1]) == ("req_00000001_000006", "req_00000001_001005")


def test_fixture_and_served_fakes_keep_a_thousand_requests() -> None:
    """The fixture's fake and the served fake take the default size, 1,000."""
    assert make_fake_pylon().log_size == _served_fake().log_size == 1_000


def test_request_log_size_is_configurable_where_fakes_are_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``make_fake_pylon`` and ``serve --log-size`` pass the size to the fake."""
    served = cli.make_fake(
        cli.build_parser().parse_args(["serve", "--accounts", "1", "--log-size", "7"])
    )
    assert served.log_size == 7
    assert make_fake_pylon(log_size=3).log_size == 3
