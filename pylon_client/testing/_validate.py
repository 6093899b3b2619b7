"""Reading request bodies and parameters the way Pylon does, with human error messages."""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any

from ._protocol import JSON, ApiError, Call

__all__ = [
    "Reader",
    "body_object",
    "format_time",
    "is_slug",
    "merge_custom_fields",
    "parse_limit",
    "parse_time",
    "parse_time_lenient",
    "slugify",
]

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_SLUG = re.compile(r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$")


def is_slug(value: str) -> bool:
    """Return True for a lowercase slug such as ``waiting_on_qa``."""
    return bool(_SLUG.match(value))


def slugify(text: str, sep: str = "-") -> str:
    """Return a lowercase slug of ``text``: ``"Getting Started!"`` -> ``getting-started``."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return sep.join(words) or "untitled"


def parse_time(value: str) -> datetime | None:
    """Parse a strict RFC 3339 date-time, or return None if it is not one."""
    if not _RFC3339.match(value):
        return None
    try:
        return datetime.fromisoformat(value.upper().replace(" ", "T")).astimezone(UTC)
    except ValueError:
        return None


# Stored timestamps are compared on every list and search call; parsing each string once keeps
# paging through 20,000 issues fast. Stored values are few and immutable, so the cache is safe.
@functools.lru_cache(maxsize=1 << 17)
def parse_time_lenient(value: str) -> datetime | None:
    """Parse a stored date or date-time (a bare date means midnight UTC); None if unparsable."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def format_time(moment: datetime) -> str:
    """Format like Pylon: ``2026-01-31T12:00:00Z`` (microseconds only when present)."""
    moment = moment.astimezone(UTC)
    spec = "microseconds" if moment.microsecond else "seconds"
    return moment.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def body_object(call: Call) -> JSON:
    """Return the JSON body as a dict; an absent body reads as ``{}``."""
    if call.body is None:
        return {}
    if not isinstance(call.body, dict):
        raise ApiError.bad_request("the request body must be a JSON object")
    return call.body


def parse_limit(raw: Any, *, maximum: int, default: int = 100) -> int:
    """Validate ``limit`` from a query string or a JSON body: an integer in 1..maximum."""
    if raw is None:
        return default
    if isinstance(raw, str):
        try:
            raw = int(raw)
        except ValueError:
            raise ApiError.bad_request(f"limit must be an integer, got {raw!r}") from None
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ApiError.bad_request("limit must be an integer")
    if not 1 <= raw <= maximum:
        raise ApiError.bad_request(f"limit must be between 1 and {maximum}, got {raw}")
    return raw


class Reader:
    """Read fields of a JSON object, collecting every problem before failing once.

    ``null`` reads as absent, as on Pylon. Call :meth:`done` after the last field: it raises one
    400 ``invalid_request_body`` listing every problem found.
    """

    def __init__(self, body: Mapping[str, Any]) -> None:
        self.body = body
        self.errors: list[str] = []

    def _get(self, name: str, required: bool) -> Any:
        value = self.body.get(name)
        if value is None and required:
            self.errors.append(f"{name} is required")
        return value

    def string(
        self,
        name: str,
        *,
        required: bool = False,
        choices: Collection[str] | None = None,
        slug: bool = False,
    ) -> str | None:
        """Read a string; ``choices`` restricts it, ``slug`` also admits a custom slug."""
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self.errors.append(f"{name} must be a string, got {type(value).__name__}")
            return None
        if required and not value.strip():
            self.errors.append(f"{name} must not be empty")
            return None
        if choices is not None and value not in choices and not (slug and is_slug(value)):
            allowed = ", ".join(choices) + (", or a custom status slug" if slug else "")
            self.errors.append(f"{name} must be one of {allowed}; got {value!r}")
            return None
        return value

    def boolean(self, name: str) -> bool | None:
        """Read a boolean."""
        value = self._get(name, False)
        if value is not None and not isinstance(value, bool):
            self.errors.append(f"{name} must be a boolean")
            return None
        return value

    def str_list(
        self, name: str, *, required: bool = False, min_len: int = 0, max_len: int | None = None
    ) -> list[str] | None:
        """Read an array of strings, optionally bounded in length."""
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.errors.append(f"{name} must be an array of strings")
            return None
        if len(value) < min_len or (max_len is not None and len(value) > max_len):
            bound = f"{min_len} to {max_len}" if max_len is not None else f"at least {min_len}"
            self.errors.append(f"{name} must hold {bound} items, got {len(value)}")
            return None
        return list(value)

    def time(self, name: str, *, clearable: bool = False) -> str | None:
        """Read an RFC 3339 date-time; with ``clearable`` an empty string means "clear it"."""
        value = self.string(name)
        if value is None or (clearable and value == ""):
            return value
        parsed = parse_time(value)
        if parsed is None:
            self.errors.append(f"{name} must be an RFC 3339 date-time, got {value!r}")
            return None
        return format_time(parsed)

    def ref(
        self, name: str, objects: Mapping[str, Any], kind: str, *, required: bool = False
    ) -> str | None:
        """Read an id that must name an existing object of ``objects``."""
        value = self.string(name, required=required)
        if value and value not in objects:
            self.errors.append(f"{name}: no {kind} with id {value!r}")
            return None
        return value

    def mapping(self, name: str, fields: Mapping[str, type | tuple[type, ...]]) -> JSON | None:
        """Read an object, keeping the known ``fields`` (unknown keys are ignored)."""
        value = self._get(name, False)
        if value is None:
            return None
        return self._keep(name, value, fields, ())

    def objects(
        self,
        name: str,
        fields: Mapping[str, type | tuple[type, ...]],
        *,
        required: Collection[str] = (),
    ) -> list[JSON] | None:
        """Read an array of objects, keeping the known ``fields`` (unknown keys are ignored).

        Example: ``r.objects("external_ids", {"external_id": str, "label": str},
        required=("external_id",))``.
        """
        value = self._get(name, False)
        if value is None:
            return None
        if not isinstance(value, list):
            self.errors.append(f"{name} must be an array of objects")
            return None
        out = [self._keep(f"{name}[{i}]", item, fields, required) for i, item in enumerate(value)]
        kept = [item for item in out if item is not None]
        return kept if len(kept) == len(out) else None

    def _keep(
        self,
        name: str,
        value: Any,
        fields: Mapping[str, type | tuple[type, ...]],
        required: Collection[str],
    ) -> JSON | None:
        if not isinstance(value, dict):
            self.errors.append(f"{name} must be an object")
            return None
        kept = {k: value[k] for k in fields if value.get(k) is not None}
        problems = [f"{k} has the wrong type" for k, v in kept.items() if not _is_a(v, fields[k])]
        problems += [f"{k} is required" for k in required if k not in kept]
        if problems:
            self.errors.append(f"{name}: {'; '.join(problems)}")
            return None
        return kept

    def custom_fields(self, name: str = "custom_fields") -> dict[str, JSON | None] | None:
        """Read ``[{"slug", "value"} | {"slug", "values"}]`` into a slug-keyed dict.

        Values are strings (a select takes the option slug). A null ``value`` (or ``values``)
        reads as None: "unset this field", see :func:`merge_custom_fields`.
        """
        value = self._get(name, False)
        if value is None:
            return None
        shape = (
            f'{name} must be an array of {{"slug", "value": string}} or '
            f'{{"slug", "values": [string]}} objects'
        )
        if not isinstance(value, list):
            self.errors.append(shape)
            return None
        out: dict[str, JSON | None] = {}
        for item in value:
            if not isinstance(item, dict) or not isinstance(item.get("slug"), str):
                self.errors.append(shape)
                return None
            slug = item["slug"]
            if item.get("values") is not None:
                values = item["values"]
                if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                    self.errors.append(shape)
                    return None
                out[slug] = {"slug": slug, "values": list(values)}
            elif item.get("value") is not None:
                if not isinstance(item["value"], str):
                    self.errors.append(shape)
                    return None
                out[slug] = {"slug": slug, "value": item["value"]}
            else:
                out[slug] = None
        return out

    def done(self) -> None:
        """Raise one 400 listing every problem, if there was any."""
        if self.errors:
            raise ApiError.bad_request(*self.errors)


def _is_a(value: Any, kind: type | tuple[type, ...]) -> bool:
    # bool is an int in Python, never in JSON.
    if isinstance(value, bool) and kind is not bool:
        return False
    return isinstance(value, kind)


def merge_custom_fields(current: JSON, given: Mapping[str, JSON | None] | None) -> JSON:
    """Return ``current`` updated by ``given`` (from :meth:`Reader.custom_fields`).

    A slug given a value replaces it; a slug given None is unset; the rest stay.
    """
    if given is None:
        return current
    merged = {**current, **{k: v for k, v in given.items() if v is not None}}
    return {k: v for k, v in merged.items() if given.get(k, v) is not None}
