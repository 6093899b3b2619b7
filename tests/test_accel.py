"""The msgspec decoder (``_transport.accel``) answers what the usual path answers, or steps aside.

The rule: for any body, the fast decoder returns a result equal to ``parse(json.loads(body))``,
or the body's JSON values exactly as ``json.loads`` gives them (a ``Payload``: its Structs
refused the body, and the usual parse takes the values), or None (msgspec cannot read it: the
usual path decides, result or error). Checked four ways: every facade method against the fake,
each answer decoded both ways; generated bodies (hypothesis) with missing keys, nulls, wrong
types, unknown keys and bad dates; generated hostile JSON texts (escapes, big numbers,
surrogates, duplicate keys, a byte-order mark, ``NaN``); and the cases that must fall back,
through the client, against a client with ``accelerate=False``.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from core_walks import ALL_WALKS
from facade_client import FacadeClient
from fake_harness import small_fake
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pylon_client import AsyncPylon, Pylon, PylonConfigError, ResponseValidationError
from pylon_client._generated._endpoints import ENDPOINTS
from pylon_client._generated.models.mini_account import MiniAccount
from pylon_client._generated.resources.issues import _page_issue
from pylon_client._generated.resources.tasks import _page_task, _parse_task
from pylon_client._transport import accel
from pylon_client._transport.accel import Parsed, fast_decoder
from pylon_client._transport.context import Payload
from pylon_client._transport.fastpath import WhenItPays

pytestmark = pytest.mark.anyio

ACCEL = Path(accel.__file__)


TASK: dict[str, Any] = {
    "id": "task_1",
    "title": "Configure SSO",
    "body_html": "<p>SAML</p>",
    "status": "in_progress",
    "account": {"id": "acc_1"},
    "project": {"id": "prj_1"},
    "milestone": {"id": "mil_1"},
    "assignee": {"user": {"id": "usr_1", "email": "dana@example.com"}},
    "parent_task_id": None,
    "subtask_ids": ["task_1_a"],
    "due_date": "2026-03-01T17:00:00Z",
    "created_at": "2026-02-01T09:30:15Z",
    "updated_at": "2026-02-01T16:45:00+01:00",
    "completed_at": None,
    "customer_portal_visible": True,
    "custom_fields": {"priority": {"slug": "priority", "value": "high"}},
}


def _page(*items: Any, pagination: Any = None, request_id: Any = "req_1") -> bytes:
    body: dict[str, Any] = {"data": list(items), "request_id": request_id}
    if pagination is not None:
        body["pagination"] = pagination
    return json.dumps(body).encode()


def _usual(parse: Callable[[Any], Any], body: bytes) -> Any:
    return parse(json.loads(body))


def _fast(parse: Callable[[Any], Any]) -> Callable[[bytes], Parsed | Payload | None]:
    fast = fast_decoder(parse)
    assert fast is not None
    return fast


def _identical(a: Any, b: Any) -> bool:
    """Whether two JSON values are the same, type for type and key order included."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_identical(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_identical, a, b))
    if isinstance(a, float):
        return repr(a) == repr(b)  # -0.0 is not 0.0
    return bool(a == b)


def _fast_result(parse: Callable[[Any], Any], body: bytes) -> Any:
    """What the client answers with msgspec: the decoder's result, or the usual parse."""
    answer = _fast(parse)(body)
    if isinstance(answer, Payload):
        assert _identical(answer.value, json.loads(body)), "msgspec read other values"
        return parse(answer.value)
    if answer is None:
        return parse(json.loads(body))
    return answer.value


class Checked:
    """A ``_fast`` for a client: each fast decode is checked against the usual path."""

    def __init__(self) -> None:
        self.decoded: set[str] = set()
        self.refused: set[str] = set()

    def __call__(
        self, parse: Callable[[Any], Any]
    ) -> Callable[[bytes], Parsed | Payload | None] | None:
        fast = fast_decoder(parse)
        if fast is None:
            return None
        name = f"{parse.__module__}.{parse.__name__}"

        def checked(content: bytes) -> Parsed | Payload | None:
            parsed = fast(content)
            if parsed is None or isinstance(parsed, Payload):
                if parsed is not None:
                    assert _identical(parsed.value, json.loads(content)), name
                self.refused.add(name)
                return parsed
            assert parsed.value == parse(json.loads(content)), name
            assert parsed.request_id == json.loads(content).get("request_id"), name
            self.decoded.add(name)
            return parsed

        return checked


async def test_every_facade_method_decodes_alike_both_ways() -> None:
    """All facade methods against the fake: every fast answer equals the usual path's."""
    fake = small_fake()
    ids = {"me": fake.state.me_user_id}
    checked = Checked()
    async with AsyncPylon(
        "test-token",
        base_url="https://pylon.test",
        transport=httpx.ASGITransport(app=fake),
        rate_limit=False,
    ) as pylon:
        pylon._fast = checked
        client = FacadeClient(pylon)
        for walk in ALL_WALKS:
            await walk(client, fake, ids)  # type: ignore[arg-type]
    assert sorted(set(ENDPOINTS) - client.called) == []
    # Most answers take the fast path; the names show which shapes did.
    assert len(checked.decoded) >= 60, sorted(checked.decoded)
    assert "pylon_client._generated.resources.tasks._page_task" in checked.decoded
    assert "pylon_client._generated.resources.issues._page_issue" in checked.decoded


