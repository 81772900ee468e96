"""Gzip streams joined from pieces compressed ahead of time (services.data_io.deflate) must
decompress, with their CRC and length checked, to the texts in order, whatever mix of pieces
and plain text, empty ones included."""

import gzip
import random
import zlib

from kommunkarta.services.data_io import deflate, tables


def _text(rng: random.Random) -> bytes:
    size = rng.choice([0, 1, 7, 300, 40_000, 70_000])
    return bytes(rng.choice(b'ab,"\r\n\xc3\xa5=') for _ in range(size))


def test_pieces_and_plain_text_join_into_one_gzip_stream():
    rng = random.Random(5)
    for _ in range(60):
        texts = [_text(rng) for _ in range(rng.randint(0, 8))]
        parts = [deflate.pack(t) if rng.random() < 0.5 else t for t in texts]
        body = b"".join(deflate.gzip(parts))
        assert gzip.decompress(body) == b"".join(texts)  # checks the CRC-32 and the length
        assert zlib.decompress(body, deflate.GZIP) == b"".join(texts)
        pieces = [body[i : i + 999] for i in range(0, len(body), 999)]
        assert b"".join(deflate.gunzip(pieces)) == b"".join(texts)


def test_a_piece_holds_its_text():
    text = 'Åtgärd, "citat"\r\n'.encode() * 1000
    piece = deflate.pack(text)
    assert piece.text() == text and piece.size == len(text) and piece.crc == zlib.crc32(text)
    assert len(piece.data) < len(text) // 10


def test_a_file_is_its_head_and_its_lines():
    rows = [[1, "=1+1", None, 2.5, "a,b"], [2, 'say "hi"\nthere', "", 0, "Å"]]
    lines = list(tables.csv_lines(rows))
    assert len(lines) == 2 and all(line.endswith(b"\r\n") for line in lines)
    header = ["id", "a", "b", "c", "d"]
    assert tables.csv_head(header) + b"".join(lines) == b"".join(tables.csv_chunks(header, rows))
    assert lines[0].startswith(b"1,'=1+1,,2.5,")
