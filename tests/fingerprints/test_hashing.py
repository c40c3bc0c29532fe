"""Fingerprints of real files: digests, PDQ of images (bombs refused), PDQ of video frames; and
which edits PDQ survives, measured on images drawn here."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from fingerprints import hashing, services
from fingerprints.index import hamming, hex_to_codes
from fingerprints.models import Fingerprint
from notices import services as notices
from notices.models import Evidence
from tests.fingerprints.conftest import CAPTURED, evidence_add, pdq_of
from tests.support import images

SEEDS = [0, 1, 2, 3]


def distance(a: str, b: str) -> int:
    return int(hamming(hex_to_codes([a]), hex_to_codes([b]))[0])


def nearest_turn(original: str, edited: Image.Image) -> int:
    """The distance of the nearest of the edited image's 8 rotations and flips (what a
    platform sends as variants)."""
    return min(distance(original, h.hex) for h in hashing.image_pdq_dihedral(edited))


def test_an_image_gets_md5_and_pdq_beside_its_sha256(make_order, staff):
    order = make_order()
    picture = images.shapes(1)
    evidence = evidence_add(order, staff, picture)
    fingerprint = Fingerprint.objects.get(evidence=evidence)
    png = images.png_bytes(picture)
    assert fingerprint.status == Fingerprint.Status.DONE
    assert evidence.sha256 == hashlib.sha256(png).hexdigest()
    assert fingerprint.md5 == hashlib.md5(png).hexdigest()
    assert fingerprint.pdq == pdq_of(picture)
    assert fingerprint.pdq_quality >= 50
    assert fingerprint.frames == []


def test_fingerprints_are_computed_after_the_upload_commits(
    make_order, staff, django_capture_on_commit_callbacks
):
    order = make_order()
    upload = SimpleUploadedFile("a.png", images.png_bytes(images.text(2)))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        evidence = notices.evidence_add(order=order, actor=staff, file=upload, captured_at=CAPTURED)
        # In the request: nothing computed, the task only queued for after the commit.
        assert not Fingerprint.objects.filter(evidence=evidence).exists()
    assert len(callbacks) == 1
    assert Fingerprint.objects.get(evidence=evidence).status == Fingerprint.Status.DONE


@pytest.mark.parametrize("side", [400, 1000])  # past the limit, and past twice it
def test_a_decompression_bomb_is_refused_on_upload(make_order, staff, settings, side):
    settings.IMAGE_MAX_PIXELS = 100_000
    order = make_order()
    picture = images.png_bytes(images.shapes(0).resize((side, side)))
    with pytest.raises(ValidationError) as refused:
        notices.evidence_add(
            order=order,
            actor=staff,
            file=SimpleUploadedFile("a.png", picture),
            captured_at=CAPTURED,
        )
    [message] = refused.value.message_dict["file"]
    assert message == f"The image is {side} x {side} pixels, more than the limit of 100000."
    assert not Evidence.objects.exists()


def test_a_file_that_claims_to_be_an_image_but_is_not_is_refused_on_upload(make_order, staff):
    fake = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    with pytest.raises(ValidationError, match="Not an image that can be read"):
        notices.evidence_add(
            order=make_order(),
            actor=staff,
            file=SimpleUploadedFile("x.png", fake),
            captured_at=CAPTURED,
        )
    assert not Evidence.objects.exists()


def test_the_worker_records_what_it_cannot_decode(make_order, staff, settings):
    """A file whose header reads but whose pixels do not (truncated), and an image over a
    limit lowered since its upload: recorded as failed, with why."""
    order = make_order()
    truncated = images.png_bytes(images.shapes(5))[:300]
    broken = notices.evidence_add(
        order=order, actor=staff, file=SimpleUploadedFile("t.png", truncated), captured_at=CAPTURED
    )
    large = evidence_add(order, staff, images.shapes(6))
    unreadable = services.fingerprint_compute(evidence_id=broken.pk)
    assert unreadable.status == Fingerprint.Status.FAILED
    assert "Not an image that can be read" in unreadable.error
    settings.IMAGE_MAX_PIXELS = 1000
    failed = services.fingerprint_compute(evidence_id=large.pk)
    assert failed.status == Fingerprint.Status.FAILED
    assert "more than the limit of 1000" in failed.error
    # The digests still serve exact matching; nothing perceptual is kept from a failure.
    assert (failed.pdq, failed.pdq_quality) == ("", None)
    assert failed.md5 == hashlib.md5(images.png_bytes(images.shapes(6))).hexdigest()


def test_a_video_gets_the_pdq_of_one_frame_a_second(make_order, staff, tmp_path):
    scenes = [images.shapes(10), images.text(11), images.shapes(12)]
    path = images.video(tmp_path / "clip.mp4", scenes, seconds_each=2)
    order = make_order()
    upload = SimpleUploadedFile("clip.mp4", path.read_bytes())
    evidence = notices.evidence_add(order=order, actor=staff, file=upload, captured_at=CAPTURED)
    fingerprint = services.fingerprint_compute(evidence_id=evidence.pk)
    assert fingerprint.status == Fingerprint.Status.DONE
    assert fingerprint.md5 == hashlib.md5(path.read_bytes()).hexdigest()
    assert len(fingerprint.frames) == 6
    # Each second's frame is its scene, through H.264.
    for n, (frame_hash, _quality) in enumerate(fingerprint.frames):
        assert distance(frame_hash, pdq_of(scenes[n // 2])) <= 31


@pytest.mark.parametrize("edit", sorted(images.SURVIVED))
@pytest.mark.parametrize("kind", sorted(images.MAKERS))
def test_pdq_survives_common_edits(kind, edit):
    for seed in SEEDS:
        picture = images.MAKERS[kind](seed)
        if hashing.image_pdq(picture).quality < 50:
            continue  # kept but never matched: nothing to survive
        assert nearest_turn(pdq_of(picture), images.SURVIVED[edit](picture)) <= 31


@pytest.mark.parametrize("edit", sorted(images.NOT_SURVIVED))
def test_edits_pdq_does_not_survive_are_documented(edit):
    for seed in SEEDS:
        picture = images.shapes(seed)
        assert nearest_turn(pdq_of(picture), images.NOT_SURVIVED[edit](picture)) > 31


def test_unrelated_images_are_far_apart():
    hashes = [
        hashing.image_pdq(make(seed)).hex for make in images.MAKERS.values() for seed in range(8)
    ]
    nearest = min(distance(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1 :])
    assert nearest > 31
