"""Reading ``multipart/form-data`` bodies (uploads) without copying their files.

The app has already read the whole body (at most ``MAX_BODY_BYTES``, 413 above). Parsing does
not copy it again: each part's content is a :class:`memoryview` into that body, and a handler
keeps only what it needs (a name, a size, a short text field), never the file's bytes.
Part headers are read with the standard library's ``email`` parser, which knows the quoting and
RFC 2231 rules of ``Content-Disposition``; the body is split here, on the boundary, as
RFC 7578 describes (CRLF line ends, ``--boundary`` between parts, ``--boundary--`` at the end).
"""

from __future__ import annotations

import email.message
import email.parser
import email.policy
import email.utils
from collections.abc import Collection, Iterator

import attrs

from ._protocol import ApiError, Call

__all__ = ["Form", "Part", "form_of", "parse_form"]

_HEADERS_END = b"\r\n\r\n"
_NO_NAME = "each part of a multipart/form-data body needs Content-Disposition: form-data; name=..."


@attrs.frozen(eq=False)
class Part:
    """One part of a form: its field ``name``, the ``filename`` if it is a file, its content.

    ``content`` is a view into the request body (no copy); :attr:`size` is its length in bytes.
    """

    name: str
    filename: str | None
    content_type: str
    content: memoryview

    @property
    def size(self) -> int:
        """The content's length in bytes."""
        return len(self.content)

    def text(self) -> str:
        """Return the content as UTF-8 text; 400 if it is not."""
        try:
            return str(self.content, "utf-8")
        except UnicodeDecodeError:
            raise ApiError.bad_request(f"form field {self.name!r} is not UTF-8 text") from None


@attrs.frozen
class Form:
    """A parsed ``multipart/form-data`` body: its parts, in the order they were sent."""

    parts: tuple[Part, ...]

    def all(self, name: str) -> list[Part]:
        """Return every part called ``name`` (a repeated field, such as ``files``)."""
        return [p for p in self.parts if p.name == name]

    def first(self, name: str) -> Part | None:
        """Return the first part called ``name``, or None."""
        found = self.all(name)
        return found[0] if found else None

    def fields(self, names: Collection[str]) -> dict[str, str]:
        """Return the text of the first part of each of ``names`` that was sent.

        The result reads with :class:`~._validate.Reader`; an empty field counts as absent, as
        an HTML form sends an empty input.
        """
        texts = {name: part.text() for name in names if (part := self.first(name)) is not None}
        return {name: text for name, text in texts.items() if text != ""}

    def texts(self, name: str) -> list[str]:
        """Return the text of every part called ``name``."""
        return [part.text() for part in self.all(name)]


def parse_form(content_type: str, raw: bytes) -> Form | None:
    """Parse ``raw`` if ``content_type`` is ``multipart/form-data``; None if it is not.

    A multipart body without a boundary, with a part outside the boundaries, without its
    closing boundary, or with a part that has no field name is 400 ``invalid_request_body``.
    """
    header = email.message.Message()
    header["content-type"] = content_type
    if header.get_content_type() != "multipart/form-data":
        return None
    boundary = header.get_boundary()
    if not boundary:
        raise ApiError.bad_request("the multipart/form-data body has no boundary")
    body = memoryview(raw)
    spans = _spans(raw, boundary.encode())
    return Form(tuple(_part(raw, body, start, end) for start, end in spans))


def form_of(call: Call) -> Form:
    """Return the call's form; 400 if its body was not ``multipart/form-data``."""
    if not isinstance(call.body, Form):
        raise ApiError.bad_request("the request body must be multipart/form-data")
    return call.body


def _spans(raw: bytes, boundary: bytes) -> Iterator[tuple[int, int]]:
    """Yield ``(start, end)`` of each part between the boundaries, headers included."""
    delimiter = b"--" + boundary
    if not raw.startswith(delimiter):
        # A preamble before the first boundary is allowed, if it ends with a line break.
        found = raw.find(b"\r\n" + delimiter)
        if found < 0:
            raise ApiError.bad_request("the multipart/form-data body has no part")
        position = found + 2 + len(delimiter)
    else:
        position = len(delimiter)
    while not raw.startswith(b"--", position):
        line_end = raw.find(b"\r\n", position)
        if line_end < 0 or raw[position:line_end].strip(b" \t"):
            raise ApiError.bad_request("the multipart/form-data body is malformed")
        start = line_end + 2
        end = raw.find(b"\r\n" + delimiter, start)
        if end < 0:
            raise ApiError.bad_request("the multipart/form-data body has no closing boundary")
        yield start, end
        position = end + 2 + len(delimiter)


def _part(raw: bytes, body: memoryview, start: int, end: int) -> Part:
    """Read the part at ``raw[start:end]``: its headers, then a view of its content."""
    headers_end = raw.find(_HEADERS_END, start, end)
    if raw.startswith(b"\r\n", start) or headers_end < 0:
        raise ApiError.bad_request(_NO_NAME)
    text = str(raw[start:headers_end], "utf-8", "replace")
    headers = email.parser.HeaderParser(policy=email.policy.compat32).parsestr(text)
    name = headers.get_param("name", header="content-disposition")
    if headers.get_content_disposition() != "form-data" or not name:
        raise ApiError.bad_request(_NO_NAME)
    return Part(
        name=email.utils.collapse_rfc2231_value(name),
        filename=headers.get_filename(),
        content_type=headers.get_content_type() if "content-type" in headers else "text/plain",
        content=body[headers_end + len(_HEADERS_END) : end],
    )
