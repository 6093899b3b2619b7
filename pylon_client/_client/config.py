"""Client configuration: the token, the base URL and region, the decoder, ``PYLON_LOG=debug``.

Checks run in ``AsyncPylon.__init__``, before anything is sent. A token with whitespace or
control characters would make a malformed (or injected) Authorization header; plain ``http://``
to a host that is not loopback would send the token in clear text. Messages never contain the
token.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import ipaddress
import logging
import math
import re
from collections.abc import Callable
from typing import Any

import httpx

from .._exceptions import PylonConfigError, PylonError
from .._transport.fastpath import WhenItPays

__all__ = [
    "BASE_URL_ENV",
    "REGIONS",
    "TOKEN_ENV",
    "Secret",
    "check_base_url",
    "check_deadline",
    "check_limits",
    "check_max_response_bytes",
    "check_timeout",
    "enable_debug_logging",
    "is_loopback",
    "region_url",
    "seal_token",
    "token_problem",
    "without_userinfo",
]

REGIONS = {"us": "https://api.usepylon.com", "eu": "https://api.eu.usepylon.com"}
TOKEN_ENV = "PYLON_API_TOKEN"  # noqa: S105 (the variable's name, not a secret)
BASE_URL_ENV = "PYLON_BASE_URL"

_logger = logging.getLogger("pylon_client")


class Secret:
    """A token held so that no repr, traceback local or pickle shows it.

    ``repr`` and ``str`` say ``Secret('***')``; :meth:`reveal` gives the value to the one
    place that needs it (the ``Authorization`` header). Refusing to pickle is deliberate: a
    pickled client or credential must not carry the token into a cache or a task queue.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the token itself."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled")


def token_problem(token: object) -> str | None:
    """Return what is wrong with a token, or None; never raises (so no raising frame holds it)."""
    if token is None or token == "":
        return f"no API token: pass token= or set the {TOKEN_ENV} environment variable"
    if not isinstance(token, str):
        return f"the token must be a string, got {type(token).__name__}"
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in token):
        # Never echo the token: the message names the problem only.
        return "the API token contains whitespace or control characters"
    if not token.isascii():
        return "the API token contains non-ASCII characters"
    return None


def seal_token(token: object) -> Secret | str:
    """Return the token as a :class:`Secret`, or the message saying what is wrong with it.

    Callers raise the message themselves: this frame, which holds the bare token, has always
    returned by then, so an error reporter that prints the locals of every frame on a
    traceback never meets it.
    """
    problem = token_problem(token)
    return Secret(token) if problem is None and isinstance(token, str) else str(problem)


_USERINFO = re.compile(r"(?<=//)[^/?#@\s]*@")


def without_userinfo(text: str) -> str:
    """Return ``text`` with the ``user:password@`` of every URL in it removed."""
    return _USERINFO.sub("***@", text)


def check_deadline(value: object, error: type[PylonError] = PylonConfigError) -> float | None:
    """Return a deadline as seconds (None: no deadline); refuse a negative, NaN or odd one."""
    if value is None:
        return None
    if isinstance(value, dt.timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise error(f"deadline must be positive seconds, a timedelta or None, got {value!r}")
    if math.isinf(value):
        return None
    return float(value)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def check_limits(max_connections: int, keepalive: int | None) -> httpx.Limits:
    """Return the pool limits: keep-alive defaults to the pool size (httpx's keeps 20)."""
    for name, value in (
        ("max_connections", max_connections),
        ("max_keepalive_connections", keepalive),
    ):
        if value is not None and not _whole(value):
            raise PylonConfigError(f"{name} must be an int >= 1, got {value!r}")
    return httpx.Limits(
        max_connections=max_connections,
        max_keepalive_connections=max_connections if keepalive is None else keepalive,
    )


def check_max_response_bytes(value: int | None) -> int | None:
    """Return the body limit in bytes, or None for no limit."""
    if value is not None and not _whole(value):
        raise PylonConfigError(f"max_response_bytes must be an int >= 1 or None, got {value!r}")
    return value


def check_timeout(
    value: object, error: type[PylonError] = PylonConfigError, name: str = "timeout"
) -> httpx.Timeout:
    """Return ``value`` (seconds > 0, an ``httpx.Timeout``, or None for no limit) as a Timeout."""
    if isinstance(value, httpx.Timeout) or value is None:
        return httpx.Timeout(value)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise error(f"{name} must be seconds > 0, an httpx.Timeout or None, got {value!r}")
    return httpx.Timeout(value)


def region_url(region: str) -> str:
    """Return the API host of ``region`` (``"us"`` or ``"eu"``)."""
    try:
        return REGIONS[region]
    except KeyError:
        raise PylonConfigError(f"region must be 'us' or 'eu', got {region!r}") from None


def is_loopback(host: str) -> bool:
    """Return True for localhost names and loopback addresses (127.0.0.0/8, ::1).

    An IPv4-mapped IPv6 address is judged by the IPv4 address it maps, because that is where
    its packets go: ``::ffff:127.0.0.1`` is loopback, ``::ffff:192.168.1.10`` is not. The rule
    is written out here so that it is the same on every Python version: from 3.13 on,
    ``ipaddress`` answers so by itself, while 3.11 and 3.12 call every mapped address not
    loopback.
    """
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def check_base_url(base_url: str, allow_insecure: bool) -> str:
    """Return ``base_url`` normalised; refuse bad schemes, and plain http off loopback.

    No message quotes the URL's ``user:password@`` part (base URLs never carry one).
    """
    shown = without_userinfo(str(base_url))
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, TypeError):
        # httpx's own message quotes the URL whole: it stays out, as the cause too.
        raise PylonConfigError(f"base_url is not a valid URL: {shown!r}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise PylonConfigError(f"base_url must be an http(s) URL with a host, got {shown!r}")
    if url.userinfo or url.query or url.fragment:
        raise PylonConfigError("base_url must not carry credentials, a query or a fragment")
    if url.scheme == "http" and not allow_insecure and not is_loopback(url.host):
        raise PylonConfigError(
            f"base_url {shown!r} is plain http to a host that is not loopback; the token "
            "would travel in clear text. Use https, or pass allow_insecure=True (on the command "
            "line: --allow-insecure)."
        )
    return str(url).rstrip("/")


def accelerator(
    accelerate: bool | None,
) -> Callable[[Callable[[Any], Any]], Callable[[bytes], Any] | None] | None:
    """Return the core's fast-decoder factory, or None if responses are parsed the usual way.

    None (the default) means: when msgspec can be imported, and once it pays for its import
    (``_transport/fastpath.py``). True requires it, and loads it now.
    """
    if accelerate is not None and not isinstance(accelerate, bool):
        raise PylonConfigError(f"accelerate must be True, False or None, got {accelerate!r}")
    if accelerate is False or (accelerate is None and importlib.util.find_spec("msgspec") is None):
        return None
    if accelerate is None:
        return WhenItPays()
    try:
        from .._transport.accel import fast_decoder  # loaded only when msgspec is there
    except ImportError as exc:
        raise PylonConfigError(
            "accelerate=True needs msgspec: pip install 'pylon-client[fast]'"
        ) from exc
    return fast_decoder


_debug_enabled = False


def enable_debug_logging() -> None:
    """Send DEBUG lines of logger ``pylon_client`` to stderr (``PYLON_LOG=debug``), once."""
    global _debug_enabled  # one handler per process, however many clients
    if _debug_enabled:
        return
    _debug_enabled = True
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    _logger.addHandler(handler)
    _logger.setLevel(logging.DEBUG)
