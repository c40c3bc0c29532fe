"""What an agency reads of its requests: each URL's platform and the order that carries it,
with the order's and the item's state; nothing of other agencies (an order another agency
asked for is named by its reference only)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from statistics import median
from typing import Any, ClassVar

from django.db.models import QuerySet

from agencies.models import DataRequest, Referral, TakedownRequest
from notices.models import Agency


def takedown_requests_of(*, agency_id: int) -> QuerySet[TakedownRequest]:
    return (
        TakedownRequest.objects.filter(agency_id=agency_id)
        .select_related("category")
        .prefetch_related("items__platform", "items__order_item__order", "hashes__order")
    )


def takedown_row(request: TakedownRequest) -> dict[str, Any]:
    items = []
    for item in request.items.all():
        order_item = item.order_item
        items.append(
            {
                "url": item.url,
                "platform": item.platform.name if item.platform else None,
                "already_ordered": item.already_ordered,
                "order": order_item.order.reference if order_item else None,
                "order_status": order_item.order.status if order_item else None,
                "item_status": order_item.status if order_item else None,
            }
        )
    hashes = [
        {
            "hash_type": kept.hash_type,
            "value": kept.value,
            "evidence_file": bool(kept.file),
            "already_ordered": kept.already_ordered,
            "order": kept.order.reference if kept.order else None,
            "order_status": kept.order.status if kept.order else None,
        }
        for kept in request.hashes.all()
    ]
    return {
        "id": request.pk,
        "status": request.status,
        "category": request.category.code,
        "legal_basis": request.legal_basis,
        "description": request.description,
        "submitted_at": request.submitted_at,
        "triaged_at": request.triaged_at,
        "decline_reason": request.decline_reason,
        "items": items,
        "hashes": hashes,
    }


def referrals_of(*, agency_id: int) -> QuerySet[Referral]:
    return (
        Referral.objects.filter(agency_id=agency_id)
        .select_related("order__platform", "order__category")
        .prefetch_related("order__items")
    )


def referral_row(referral: Referral, *, now: datetime) -> dict[str, Any]:
    order = referral.order
    return {
        "id": referral.pk,
        "status": referral.status,
        "order": order.reference,
        "platform": order.platform.name,
        "category": order.category.code,
        "urls": [item.url for item in order.items.all()],
        "reason": referral.reason,
        "referred_at": referral.referred_at,
        "acknowledge_by": referral.acknowledge_by,
        "acknowledged_at": referral.acknowledged_at,
        "acknowledged_late": referral.acknowledged_late(now),
        "outcome": referral.outcome,
        "outcome_at": referral.outcome_at,
    }


def _data_requests() -> QuerySet[DataRequest]:
    return DataRequest.objects.select_related("platform", "agency").prefetch_related("files")


def data_requests_of(*, agency_id: int) -> QuerySet[DataRequest]:
    """The data-access requests an agency made."""
    return _data_requests().filter(agency_id=agency_id)


def data_requests_to(*, platform_id: int) -> QuerySet[DataRequest]:
    """The data-access requests addressed to a platform."""
    return _data_requests().filter(platform_id=platform_id)


def data_request_row(request: DataRequest) -> dict[str, Any]:
    """A request as its requester or its platform reads it (only the requester downloads the
    answer's files)."""
    return {
        "id": request.pk,
        "platform": request.platform.name,
        "requester": request.agency.name if request.agency else "The regulator",
        "kind": request.kind,
        "legal_basis": request.legal_basis,
        "description": request.description,
        "court_order_sha256": request.court_order_sha256 or None,
        "status": request.status,
        "requested_at": request.requested_at,
        "answer_by": request.answer_by,
        "warnings": request.escalation_level - bool(request.referred_to_supervisor_at),
        "referred_to_supervisor": request.referred_to_supervisor_at is not None,
        "answered_at": request.answered_at,
        "answered_late": request.answered_late,
        "answer_note": request.answer_note,
        "objection": request.objection,
        "files": [
            {
                "id": f.pk,
                "name": f.name,
                "sha256": f.sha256,
                "size": f.size,
                "content_type": f.content_type,
                "uploaded_at": f.uploaded_at,
            }
            for f in request.files.all()
        ],
    }


@dataclass(frozen=True)
class CooperationRow:
    """One agency's cooperation in a period: its takedown requests (made in the period) and
    how triage answered them, the cases referred to it, and its data-access requests."""

    agency: str
    kind: str
    requests_made: int
    accepted: int
    merged: int
    declined: int
    waiting: int
    median_hours_to_triage: Decimal | None
    referrals_received: int
    acknowledged_on_time: int
    acknowledged_late: int
    data_requests_made: int
    data_requests_answered_on_time: int

    COLUMNS: ClassVar[tuple[str, ...]] = (
        "agency",
        "kind",
        "requests_made",
        "accepted",
        "merged",
        "declined",
        "waiting",
        "median_hours_to_triage",
        "referrals_received",
        "acknowledged_on_time",
        "acknowledged_late",
        "data_requests_made",
        "data_requests_answered_on_time",
    )

    def values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.COLUMNS)


def _median_hours(spans: list[timedelta]) -> Decimal | None:
    if not spans:
        return None
    hours = median(span.total_seconds() / 3600 for span in spans)
    return Decimal(str(hours)).quantize(Decimal("0.1"))


def cooperation_report(*, start: datetime, end: datetime, now: datetime) -> list[CooperationRow]:
    """Every agency's figures for what happened in [start, end): requests by when they were
    made, referrals by when they were referred (one not acknowledged by its deadline, as of
    `now`, is late), data-access requests by when they were made."""
    requests: dict[int, list[TakedownRequest]] = defaultdict(list)
    for request in TakedownRequest.objects.filter(submitted_at__gte=start, submitted_at__lt=end):
        requests[request.agency_id].append(request)
    referrals: dict[int, list[Referral]] = defaultdict(list)
    for referral in Referral.objects.filter(referred_at__gte=start, referred_at__lt=end):
        referrals[referral.agency_id].append(referral)
    data: dict[int, list[DataRequest]] = defaultdict(list)
    for data_request in DataRequest.objects.filter(
        requested_at__gte=start, requested_at__lt=end, agency__isnull=False
    ):
        assert data_request.agency_id is not None
        data[data_request.agency_id].append(data_request)
    rows = []
    for agency in Agency.objects.order_by("name"):
        made = requests[agency.pk]
        statuses = [r.status for r in made]
        received = referrals[agency.pk]
        late = sum(r.acknowledged_late(now) for r in received)
        on_time = sum(
            r.acknowledged_at is not None and not r.acknowledged_late(now) for r in received
        )
        asked = data[agency.pk]
        rows.append(
            CooperationRow(
                agency=agency.name,
                kind=agency.kind,
                requests_made=len(made),
                accepted=statuses.count(TakedownRequest.Status.ACCEPTED),
                merged=statuses.count(TakedownRequest.Status.MERGED),
                declined=statuses.count(TakedownRequest.Status.DECLINED),
                waiting=statuses.count(TakedownRequest.Status.SUBMITTED),
                median_hours_to_triage=_median_hours(
                    [r.triaged_at - r.submitted_at for r in made if r.triaged_at is not None]
                ),
                referrals_received=len(received),
                acknowledged_on_time=on_time,
                acknowledged_late=late,
                data_requests_made=len(asked),
                data_requests_answered_on_time=sum(
                    a.status == DataRequest.Status.ANSWERED and not a.answered_late for a in asked
                ),
            )
        )
    return rows
