"""``_client.config``: the token, base URL and region, checked directly and via the client."""

from __future__ import annotations

import re

import httpx
import pytest
from harness import Api, connect, task

from pylon_client import AsyncPylon, PylonConfigError
from pylon_client._client.config import Secret, check_base_url, is_loopback, region_url, seal_token

CANARY = "canary-SECRET-123"

pytestmark = pytest.mark.usefixtures("clean_env")


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("tok", id="short"),
        pytest.param("pylon_sk_AbC-123._~+/=", id="punctuation"),
    ],
)
def test_seal_token_accepts_a_printable_ascii_token(token: str) -> None:
    """A token of printable ASCII without whitespace is sealed, and revealed unchanged."""
    sealed = seal_token(token)
    assert isinstance(sealed, Secret)
    assert sealed.reveal() == token
    assert repr(sealed) == "Secret('***')"


@pytest.mark.parametrize(
    ("token", "match"),
    [
        pytest.param(None, "PYLON_API_TOKEN", id="none"),
        pytest.param("", "PYLON_API_TOKEN", id="empty"),
        pytest.param(123, "must be a string", id="not-a-string"),
        pytest.param("a b", "whitespace or control", id="space"),
        pytest.param("ab\x7f", "whitespace or control", id="del"),
        pytest.param("t\u00f6k", "non-ASCII", id="non-ascii"),
    ],
)
def test_seal_token_names_what_is_wrong(token: object, match: str) -> None:
    """A missing, non-string, spaced, control-laden or non-ASCII token names its fault."""
    sealed = seal_token(token)
    assert isinstance(sealed, str)
    assert re.search(match, sealed)
    with pytest.raises(PylonConfigError, match=match):
        AsyncPylon(token)  # type: ignore[arg-type]  # wrong types on purpose


@pytest.mark.parametrize(
    ("base_url", "allow_insecure", "expected"),
    [
        pytest.param("https://api.usepylon.com/", False, "https://api.usepylon.com", id="slash"),
        pytest.param("https://h.test/v1/", False, "https://h.test/v1", id="path-prefix"),
        pytest.param("http://127.0.0.1:8080", False, "http://127.0.0.1:8080", id="loopback"),
        pytest.param("http://10.0.0.7", True, "http://10.0.0.7", id="insecure-opt-in"),
    ],
)
def test_check_base_url_normalises_what_it_accepts(
    base_url: str, allow_insecure: bool, expected: str
) -> None:
    """An accepted base URL comes back without a trailing slash."""
    assert check_base_url(base_url, allow_insecure) == expected


@pytest.mark.parametrize(
    ("base_url", "match"),
    [
        pytest.param("ftp://x", "http\\(s\\) URL", id="scheme"),
        pytest.param("https://h.test#top", "credentials, a query or a fragment", id="fragment"),
        pytest.param("http://api.usepylon.com", "allow_insecure", id="plain-http-remote"),
    ],
)
def test_check_base_url_refuses_with_a_reason(base_url: str, match: str) -> None:
    """A refused base URL says why."""
    with pytest.raises(PylonConfigError, match=match):
        check_base_url(base_url, allow_insecure=False)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        pytest.param("localhost", True, id="localhost"),
        pytest.param("api.localhost", True, id="dot-localhost"),
        pytest.param("127.8.9.10", True, id="ipv4-loopback-net"),
        pytest.param("[::1]", True, id="ipv6-bracketed"),
        # Judged by the IPv4 address they map, on every Python version (3.13 changed ipaddress).
        pytest.param("::ffff:127.0.0.1", True, id="ipv4-mapped-loopback"),
        pytest.param("[::ffff:7f00:2]", True, id="ipv4-mapped-loopback-hex"),
        pytest.param("::ffff:10.0.0.7", False, id="ipv4-mapped-private"),
        pytest.param("::127.0.0.1", False, id="ipv4-compatible"),
        pytest.param("localhost.example.com", False, id="lookalike"),
        pytest.param("10.0.0.7", False, id="private"),
    ],
)
def test_is_loopback(host: str, expected: bool) -> None:
    """Localhost names and loopback addresses (IPv4-mapped too) are loopback; lookalikes not."""
    assert is_loopback(host) is expected


def test_region_url_maps_both_regions_and_refuses_others() -> None:
    """``us`` and ``eu`` map to their hosts; any other region is a config error."""
    assert region_url("us") == "https://api.usepylon.com"
    assert region_url("eu") == "https://api.eu.usepylon.com"
    with pytest.raises(PylonConfigError, match="region"):
        region_url("ap")


@pytest.mark.parametrize("token", [pytest.param(None, id="none"), pytest.param("", id="empty")])
def test_missing_token_raises_config_error_naming_the_variable(token: str | None) -> None:
    """Without a token and without PYLON_API_TOKEN the error names the variable to set."""
    with pytest.raises(PylonConfigError, match="PYLON_API_TOKEN") as info:
        AsyncPylon(token)
    assert isinstance(info.value, ValueError)


@pytest.mark.anyio
async def test_token_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """PYLON_API_TOKEN supplies the bearer token when none is passed."""
    monkeypatch.setenv("PYLON_API_TOKEN", "env-token-1")
    api = Api(task())
    async with AsyncPylon(transport=httpx.MockTransport(api), rate_limit=False) as pylon:
        await pylon.tasks.get("t1")
    assert api.last.headers["Authorization"] == "Bearer env-token-1"


