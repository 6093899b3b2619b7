"""What the CLI knows about each object type: its table columns and its create/update options.

One :class:`Kind` per group of ``pylon tasks|projects|milestones|accounts|contacts``; the
parsers and commands in ``cli.objects`` are built from these. Options are named after the API's
body fields (``--owner-id`` sends ``owner_id``), with the fields of Pylon's document for
``POST`` and ``PATCH`` of each type; any other field goes through ``--field KEY=VALUE``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .common import parse_date_field

__all__ = ["KINDS", "Field", "Kind", "comma_list", "true_false"]

Getter = Callable[[dict[str, Any]], str]


def _key(name: str) -> Getter:
    return lambda obj: "" if obj.get(name) is None else str(obj[name])


def _ref(name: str) -> Getter:
    def get(obj: dict[str, Any]) -> str:
        ref = obj.get(name)
        return str(ref.get("id") or "") if isinstance(ref, dict) else ""

    return get


def _day(name: str) -> Getter:
    # RFC 3339 dates read best as their day; the time is in --json.
    return lambda obj: str(obj.get(name) or "")[:10]


def _joined(name: str) -> Getter:
    return lambda obj: ",".join(str(v) for v in obj.get(name) or [])


def _yes(name: str) -> Getter:
    return lambda obj: "yes" if obj.get(name) else ""


def _domain(obj: dict[str, Any]) -> str:
    return str(obj.get("primary_domain") or obj.get("domain") or "")


def _assignee(obj: dict[str, Any]) -> str:
    assignee = obj.get("assignee")
    if not isinstance(assignee, dict):
        return ""
    for side in ("user", "contact"):
        if isinstance(assignee.get(side), dict):
            return str(assignee[side].get("id") or "")
    return ""


def comma_list(value: str) -> list[str]:
    """Split ``a, b,c`` into ``["a", "b", "c"]``; an empty string is the empty list.

    >>> comma_list("vip, beta"), comma_list("")
    (['vip', 'beta'], [])
    """
    return [part.strip() for part in value.split(",") if part.strip()]


def true_false(value: str) -> bool:
    """Parse ``true`` or ``false`` (any case) for a boolean field.

    >>> true_false("True")
    True
    """
    lowered = value.strip().lower()
    if lowered not in ("true", "false"):
        raise argparse.ArgumentTypeError(f"{value!r} is not true or false")
    return lowered == "true"


@dataclass(frozen=True)
class Field:
    """One ``--option`` of create or update, sent as ``api_name``.

    ``parse`` is the argparse type (a date, a comma-separated list, true/false; None: text as
    given) and ``choices`` the values allowed, if Pylon's document lists them.
    """

    flag: str
    api_name: str
    help: str
    parse: Callable[[str], Any] | None = None
    choices: tuple[str, ...] | None = None
    metavar: str | None = None


@dataclass(frozen=True)
class Kind:
    """What the CLI knows about one object type.

    ``has_list`` is true when Pylon has a ``GET`` list endpoint for it; without one, ``list``
    is a search with no filter (``POST /<type>/search``). ``bulk`` is true for accounts, whose
    group also holds ``update-many`` and ``merge``.
    """

    plural: str
    singular: str
    columns: tuple[tuple[str, Getter], ...]
    create: tuple[Field, ...]
    required: tuple[str, ...]  # api names create needs
    update: tuple[Field, ...]
    search: tuple[str, ...]  # api fields with a search option (--status, ...)
    has_list: bool = False
    bulk: bool = False


def _f(
    flag: str,
    help: str,
    *,
    parse: Callable[[str], Any] | None = None,
    choices: tuple[str, ...] | None = None,
    metavar: str | None = None,
) -> Field:
    return Field(flag, flag.removeprefix("--").replace("-", "_"), help, parse, choices, metavar)


def _date(flag: str, help: str = "YYYY-MM-DD or RFC 3339") -> Field:
    return _f(flag, help, parse=parse_date_field, metavar="DATE")


def _list(flag: str, help: str, metavar: str) -> Field:
    return _f(flag, help + ", comma-separated ('' for none)", parse=comma_list, metavar=metavar)


_TASK_FIELDS = (
    _f("--title", "title"),
    _f("--status", "not_started, in_progress or completed"),
    _f("--account-id", "account"),
    _f("--project-id", "project"),
    _f("--milestone-id", "milestone"),
    _f("--assignee-id", "user or contact"),
    _date("--due-date", "YYYY-MM-DD or RFC 3339 ('' clears it)"),
    _f("--body-html", "body, as HTML"),
)
_PROJECT_UPDATE = (
    _f("--name", "name"),
    _f("--description-html", "description, as HTML"),
    _f("--owner-id", "owner (a user)"),
    _date("--start-date"),
    _date("--end-date"),
)
_ACCOUNT_FIELDS = (
    _f("--name", "name"),
    _list("--domains", "domains without a scheme (example.com)", "DOMAIN,..."),
    _f("--primary-domain", "the primary one, among --domains (default: the first)"),
    _list("--tags", "tags; replaces the account's tags", "TAG,..."),
    _f("--logo-url", "a square .png, .jpg or .jpeg"),
)
_CONTACT_FIELDS = (
    _f("--name", "name"),
    _f("--email", "primary email"),
    _f("--account-id", "account"),
    _f("--account-external-id", "account, by its external id (not with --account-id)"),
    _list("--phone-numbers", "digits only, up to 15 each", "NUMBER,..."),
    _f("--primary-phone-number", "one of --phone-numbers (default: the first)"),
    _f("--portal-role-id", "a custom portal role (wins over --portal-role)"),
    _f("--avatar-url", "a square .png, .jpg or .jpeg"),
)
_PORTAL_ROLES = ("no_access", "member", "admin")

KINDS = (
    Kind(
        plural="tasks",
        singular="task",
        columns=(
            ("ID", _key("id")),
            ("TITLE", _key("title")),
            ("STATUS", _key("status")),
            ("ACCOUNT", _ref("account")),
            ("PROJECT", _ref("project")),
            ("ASSIGNEE", _assignee),
            ("DUE", _day("due_date")),
        ),
        create=_TASK_FIELDS,
        required=("title",),
        update=_TASK_FIELDS,
        search=("status", "account_id", "project_id"),
        has_list=True,
    ),
    Kind(
        plural="projects",
        singular="project",
        columns=(
            ("ID", _key("id")),
            ("NAME", _key("name")),
            ("STATUS", _key("status")),
            ("ACCOUNT", _ref("account")),
            ("OWNER", _key("owner_id")),
            ("START", _day("start_date")),
            ("END", _day("end_date")),
        ),
        create=(_f("--account-id", "account"), *_PROJECT_UPDATE),
        required=("account_id", "name"),
        update=_PROJECT_UPDATE,
        search=("status", "account_id"),
    ),
    Kind(
        plural="milestones",
        singular="milestone",
        columns=(
            ("ID", _key("id")),
            ("NAME", _key("name")),
            ("PROJECT", _ref("project")),
            ("ACCOUNT", _ref("account")),
            ("DUE", _day("due_date")),
        ),
        create=(
            _f("--name", "name"),
            _f("--project-id", "project"),
            _f("--account-id", "account"),
            _date("--due-date"),
        ),
        required=("name", "project_id"),
        update=(
            _f("--name", "name"),
            _date("--due-date", "YYYY-MM-DD or RFC 3339 ('' clears it)"),
        ),
        search=("project_id",),
    ),
    Kind(
        plural="accounts",
        singular="account",
        columns=(
            ("ID", _key("id")),
            ("NAME", _key("name")),
            ("DOMAIN", _domain),
            ("TYPE", _key("type")),
            ("OWNER", _ref("owner")),
            ("TAGS", _joined("tags")),
            ("DISABLED", _yes("is_disabled")),
        ),
        create=(
            *_ACCOUNT_FIELDS,
            _f("--owner-id", "owner (a user)"),
            _f(
                "--account-type",
                "default customer",
                choices=("customer", "internal", "community", "partner"),
            ),
        ),
        required=("name",),
        update=(
            *_ACCOUNT_FIELDS,
            _f("--owner-id", "owner (a user; '' removes the owner)"),
            _f("--account-type", "account type", choices=("customer", "partner")),
            _f("--is-disabled", "true or false", parse=true_false, metavar="BOOL"),
        ),
        search=("name", "owner_id"),
        has_list=True,
        bulk=True,
    ),
    Kind(
        plural="contacts",
        singular="contact",
        columns=(
            ("ID", _key("id")),
            ("NAME", _key("name")),
            ("EMAIL", _key("email")),
            ("ACCOUNT", _ref("account")),
            ("PHONE", _key("primary_phone_number")),
            ("PORTAL_ROLE", _key("portal_role")),
        ),
        create=(
            *_CONTACT_FIELDS,
            _f("--portal-role", "default: the portal's default role", choices=_PORTAL_ROLES),
        ),
        required=("name",),
        update=(
            *_CONTACT_FIELDS,
            _f("--portal-role", "no_access, member, admin or a custom role's slug"),
        ),
        search=("email", "account_id"),
        has_list=True,
    ),
)
