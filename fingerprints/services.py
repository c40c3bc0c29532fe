"""Every write to fingerprints and hash lists: one keyword-only function per action, atomic,
recorded in the decision record."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from compliance.kernel.actions import Action
from compliance.kernel.actors import Actor
from compliance.kernel.counters import counter_reserve
from compliance.kernel.decisions import Decision, decision_record_append, decisions_append
from compliance.kernel.errors import ActionForbidden, TransitionNotAllowed, require_reason
from compliance.kernel.transitions import transition_apply
from compliance.policies import citations
from fingerprints import hashing
from fingerprints.index import Codes, hamming, hex_to_codes
from fingerprints.matcher import MATCHER, frame_distance, frame_shares
from fingerprints.models import (
    ALLOW_RADIUS,
    HEX_LENGTH,
    MANAGE,
    MIN_QUALITY,
    PERCEPTUAL,
    AllowedHash,
    EntryStatus,
    Fingerprint,
    HashEntry,
    HashList,
    HashType,
    Match,
    PlatformUsage,
)
from fingerprints.selectors import hash_lists_open
from notices import services as notices
from notices.models import Agency, ContentCategory, Evidence, RemovalOrder
from registry.models import Platform

HEX = re.compile(r"^[0-9a-f]+$")
WATCH = Actor.scheduled_job("hash-list-watch")
FINGERPRINTER = Actor.scheduled_job("fingerprint")


def hash_value_clean(hash_type: str, value: str) -> str:
    """A hash as stored: lower-case hex of the type's length. Raises ValueError saying what is
    wrong."""
    if hash_type not in HEX_LENGTH:
        raise ValueError(f"unknown hash type {hash_type!r} (use {', '.join(HEX_LENGTH)})")
    cleaned = value.strip().lower()
    length = HEX_LENGTH[HashType(hash_type)]
    if len(cleaned) != length or not HEX.match(cleaned):
        raise ValueError(f"a {hash_type} hash is {length} hexadecimal digits")
    return cleaned


def _require_manage(actor: Actor) -> None:
    """Officers with the permission; and operators' commands on the server (a job actor)."""
    if actor.kind != "job":
        actor.require_perm(MANAGE)


def _change_numbers(count: int) -> list[int]:
    """The next `count` change numbers: platforms sync by "changes since N"."""
    first = counter_reserve(name="hash_change", year=0, count=count)
    return list(range(first, first + count))


def _video_value(frames: Sequence[str]) -> str:
    return hashlib.sha256("".join(frames).encode()).hexdigest()


# Fingerprints of evidence.


def fingerprint_compute(*, evidence_id: int) -> Fingerprint:
    """MD5, and PDQ or video frame hashes, of one evidence file (run by a worker after the
    upload commits). A file that cannot be decoded keeps its digests and is recorded as
    failed, with why."""
    evidence = Evidence.objects.get(pk=evidence_id)
    fingerprint, _ = Fingerprint.objects.get_or_create(evidence=evidence)
    found = hashing.file_fingerprints(Path(evidence.file.path), content_type=evidence.content_type)
    if found.sha256 != evidence.sha256:
        raise ValueError(f"evidence {evidence.pk} no longer matches its SHA-256")
    Fingerprint.objects.filter(pk=fingerprint.pk).update(
        status=Fingerprint.Status.FAILED if found.error else Fingerprint.Status.DONE,
        md5=found.md5,
        pdq=found.pdq.hex if found.pdq else "",
        pdq_quality=found.pdq.quality if found.pdq else None,
        frames=[[f.hex, f.quality] for f in found.frames],
        error=found.error[:2000],
        computed_at=timezone.now(),
    )
    fingerprint.refresh_from_db()
    _lists_catch_up(evidence, fingerprint)
    return fingerprint


def _lists_catch_up(evidence: Evidence, fingerprint: Fingerprint) -> None:
    """Evidence put in a list before its fingerprint was computed went in by SHA-256 alone:
    its other hashes join the same lists now."""
    listed = HashEntry.objects.filter(evidence=evidence).values_list("hash_list", "order")
    for list_id, order_id in set(listed):
        hash_entries_add(
            actor=FINGERPRINTER,
            hash_list=HashList.objects.get(pk=list_id),
            hashes=_fingerprint_hashes(evidence, fingerprint),
            evidence=evidence,
            order=RemovalOrder.objects.get(pk=order_id) if order_id else None,
            note="Fingerprint computed after the evidence was listed.",
        )


