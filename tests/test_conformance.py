"""The conformance check against Pylon's own document, and the core shapes it corrected.

The shape tests each fail on the overlay before the check existed: they pin what Pylon's own
document (and its newer SDK) says where the earlier effective spec said otherwise.
"""

from __future__ import annotations

import copy
import importlib
import json
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml
from fake_harness import REQUIRED
from harness import Api, body_of, complete, connect, task_body
from openapi_python_client.strings import snake_case

from pylon_client._generated.models import Account, Issue, RouteRedirect
from pylon_client._generated.models.milestone import Milestone
from pylon_client._generated.models.mini_account import MiniAccount
from pylon_client._generated.models.mini_project import MiniProject
from pylon_client._generated.models.project import Project

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "codegen"))
conformance = importlib.import_module("conformance")
ratelimits = importlib.import_module("ratelimits")

OFFICIAL = json.loads((ROOT / "openapi" / "pylon-official.json").read_text())
REFERENCE = conformance.reference()
"""Pylon's document with the supplement merged in by precedence: what the check compares with."""


def _effective() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "openapi" / "pylon-openapi.effective.yml").read_text()))


def test_the_checked_in_spec_conforms_with_only_cited_waivers() -> None:
    """Every difference from Pylon's sources is waived, every waiver matches, each is cited."""
    diffs, compared, _ = conformance.compare(_effective(), REFERENCE, ratelimits.load_rate_limits())
    waivers = conformance.load_waivers()
    # 64 of the vendored spec's, 50 merged from Pylon's document, 49 from the supplement
    assert len(compared) == 163
    assert {d.key for d in diffs} == set(waivers)
    for reason, source in waivers.values():
        assert reason
        assert source


def test_a_new_difference_is_reported_field_by_field() -> None:
    """Dropping a body field Pylon requires shows up as one open difference on that field."""
    spec = _effective()
    body = spec["components"]["schemas"]["CreateIssueRequest"]
    body["required"].remove("body_html")
    diffs, _, _ = conformance.compare(spec, REFERENCE, ratelimits.load_rate_limits())
    open_diffs = [d for d in diffs if d.key not in conformance.load_waivers()]
    assert [(d.operation, d.field, d.kind, d.ours, d.theirs) for d in open_diffs] == [
        ("POST /issues", "body.body_html", "required", "false", "true")
    ]


def test_rate_limits_are_checked_against_the_table() -> None:
    """An operation paced at a figure the table does not give is a difference."""
    spec = copy.deepcopy(_effective())
    spec["paths"]["/tasks"]["get"]["x-pylon-rate-limit-per-minute"] = 60
    diffs, _, _ = conformance.compare(spec, REFERENCE, ratelimits.load_rate_limits())
    assert ("GET /tasks", "rate-limit", "value", "60", "300") in [
        (d.operation, d.field, d.kind, d.ours, d.theirs) for d in diffs
    ]


def test_an_operation_missing_from_the_rate_limit_table_stops_generation() -> None:
    """Stamping limits fails, naming the operation, rather than pacing at a guess."""
    spec: dict[str, Any] = {"paths": {"/nowhere": {"get": {}}}}
    with pytest.raises(ratelimits.RateLimitError, match="GET /nowhere"):
        ratelimits.apply_rate_limits(spec, ratelimits.load_rate_limits())


