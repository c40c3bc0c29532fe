"""What the transparency pages publish: each figure's stable code, unit and meaning.

The codes are the `metric` column of the downloads (docs/transparency.md): they never change
meaning; a new figure gets a new code. Every figure counts events that happened in the period
(an order issued, a removal reported, a letter sent...), so a period's figures are final once
it has ended and been refreshed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Unit(StrEnum):
    COUNT = "count"
    IDR = "IDR"
    HOURS = "hours"
    SHARE = "share"


# Dimensions a figure is broken down by; "" is the figure's total.
TOTAL, CATEGORY, REQUESTER = "", "category", "requester"


@dataclass(frozen=True)
class Metric:
    code: str
    label: str
    unit: Unit
    description: str
    dimensions: tuple[str, ...] = (TOTAL,)
    # A count whose small values are suppressed (and, with them, any figure derived from it):
    # for amounts, the count of fines behind them.
    counted_by: str = ""


METRICS: tuple[Metric, ...] = (
    Metric(
        "orders_issued",
        "Removal orders issued",
        Unit.COUNT,
        "Orders issued in the period, by content category and by kind of requester.",
        (TOTAL, CATEGORY, REQUESTER),
    ),
    Metric(
        "items_ordered",
        "Items ordered removed",
        Unit.COUNT,
        "URLs or content items named in the orders issued in the period.",
        (TOTAL, CATEGORY),
    ),
    Metric(
        "removal_hours_p50",
        "Median time to removal",
        Unit.HOURS,
        "Hours from an order's issue to the platform's report that every item was actioned, "
        "for orders complied in the period (median, nearest rank).",
        (TOTAL, CATEGORY),
        counted_by="orders_complied",
    ),
    Metric(
        "removal_hours_p90",
        "90th percentile time to removal",
        Unit.HOURS,
        "As the median, at the 90th percentile (nearest rank).",
        (TOTAL, CATEGORY),
        counted_by="orders_complied",
    ),
    Metric(
        "orders_complied",
        "Orders complied",
        Unit.COUNT,
        "Orders whose every item the platform reported actioned in the period (first time).",
        (TOTAL, CATEGORY),
    ),
    Metric(
        "deadlines_met",
        "Deadlines met",
        Unit.COUNT,
        "Orders complied in the period before their first deadline passed.",
        (TOTAL, CATEGORY),
    ),
    Metric(
        "deadlines_missed",
        "Deadlines missed",
        Unit.COUNT,
        "Orders whose first deadline passed in the period without compliance (the first "
        "warning letter was due).",
        (TOTAL, CATEGORY),
    ),
    Metric(
        "removed_on_time_share",
        "Share removed within the deadline",
        Unit.SHARE,
        "Deadlines met over deadlines met and missed in the period.",
        (TOTAL, CATEGORY),
    ),
    Metric("letters_sent", "Warning letters", Unit.COUNT, "Warning letters sent in the period."),
    Metric("fines_assessed", "Fines assessed", Unit.COUNT, "Fines assessed in the period."),
    Metric(
        "fines_assessed_amount",
        "Fines assessed (amount)",
        Unit.IDR,
        "Total of the fines assessed in the period, in rupiah.",
        counted_by="fines_assessed",
    ),
    Metric("fines_paid", "Fines paid", Unit.COUNT, "Fines confirmed paid in the period."),
    Metric(
        "fines_paid_amount",
        "Fines paid (amount)",
        Unit.IDR,
        "Total of the fines confirmed paid in the period, in rupiah.",
        counted_by="fines_paid",
    ),
    Metric("blocks", "Access blocks", Unit.COUNT, "Access blocks that came into force."),
    Metric("normalizations", "Normalizations", Unit.COUNT, "Access blocks lifted."),
    Metric("objections_filed", "Objections filed", Unit.COUNT, "Objections platforms filed."),
    Metric(
        "objections_upheld",
        "Objections upheld",
        Unit.COUNT,
        "Objections decided in the platform's favour in the period.",
    ),
    Metric(
        "objections_rejected",
        "Objections rejected",
        Unit.COUNT,
        "Objections decided against the platform in the period.",
    ),
    Metric(
        "reupload_orders",
        "Orders for re-uploaded content",
        Unit.COUNT,
        "Orders issued in the period for content found again after an earlier order (a hash "
        "match against the regulator's lists).",
    ),
    Metric(
        "reuploads_matched",
        "Uploads matched against hash lists",
        Unit.COUNT,
        "Hashes a platform checked against the regulator's lists that matched an entry (zero "
        "until a platform checks).",
    ),
)
BY_CODE = {m.code: m for m in METRICS}
COUNTS = tuple(m.code for m in METRICS if m.unit == Unit.COUNT)


class Direction(StrEnum):
    LOWER_IS_BETTER = "lower"
    HIGHER_IS_BETTER = "higher"


@dataclass(frozen=True)
class Indicator:
    """A measured quantity the gender safety index may weigh: one platform, one period."""

    code: str
    label: str
    direction: Direction
    description: str


# NCII and sexual deepfakes: the categories whose removal time the index weighs most.
GENDER_CATEGORIES = ("ncii",)

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "ncii_removal_hours_p50",
        "Median hours to remove non-consensual intimate images and deepfakes",
        Direction.LOWER_IS_BETTER,
        "removal_hours_p50 for category ncii.",
    ),
    Indicator(
        "removed_on_time_share",
        "Share of orders removed within the deadline",
        Direction.HIGHER_IS_BETTER,
        "removed_on_time_share, all categories.",
    ),
    Indicator(
        "reupload_rate",
        "Re-upload rate",
        Direction.LOWER_IS_BETTER,
        "reupload_orders over orders_issued.",
    ),
    Indicator(
        "letters_per_order",
        "Warning letters per order",
        Direction.LOWER_IS_BETTER,
        "letters_sent over orders_issued: how far up the ladder the regulator had to go.",
    ),
    Indicator(
        "objections_overturned_share",
        "Share of the platform's objections overturned",
        Direction.LOWER_IS_BETTER,
        "objections_rejected over objections decided (upheld and rejected): objections filed "
        "to delay rather than to correct.",
    ),
)
INDICATOR_CODES = {i.code: i for i in INDICATORS}