def _fingerprint_hashes(evidence: Evidence, fingerprint: Fingerprint | None) -> list[HashInput]:
    """SHA-256 always; MD5 once computed (even of a file that could not be decoded); PDQ of
    an image (even of low quality: kept, not matched); a video's frames of enough quality."""
    hashes = [HashInput(HashType.SHA256, evidence.sha256)]
    if fingerprint is not None and fingerprint.md5:
        hashes.append(HashInput(HashType.MD5, fingerprint.md5))
    if fingerprint is not None and fingerprint.pdq:
        hashes.append(HashInput(HashType.PDQ, fingerprint.pdq, quality=fingerprint.pdq_quality))
    # A video's frames of too little structure (black, fades) would match any other video's:
    # left out, as vPDQ does.
    frames = [
        f for f, quality in (fingerprint.frames if fingerprint else []) if quality >= MIN_QUALITY
    ]
    if frames:
        hashes.append(HashInput(HashType.VIDEO, "", frames=frames))
    return hashes


# Hash lists.


def hash_list_create(
    *,
    actor: Actor,
    name: str,
    category: ContentCategory,
    description: str = "",
    pdq_threshold: int = 31,
) -> HashList:
    _require_manage(actor)
    with transaction.atomic():
        hash_list = HashList(
            name=name.strip(),
            category=category,
            description=description,
            pdq_threshold=pdq_threshold,
        )
        hash_list.full_clean()
        hash_list.save()
        decision_record_append(
            actor=actor,
            subject=hash_list,
            action=Action.HASH_LIST_CREATE,
            legal_basis=citations.HASH_LISTS,
            reason=f"Hash list for {category}.",
        )
    return hash_list


def hash_list_restrict(
    *, actor: Actor, hash_list: HashList, platforms: Iterable[Platform] | None
) -> HashList:
    """Open the list to the chosen platforms only (None: to every registered platform)."""
    _require_manage(actor)
    chosen = list(platforms) if platforms is not None else None
    with transaction.atomic():
        locked = HashList.objects.select_for_update().get(pk=hash_list.pk)
        locked.restricted = chosen is not None
        locked.save(update_fields=["restricted"])
        locked.platforms.set(chosen or [])
        decision_record_append(
            actor=actor,
            subject=locked,
            action=Action.HASH_LIST_RESTRICT,
            legal_basis=citations.HASH_LISTS,
            reason=(
                "Open to: " + ", ".join(str(p) for p in chosen)
                if chosen is not None
                else "Open to every registered platform."
            ),
        )
    return locked


@dataclass(frozen=True)
class HashInput:
    hash_type: str
    value: str
    quality: int | None = None
    frames: Sequence[str] = ()
    line: int | None = None


def hash_inputs_check(hashes: Sequence[HashInput]) -> tuple[list[tuple[int, str]], list[HashInput]]:
    """Each hash checked and cleaned: (line, message) errors, and the cleaned hashes (a
    video's value is the digest of its frames). Pure, so imports report every bad row."""
    errors: list[tuple[int, str]] = []
    cleaned: list[HashInput] = []
    for position, given in enumerate(hashes, start=1):
        line = given.line or position
        try:
            if given.hash_type == HashType.VIDEO:
                frames = [hash_value_clean(HashType.PDQ, f) for f in given.frames]
                if not frames:
                    raise ValueError("a video hash needs the PDQ hashes of its frames")
                value = _video_value(frames)
            else:
                frames = []
                value = hash_value_clean(given.hash_type, given.value)
            if given.quality is not None and not 0 <= given.quality <= 100:
                raise ValueError("quality is 0 to 100")
        except ValueError as error:
            errors.append((line, f"Line {line}: {error}."))
            continue
        cleaned.append(HashInput(given.hash_type, value, given.quality, frames, line))
    return errors, cleaned


