r"""Streaming ``multipart/form-data`` bodies, for Pylon's upload operations.

:func:`encode_multipart` checks one upload's fields and files and frames them into a
:class:`~._upload_stream.MultipartStream`: an ``httpx.AsyncByteStream`` yielding the body a chunk
(256 KiB) at a time, reading each file as it goes, so a 2 GB file costs no more memory than a
2 KB one. This module is the checking and framing; ``_uploads.stream`` is the reading.

What a file can be (``Upload`` in the generated contract)
    ``bytes``; a path (``str`` or ``os.PathLike``); a binary file object, sync (``open(p,
    "rb")``, ``io.BytesIO``) or async (anything with ``async read(size)``, such as
    ``anyio.open_file(p, "rb")``); or one of these as ``(filename, content)`` or ``(filename,
    content, content_type)``. A file object is read from its current position to its end. A
    list of uploads repeats the part; a tuple is always one upload.

No blocking on the event loop
    Paths are opened, and sync files read, in a worker thread (``anyio.to_thread``); async files
    are awaited; bytes are sent as they are. :func:`encode_multipart` stats paths and seeks
    files, so the client calls it in a worker thread too.

Length and replay
    ``Content-Length`` is sent when every part's size is known (bytes; paths, by ``stat``;
    seekable file objects, by ``tell`` and ``seek``), else the body is chunked. The stream is
    *replayable*, each iteration starting over (paths reopened, files sought back), when every
    source is; a non-seekable or async file is read once, and :attr:`MultipartStream.replayable`
    tells the retry layer never to send it again. A file that grew since it was measured is
    sent up to its measured size; one that shrank raises :class:`PylonInputError`, as does a
    read that fails: the request is then cut off unfinished, so Pylon cannot have applied it.

Names
    Field names and filenames are quoted strings (RFC 7578, RFC 2183): ``\`` and ``"`` are
    backslash-escaped, CR, LF and the other control characters percent-encoded (``%0D%0A``),
    and the rest, non-ASCII included, sent as UTF-8. The filename is the tuple's, else the
    path's name, else the basename of the file object's ``name``, else ``"file"``; the content
    type is the tuple's, else ``mimetypes.guess_type(filename)``, else
    ``application/octet-stream``.

Cancellation
    A file the stream opened itself (from a path) is closed when its part ends, when a read is
    cancelled, and when the stream is closed (:meth:`MultipartStream.aclose`, which the client
    awaits however the upload ended): a cancelled upload leaves no descriptor open. A file
    object passed in belongs to the caller and stays open, its position wherever the last read
    left it. The iterator is a plain class, not an async generator, so a cancelled upload leaves
    nothing suspended for the garbage collector to finalize.
"""

from __future__ import annotations

import inspect
import io
import mimetypes
import os
import secrets
import stat
from collections.abc import Mapping, Sequence
from typing import Any

import anyio.to_thread

from .._exceptions import PylonInputError
from .stream import CHUNK_SIZE, FileSource, MultipartStream, Segment, why

__all__ = ["encode_multipart", "prepare_upload"]

_ESCAPES = str.maketrans(
    {"\\": "\\\\", '"': '\\"'} | {chr(c): f"%{c:02X}" for c in (*range(0x20), 0x7F)}
)


def encode_multipart(
    fields: Mapping[str, Any],
    files: Mapping[str, Any],
    *,
    boundary: str | None = None,
) -> MultipartStream:
    """Check an upload's parts and return its body as a :class:`MultipartStream`.

    Fields come first, in order, then files; nothing is read but the files' sizes.

    >>> form = encode_multipart({"description": "logo"}, {"file": ("a.txt", b"hi")}, boundary="b0")
    >>> form.headers
    {'Content-Type': 'multipart/form-data; boundary=b0', 'Content-Length': '175'}

    Args:
        fields: text parts: a ``str``, or a list of ``str`` for a repeated part.
        files: file parts: one upload, or a list of uploads for a repeated part (see the
            module docstring for what an upload can be).
        boundary: the boundary between parts; default 32 random hex digits.

    Raises:
        PylonInputError: a field that is not text, a file of an unsupported type, a path that
            is missing or unreadable, a tuple of the wrong shape. The message names the part,
            never its content.

    """
    boundary = boundary if boundary is not None else secrets.token_hex(16)
    delimiter = f"--{boundary}\r\n".encode("ascii")
    segments: list[Segment] = []
    for name, value in fields.items():
        for text in _texts(name, value):
            _append(segments, delimiter + _disposition(name) + b"\r\n\r\n" + text + b"\r\n")
    for name, value in files.items():
        for label, upload in _uploads(name, value):
            filename, content, content_type = _file(label, upload)
            header = _disposition(name, filename) + b"\r\nContent-Type: " + content_type
            _append(segments, delimiter + header + b"\r\n\r\n")
            if isinstance(content, bytes):
                _append(segments, content)
            else:
                segments.append(content)
            _append(segments, b"\r\n")
    _append(segments, f"--{boundary}--\r\n".encode("ascii"))
    return MultipartStream(segments, boundary)


def _append(segments: list[Segment], data: bytes) -> None:
    """Add ``data``, joined to the bytes before it while they stay within a chunk."""
    last = segments[-1] if segments else None
    if isinstance(last, bytes) and len(last) + len(data) <= CHUNK_SIZE:
        segments[-1] = last + data
    else:
        segments.append(data)