def test_a_stale_waiver_fails_the_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A waiver that matches no difference makes the command fail, so the file cannot rot."""
    waivers = yaml.safe_load(conformance.WAIVERS.read_text())
    waivers.append({"reason": "r", "source": "s", "waive": ["GET /tasks query.nope extra"]})
    path = tmp_path / "waivers.yaml"
    path.write_text(yaml.safe_dump(waivers))
    monkeypatch.setattr(conformance, "WAIVERS", path)
    assert conformance.main([]) == 1


def test_rate_limit_defaults_come_from_the_table() -> None:
    """The generated operation table carries the October 2026 figures of rate-limits.tsv."""
    from pylon_client._generated._endpoints import ENDPOINTS

    limits = ratelimits.load_rate_limits()
    for key, endpoint in ENDPOINTS.items():
        method, path = key.split(" ", 1)
        expected = limits.get(ratelimits.path_key(method, path))
        if expected is None:  # not in Pylon's SDK: the figure of its own documentation
            op = OFFICIAL["paths"][path][method.lower()]
            expected = ratelimits.documented_limit(op)
        assert endpoint.rate_limit == expected, key
    assert ENDPOINTS["POST /issues"].rate_limit == 30
    assert ENDPOINTS["PATCH /issues/{id}"].rate_limit == 120
    assert ENDPOINTS["GET /accounts"].rate_limit == 300


# Our model for each object name of Pylon's sources, where the names differ.
OUR_NAME = {
    "CSATResponse": "CsatResponse",
    "IntegrationUserID": "IntegrationUserId",
    "CustomFieldDefinition": "CustomField",
    "Me": "Organization",
    "MeUser": "User",
    "ErrorApiResponseBody": "ErrorResponse",
}


@pytest.mark.parametrize("pylon_name", sorted(REQUIRED))
def test_every_field_pylon_always_sends_is_a_typed_attribute(pylon_name: str) -> None:
    """Each field usepylon marks required is an attribute of our model, not additional data."""
    name = OUR_NAME.get(pylon_name, pylon_name)
    module = importlib.import_module("pylon_client._generated.models." + snake_case(name))
    fields = {f.name.removesuffix("_") for f in attrs.fields(getattr(module, name))}
    assert set(REQUIRED[pylon_name]) <= fields


def test_milestone_has_nested_project_and_account() -> None:
    """Milestone reads project{id} and account{id}, as Pylon returns them, not a flat project_id."""
    milestone = Milestone.from_dict(
        complete(Milestone, id="m1", project={"id": "p1"}, account={"id": "a1"})
    )
    assert isinstance(milestone.project, MiniProject)
    assert milestone.project.id == "p1"
    assert isinstance(milestone.account, MiniAccount)
    assert milestone.account.id == "a1"
    assert milestone.additional_properties == {}


def test_project_has_owner_id() -> None:
    """Project reads owner_id (a string), as Pylon returns it, not an owner object."""
    project = Project.from_dict(complete(Project, id="p1", owner_id="u1"))
    assert project.owner_id == "u1"
    assert project.additional_properties == {}


@pytest.mark.anyio
async def test_task_update_takes_completed_at_and_not_account_id() -> None:
    """PATCH /tasks/{id} sends completed_at; account_id is not a field of a task update."""
    api = Api({"data": task_body("t1"), "request_id": "r"})
    async with connect(api) as pylon:
        await pylon.tasks.update("t1", completed_at="2026-11-30T12:00:00Z")
        with pytest.raises(TypeError):
            await pylon.tasks.update("t1", account_id="a1")  # type: ignore[call-overload]
    assert [body_of(r) for r in api.requests] == [{"completed_at": "2026-11-30T12:00:00Z"}]


@pytest.mark.anyio
async def test_issue_create_requires_body_html_before_sending() -> None:
    """POST /issues without body_html fails in the client, before any request is sent."""
    api = Api({"data": complete(Issue, id="i1"), "request_id": "r"})
    async with connect(api) as pylon:
        with pytest.raises(TypeError, match="body_html"):
            await pylon.issues.create(title="Printer on fire")  # type: ignore[call-overload]
        await pylon.issues.create(title="Printer on fire", body_html="<p>Smoke.</p>")
    assert [body_of(r) for r in api.requests] == [
        {"title": "Printer on fire", "body_html": "<p>Smoke.</p>"}
    ]


@pytest.mark.anyio
async def test_accounts_take_account_type() -> None:
    """Account create, update and bulk update send account_type; type is no longer a field."""
    api = Api({"data": complete(Account, id="a1"), "request_id": "r"})
    async with connect(api) as pylon:
        await pylon.accounts.create(name="Acme", account_type="partner")
        await pylon.accounts.update("a1", account_type="customer")
        with pytest.raises(TypeError):
            await pylon.accounts.create(name="Acme", type="partner")  # type: ignore[call-overload]
    assert [body_of(r) for r in api.requests] == [
        {"name": "Acme", "account_type": "partner"},
        {"account_type": "customer"},
    ]


@pytest.mark.anyio
async def test_custom_fields_list_requires_object_type() -> None:
    """GET /custom-fields sends object_type, which Pylon requires; without it nothing is sent."""
    api = Api({"data": [], "request_id": "r"})
    async with connect(api) as pylon:
        with pytest.raises(TypeError):
            await pylon.custom_fields.list().collect()  # type: ignore[call-arg]
        await pylon.custom_fields.list(object_type="account").collect()
    assert [r.url.params.get("object_type") for r in api.requests] == ["account"]


@pytest.mark.anyio
async def test_route_redirect_takes_an_object_and_returns_the_redirect() -> None:
    """A route redirect names the object it points at and returns the created redirect."""
    redirect = complete(
        RouteRedirect, id="rr1", from_path="/old", object_id="art1", object_type="article"
    )
    api = Api({"data": redirect, "request_id": "r"})
    async with connect(api) as pylon:
        made = await pylon.knowledge_bases.create_route_redirect(
            "kb1", from_path="/old", object_id="art1", object_type="article"
        )
    assert made.id == "rr1"
    assert made.object_id == "art1"
    assert body_of(api.last) == {"from_path": "/old", "object_id": "art1", "object_type": "article"}
