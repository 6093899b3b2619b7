"""Multipart uploads: the encoder (``_uploads.parts`` and ``.stream``) and ``AsyncPylon.upload``.

Bodies are parsed back with the standard library's ``email`` parser, the way a server would.
``httpx.MockTransport`` reads a body into memory before its handler runs and keeps it, so a
retry would resend that copy: where replaying the stream itself matters, :class:`Streaming`
reads ``request.stream`` afresh on every attempt, as a real connection does.
"""

from __future__ import annotations

import doctest
import email.message
import email.parser
import email.policy
import io
import json
import traceback
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import anyio
import anyio.lowlevel
import harness
import httpx
import pytest
from harness import complete, no_sleep

from pylon_client import (
    AsyncPylon,
    InternalServerError,
    PylonError,
    PylonInputError,
    PylonTimeoutError,
    RateLimitError,
)
from pylon_client._generated.models import Attachment, Issue, TrainingData
from pylon_client._uploads import parts as _uploads
from pylon_client._uploads import stream as _upload_stream
from pylon_client._uploads.parts import encode_multipart
from pylon_client._uploads.stream import CHUNK_SIZE, MultipartStream
from pylon_client.testing import serve_in_thread

TOKEN = "canary-SECRET-token-42"
SECRET = "SECRET-CONTENT-7"
DATA = bytes(range(256)) * (CHUNK_SIZE // 256 + 3)  # more than a chunk: read in several reads
ATTACHMENT = complete(Attachment, id="att_1", url="https://files.example/att_1", name="report.pdf")
TRAINING_DATA = complete(TrainingData, id="td_1")

# name, filename, content type (None: the part has no Content-Type header), content
Part = tuple[str, str | None, str | None, bytes]


def ok(data: Any = ATTACHMENT) -> httpx.Response:
    """A 200 in Pylon's envelope."""
    return httpx.Response(200, json={"data": data, "request_id": "req_up"})


def limited() -> httpx.Response:
    """A 429 asking for no wait."""
    return httpx.Response(429, json={"errors": ["slow down"]}, headers={"Retry-After": "0"})


def parse(content_type: str, body: bytes) -> list[Part]:
    """Parse a multipart/form-data body with the standard library, as a server would."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    assert message.get_content_type() == "multipart/form-data"
    assert not message.defects, message.defects
    parts: list[Part] = []
    for part in message.iter_parts():
        assert isinstance(part, email.message.EmailMessage)
        name = part.get_param("name", header="content-disposition")
        assert isinstance(name, str)
        kind = part.get_content_type() if "content-type" in part else None
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        parts.append((name, part.get_filename(), kind, payload))
    return parts


class Api(harness.Api):
    """The shared recording handler, also keeping the parts of each multipart form it gets."""

    def __init__(self, *replies: httpx.Response | type[httpx.TransportError]) -> None:
        super().__init__(*(replies or (ok(),)))
        self.forms: list[list[Part]] = []

    async def answer(self, request: httpx.Request) -> httpx.Response:
        """Parse the request's form, then play the next reply (the last repeats)."""
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            self.forms.append(parse(request.headers["content-type"], request.content))
        return await super().answer(request)


class Streaming(httpx.AsyncBaseTransport):
    """A transport reading ``request.stream`` on every attempt, as a connection does.

    A failure class in the script is raised before the body is read (a refused connection);
    an error status is answered after the first two chunks, as a server may answer early.
    """

    def __init__(
        self,
        *replies: httpx.Response | type[httpx.TransportError],
        before_body: Callable[[], object] | None = None,
    ) -> None:
        self.replies = list(replies)
        self.before_body = before_body
        self.attempts = 0
        self.forms: list[list[Part]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Play the next reply, reading the body first unless it is a failure."""
        self.attempts += 1
        item = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(item, type):
            raise item("scripted failure", request=request)
        if self.before_body is not None:
            self.before_body()
        assert isinstance(request.stream, httpx.AsyncByteStream)
        if item.status_code >= 400:
            chunks = aiter(request.stream)
            await anext(chunks, b"")
            await anext(chunks, b"")
        else:
            body = b"".join([chunk async for chunk in request.stream])
            self.forms.append(parse(request.headers["content-type"], body))
        return httpx.Response(item.status_code, headers=item.headers, content=item.content)


class CancelMidBody(httpx.AsyncBaseTransport):
    """A transport reading the first two chunks of a body, then cancelling ``scope``."""

    def __init__(self, scope: anyio.CancelScope) -> None:
        self.scope = scope

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Read two chunks (the first part's headers, then file data), then cancel."""
        assert isinstance(request.stream, httpx.AsyncByteStream)
        chunks = aiter(request.stream)
        await anext(chunks)
        await anext(chunks)
        self.scope.cancel()
        await anyio.lowlevel.checkpoint()
        raise AssertionError("not reached: the scope was cancelled")


def connect(transport: httpx.AsyncBaseTransport | Api, **kwargs: Any) -> AsyncPylon:
    """A client sending to ``transport`` (a handler is wrapped in MockTransport), unpaced."""
    if isinstance(transport, Api):
        transport = httpx.MockTransport(transport)
    return AsyncPylon(TOKEN, transport=transport, rate_limit=False, sleep=no_sleep, **kwargs)


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    """A file named report.pdf holding DATA."""
    path = tmp_path / "report.pdf"
    path.write_bytes(DATA)
    return path


async def collect(stream: MultipartStream) -> bytes:
    """Read one whole pass of ``stream``."""
    return b"".join([chunk async for chunk in stream])


class OneShot:
    """A sync binary file object that cannot seek (a pipe, a socket)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        """Read up to ``size`` bytes."""
        return self._data.read(size)


# ---------------------------------------------------------------------- what a file can be

Make = Callable[[Path, AsyncExitStack], Awaitable[Any]]


async def _bytes(path: Path, stack: AsyncExitStack) -> Any:
    return DATA


async def _path(path: Path, stack: AsyncExitStack) -> Any:
    return path


async def _str_path(path: Path, stack: AsyncExitStack) -> Any:
    return str(path)


async def _sync_file(path: Path, stack: AsyncExitStack) -> Any:
    return stack.enter_context(path.open("rb"))


async def _bytes_io(path: Path, stack: AsyncExitStack) -> Any:
    return io.BytesIO(DATA)


async def _one_shot(path: Path, stack: AsyncExitStack) -> Any:
    return OneShot(DATA)


async def _async_file(path: Path, stack: AsyncExitStack) -> Any:
    return await stack.enter_async_context(await anyio.open_file(path, "rb"))


async def _tuple3(path: Path, stack: AsyncExitStack) -> Any:
    return ("notes.md", DATA, "text/markdown")


async def _tuple2_path(path: Path, stack: AsyncExitStack) -> Any:
    return ("scan.png", path)


KINDS = [
    pytest.param(_bytes, "file", "application/octet-stream", True, id="bytes"),
    pytest.param(_path, "report.pdf", "application/pdf", True, id="pathlib"),
    pytest.param(_str_path, "report.pdf", "application/pdf", True, id="str-path"),
    pytest.param(_sync_file, "report.pdf", "application/pdf", True, id="sync-file"),
    pytest.param(_bytes_io, "file", "application/octet-stream", True, id="bytesio"),
    pytest.param(_one_shot, "file", "application/octet-stream", False, id="unseekable-file"),
    pytest.param(_async_file, "report.pdf", "application/pdf", False, id="anyio-async-file"),
    pytest.param(_tuple3, "notes.md", "text/markdown", True, id="tuple-name-content-type"),
    pytest.param(_tuple2_path, "scan.png", "image/png", True, id="tuple-name-path"),
]


@pytest.mark.parametrize(("make", "filename", "content_type", "sized"), KINDS)
@pytest.mark.anyio
async def test_every_kind_of_file_arrives_whole_with_its_name_and_type(
    make: Make, filename: str, content_type: str, sized: bool, pdf: Path
) -> None:
    """Each kind of file arrives intact, named and typed, sized when its size can be known."""
    api = Api()
    async with AsyncExitStack() as stack, connect(api) as pylon:
        upload = await make(pdf, stack)
        attachment = await pylon.attachments.create(file=upload, description="Q3 report")
    assert attachment.url == ATTACHMENT["url"]
    assert pylon.last_request_id == "req_up"
    assert api.forms == [
        [("description", None, None, b"Q3 report"), ("file", filename, content_type, DATA)]
    ]
    headers = api.requests[0].headers
    assert api.requests[0].url.path == "/attachments"
    if sized:
        assert int(headers["content-length"]) == len(api.requests[0].content)
        assert "transfer-encoding" not in headers
    else:
        assert headers["transfer-encoding"] == "chunked"
        assert "content-length" not in headers


@pytest.mark.anyio
async def test_training_data_sends_repeated_fields_and_files_in_order(pdf: Path) -> None:
    """A list of files repeats the ``files`` part and a list field repeats its part."""
    api = Api(ok(TRAINING_DATA))
    async with connect(api) as pylon:
        result = await pylon.training_data.upload(
            files=[b"alpha", pdf, ("c.md", b"# gamma")],
            external_ids=["e1", "e2", "e3"],
            training_data_id="td_1",
        )
    assert result.id == "td_1"
    assert api.forms == [
        [
            ("external_ids", None, None, b"e1"),
            ("external_ids", None, None, b"e2"),
            ("external_ids", None, None, b"e3"),
            ("training_data_id", None, None, b"td_1"),
            ("files", "file", "application/octet-stream", b"alpha"),
            ("files", "report.pdf", "application/pdf", DATA),
            ("files", "c.md", "text/markdown", b"# gamma"),
        ]
    ]


@pytest.mark.anyio
async def test_account_file_upload_returns_its_attachments(pdf: Path) -> None:
    """``accounts.create_file`` posts to the account's files and returns the attachments."""
    api = Api(ok([ATTACHMENT]))
    async with connect(api) as pylon:
        result = await pylon.accounts.create_file("acc 1", file=pdf)
    assert [a.id for a in result] == ["att_1"]
    assert api.requests[0].url.raw_path == b"/accounts/acc%201/files"
    assert api.forms[0] == [("file", "report.pdf", "application/pdf", DATA)]


@pytest.mark.anyio
async def test_uploaded_url_goes_into_a_new_issue(pdf: Path) -> None:
    """The attachment's URL can be passed to ``issues.create(attachment_urls=...)``."""
    api = Api(ok(), ok(complete(Issue, id="iss_1")))
    async with connect(api) as pylon:
        attachment = await pylon.attachments.create(file=pdf)
        assert isinstance(attachment.url, str)
        issue = await pylon.issues.create(
            title="Printer on fire",
            body_html="<p>See the scan.</p>",
            attachment_urls=[attachment.url],
        )
    assert issue.id == "iss_1"
    request = api.requests[1]
    assert (request.method, request.url.path) == ("POST", "/issues")
    assert json.loads(request.content) == {
        "title": "Printer on fire",
        "body_html": "<p>See the scan.</p>",
        "attachment_urls": ["https://files.example/att_1"],
    }


@pytest.fixture
def loopback() -> Iterator[tuple[str, list[tuple[dict[str, str], list[Part]]]]]:
    """A real HTTP server on loopback; it records each request's headers and parsed parts."""
    received: list[tuple[dict[str, str], list[Part]]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (message := await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        received.append((headers, parse(headers["content-type"], body)))
        reply = ok()
        await send({"type": "http.response.start", "status": 200, "headers": reply.headers.raw})
        await send({"type": "http.response.body", "body": reply.content})

    with serve_in_thread(app) as url:
        yield url, received


@pytest.mark.parametrize(
    ("make", "sized"),
    [pytest.param(_path, True, id="path"), pytest.param(_async_file, False, id="async-file")],
)
@pytest.mark.anyio
async def test_a_real_connection_carries_the_streamed_body_intact(
    make: Make, sized: bool, pdf: Path, loopback: tuple[str, list[Any]]
) -> None:
    """Over a socket the body arrives whole, with Content-Length or chunked as it should."""
    url, received = loopback
    async with (
        AsyncExitStack() as stack,
        AsyncPylon(TOKEN, base_url=url, rate_limit=False) as pylon,
    ):
        attachment = await pylon.attachments.create(file=await make(pdf, stack))
    assert attachment.id == "att_1"
    [(headers, parts)] = received
    assert parts == [("file", "report.pdf", "application/pdf", DATA)]
    assert ("content-length" in headers) is sized
    assert (headers.get("transfer-encoding") == "chunked") is not sized


# ---------------------------------------------------------------------- names and framing

NAMES = [
    pytest.param("plain.txt", "plain.txt", b'filename="plain.txt"', id="plain"),
    pytest.param('say "hi".txt', 'say "hi".txt', b'filename="say \\"hi\\".txt"', id="quote"),
    pytest.param("a\\b.txt", "a\\b.txt", b'filename="a\\\\b.txt"', id="backslash"),
    pytest.param("x\r\nX-Evil: 1.txt", "x%0D%0AX-Evil: 1.txt", b"x%0D%0AX-Evil", id="crlf"),
    pytest.param("résumé.pdf", "résumé.pdf", 'filename="résumé.pdf"'.encode(), id="utf-8"),
]


@pytest.mark.parametrize(("filename", "parsed", "raw"), NAMES)
@pytest.mark.anyio
async def test_filenames_are_quoted_and_escaped(filename: str, parsed: str, raw: bytes) -> None:
    """Quotes and backslashes are escaped, CR/LF percent-encoded, non-ASCII sent as UTF-8."""
    form = encode_multipart({}, {"file": (filename, b"x", "text/plain")}, boundary="b0")
    body = await collect(form)
    assert raw in body
    assert body.count(b"\r\n") == 6  # no line break of the filename's own
    assert parse(form.headers["Content-Type"], body) == [("file", parsed, "text/plain", b"x")]


@pytest.mark.anyio
async def test_body_framing_matches_rfc_7578_byte_for_byte() -> None:
    """A field and a file, with a fixed boundary, frame exactly as RFC 7578 shows."""
    form = encode_multipart({"description": "logo"}, {"file": ("a.txt", b"hi")}, boundary="b0")
    assert await collect(form) == (
        b'--b0\r\nContent-Disposition: form-data; name="description"\r\n\r\nlogo\r\n'
        b'--b0\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\nhi\r\n--b0--\r\n"
    )


def test_boundary_is_random() -> None:
    """Each upload gets a boundary of its own."""
    boundaries = {encode_multipart({}, {}).boundary for _ in range(20)}
    assert len(boundaries) == 20
    assert all(len(b) == 32 for b in boundaries)


def test_module_examples_run() -> None:
    """The examples in ``_uploads.parts``' docstrings hold."""
    results = doctest.testmod(_uploads)
    assert results.attempted > 0
    assert results.failed == 0


# ---------------------------------------------------------------------- length and replay

SIZED = [
    pytest.param(lambda p: DATA, id="bytes"),
    pytest.param(lambda p: p, id="path"),
    pytest.param(lambda p: io.BytesIO(DATA), id="seekable-file"),
    pytest.param(lambda p: [p, ("b.bin", DATA), io.BytesIO(DATA)], id="several"),
]


@pytest.mark.parametrize("upload", SIZED)
@pytest.mark.anyio
async def test_a_second_pass_sends_the_same_body(upload: Callable[[Path], Any], pdf: Path) -> None:
    """Bytes, paths and seekable files start over: the length is exact and a replay is equal."""
    form = encode_multipart({"description": "d"}, {"file": upload(pdf)})
    first = await collect(form)
    second = await collect(form)
    await form.aclose()
    assert form.replayable
    assert form.content_length == len(first)
    assert second == first
    assert DATA in first


@pytest.mark.anyio
async def test_a_file_object_is_sent_from_its_current_position() -> None:
    """A file object already read from is sent from where it stands, and sized so."""
    file = io.BytesIO(b"HEADER" + DATA)
    file.seek(6)
    form = encode_multipart({}, {"file": file})
    body = await collect(form)
    assert form.content_length == len(body)
    assert parse(form.headers["Content-Type"], body)[0][3] == DATA


@pytest.mark.anyio
async def test_a_one_shot_stream_refuses_a_second_pass() -> None:
    """An unseekable file is read once; a second pass raises instead of sending less."""
    form = encode_multipart({}, {"file": OneShot(DATA)})
    assert not form.replayable
    assert form.content_length is None
    await collect(form)
    with pytest.raises(PylonInputError, match="only once"):
        await collect(form)


@pytest.mark.anyio
async def test_a_file_that_shrank_raises_and_one_that_grew_is_cut(pdf: Path) -> None:
    """The measured size is what is sent: more is left out, less is an error."""
    form = encode_multipart({}, {"file": pdf})
    await anyio.Path(pdf).write_bytes(DATA + b"MORE")
    assert parse(form.headers["Content-Type"], await collect(form))[0][3] == DATA
    await anyio.Path(pdf).write_bytes(DATA[:100])
    with pytest.raises(PylonInputError, match="short of its size") as info:
        await collect(form)
    assert str(pdf) not in str(info.value)
    await form.aclose()


@pytest.mark.anyio
async def test_a_text_mode_async_file_is_refused_when_read(pdf: Path) -> None:
    """An async file opened in text mode is caught at its first read, naming the part."""
    async with await anyio.open_file(pdf, "r", encoding="latin-1") as text:
        form = encode_multipart({}, {"file": text})
        with pytest.raises(PylonInputError, match=r"'file'.*binary mode"):
            await collect(form)


# ---------------------------------------------------------------------- retries


@pytest.mark.parametrize(
    "upload",
    [
        pytest.param(lambda p: DATA, id="bytes"),
        pytest.param(lambda p: p, id="path"),
        pytest.param(lambda p: io.BytesIO(DATA), id="seekable-file"),
    ],
)
@pytest.mark.anyio
async def test_a_429_is_retried_with_the_stream_replayed(
    upload: Callable[[Path], Any], pdf: Path
) -> None:
    """After a 429 a replayable upload is sent again, reading its files afresh."""
    transport = Streaming(limited(), ok())
    async with connect(transport) as pylon:
        attachment = await pylon.attachments.create(file=upload(pdf))
    assert attachment.id == "att_1"
    assert transport.attempts == 2
    assert transport.forms == [[("file", ANY, ANY, DATA)]]


@pytest.mark.parametrize(
    "make",
    [pytest.param(_async_file, id="anyio-async-file"), pytest.param(_one_shot, id="unseekable")],
)
@pytest.mark.parametrize("transport_kind", [pytest.param("mock"), pytest.param("streaming")])
@pytest.mark.anyio
async def test_a_429_on_a_one_shot_stream_is_raised_not_retried(
    make: Make, transport_kind: str, pdf: Path
) -> None:
    """A body that can be read only once is never sent twice: the 429 is raised."""
    api, streaming = Api(limited(), ok()), Streaming(limited(), ok())
    async with (
        AsyncExitStack() as stack,
        connect(api if transport_kind == "mock" else streaming) as pylon,
    ):
        upload = await make(pdf, stack)
        with pytest.raises(RateLimitError) as info:
            await pylon.attachments.create(file=upload)
    assert len(api.requests) + streaming.attempts == 1
    assert info.value.maybe_applied is False


@pytest.mark.anyio
async def test_a_refused_connection_is_retried_even_for_a_one_shot_stream(pdf: Path) -> None:
    """A connection refused before the body was read sends the one-shot body once, whole."""
    transport = Streaming(httpx.ConnectError, ok())
    async with AsyncExitStack() as stack, connect(transport) as pylon:
        await pylon.attachments.create(file=await _async_file(pdf, stack))
    assert transport.attempts == 2
    assert transport.forms == [[("file", "report.pdf", "application/pdf", DATA)]]


@pytest.mark.anyio
async def test_a_500_or_a_read_timeout_is_not_retried_and_may_have_applied(pdf: Path) -> None:
    """An upload is a write: after a 500 or a read timeout it is not sent again."""
    api = Api(httpx.Response(500, json={"errors": ["boom"]}))
    async with connect(api) as pylon:
        with pytest.raises(InternalServerError) as server_error:
            await pylon.attachments.create(file=pdf)
    assert server_error.value.maybe_applied is True
    assert len(api.requests) == 1
    api = Api(httpx.ReadTimeout)
    async with connect(api) as pylon:
        with pytest.raises(PylonTimeoutError) as timeout:
            await pylon.attachments.create(file=pdf)
    assert timeout.value.maybe_applied is True
    assert len(api.requests) == 1


# ---------------------------------------------------------------------- bad input

BAD = [
    pytest.param({"file": {"a": 1}}, "'file'.*cannot upload a dict", id="dict"),
    pytest.param({"file": 3.5}, "'file'.*cannot upload a float", id="number"),
    pytest.param({"file": SECRET}, "'file'.*does not exist", id="str-is-a-missing-path"),
    pytest.param({"file": ("a",)}, "'file'.*got 1 items", id="tuple-of-one"),
    pytest.param({"file": ("a", SECRET.encode(), "t", "x")}, "'file'.*4 items", id="tuple-of-4"),
    pytest.param({"file": (SECRET.encode(), "a.txt")}, "'file'.*filename", id="tuple-reversed"),
    pytest.param(
        {"file": ("a", b"x", "text/plain\r\nX-Evil: 1")}, "'file'.*content type", id="bad-type"
    ),
    pytest.param({"files": [b"x", [b"y"]]}, r"'files'\[1\].*cannot upload a list", id="nested"),
]


@pytest.mark.parametrize(("files", "match"), BAD)
@pytest.mark.anyio
async def test_bad_files_raise_before_any_request(files: dict[str, Any], match: str) -> None:
    """A bad file raises PylonInputError naming its part, without sending or echoing content."""
    api = Api()
    async with connect(api) as pylon:
        with pytest.raises(PylonInputError, match=match) as info:
            await pylon.upload(
                pylon_endpoint("POST /attachments"), "/attachments", dict, fields={}, files=files
            )
    assert api.requests == []
    assert SECRET not in str(info.value)


def pylon_endpoint(key: str) -> Any:
    """The generated endpoint description for ``key``."""
    from pylon_client._generated._endpoints import ENDPOINTS

    return ENDPOINTS[key]


BAD_FILES_ON_DISK = [
    pytest.param(lambda p: p.parent / "missing.pdf", "does not exist", id="missing-path"),
    pytest.param(lambda p: p.parent, "is a directory", id="directory"),
    pytest.param(lambda p: p.open("r", encoding="latin-1"), "text mode", id="text-file"),
    pytest.param(lambda p: _closed(p), "closed", id="closed-file"),
]


def _closed(path: Path) -> Any:
    file = path.open("rb")
    file.close()
    return file


@pytest.mark.parametrize(("make", "match"), BAD_FILES_ON_DISK)
@pytest.mark.anyio
async def test_bad_paths_and_file_objects_raise_before_any_request(
    make: Callable[[Path], Any], match: str, pdf: Path
) -> None:
    """A missing path, a directory, a text-mode or closed file raise before anything is sent."""
    api = Api()
    upload = make(pdf)
    try:
        async with connect(api) as pylon:
            with pytest.raises(PylonInputError, match=f"'file'.*{match}"):
                await pylon.attachments.create(file=upload)
    finally:
        if hasattr(upload, "close"):
            upload.close()
    assert api.requests == []


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"training_data_id": 5}, id="int"),
        pytest.param({"external_ids": ["e1", None]}, id="none-in-a-list"),
        pytest.param({"training_data_id": SECRET.encode()}, id="bytes"),
    ],
)
@pytest.mark.anyio
async def test_a_field_that_is_not_text_raises_before_any_request(fields: dict[str, Any]) -> None:
    """A field value that is not a str (or a list of str) names the field, not the value."""
    api = Api()
    async with connect(api) as pylon:
        with pytest.raises(PylonInputError, match=f"field '{next(iter(fields))}'") as info:
            await pylon.training_data.upload(files=[b"x"], **fields)
    assert api.requests == []
    assert SECRET not in str(info.value)


