"""Reads for the transparency pages, the downloads, the portal and the admin: aggregates only,
never the raw tables."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max

from registry.models import Platform
from transparency.metrics import BY_CODE, METRICS, TOTAL, Metric
from transparency.models import Aggregate, Methodology, Publication, SafetyScore
from transparency.periods import Period, PeriodKind

# The columns of the overview, one row per platform.
OVERVIEW = (
    "orders_issued",
    "items_ordered",
    "removal_hours_p50",
    "removal_hours_p90",
    "removed_on_time_share",
    "letters_sent",
    "fines_assessed_amount",
    "fines_paid_amount",
    "blocks",
    "normalizations",
    "objections_filed",
    "objections_upheld",
    "reupload_orders",
    "reuploads_matched",
)
DOWNLOAD_COLUMNS = (
    "period",
    "period_kind",
    "platform_id",
    "platform",
    "metric",
    "dimension",
    "unit",
    "value",
    "suppressed",
)
SCORE_COLUMNS = (
    "period",
    "period_kind",
    "platform_id",
    "platform",
    "score",
    "coverage",
    "methodology_version",
    "final",
)
MAX_PERIODS = 36


class UnknownPeriod(LookupError):
    pass


@dataclass(frozen=True)
class Value:
    """A figure as shown: `hidden` ones read "fewer than 5" (the value is never sent)."""

    metric: Metric
    value: Decimal | None
    hidden: bool

    @property
    def shown(self) -> Decimal | None:
        return None if self.hidden else self.value


def period_published(
    *, key: str | None, kind: PeriodKind = PeriodKind.MONTH
) -> tuple[Period, Publication]:
    """The period named by `key` (ValueError if malformed, UnknownPeriod if not published),
    or without a key the latest final month, else the latest published month."""
    if key:
        period = Period.parse(key)
        publication = Publication.objects.filter(
            period_kind=period.kind, period_start=period.start
        ).first()
        if publication is None:
            raise UnknownPeriod(f"No figures are published for {period.key}.")
        return period, publication
    published = Publication.objects.filter(period_kind=kind).order_by("-final", "-period_start")
    latest = published.first()
    if latest is None:
        raise UnknownPeriod("No figures are published yet.")
    return Period(latest.period_start, PeriodKind(latest.period_kind)), latest


def publications_stamp() -> str:
    """Changes whenever any published figure may have: a key for caching what is built from
    them (a page, a download)."""
    found = Publication.objects.aggregate(n=Count("id"), last=Max("refreshed_at"))
    # Each refresh writes its figures anew: the newest id changes even within one instant.
    newest = Aggregate.objects.aggregate(id=Max("id"))["id"]
    return f"{found['n']}:{found['last'].isoformat() if found['last'] else ''}:{newest}"


def periods_published(*, kind: PeriodKind | None = None) -> list[tuple[Period, bool]]:
    rows = Publication.objects.order_by("period_kind", "-period_start")
    if kind is not None:
        rows = rows.filter(period_kind=kind)
    return [(Period(p.period_start, PeriodKind(p.period_kind)), p.final) for p in rows]


def periods_between(*, first: str, last: str) -> list[Period]:
    """The published periods from `first` to `last` (same kind), at most MAX_PERIODS."""
    start, end = Period.parse(first), Period.parse(last)
    if start.kind != end.kind:
        raise ValueError("from and to must be periods of the same kind (2026-01 and 2026-06)")
    if end < start:
        raise ValueError("to comes before from")
    periods = []
    period = start
    while period.start <= end.start:
        periods.append(period)
        if len(periods) > MAX_PERIODS:
            raise ValueError(f"at most {MAX_PERIODS} periods at a time")
        period = Period(period.end, period.kind)
    starts = set(
        Publication.objects.filter(
            period_kind=start.kind, period_start__in=[p.start for p in periods]
        ).values_list("period_start", flat=True)
    )
    return [p for p in periods if p.start in starts]


def _rows(period: Period, **filters: Any) -> Any:
    return Aggregate.objects.filter(period_kind=period.kind, period_start=period.start, **filters)


def overview(*, period: Period) -> tuple[dict[str, Value], list[tuple[Platform, dict[str, Value]]]]:
    """The national figures and one row per platform with any activity, busiest first."""
    national: dict[str, Value] = {}
    per_platform: dict[int, dict[str, Value]] = defaultdict(dict)
    for platform_id, metric, value, hidden in _rows(
        period, dimension=TOTAL, metric__in=OVERVIEW
    ).values_list("platform_id", "metric", "value", "hidden"):
        shown = Value(BY_CODE[metric], value, hidden)
        if platform_id is None:
            national[metric] = shown
        else:
            per_platform[platform_id][metric] = shown
    platforms = Platform.objects.in_bulk(list(per_platform))
    rows = [(platforms[pk], figures) for pk, figures in per_platform.items()]
    rows.sort(key=lambda row: (-(row[1]["orders_issued"].value or 0), row[0].name))
    return national, rows


def breakdown(
    *, period: Period, metrics: tuple[str, ...], kind: str
) -> list[tuple[str, dict[str, Value]]]:
    """National figures by one dimension (`category` or `requester`): [(value, {metric: ...})]."""
    found: dict[str, dict[str, Value]] = defaultdict(dict)
    for metric, dimension, value, hidden in _rows(
        period, platform__isnull=True, metric__in=metrics, dimension__startswith=f"{kind}:"
    ).values_list("metric", "dimension", "value", "hidden"):
        found[dimension.split(":", 1)[1]][metric] = Value(BY_CODE[metric], value, hidden)
    return sorted(found.items())


@dataclass(frozen=True)
class ScoreLine:
    metric: Metric
    own: Value
    median: Decimal | None
    platforms: int  # how many platforms' published figures the median is of
    withheld: int  # how many platforms' figures are withheld (not in the median)


def scorecard(*, platform: Platform, period: Period) -> list[ScoreLine]:
    """The platform's figures beside the median of every platform active in the period (of
    published figures only). The platform's own figures keep their value with their `hidden`
    flag: the public sees "fewer than 5", the platform and staff the count (its own orders,
    withheld only from the public)."""
    own: dict[str, Value] = {}
    others: dict[str, list[Decimal]] = defaultdict(list)
    withheld: dict[str, int] = defaultdict(int)
    for platform_id, metric, value, hidden in _rows(
        period, dimension=TOTAL, platform__isnull=False
    ).values_list("platform_id", "metric", "value", "hidden"):
        if platform_id == platform.pk:
            own[metric] = Value(BY_CODE[metric], value, hidden)
        if not hidden and value is not None:
            others[metric].append(value)
        withheld[metric] += hidden
    lines = []
    for metric in METRICS:
        if metric.code not in own and not others[metric.code]:
            continue
        values = others[metric.code]
        lines.append(
            ScoreLine(
                metric=metric,
                own=own.get(metric.code, Value(metric, None, False)),
                median=Decimal(statistics.median(values)).quantize(Decimal("0.0001"))
                if values
                else None,
                platforms=len(values),
                withheld=withheld[metric.code],
            )
        )
    return lines


def safety_scores(*, period: Period) -> list[SafetyScore]:
    """Each platform's latest-version score for the period, best first."""
    best: dict[int, SafetyScore] = {}
    for score in (
        SafetyScore.objects.filter(period_kind=period.kind, period_start=period.start)
        .select_related("platform", "methodology")
        .order_by("methodology__version")
    ):
        best[score.platform_id] = score
    return sorted(best.values(), key=lambda s: (-s.score, s.platform.name))


