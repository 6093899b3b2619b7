"""The fake against Pylon's own OpenAPI document, operation by operation.

A walk drives every operation the fake serves (``FakePylon.operations``) to a 200, and every
operation with a path parameter to a 404; each answer goes through ``fake_harness``: its JSON
Schema in Pylon's document (``openapi/pylon-official.json``, April 2026), and the presence of
every field usepylon 0.1.0a4 marks required (the fact table ``fake_harness.REQUIRED``, one entry
per type with its ``types/<file>.py``). Fifty-four operations the fake serves are not in Pylon's
April document, all of them usepylon's (``fake_harness.EXTRA_OPERATIONS``): five
(``GET /projects/{id}``, ``GET /milestones/{id}``,
``PATCH /knowledge-bases/{id}/collections/{collection_id}``, ``POST /accounts/merge``,
``POST /milestones/search``) are checked against usepylon's required fields only; forty-nine
(a task's comments, its links to external and Pylon issues, ``GET /task-statuses``, and the
operations of ``sdk_walks``) against their schemas in ``openapi/pylon-sdk-supplement.yml``. The
fake serves every operation of Pylon's document (114) and these fifty-four; the walks of the
core objects live in ``core_walks``, those of uploads, conversations, imports, settings, other
records and a task's comments and links in ``fake_walks``, those of the operations known from
usepylon alone in ``sdk_walks``. Requests Pylon refuses get its 400 envelope.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from core_walks import ALL_WALKS
from fake_harness import (
    EXTRA_OPERATIONS,
    REQUIRED,
    SUPPLEMENT_OPERATIONS,
    normalize,
    official,
    official_operations,
    open_client,
    small_fake,
    supplement,
)

from pylon_client.testing import FakePylon


@pytest.mark.anyio
async def test_every_operation_answers_as_pylons_document_says() -> None:
    """Every operation the fake serves answers a 200 that passes both checks of the harness."""
    fake = small_fake()
    ids = {"me": fake.state.me_user_id}
    async with open_client(fake) as client:
        for walk in ALL_WALKS:
            await walk(client, fake, ids)
    answered = {r.operation for r in fake.requests if r.status == 200}
    assert sorted(set(FakePylon.operations) - answered) == []
    assert len(FakePylon.operations) == 168


def test_the_fake_serves_every_operation_of_pylons_document() -> None:
    """The fake serves all 114 operations of Pylon's document, plus the 54 only usepylon has."""
    served = {(m, normalize(t)) for m, t in (op.split(" ") for op in FakePylon.operations)}
    assert len(official_operations()) == 114
    assert sorted(set(official_operations()) - served) == []
    assert served == set(official_operations()) | {(m, normalize(t)) for m, t in EXTRA_OPERATIONS}
    assert len(served) == len(FakePylon.operations)


@pytest.mark.anyio
async def test_every_operation_on_an_unknown_id_is_pylons_404() -> None:
    """An unknown id in the path is 404 ``not_found`` in Pylon's error envelope."""
    fake = small_fake()
    with_ids = [op for op in FakePylon.operations if "{" in op]
    async with open_client(fake) as client:
        for op in with_ids:
            method, template = op.split(" ")
            path = re.sub(r"\{[^}]+\}", "ghost", template)
            response = await client.request(method, path, json={} if method != "GET" else None)
            assert (response.status_code, response.json()["code"]) == (404, "not_found"), op
    assert len(with_ids) == 109


def test_every_operation_is_in_one_of_pylons_sources() -> None:
    """Each fake operation is in Pylon's document, or among the 54 only usepylon has."""
    outside = {
        (m, normalize(t))
        for m, t in (op.split(" ") for op in FakePylon.operations)
        if (m, normalize(t)) not in official_operations()
    }
    assert outside == {(m, normalize(t)) for m, t in EXTRA_OPERATIONS}


def test_every_operation_of_the_supplement_is_served_and_checked_against_it() -> None:
    """The supplement's operations are the ones its schemas check, and the fake serves each."""
    documented = {
        (method.upper(), template)
        for template, item in supplement()["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert documented == set(SUPPLEMENT_OPERATIONS)
    assert {f"{m} {t}" for m, t in documented} <= set(FakePylon.operations)


def test_the_fact_table_names_types_of_pylons_document() -> None:
    """Each type of the fact table is a schema of Pylon's document, or one only usepylon has."""
    schemas = official()["components"]["schemas"]
    assert {t for t in REQUIRED if t not in schemas} == {"MeUser", "MiniIssue"}


REFUSED = [
    pytest.param("POST", "/issues", {"title": "t"}, "body_html is required", id="issue-no-body"),
    pytest.param("POST", "/issues", {"body_html": "b"}, "title is required", id="issue-no-title"),
    pytest.param("GET", "/custom-fields", None, "object_type is required", id="cf-no-type"),
    pytest.param(
        "GET", "/custom-fields?object_type=ticket", None, "object_type must be", id="cf-bad-type"
    ),
    pytest.param(
        "POST",
        "/custom-fields",
        {"label": "L", "object_type": "account"},
        "type is required",
        id="cf-create-no-type",
    ),
    pytest.param("POST", "/tags", {"value": "x"}, "object_type is required", id="tag-no-type"),
    pytest.param("POST", "/contacts", {"email": "a@b.c"}, "name is required", id="contact-no-name"),
    pytest.param(
        "POST",
        "/accounts",
        {"name": "A", "external_ids": ["crm-1"]},
        "external_ids[0] must be an object",
        id="account-external-ids-strings",
    ),
    pytest.param(
        "POST",
        "/issues",
        {"title": "t", "body_html": "b", "custom_fields": [{"slug": "n", "value": 5}]},
        "custom_fields must be",
        id="custom-field-number",
    ),
]
REDIRECT = {"from_path": "/old", "object_id": "@article", "object_type": "article"}


@pytest.mark.anyio
@pytest.mark.parametrize(("method", "url", "body", "message"), REFUSED)
async def test_requests_pylon_refuses_get_its_400(
    method: str, url: str, body: Any, message: str
) -> None:
    """A request Pylon refuses is 400 ``invalid_request_body`` saying why."""
    async with open_client(small_fake()) as client:
        response = await client.request(method, url, json=body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request_body"
    assert any(message in m for m in response.json()["errors"]), response.json()["errors"]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("drop", "change", "message"),
    [
        pytest.param("object_type", {}, "object_type is required", id="no-object-type"),
        pytest.param("object_id", {}, "object_id is required", id="no-object-id"),
        pytest.param("from_path", {}, "from_path is required", id="no-from-path"),
        pytest.param(None, {"object_type": "page"}, "object_type must be", id="bad-object-type"),
        pytest.param(None, {"object_id": "ghost"}, "no article with id", id="unknown-object"),
        pytest.param(None, {"object_type": "collection"}, "no collection", id="wrong-object-type"),
    ],
)
async def test_a_route_redirect_pylon_refuses_gets_its_400(
    drop: str | None, change: dict[str, str], message: str
) -> None:
    """A route redirect without a required field, or to no such object, is 400."""
    fake = small_fake()
    kb_id = next(iter(fake.state.knowledge_bases))
    article_id = next(iter(fake.state.articles))
    body = {**REDIRECT, "object_id": article_id, **change}
    if drop is not None:
        del body[drop]
    async with open_client(fake) as client:
        response = await client.post(f"/knowledge-bases/{kb_id}/route-redirects", json=body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request_body"
    assert any(message in m for m in response.json()["errors"]), response.json()["errors"]
    assert fake.state.route_redirects == {}