@pytest.mark.anyio
async def test_explicit_token_beats_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A token passed in wins over PYLON_API_TOKEN."""
    monkeypatch.setenv("PYLON_API_TOKEN", "env-token-1")
    api = Api(task())
    async with connect(api, token="arg-token-2") as pylon:
        await pylon.tasks.get("t1")
    assert api.last.headers["Authorization"] == "Bearer arg-token-2"


BAD_TOKENS = [
    pytest.param(f"{CANARY} x", id="space"),
    pytest.param(f"{CANARY}\n", id="newline"),
    pytest.param(f"{CANARY}\r\n", id="crlf"),
    pytest.param(f"\t{CANARY}", id="tab"),
    pytest.param(f"{CANARY}\x00", id="nul"),
    pytest.param(f"{CANARY}\x1b[0m", id="escape"),
    pytest.param(f"{CANARY}\x7f", id="del"),
    pytest.param(f"{CANARY}\u00e9", id="non-ascii"),
]


@pytest.mark.parametrize("token", BAD_TOKENS)
def test_malformed_token_is_rejected_without_echoing_it(token: str) -> None:
    """A token with whitespace or control characters is a config error that never shows it."""
    with pytest.raises(PylonConfigError) as info:
        AsyncPylon(token)
    for text in (str(info.value), repr(info.value)):
        assert CANARY not in text
        assert "canary" not in text


@pytest.mark.parametrize("token", [p for p in BAD_TOKENS if p.id != "nul"])
def test_malformed_token_from_the_environment_is_rejected(
    monkeypatch: pytest.MonkeyPatch, token: str
) -> None:
    """A malformed PYLON_API_TOKEN is rejected the same way, without echoing it."""
    monkeypatch.setenv("PYLON_API_TOKEN", token)
    with pytest.raises(PylonConfigError) as info:
        AsyncPylon()
    assert CANARY not in str(info.value)


@pytest.mark.anyio
async def test_base_url_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """PYLON_BASE_URL sets the API root; a trailing slash does not double up."""
    monkeypatch.setenv("PYLON_BASE_URL", "https://pylon.example.test/")
    api = Api(task())
    async with connect(api) as pylon:
        assert pylon.base_url == "https://pylon.example.test"
        await pylon.tasks.get("t1")
    assert str(api.last.url) == "https://pylon.example.test/tasks/t1"


@pytest.mark.anyio
async def test_explicit_base_url_beats_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """base_url= wins over PYLON_BASE_URL and keeps its path prefix."""
    monkeypatch.setenv("PYLON_BASE_URL", "https://env.example.test")
    api = Api(task())
    async with connect(api, base_url="https://arg.example.test/v1") as pylon:
        await pylon.tasks.get("t1")
    assert str(api.last.url) == "https://arg.example.test/v1/tasks/t1"


@pytest.mark.parametrize(
    ("region", "host"),
    [
        pytest.param("us", "https://api.usepylon.com", id="us"),
        pytest.param("eu", "https://api.eu.usepylon.com", id="eu"),
    ],
)
@pytest.mark.anyio
async def test_region_picks_the_host(region: str, host: str) -> None:
    """region="eu" sends to api.eu.usepylon.com, "us" (the default) to api.usepylon.com."""
    api = Api(task())
    async with connect(api, region=region) as pylon:
        assert pylon.base_url == host
        await pylon.tasks.get("t1")
    assert str(api.last.url) == f"{host}/tasks/t1"


def test_unknown_region_is_a_config_error() -> None:
    """A region other than "us" or "eu" is rejected."""
    with pytest.raises(PylonConfigError, match="region"):
        AsyncPylon("tok", region="ap")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "base_url",
    [
        pytest.param("ftp://x", id="ftp"),
        pytest.param("not a url", id="not-a-url"),
        pytest.param("https://", id="no-host"),
        pytest.param("api.usepylon.com", id="no-scheme"),
        pytest.param("https://user:pw@api.usepylon.com", id="credentials"),
        pytest.param("https://api.usepylon.com?x=1", id="query"),
    ],
)
def test_bad_base_url_is_a_config_error(base_url: str) -> None:
    """A base URL that is not http(s) with a plain host is rejected."""
    with pytest.raises(PylonConfigError):
        AsyncPylon("tok", base_url=base_url)


@pytest.mark.parametrize(
    "base_url",
    [
        pytest.param("http://api.usepylon.com", id="public-host"),
        pytest.param("http://10.0.0.7:8080", id="private-ip"),
        pytest.param("http://localhost.example.com", id="lookalike"),
    ],
)
@pytest.mark.anyio
async def test_plain_http_to_a_remote_host_needs_allow_insecure(base_url: str) -> None:
    """http:// to a host that is not loopback is refused unless allow_insecure=True."""
    with pytest.raises(PylonConfigError, match="allow_insecure"):
        AsyncPylon("tok", base_url=base_url)
    api = Api(task())
    async with connect(api, base_url=base_url, allow_insecure=True) as pylon:
        await pylon.tasks.get("t1")
    assert api.last.url.scheme == "http"


@pytest.mark.parametrize(
    "base_url",
    [
        pytest.param("http://127.0.0.1:8080", id="ipv4"),
        pytest.param("http://localhost:8000", id="localhost"),
        pytest.param("http://[::1]:9000", id="ipv6"),
    ],
)
@pytest.mark.anyio
async def test_plain_http_to_loopback_is_allowed(base_url: str) -> None:
    """http:// to 127.0.0.1, localhost or ::1 needs no opt-in (local fakes and tests)."""
    api = Api(task())
    async with connect(api, base_url=base_url) as pylon:
        await pylon.tasks.get("t1")
    assert str(api.last.url) == f"{base_url}/tasks/t1"
