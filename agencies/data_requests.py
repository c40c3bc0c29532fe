"""Data-access requests (MR5 Art. 21-46): an authorised agency or the regulator asks a
platform for data; the platform answers with files or objects, within the policy's days.

A request for content or specific personal data carries a court order. The answer's files are
kept with their SHA-256 and read only by the requester and auditors; each read is a decision.
Unanswered past its deadline, a request climbs the policy's ladder for data requests (kept on
the request when it was made), run by the same sweep as orders.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import DataRequest, DataRequestFile
from compliance.delivery.webhooks import webhook_enqueue
from compliance.kernel.actions import Action
from compliance.kernel.actors import Actor
from compliance.kernel.decisions import decision_record_append
from compliance.kernel.errors import ActionForbidden, TransitionNotAllowed, require_reason
from compliance.policies import citations
from compliance.policies.calendar import Calendar
from compliance.policies.selectors import calendar_current
from compliance.policies.services import policy_default
from compliance.policies.terms import referral_rung_next, referral_rung_text
from compliance.sweep.writer import SWEEP
from notices import filetypes
from notices.models import Agency
from registry.models import Platform

REQUEST = "agencies.add_datarequest"
AUDIT = "agencies.view_dataanswer"
# MR5 Art. 21(2) and 27: supervising ministries and agencies, law enforcement, and courts.
REQUESTERS = {Agency.Kind.MINISTRY, Agency.Kind.LAW_ENFORCEMENT, Agency.Kind.COURT}
COURT_ORDER_KINDS = {DataRequest.Kind.CONTENT, DataRequest.Kind.PERSONAL}
# Django's cap on files in one request (DATA_UPLOAD_MAX_NUMBER_FILES): more go in a ZIP.
MAX_FILES = 5
Sniffer = Callable[[bytes], tuple[str, str] | None]


def answer_type(head: bytes) -> tuple[str, str] | None:
    """What an answer file is, from its first bytes: an evidence type, a ZIP archive, or UTF-8
    text (CSV or JSON exports); anything else is refused."""
    known = filetypes.sniff(head[:16])
    if known is not None:
        return known
    if head.startswith(b"PK\x03\x04"):
        return "application/zip", ".zip"
    if not head or b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 3:  # not merely a character cut at the end of the head
            return None
        text = head[: error.start].decode("utf-8")
    if text.lstrip()[:1] in ("{", "["):
        return "application/json", ".json"
    return "text/plain", ".txt"


def court_order_type(head: bytes) -> tuple[str, str] | None:
    known = filetypes.sniff(head[:16])
    if known and (known[0] == "application/pdf" or known[0].startswith("image/")):
        return known
    return None


@dataclass(frozen=True)
class Checked:
    """A file that passed its checks, not stored yet."""

    file: File
    size: int
    content_type: str
    extension: str
    sha256: str


def _checked(file: File, *, field: str, kind_of: Sniffer, allowed: str) -> Checked:
    """A file's size and type checked (the type read from its bytes) and its SHA-256; nothing
    is written, so a refusal of any file of a request leaves nothing behind."""
    limit = settings.DATA_ANSWER_MAX_BYTES
    size = file.size or 0
    if size == 0:
        raise ValidationError({field: _("%(name)s is empty.") % {"name": file.name}})
    if size > limit:
        raise ValidationError(
            {
                field: _("%(name)s is %(size)s bytes; the limit is %(limit)s.")
                % {"name": file.name, "size": size, "limit": limit}
            }
        )
    file.seek(0)
    kind = kind_of(file.read(4096))
    if kind is None:
        raise ValidationError(
            {
                field: _("%(name)s is not an allowed type (%(allowed)s).")
                % {"name": file.name, "allowed": allowed}
            }
        )
    return Checked(file, size, kind[0], kind[1], filetypes.file_sha256(file))


def _stored(checked: Checked, *, folder: str) -> str:
    """Keep a checked file content-addressed under `folder` (identical bytes stored once)."""
    return filetypes.content_addressed_save(
        checked.file, folder=folder, sha256=checked.sha256, extension=checked.extension
    )


ANSWER_TYPES = "PDF, images, video, ZIP, CSV or JSON text"
COURT_ORDER_TYPES = "PDF or an image of it"


def data_request_create(
    *,
    actor: Actor,
    platform: Platform,
    kind: str,
    legal_basis: str,
    description: str,
    agency: Agency | None = None,
    court_order: File | None = None,
) -> DataRequest:
    """Ask `platform` for data. An agency asks for itself, if its kind may (Art. 21, 27);
    staff ask for the regulator (no agency). Content and specific personal data need a court
    order. The platform is told by webhook; its deadline is the policy's days from now."""
    if actor.kind == "agency":
        if agency is None or actor.agency_id != agency.pk:
            raise ActionForbidden("An agency requests data only in its own name.")
        if agency.kind not in REQUESTERS:
            raise ActionForbidden(
                _("%(agency)s is not authorised to request data from platforms (MR5 Art. 21).")
                % {"agency": agency}
            )
    else:
        actor.require_perm(REQUEST)
        if agency is not None:
            raise ActionForbidden("Staff request data for the regulator; agencies ask themselves.")
    errors: dict[str, list[str]] = {}
    if kind not in DataRequest.Kind.values:
        errors["kind"] = [_("One of %(kinds)s.") % {"kinds": ", ".join(DataRequest.Kind.values)}]
    if not legal_basis.strip() or len(legal_basis) > 300:
        errors["legal_basis"] = [_("Cite the rule the request rests on (300 characters).")]
    if not description.strip() or len(description) > 5000:
        errors["description"] = [_("Say what data, of whom and for which period (5000 chars).")]
    if kind in COURT_ORDER_KINDS and court_order is None:
        errors["court_order"] = [
            _("A request for content or specific personal data needs the court order attached.")
        ]
    order_checked = None
    if court_order is not None:
        try:
            order_checked = _checked(
                court_order,
                field="court_order",
                kind_of=court_order_type,
                allowed=COURT_ORDER_TYPES,
            )
        except ValidationError as refused:
            errors |= refused.message_dict
    if errors:
        raise ValidationError(errors)
    policy = platform.escalation_policy or policy_default()
    now = timezone.now()
    with transaction.atomic():
        Platform.objects.select_for_update().get(pk=platform.pk)  # one request at a time
        if DataRequest.objects.filter(
            platform=platform,
            agency=agency,
            kind=kind,
            description=description.strip(),
            status=DataRequest.Status.OPEN,
        ).exists():
            raise TransitionNotAllowed(
                _("The same request to %(platform)s is open already.") % {"platform": platform},
                current_state=DataRequest.Status.OPEN,
            )
        stored, sha256 = "", ""
        if order_checked is not None:
            stored = _stored(order_checked, folder="data-requests/court-orders")
            sha256 = order_checked.sha256
        answer_by = now + timedelta(days=policy.data_request_days)
        request = DataRequest.objects.create(
            platform=platform,
            agency=agency,
            requested_by_label=actor.label,
            kind=kind,
            legal_basis=legal_basis.strip(),
            description=description.strip(),
            court_order=stored,
            court_order_sha256=sha256,
            requested_at=now,
            answer_by=answer_by,
            due_at=answer_by,
            ladder=policy.data_request_ladder,
        )
        decision_record_append(
            actor=actor,
            subject=request,
            action=Action.DATA_REQUEST_CREATE,
            to_state=request.status,
            legal_basis=request.legal_basis,
            reason=f"{request.get_kind_display()} requested from {platform}, to be answered by "
            f"{timezone.localtime(answer_by):%Y-%m-%d %H:%M %Z}"
            + (f"; court order SHA-256 {sha256}." if sha256 else "."),
            links=[platform, *([agency] if agency else [])],
        )
        webhook_enqueue(
            platform=platform,
            event="data_request.received",
            data={
                "id": request.pk,
                "kind": request.kind,
                "answer_by": answer_by,
                "court_order": bool(sha256),
            },
        )
    return request


