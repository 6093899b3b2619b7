"""The one harness of the ``test_fake_*`` modules: a client on the fake that checks every answer.

Every response an :func:`open_client` client receives is checked twice against Pylon's own
sources, never against the effective spec our client is generated from (so a mistake shared by
both cannot hide):

- **shape**: the JSON Schema of the operation in Pylon's own OpenAPI document
  (``openapi/pylon-official.json``, April 2026): a 200 against the operation's 200 schema, any
  error against ``ErrorApiResponseBody``. OpenAPI 3.0 is converted to JSON Schema (``$ref`` into
  ``components``, ``nullable: true`` as a ``null`` alternative). Pylon's document marks no
  response field required or nullable and types every timestamp as a plain string, so this
  check sees types and shapes only.
- **presence**: every field Pylon's official SDK, usepylon 0.1.0a4 (October 2026), marks
  required is present and not null, for each object type the document names at any depth
  (:data:`REQUIRED`), and every field of the envelope but ``pagination`` (usepylon requires
  ``data`` and ``request_id``, or ``success``, on every response it reads).

Fifty-four operations the fake serves are not in Pylon's April document
(:data:`EXTRA_OPERATIONS`). The 49 of them that only usepylon reaches are written down, from
its facts, in ``openapi/pylon-sdk-supplement.yml`` (:data:`SUPPLEMENT_OPERATIONS`, read from
that document): their answers get both checks against its schemas, read beside Pylon's (a
name both documents have is Pylon's), with the ``required`` lists of the types only the
supplement has as their facts of presence. The other five are checked for presence only,
against usepylon's facts.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import jsonschema  # type: ignore[import-untyped]  # no stubs are installed for jsonschema
import yaml

from pylon_client.testing import FakePylon, seed_demo
from pylon_client.testing._validate import parse_time

OFFICIAL_PATH = Path(__file__).parents[1] / "openapi" / "pylon-official.json"
SUPPLEMENT_PATH = Path(__file__).parents[1] / "openapi" / "pylon-sdk-supplement.yml"
TOKEN = "test-token"
BASE_URL = "http://pylon.test"
_SCHEMAS = "#/components/schemas/"

# Fields usepylon 0.1.0a4 marks required (always sent by Pylon), by the type's name in Pylon's
# document, each from usepylon's types/<file>.py. usepylon is not installed in CI: these are
# copied facts, not read at test time.
REQUIRED: Mapping[str, tuple[str, ...]] = {
    # types/issue.py
    "Issue": (
        "body_html",
        "created_at",
        "customer_portal_visible",
        "id",
        "is_issue_group",
        "link",
        "number",
        "number_of_touches",
        "source",
        "state",
        "title",
        "type",
        "updated_at",
    ),
    # types/account.py
    "Account": (
        "created_at",
        "id",
        "is_disabled",
        "latest_customer_activity_time",
        "logo_url",
        "name",
        "type",
        "updated_at",
    ),
    "Contact": ("avatar_url", "id", "name", "portal_role"),  # types/contact.py
    # types/user.py
    "User": ("avatar_url", "email", "id", "is_deactivated", "name", "role_id", "status"),
    "Team": ("id", "name"),  # types/team.py
    "Tag": ("id", "object_type", "value"),  # types/tag.py
    # types/task.py
    "Task": (
        "body_html",
        "created_at",
        "customer_portal_visible",
        "id",
        "status",
        "title",
        "updated_at",
    ),
    # types/project.py
    "Project": (
        "created_at",
        "customer_portal_visible",
        "id",
        "is_archived",
        "name",
        "progress",
        "status",
        "updated_at",
    ),
    "Milestone": ("created_at", "id", "name", "updated_at"),  # types/milestone.py
    "KnowledgeBase": ("default_language", "id", "slug", "title"),  # types/knowledge_base.py
    # types/article.py
    "Article": (
        "created_at",
        "id",
        "identifier",
        "is_published",
        "is_unlisted",
        "slug",
        "title",
        "url",
    ),
    "Collection": ("created_at", "description", "id", "slug", "title"),  # types/collection.py
    # types/custom_field_definition.py
    "CustomFieldDefinition": (
        "created_at",
        "description",
        "id",
        "is_read_only",
        "label",
        "object_type",
        "slug",
        "source",
        "type",
        "updated_at",
    ),
    "Me": ("id", "name", "user"),  # types/me.py
    "MeUser": ("email", "id"),  # types/me_user.py
    "Follower": ("id", "type"),  # types/follower.py
    # types/route_redirect.py
    "RouteRedirect": ("created_at", "from_path", "id", "object_id", "object_type"),
    "MiniAccount": ("id",),  # types/mini_account.py
    "MiniContact": ("id",),  # types/mini_contact.py
    "MiniUser": ("id",),  # types/mini_user.py
    "MiniTeam": ("id",),  # types/mini_team.py
    "MiniProject": ("id",),  # types/mini_project.py
    "MiniMilestone": ("id",),  # types/mini_milestone.py
    "MiniProjectTemplate": ("id",),  # types/mini_project_template.py
    "MiniIssue": ("id", "number", "title"),  # types/mini_issue.py
    "ExternalIssue": ("external_id", "link", "source"),  # types/external_issue.py
    "Pagination": ("cursor", "has_next_page"),  # types/pagination.py
    "ErrorApiResponseBody": ("request_id",),  # types/error_api_response_body.py
    # types/message.py
    "Message": ("author_unverified", "id", "is_private", "message_html", "source", "timestamp"),
    "MessageAuthor": ("name",),  # types/message_author.py
    # types/email_message_info.py
    "EmailMessageInfo": ("from_email", "message_id", "sender_authentication_status"),
    "IssueThread": ("id", "issue_id", "name"),  # types/issue_thread.py
    "CreateIssueReplyResponseData": ("id", "issue_id"),  # types/create_issue_reply_response_data.py
    "CreateIssueNoteResponseData": ("id", "issue_id"),  # types/create_issue_note_response_data.py
    "Attachment": ("description", "id", "name", "url"),  # types/attachment.py
    # types/issue_status.py
    "IssueStatus": ("category", "is_archived", "is_default_status", "label", "slug"),
    # types/ticket_form.py
    "TicketForm": ("description_html", "id", "is_public", "name", "slug", "url"),
    # types/ticket_form_layout_field.py
    "TicketFormLayoutField": ("description_html", "hidden", "name", "required", "slug", "type"),
    "UserRole": ("id", "name", "slug"),  # types/user_role.py
    "ActivityType": ("icon_url", "id", "label", "slug"),  # types/activity_type.py
    # types/audit_log.py
    "AuditLog": (
        "action",
        "action_happened_at",
        "created_at",
        "id",
        "object_id",
        "object_type",
        "source",
    ),
    "MacroGroup": ("created_at", "id", "title", "updated_at"),  # types/macro_group.py
    # types/macro.py
    "Macro": (
        "created_at",
        "has_actions",
        "id",
        "macro_group_id",
        "name",
        "text_html",
        "text_type",
        "updated_at",
    ),
    "MacroAction": ("type",),  # types/macro_action.py
    "Visibility": ("type",),  # types/visibility.py
    "Survey": ("id", "name", "type", "updated_at"),  # types/survey.py
    "SurveyResponse": ("id", "survey_instance_id", "survey_type"),  # types/survey_response.py
    # types/survey_response_answer.py
    "SurveyResponseAnswer": ("prompt", "question_type", "value"),
    # types/feature_request.py
    "FeatureRequest": ("created_at", "description", "evidence_count", "id", "title", "updated_at"),
    # types/feature_request_search_result.py
    "FeatureRequestSearchResult": (
        "created_at",
        "description",
        "evidence_count",
        "id",
        "title",
        "updated_at",
    ),
    # types/feature_request_evidence.py
    "FeatureRequestEvidence": ("created_at", "id", "source_type"),
    # types/account_highlight.py
    "AccountHighlight": ("account_id", "content_html", "created_at", "id", "updated_at"),
    "CreateActivityResponseData": ("success",),  # types/create_activity_response_data.py
    # types/delete_account_highlight_response_data.py
    "DeleteAccountHighlightResponseData": ("success",),
    # types/api_custom_object.py
    "APICustomObject": ("created_at", "id", "name", "type", "updated_at"),
    # types/training_data.py
    "TrainingData": (
        "created_at",
        "exclude_from_kb_search",
        "id",
        "name",
        "type",
        "updated_at",
        "visibility",
    ),
    # types/training_data_document.py
    "TrainingDataDocument": ("file_name", "file_size", "file_type", "id", "s3_key"),
    # types/training_data_scrape_status.py
    "TrainingDataScrapeStatus": ("pages_scraped", "status", "total_pages"),
    "IntegrationUserID": ("id", "source"),  # types/integration_user_id.py
    "CSATResponse": ("score",),  # types/csat_response.py
    "SlackInfo": ("channel_id", "message_ts", "workspace_id"),  # types/slack_info.py
    "IssueChatWidgetInfo": ("page_url",),  # types/issue_chat_widget_info.py
}

# Fields usepylon has and Pylon's April document lacks, so the presence walk reaches them too.
_NEWER_FIELDS: Mapping[str, Mapping[str, Any]] = {
    "Me": {"user": {"$ref": f"{_SCHEMAS}MeUser"}},
    "Task": {
        "external_issues": {"type": "array", "items": {"$ref": f"{_SCHEMAS}ExternalIssue"}},
        "linked_issues": {"type": "array", "items": {"$ref": f"{_SCHEMAS}MiniIssue"}},
    },
    "Article": {"tags": {"type": "array", "items": {"$ref": f"{_SCHEMAS}Tag"}}},
}


@functools.cache
def official() -> dict[str, Any]:
    """Return Pylon's own OpenAPI document."""
    loaded: dict[str, Any] = json.loads(OFFICIAL_PATH.read_text())
    return loaded


