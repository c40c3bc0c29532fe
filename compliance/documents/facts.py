"""What a letter states, read from the documents it points to as they were issued.

Each kind has a builder; a builder that needs a value its document lacks raises, and the
renderer records that failure on the letter instead of sending a letter with a hole in it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils.translation import gettext as _

from compliance.kernel.models import OfficialLetter
from compliance.policies import citations
from compliance.sanctions.models import (
    APPROVE,
    AccessBlock,
    Fine,
    NormalizationRequest,
    PeriodicPenalty,
    WarningLetter,
)
from notices.models import RemovalOrder
from registry.models import Platform

Kind = OfficialLetter.Kind


class LetterIncomplete(ValueError):
    """The letter's documents lack a value the letter must state."""


@dataclass(frozen=True)
class Item:
    url: str
    amount: Decimal | None = None


@dataclass(frozen=True)
class Facts:
    number: str
    kind: str
    issued_at: datetime
    code: str
    addressee: str
    # The addressee's registration details; for a block order, the platform copied in.
    addressee_detail: str
    reference: str
    legal_basis: str
    signatory: str
    signatory_is_supervisor: bool
    items: list[Item] = field(default_factory=list)
    deadline: datetime | None = None
    amount: Decimal | None = None
    currency: str = "IDR"
    # Kind-specific values the text quotes (level, outcome, reason, conditions, ...).
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def verify_url(self) -> str:
        return f"{settings.PUBLIC_URL}/verify/?number={self.number}&code={self.code}"


def required(value: Any, name: str) -> Any:
    if value is None or value == "":
        raise LetterIncomplete(f"the letter needs {name}, which its document lacks")
    return value


def _detail(platform: Platform) -> str:
    number = platform.registration_number or "-"
    return f"{platform.legal_name} ({number})"


def _signatory(letter: OfficialLetter) -> tuple[str, bool]:
    user: User | None = letter.signatory
    if user is None:
        return settings.LETTER_SIGNATORY, False
    return user.get_full_name() or user.get_username(), user.has_perm(APPROVE)


def _base(letter: OfficialLetter, **values: Any) -> Facts:
    signatory, supervisor = _signatory(letter)
    platform = letter.platform
    values.setdefault("addressee", platform.name)
    values.setdefault("addressee_detail", _detail(platform))
    return Facts(
        number=letter.number,
        kind=letter.kind,
        issued_at=letter.issued_at,
        code=letter.code,
        signatory=signatory,
        signatory_is_supervisor=supervisor,
        **values,
    )


def _outstanding(order: RemovalOrder, at: datetime) -> list[Item]:
    """The order's items still up at `at` (not yet actioned then)."""
    items = order.items.filter(Q(actioned_at__isnull=True) | Q(actioned_at__gt=at))
    return [Item(url=url) for url in items.values_list("url", flat=True)]


def order_notice(letter: OfficialLetter, order: RemovalOrder) -> Facts:
    return _base(
        letter,
        reference=order.reference,
        legal_basis=required(order.legal_basis, "the order's legal basis"),
        items=[Item(url=url) for url in order.items.values_list("url", flat=True)],
        deadline=required(order.due_at, "the order's deadline"),
        details={"category": order.category.name, "urgent": order.urgent},
    )


def warning(letter: OfficialLetter, warning: WarningLetter) -> Facts:
    order = warning.order
    fine: Fine | None = Fine.objects.filter(letter=warning).first()
    penalty = PeriodicPenalty.objects.filter(letter=warning).first()
    computation = fine.computation if fine and not fine.item_amounts else ""
    return _base(
        letter,
        reference=order.reference,
        legal_basis=required(warning.legal_basis, "the rung's legal basis"),
        items=_outstanding(order, warning.issued_at),
        deadline=warning.response_due_at,
        amount=fine.amount if fine else penalty.daily_amount if penalty else None,
        currency=fine.currency if fine else penalty.currency if penalty else "IDR",
        details={
            "level": warning.level,
            "count": warning.items_outstanding,
            "fine": fine.number if fine else "",
            "fine_due": fine.due_at if fine else None,
            # A penalty a day, accruing until compliance (its total is fined later).
            "penalty": bool(penalty and not fine),
            # A fine not charged per item says how it was worked out.
            "computation": penalty.computation if penalty and not fine else computation,
        },
    )


