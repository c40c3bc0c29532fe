"""A letter's words in the active language (`translation.override` picks it).

Every sentence is a whole translatable string with named values, so a translator sees the
sentence and may reorder it; amounts and times are formatted for the language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from compliance.documents.facts import Facts, Kind
from compliance.kernel.formats import moment_text, money_text


@dataclass(frozen=True)
class LetterText:
    title: str
    subject: str
    paragraphs: list[str]
    items_heading: str = ""


def letter_text(facts: Facts) -> LetterText:
    return WRITERS[facts.kind](facts)


def _order_notice(f: Facts) -> LetterText:
    subject = _("Removal order %(reference)s") % {"reference": f.reference}
    if f.details["urgent"]:
        subject = _("%(subject)s (urgent)") % {"subject": subject}
    return LetterText(
        title=_("Removal order"),
        subject=subject,
        paragraphs=[
            _(
                "Under %(legal_basis)s, you are ordered to remove or block access to the "
                "content listed below (%(category)s) and to report each item as actioned "
                "through the portal by %(deadline)s."
            )
            % {
                "legal_basis": f.legal_basis,
                "category": f.details["category"],
                "deadline": moment_text(f.deadline),
            }
        ],
        items_heading=_("Content to remove"),
    )


def _warning(f: Facts) -> LetterText:
    d = f.details
    values = {
        "reference": f.reference,
        "level": d["level"],
        "count": d["count"],
        "legal_basis": f.legal_basis,
        "deadline": moment_text(f.deadline),
    }
    paragraphs = [
        ngettext(
            "The deadline of removal order %(reference)s has passed with %(count)s item still "
            "accessible.",
            "The deadline of removal order %(reference)s has passed with %(count)s items still "
            "accessible.",
            d["count"],
        )
        % values,
        _(
            "Under %(legal_basis)s, this is written warning %(level)s. Remove the content "
            "listed below by %(deadline)s."
        )
        % values,
    ]
    if d["fine"]:
        paragraphs.append(
            _(
                "An administrative fine %(fine)s of %(amount)s is assessed, payable by "
                "%(due)s. Late removal does not cancel it."
            )
            % {
                "fine": d["fine"],
                "amount": money_text(f.amount, f.currency),
                "due": moment_text(d["fine_due"]),
            }
        )
    if d.get("penalty"):
        paragraphs.append(
            _(
                "A periodic penalty of %(amount)s accrues for each day begun until the content "
                "is removed; its total is assessed as a fine once the order is complied with."
            )
            % {"amount": money_text(f.amount, f.currency)}
        )
    if d.get("computation"):
        paragraphs.append(
            _("The amount is worked out as follows: %(computation)s.")
            % {"computation": d["computation"]}
        )
    return LetterText(
        title=_("Written warning %(level)s") % values,
        subject=_("Warning letter %(level)s on removal order %(reference)s") % values,
        paragraphs=paragraphs,
        items_heading=_("Content still accessible"),
    )


def _fine(f: Facts) -> LetterText:
    values = {
        "fine": f.details["fine"],
        "reference": f.reference,
        "count": f.details["count"],
        "legal_basis": f.legal_basis,
        "amount": money_text(f.amount, f.currency),
        "deadline": moment_text(f.deadline),
    }
    if f.details.get("computation"):
        values["computation"] = f.details["computation"]
        return LetterText(
            title=_("Administrative fine"),
            subject=_("Administrative fine %(fine)s on removal order %(reference)s") % values,
            paragraphs=[
                _(
                    "Under %(legal_basis)s, an administrative fine of %(amount)s is assessed "
                    "because the content of removal order %(reference)s stayed accessible "
                    "after its deadline."
                )
                % values,
                _("The amount is worked out as follows: %(computation)s.") % values,
                _("Pay it by %(deadline)s, quoting the fine number %(fine)s.") % values,
            ],
            items_heading="",
        )
    return LetterText(
        title=_("Administrative fine"),
        subject=_("Administrative fine %(fine)s on removal order %(reference)s") % values,
        paragraphs=[
            ngettext(
                "Under %(legal_basis)s, an administrative fine of %(amount)s is assessed for "
                "%(count)s item of removal order %(reference)s that stayed accessible after "
                "its deadline.",
                "Under %(legal_basis)s, an administrative fine of %(amount)s is assessed for "
                "%(count)s items of removal order %(reference)s that stayed accessible after "
                "its deadline.",
                values["count"],
            )
            % values,
            _("Pay it by %(deadline)s, quoting the fine number %(fine)s.") % values,
        ],
        items_heading=_("Items and amounts"),
    )


def _block_order(f: Facts) -> LetterText:
    values = {
        "platform": f.details["platform"],
        "block": f.reference,
        "legal_basis": f.legal_basis,
        "since": moment_text(f.details["since"]),
    }
    return LetterText(
        title=_("Access block order"),
        subject=_("Order to block access to %(platform)s (%(block)s)") % values,
        paragraphs=[
            _(
                "Under %(legal_basis)s, internet access service providers shall block access "
                "to the electronic system %(platform)s at the domains listed below from "
                "%(since)s, until a letter lifting block %(block)s is issued."
            )
            % values,
            _("Grounds: %(reason)s") % {"reason": f.details["reason"]},
        ],
        items_heading=_("Domains to block"),
    )


def _conditions(f: Facts) -> list[str]:
    conditions = f.details["conditions"]
    if not conditions or not f.details["verify_until"]:
        return []
    intro = _(
        "Access is restored on these conditions, verified until %(until)s; a breach brings "
        "the block back:"
    ) % {"until": moment_text(f.details["verify_until"], with_time=False)}
    return [intro, *(f"({n}) {text}" for n, text in enumerate(conditions, start=1))]


def _block_lifting(f: Facts) -> LetterText:
    values = {
        "platform": f.details["platform"],
        "block": f.reference,
        "legal_basis": f.legal_basis,
        "lifted": moment_text(f.details["lifted"]),
        "reason": f.details["reason"],
    }
    return LetterText(
        title=_("Lifting of an access block"),
        subject=_("Access block %(block)s on %(platform)s lifted") % values,
        paragraphs=[
            _(
                "Under %(legal_basis)s, access block %(block)s on %(platform)s is lifted from "
                "%(lifted)s: %(reason)s. Internet access service providers shall restore "
                "access to the domains listed below."
            )
            % values,
            *_conditions(f),
        ],
        items_heading=_("Domains to restore"),
    )


def _normalization(f: Facts) -> LetterText:
    values = {"block": f.reference, "reason": f.details["reason"]}
    if f.details["granted"]:
        paragraphs = [
            _("Your request to normalize access block %(block)s is granted: %(reason)s") % values,
            *_conditions(f),
        ]
    else:
        paragraphs = [
            _(
                "Your request to normalize access block %(block)s is refused: %(reason)s. You "
                "may request normalization again once the grounds are remedied."
            )
            % values
        ]
    return LetterText(
        title=_("Normalization decision"),
        subject=_("Decision on normalizing access block %(block)s") % values,
        paragraphs=paragraphs,
    )


def _registration(f: Facts) -> LetterText:
    values = {
        "platform": f.addressee,
        "registration": f.details["registration"],
        "reason": f.details["reason"],
        "legal_basis": f.legal_basis,
    }
    if f.details["approved"]:
        paragraph = _(
            "Under %(legal_basis)s, %(platform)s is registered as an electronic system "
            "operator with registration number %(registration)s."
        )
    else:
        paragraph = _(
            "Under %(legal_basis)s, the registration application of %(platform)s is "
            "rejected: %(reason)s"
        )
    return LetterText(
        title=_("Registration decision"),
        subject=_("Registration of %(platform)s") % values,
        paragraphs=[paragraph % values],
    )


WRITERS: dict[str, Callable[[Facts], LetterText]] = {
    Kind.ORDER_NOTICE: _order_notice,
    Kind.WARNING: _warning,
    Kind.FINE: _fine,
    Kind.BLOCK_ORDER: _block_order,
    Kind.BLOCK_LIFTING: _block_lifting,
    Kind.NORMALIZATION: _normalization,
    Kind.REGISTRATION: _registration,
}