# ---------------------------------------------------------------------- token, cancellation


async def _failure(scenario: str, pdf: Path) -> BaseException:
    """Run an upload that fails as ``scenario`` says; return its error."""
    replies: dict[str, Any] = {
        "401": httpx.Response(401, json={"errors": ["bad token"], "code": "unauthorized"}),
        "connection": httpx.ConnectError,
        "timeout": httpx.ReadTimeout,
        "not-json": httpx.Response(200, content=b"<html>"),
        "bad-input": ok(),
        "shrunk": ok(),
    }
    # "shrunk": the file is emptied after it was measured, before its body is read.
    shrink = (lambda: pdf.write_bytes(b"")) if scenario == "shrunk" else None
    transport = Streaming(replies[scenario], before_body=shrink)
    async with connect(transport) as pylon:
        upload: Any = {"x": 1} if scenario == "bad-input" else pdf
        with pytest.raises(PylonError) as info:
            await pylon.attachments.create(file=upload)
    return info.value


@pytest.mark.parametrize(
    "scenario", ["401", "connection", "timeout", "not-json", "bad-input", "shrunk"]
)
@pytest.mark.anyio
async def test_the_token_never_appears_in_an_upload_error(scenario: str, pdf: Path) -> None:
    """No upload error's text, repr or traceback holds the token."""
    exc = await _failure(scenario, pdf)
    for text in (str(exc), repr(exc), "".join(traceback.format_exception(exc))):
        assert TOKEN not in text


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every file the upload stream opens from a path."""
    files: list[Any] = []

    def tracking_open(*args: Any, **kwargs: Any) -> Any:
        file = open(*args, **kwargs)  # noqa: SIM115 (handed to the stream, which closes it)
        files.append(file)
        return file

    monkeypatch.setattr(_upload_stream, "open", tracking_open, raising=False)
    return files


@pytest.mark.anyio
async def test_a_cancelled_upload_closes_the_file_it_opened(opened: list[Any], pdf: Path) -> None:
    """Cancelling mid-body leaves no file open that the upload opened from a path."""
    with anyio.CancelScope() as scope:
        async with connect(CancelMidBody(scope)) as pylon:
            await pylon.attachments.create(file=pdf)
    assert scope.cancelled_caught
    assert len(opened) == 1
    assert opened[0].closed


@pytest.mark.anyio
async def test_a_finished_upload_closes_its_files_and_not_the_callers(
    opened: list[Any], pdf: Path
) -> None:
    """Files opened from paths are closed after the upload; a file object passed in is not."""
    api = Api(ok(TRAINING_DATA))
    with pdf.open("rb") as mine:
        async with connect(api) as pylon:
            await pylon.training_data.upload(files=[pdf, mine, pdf])
        assert not mine.closed
    assert len(opened) == 2
    assert all(file.closed for file in opened)
