from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from compliance.kernel.actors import Actor
from fingerprints import services
from fingerprints.hashing import image_pdq
from fingerprints.matcher import MATCHER
from notices import services as notices
from notices.models import ContentCategory, Evidence, RemovalOrder
from tests.support import images

CAPTURED = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_index(settings, tmp_path) -> Iterator[None]:
    # The index lives in the process and outlives a test's rollback; it must start empty,
    # and see every change at once (the interval is tested on its own).
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.HASH_INDEX_SYNC_SECONDS = 0
    MATCHER.reset()
    yield
    MATCHER.reset()


@pytest.fixture
def staff(officer) -> Actor:
    return Actor.staff(officer)


@pytest.fixture
def ncii_list(staff):
    return services.hash_list_create(
        actor=staff, name="NCII", category=ContentCategory.objects.get(code="ncii")
    )


def pdq_of(image: Image.Image) -> str:
    found = image_pdq(image)
    assert found.quality >= 50, "test images must be of matchable quality"
    return found.hex


def evidence_add(order: RemovalOrder, actor: Actor, image: Image.Image) -> Evidence:
    """A real PNG of `image` added as evidence; its fingerprint computed as the worker would."""
    upload = SimpleUploadedFile("capture.png", images.png_bytes(image))
    evidence = notices.evidence_add(
        order=order, actor=actor, file=upload, captured_at=CAPTURED, item=order.items.first()
    )
    services.fingerprint_compute(evidence_id=evidence.pk)
    return evidence


@pytest.fixture
def platform_actor(make_platform) -> Actor:
    return Actor.of_platform(make_platform())
