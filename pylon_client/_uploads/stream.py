"""The I/O half of uploads: a ``multipart/form-data`` body that reads its files as it is sent.

:mod:`._uploads` checks the parts and frames them into *segments*: bytes (part headers, text
fields, bytes content) and :class:`FileSource` objects (paths and file objects).
:class:`MultipartStream` sends them in order, one chunk at a time. What is replayable, what is
closed on a cancel, and why: see :mod:`._uploads`.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Sequence
from typing import Any

import anyio.to_thread
import httpx

from .._exceptions import PylonInputError

__all__ = ["CHUNK_SIZE", "FileSource", "MultipartStream", "Segment", "why"]

CHUNK_SIZE = 256 * 1024
"""Bytes read from a file, and handed to the connection, at a time.

256 KiB: twice the throughput of 64 KiB over loopback (fewer trips to the worker thread), and
still nothing next to the 20 MB the upload benchmark allows.
"""


class FileSource:
    """A file part's content: measured once, then read in chunks by each pass of the stream.

    A path is opened by the source (and closed by it); a file object is the caller's, sought
    back to ``offset`` before each pass when it is seekable. Sync reads run in a worker thread.
    """

    def __init__(
        self,
        label: str,
        *,
        path: str | None = None,
        file: Any = None,
        offset: int | None = None,
        size: int | None = None,
    ) -> None:
        self.label = label
        self.size = size
        self.replayable = size is not None and (path is not None or offset is not None)
        self._path = path
        self._file = file
        self._offset = offset
        self._async = inspect.iscoroutinefunction(getattr(file, "read", None))
        self._started = False

    async def start(self) -> None:
        """Get ready to read from the beginning; a one-shot source refuses a second pass."""
        if self._started and not self.replayable:
            raise PylonInputError(f"{self.label} can be read only once and was already sent")
        self._started = True
        if self._path is not None:
            self.close()
            await anyio.to_thread.run_sync(self._open)
        elif self._offset is not None:
            await anyio.to_thread.run_sync(self._file.seek, self._offset)

    def _open(self) -> None:
        # Kept on self inside the thread: a cancel arriving meanwhile still finds it to close.
        assert self._path is not None  # noqa: S101 (called for a path only)
        self._file = open(self._path, "rb")  # noqa: SIM115 (closed by close(), across awaits)

    async def read(self, size: int) -> object:
        """Read up to ``size`` bytes (what a caller's file returns, unchecked)."""
        if self._async:
            return await self._file.read(size)
        return await anyio.to_thread.run_sync(self._file.read, size)

    def close(self) -> None:
        """Close the file if the source opened it (from a path); a caller's stays open."""
        if self._path is not None and self._file is not None:
            file, self._file = self._file, None
            file.close()  # opened for reading: no flush, so no blocking


Segment = bytes | FileSource


class MultipartStream(httpx.AsyncByteStream):
    """A ``multipart/form-data`` body that reads its files as it is sent.

    Attributes:
        boundary: the random boundary between parts.
        content_length: the body's length in bytes, or None when a part's size is unknown.
        replayable: True when iterating again sends the same body (see the module docstring).

    """

    def __init__(self, segments: Sequence[Segment], boundary: str) -> None:
        self.boundary = boundary
        self._segments = tuple(segments)
        self._sources = [s for s in self._segments if isinstance(s, FileSource)]
        self.replayable = all(s.replayable for s in self._sources)
        sizes = [len(s) if isinstance(s, bytes) else s.size for s in self._segments]
        self.content_length = sum(n for n in sizes if n is not None) if None not in sizes else None

    @property
    def headers(self) -> dict[str, str]:
        """``Content-Type`` with the boundary, and ``Content-Length`` when it is known."""
        headers = {"Content-Type": f"multipart/form-data; boundary={self.boundary}"}
        if self.content_length is not None:
            headers["Content-Length"] = str(self.content_length)
        return headers

    def __aiter__(self) -> AsyncIterator[bytes]:
        self._close_sources()  # an earlier pass, abandoned (a retry starts a new one)
        return _Chunks(self._segments)

    async def aclose(self) -> None:
        """Close every file this stream opened; file objects passed in stay open."""
        self._close_sources()

    def _close_sources(self) -> None:
        for source in self._sources:
            source.close()


class _Chunks:
    """One pass over a stream's segments, as an async iterator of chunks."""

    def __init__(self, segments: tuple[Segment, ...]) -> None:
        self._segments = segments
        self._index = 0
        self._offset = 0  # into a bytes segment, sent a chunk at a time
        self._remaining: int | None = None
        self._open: FileSource | None = None

    def __aiter__(self) -> _Chunks:
        return self

    async def __anext__(self) -> bytes:
        while self._index < len(self._segments):
            segment = self._segments[self._index]
            if isinstance(segment, bytes):
                if self._offset == 0 and len(segment) <= CHUNK_SIZE:
                    self._index += 1
                    return segment
                # A large bytes content goes in chunks too: a transport handed 200 MB at once
                # may copy it into its own buffer (asyncio's does).
                chunk = segment[self._offset : self._offset + CHUNK_SIZE]
                self._offset += len(chunk)
                if self._offset >= len(segment):
                    self._index, self._offset = self._index + 1, 0
                return chunk
            try:
                chunk = await self._read(segment)
            except BaseException:
                segment.close()  # cancelled or failed mid-part: nothing stays open
                raise
            if chunk:
                return chunk
            segment.close()
            self._open = None
            self._index += 1
        raise StopAsyncIteration

    async def _read(self, source: FileSource) -> bytes:
        if self._open is not source:
            self._open, self._remaining = source, source.size
            try:
                await source.start()
            except OSError as exc:
                raise PylonInputError(f"{source.label} could not be opened: {why(exc)}") from exc
        want = CHUNK_SIZE if self._remaining is None else min(CHUNK_SIZE, self._remaining)
        if want == 0:
            return b""  # its measured size is sent; anything it grew by since is not
        try:
            chunk = await source.read(want)
        except OSError as exc:
            raise PylonInputError(f"{source.label} could not be read: {why(exc)}") from exc
        if not isinstance(chunk, bytes | bytearray | memoryview):
            raise PylonInputError(
                f"{source.label}: read() returned {type(chunk).__name__}, not bytes "
                "(open the file in binary mode, 'rb')"
            )
        chunk = bytes(chunk)
        if self._remaining is not None:
            if not chunk:
                raise PylonInputError(
                    f"{source.label} ended {self._remaining} bytes short of its size when the "
                    "upload began (was it changed meanwhile?)"
                )
            self._remaining -= len(chunk)
        return chunk


def why(exc: BaseException) -> str:
    # strerror holds no path; str(exc) would repeat a path that may be content passed as a str.
    return getattr(exc, "strerror", None) or type(exc).__name__
