"""What an evidence file is, judged from its first bytes, never from its name."""

from __future__ import annotations

from collections.abc import Callable

# (content type, extension, test on the first 16 bytes)
SIGNATURES: list[tuple[str, str, Callable[[bytes], bool]]] = [
    ("image/png", ".png", lambda b: b.startswith(b"\x89PNG\r\n\x1a\n")),
    ("image/jpeg", ".jpg", lambda b: b.startswith(b"\xff\xd8\xff")),
    ("image/gif", ".gif", lambda b: b[:6] in (b"GIF87a", b"GIF89a")),
    ("image/webp", ".webp", lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP"),
    ("application/pdf", ".pdf", lambda b: b.startswith(b"%PDF-")),
    ("video/mp4", ".mp4", lambda b: b[4:8] == b"ftyp"),
    ("video/webm", ".webm", lambda b: b.startswith(b"\x1a\x45\xdf\xa3")),
]


def sniff(head: bytes) -> tuple[str, str] | None:
    """Return (content type, extension) for an allowed type, or None."""
    for content_type, extension, test in SIGNATURES:
        if test(head):
            return content_type, extension
    return None


ALLOWED_DESCRIPTION = "PNG, JPEG, GIF, WebP, PDF, MP4 or WebM"
