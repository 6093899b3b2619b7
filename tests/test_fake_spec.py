"""The fake against the effective spec, and the helpers the other ``test_fake_*`` modules share.

Every response a validating client receives is checked against the effective spec's schema
for its operation and status (OpenAPI 3.0 converted to JSON Schema: ``$ref`` into
``components``, ``nullable: true`` as a ``null`` alternative, ``date-time`` checked as RFC 3339).
"""

from __future__ import annotations

import functools
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import jsonschema  # type: ignore[import-untyped]  # no stubs are installed for jsonschema
import pytest
import yaml

from pylon_client.testing import FakePylon, seed_demo
from pylon_client.testing._validate import parse_time

SPEC_PATH = Path(__file__).parents[1] / "openapi" / "pylon-openapi.effective.yml"
TOKEN = "test-token"
BASE_URL = "http://pylon.test"

_FORMATS = jsonschema.FormatChecker(formats=())
_FORMATS.checks("date-time")(lambda value: not isinstance(value, str) or bool(parse_time(value)))


def _to_json_schema(node: Any) -> Any:
    """Convert an OpenAPI 3.0 schema node to JSON Schema 2020-12."""
    if isinstance(node, list):
        return [_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _to_json_schema(v) for k, v in node.items() if k != "nullable"}
    if isinstance(out.get("$ref"), str):
        out["$ref"] = out["$ref"].replace("#/components/schemas/", "#/$defs/")
    if node.get("nullable") is True:
        if "type" in out:
            out["type"] = [out["type"], "null"]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


@functools.cache
def _spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return loaded


@functools.cache
def _operations() -> list[tuple[re.Pattern[str], str, dict[str, Any]]]:
    ops = []
    for template, item in _spec()["paths"].items():
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")
        for method, op in item.items():
            if method != "parameters":
                ops.append((pattern, method.upper(), op))
    # Literal segments beat parameters: /issues/search before /issues/{id}.
    ops.sort(key=lambda entry: entry[0].pattern.count("[^/]+"))
    return ops


def response_schema(method: str, path: str, status: int) -> dict[str, Any]:
    """Return the JSON Schema the spec gives ``method path`` for ``status``."""
    for pattern, op_method, op in _operations():
        if op_method == method and pattern.match(path):
            response = op["responses"].get(str(status))
            assert response is not None, f"{method} {path}: status {status} is not in the spec"
            if "$ref" in response:
                name = response["$ref"].rsplit("/", 1)[-1]
                response = _spec()["components"]["responses"][name]
            return _with_defs(response["content"]["application/json"]["schema"])
    # A path outside the spec has no operation to consult, but still gets the error envelope.
    assert status >= 400, f"{method} {path} is not an operation of the spec"
    return _with_defs({"$ref": "#/components/schemas/ErrorResponse"})


def _with_defs(schema: dict[str, Any]) -> dict[str, Any]:
    return {**_to_json_schema(schema), "$defs": _to_json_schema(_spec()["components"]["schemas"])}


def check_response(response: httpx.Response) -> None:
    """Assert the response body validates against the spec for its operation and status."""
    schema = response_schema(
        response.request.method, response.request.url.path, response.status_code
    )
    validator = jsonschema.Draft202012Validator(schema, format_checker=_FORMATS)
    validator.validate(response.json())


@asynccontextmanager
async def open_client(
    fake: FakePylon, *, token: str | None = TOKEN, validate: bool = True
) -> AsyncIterator[httpx.AsyncClient]:
    """Open an in-process client on ``fake``; with ``validate`` every response is checked."""
    checked: list[httpx.Response] = []

    async def hook(response: httpx.Response) -> None:
        await response.aread()
        checked.append(response)
        check_response(response)

    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=fake),
        base_url=BASE_URL,
        headers=headers,
        event_hooks={"response": [hook]} if validate else {},
    ) as client:
        yield client
    if validate:
        assert checked, "the client made no request"


def small_fake(seed: int = 3) -> FakePylon:
    """Return a fake with a small seeded organization."""
    fake = FakePylon(seed=seed)
    seed_demo(fake, seed=seed, accounts=12, issues_days=31, issues_per_day=2)
    return fake


def test_nullable_becomes_a_null_alternative() -> None:
    """``nullable: true`` admits null both beside a type and around a ``$ref``."""
    converted = _to_json_schema(
        {
            "properties": {
                "a": {"type": "string", "nullable": True},
                "b": {"allOf": [{"$ref": "#/components/schemas/X"}], "nullable": True},
            }
        }
    )
    assert converted["properties"]["a"] == {"type": ["string", "null"]}
    assert converted["properties"]["b"]["anyOf"][1] == {"type": "null"}
    assert converted["properties"]["b"]["anyOf"][0]["allOf"][0]["$ref"] == "#/$defs/X"


def test_a_non_conforming_body_fails_validation() -> None:
    """The validator rejects a body that breaks the schema (so passing checks mean something)."""
    request = httpx.Request("GET", f"{BASE_URL}/tasks")
    response = httpx.Response(200, json={"data": [{"title": 5}]}, request=request)
    with pytest.raises(jsonschema.ValidationError):
        check_response(response)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("path", "collection"),
    [
        pytest.param("/accounts", "accounts", id="accounts"),
        pytest.param("/contacts", "contacts", id="contacts"),
        pytest.param("/tasks", "tasks", id="tasks"),
        pytest.param("/users", "users", id="users"),
        pytest.param("/teams", "teams", id="teams"),
        pytest.param("/tags", "tags", id="tags"),
    ],
)
async def test_seeded_lists_match_the_spec(path: str, collection: str) -> None:
    """Seeded objects, listed, validate against the spec."""
    fake = small_fake()
    async with open_client(fake) as client:
        response = await client.get(path)
    assert response.status_code == 200
    assert len(response.json()["data"]) == min(len(getattr(fake.state, collection)), 100)


@pytest.mark.anyio
@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/projects/search", id="projects"),
        pytest.param("/milestones/search", id="milestones"),
        pytest.param("/issues/search", id="issues"),
        pytest.param("/users/search", id="users"),
    ],
)
async def test_seeded_searches_match_the_spec(path: str) -> None:
    """A search without a filter returns seeded objects that validate against the spec."""
    async with open_client(small_fake()) as client:
        response = await client.post(path, json={"limit": 5})
    assert response.status_code == 200
    assert response.json()["data"]


@pytest.mark.anyio
async def test_me_returns_the_organization_with_the_user() -> None:
    """``GET /me`` is the organization with the calling user inside."""
    fake = small_fake()
    async with open_client(fake) as client:
        body = (await client.get("/me")).json()
    assert body["data"]["id"] == fake.state.organization["id"]
    assert body["data"]["user"]["id"] == fake.state.me_user_id
    assert body["request_id"].startswith("req_")
