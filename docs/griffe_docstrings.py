"""Read the generated methods' ``Args:`` sections the way they are meant, for the reference.

A griffe extension (``extensions:`` of the Python handler in ``mkdocs.yml``). Two forms in the
generated docstrings are clear to a reader but not Google style, and griffe would drop or
misread them:

* an entry whose ``name (type, required):`` head is wrapped onto the next line, as long types
  are (``relationship_type (Literal['parent_account', 'partner_account'], required`` then
  ``unless body= is given): ...``): griffe finds no ``name (type): description`` pair and
  drops the parameter;
* the one entry for the five per-call options (``extra_headers, extra_query, extra_body,
  timeout, deadline: per-call options, ...``), which griffe reads as one parameter named by
  the whole list.

:func:`normalize_args` joins the wrapped heads and gives each per-call option an entry of its
own (its type comes from the signature). It changes nothing in a docstring that has neither
form, so once the generator writes these sections in plain Google style it is a no-op.
"""

from __future__ import annotations

import re
from typing import Any

from griffe import Extension  # type: ignore[import-not-found]  # in .venv-docs, not .venv

__all__ = ["GeneratedArgs", "normalize_args"]

_SECTION = re.compile(r"^(Args|Arguments|Parameters):\s*$")
_ENTRY = re.compile(r"^    \S")  # an entry starts at the section's indent
_GROUP = re.compile(r"^    (?P<names>\w+(?:, \w+)+): (?P<text>.*)$")


def _entries(lines: list[str]) -> list[list[str]]:
    """Cut the lines of one section into entries: a head and its continuation lines."""
    entries: list[list[str]] = []
    for line in lines:
        if _ENTRY.match(line) or not entries:
            entries.append([line])
        else:
            entries[-1].append(line)
    return entries


def _head_is_open(line: str) -> bool:
    """Whether ``name (type...`` has not reached its ``):`` on this line."""
    name, _, rest = line.strip().partition(" ")
    return rest.startswith("(") and "):" not in rest and ":" not in name


def _normalize_entry(entry: list[str]) -> list[str]:
    while len(entry) > 1 and _head_is_open(entry[0]):
        entry = [f"{entry[0]} {entry[1].strip()}", *entry[2:]]
    group = _GROUP.match(entry[0])
    if group:
        text = " ".join([group["text"], *(line.strip() for line in entry[1:])])
        return [f"    {name}: {text}" for name in group["names"].split(", ")]
    return entry


def normalize_args(docstring: str) -> str:
    """Return the docstring with each ``Args:`` entry in plain Google style (see the module)."""
    lines = docstring.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        out.append(lines[i])
        if not _SECTION.match(lines[i]):
            i += 1
            continue
        end = i + 1
        while end < len(lines) and (not lines[end].strip() or lines[end].startswith(" ")):
            end += 1
        body = lines[i + 1 : end]
        kept = len(body)
        while kept and not body[kept - 1].strip():  # the blank lines before the next section
            kept -= 1
        for entry in _entries(body[:kept]):
            out.extend(_normalize_entry(entry))
        out.extend(body[kept:])
        i = end
    return "\n".join(out) + ("\n" if docstring.endswith("\n") else "")


class GeneratedArgs(Extension):  # type: ignore[misc]  # Extension is Any where mypy runs
    """Rewrite each function's docstring with :func:`normalize_args` as griffe loads it."""

    def on_function_instance(self, *, func: Any, **kwargs: Any) -> None:
        """Normalize the docstring before mkdocstrings parses it."""
        if func.docstring is not None:
            func.docstring.value = normalize_args(func.docstring.value)
