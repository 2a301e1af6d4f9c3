"""Content codings (``Content-Encoding``), decoded incrementally under a cap on decoded bytes.

httpx inflates each chunk it reads in one call, so a few kilobytes of a stacked gzip
(``Content-Encoding: gzip, gzip``) become gigabytes before any size check can run. Here the
body is read raw and inflated with ``max_length`` set to the room left under the cap: memory
never holds more than the cap plus one chunk, whatever the ratio of the coding.

Accepted: no coding (or ``identity``), ``gzip`` (``x-gzip``) and ``deflate`` (zlib-wrapped
or raw), the codings the fetcher asks for in ``Accept-Encoding``. More than one coding,
or any other coding, is refused with :class:`CodingError`.
"""

from __future__ import annotations

import zlib

__all__ = ["ACCEPT_ENCODING", "CodingError", "BodyDecoder", "content_coding"]

ACCEPT_ENCODING = "gzip, deflate"
_ALIASES = {"gzip": "gzip", "x-gzip": "gzip", "deflate": "deflate"}
_GZIP_MAGIC = b"\x1f\x8b"


class CodingError(ValueError):
    """A content coding the fetcher refuses, or a coded body that does not decode."""


def content_coding(header: str | None) -> str:
    """The one coding named by a Content-Encoding header: ``"identity"``, ``"gzip"`` or ``"deflate"``."""
    codings = [c.strip().lower() for c in (header or "").split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return "identity"
    if len(codings) > 1:
        raise CodingError(
            f"more than one content coding ({header.strip()}) is refused: a stacked coding can inflate "
            "a few kilobytes into gigabytes"
        )
    coding = _ALIASES.get(codings[0])
    if coding is None:
        raise CodingError(f"unsupported content coding {codings[0]!r} (the fetcher asks for {ACCEPT_ENCODING})")
    return coding


class BodyDecoder:
    """Decode one body's chunks as they arrive; never returns more than ``room + 1`` bytes per call.

    The caller keeps count: when the total decoded passes its cap it stops (the ``+ 1`` is
    what tells it the body is over the cap rather than exactly at it).
    """

    def __init__(self, coding: str) -> None:
        if coding not in ("identity", "gzip", "deflate"):
            raise CodingError(f"unsupported content coding {coding!r}")
        self.coding = coding
        self._inflater: zlib._Decompress | None = None
        self._pending = b""  # deflate: the first bytes, kept until we know zlib-wrapped from raw
        if coding == "gzip":
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)

    def feed(self, data: bytes, room: int) -> bytes:
        """Decode ``data``; return at most ``room + 1`` decoded bytes (the rest is not inflated)."""
        if self.coding == "identity":
            return data[: room + 1]
        if self.coding == "deflate" and self._inflater is None:
            return self._start_deflate(data, room)
        return self._inflate(data, room)

    def finish(self) -> None:
        """Check that a coded body ended where its coding says it ends."""
        if self.coding == "identity":
            return
        if self._inflater is None:  # deflate with no bytes at all
            if self._pending:
                raise CodingError(f"{self.coding}-coded body is too short to decode")
            return
        if not self._inflater.eof:
            raise CodingError(f"{self.coding}-coded body ends before its end of stream (cut short?)")

    # -- steps
    def _start_deflate(self, data: bytes, room: int) -> bytes:
        self._pending += data
        if len(self._pending) < 2:
            return b""
        first, self._pending = self._pending, b""
        # RFC 9110 deflate is zlib-wrapped; some servers send raw deflate. The zlib header tells.
        wrapped = (first[0] & 0x0F) == 8 and ((first[0] << 8) | first[1]) % 31 == 0
        self._inflater = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        try:
            return self._inflate(first, room)
        except CodingError:
            if not wrapped:
                raise
            self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)  # raw after all (its first bytes looked wrapped)
            return self._inflate(first, room)

    def _inflate(self, data: bytes, room: int) -> bytes:
        assert self._inflater is not None
        out = bytearray()
        while data:
            left = room + 1 - len(out)
            if left <= 0:
                break
            try:
                out += self._inflater.decompress(data, left)
            except zlib.error as exc:
                raise CodingError(f"{self.coding}-coded body does not decode ({exc})") from None
            data = self._inflater.unconsumed_tail
            if self._inflater.eof:
                rest = self._inflater.unused_data
                if self.coding == "gzip" and rest.startswith(_GZIP_MAGIC):  # a multi-member gzip file
                    self._inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
                    data = rest
                else:
                    break  # anything after the end of stream is ignored, as browsers do
        return bytes(out)
