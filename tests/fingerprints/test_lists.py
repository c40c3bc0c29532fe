"""Hash lists: additions and withdrawals as decisions, all-or-nothing imports, who may act."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from compliance.kernel.actions import Action
from compliance.kernel.actors import Actor
from compliance.kernel.errors import ActionForbidden
from compliance.models import DecisionRecord
from fingerprints import services
from fingerprints.models import EntryStatus, Fingerprint, HashEntry, HashType
from notices import services as notices
from tests.fingerprints.conftest import CAPTURED, evidence_add, pdq_of
from tests.support import images

SHA = "ab" * 32
MD5 = "cd" * 16
PDQ = "0f" * 32


def test_hashes_without_files_are_added_each_a_decision(ncii_list, staff):
    added = services.hash_entries_add(
        actor=staff,
        hash_list=ncii_list,
        hashes=[
            services.HashInput(HashType.SHA256, SHA.upper()),
            services.HashInput(HashType.MD5, MD5),
            services.HashInput(HashType.PDQ, PDQ, quality=90),
            services.HashInput(HashType.SHA256, SHA),  # the same hash again: once
        ],
        note="Submitted by a victim-support agency",
    )
    assert [(e.hash_type, e.value) for e in added] == [
        ("sha256", SHA),
        ("md5", MD5),
        ("pdq", PDQ),
    ]
    assert all(e.evidence is None and e.status == EntryStatus.ACTIVE for e in added)
    # Change numbers: consecutive, for platforms syncing "changes since".
    numbers = [e.change_seq for e in added]
    assert numbers == list(range(numbers[0], numbers[0] + 3))
    records = DecisionRecord.objects.filter(action=Action.HASH_ADD)
    assert sorted(records.values_list("object_id", flat=True)) == sorted(str(e.pk) for e in added)
    again = services.hash_entries_add(
        actor=staff, hash_list=ncii_list, hashes=[services.HashInput(HashType.MD5, MD5)]
    )
    assert again == []
    assert HashEntry.objects.count() == 3


@pytest.mark.parametrize(
    ("hash_type", "value", "message"),
    [
        ("sha256", "ab" * 16, "Line 2: a sha256 hash is 64 hexadecimal digits."),
        ("md5", "zz" * 16, "Line 2: a md5 hash is 32 hexadecimal digits."),
        ("pdq", "0f" * 31, "Line 2: a pdq hash is 64 hexadecimal digits."),
        ("crc32", "abcd1234", "Line 2: unknown hash type 'crc32' (use sha256, md5, pdq)."),
    ],
)
def test_a_bad_hash_refuses_them_all_naming_its_line(ncii_list, staff, hash_type, value, message):
    with pytest.raises(ValidationError) as refused:
        services.hash_entries_add(
            actor=staff,
            hash_list=ncii_list,
            hashes=[services.HashInput("sha256", SHA), services.HashInput(hash_type, value)],
        )
    assert refused.value.messages == [message]
    assert not HashEntry.objects.exists()


def test_a_csv_import_checks_every_row_first(ncii_list, staff):
    text = f"type,hash\nsha256,{SHA}\n\npdq,{PDQ},80\nmd5,{MD5[:-1]}\nmd5\n"
    with pytest.raises(ValidationError) as refused:
        services.hash_entries_import(actor=staff, hash_list=ncii_list, text=text)
    assert refused.value.messages == [
        "Line 5: a md5 hash is 32 hexadecimal digits.",
        "Line 6: expected type,hash[,quality].",
    ]
    assert not HashEntry.objects.exists()
    good = f"type,hash\nsha256,{SHA}\npdq,{PDQ},80\n"
    added = services.hash_entries_import(actor=staff, hash_list=ncii_list, text=good)
    assert [(e.hash_type, e.quality) for e in added] == [("sha256", None), ("pdq", 80)]


def test_an_import_is_bounded(ncii_list, staff, settings):
    settings.HASH_IMPORT_MAX_ROWS = 2
    text = "\n".join(f"sha256,{n:064x}" for n in range(3))
    with pytest.raises(ValidationError, match="At most 2 hashes in one file; this has more"):
        services.hash_entries_import(actor=staff, hash_list=ncii_list, text=text)
    with pytest.raises(ValidationError, match="holds no hashes"):
        services.hash_entries_import(actor=staff, hash_list=ncii_list, text="type,hash\n")


def test_an_order_s_evidence_leaves_its_fingerprints_in_a_list(make_order, staff, ncii_list):
    order = make_order(category="ncii")
    picture = images.shapes(4)
    evidence = evidence_add(order, staff, picture)
    added = services.hash_entries_from_order(actor=staff, hash_list=ncii_list, order=order)
    fingerprint = Fingerprint.objects.get(evidence=evidence)
    assert {(e.hash_type, e.value) for e in added} == {
        ("sha256", evidence.sha256),
        ("md5", fingerprint.md5),
        ("pdq", pdq_of(picture)),
    }
    assert all(e.order == order and e.evidence == evidence for e in added)


def test_an_order_of_another_category_is_refused(make_order, staff, ncii_list):
    order = make_order(category="csam")
    with pytest.raises(ValidationError, match="has no evidence"):
        services.hash_entries_from_order(actor=staff, hash_list=ncii_list, order=order)
    evidence_add(order, staff, images.text(0))
    with pytest.raises(ValidationError, match="holds"):
        services.hash_entries_from_order(actor=staff, hash_list=ncii_list, order=order)


def test_a_withdrawal_is_a_decision_and_a_new_change(ncii_list, staff):
    [entry] = services.hash_entries_add(
        actor=staff, hash_list=ncii_list, hashes=[services.HashInput("pdq", PDQ)]
    )
    with pytest.raises(ValidationError):
        services.hash_entry_withdraw(actor=staff, entry=entry, reason=" ")
    withdrawn = services.hash_entry_withdraw(
        actor=staff, entry=entry, reason="The victim withdrew consent to share it."
    )
    assert withdrawn.status == EntryStatus.WITHDRAWN
    assert withdrawn.change_seq > entry.change_seq
    record = DecisionRecord.objects.get(action=Action.HASH_WITHDRAW)
    assert (record.from_state, record.to_state) == ("active", "withdrawn")


def test_only_officers_with_the_permission_change_lists(ncii_list, auditor, make_platform):
    for actor in (Actor.staff(auditor), Actor.of_platform(make_platform())):
        with pytest.raises(ActionForbidden):
            services.hash_entries_add(
                actor=actor, hash_list=ncii_list, hashes=[services.HashInput("md5", MD5)]
            )
        with pytest.raises(ActionForbidden):
            services.hash_list_restrict(actor=actor, hash_list=ncii_list, platforms=[])
    assert not HashEntry.objects.exists()


def test_restricting_a_list_is_a_decision(ncii_list, staff, make_platform):
    chosen = make_platform()
    restricted = services.hash_list_restrict(actor=staff, hash_list=ncii_list, platforms=[chosen])
    assert restricted.restricted
    assert list(restricted.platforms.all()) == [chosen]
    opened = services.hash_list_restrict(actor=staff, hash_list=ncii_list, platforms=None)
    assert not opened.restricted
    assert not opened.platforms.exists()
    assert DecisionRecord.objects.filter(action=Action.HASH_LIST_RESTRICT).count() == 2


def test_a_video_entry_is_keyed_by_its_frames(ncii_list, staff):
    frames = [PDQ, "f0" * 32]
    [entry] = services.hash_entries_add(
        actor=staff, hash_list=ncii_list, hashes=[services.HashInput("video", "", frames=frames)]
    )
    assert entry.frames == frames
    assert len(entry.value) == 64
    with pytest.raises(ValidationError, match="needs the PDQ hashes of its frames"):
        services.hash_entries_add(
            actor=staff, hash_list=ncii_list, hashes=[services.HashInput("video", "")]
        )


def test_evidence_listed_before_its_fingerprint_catches_up(make_order, staff, ncii_list):
    order = make_order(category="ncii")
    picture = images.text(7)
    evidence = notices.evidence_add(
        order=order,
        actor=staff,
        file=SimpleUploadedFile("a.png", images.png_bytes(picture)),
        captured_at=CAPTURED,
    )
    # Listed while the worker has not run yet: by SHA-256 alone.
    added = services.hash_entries_from_order(actor=staff, hash_list=ncii_list, order=order)
    assert [e.hash_type for e in added] == ["sha256"]
    services.fingerprint_compute(evidence_id=evidence.pk)
    entries = HashEntry.objects.filter(hash_list=ncii_list, evidence=evidence)
    assert sorted(entries.values_list("hash_type", flat=True)) == ["md5", "pdq", "sha256"]
    assert entries.get(hash_type="pdq").value == pdq_of(picture)
    assert set(entries.values_list("order", flat=True)) == {order.pk}


def test_a_video_is_listed_without_its_featureless_frames(make_order, staff, ncii_list, tmp_path):
    black = Image.new("RGB", images.SIZE, "black")
    path = images.video(tmp_path / "clip.mp4", [images.shapes(50), black, images.text(51)])
    order = make_order(category="ncii")
    evidence = notices.evidence_add(
        order=order,
        actor=staff,
        file=SimpleUploadedFile("clip.mp4", path.read_bytes()),
        captured_at=CAPTURED,
    )
    fingerprint = services.fingerprint_compute(evidence_id=evidence.pk)
    assert sorted(quality < 50 for _, quality in fingerprint.frames) == [False, False, True]
    services.hash_entries_from_order(actor=staff, hash_list=ncii_list, order=order)
    video = HashEntry.objects.get(evidence=evidence, hash_type="video")
    assert video.frames == [f for f, quality in fingerprint.frames if quality >= 50]
