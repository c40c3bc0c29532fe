"""Computing fingerprints from files: exact digests, PDQ for images, PDQ of frames for videos.

Images are decoded with Pillow, refusing decompression bombs (a small file that decodes to a
huge bitmap); PDQ comes from the `pdqhash` package (Meta's reference C++). Videos are cut
into one frame a second by Debian's ffmpeg, each frame hashed with PDQ (vPDQ's method).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pdqhash
from django.conf import settings
from PIL import Image, UnidentifiedImageError

from notices import filetypes

CHUNK = 1 << 20


class UnreadableMedia(ValueError):
    """The file cannot be decoded as the image or video it claims to be."""


@dataclass(frozen=True)
class PerceptualHash:
    hex: str
    quality: int


@dataclass
class Fingerprints:
    sha256: str
    md5: str
    pdq: PerceptualHash | None = None
    frames: list[PerceptualHash] = field(default_factory=list)
    # Why the perceptual hashes could not be computed (the digests always are).
    error: str = ""


def bits_to_hex(bits: Iterable[int]) -> str:
    """PDQ's 256 bits (first bit first) as 64 hex digits, as other PDQ tools write them."""
    array = np.fromiter(bits, dtype=np.uint8)
    return np.packbits(array).tobytes().hex()


def image_pdq(image: Image.Image) -> PerceptualHash:
    rgb = np.asarray(image.convert("RGB"))
    bits, quality = pdqhash.compute(rgb)
    return PerceptualHash(bits_to_hex(bits), int(quality))


def image_pdq_dihedral(image: Image.Image) -> list[PerceptualHash]:
    """The PDQ hashes of the image's 8 rotations and flips, in one pass (first: as it is)."""
    rgb = np.asarray(image.convert("RGB"))
    hashes, quality = pdqhash.compute_dihedral(rgb)
    return [PerceptualHash(bits_to_hex(bits), int(quality)) for bits in hashes]


def image_open(path: Path) -> Image.Image:
    """Decode an image of at most IMAGE_MAX_PIXELS pixels, its size judged from the header
    before anything is decoded (as on upload: notices.filetypes)."""
    limit = settings.IMAGE_MAX_PIXELS
    with path.open("rb") as handle:
        problem = filetypes.image_problem(handle, max_pixels=limit)
    if problem:
        raise UnreadableMedia(problem)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
            image.load()
    except (Image.DecompressionBombError, UnidentifiedImageError, OSError) as error:
        raise UnreadableMedia(f"Not an image that can be read: {error}") from None
    return image


def video_frames_pdq(
    path: Path, *, per_second: float = 1.0, limit: int = 600
) -> list[PerceptualHash]:
    """PDQ of one frame every 1/per_second seconds (at most `limit`), extracted by ffmpeg."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise RuntimeError("ffmpeg is needed to fingerprint videos (make install-system)")
    with tempfile.TemporaryDirectory() as folder:
        result = subprocess.run(
            [
                ffmpeg,
                "-v",
                "error",
                "-i",
                str(path),
                "-vf",
                f"fps={per_second},scale=512:-2",
                "-frames:v",
                str(limit),
                str(Path(folder) / "frame-%05d.png"),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        frames = sorted(Path(folder).glob("frame-*.png"))
        if result.returncode != 0 or not frames:
            raise UnreadableMedia(f"not a readable video: {result.stderr.strip()[:300]}")
        return [image_pdq(image_open(frame)) for frame in frames]


def file_fingerprints(path: Path, *, content_type: str) -> Fingerprints:
    sha256, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            sha256.update(chunk)
            md5.update(chunk)
    found = Fingerprints(sha256=sha256.hexdigest(), md5=md5.hexdigest())
    try:
        if content_type.startswith("image/"):
            found.pdq = image_pdq(image_open(path))
        elif content_type.startswith("video/"):
            found.frames = video_frames_pdq(path)
    except UnreadableMedia as error:
        found.error = str(error)
    return found
