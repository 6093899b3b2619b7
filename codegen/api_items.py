"""What the public API is made of, and how a change to it is classified for a user's code.

Both views of ``make api-diff`` reduce a client to the same items, keyed by what a user's code
names (``codegen/api_spec.py`` from the effective spec, ``codegen/api_python.py`` from the
generated package):

* ``operation``: a method, ``tasks.create``, with its endpoint and rate limit;
* ``argument``: one argument of a method, ``tasks.create(title)``, with its type, whether it
  is required, whether it takes ``None``, and the values of an enumeration;
* ``response``: what a method returns (name ``""``) and each field in it, by path from the
  returned object: ``tasks.get -> account.id``; ``[]`` steps into a list's items;
* ``model``: a class of ``pylon_client.types`` (the Python view only).

One rule classifies every change: it is **breaking** when code written against the old
client can fail against the new one, and **compatible** otherwise. What a user sends
(arguments) may only accept more; what a user reads (responses) may only promise more.

====================================  ==========================  ==========================
change                                argument (what you send)    response field (you read)
====================================  ==========================  ==========================
added                                 compatible if optional,     compatible
                                      breaking if required
removed                               breaking                    breaking
renamed (one removed, one added,      breaking                    breaking
same type and place)
became required                       breaking                    compatible
became optional                       compatible                  breaking (may be UNSET)
takes / may be ``None``               compatible                  breaking
no longer takes / is ``None``         breaking                    compatible
type changed                          breaking                    breaking
enumeration narrowed (values gone)    breaking                    breaking (code naming the
                                                                  value can no longer match)
enumeration widened (new values)      compatible                  compatible (the client
                                                                  keeps a value it does not
                                                                  know, as the string sent)
became an enumeration (any string     breaking                    compatible
before)
no longer an enumeration              compatible                  compatible
sent elsewhere (query -> body)        compatible                  n/a
====================================  ==========================  ==========================

Operations and models: added is compatible, removed is breaking; the arguments of a new
method are compatible, required or not (no code calls it yet). A new endpoint behind the
same method name, and any change of rate limit, are compatible (a lower limit makes the
client pace the calls more slowly; it does not fail).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["BREAKING", "COMPATIBLE", "Change", "Item", "Key", "compare", "inverse_of"]

Kind = Literal["operation", "argument", "response", "model"]
Verdict = Literal["breaking", "compatible"]
BREAKING: Verdict = "breaking"
COMPATIBLE: Verdict = "compatible"
Key = tuple[str, str, str]


@dataclass(frozen=True)
class Item:
    """One thing a user's code names, and what a change of it is judged by."""

    kind: Kind
    owner: str
    name: str = ""
    type: str = ""
    required: bool = False
    nullable: bool = False
    enum: tuple[str, ...] = ()
    where: str = ""
    rate_limit: int | None = None

    @property
    def key(self) -> Key:
        """Return ``(kind, owner, name)``: the same item in both views, and in both versions."""
        return (self.kind, self.owner, self.name)

    @property
    def label(self) -> str:
        """Return how the report names the item: ``tasks.create(title)``, ``tasks.get -> id``."""
        if self.kind == "argument":
            return f"{self.owner}({self.name})"
        if self.kind == "response":
            return f"{self.owner} -> {self.name}" if self.name else f"{self.owner} returns"
        return self.owner


@dataclass(frozen=True)
class Change:
    """One classified change: ``what`` is one of the rows of the table above."""

    key: Key
    label: str
    what: str
    verdict: Verdict
    detail: str = ""

    def __str__(self) -> str:
        detail = f": {self.detail}" if self.detail else ""
        return f"{self.verdict:<10} {self.label}: {self.what}{detail}"


_INVERSE = {
    "added": "removed",
    "removed": "added",
    "became required": "became optional",
    "became optional": "became required",
    "takes None": "no longer takes None",
    "no longer takes None": "takes None",
    "may be None": "is never None",
    "is never None": "may be None",
    "enumeration narrowed": "enumeration widened",
    "enumeration widened": "enumeration narrowed",
    "became an enumeration": "no longer an enumeration",
    "no longer an enumeration": "became an enumeration",
    "type changed": "type changed",
    "renamed": "renamed",
    "endpoint changed": "endpoint changed",
    "rate limit changed": "rate limit changed",
    "sent elsewhere": "sent elsewhere",
}


