"""Gzip streams joined from pieces compressed ahead of time.

Compressing the CSV of 10,000 initiatives takes about as long as sending it from memory is
worth (a fifth of a second here), so the rows kept for exports (data_io.export_rows) are kept
compressed in pieces and a download joins them as they are, the way pigz compresses in
parallel. A piece is raw deflate that ends on a byte boundary (a sync flush, no final block)
and refers to nothing before it, so pieces may follow one another in any order and
decompress to their texts one after the other; text not compressed ahead of time is
compressed between them by one compressor that starts afresh (a full flush) before each
piece. The gzip trailer needs the CRC-32 of the whole text: a piece carries its own and the
operator that appends it, x^(8·its length) modulo the CRC polynomial, so that
crc(A + B) = multiply(operator of B, crc A) ^ crc B — zlib's crc32_combine_op, which
Python's zlib does not offer: a few microseconds a piece rather than a pass over its text.
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
POLYNOMIAL = 0xEDB88320  # CRC-32's, bits reflected as zlib keeps them


def _multiply(a: int, b: int) -> int:
    """a·b modulo the CRC-32 polynomial (zlib's multmodp)."""
    product = 0
    bit = 1 << 31
    while a:
        if a & bit:
            product ^= b
            a ^= bit
        bit >>= 1
        b = (b >> 1) ^ POLYNOMIAL if b & 1 else b >> 1
    return product


def _powers() -> list[int]:
    """x^(2^k) modulo the polynomial, for k = 0…31 (zlib's x2n_table)."""
    power = 1 << 30  # x^1
    table = [power]
    for _ in range(31):
        power = _multiply(power, power)
        table.append(power)
    return table


_X_TO_2_TO_THE = _powers()


def _appending(size: int) -> int:
    """The operator that appends `size` bytes to a CRC: x^(8·size) modulo the polynomial
    (zlib's crc32_combine_gen)."""
    operator = 1 << 31  # x^0
    k = 3  # 8 bits a byte
    while size:
        if size & 1:
            operator = _multiply(_X_TO_2_TO_THE[k % 32], operator)
        size >>= 1
        k += 1
    return operator


@dataclass(frozen=True, slots=True)
class Packed:
    """A text compressed ahead of time: raw deflate ending in a sync flush, with the text's
    CRC-32, its length and the operator that appends it to a CRC (see `joined_crc`)."""

    data: bytes
    crc: int
    size: int
    appending: int

    def text(self) -> bytes:
        """The text it holds."""
        return zlib.decompressobj(RAW).decompress(self.data)


def pack(text: bytes) -> Packed:
    """`text` compressed as a piece that can stand anywhere in a stream of `gzip`."""
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, RAW)
    data = compressor.compress(text) + compressor.flush(zlib.Z_SYNC_FLUSH)
    return Packed(data, zlib.crc32(text), len(text), _appending(len(text)))


def joined_crc(crc: int, piece: Packed) -> int:
    """The CRC-32 of a text whose CRC-32 is `crc` followed by the piece's text."""
    return _multiply(piece.appending, crc) ^ piece.crc


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
