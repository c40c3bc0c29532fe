"""Real images for the fingerprint tests, drawn with Pillow: shapes, text and gradients, and
the edits content goes through when it is re-posted."""

from __future__ import annotations

import io
import random
import subprocess
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont, ImageOps

SIZE = (640, 480)
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def _colour(rng: random.Random) -> tuple[int, int, int]:
    return (rng.randrange(256), rng.randrange(256), rng.randrange(256))


def shapes(seed: int) -> Image.Image:
    rng = random.Random(seed)
    image = Image.new("RGB", SIZE, _colour(rng))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(SIZE[0]), rng.randrange(SIZE[1])
        w, h = rng.randrange(40, 260), rng.randrange(40, 200)
        box = (x - w // 2, y - h // 2, x + w // 2, y + h // 2)
        if rng.random() < 0.5:
            draw.ellipse(box, fill=_colour(rng))
        else:
            draw.rectangle(box, fill=_colour(rng))
    return image


def text(seed: int) -> Image.Image:
    rng = random.Random(seed)
    image = Image.new("RGB", SIZE, _colour(rng))
    draw = ImageDraw.Draw(image)
    words = ["takedown", "regulator", "platform", "evidence", "deadline", "archive", "notice"]
    for row in range(5):
        font = ImageFont.truetype(FONT, rng.randrange(36, 72))
        draw.text(
            (rng.randrange(10, 200), 20 + row * 90), rng.choice(words), fill=_colour(rng), font=font
        )
    return image


def gradient(seed: int) -> Image.Image:
    rng = random.Random(seed)
    a, b = _colour(rng), _colour(rng)
    horizontal = Image.linear_gradient("L").resize(SIZE).rotate(rng.choice([0, 90, 180, 270]))
    image = Image.composite(
        Image.new("RGB", SIZE, a), Image.new("RGB", SIZE, b), horizontal.resize(SIZE)
    )
    draw = ImageDraw.Draw(image)
    for _ in range(4):
        x, y, r = rng.randrange(SIZE[0]), rng.randrange(SIZE[1]), rng.randrange(30, 120)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=_colour(rng))
    return image


def jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def crop(image: Image.Image, share: float) -> Image.Image:
    dx, dy = round(image.width * share), round(image.height * share)
    return image.crop((dx, dy, image.width - dx, image.height - dy))


def caption(image: Image.Image) -> Image.Image:
    """A meme-style caption bar added above the picture."""
    bar = image.height // 5
    out = Image.new("RGB", (image.width, image.height + bar), "white")
    out.paste(image, (0, bar))
    ImageDraw.Draw(out).text(
        (10, 10), "look at this", fill="black", font=ImageFont.truetype(FONT, bar // 2)
    )
    return out


# The edits PDQ survives: every one keeps an image within distance 31 of its original (the
# turned ones through the dihedral variants the caller sends).
SURVIVED: dict[str, Callable[[Image.Image], Image.Image]] = {
    "jpeg-90": lambda i: jpeg(i, 90),
    "jpeg-70": lambda i: jpeg(i, 70),
    "jpeg-50": lambda i: jpeg(i, 50),
    "jpeg-30": lambda i: jpeg(i, 30),
    "resized-half": lambda i: i.resize((i.width // 2, i.height // 2)),
    "resized-double": lambda i: i.resize((i.width * 2, i.height * 2)),
    # 1% of the width and height, taken evenly from the edges.
    "cropped-1%": lambda i: crop(i, 0.005),
    "rotated-90": lambda i: i.rotate(90, expand=True),
    "flipped": ImageOps.mirror,
    "greyscale": lambda i: ImageOps.grayscale(i).convert("RGB"),
    "brighter": lambda i: ImageEnhance.Brightness(i).enhance(1.15),
    "darker": lambda i: ImageEnhance.Brightness(i).enhance(0.7),
    "more-contrast": lambda i: ImageEnhance.Contrast(i).enhance(1.2),
    "less-contrast": lambda i: ImageEnhance.Contrast(i).enhance(0.7),
    "blurred": lambda i: i.filter(ImageFilter.GaussianBlur(2)),
}

# Edits that moved our own test images past distance 31: PDQ is not built for them (measured
# over 36 images: docs/fingerprints.md). Milder ones sit at the edge: a 1% crop taken from one
# corner reached 32, and brightness up 20% (clipping the highlights of a gradient) 40.
NOT_SURVIVED: dict[str, Callable[[Image.Image], Image.Image]] = {
    "cropped-20%": lambda i: crop(i, 0.20),
    "caption-bar": caption,
    "rotated-20-degrees": lambda i: i.rotate(20, expand=True, fillcolor="black"),
}

MAKERS = {"shapes": shapes, "text": text, "gradient": gradient}


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def video(path: Path, frames: list[Image.Image], *, seconds_each: int = 1) -> Path:
    """An MP4 (H.264) of `frames`, each shown `seconds_each` seconds, encoded by ffmpeg."""
    folder = path.parent / (path.stem + "-frames")
    folder.mkdir(parents=True, exist_ok=True)
    for n, frame in enumerate(frames):
        frame.save(folder / f"{n:04d}.png")
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-framerate",
            f"1/{seconds_each}",
            "-i",
            str(folder / "%04d.png"),
            "-vf",
            "fps=25,format=yuv420p",
            "-c:v",
            "libx264",
            str(path),
        ],
        check=True,
        timeout=120,
    )
    return path


# A real PNG, as small as one gets: evidence must decode.
TINY_PNG = png_bytes(Image.new("RGB", (8, 8), "white"))