def _disposition(name: str, filename: str | None = None) -> bytes:
    header = b"Content-Disposition: form-data; name=" + _quote(name)
    return header if filename is None else header + b"; filename=" + _quote(filename)


def _quote(value: str) -> bytes:
    # "replace": a name decoded from undecodable file-system bytes keeps going, with "?".
    return b'"' + value.translate(_ESCAPES).encode("utf-8", "replace") + b'"'


def _texts(name: str, value: Any) -> list[bytes]:
    values = value if isinstance(value, list) else [value]
    for item in values:
        if not isinstance(item, str):
            raise PylonInputError(
                f"field {name!r} must be a str or a list of str, got {type(item).__name__}"
            )
    try:
        return [item.encode("utf-8") for item in values]
    except UnicodeEncodeError:
        raise PylonInputError(f"field {name!r} is not valid Unicode text") from None


def _uploads(name: str, value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, Sequence) and not isinstance(value, str | bytes | bytearray | tuple):
        return [(f"file {name!r}[{i}]", item) for i, item in enumerate(value)]
    return [(f"file {name!r}", value)]


def _file(label: str, upload: Any) -> tuple[str, bytes | FileSource, bytes]:
    """Return the filename, the content (bytes or a source) and the content type of a part."""
    filename = content_type = None
    content = upload
    if isinstance(upload, tuple):
        if len(upload) not in (2, 3):
            raise PylonInputError(
                f"{label}: a tuple must be (filename, content) or (filename, content, "
                f"content_type), got {len(upload)} items (for several files, pass a list)"
            )
        filename, content, *rest = upload
        content_type = rest[0] if rest else None
        if not isinstance(filename, str):
            raise PylonInputError(f"{label}: the filename must be a str, got {type(filename)}")
        if content_type is not None and not _is_header_value(content_type):
            raise PylonInputError(f"{label}: the content type must be a printable ASCII str")
    source, default_name = _content(label, content)
    filename = filename if filename is not None else default_name or "file"
    if content_type is None:
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return filename, source, content_type.encode("ascii")


def _content(label: str, content: Any) -> tuple[bytes | FileSource, str | None]:
    if isinstance(content, bytes | bytearray | memoryview):
        return bytes(content), None
    if isinstance(content, str | os.PathLike):
        return _path(label, content), os.path.basename(os.fsdecode(content))
    read = getattr(content, "read", None)
    if not callable(read):
        raise PylonInputError(
            f"{label}: cannot upload a {type(content).__name__}; pass bytes, a path, or a "
            "binary file object"
        )
    if isinstance(content, io.TextIOBase):
        raise PylonInputError(f"{label}: the file is open in text mode; open it with 'rb'")
    if getattr(content, "closed", False) is True:
        raise PylonInputError(f"{label}: the file is closed")
    name = getattr(content, "name", None)
    default_name = os.path.basename(name) if isinstance(name, str) else None
    if inspect.iscoroutinefunction(read):
        return FileSource(label, file=content), default_name
    offset, size = _measure(content)
    return FileSource(label, file=content, offset=offset, size=size), default_name


def _path(label: str, path: str | os.PathLike[str]) -> FileSource:
    # A str may be content passed by mistake: only an os.PathLike is echoed in messages.
    shown = f" {os.fspath(path)!r}" if isinstance(path, os.PathLike) else ""
    where = f"{label}: the path{shown}"
    fspath = os.fspath(path)
    if not isinstance(fspath, str):
        raise PylonInputError(f"{label}: a path must be str or os.PathLike[str]")
    try:
        info = os.stat(fspath)
    except FileNotFoundError:
        raise PylonInputError(
            f"{where} does not exist (a str is a path; bytes are content)"
        ) from None
    except (OSError, ValueError) as exc:
        raise PylonInputError(f"{where} cannot be read: {why(exc)}") from None
    if stat.S_ISDIR(info.st_mode):
        raise PylonInputError(f"{where} is a directory")
    if not os.access(fspath, os.R_OK):
        raise PylonInputError(f"{where} is not readable")
    # A pipe or a device has no size to send ahead, nor a beginning to go back to.
    size = info.st_size if stat.S_ISREG(info.st_mode) else None
    return FileSource(label, path=fspath, size=size)


def _measure(file: Any) -> tuple[int | None, int | None]:
    """Return a sync file's position and the bytes left after it; ``(None, None)`` if unseekable."""
    try:
        if not file.seekable():
            return None, None
        start = file.tell()
        file.seek(0, os.SEEK_END)
        end = file.tell()
        file.seek(start)
    except (AttributeError, OSError, ValueError):  # no seekable() or seek(): read it once
        return None, None
    return start, max(0, end - start)


def _is_header_value(value: object) -> bool:
    return isinstance(value, str) and value.isascii() and value.isprintable() and bool(value)


async def prepare_upload(fields: Mapping[str, Any], files: Mapping[str, Any]) -> MultipartStream:
    """Run :func:`encode_multipart` in a worker thread, off the event loop.

    It stats paths and seeks files, and ``mimetypes`` reads its tables from disk on first use.
    """
    return await anyio.to_thread.run_sync(lambda: encode_multipart(fields, files))