def _locked_for_platform(request: DataRequest, actor: Actor) -> DataRequest:
    locked = DataRequest.objects.select_for_update().get(pk=request.pk)
    if actor.kind != "platform" or actor.platform is None:
        raise ActionForbidden("Only the platform asked answers a data request.")
    actor.require_for_platform(locked.platform_id, "")
    if locked.status != DataRequest.Status.OPEN:
        raise TransitionNotAllowed(
            _("This request is %(status)s already.") % {"status": locked.get_status_display()},
            current_state=locked.status,
        )
    return locked


def data_request_answer(
    *, request: DataRequest, actor: Actor, files: Sequence[File], note: str = ""
) -> DataRequest:
    """The platform's answer: up to 5 files, together within the size limit, each of an
    allowed type; any bad file refuses them all. After `answer_by` it is answered late, and
    stays so in the record."""
    if not files:
        raise ValidationError({"files": [_("Attach the data (at least one file).")]})
    if len(files) > MAX_FILES:
        raise ValidationError({"files": [_("At most %(n)d files.") % {"n": MAX_FILES}]})
    total, limit = sum(f.size or 0 for f in files), settings.DATA_ANSWER_MAX_BYTES
    if total > limit:
        raise ValidationError(
            {
                "files": [
                    _("The files are %(size)s bytes together; the limit is %(limit)s.")
                    % {"size": total, "limit": limit}
                ]
            }
        )
    if len(note) > 5000:
        raise ValidationError({"note": [_("At most 5000 characters.")]})
    checked = [
        _checked(file, field=f"files.{index}", kind_of=answer_type, allowed=ANSWER_TYPES)
        for index, file in enumerate(files)
    ]
    now = timezone.now()
    with transaction.atomic():
        locked = _locked_for_platform(request, actor)
        kept = [
            DataRequestFile(
                request=locked,
                file=_stored(one, folder="data-requests/answers"),
                name=(one.file.name or "answer")[-200:],
                sha256=one.sha256,
                size=one.size,
                content_type=one.content_type,
                uploaded_at=now,
            )
            for one in checked
        ]
        DataRequestFile.objects.bulk_create(kept)
        locked.status = DataRequest.Status.ANSWERED
        locked.answered_at = now
        locked.answer_note = note.strip()
        locked.due_at = None
        locked.save(update_fields=["status", "answered_at", "answer_note", "due_at"])
        late = " (late)" if locked.answered_late else ""
        decision_record_append(
            actor=actor,
            subject=locked,
            action=Action.DATA_REQUEST_ANSWER,
            from_state=DataRequest.Status.OPEN,
            to_state=locked.status,
            legal_basis=citations.DATA_ACCESS,
            reason=f"Answered{late} with {len(kept)} file(s): "
            + ", ".join(f"{f.name} SHA-256 {f.sha256}" for f in kept),
        )
    return locked