def hash_entries_add(
    *,
    actor: Actor,
    hash_list: HashList,
    hashes: Sequence[HashInput],
    evidence: Evidence | None = None,
    order: RemovalOrder | None = None,
    note: str = "",
) -> list[HashEntry]:
    """Add hashes to a list, all or none: a bad one is refused with its line, and one already
    in the list is skipped (adding twice changes nothing). Each addition is a decision."""
    _require_manage(actor)
    errors, cleaned = hash_inputs_check(hashes)
    if errors:
        raise ValidationError([message for _, message in errors])
    with transaction.atomic():
        known = set(HashEntry.objects.filter(hash_list=hash_list).values_list("hash_type", "value"))
        fresh: dict[tuple[str, str], HashEntry] = {}
        for given in cleaned:
            if (given.hash_type, given.value) in known:
                continue
            fresh.setdefault(
                (given.hash_type, given.value),
                HashEntry(
                    hash_list=hash_list,
                    hash_type=given.hash_type,
                    value=given.value,
                    quality=given.quality,
                    frames=list(given.frames),
                    evidence=evidence,
                    order=order,
                    submitted_by_label=actor.label,
                    note=note[:300],
                ),
            )
        new = list(fresh.values())
        if not new:
            return []
        for row, number in zip(new, _change_numbers(len(new)), strict=True):
            row.change_seq = number
        created = HashEntry.objects.bulk_create(new, batch_size=2000)
        decisions_append(
            decisions=[
                Decision(
                    actor=actor,
                    subject=entry,
                    action=Action.HASH_ADD,
                    to_state=EntryStatus.ACTIVE,
                    legal_basis=citations.HASH_LISTS,
                    reason=note or f"Added to {hash_list}.",
                    links=[hash_list, *([order] if order else [])],
                )
                for entry in created
            ]
        )
    return created


def hash_entries_import(*, actor: Actor, hash_list: HashList, text: str) -> list[HashEntry]:
    """A CSV of `type,hash` (an optional third column: PDQ quality), a header allowed. Every
    row is checked first; one bad row refuses the file, naming the row."""
    _require_manage(actor)
    limit = settings.HASH_IMPORT_MAX_ROWS
    hashes: list[HashInput] = []
    errors: list[tuple[int, str]] = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if not hashes and not errors and cells[0].lower() == "type":
            continue
        if len(cells) not in (2, 3):
            errors.append((number, f"Line {number}: expected type,hash[,quality]."))
            continue
        quality = None
        if len(cells) == 3 and cells[2]:
            if not cells[2].isdigit():
                errors.append((number, f"Line {number}: quality is a whole number."))
                continue
            quality = int(cells[2])
        hashes.append(HashInput(cells[0].lower(), cells[1], quality=quality, line=number))
        if len(hashes) > limit:
            raise ValidationError(f"At most {limit} hashes in one file; this has more.")
    errors += hash_inputs_check(hashes)[0]
    if not hashes and not errors:
        errors.append((0, "The file holds no hashes."))
    if errors:
        raise ValidationError([message for _, message in sorted(errors)])
    return hash_entries_add(actor=actor, hash_list=hash_list, hashes=hashes, note="CSV import")


def hash_entries_from_order_check(*, order: RemovalOrder, actor: Actor) -> None:
    """Raise unless `actor` may put `order`'s fingerprints in a list now (it has evidence)."""
    _require_manage(actor)
    if not order.evidence.exists():
        raise ValidationError(f"{order} has no evidence to take fingerprints from.")


def hash_entries_from_order(
    *, actor: Actor, hash_list: HashList, order: RemovalOrder
) -> list[HashEntry]:
    """Every fingerprint of an order's evidence into a list (those not computed yet follow
    when they are)."""
    hash_entries_from_order_check(order=order, actor=actor)
    if hash_list.category_id != order.category_id:
        raise ValidationError(
            {"hash_list": f"{hash_list} holds {hash_list.category}, not {order.category}."}
        )
    added: list[HashEntry] = []
    with transaction.atomic():
        for evidence in order.evidence.select_related("fingerprint"):
            added += hash_entries_add(
                actor=actor,
                hash_list=hash_list,
                hashes=_fingerprint_hashes(evidence, getattr(evidence, "fingerprint", None)),
                evidence=evidence,
                order=order,
                note=f"Evidence of {order}.",
            )
    return added


def hash_entry_withdraw(*, actor: Actor, entry: HashEntry, reason: str) -> HashEntry:
    """Taken back (a victim or agency withdrew it, or it was wrong): platforms drop it."""
    require_reason(reason)
    return _entry_move(entry, "withdraw", actor, reason)


