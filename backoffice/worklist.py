"""The admin's first page: what needs the signed-in person today, each a count that links to
the list it counts (the same filter, so the list shows exactly those)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.db.models import Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.models import DataRequest, Referral, TakedownRequest
from assessments.models import MitigationMeasure, RiskAssessment
from compliance.delivery.models import Notification
from compliance.kernel.formats import moment_text
from compliance.kernel.models import OfficialLetter
from compliance.sanctions.models import (
    AccessBlock,
    BlockStatus,
    Fine,
    FineStatus,
    NormalizationRequest,
    RegistrationSanction,
    SanctionRelease,
)
from notices.models import CLOCK_STATES, Objection, RemovalOrder
from registry.models import Platform, RegistrationChange

APPROVE = "compliance.approve_sanction"


@dataclass(frozen=True)
class Entry:
    label: str
    count: int
    url: str
    note: str = ""


def _link(name: str, **query: object) -> str:
    values = {k: ",".join(v) if isinstance(v, list | tuple) else str(v) for k, v in query.items()}
    return reverse(f"admin:{name}_changelist") + "?" + urlencode(values)


def _when(moment: datetime) -> str:
    return moment.isoformat()


def _running(**lookups: object) -> QuerySet[RemovalOrder]:
    return RemovalOrder.objects.filter(
        status__in=CLOCK_STATES, clock_paused_at__isnull=True, **lookups
    )


def worklist(*, user: User, now: datetime | None = None) -> list[Entry]:
    """The counts for `user`'s role: deadlines for everyone on staff; proposals awaiting a
    decision only for those who may decide them, and never their own."""
    now = now or timezone.now()
    running = [str(s) for s in CLOCK_STATES]
    entries = []
    for hours in (4, 24):
        until = now + timedelta(hours=hours)
        entries.append(
            Entry(
                ngettext(
                    "Orders due within %(hours)d hour", "Orders due within %(hours)d hours", hours
                )
                % {"hours": hours},
                _running(due_at__gt=now, due_at__lte=until).count(),
                _link(
                    "notices_removalorder",
                    status__in=running,
                    clock_paused_at__isnull="True",
                    due_at__gt=_when(now),
                    due_at__lte=_when(until),
                ),
            )
        )
    entries.append(
        Entry(
            _("Overdue orders (the next sweep takes them up)"),
            _running(due_at__lte=now).count(),
            _link(
                "notices_removalorder",
                status__in=running,
                clock_paused_at__isnull="True",
                due_at__lte=_when(now),
            ),
        )
    )
    if user.has_perm(APPROVE):
        entries += _awaiting(user)
    entries.append(
        Entry(
            _("Open objections"),
            Objection.objects.filter(status=Objection.Status.OPEN).count(),
            _link("notices_objection", status__exact=Objection.Status.OPEN),
        )
    )
    declared = Fine.objects.filter(
        payment_declared_at__isnull=False, status__in=[FineStatus.ASSESSED, FineStatus.OVERDUE]
    )
    entries.append(
        Entry(
            _("Declared payments to confirm"),
            declared.count(),
            _link(
                "compliance_fine",
                payment_declared_at__isnull="False",
                status__in=[FineStatus.ASSESSED, FineStatus.OVERDUE],
            ),
        )
    )
    requested = NormalizationRequest.objects.filter(status=NormalizationRequest.Status.REQUESTED)
    first = requested.aggregate(first=Min("decide_by"))["first"]
    entries.append(
        Entry(
            _("Normalization requests to decide"),
            requested.count(),
            _link("compliance_normalizationrequest", status__exact="requested"),
            _("first to decide by %(moment)s") % {"moment": moment_text(first)} if first else "",
        )
    )
    entries.append(
        Entry(
            _("Letters that could not be delivered"),
            Notification.objects.filter(status=Notification.Status.FAILED).count(),
            _link("compliance_notification", status__exact=Notification.Status.FAILED),
        )
    )
    entries.append(
        Entry(
            _("Letters that could not be rendered"),
            OfficialLetter.objects.filter(status=OfficialLetter.Status.FAILED).count(),
            _link("compliance_officialletter", status__exact=OfficialLetter.Status.FAILED),
        )
    )
    entries.append(
        Entry(
            _("Takedown requests from agencies to triage"),
            TakedownRequest.objects.filter(status=TakedownRequest.Status.SUBMITTED).count(),
            _link("agencies_takedownrequest", status__exact="submitted"),
        )
    )
    open_data = DataRequest.objects.filter(status=DataRequest.Status.OPEN)
    entries.append(
        Entry(
            _("Data-access requests unanswered past their deadline"),
            open_data.filter(answer_by__lte=now).count(),
            _link("agencies_datarequest", status__exact="open", answer_by__lte=_when(now)),
        )
    )
    entries.append(
        Entry(
            _("Data-access requests referred for a sanction decision"),
            open_data.filter(referred_to_supervisor_at__isnull=False).count(),
            _link(
                "agencies_datarequest",
                status__exact="open",
                referred_to_supervisor_at__isnull="False",
            ),
        )
    )
    entries.append(
        Entry(
            _("Risk assessments to review"),
            RiskAssessment.objects.filter(status=RiskAssessment.Status.SUBMITTED).count(),
            _link("assessments_riskassessment", status__exact="submitted"),
        )
    )
    entries.append(
        Entry(
            _("Risk assessments referred for a sanction decision"),
            RiskAssessment.objects.filter(
                status=RiskAssessment.Status.AWAITING, referred_to_supervisor_at__isnull=False
            ).count(),
            _link(
                "assessments_riskassessment",
                status__exact="awaiting",
                referred_to_supervisor_at__isnull="False",
            ),
        )
    )
    entries.append(
        Entry(
            _("Mitigation measures not reported on in time"),
            MitigationMeasure.objects.filter(status=MitigationMeasure.Status.OVERDUE).count(),
            _link("assessments_mitigationmeasure", status__exact="overdue"),
        )
    )
    late = Referral.objects.filter(status=Referral.Status.REFERRED, acknowledge_by__lte=now)
    entries.append(
        Entry(
            _("Referrals agencies have not acknowledged in time"),
            late.count(),
            _link("agencies_referral", status__exact="referred", acknowledge_by__lte=_when(now)),
        )
    )
    entries.append(
        Entry(
            _("Registration changes to review"),
            RegistrationChange.objects.filter(status=RegistrationChange.Status.SUBMITTED).count(),
            _link("registry_registrationchange", status__exact="submitted"),
        )
    )
    entries.append(
        Entry(
            _("Platforms whose registration fault clock runs"),
            Platform.objects.filter(fault_due_at__isnull=False).count(),
            _link("registry_platform", fault_due_at__isnull="False"),
        )
    )
    return entries


def _awaiting(user: User) -> list[Entry]:
    """Proposals a supervisor may decide: made by someone else (four-eyes)."""
    not_mine = ~Q(proposed_by=user)
    return [
        Entry(
            _("Access blocks awaiting my approval"),
            AccessBlock.objects.filter(not_mine, status=BlockStatus.PROPOSED).count(),
            _link("compliance_accessblock", status__exact=BlockStatus.PROPOSED),
        ),
        Entry(
            _("Fines awaiting approval"),
            Fine.objects.filter(status=FineStatus.PROPOSED).count(),
            _link("compliance_fine", status__exact=FineStatus.PROPOSED),
        ),
        Entry(
            _("Suspensions and revocations awaiting my approval"),
            RegistrationSanction.objects.filter(
                not_mine, status=RegistrationSanction.Status.PROPOSED
            ).count(),
            _link("compliance_registrationsanction", status__exact="proposed"),
        ),
        Entry(
            _("Liftings and waivers awaiting my approval"),
            SanctionRelease.objects.filter(not_mine, status="proposed").count(),
            _link("compliance_sanctionrelease", status__exact="proposed"),
        ),
    ]
