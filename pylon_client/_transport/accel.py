"""Optional compiled decoding of successful responses with msgspec (``pylon-client[fast]``).

Without it, a 2xx body is parsed by ``json.loads`` (in the retry layer) and then by the
generated ``from_dict`` of its model, in Python, one key at a time. With ``msgspec`` installed,
the body is decoded straight into ``msgspec.Struct`` classes that mirror the generated models
(the types are checked in C), and the public attrs models are then built from the Structs with
no further checks. Same models, same values: a 100-task page costs about half as much.

**The rule that keeps it safe.** The fast path may only ever answer what the usual path would
answer. Every Struct is at least as strict as the generated code it mirrors, and where it is
not sure it refuses:

* a key its model does not declare is refused (``forbid_unknown_fields``): the usual path keeps
  such keys in ``additional_properties``;
* a value the generated code would accept but the Struct does not (``true`` for an integer, a
  number in a list of strings) is refused;
* dates stay strings in the Struct and are parsed by the same ``datetime.fromisoformat``;
* a model the mirror cannot express (typed additional properties, a field type it does not
  know) is decoded as a plain ``dict`` and built by its own ``from_dict``.

**A refused body is still read once, in C.** Real answers carry keys the document lacks (Pylon
sends more than it documents). On a refusal the decoder reads the body as plain JSON values
with msgspec's untyped decoder, which gives exactly what ``json.loads`` gives (tested on
hostile bodies), and hands them back as a :class:`~.context.Payload`: the generated
``from_dict`` then builds the models, unknown keys kept, as on a plain install but with the
faster reader. Nothing is remembered between bodies: each body is tried on its own. The typed
attempt stops at the first key it does not know; on Pylon's pages, whose items share their
keys, that is within the first item, so a grown page costs one untyped read plus a few
hundred bytes. Only what msgspec cannot read at all (``NaN``, a byte-order mark, a lone
surrogate) goes to ``json.loads``, which decides as it always did.

**Where the Structs come from.** The generator writes them: ``codegen/structs.py`` reads the
models it has just generated and emits, for each module of parse functions
(``_generated/resources/tasks.py``), a module of ``_generated/structs/`` (``structs/tasks.py``)
holding the Structs, the functions that build the models from them, and one decoder per parse
function, in its ``DECODERS`` table. ``structs.MODULES`` says which module holds which. This
module only looks a parse function's decoder up, imports its Structs module on first use
(``sys.modules`` keeps it, as it keeps any module), and turns a refusal into None: nothing is
built, learnt or kept at run time. Only this module imports ``_generated.structs``'s modules,
and it is imported only when msgspec is installed. ``tests/test_accel.py`` checks both paths
give equal results for every operation.
"""

from __future__ import annotations

import functools
import importlib
import sys
from collections.abc import Callable
from typing import Any, NamedTuple

import msgspec

from .._generated import structs
from .context import Payload

__all__ = ["Parsed", "fast_decoder"]

_GENERATED = structs.__name__.rpartition(".")[0]
# A parse function's module -> the module of its decoders (both full names), from the table
# the generator writes.
_STRUCTS: dict[str, str] = {
    f"{_GENERATED}.{source}": f"{structs.__name__}.{name}"
    for source, name in structs.MODULES.items()
}


class Parsed(NamedTuple):
    """A body decoded on the fast path: the envelope's ``request_id`` as sent, and the result."""

    request_id: Any
    value: Any


FastDecoder = Callable[[bytes], Parsed | Payload | None]

_read_json = msgspec.json.Decoder().decode


def fast_decoder(parse: Callable[[Any], Any]) -> FastDecoder | None:
    """Return the fast decoder for a generated parse function, or None if it has none."""
    module = _STRUCTS.get(getattr(parse, "__module__", None) or "")
    if module is None:
        return None
    decoders = (sys.modules.get(module) or importlib.import_module(module)).DECODERS
    decode = decoders.get(getattr(parse, "__name__", ""))
    if decode is None:
        return None
    return functools.partial(_answer, decode)


def _answer(decode: Callable[[bytes], tuple[Any, Any]], content: bytes) -> Parsed | Payload | None:
    """Decode ``content``: the result, its JSON values for the usual parse, or None."""
    try:
        request_id, value = decode(content)
    except Exception:  # the Structs refused it, or a bad date: the usual parse decides
        try:
            return Payload(_read_json(content))
        except Exception:  # msgspec cannot read it at all: json.loads decides
            return None
    return Parsed(request_id, value)
