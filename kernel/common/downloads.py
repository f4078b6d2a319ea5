"""How a file is handed to a browser: its ``Content-Disposition`` with a Chinese file name."""

from __future__ import annotations

from urllib.parse import quote


def content_disposition(name: str, *, inline: bool = False, fallback: str = "export") -> str:
    """An attachment (or, ``inline``, a file shown in place: an image, a PDF in a frame) with a Chinese
    file name (RFC 6266 / 5987), and an ASCII fallback."""
    name = "".join(ch for ch in name if ch >= " " and ch != "\x7f")  # no control characters in a header
    ascii_name = name.encode("ascii", "ignore").decode().replace('"', "").replace("\\", "") or fallback
    ascii_name = ascii_name.lstrip("_") or fallback
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