def test_a_documented_page_is_decoded_and_equal() -> None:
    body = _page(TASK, dict(TASK, id="task_2"), pagination={"cursor": "c2", "has_next_page": True})
    parsed = _fast(_page_task)(body)
    assert isinstance(parsed, Parsed)
    assert parsed.value == _usual(_page_task, body)
    assert parsed.value.cursor == "c2"
    assert parsed.value.has_next_page is True
    assert parsed.request_id == "req_1"


def test_a_grown_body_is_read_once_and_built_the_usual_way() -> None:
    """A key a model does not declare: msgspec reads the values, ``from_dict`` keeps the key."""
    item = dict(TASK, account={"id": "acc_1", "name": "Acme"}, brand_new="x")
    body = _page(item)
    answer = _fast(_page_task)(body)
    assert isinstance(answer, Payload)
    assert _identical(answer.value, json.loads(body))
    task = _page_task(answer.value).items[0]
    assert task == _usual(_page_task, body).items[0]
    assert task.additional_properties == {"brand_new": "x"}
    assert isinstance(task.account, MiniAccount)
    assert task.account.additional_properties == {"name": "Acme"}
    again = _fast(_page_task)(_page(TASK))  # nothing is learnt: a documented body still decodes
    assert again is not None
    assert again.value == _usual(_page_task, _page(TASK))


async def test_a_grown_body_gives_the_same_result_through_the_client() -> None:
    """Through the client, a grown body is answered (by the usual path) as without msgspec."""
    item = dict(TASK, account={"id": "acc_1", "name": "Acme"}, brand_new="x")
    fast, usual = await _list_both_ways(_page(item, pagination={"has_next_page": False}))
    assert fast == usual
    assert fast[0].additional_properties == {"brand_new": "x"}
    assert fast[0].account.additional_properties == {"name": "Acme"}


def test_the_accelerator_builds_no_code_and_reads_no_error_text() -> None:
    """``accel.py`` runs no ``exec`` and imports no ``re``: the generator wrote its Structs."""
    source = ACCEL.read_text(encoding="utf-8")
    assert "exec(" not in source
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level:
            imported.add(node.module or "")
    assert "re" not in imported
    assert not {name for name in imported if name.startswith("re.")}


@pytest.mark.parametrize(
    "body",
    [
        _page(dict(TASK, customer_portal_visible=1)),  # the usual path refuses it too
        _page(dict(TASK, subtask_ids=[1, 2])),  # the usual path accepts it: the fast one cannot
        _page(dict(TASK, created_at="yesterday")),
        _page(dict(TASK, id=None)),
        _page({k: v for k, v in TASK.items() if k != "id"}),
        b'{"data": [], "request_id": NaN}',
        b"\xef\xbb\xbf" + _page(TASK),
        _page(TASK)[:-3],
        b'{"data": {"id": "x"}}',
        b"[]",
    ],
)
def test_what_the_fast_path_cannot_vouch_for_goes_the_usual_way(body: bytes) -> None:
    answer = _fast(_page_task)(body)
    assert not isinstance(answer, Parsed)
    if answer is not None:  # read by msgspec, as json.loads reads it: the usual parse decides
        assert _identical(answer.value, json.loads(body))


def test_a_single_object_envelope() -> None:
    body = json.dumps({"data": TASK, "request_id": 7}).encode()
    parsed = _fast(_parse_task)(body)
    assert isinstance(parsed, Parsed)
    assert parsed.value == _usual(_parse_task, body)
    assert parsed.request_id == 7  # as sent; the client keeps only a string


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
)
_VALUES = st.one_of(
    _JSON,
    st.sampled_from(["2026-02-01T09:30:15Z", "2026-02-01", "2026-02-01T09:30:15.123456+05:30"]),
    st.sampled_from([{"id": "acc"}, {"id": 1}, {"id": "a", "name": "n"}, {"user": {"id": "u"}}]),
    st.sampled_from([[{"id": "i"}], [{"id": "i", "extra": 1}], ["s"], [None]]),
)


@st.composite
def _items(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    item = dict(base)
    for key in draw(st.lists(st.sampled_from(sorted(base)), max_size=4)):
        if draw(st.booleans()):
            item.pop(key, None)
        else:
            item[key] = draw(_VALUES)
    added = st.sampled_from(["new", "title", "id", "external_issues"])
    for key in draw(st.lists(added, max_size=2)):
        item[key] = draw(_VALUES)
    return item


def _same_or_refused(parse: Callable[[Any], Any], body: bytes) -> None:
    answer = _fast(parse)(body)
    if isinstance(answer, Payload):
        assert _identical(answer.value, json.loads(body))
    try:
        usual = _usual(parse, body)
    except (TypeError, ValueError, KeyError, AttributeError):
        assert not isinstance(answer, Parsed), "the fast path accepted what the usual path refuses"
        return
    assert _fast_result(parse, body) == usual


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_items(TASK), max_size=3), _JSON)
def test_generated_task_pages_decode_alike_or_fall_back(items: list[Any], pagination: Any) -> None:
    _same_or_refused(_page_task, _page(*items, pagination=pagination))


