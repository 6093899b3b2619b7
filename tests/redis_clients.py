"""The Redis clients a ``RedisRateLimiter`` talks through, for tests that run through each.

A test that takes a ``client_kind`` argument runs once per pair of :data:`RUNS`, an event loop
and a client that runs on it (``tests/conftest.py`` parametrizes ``anyio_backend`` and
``client_kind`` together): the built-in client (``"builtin"``) and coredis (``"coredis"``, built
on anyio) under asyncio and trio, redis-py's asyncio client (``"redis-py"``) under asyncio only,
since it needs an asyncio loop. No pair is made only to be skipped.
:func:`open_client` yields what to give the limiter: the URL for the built-in client, else a
connected third-party client, closed after. Every client talks to the same real ``redis-server``
of ``tests/redis_server.py``.

Also here: :func:`make_certificates` (a CA, and a server and a client certificate signed by
it, made with the ``openssl`` command) and :class:`TLSProxy` (a loopback TLS server that asks
for a client certificate and forwards the bytes to a plain redis-server), for the TLS tests.
"""

from __future__ import annotations

import gc
import shutil
import ssl
import subprocess
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import anyio.abc
import pytest
from anyio.streams.tls import TLSAttribute, TLSListener

__all__ = [
    "GIVEN_RUNS",
    "RUNS",
    "Certificates",
    "TLSProxy",
    "make_certificates",
    "open_client",
]

_PAIRS = [
    ("asyncio", "builtin"),
    ("trio", "builtin"),
    ("asyncio", "redis-py"),
    ("asyncio", "coredis"),
    ("trio", "coredis"),
]
RUNS = [pytest.param(loop, kind, id=f"{loop}-{kind}") for loop, kind in _PAIRS]
"""``(anyio_backend, client_kind)``: every client, on each event loop it runs on."""
GIVEN_RUNS = [run for run in RUNS if run.values[1] != "builtin"]
"""The pairs of :data:`RUNS` whose client is the user's own (a ``client=``, not a URL)."""


@asynccontextmanager
async def open_client(kind: str, url: str) -> AsyncIterator[dict[str, Any]]:
    """Yield the limiter's arguments for ``kind`` on ``url``: ``url=`` or a ``client=``."""
    if kind == "builtin":
        yield {"url": url}
    elif kind == "redis-py":
        import redis.asyncio

        client = redis.asyncio.Redis.from_url(url)
        try:
            yield {"client": client}
        finally:
            await client.aclose()
    elif kind == "coredis":
        import coredis

        # coredis (6.9) leaves the memory streams of a connection that failed to connect
        # unclosed, and they warn when collected: while Redis is down, each try leaves some.
        # Not this project's code, so ignored here, and collected before the filter goes.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Unclosed <MemoryObject", ResourceWarning)
            try:
                async with coredis.Redis.from_url(url) as entered:
                    yield {"client": entered}
            finally:
                gc.collect()
    else:
        raise ValueError(kind)


class Certificates:
    """Paths of the PEM files :func:`make_certificates` wrote."""

    def __init__(self, folder: Path) -> None:
        self.ca = folder / "ca.pem"
        self.server_cert = folder / "server.pem"
        self.server_key = folder / "server.key"
        self.client_cert = folder / "client.pem"
        self.client_key = folder / "client.key"

    def client_context(self, *, with_certificate: bool = True) -> ssl.SSLContext:
        """A client context trusting the test CA, presenting the client certificate."""
        context = ssl.create_default_context(cafile=str(self.ca))
        if with_certificate:
            context.load_cert_chain(str(self.client_cert), str(self.client_key))
        return context

    def server_context(self) -> ssl.SSLContext:
        """A server context that requires a client certificate signed by the test CA."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(self.ca))
        context.load_cert_chain(str(self.server_cert), str(self.server_key))
        context.verify_mode = ssl.CERT_REQUIRED
        return context


def _openssl(*args: str, cwd: Path) -> None:
    openssl = shutil.which("openssl")
    assert openssl is not None
    subprocess.run(  # noqa: S603 (the openssl command, our arguments)
        [openssl, *args], cwd=cwd, check=True, capture_output=True
    )


def make_certificates(folder: Path) -> Certificates:
    """Write a CA, a server certificate for 127.0.0.1 and a client one; skip without openssl."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    made = Certificates(folder)
    days = ("-days", "2")
    key = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1")  # fast, unlike RSA
    _openssl(
        "req", "-x509", *key, "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-subj", "/CN=pylon test CA", *days,
        # What Python 3.13's strict verification (VERIFY_X509_STRICT) asks of a CA.
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        "-addext", "subjectKeyIdentifier=hash", cwd=folder,
    )  # fmt: skip
    for name, extension in (
        ("server", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth"),
        ("client", "extendedKeyUsage=clientAuth"),
    ):
        keyids = "authorityKeyIdentifier=keyid\nsubjectKeyIdentifier=hash"
        (folder / f"{name}.ext").write_text(f"{extension}\n{keyids}\n")
        _openssl(
            "req", *key, "-nodes", "-keyout", f"{name}.key", "-out",
            f"{name}.csr", "-subj", f"/CN=pylon test {name}", cwd=folder,
        )  # fmt: skip
        _openssl(
            "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", f"{name}.pem", "-extfile", f"{name}.ext", *days,
            cwd=folder,
        )  # fmt: skip
    return made


class TLSProxy:
    """A loopback TLS server that forwards each connection's bytes to a plain Redis.

    ``peers`` collects the subject common name of each client certificate presented: the
    proof that the client's own context (not a default one) did the handshake.
    """

    def __init__(self, certificates: Certificates, redis_port: int) -> None:
        self.context = certificates.server_context()
        self.redis_port = redis_port
        self.port = 0
        self.peers: list[str] = []

    @asynccontextmanager
    async def serving(self) -> AsyncIterator[TLSProxy]:
        """Serve in a task of this context; stop when it exits."""
        listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
        # S610 is about Django's QuerySet.extra; this is anyio's typed attribute lookup.
        self.port = int(listener.extra(anyio.abc.SocketAttribute.local_port))  # noqa: S610
        tls = TLSListener(listener, self.context, standard_compatible=False)
        async with anyio.create_task_group() as group:
            group.start_soon(tls.serve, self._forward)
            try:
                yield self
            finally:
                group.cancel_scope.cancel()
        await tls.aclose()

    async def _forward(self, client: anyio.abc.ByteStream) -> None:
        cert = client.extra(TLSAttribute.peer_certificate)  # noqa: S610 (anyio, not Django)
        if cert:
            subject: Any = cert["subject"]  # ((("commonName", "..."),), ...)
            names = [pair for rdn in subject for pair in rdn]
            self.peers += [str(value) for key, value in names if key == "commonName"]
        async with client, await anyio.connect_tcp("127.0.0.1", self.redis_port) as redis:

            async def pump(source: anyio.abc.ByteStream, sink: anyio.abc.ByteStream) -> None:
                try:
                    async for chunk in source:
                        await sink.send(chunk)
                except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                    pass  # either side hung up: the other is closed below
                finally:
                    await anyio.aclose_forcefully(sink)

            async with anyio.create_task_group() as group:
                group.start_soon(pump, client, redis)
                group.start_soon(pump, redis, client)