def inverse_of(what: str) -> str:
    """Return the change that undoes ``what`` (``added`` for ``removed``)."""
    return _INVERSE[what]


def _sends(item: Item) -> bool:
    return item.kind == "argument"


def _added(item: Item, new_methods: set[str]) -> Change:
    breaking = _sends(item) and item.required and item.owner not in new_methods
    detail = ("required" if item.required else "optional") if _sends(item) else ""
    return Change(item.key, item.label, "added", BREAKING if breaking else COMPATIBLE, detail)


def _changed(old: Item, new: Item) -> list[Change]:
    sends = _sends(new)
    found: list[tuple[str, bool, str]] = []  # what, breaking, detail
    if old.type != new.type:
        found.append(("type changed", True, f"{old.type or '?'} -> {new.type or '?'}"))
    if old.required != new.required:
        what = "became required" if new.required else "became optional"
        found.append((what, new.required == sends, ""))
    if old.nullable != new.nullable:
        if sends:
            what = "takes None" if new.nullable else "no longer takes None"
        else:
            what = "may be None" if new.nullable else "is never None"
        found.append((what, new.nullable != sends, ""))
    if bool(old.enum) != bool(new.enum):
        what = "became an enumeration" if new.enum else "no longer an enumeration"
        found.append((what, sends and bool(new.enum), ", ".join(map(repr, new.enum or old.enum))))
    gone = sorted(set(old.enum) - set(new.enum)) if old.enum and new.enum else []
    more = sorted(set(new.enum) - set(old.enum)) if old.enum and new.enum else []
    if gone:
        found.append(("enumeration narrowed", True, "no " + ", ".join(map(repr, gone))))
    if more:
        found.append(("enumeration widened", False, "new " + ", ".join(map(repr, more))))
    if old.where != new.where:
        what = "endpoint changed" if new.kind == "operation" else "sent elsewhere"
        found.append((what, False, f"{old.where} -> {new.where}"))
    if old.rate_limit != new.rate_limit:
        found.append(
            ("rate limit changed", False, f"{old.rate_limit} -> {new.rate_limit} a minute")
        )
    return [
        Change(new.key, new.label, what, BREAKING if breaking else COMPATIBLE, detail)
        for what, breaking, detail in found
    ]


def _renames(removed: list[Item], added: list[Item]) -> list[tuple[Item, Item]]:
    """Pair an argument removed with one added to the same method, of the same type and place.

    Only an unambiguous pair is a rename: one removed and one added of that kind on the method.
    """
    pairs: list[tuple[Item, Item]] = []
    for old in removed:
        if old.kind != "argument":
            continue
        like = [n for n in added if n.kind == "argument" and n.owner == old.owner]
        same = [n for n in like if (n.type, n.where) == (old.type, old.where)]
        olds = [o for o in removed if o.kind == "argument" and o.owner == old.owner]
        if len(like) == 1 and len(same) == 1 and len(olds) == 1:
            pairs.append((old, same[0]))
    return pairs


def compare(old: dict[Key, Item], new: dict[Key, Item]) -> list[Change]:
    """Return every change from ``old`` to ``new``, classified, in the order of their keys."""
    removed = [old[k] for k in sorted(old.keys() - new.keys())]
    added = [new[k] for k in sorted(new.keys() - old.keys())]
    changes: list[Change] = []
    for was, now in _renames(removed, added):
        removed.remove(was)
        added.remove(now)
        detail = f"{was.name} -> {now.name}"
        changes.append(Change(now.key, was.label, "renamed", BREAKING, detail))
    changes += [Change(i.key, i.label, "removed", BREAKING) for i in removed]
    new_methods = {i.owner for i in added if i.kind == "operation"}
    changes += [_added(i, new_methods) for i in added]
    for key in sorted(old.keys() & new.keys()):
        changes += _changed(old[key], new[key])
    return sorted(changes, key=lambda c: (c.key, c.what))