ISSUE: dict[str, Any] = {
    "id": "iss_1",
    "number": 12,
    "title": "Login fails",
    "body_html": "<p>SSO login fails</p>",
    "state": "new",
    "type": "conversation",
    "source": "email",
    "link": "https://app.usepylon.com/issues/12",
    "is_issue_group": False,
    "number_of_touches": 2,
    "customer_portal_visible": False,
    "created_at": "2026-02-01T09:30:15Z",
    "updated_at": "2026-02-01T10:00:00Z",
    "account": {"id": "acc_1"},
    "assignee": {"id": "usr_1", "email": "a@example.com"},
    "tags": ["sso"],
    "custom_fields": {"tier": {"slug": "tier", "value": "gold"}},
    "external_issues": [{"external_id": "JIRA-1", "source": "jira", "link": "https://x"}],
}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_items(ISSUE), max_size=3))
def test_generated_issue_pages_decode_alike_or_fall_back(items: list[Any]) -> None:
    _same_or_refused(_page_issue, _page(*items, pagination={"cursor": "", "has_next_page": False}))


def _handler(body: bytes) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(200, content=body))


async def _list_both_ways(body: bytes) -> tuple[Any, Any]:
    results: list[Any] = []
    for accelerate in (True, False):
        async with AsyncPylon(
            "t", transport=_handler(body), rate_limit=False, accelerate=accelerate
        ) as pylon:
            try:
                results.append([t async for t in pylon.tasks.list()])
            except ResponseValidationError as exc:
                results.append(("error", str(exc)))
    return results[0], results[1]


@pytest.mark.parametrize(
    "body",
    [
        _page(TASK, pagination={"cursor": "", "has_next_page": False}),
        _page(dict(TASK, surprise={"a": 1}), pagination={"cursor": "", "has_next_page": False}),
        _page(dict(TASK, subtask_ids=[1]), pagination={"has_next_page": False}),
        _page(dict(TASK, created_at="not a date"), pagination={"has_next_page": False}),
        _page(dict(TASK, customer_portal_visible="yes")),
    ],
)
async def test_the_client_answers_the_same_with_and_without_msgspec(body: bytes) -> None:
    fast, usual = await _list_both_ways(body)
    assert fast == usual


async def test_raw_responses_parse_alike() -> None:
    body = json.dumps({"data": TASK, "request_id": "req_9"}).encode()
    async with AsyncPylon(
        "t", transport=_handler(body), rate_limit=False, accelerate=True
    ) as pylon:
        raw = await pylon.with_raw_response.tasks.get("task_1")
        assert raw.request_id == "req_9"
        assert raw.parse() == _usual(_parse_task, body)
        assert pylon.last_response is not None
        assert pylon.last_response.request_id == "req_9"


def test_a_decoder_loads_the_structs_of_its_resource_only() -> None:
    """The first ``tasks`` answer loads ``structs/tasks.py`` and no other module of Structs."""
    body = json.dumps({"data": TASK, "request_id": "r"})
    code = (
        "import asyncio, sys, httpx\n"
        "from pylon_client import AsyncPylon\n"
        f"body = {body!r}.encode()\n"
        "async def main():\n"
        "    transport = httpx.MockTransport(lambda r: httpx.Response(200, content=body))\n"
        "    async with AsyncPylon('t', transport=transport, rate_limit=False,\n"
        "                          accelerate=True) as pylon:\n"
        "        assert not [m for m in sys.modules if '_generated.structs.' in m]\n"
        "        await pylon.tasks.get('task_1')\n"
        "asyncio.run(main())\n"
        "print(' '.join(sorted(m for m in sys.modules if '_generated.structs' in m)))"
    )
    done = subprocess.run(  # noqa: S603 (our own interpreter, fixed code)
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    assert done.stdout.split() == [
        "pylon_client._generated.structs",
        "pylon_client._generated.structs.tasks",
    ]


def test_accelerate_is_checked_and_passed_on() -> None:
    with pytest.raises(PylonConfigError, match="accelerate must be"):
        AsyncPylon("t", accelerate="yes")  # type: ignore[arg-type]
    assert AsyncPylon("t", accelerate=False)._fast is None
    assert AsyncPylon("t", accelerate=True)._fast is fast_decoder
    assert isinstance(AsyncPylon("t")._fast, WhenItPays)  # msgspec is installed here
    with Pylon("t", accelerate=False) as pylon:
        assert pylon._async._fast is None


def test_accelerate_true_without_msgspec_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "msgspec", None)  # import msgspec now raises ImportError
    monkeypatch.delitem(sys.modules, "pylon_client._transport.accel", raising=False)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(PylonConfigError, match=r"pylon-client\[fast\]"):
        AsyncPylon("t", accelerate=True)
    assert AsyncPylon("t")._fast is None  # the default steps aside
