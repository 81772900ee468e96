"""Gzip streams joined from pieces compressed ahead of time.

Compressing the CSV of 10,000 initiatives takes about as long as sending it from memory is
worth (a fifth of a second here), so the rows kept for exports (data_io.export_rows) are kept
compressed in pieces and a download joins them as they are, the way pigz compresses in
parallel. A piece is raw deflate that ends on a byte boundary (a sync flush, no final block)
and refers to nothing before it, so pieces may follow one another in any order and
decompress to their texts one after the other; text not compressed ahead of time is
compressed between them by one compressor that starts afresh (a full flush) before each
piece. The gzip trailer needs the CRC-32 of the whole text: a piece carries its own and its
length, and CRC-32 being affine, crc(A + B) = crc32(zeros(len B), crc A) ^ crc32(zeros(len B))
^ crc B, which costs a pass over zeros as long as B (a few milliseconds for 8 MB) rather than
decompressing it.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

LEVEL = 6  # as Flask-Compress compresses every other response (COMPRESS_LEVEL)
RAW = -zlib.MAX_WBITS  # zlib's window bits for raw deflate, without header or trailer
GZIP = 16 + zlib.MAX_WBITS  # zlib's window bits for a gzip stream
# a gzip member's header: deflate, no name, no time, unknown operating system (RFC 1952)
HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
CHUNK = 2**16  # bytes of output gathered before they are handed on
_ZEROS = memoryview(bytes(2**16))


def _crc_of_zeros(crc: int, count: int) -> int:
    """`crc` continued over `count` zero bytes."""
    while count > 0:
        step = min(count, len(_ZEROS))
        crc = zlib.crc32(_ZEROS[:step], crc)
        count -= step
    return crc


@dataclass(frozen=True, slots=True)
class Packed:
    """A text compressed ahead of time: raw deflate ending in a sync flush, with the text's
    CRC-32, its length and the CRC-32 of as many zero bytes (for joining CRCs)."""

    data: bytes
    crc: int
    size: int
    zeros_crc: int

    def text(self) -> bytes:
        """The text it holds."""
        return zlib.decompressobj(RAW).decompress(self.data)


def pack(text: bytes) -> Packed:
    """`text` compressed as a piece that can stand anywhere in a stream of `gzip`."""
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, RAW)
    data = compressor.compress(text) + compressor.flush(zlib.Z_SYNC_FLUSH)
    return Packed(data, zlib.crc32(text), len(text), _crc_of_zeros(0, len(text)))


def joined_crc(crc: int, piece: Packed) -> int:
    """The CRC-32 of a text whose CRC-32 is `crc` followed by the piece's text."""
    return _crc_of_zeros(crc, piece.size) ^ piece.zeros_crc ^ piece.crc


def gzip(parts: Iterable[Packed | bytes]) -> Iterator[bytes]:
    """One gzip stream of the parts' texts in order: pieces as they are, plain bytes
    compressed here. Yields chunks of about CHUNK bytes."""
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, RAW)
    flushed = True  # the compressor has had no text since it last started afresh
    crc = size = 0
    out = [HEADER]
    gathered = len(HEADER)
    for part in parts:
        if isinstance(part, Packed):
            if not flushed:
                out.append(compressor.flush(zlib.Z_FULL_FLUSH))
                flushed = True
            out.append(part.data)
            crc = joined_crc(crc, part)
            size += part.size
        elif part:
            out.append(compressor.compress(part))
            flushed = False
            crc = zlib.crc32(part, crc)
            size += len(part)
        else:
            continue
        gathered += len(out[-1])
        if gathered >= CHUNK:
            yield b"".join(out)
            out, gathered = [], 0
    out.append(compressor.flush())  # the final block
    out.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
    yield b"".join(out)


def gunzip(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The text of a gzip stream given in chunks, as the chunks come."""
    decompressor = zlib.decompressobj(GZIP)
    for chunk in chunks:
        if text := decompressor.decompress(chunk):
            yield text
    if rest := decompressor.flush():
        yield rest