def safety_score_of(*, platform: Platform, period: Period) -> SafetyScore | None:
    return (
        SafetyScore.objects.filter(
            platform=platform, period_kind=period.kind, period_start=period.start
        )
        .select_related("methodology")
        .order_by("-methodology__version")
        .first()
    )


def methodologies_public() -> list[Methodology]:
    """Every version the public may read: all but drafts, newest first, with comments."""
    return list(
        Methodology.objects.exclude(status=Methodology.Status.DRAFT).prefetch_related("comments")
    )


def download_rows(*, periods: list[Period]) -> Iterator[tuple[Any, ...]]:
    """The figures of these periods in DOWNLOAD_COLUMNS order; withheld values are empty.
    (How many events a figure rests on is not published: a share's denominator would give
    away the parts withheld.)"""
    names = dict(Platform.objects.values_list("pk", "name"))
    for period in periods:
        for platform_id, metric, dimension, value, hidden in (
            _rows(period)
            .order_by("platform_id", "metric", "dimension")
            .values_list("platform_id", "metric", "dimension", "value", "hidden")
        ):
            yield (
                period.key,
                period.kind.value,
                platform_id,
                names.get(platform_id, "") if platform_id else "",
                metric,
                dimension,
                BY_CODE[metric].unit.value,
                None if hidden else value,
                hidden,
            )


def score_rows(*, periods: list[Period]) -> Iterator[tuple[Any, ...]]:
    for period in periods:
        for score in safety_scores(period=period):
            yield (
                period.key,
                period.kind.value,
                score.platform_id,
                score.platform.name,
                score.score,
                score.coverage,
                score.methodology.version,
                score.final,
            )
