"""The fast path on the bodies Pylon really sends: grown, hostile, and its loading rule.

A grown body carries keys the document lacks, at any depth: the fast path must build the same
models as the plain path, ``additional_properties`` included, having read the body once with
msgspec (no ``json.loads``). A hostile body is odd JSON text (escapes, huge numbers, lone
surrogates, duplicate keys, ``NaN``, a byte-order mark): msgspec's reading of it, when it reads
it at all, must be exactly ``json.loads``'s. And with ``accelerate=None`` the decoder loads only
once the answers read have paid for its import (``_transport/fastpath.py``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_accel import ISSUE, TASK, _fast, _fast_result, _identical, _page, _usual

from pylon_client import AsyncPylon
from pylon_client._generated.resources.issues import _page_issue
from pylon_client._generated.resources.tasks import _page_task
from pylon_client._transport import accel
from pylon_client._transport.context import Payload
from pylon_client._transport.fastpath import PAYS_AFTER, WhenItPays

pytestmark = pytest.mark.anyio

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(codec="utf-8"), max_size=6)
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=8,
)
# Keys the models do not declare, and places where Pylon adds them: the item itself and the
# references inside it (``account``, ``assignee.user``, an ``external_issues`` item).
_NEW_KEYS = st.sampled_from(["name", "slug", "brand_new", "x-extra", "avatar_url", "é"])
_PLACES = st.sampled_from([(), ("account",), ("assignee", "user"), ("external_issues", 0)])


@st.composite
def _grown(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    """``base`` with undocumented keys added where Pylon adds them."""
    item: dict[str, Any] = json.loads(json.dumps(base))
    for _ in range(draw(st.integers(1, 4))):
        target: Any = item
        for step in draw(_PLACES):
            in_dict = isinstance(target, dict) and isinstance(step, str) and step in target
            in_list = isinstance(target, list) and isinstance(step, int) and len(target) > step
            if in_dict or in_list:
                target = target[step]
        if isinstance(target, dict):
            target[draw(_NEW_KEYS)] = draw(_JSON)
    return item


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_grown(TASK), min_size=1, max_size=4))
def test_a_grown_task_page_gives_the_plain_paths_models(items: list[dict[str, Any]]) -> None:
    body = _page(*items, pagination={"cursor": "", "has_next_page": False})
    answer = _fast(_page_task)(body)
    assert isinstance(answer, Payload)  # read by msgspec, never by json.loads
    fast = _fast_result(_page_task, body)
    usual = _usual(_page_task, body)
    assert fast == usual
    for got, want in zip(fast.items, usual.items, strict=True):
        assert got.additional_properties == want.additional_properties
        assert got.to_dict() == want.to_dict()


ISSUE_WITH_REFS = dict(ISSUE, assignee={"id": "usr_1", "email": "a@example.com"})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_grown(ISSUE_WITH_REFS), min_size=1, max_size=3))
def test_a_grown_issue_page_gives_the_plain_paths_models(items: list[dict[str, Any]]) -> None:
    body = _page(*items, pagination={"cursor": "", "has_next_page": False})
    assert _fast_result(_page_issue, body) == _usual(_page_issue, body)


def _texts(value: Any) -> st.SearchStrategy[bytes]:
    """``value`` as JSON text, written in the ways a server may write it."""
    return st.builds(
        lambda ascii_only, spaced: json.dumps(
            value, ensure_ascii=ascii_only, separators=(", ", ": ") if spaced else (",", ":")
        ).encode("utf-8", "surrogatepass"),
        st.booleans(),
        st.booleans(),
    )


_ODD = st.sampled_from(
    [
        b'"\\ud800"',  # a lone surrogate, escaped
        b'"\\udc00\\ud800"',
        b'"\\ud83d\\ude00"',  # a pair: one character
        b"NaN",
        b"-Infinity",
        b"1e400",
        b"-0",
        b"-0.0",
        b"123456789012345678901234567890",
        b"4.9e-325",
        b'"\\u0000"',
        b'{"a": 1, "a": 2}',
        b'"\xed\xa0\x80"',  # a surrogate encoded in UTF-8
    ]
)


@st.composite
def _hostile(draw: st.DrawFn) -> bytes:
    """A task page with odd JSON text put in place of one value, maybe with a byte-order mark."""
    body = draw(_texts({"data": [TASK], "request_id": "__ODD__"}))
    body = body.replace(
        b'"__ODD__"', draw(_ODD) if draw(st.booleans()) else draw(_texts(draw(_JSON)))
    )
    if draw(st.integers(0, 9)) == 0:
        body = b"\xef\xbb\xbf" + body
    return body


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_hostile())
def test_msgspec_reads_hostile_text_as_json_loads_does_or_not_at_all(body: bytes) -> None:
    answer = _fast(_page_task)(body)
    usual = json.loads(body)
    if isinstance(answer, Payload):
        assert _identical(answer.value, usual)
    elif answer is not None:  # decoded whole: the same models as the usual path
        assert answer.value == _page_task(usual)
        assert _identical(answer.request_id, usual["request_id"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_JSON.flatmap(_texts))
def test_msgspec_reads_any_json_value_as_json_loads_does(body: bytes) -> None:
    try:
        read = accel._read_json(body)
    except Exception:  # refused: json.loads decides, which is the rule
        return
    assert _identical(read, json.loads(body))


def test_the_decoder_loads_once_the_answers_have_paid_for_it() -> None:
    body = _page(TASK)
    when = WhenItPays(threshold=3 * len(body))
    answers = []
    for _ in range(4):
        decode = when(_page_task)
        assert decode is not None
        answers.append(decode(body))
    assert answers[:2] == [None, None]  # counted, left to the usual path
    assert when.loaded  # the third crossed the line, and was decoded by msgspec
    assert all(a is not None and a.value == _usual(_page_task, body) for a in answers[2:])


def test_the_default_threshold_is_what_the_docs_say() -> None:
    assert PAYS_AFTER == 2 * 1024 * 1024


def test_a_decoder_that_does_not_load_leaves_the_usual_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "pylon_client._transport.accel", None)  # import fails
    when = WhenItPays(threshold=1)
    decode = when(_page_task)
    assert decode is not None
    assert decode(_page(TASK)) is None  # the crossing: the import fails, the usual path parses
    assert when(_page_task) is None  # and from then on there is no decoder at all


async def test_a_client_reads_the_same_before_and_after_loading() -> None:
    """Default client: the first answers go the usual way, the later ones through msgspec."""
    body = _page(dict(TASK, brand_new={"x": [1, 2.5]}), pagination={"has_next_page": False})
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    async with AsyncPylon("t", transport=transport, rate_limit=False) as pylon:
        assert isinstance(pylon._fast, WhenItPays)
        pylon._fast._threshold = 2 * len(body)
        seen = [[t async for t in pylon.tasks.list()] for _ in range(4)]
        assert pylon._fast.loaded
    assert all(page == seen[0] for page in seen)
    assert seen[0][0].additional_properties == {"brand_new": {"x": [1, 2.5]}}


def test_a_one_page_script_does_not_import_msgspec() -> None:
    """Cold start: a default client that reads one page never imports msgspec."""
    body = json.dumps({"data": [TASK], "request_id": "r"})
    code = (
        "import asyncio, sys, httpx\n"
        "from pylon_client import AsyncPylon\n"
        f"body = {body!r}.encode()\n"
        "async def main():\n"
        "    transport = httpx.MockTransport(lambda r: httpx.Response(200, content=body))\n"
        "    async with AsyncPylon('t', transport=transport, rate_limit=False) as pylon:\n"
        "        [t async for t in pylon.tasks.list()]\n"
        "asyncio.run(main())\n"
        "print(sorted(m for m in sys.modules if m.startswith('msgspec') or 'accel' in m))"
    )
    done = subprocess.run(  # noqa: S603 (our own interpreter, fixed code)
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    assert done.stdout.strip() == "[]"