def hash_entry_release(*, actor: Actor, entry: HashEntry, reason: str) -> HashEntry:
    """An officer reviewed a quarantined entry and keeps it."""
    require_reason(reason)
    return _entry_move(entry, "release", actor, reason)


def _entry_move(entry: HashEntry, name: str, actor: Actor, reason: str) -> HashEntry:
    def renumber(locked: HashEntry) -> None:
        [locked.change_seq] = _change_numbers(1)

    return transition_apply(
        obj=entry,
        name=name,
        actor=actor,
        legal_basis=citations.HASH_LISTS,
        reason=reason,
        before=renumber,
        links=[entry.hash_list],
    )


def allowed_hash_add(*, actor: Actor, hash_type: str, value: str, reason: str) -> AllowedHash:
    """A hash known to collide with harmless content: never reported as a match again."""
    actor.require_perm(MANAGE)
    assert actor.user is not None
    require_reason(reason)
    try:
        cleaned = hash_value_clean(hash_type, value)
    except ValueError as error:
        raise ValidationError({"value": str(error)}) from None
    with transaction.atomic():
        allowed, _ = AllowedHash.objects.get_or_create(
            hash_type=hash_type,
            value=cleaned,
            defaults={"reason": reason, "added_by": actor.user},
        )
        decision_record_append(
            actor=actor,
            subject=allowed,
            action=Action.HASH_ALLOW,
            legal_basis=citations.HASH_LISTS,
            reason=reason,
        )
    return allowed


# What platforms report about matches.


def match_report_found(*, actor: Actor, public_id: uuid.UUID, url: str) -> RemovalOrder:
    """The platform found the matched content on its service: a draft re-upload order for
    its URL, linked to the order it was removed under (an officer issues it in one step; a
    perceptual match alone is confirmed first)."""
    match = _match_of(actor, public_id)
    with transaction.atomic():
        locked = Match.objects.select_for_update().get(pk=match.pk)
        if locked.status != Match.Status.MATCHED:
            raise TransitionNotAllowed(
                f"This match was already reported ({locked.status}).", current_state=locked.status
            )
        order = reupload_order_open(
            actor=actor, entry=locked.entry, platform=locked.platform, url=url
        )
        locked.status, locked.url, locked.reupload_order = Match.Status.FOUND, url, order
        locked.save(update_fields=["status", "url", "reupload_order"])
        decision_record_append(
            actor=actor,
            subject=locked,
            action=Action.MATCH_FOUND,
            from_state=Match.Status.MATCHED,
            to_state=locked.status,
            legal_basis=citations.HASH_LISTS,
            reason="Found on the platform.",
            links=[order],
        )
    return order


def match_report_false_positive(*, actor: Actor, public_id: uuid.UUID, note: str) -> Match:
    """Not the listed content: counted against the entry, which is quarantined when such
    reports pile up (a hash can be made to collide on purpose)."""
    require_reason(note)
    match = _match_of(actor, public_id)
    with transaction.atomic():
        locked = Match.objects.select_for_update().get(pk=match.pk)
        if locked.status != Match.Status.MATCHED:
            raise TransitionNotAllowed(
                f"This match was already reported ({locked.status}).", current_state=locked.status
            )
        locked.status = Match.Status.FALSE_POSITIVE
        locked.save(update_fields=["status"])
        HashEntry.objects.filter(pk=locked.entry_id).update(
            false_positive_reports=F("false_positive_reports") + 1
        )
        decision_record_append(
            actor=actor,
            subject=locked,
            action=Action.MATCH_FALSE_POSITIVE,
            from_state=Match.Status.MATCHED,
            to_state=locked.status,
            legal_basis=citations.HASH_LISTS,
            reason=note,
        )
        entry_watch(entry_ids=[locked.entry_id], now=timezone.now())
    return locked


def _match_of(actor: Actor, public_id: uuid.UUID) -> Match:
    """A platform reaches only its own matches: another's is simply not found."""
    if actor.kind != "platform" or actor.platform is None:
        raise ActionForbidden("Matches are reported by the platform that made them.")
    return Match.objects.select_related("entry__hash_list").get(
        public_id=public_id, platform=actor.platform
    )