def data_request_object(*, request: DataRequest, actor: Actor, reason: str) -> DataRequest:
    """The platform objects, with its reasons (no such data, no valid basis, ...); the
    requester reads them and may ask again."""
    require_reason(reason)
    if len(reason) > 5000:
        raise ValidationError({"reason": [_("At most 5000 characters.")]})
    with transaction.atomic():
        locked = _locked_for_platform(request, actor)
        locked.status = DataRequest.Status.OBJECTED
        locked.objection = reason.strip()
        locked.answered_at = timezone.now()
        locked.due_at = None
        locked.save(update_fields=["status", "objection", "answered_at", "due_at"])
        decision_record_append(
            actor=actor,
            subject=locked,
            action=Action.DATA_REQUEST_OBJECT,
            from_state=DataRequest.Status.OPEN,
            to_state=locked.status,
            legal_basis=citations.DATA_ACCESS,
            reason=locked.objection,
        )
    return locked


def data_file_read(*, file: DataRequestFile, actor: Actor) -> DataRequestFile:
    """Open an answer file for `actor`: the requesting agency, staff for the regulator's own
    requests, or an auditor. The read is recorded before the bytes are served."""
    request = file.request
    if request.agency_id is not None:
        allowed = actor.kind == "agency" and actor.agency_id == request.agency_id
    else:
        allowed = actor.has_perm(REQUEST)
    if not (allowed or actor.has_perm(AUDIT)):
        raise ActionForbidden("Only the requester and auditors read a data request's answer.")
    decision_record_append(
        actor=actor,
        subject=request,
        action=Action.DATA_REQUEST_FILE_READ,
        from_state=request.status,
        to_state=request.status,
        legal_basis=citations.DATA_ACCESS,
        reason=f"Read {file.name} (SHA-256 {file.sha256}).",
    )
    return file