@functools.cache
def supplement() -> dict[str, Any]:
    """Return the operations known from usepylon alone (``openapi/pylon-sdk-supplement.yml``)."""
    loaded: dict[str, Any] = yaml.safe_load(SUPPLEMENT_PATH.read_text())
    return loaded


@functools.cache
def schemas() -> dict[str, Any]:
    """Return the schemas of both documents by name; where both have a name, Pylon's wins."""
    return {**supplement()["components"]["schemas"], **official()["components"]["schemas"]}


def _supplemented(method: str, template: str) -> dict[str, Any]:
    """Return the schema of the 200 of ``method template`` in the supplement."""
    operation = supplement()["paths"][template][method.lower()]
    schema: dict[str, Any] = operation["responses"]["200"]["content"]["application/json"]["schema"]
    return schema


def _envelope(data: dict[str, Any], *, paginated: bool = False) -> dict[str, Any]:
    properties: dict[str, Any] = {"data": data, "request_id": {"type": "string"}}
    if paginated:
        properties["pagination"] = {"$ref": f"{_SCHEMAS}Pagination"}
    return {"type": "object", "properties": properties}


SUPPLEMENT_OPERATIONS: tuple[tuple[str, str], ...] = tuple(
    (method.upper(), template)
    for template, item in supplement()["paths"].items()
    for method in item
    if method in ("get", "post", "put", "patch", "delete")
)
"""The operations of ``openapi/pylon-sdk-supplement.yml``, whose answers are checked against it."""