def reupload_order_open(
    *, actor: Actor, entry: HashEntry, platform: Platform, url: str
) -> RemovalOrder:
    """A draft order for content matching `entry` found at `url` on `platform`, by the
    platform's report or an officer's finding."""
    original = entry.order
    agency = original.agency if original else _regulator_agency()
    return notices.order_reupload_draft(
        actor=actor,
        platform=platform,
        category=entry.hash_list.category,
        agency=agency,
        url=url,
        reupload_of=original,
        perceptual=entry.hash_type in PERCEPTUAL,
        # Read by the platform: nothing about the original order, its platform or its URLs.
        description=(
            f"Content already ordered removed, found again: it matches a "
            f"{entry.get_hash_type_display()} hash of the list {entry.hash_list}."
        ),
        evidence=[entry.evidence] if entry.evidence else [],
    )


def _regulator_agency() -> Agency:
    """Who requests an order for a listed hash with no order behind it: the regulator."""
    ministries = Agency.objects.filter(kind=Agency.Kind.MINISTRY, is_active=True)
    agency = ministries.order_by("pk").first()
    if agency is None:
        raise ValidationError("No active ministry agency to request the order.")
    return agency


# Watching for collisions.


def entry_watch(*, entry_ids: Iterable[int] | None = None, now: datetime) -> int:
    """Quarantine entries whose false-positive reports or match rate spiked: not matched until
    an officer reviews them. Run after each false-positive report and by beat."""
    entries = HashEntry.objects.filter(status=EntryStatus.ACTIVE)
    if entry_ids is not None:
        entries = entries.filter(pk__in=list(entry_ids))
    since = now - timedelta(days=1)
    suspicious = []
    for entry in entries.filter(
        false_positive_reports__gte=settings.HASH_FALSE_POSITIVES_TO_QUARANTINE
    ):
        suspicious.append((entry, f"{entry.false_positive_reports} false-positive reports."))
    busy = (
        Match.objects.filter(created_at__gte=since, entry__in=entries)
        .values("entry")
        .annotate(n=Count("pk"))
        .filter(n__gte=settings.HASH_MATCHES_PER_DAY_TO_QUARANTINE)
    )
    for row in busy:
        entry = HashEntry.objects.get(pk=row["entry"])
        suspicious.append((entry, f"{row['n']} matches in a day."))
    done = 0
    for entry, why in suspicious:
        if HashEntry.objects.filter(pk=entry.pk, status=EntryStatus.ACTIVE).exists():
            _entry_move(entry, "quarantine", WATCH, f"Quarantined for review: {why}")
            done += 1
    return done


# Matching, for platforms.


@dataclass(frozen=True)
class HashQuery:
    """One hash a platform asks about. For PDQ, `variants` are the hashes of the image's
    rotations and flips the caller computed (matched as the same image); for a video,
    `frames` are the PDQ hashes of its frames; `quality` is PDQ's, when the caller knows it."""

    hash_type: str
    value: str = ""
    variants: Sequence[str] = ()
    frames: Sequence[str] = ()
    quality: int | None = None


@dataclass(frozen=True)
class ListMatch:
    match_id: uuid.UUID
    hash_list: str
    category: str
    distance: int
    share: float | None = None


@dataclass
class QueryResult:
    matches: list[ListMatch] = field(default_factory=list)
    note: str = ""

    @property
    def matched(self) -> bool:
        return bool(self.matches)


@dataclass
class _Cleaned:
    hash_type: str
    value: str
    codes: list[str]  # PDQ: the hash and its variants; video: its frames
    low_quality: bool