def data_requests_sweep(*, now: datetime) -> int:
    """Requests unanswered past their clock take the next rung of their ladder: a warning
    (the platform is told, the clock restarts), or at the end, a supervisor's referral for
    sanctions (on the worklist; the clock stops)."""
    calendar = calendar_current()
    count = 0
    while True:
        with transaction.atomic():
            due = list(
                DataRequest.objects.select_for_update(skip_locked=True)
                .filter(status=DataRequest.Status.OPEN, due_at__lte=now)
                .select_related("platform")
                .order_by("due_at")[:500]
            )
            for request in due:
                _escalate(request, now=now, calendar=calendar)
            count += len(due)
        if not due:
            return count


def data_requests_due(*, now: datetime) -> list[str]:
    """What `data_requests_sweep(now=now)` would do, one line a request (nothing written)."""
    lines = []
    for request in (
        DataRequest.objects.filter(status=DataRequest.Status.OPEN, due_at__lte=now)
        .select_related("platform")
        .order_by("due_at")
    ):
        then = referral_rung_text(request.ladder, level=request.escalation_level)
        lines.append(f"{request} to {request.platform}: {then}")
    return lines


def _escalate(request: DataRequest, *, now: datetime, calendar: Calendar) -> None:
    level = request.escalation_level
    step = referral_rung_next(request.ladder, level=level, now=now, calendar=calendar)
    rung, due_at = step.rung, step.due_at
    if rung is None:
        DataRequest.objects.filter(pk=request.pk).update(due_at=None)
        return
    if step.refers:
        DataRequest.objects.filter(pk=request.pk).update(
            due_at=None, escalation_level=level + 1, referred_to_supervisor_at=now
        )
        decision_record_append(
            actor=SWEEP,
            subject=request,
            action=Action.DATA_REQUEST_REFER,
            from_state=request.status,
            to_state=request.status,
            legal_basis=rung.legal_basis or citations.DATA_ACCESS,
            reason="Still unanswered after the warnings: a supervisor decides on sanctions.",
        )
        return
    assert due_at is not None  # a warning's new deadline
    DataRequest.objects.filter(pk=request.pk).update(due_at=due_at, escalation_level=level + 1)
    decision_record_append(
        actor=SWEEP,
        subject=request,
        action=Action.DATA_REQUEST_WARN,
        from_state=request.status,
        to_state=request.status,
        legal_basis=rung.legal_basis or citations.DATA_ACCESS,
        reason=f"Unanswered past {timezone.localtime(request.answer_by):%Y-%m-%d %H:%M %Z}: "
        f"warning {level + 1}; answer by {timezone.localtime(due_at):%Y-%m-%d %H:%M %Z}.",
    )
    webhook_enqueue(
        platform=request.platform,
        event="data_request.warned",
        data={"id": request.pk, "warning": level + 1, "answer_by": due_at},
    )
