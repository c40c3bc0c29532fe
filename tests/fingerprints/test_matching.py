"""Matching for platforms: exact types exactly, PDQ within each list's threshold over the
turns the caller sends, videos by shared frames; withdrawals, quarantine and the allow list
take effect; a platform learns nothing of whose content matched."""

from dataclasses import asdict

import numpy as np
import pytest
from django.core.exceptions import ValidationError

from compliance.kernel.actors import Actor
from compliance.kernel.errors import ActionForbidden
from fingerprints import hashing, services
from fingerprints.matcher import MATCHER
from fingerprints.models import HashEntry, HashList, Match, PlatformUsage
from notices.models import ContentCategory
from tests.fingerprints.conftest import pdq_of
from tests.support import images

SHA = "ab" * 32
MD5 = "cd" * 16


def flipped(value: str, bits: int) -> str:
    """`value` with its first `bits` bits flipped: exactly that distance away."""
    array = np.unpackbits(np.frombuffer(bytes.fromhex(value), dtype=np.uint8))
    array[:bits] ^= 1
    return np.packbits(array).tobytes().hex()


def add(actor, hash_list, *hashes):
    return services.hash_entries_add(actor=actor, hash_list=hash_list, hashes=list(hashes))


def match(platform_actor, *queries):
    return services.hashes_match(actor=platform_actor, queries=list(queries))


def test_exact_types_match_exactly(ncii_list, staff, platform_actor):
    add(staff, ncii_list, services.HashInput("sha256", SHA), services.HashInput("md5", MD5))
    results = match(
        platform_actor,
        services.HashQuery("sha256", SHA.upper()),
        services.HashQuery("md5", MD5),
        services.HashQuery("md5", "ce" * 16),
    )
    assert [r.matched for r in results] == [True, True, False]
    [found] = results[0].matches
    assert (found.hash_list, found.category, found.distance) == ("NCII", "ncii", 0)
    # What the platform learns: a list, a category, a distance and an opaque id. Nothing of
    # the order, its platform, URLs or files.
    assert set(asdict(found)) == {"match_id", "hash_list", "category", "distance", "share"}
    stored = Match.objects.get(public_id=found.match_id)
    assert stored.platform == platform_actor.platform
    assert stored.query == SHA
    usage = PlatformUsage.objects.get(platform=platform_actor.platform)
    assert (usage.lookups, usage.matched) == (3, 2)


@pytest.mark.parametrize("edit", sorted(images.SURVIVED))
def test_an_edited_image_matches_its_listed_original(ncii_list, staff, platform_actor, edit):
    original = images.shapes(3)
    add(staff, ncii_list, services.HashInput("pdq", pdq_of(original)))
    edited = images.SURVIVED[edit](original)
    turns = [h.hex for h in hashing.image_pdq_dihedral(edited)]
    [result] = match(platform_actor, services.HashQuery("pdq", turns[0], variants=turns[1:]))
    assert result.matched
    assert result.matches[0].distance <= 31


def test_unrelated_images_do_not_match(ncii_list, staff, platform_actor):
    add(staff, ncii_list, *[services.HashInput("pdq", pdq_of(images.shapes(s))) for s in range(4)])
    queries = [services.HashQuery("pdq", pdq_of(images.text(s))) for s in range(4)]
    assert not any(r.matched for r in match(platform_actor, *queries))


def test_each_list_matches_within_its_own_threshold(staff, platform_actor):
    category = ContentCategory.objects.get(code="ncii")
    wide = services.hash_list_create(actor=staff, name="wide", category=category)
    narrow = services.hash_list_create(
        actor=staff, name="narrow", category=category, pdq_threshold=8
    )
    base = pdq_of(images.text(5))
    add(staff, wide, services.HashInput("pdq", base))
    add(staff, narrow, services.HashInput("pdq", base))
    results = match(
        platform_actor,
        *[services.HashQuery("pdq", flipped(base, bits)) for bits in (8, 9, 31, 32)],
    )
    assert [sorted(m.hash_list for m in r.matches) for r in results] == [
        ["narrow", "wide"],
        ["wide"],
        ["wide"],
        [],
    ]
    assert results[2].matches[0].distance == 31


def test_low_quality_hashes_are_kept_but_not_matched(ncii_list, staff, platform_actor):
    base = pdq_of(images.shapes(6))
    add(staff, ncii_list, services.HashInput("pdq", base, quality=30))
    [result] = match(platform_actor, services.HashQuery("pdq", base))
    assert not result.matched
    other = pdq_of(images.shapes(7))
    add(staff, ncii_list, services.HashInput("pdq", other, quality=90))
    [result] = match(platform_actor, services.HashQuery("pdq", other, quality=20))
    assert not result.matched
    assert result.note == "PDQ quality under 50: not matched."


def test_withdrawal_and_quarantine_take_effect(ncii_list, staff, platform_actor):
    base = pdq_of(images.shapes(8))
    [entry] = add(staff, ncii_list, services.HashInput("pdq", base))
    [sha] = add(staff, ncii_list, services.HashInput("sha256", SHA))
    query = services.HashQuery("pdq", flipped(base, 3))
    assert match(platform_actor, query)[0].matched
    services.hash_entry_withdraw(actor=staff, entry=entry, reason="Withdrawn by the agency.")
    services.hash_entry_withdraw(actor=staff, entry=sha, reason="Withdrawn by the agency.")
    assert not match(platform_actor, query)[0].matched
    assert not match(platform_actor, services.HashQuery("sha256", SHA))[0].matched

    [suspect] = add(staff, ncii_list, services.HashInput("pdq", pdq_of(images.text(9))))
    quarantined = services._entry_move(suspect, "quarantine", services.WATCH, "Spiked.")
    assert not match(platform_actor, services.HashQuery("pdq", suspect.value))[0].matched
    services.hash_entry_release(actor=staff, entry=quarantined, reason="Reviewed: a true match.")
    assert match(platform_actor, services.HashQuery("pdq", suspect.value))[0].matched