def hash_queries_clean(queries: Sequence[HashQuery]) -> list[_Cleaned]:
    """Every query checked before any is matched: errors name the query by its position."""
    limit = settings.HASH_MATCH_MAX
    errors: dict[str, list[str]] = {}
    cleaned: list[_Cleaned] = []
    total = 0
    for position, query in enumerate(queries):
        try:
            if query.hash_type == HashType.VIDEO:
                frames = [hash_value_clean(HashType.PDQ, f) for f in query.frames]
                if not frames:
                    raise ValueError("a video is matched by the PDQ hashes of its frames")
                if query.variants or query.value:
                    raise ValueError("a video is given by its frames only")
                codes, value = frames, _video_value(frames)
            else:
                value = hash_value_clean(query.hash_type, query.value)
                if query.frames:
                    raise ValueError("only a video has frames")
                if query.variants and query.hash_type != HashType.PDQ:
                    raise ValueError("only a PDQ hash has rotation and flip variants")
                if len(query.variants) > 7:
                    raise ValueError("an image has 7 rotations and flips besides itself")
                variants = [hash_value_clean(HashType.PDQ, v) for v in query.variants]
                codes = [value, *variants] if query.hash_type == HashType.PDQ else []
            if query.quality is not None and not 0 <= query.quality <= 100:
                raise ValueError("quality is 0 to 100")
        except ValueError as error:
            errors[f"hashes.{position}"] = [str(error).capitalize() + "."]
            continue
        total += max(len(codes), 1)
        low = query.quality is not None and query.quality < MIN_QUALITY
        cleaned.append(_Cleaned(query.hash_type, value, codes, low))
    if total > limit:
        errors["hashes"] = [f"At most {limit} hashes a call (a variant or frame counts as one)."]
    if errors:
        raise ValidationError(errors)
    return cleaned


def hashes_match(*, actor: Actor, queries: Sequence[HashQuery]) -> list[QueryResult]:
    """Match a platform's hashes against the lists open to it: exact types exactly, PDQ within
    each list's threshold over the variants given, videos by the share of frames matching both
    ways. Each match is kept under an opaque id the platform can report on; nothing about the
    order, platform or file behind an entry is returned."""
    if actor.kind != "platform" or actor.platform is None:
        raise ActionForbidden("Hashes are matched for platforms, with their key.")
    platform = actor.platform
    cleaned = hash_queries_clean(queries)
    lists = {h.pk: h for h in hash_lists_open(platform=platform)}
    allowed = _allowed(cleaned)
    found: list[dict[int, tuple[int, int, float | None]]] = [{} for _ in cleaned]
    results = [QueryResult() for _ in cleaned]
    for query, result in zip(cleaned, results, strict=True):
        if query.low_quality:
            result.note = f"PDQ quality under {MIN_QUALITY}: not matched."
        elif (query.hash_type, query.value) in allowed:
            result.note = "On the allow list: not matched."
    todo = [i for i, r in enumerate(results) if not r.note]
    _match_exact(cleaned, todo, lists, found)
    if any(cleaned[i].hash_type in PERCEPTUAL for i in todo):
        MATCHER.sync()
        _match_images(cleaned, todo, lists, found, allowed_pdq=_allowed_pdq())
        _match_videos(cleaned, todo, lists, found)
    rows: list[Match] = []
    for i, hits in enumerate(found):
        for list_id, (entry_id, distance, share) in sorted(hits.items()):
            match = Match(
                platform=platform,
                entry_id=entry_id,
                hash_type=cleaned[i].hash_type,
                query=cleaned[i].value,
                distance=distance,
            )
            rows.append(match)
            hash_list = lists[list_id]
            results[i].matches.append(
                ListMatch(match.public_id, hash_list.name, hash_list.category.code, distance, share)
            )
    with transaction.atomic():
        Match.objects.bulk_create(rows, batch_size=1000)
        HashEntry.objects.filter(pk__in={m.entry_id for m in rows}).update(matches=F("matches") + 1)
        usage, _ = PlatformUsage.objects.get_or_create(platform=platform)
        PlatformUsage.objects.filter(pk=usage.pk).update(
            lookups=F("lookups") + len(cleaned),
            matched=F("matched") + sum(1 for r in results if r.matched),
        )
    return results


def _allowed(cleaned: Sequence[_Cleaned]) -> set[tuple[str, str]]:
    values = {q.value for q in cleaned}
    return set(AllowedHash.objects.filter(value__in=values).values_list("hash_type", "value"))


def _allowed_pdq() -> Codes:
    values = AllowedHash.objects.filter(hash_type=HashType.PDQ).values_list("value", flat=True)
    return hex_to_codes(values)


def _keep(
    found: dict[int, tuple[int, int, float | None]],
    list_id: int,
    entry_id: int,
    distance: int,
    share: float | None = None,
) -> None:
    """The nearest entry of each list is the query's match in that list."""
    if list_id not in found or distance < found[list_id][1]:
        found[list_id] = (entry_id, distance, share)


