"""What an evidence file is, judged from its first bytes, never from its name."""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable
from typing import IO

from django.core.files import File
from django.core.files.storage import default_storage
from PIL import Image, UnidentifiedImageError

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


def image_problem(file: IO[bytes], *, max_pixels: int) -> str | None:
    """Why an image cannot be kept, read from its header alone (nothing is decoded: a
    decompression bomb is a small file that decodes to a huge bitmap), or None."""
    try:
        with warnings.catch_warnings():
            # Pillow warns past its own limit; the size is judged below, against ours.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                width, height = image.size
    except Image.DecompressionBombError:
        return f"The image has more pixels than the limit of {max_pixels}."
    except (UnidentifiedImageError, OSError, ValueError):
        return "Not an image that can be read."
    if width * height > max_pixels:
        return f"The image is {width} x {height} pixels, more than the limit of {max_pixels}."
    return None


def file_sha256(file: File) -> str:
    """The SHA-256 of an uploaded file's bytes, read in chunks."""
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def content_addressed_save(file: File, *, folder: str, sha256: str, extension: str) -> str:
    """Keep a file under its SHA-256 in `folder`: identical bytes are stored once and never
    overwritten. Returns the storage name."""
    name = f"{folder}/{sha256[:2]}/{sha256}{extension}"
    if not default_storage.exists(name):
        file.seek(0)
        name = default_storage.save(name, file)
    return name
