"""The harness that checks the fake against Pylon's sources (``fake_harness``), on itself.

Checks that pass only mean something if they can fail: each test here shows the harness
rejecting a body that breaks one of its rules, or converting a schema as it says.
"""

from __future__ import annotations

import httpx
import jsonschema  # type: ignore[import-untyped]  # no stubs are installed for jsonschema
import pytest
from fake_harness import (
    BASE_URL,
    EXTRA_OPERATIONS,
    REQUIRED,
    check_response,
    missing_fields,
    official,
    open_client,
    small_fake,
    to_json_schema,
)


def _response(method: str, path: str, body: object, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=body, request=httpx.Request(method, f"{BASE_URL}{path}"))


def test_nullable_becomes_a_null_alternative() -> None:
    """``nullable: true`` admits null both beside a type and around a ``$ref``."""
    converted = to_json_schema(
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


def test_a_wrongly_typed_body_fails_validation() -> None:
    """The validator rejects a field of the wrong type (so passing checks mean something)."""
    with pytest.raises(jsonschema.ValidationError):
        check_response(_response("POST", "/tasks/search", {"data": [{"title": 5}]}))


def test_a_missing_required_field_fails_the_presence_check() -> None:
    """A task without ``body_html`` (usepylon requires it) fails, though the schema admits it."""
    task: dict[str, object] = {f: "x" for f in REQUIRED["Task"] if f != "body_html"}
    task["customer_portal_visible"] = False
    with pytest.raises(AssertionError, match=r"Task\.body_html missing"):
        check_response(_response("GET", "/tasks/t1", {"data": task, "request_id": "r"}))


def test_presence_is_checked_in_nested_objects() -> None:
    """A nested reference without its ``id`` is reported with the path to it."""
    schema = {"$ref": "#/components/schemas/Task"}
    problems = missing_fields(schema, {"project": {}}, "data")
    assert "data.project: MiniProject.id missing" in problems


def test_a_missing_envelope_field_fails() -> None:
    """A delete answer without ``request_id`` fails, as usepylon could not read it."""
    with pytest.raises(AssertionError, match="request_id"):
        check_response(_response("DELETE", "/tasks/t1", {}))


def test_errors_are_checked_against_the_error_body() -> None:
    """An error whose ``errors`` is not a list of strings fails validation."""
    with pytest.raises(jsonschema.ValidationError):
        check_response(_response("GET", "/tasks/t1", {"errors": "x", "request_id": "r"}, 404))


def test_extra_operations_are_the_ones_pylons_document_lacks() -> None:
    """Each operation checked for presence only is indeed absent from Pylon's document."""
    paths = official()["paths"]
    for method, template in EXTRA_OPERATIONS:
        assert method.lower() not in paths.get(template, {})


def test_an_operation_neither_source_has_fails() -> None:
    """A 200 from an operation outside both of Pylon's sources is an error of the harness."""
    with pytest.raises(AssertionError, match="not an operation"):
        check_response(_response("GET", "/widgets", {"data": [], "request_id": "r"}))


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
        pytest.param("/knowledge-bases", "knowledge_bases", id="knowledge-bases"),
        pytest.param("/custom-fields?object_type=account", None, id="custom-fields"),
    ],
)
async def test_seeded_lists_match_pylons_document(path: str, collection: str | None) -> None:
    """Seeded objects, listed, pass both checks."""
    fake = small_fake()
    async with open_client(fake) as client:
        response = await client.get(path)
    assert response.status_code == 200
    expected = len(getattr(fake.state, collection)) if collection else 1
    assert len(response.json()["data"]) == min(expected, 100)


@pytest.mark.anyio
async def test_me_returns_the_organization_with_the_user() -> None:
    """``GET /me`` is the organization with the calling user inside."""
    fake = small_fake()
    async with open_client(fake) as client:
        body = (await client.get("/me")).json()
    assert body["data"]["id"] == fake.state.organization["id"]
    assert body["data"]["user"]["id"] == fake.state.me_user_id
    assert body["request_id"].startswith("req_")