def _match_exact(
    cleaned: Sequence[_Cleaned],
    todo: Sequence[int],
    lists: dict[int, HashList],
    found: list[dict[int, tuple[int, int, float | None]]],
) -> None:
    wanted: dict[tuple[str, str], list[int]] = {}
    for i in todo:
        if cleaned[i].hash_type not in PERCEPTUAL:
            wanted.setdefault((cleaned[i].hash_type, cleaned[i].value), []).append(i)
    for hash_type in {t for t, _ in wanted}:
        values = [v for t, v in wanted if t == hash_type]
        entries = HashEntry.objects.filter(
            status=EntryStatus.ACTIVE, hash_list_id__in=lists, hash_type=hash_type, value__in=values
        ).values_list("pk", "hash_list_id", "value")
        for pk, list_id, value in entries:
            for i in wanted[(hash_type, value)]:
                _keep(found[i], list_id, pk, 0)


def _match_images(
    cleaned: Sequence[_Cleaned],
    todo: Sequence[int],
    lists: dict[int, HashList],
    found: list[dict[int, tuple[int, int, float | None]]],
    *,
    allowed_pdq: Codes,
) -> None:
    nearest: dict[int, dict[int, int]] = {}  # query -> entry -> distance over its variants
    owners: list[int] = []
    batch: list[Codes] = []
    for i in todo:
        if cleaned[i].hash_type != HashType.PDQ:
            continue
        codes = hex_to_codes(cleaned[i].codes)
        if len(allowed_pdq) and (hamming(allowed_pdq, codes[:1]) <= ALLOW_RADIUS).any():
            continue
        owners += [i] * len(codes)
        batch.append(codes)
    if not batch:
        return
    # One pass over the index for every hash and variant of the call.
    for owner, hits in zip(owners, MATCHER.search_images(np.concatenate(batch)), strict=True):
        best = nearest.setdefault(owner, {})
        for hit in hits:
            best[hit.key] = min(best.get(hit.key, hit.distance), hit.distance)
    keys = {key for best in nearest.values() for key in best}
    # The index may be a second behind: the database says what is matched now.
    live = dict(
        HashEntry.objects.filter(
            pk__in=keys, status=EntryStatus.ACTIVE, hash_list_id__in=lists
        ).values_list("pk", "hash_list_id")
    )
    for i, best in nearest.items():
        for key, distance in best.items():
            list_id = live.get(key)
            if list_id is not None and distance <= lists[list_id].pdq_threshold:
                _keep(found[i], list_id, key, distance)


def _match_videos(
    cleaned: Sequence[_Cleaned],
    todo: Sequence[int],
    lists: dict[int, HashList],
    found: list[dict[int, tuple[int, int, float | None]]],
) -> None:
    videos = [i for i in todo if cleaned[i].hash_type == HashType.VIDEO]
    if not videos:
        return
    frames = [hex_to_codes(cleaned[i].codes) for i in videos]
    owners = [i for i, codes in zip(videos, frames, strict=True) for _ in range(len(codes))]
    candidates: dict[int, set[int]] = {i: set() for i in videos}
    for owner, hits in zip(owners, MATCHER.search_frames(np.concatenate(frames)), strict=True):
        candidates[owner].update(hit.key for hit in hits)
    keys = set().union(*candidates.values())
    entries = {
        pk: (list_id, frames)
        for pk, list_id, frames in HashEntry.objects.filter(
            pk__in=keys, status=EntryStatus.ACTIVE, hash_list_id__in=lists
        ).values_list("pk", "hash_list_id", "frames")
    }
    for i, keys_of_query in candidates.items():
        query = hex_to_codes(cleaned[i].codes)
        for key in keys_of_query & entries.keys():
            list_id, frames = entries[key]
            hash_list = lists[list_id]
            ours, theirs = frame_shares(query, hex_to_codes(frames), hash_list.pdq_threshold)
            share = min(ours, theirs)
            if share >= float(hash_list.video_share):
                distance = frame_distance(query, hex_to_codes(frames))
                _keep(found[i], list_id, key, distance, round(share, 3))


def hash_sync_record(*, actor: Actor) -> None:
    """The platform downloaded its lists' changes: when, shown to the regulator."""
    if actor.kind != "platform" or actor.platform is None:
        raise ActionForbidden("Lists are downloaded by platforms, with their key.")
    PlatformUsage.objects.update_or_create(
        platform=actor.platform, defaults={"last_synced_at": timezone.now()}
    )
