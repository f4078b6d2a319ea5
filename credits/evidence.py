"""The evidence of a credit claim (证明材料, issue 16): what a file is, judged by its content, and where
it is kept.

A file is a PDF, a JPEG or a PNG by its first bytes (never by its name or the type the browser
claims), and it must be whole: an image is decoded to its last pixel by Pillow (a truncated PNG or
JPEG fails), a PDF must start with ``%PDF-`` and end with ``%%EOF``. Anything else is a 415.

Files are kept content-addressed: ``<evidence dir>/ab/cd/<sha256>``, written to a temporary file in
the same directory, flushed to disk and then linked to its name, which fails if the name exists: a
kept file is never overwritten, and a crash leaves no half-written file under a real name. The work
runs in a worker thread (hashing and decoding a 10 MiB photo is CPU work), never on the event loop.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from kernel.errors import FieldError, TooLarge, UnsupportedMediaType
from kernel.i18n import _

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}
MAGIC = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG"}
# the largest photo decoded (a phone's 50-megapixel mode; ~150 MB decoded): a larger one is refused
# from its header, so a small file declaring a huge image (a pixel bomb) costs nothing
MAX_PIXELS = 52_000_000
# the end of a PDF: %%EOF within its last bytes (a few bytes of line ends or padding may follow)
PDF_TAIL = 1024


@dataclass(frozen=True, slots=True)
class Evidence:
    sha256: str
    media_type: str
    size: int


def sniff(content: bytes) -> str | None:
    """The media type the first bytes say (PDF, PNG or JPEG), or None."""
    for magic, media_type in MAGIC:
        if content.startswith(magic):
            return media_type
    return None


def _unreadable() -> UnsupportedMediaType:
    return UnsupportedMediaType(
        _("the evidence must be a PDF, JPEG or PNG file, whole and readable"),
        [FieldError("file", _("not a PDF, JPEG or PNG file, or damaged"))],
    )


def whole(content: bytes, media_type: str) -> bool:
    """Whether a file of this type is whole: an image decodes to its end, a PDF ends with %%EOF. An
    image of more than ``MAX_PIXELS`` is refused from its header, before anything is decoded."""
    if media_type == PDF:
        return b"%%EOF" in content[-PDF_TAIL:]
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.format != PILLOW_FORMATS[media_type] or image.width * image.height > MAX_PIXELS:
                return False
            image.load()  # decodes every pixel: a truncated file raises
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return False
    return True


def judge(content: bytes, limit: int) -> Evidence:
    """The evidence this upload is, or the 413 / 415 that refuses it."""
    if len(content) > limit:
        size = f"{limit:,}"
        raise TooLarge(
            _("the evidence file is over the limit of {limit} bytes (REGISTRY_EVIDENCE_MAX_BYTES)", limit=size),
            [FieldError("file", _("too large"))],
        )
    media_type = sniff(content)
    if media_type is None or not whole(content, media_type):
        raise _unreadable()
    return Evidence(hashlib.sha256(content).hexdigest(), media_type, len(content))


def path_of(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256[2:4] / sha256


def keep(root: Path, content: bytes, sha256: str) -> Path:
    """Write the file under its hash unless it is kept already (then the kept one stands)."""
    final = path_of(root, sha256)
    if final.exists():
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=final.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(temporary, 0o600)
        # never replaces a kept file: the same content kept meanwhile by another request stands
        with contextlib.suppress(FileExistsError):
            os.link(temporary, final)
    finally:
        os.unlink(temporary)
    _sync_directory(final.parent)  # the new name survives a crash, like the content before it
    return final


def _sync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def judge_and_keep(root: Path, content: bytes, limit: int) -> Evidence:
    """Judge an upload and keep it: one call for the worker thread."""
    evidence = judge(content, limit)
    keep(root, content, evidence.sha256)
    return evidence


def read(root: Path, sha256: str) -> bytes:
    return path_of(root, sha256).read_bytes()
