"""The MR5 default policy's terms, defined once: what migration 0004 created (its frozen copy
is tested equal to this) and what a fresh policy starts from."""

from __future__ import annotations

from typing import Any

NAME = "MR5 (Indonesia)"
DESCRIPTION = (
    "Ministerial Regulation 5/2020 as amended by 10/2021: 24 h notice, 4 h when urgent "
    "(Art. 14(3)); three letters one period apart with fines from the second for UGC platforms "
    "(Art. 15(10)-(11)); then an access block (Art. 15(12))."
)
# Each rung cites the rule it applies (its letter and decision record carry the citation).
LADDER: list[dict[str, Any]] = [
    {
        "action": "warning",
        "period_hours": 24,
        "urgent_period_hours": 4,
        "legal_basis": "MR5 Art. 15(11) and 16(12) (first warning letter)",
    },
    {
        "action": "warning_fine",
        "period_hours": 24,
        "urgent_period_hours": 4,
        "fine_per_item": "100000000",
        "legal_basis": "MR5 Art. 15(10)-(11) (second warning letter, administrative fine)",
    },
    {
        "action": "warning_fine",
        "period_hours": 24,
        "urgent_period_hours": 4,
        "fine_per_item": "200000000",
        "legal_basis": "MR5 Art. 15(10)-(11) (third warning letter, administrative fine)",
    },
    {
        "action": "block_proposal",
        "period_hours": 24,
        "urgent_period_hours": 4,
        "legal_basis": "MR5 Art. 15(12), 16(13), 18-19 (access termination)",
    },
]
# Data-access requests (Art. 21-46): answered within 5 calendar days; then a warning with two
# more days, and a supervisor's decision on sanctions (Art. 44-46: warning, fine, blocking).
DATA_REQUEST_DAYS = 5
DATA_LADDER: list[dict[str, Any]] = [
    {
        "action": "warning",
        "period_days": 2,
        "legal_basis": "MR5 Art. 21(1), 27 and 44 (warning to give access to data)",
    },
    {
        "action": "supervisor_referral",
        "period_days": 1,
        "legal_basis": "MR5 Art. 44-46 (administrative sanctions for refusing access)",
    },
]
# Periodic risk assessments (by a regulator's decision; MR5 itself has no such duty): a
# warning with two weeks more, then a supervisor decides on sanctions.
RISK_LADDER: list[dict[str, Any]] = [
    {
        "action": "warning",
        "period_days": 14,
        "legal_basis": "Regulator's decision (periodic risk assessments): warning to submit",
    },
    {
        "action": "supervisor_referral",
        "period_days": 1,
        "legal_basis": "Regulator's decision (periodic risk assessments): referral for sanction",
    },
]
# The terms a running order keeps (EscalationPolicy.terms()).
TERMS: dict[str, Any] = {
    "notice_hours": 24,
    "urgent_notice_hours": 4,
    "ladder": LADDER,
    "currency": "IDR",
    "fine_cap_per_item": "500000000.00",
    "fines_only_ugc": True,
    "fine_payment_days": 14,
    "fines_need_approval": False,
}


def data_ladder() -> list[dict[str, Any]]:
    """A fresh copy, as a model field's default must be."""
    return [dict(step) for step in DATA_LADDER]


def risk_ladder() -> list[dict[str, Any]]:
    """A fresh copy, as a model field's default must be."""
    return [dict(step) for step in RISK_LADDER]
