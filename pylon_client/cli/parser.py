"""The argument parser every ``pylon`` command is built from, and the integer argument types.

:class:`CliParser` changes two things about :class:`argparse.ArgumentParser`:

- A usage error is one line on stderr, ``pylon: error: MESSAGE (see 'pylon tasks create
  --help')``, and exit status 2, instead of the whole usage block. Subcommand parsers are of the
  same class (``add_subparsers`` makes them with ``parser_class``, which defaults to the type of
  the parser it is called on), so the line names the command that was mistyped.
- An option added with ``required=True`` is listed under a "required options" heading in
  ``--help``, right after the positional arguments, instead of among the optional ones.

Only the standard library is imported, so that ``pylon --help`` stays cheap.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from typing import TypeAlias

__all__ = ["REQUIRED_TITLE", "CliParser", "Commands", "at_least", "port"]

REQUIRED_TITLE = "required options"

_USAGE_ERROR = 2  # argparse's (and the shells') convention for a usage error


class CliParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line and whose required options stand apart."""

    def error(self, message: str) -> NoReturn:
        """Print ``pylon: error: MESSAGE (see 'PROG --help')`` on stderr and exit with 2."""
        text = " ".join(message.split())  # one line, whatever argparse put in the message
        sys.stderr.write(f"pylon: error: {text} (see '{self.prog} --help')\n")
        sys.exit(_USAGE_ERROR)

    def add_argument(self, *names: str, **kwargs: Any) -> argparse.Action:
        """Add an argument; an option with ``required=True`` goes under "required options"."""
        if kwargs.get("required") and names and names[0][:1] in self.prefix_chars:
            return self.required_group().add_argument(*names, **kwargs)
        return super().add_argument(*names, **kwargs)

    def add_argument_group(self, *args: Any, **kwargs: Any) -> argparse._ArgumentGroup:
        """Add a group; "required options" (also one copied from a parent) is listed first."""
        group = super().add_argument_group(*args, **kwargs)
        if group.title == REQUIRED_TITLE:
            # Right after the positional arguments: what a command needs comes first.
            self._action_groups.remove(group)
            self._action_groups.insert(1, group)
        return group

    def required_group(self) -> argparse._ArgumentGroup:
        """Return the "required options" group, made on first use."""
        for group in self._action_groups:
            if group.title == REQUIRED_TITLE:
                return group
        return self.add_argument_group(REQUIRED_TITLE)

    def parse_known_args(  # type: ignore[override]  # one signature for typeshed's overloads
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """Parse as argparse does; a command without subcommands refuses what it does not know.

        argparse hands unknown arguments up to the top-level parser, whose error would point at
        ``pylon --help``; refusing them here points at the command's own help instead.
        """
        parsed, extras = super().parse_known_args(args, namespace)
        if extras and self._subparsers is None:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed, extras


if TYPE_CHECKING:
    Commands: TypeAlias = argparse._SubParsersAction[CliParser]
    """The subcommands of a group: what ``add_subparsers`` returns, to ``add_parser`` to."""
else:
    Commands = argparse._SubParsersAction  # not subscriptable at run time


def at_least(minimum: int, name: str = "N") -> Callable[[str], int]:
    """Return an argument type: an integer no smaller than ``minimum``.

    >>> at_least(1)("3")
    3
    """

    def parse(value: str) -> int:
        try:
            number = int(value.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
        if number < minimum:
            raise argparse.ArgumentTypeError(f"{name} must be at least {minimum}, got {number}")
        return number

    return parse


def port(value: str) -> int:
    """Parse a TCP port, 0 to 65535 (0: the system picks a free one).

    >>> port("8080")
    8080
    """
    number = at_least(0, "port")(value)
    if number > 65535:
        raise argparse.ArgumentTypeError(f"port must be at most 65535, got {number}")
    return number