def fine_assessment(letter: OfficialLetter, fine: Fine) -> Facts:
    urls = dict(fine.order.items.values_list("pk", "url"))
    items = [
        Item(url=urls[int(pk)], amount=Decimal(amount))
        for pk, amount in sorted(fine.item_amounts.items(), key=lambda pair: int(pair[0]))
    ]
    return _base(
        letter,
        reference=fine.order.reference,
        # A fine worked out by another rule than MR5's per item cites its rung's rule.
        legal_basis=citations.FINE if items else fine.letter.legal_basis,
        items=items,
        deadline=fine.due_at,
        amount=required(fine.amount, "the fine's amount"),
        currency=fine.currency,
        # A fine not charged per item (a fixed amount, a share of turnover) says how it was
        # worked out instead of listing items.
        details={
            "fine": fine.number,
            "count": len(items),
            "computation": "" if items else fine.computation,
        },
    )


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _domains(block: AccessBlock) -> list[Item]:
    chosen = list(block.domains.values_list("domain", flat=True))
    if not chosen:
        chosen = list(block.platform.domains.values_list("domain", flat=True))
    return [Item(url=domain) for domain in sorted(chosen)]


def block_order(letter: OfficialLetter, block: AccessBlock) -> Facts:
    return _base(
        letter,
        addressee=_("Internet access service providers"),
        addressee_detail=letter.platform.name,
        reference=block.number,
        legal_basis=block.legal_basis or citations.ACCESS_BLOCK,
        items=_domains(block),
        details={
            "platform": letter.platform.name,
            "since": required(block.in_force_at, "the block's start"),
            "reason": block.reason,
        },
    )


def block_lifting(letter: OfficialLetter, block: AccessBlock) -> Facts:
    return _base(
        letter,
        reference=block.number,
        legal_basis=letter.facts.get("legal_basis") or citations.NORMALIZATION,
        items=_domains(block),
        details={
            "platform": letter.platform.name,
            "lifted": required(block.lifted_at, "the time the block was lifted"),
            "reason": required(letter.facts.get("reason"), "the reason for lifting"),
            "conditions": letter.facts.get("conditions", []),
            "verify_until": _moment(letter.facts.get("verify_until")),
        },
    )


def normalization_decision(letter: OfficialLetter, request: NormalizationRequest) -> Facts:
    return _base(
        letter,
        reference=request.block.number,
        legal_basis=citations.NORMALIZATION,
        details={
            "granted": request.status == NormalizationRequest.Status.GRANTED,
            "reason": required(request.decision_reason, "the decision's reason"),
            "conditions": [c["text"] for c in request.conditions],
            "verify_until": request.verify_until,
        },
    )


def registration_decision(letter: OfficialLetter, platform: Platform) -> Facts:
    approved = letter.facts.get("outcome") == "approved"
    return _base(
        letter,
        reference=platform.registration_number or platform.name,
        legal_basis=citations.REGISTRATION,
        details={
            "approved": approved,
            "registration": required(platform.registration_number, "the registration number")
            if approved
            else "",
            "reason": letter.facts.get("reason", "")
            if approved
            else required(letter.facts.get("reason"), "the reason for rejecting"),
        },
    )


BUILDERS: dict[str, Callable[[OfficialLetter, Any], Facts]] = {
    Kind.ORDER_NOTICE: order_notice,
    Kind.WARNING: warning,
    Kind.FINE: fine_assessment,
    Kind.BLOCK_ORDER: block_order,
    Kind.BLOCK_LIFTING: block_lifting,
    Kind.NORMALIZATION: normalization_decision,
    Kind.REGISTRATION: registration_decision,
}


def letter_facts(*, letter: OfficialLetter) -> Facts:
    source = letter.source
    if source is None:
        raise LetterIncomplete(f"the {letter.content_type} the letter states no longer exists")
    return BUILDERS[letter.kind](letter, source)