EXTRA_OPERATIONS: Mapping[tuple[str, str], dict[str, Any]] = {
    ("GET", "/projects/{id}"): _envelope({"$ref": f"{_SCHEMAS}Project"}),
    ("GET", "/milestones/{id}"): _envelope({"$ref": f"{_SCHEMAS}Milestone"}),
    ("PATCH", "/knowledge-bases/{id}/collections/{collection_id}"): _envelope(
        {"$ref": f"{_SCHEMAS}Collection"}
    ),
    ("POST", "/accounts/merge"): _envelope({"$ref": f"{_SCHEMAS}Account"}),
    ("POST", "/milestones/search"): _envelope(
        {"type": "array", "items": {"$ref": f"{_SCHEMAS}Milestone"}}, paginated=True
    ),
    **{
        (method, template): _supplemented(method, template)
        for method, template in SUPPLEMENT_OPERATIONS
    },
}
"""Operations the fake serves that Pylon's April document lacks (usepylon has them), with the
response type usepylon gives each. Those of the supplement are its own response schemas, checked
in full; the others are checked for presence of usepylon's required fields only."""

_FORMATS = jsonschema.FormatChecker(formats=())
_FORMATS.checks("date-time")(lambda value: not isinstance(value, str) or bool(parse_time(value)))


