"""Evidence: hashed, typed from the bytes, size-limited, never replaced or deleted."""

import hashlib
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction

from compliance.kernel.actors import Actor
from compliance.kernel.errors import ActionForbidden
from notices import services
from notices.models import Evidence
from tests.support.images import TINY_PNG

PNG = TINY_PNG
CAPTURED = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload(content: bytes, name: str = "capture.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_evidence_is_stored_with_its_hash_and_real_type(make_order, officer):
    order = make_order()
    evidence = services.evidence_add(
        order=order,
        actor=Actor.staff(officer),
        file=_upload(PNG, "capture.exe"),
        captured_at=CAPTURED,
        item=order.items.first(),
        description="screenshot",
    )
    digest = hashlib.sha256(PNG).hexdigest()
    assert (evidence.sha256, evidence.size, evidence.content_type) == (
        digest,
        len(PNG),
        "image/png",
    )
    assert evidence.file.name == f"evidence/{digest[:2]}/{digest}.png"
    with evidence.file.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == digest
    assert evidence.captured_by == officer


def test_same_bytes_twice_share_one_stored_file(make_order, officer):
    order = make_order()
    actor = Actor.staff(officer)
    one = services.evidence_add(order=order, actor=actor, file=_upload(PNG), captured_at=CAPTURED)
    two = services.evidence_add(order=order, actor=actor, file=_upload(PNG), captured_at=CAPTURED)
    assert one.file.name == two.file.name
    assert Evidence.objects.count() == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00 not an image", "Not an allowed evidence type"),
        (b"<html><script>", "Not an allowed evidence type"),
        (b"", "empty"),
    ],
)
def test_disallowed_types_are_refused(make_order, officer, content, message):
    with pytest.raises(ValidationError, match=message):
        services.evidence_add(
            order=make_order(),
            actor=Actor.staff(officer),
            file=_upload(content, "x.png"),
            captured_at=CAPTURED,
        )
    assert not Evidence.objects.exists()


def test_size_limit(make_order, officer, settings):
    settings.EVIDENCE_MAX_BYTES = 50
    with pytest.raises(ValidationError, match="the limit is 50"):
        services.evidence_add(
            order=make_order(), actor=Actor.staff(officer), file=_upload(PNG), captured_at=CAPTURED
        )


def test_item_of_another_order_and_future_capture_are_refused(make_order, officer):
    order, other = make_order(), make_order()
    actor = Actor.staff(officer)
    with pytest.raises(ValidationError, match="another order"):
        services.evidence_add(
            order=order,
            actor=actor,
            file=_upload(PNG),
            captured_at=CAPTURED,
            item=other.items.first(),
        )
    with pytest.raises(ValidationError, match="future"):
        services.evidence_add(
            order=order,
            actor=actor,
            file=_upload(PNG),
            captured_at=datetime(2999, 1, 1, tzinfo=UTC),
        )


def test_platform_adds_evidence_to_its_own_order_only(make_order):
    order, other = make_order(), make_order()
    actor = Actor.of_platform(order.platform)
    evidence = services.evidence_add(
        order=order, actor=actor, file=_upload(PNG), captured_at=CAPTURED
    )
    assert evidence.captured_by_platform == order.platform
    with pytest.raises(ActionForbidden):
        services.evidence_add(order=other, actor=actor, file=_upload(PNG), captured_at=CAPTURED)


def test_auditor_cannot_add_evidence(make_order, auditor):
    with pytest.raises(ActionForbidden):
        services.evidence_add(
            order=make_order(), actor=Actor.staff(auditor), file=_upload(PNG), captured_at=CAPTURED
        )


@pytest.mark.parametrize(
    "statement",
    ["UPDATE notices_evidence SET sha256 = %s", "DELETE FROM notices_evidence WHERE sha256 <> %s"],
)
def test_database_refuses_to_replace_or_delete_evidence(make_order, officer, statement):
    services.evidence_add(
        order=make_order(), actor=Actor.staff(officer), file=_upload(PNG), captured_at=CAPTURED
    )
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, ["0" * 64])
    assert Evidence.objects.get().sha256 == hashlib.sha256(PNG).hexdigest()
