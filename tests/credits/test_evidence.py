"""The evidence file's rules apart from the API: what a file is by its content, and how it is kept."""

from __future__ import annotations

import hashlib
import struct
import zlib
from pathlib import Path

import pytest

from credits import evidence
from kernel.errors import TooLarge, UnsupportedMediaType
from tests.credits.claim_helpers import jpeg, pdf, png


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares a size and has one row of data: what a pixel bomb looks like."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 10))
        + _chunk(b"IEND", b"")
    )


def test_each_kind_is_known_by_its_first_bytes() -> None:
    assert evidence.sniff(png()) == evidence.PNG
    assert evidence.sniff(jpeg()) == evidence.JPEG
    assert evidence.sniff(pdf()) == evidence.PDF
    assert evidence.sniff(b"MZ\x90\x00 a Windows program") is None
    assert evidence.sniff(b"GIF89a") is None
    assert evidence.sniff(b"") is None


def test_a_whole_file_passes_and_a_cut_one_does_not() -> None:
    for content, kind in ((png((300, 200)), evidence.PNG), (jpeg(), evidence.JPEG), (pdf(), evidence.PDF)):
        assert evidence.whole(content, kind)
        judged = evidence.judge(content, 10 * 1024 * 1024)
        assert judged.media_type == kind and judged.sha256 == hashlib.sha256(content).hexdigest()
        with pytest.raises(UnsupportedMediaType):
            evidence.judge(content[: len(content) * 2 // 3], 10 * 1024 * 1024)
    # a PNG whose chunks say it is a JPEG's: the decoder has the last word
    assert not evidence.whole(png(), evidence.JPEG)


def test_a_pixel_bomb_is_refused_without_decoding_it() -> None:
    with pytest.raises(UnsupportedMediaType):
        evidence.judge(_png_header_only(40_000, 40_000), 10 * 1024 * 1024)
    # 81 megapixels: under Pillow's own bomb error (2 x 89 MP), over the registry's cap
    assert evidence.MAX_PIXELS < 9_000 * 9_000
    with pytest.raises(UnsupportedMediaType):
        evidence.judge(_png_header_only(9_000, 9_000), 10 * 1024 * 1024)


def test_the_size_limit_is_checked_first() -> None:
    content = png()
    assert evidence.judge(content, len(content)).size == len(content)
    with pytest.raises(TooLarge):
        evidence.judge(content, len(content) - 1)


def test_files_are_kept_by_their_hash_and_never_overwritten(tmp_path: Path) -> None:
    content = jpeg()
    sha = hashlib.sha256(content).hexdigest()
    path = evidence.keep(tmp_path, content, sha)
    assert path == tmp_path / sha[:2] / sha[2:4] / sha and path.read_bytes() == content
    first = path.stat()
    assert evidence.keep(tmp_path, content, sha) == path
    again = path.stat()
    assert (again.st_ino, again.st_mtime_ns) == (first.st_ino, first.st_mtime_ns), "the kept file stands"
    assert oct(first.st_mode & 0o777) == "0o600"
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".incoming-")], "no temporary file left"
    assert evidence.read(tmp_path, sha) == content