def to_json_schema(node: Any) -> Any:
    """Convert an OpenAPI 3.0 schema node to JSON Schema 2020-12."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: to_json_schema(v) for k, v in node.items() if k != "nullable"}
    if isinstance(out.get("$ref"), str):
        out["$ref"] = out["$ref"].replace(_SCHEMAS, "#/$defs/")
    if node.get("nullable") is True:
        if "type" in out:
            out["type"] = [out["type"], "null"]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def normalize(template: str) -> str:
    """Return a path template with its parameters unnamed: ``/issues/{}``."""
    return re.sub(r"\{[^}]+\}", "{}", template)


_EXTRA = {(method, normalize(t)): schema for (method, t), schema in EXTRA_OPERATIONS.items()}
_VALIDATED_EXTRA = {(method, normalize(t)) for method, t in SUPPLEMENT_OPERATIONS}


@functools.cache
def official_operations() -> dict[tuple[str, str], dict[str, Any]]:
    """Return Pylon's operations by ``(METHOD, template)``, the template normalized."""
    return {
        (method.upper(), normalize(template)): op
        for template, item in official()["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    }


@functools.cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    found = {t for _, t in official_operations()} | {t for _, t in _EXTRA}
    patterns = [(re.compile("^" + t.replace("{}", "[^/]+") + "$"), t) for t in found]
    # Literal segments beat parameters: /issues/search before /issues/{id}.
    return sorted(patterns, key=lambda entry: entry[1].count("{}"))


def operation_of(method: str, path: str) -> tuple[str, str] | None:
    """Return the ``(METHOD, template)`` a request is, None if neither source has it."""
    for pattern, template in _templates():
        key = (method, template)
        if pattern.match(path) and (key in official_operations() or key in _EXTRA):
            return key
    return None


def response_schema(method: str, path: str, status: int) -> tuple[dict[str, Any], bool]:
    """Return the schema ``method path`` answers ``status`` with, and whether to validate it.

    Errors are ``ErrorApiResponseBody``; a 200 of an operation outside Pylon's document is its
    :data:`EXTRA_OPERATIONS` schema, validated if it is the supplement's, else used for the
    presence check only (``False``).
    """
    if status >= 400:
        return {"$ref": f"{_SCHEMAS}ErrorApiResponseBody"}, True
    key = operation_of(method, path)
    assert key is not None, f"{method} {path} is not an operation of Pylon or usepylon"
    if key in _EXTRA:
        return _EXTRA[key], key in _VALIDATED_EXTRA
    response = official_operations()[key]["responses"].get(str(status))
    assert response is not None, f"{method} {path}: status {status} is not in Pylon's document"
    schema: dict[str, Any] = response["content"]["application/json"]["schema"]
    return schema, True


@functools.cache
def _validator(schema_json: str) -> jsonschema.Draft202012Validator:
    schema = {**to_json_schema(json.loads(schema_json)), "$defs": to_json_schema(schemas())}
    return jsonschema.Draft202012Validator(schema, format_checker=_FORMATS)


def _component(name: str) -> dict[str, Any]:
    """Return component ``name`` with the newer fields usepylon has, for the presence walk."""
    found = dict(schemas().get(name, {}))
    if name in _NEWER_FIELDS:
        found["properties"] = {**found.get("properties", {}), **_NEWER_FIELDS[name]}
    return found


def required_fields(name: str) -> tuple[str, ...]:
    """Return the fields usepylon requires of type ``name``.

    They are :data:`REQUIRED`'s, else, for a type only the supplement has, its ``required`` list
    (Pylon's document marks none).
    """
    if name in REQUIRED:
        return REQUIRED[name]
    if name in official()["components"]["schemas"]:
        return ()
    return tuple(supplement()["components"]["schemas"].get(name, {}).get("required", ()))


def missing_fields(schema: Mapping[str, Any], data: Any, where: str = "body") -> list[str]:
    """Return every usepylon-required field absent from ``data``, walking it with ``schema``."""
    problems: list[str] = []
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        if isinstance(data, dict):
            # usepylon reads a required field as non-optional: null is as bad as absent.
            absent = [f for f in required_fields(name) if data.get(f) is None]
            problems += [f"{where}: {name}.{f} missing" for f in absent]
        schema = _component(name)
    properties: Mapping[str, Any] = schema.get("properties", {})
    if isinstance(data, dict):
        for key, value in data.items():
            sub = properties.get(key, schema.get("additionalProperties"))
            if isinstance(sub, dict):
                problems += missing_fields(sub, value, f"{where}.{key}")
    elif isinstance(data, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(data):
            problems += missing_fields(schema["items"], item, f"{where}[{index}]")
    return problems


def check_response(response: httpx.Response) -> None:
    """Assert the body has Pylon's shape for its operation and status, and no field missing."""
    request = response.request
    schema, validate = response_schema(request.method, request.url.path, response.status_code)
    body = response.json()
    if validate:
        _validator(json.dumps(schema, sort_keys=True)).validate(body)
    envelope = _component(schema["$ref"].rsplit("/", 1)[-1]) if "$ref" in schema else schema
    if response.status_code < 400:
        absent = set(envelope.get("properties", {})) - {"pagination"} - set(body)
        assert not absent, f"{request.method} {request.url.path}: envelope lacks {sorted(absent)}"
    missing = missing_fields(schema, body)
    assert not missing, f"{request.method} {request.url.path}: {'; '.join(missing[:10])}"


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
