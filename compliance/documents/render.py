"""The worker that renders issued letters: claims each due letter, builds its PDF, stores it
with its SHA-256, appends that hash to the decision record, and releases the e-mail that
carries it. A letter that cannot be rendered (a missing value, a layout error) keeps its
error and is retried with backoff, then given up and listed on the officers' work list; its
e-mail is never sent without it."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.delivery import letters
from compliance.delivery.email import TASK as EMAIL_TASK
from compliance.delivery.email import backoff, notification_enqueue
from compliance.delivery.queue import delivery_wake, rows_claimed
from compliance.documents.facts import Facts, letter_facts
from compliance.documents.pdf import letter_pdf
from compliance.documents.text import letter_text
from compliance.kernel.actions import Action
from compliance.kernel.actors import Actor
from compliance.kernel.decisions import decision_record_append
from compliance.kernel.errors import TransitionNotAllowed
from compliance.kernel.letters import RENDER_TASK
from compliance.kernel.models import OfficialLetter
from compliance.kernel.tasks import wake_after_commit

RENDERER = Actor.scheduled_job("letters")
CLAIM_FOR = timedelta(minutes=5)
MAX_ATTEMPTS = 8  # 1 min doubling: about two hours of retries
RETRY = "compliance.change_officialletter"
Status = OfficialLetter.Status


def letters_due(*, now: datetime) -> QuerySet[OfficialLetter]:
    return OfficialLetter.objects.filter(
        Q(status=Status.PENDING) | Q(status=Status.RENDERING, claimed_until__lt=now),
        next_attempt_at__lte=now,
    )


def letters_render(*, now: datetime | None = None, limit: int = 100) -> int:
    """Render the letters that are due; returns how many were rendered. Safe to run in
    several workers at once (each letter is claimed by one)."""
    now = now or timezone.now()
    rendered = 0
    for pk in rows_claimed(
        lambda: letters_due(now=now),
        now=now,
        hold_for=CLAIM_FOR,
        limit=limit,
        status=Status.RENDERING,
    ):
        rendered += letter_render(letter=OfficialLetter.objects.get(pk=pk), now=now)
    return rendered


def letter_render(*, letter: OfficialLetter, now: datetime | None = None) -> bool:
    """Render one claimed letter; True if it was stored."""
    now = now or timezone.now()
    try:
        facts = letter_facts(letter=letter)
        pdf = letter_pdf(facts)
    except Exception as error:
        _failed(letter, f"{type(error).__name__}: {error}", now=now)
        return False
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        locked = OfficialLetter.objects.select_for_update().get(pk=letter.pk)
        if locked.status != Status.RENDERING:
            return False  # another worker finished it after our claim expired
        locked.file.save(f"{locked.number}.pdf", ContentFile(pdf), save=False)
        locked.sha256, locked.size, locked.rendered_at = digest, len(pdf), now
        locked.status, locked.claimed_until, locked.last_error = Status.RENDERED, None, ""
        locked.save()
        decision_record_append(
            actor=RENDERER,
            subject=locked,
            action=Action.LETTER_RENDER,
            from_state=Status.RENDERING,
            to_state=Status.RENDERED,
            reason=f"Rendered to PDF ({len(pdf)} bytes), SHA-256 {digest}.",
            links=[locked.platform],
        )
        if not locked.notifications.exists():
            _cover_letter(locked, facts)
        delivery_wake(task=EMAIL_TASK)
    return True


def _cover_letter(letter: OfficialLetter, facts: Facts) -> None:
    """The e-mail of a letter its service did not write one for: a line in each language
    saying it is attached (from the facts the PDF was made of, not read again)."""
    subject, body = letters.letter_cover_text(
        number=letter.number, subjects=lambda: letter_text(facts).subject
    )
    notification_enqueue(
        event="letter.issued", platform=letter.platform, subject=subject, body=body, letter=letter
    )


def _failed(letter: OfficialLetter, error: str, *, now: datetime) -> None:
    attempts = letter.attempts + 1
    give_up = attempts >= MAX_ATTEMPTS
    with transaction.atomic():
        updated = OfficialLetter.objects.filter(pk=letter.pk, status=Status.RENDERING).update(
            attempts=attempts,
            last_error=error[:2000],
            status=Status.FAILED if give_up else Status.PENDING,
            next_attempt_at=now + backoff(attempts),
            claimed_until=None,
        )
        if updated and give_up:
            decision_record_append(
                actor=RENDERER,
                subject=letter,
                action=Action.LETTER_RENDER_FAIL,
                from_state=Status.RENDERING,
                to_state=Status.FAILED,
                reason=f"Not rendered after {attempts} attempts: {error}"[:2000],
                links=[letter.platform],
            )


def letter_render_retry(*, letter: OfficialLetter, actor: Actor) -> OfficialLetter:
    """Put a letter that was given up back in the queue (after its cause, a missing font or
    value, was mended); a letter rendered once is never rendered again."""
    actor.require_perm(RETRY)
    with transaction.atomic():
        locked = OfficialLetter.objects.select_for_update().get(pk=letter.pk)
        if locked.status != Status.FAILED:
            raise TransitionNotAllowed(
                _("Letter %(number)s is not a failed letter; only those are rendered again.")
                % {"number": locked.number},
                current_state=locked.status,
            )
        locked.status, locked.attempts = Status.PENDING, 0
        locked.next_attempt_at = timezone.now()
        locked.save(update_fields=["status", "attempts", "next_attempt_at"])
        decision_record_append(
            actor=actor,
            subject=locked,
            action=Action.LETTER_RENDER_RETRY,
            from_state=Status.FAILED,
            to_state=Status.PENDING,
            reason=f"Rendered again after: {locked.last_error}"[:2000],
            links=[locked.platform],
        )
        wake_after_commit(RENDER_TASK)
    return locked