def test_the_allow_list_suppresses_known_false_positives(ncii_list, staff, platform_actor):
    listed = pdq_of(images.text(3))
    add(staff, ncii_list, services.HashInput("pdq", listed))
    collision = flipped(listed, 20)  # as a crafted collision would sit
    assert match(platform_actor, services.HashQuery("pdq", collision))[0].matched
    services.allowed_hash_add(
        actor=staff, hash_type="pdq", value=collision, reason="A meme that collides."
    )
    # The harmless image as it was reported, and re-encoded (a few bits off): not matched.
    for query in (collision, flipped(collision, 4)):
        [result] = match(platform_actor, services.HashQuery("pdq", query))
        assert not result.matched
    # The listed content itself still matches.
    assert match(platform_actor, services.HashQuery("pdq", listed))[0].matched


def test_a_restricted_list_matches_only_for_its_platforms(ncii_list, staff, make_platform):
    add(staff, ncii_list, services.HashInput("sha256", SHA))
    chosen, other = make_platform(), make_platform()
    services.hash_list_restrict(actor=staff, hash_list=ncii_list, platforms=[chosen])
    query = services.HashQuery("sha256", SHA)
    assert match(Actor.of_platform(chosen), query)[0].matched
    assert not match(Actor.of_platform(other), query)[0].matched


def test_a_video_matches_by_the_share_of_frames_both_ways(ncii_list, staff, platform_actor):
    scenes = [pdq_of(images.shapes(20 + n)) for n in range(6)]
    add(staff, ncii_list, services.HashInput("video", "", frames=scenes))
    # Re-encoded (a few bits off each frame), the whole clip: matches.
    whole = [flipped(f, 6) for f in scenes]
    # A clip of 3 of its 6 scenes plus 3 unrelated ones: half each way, at the 0.5 threshold.
    half = [flipped(f, 4) for f in scenes[:3]] + [pdq_of(images.text(n)) for n in range(3)]
    # Two of its scenes inside a long unrelated video: too small a share.
    little = [scenes[0], scenes[1]] + [pdq_of(images.text(n)) for n in range(3, 9)]
    results = match(
        platform_actor,
        services.HashQuery("video", frames=whole),
        services.HashQuery("video", frames=half),
        services.HashQuery("video", frames=little),
    )
    assert [r.matched for r in results] == [True, True, False]
    assert results[0].matches[0].share == 1.0
    assert results[0].matches[0].distance == 6
    assert results[1].matches[0].share == 0.5


def test_bad_queries_are_refused_before_any_is_matched(platform_actor, settings):
    settings.HASH_MATCH_MAX = 10
    with pytest.raises(ValidationError) as refused:
        match(
            platform_actor,
            services.HashQuery("md5", SHA),
            services.HashQuery("pdq", "ab" * 32, variants=["ab" * 32] * 8),
            services.HashQuery("video"),
            services.HashQuery("sha256", SHA, variants=["ab" * 32]),
            services.HashQuery("pdq", "ab" * 32, quality=101),
        )
    assert refused.value.message_dict == {
        "hashes.0": ["A md5 hash is 32 hexadecimal digits."],
        "hashes.1": ["An image has 7 rotations and flips besides itself."],
        "hashes.2": ["A video is matched by the pdq hashes of its frames."],
        "hashes.3": ["Only a pdq hash has rotation and flip variants."],
        "hashes.4": ["Quality is 0 to 100."],
    }
    with pytest.raises(ValidationError, match="At most 10 hashes a call"):
        match(platform_actor, *[services.HashQuery("pdq", "ab" * 32, variants=["cd" * 32] * 5)] * 2)
    assert not Match.objects.exists()
    assert not PlatformUsage.objects.exists()


def test_only_platforms_match(staff):
    with pytest.raises(ActionForbidden):
        services.hashes_match(actor=staff, queries=[services.HashQuery("md5", MD5)])


def test_the_index_follows_changes_without_reloading(ncii_list, staff, platform_actor, settings):
    settings.HASH_INDEX_SYNC_SECONDS = 60
    first = pdq_of(images.shapes(30))
    add(staff, ncii_list, services.HashInput("pdq", first))
    MATCHER.sync(force=True)
    assert match(platform_actor, services.HashQuery("pdq", first))[0].matched
    loaded = MATCHER.images
    later = pdq_of(images.shapes(31))
    add(staff, ncii_list, services.HashInput("pdq", later))
    # Within the interval a serving process may lag, it has not looked for changes yet...
    assert not match(platform_actor, services.HashQuery("pdq", later))[0].matched
    # ...and once the interval has passed (its clock moved on, not slept), it has.
    MATCHER.synced_at -= settings.HASH_INDEX_SYNC_SECONDS + 1
    assert match(platform_actor, services.HashQuery("pdq", later))[0].matched
    assert MATCHER.images is loaded  # applied as a change, not a reload
    assert MATCHER.seen_seq == HashEntry.objects.order_by("change_seq").last().change_seq


def test_another_category_s_list_names_its_category(staff, platform_actor):
    csam = services.hash_list_create(
        actor=staff, name="CSAM (hashes only)", category=ContentCategory.objects.get(code="csam")
    )
    add(staff, csam, services.HashInput("md5", MD5))
    [result] = match(platform_actor, services.HashQuery("md5", MD5))
    assert [(m.hash_list, m.category) for m in result.matches] == [("CSAM (hashes only)", "csam")]
    assert HashList.objects.count() == 1
