"""The figures of one period, computed from the orders, the sanctions and the decision record.

Pure reads: the same data always gives the same figures (sorted, rounded the same way), so a
refresh can be repeated and a figure traced back to the rows it counts.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Sum

from compliance.kernel.actions import Action
from compliance.kernel.models import DecisionRecord
from compliance.sanctions.models import AccessBlock, Fine, FineStatus, WarningLetter
from fingerprints.models import Match
from notices.models import Objection, OrderItem, OrderStatus, RemovalOrder
from transparency.metrics import CATEGORY, COUNTS, REQUESTER, TOTAL
from transparency.periods import Period

CHUNK = 5_000
HOURS = Decimal("0.01")
SHARES = Decimal("0.0001")
ON_TIME_FROM = {OrderStatus.ISSUED, OrderStatus.ACKNOWLEDGED}
ASSESSED = [FineStatus.ASSESSED, FineStatus.PAID, FineStatus.OVERDUE, FineStatus.WAIVED]

Scope = int | None  # a platform's id, or None for all platforms together


@dataclass(frozen=True)
class Figure:
    platform_id: Scope
    metric: str
    dimension: str
    value: Decimal | None
    base: int

    @property
    def cell(self) -> tuple[Scope, str, str]:
        return self.platform_id, self.metric, self.dimension


def percentile(sorted_values: Sequence[Decimal], share: Decimal) -> Decimal:
    """Nearest rank: the smallest value with at least `share` of the values at or below it."""
    rank = max(1, math.ceil(share * len(sorted_values)))
    return sorted_values[rank - 1]


def _chunks(ids: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


class _Counts:
    """Counts per scope and dimension, each event counted for its platform and for all."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], dict[Scope, Decimal]] = defaultdict(
            lambda: defaultdict(Decimal)
        )
        self.bases: dict[tuple[str, str], dict[Scope, int]] = defaultdict(lambda: defaultdict(int))

    def add(
        self, metric: str, platform_id: int, value: Any = 1, *, dimension: str = "", base: int = 1
    ) -> None:
        for scope in (platform_id, None):
            self.values[metric, dimension][scope] += Decimal(value)
            self.bases[metric, dimension][scope] += base


def _decided_orders(
    action: Action, start: datetime, end: datetime
) -> list[tuple[int, datetime, str]]:
    """(order id, when, from state) of each decision of `action` on an order in the period,
    in the record's order."""
    order_type = ContentType.objects.get_for_model(RemovalOrder)
    rows = DecisionRecord.objects.filter(
        content_type=order_type, action=action, created_at__gte=start, created_at__lt=end
    ).values_list("object_id", "created_at", "from_state")
    return [(int(object_id), at, state) for object_id, at, state in rows.order_by("seq")]


def _earlier(action: Action, order_ids: Sequence[int], start: datetime) -> set[int]:
    """Orders among these with a decision of `action` before the period."""
    order_type = ContentType.objects.get_for_model(RemovalOrder)
    found: set[int] = set()
    for chunk in _chunks([str(i) for i in order_ids]):
        found.update(
            int(i)
            for i in DecisionRecord.objects.filter(
                content_type=order_type, action=action, object_id__in=chunk, created_at__lt=start
            ).values_list("object_id", flat=True)
        )
    return found


def _orders(order_ids: Iterable[int]) -> dict[int, tuple[int, str, datetime | None]]:
    """Platform, category and issue time of these orders."""
    ids = sorted(set(order_ids))
    found = {}
    for chunk in _chunks(ids):
        for pk, platform_id, category, issued_at in RemovalOrder.objects.filter(
            pk__in=chunk
        ).values_list("pk", "platform_id", "category__code", "issued_at"):
            found[pk] = (platform_id, category, issued_at)
    return found


def _first_per_order(
    decisions: list[tuple[int, datetime, str]], start: datetime, action: Action
) -> list[tuple[int, datetime, str]]:
    """Each order's first such decision ever: later ones in the period, and any whose order
    had one before the period, are left out (a reopened order complied twice counts once)."""
    seen: set[int] = set()
    first = []
    for order_id, at, state in decisions:
        if order_id not in seen:
            seen.add(order_id)
            first.append((order_id, at, state))
    before = _earlier(action, [order_id for order_id, _, _ in first], start)
    return [d for d in first if d[0] not in before]


def figures_compute(*, period: Period) -> list[Figure]:
    """Every figure of `period` (docs/transparency.md says what each counts)."""
    start, end = period.bounds()
    counts = _Counts()

    issued = (
        RemovalOrder.objects.filter(issued_at__gte=start, issued_at__lt=end)
        .values_list("platform_id", "category__code", "agency__kind", "is_reupload")
        .annotate(n=Count("id"))
        .order_by()
    )
    for platform_id, category, requester, reupload, n in issued:
        counts.add("orders_issued", platform_id, n, base=n)
        counts.add("orders_issued", platform_id, n, dimension=f"{CATEGORY}:{category}", base=n)
        counts.add("orders_issued", platform_id, n, dimension=f"{REQUESTER}:{requester}", base=n)
        counts.add("reupload_orders", platform_id, n if reupload else 0, base=n if reupload else 0)
    items = (
        OrderItem.objects.filter(order__issued_at__gte=start, order__issued_at__lt=end)
        .values_list("order__platform_id", "order__category__code")
        .annotate(n=Count("id"))
        .order_by()
    )
    for platform_id, category, n in items:
        counts.add("items_ordered", platform_id, n, base=n)
        counts.add("items_ordered", platform_id, n, dimension=f"{CATEGORY}:{category}", base=n)

    complied = _first_per_order(
        _decided_orders(Action.ORDER_COMPLY, start, end), start, Action.ORDER_COMPLY
    )
    missed = _first_per_order(
        [d for d in _decided_orders(Action.ORDER_ESCALATE, start, end) if d[2] in ON_TIME_FROM],
        start,
        Action.ORDER_ESCALATE,
    )
    orders = _orders([d[0] for d in complied] + [d[0] for d in missed])
    durations: dict[tuple[Scope, str], list[Decimal]] = defaultdict(list)
    for order_id, at, state in complied:
        platform_id, category, issued_at = orders[order_id]
        dimension = f"{CATEGORY}:{category}"
        for d in (TOTAL, dimension):
            counts.add("orders_complied", platform_id, dimension=d)
            counts.add(
                "deadlines_met",
                platform_id,
                int(state in ON_TIME_FROM),
                dimension=d,
                base=int(state in ON_TIME_FROM),
            )
            counts.add("deadlines_missed", platform_id, 0, dimension=d, base=0)
        if issued_at is not None:
            hours = Decimal((at - issued_at).total_seconds()) / 3600
            for scope in (platform_id, None):
                durations[scope, TOTAL].append(hours)
                durations[scope, dimension].append(hours)
    for order_id, _, _ in missed:
        platform_id, category, _ = orders[order_id]
        for d in (TOTAL, f"{CATEGORY}:{category}"):
            counts.add("deadlines_missed", platform_id, dimension=d)
            counts.add("deadlines_met", platform_id, 0, dimension=d, base=0)

    letters = WarningLetter.objects.filter(issued_at__gte=start, issued_at__lt=end)
    for platform_id, n in _per_platform(letters):
        counts.add("letters_sent", platform_id, n, base=n)
    assessed = Fine.objects.filter(assessed_at__gte=start, assessed_at__lt=end, status__in=ASSESSED)
    for platform_id, n, amount in _per_platform_with_amount(assessed):
        counts.add("fines_assessed", platform_id, n, base=n)
        counts.add("fines_assessed_amount", platform_id, amount, base=n)
    paid = Fine.objects.filter(paid_at__gte=start, paid_at__lt=end, status=FineStatus.PAID)
    for platform_id, n, amount in _per_platform_with_amount(paid):
        counts.add("fines_paid", platform_id, n, base=n)
        counts.add("fines_paid_amount", platform_id, amount, base=n)
    blocks = AccessBlock.objects.filter(in_force_at__gte=start, in_force_at__lt=end)
    for platform_id, n in _per_platform(blocks):
        counts.add("blocks", platform_id, n, base=n)
    lifted = AccessBlock.objects.filter(lifted_at__gte=start, lifted_at__lt=end)
    for platform_id, n in _per_platform(lifted):
        counts.add("normalizations", platform_id, n, base=n)
    filed = Objection.objects.filter(filed_at__gte=start, filed_at__lt=end)
    for platform_id, n in _per_platform(filed, "order__platform_id"):
        counts.add("objections_filed", platform_id, n, base=n)
    for status, metric in (
        (Objection.Status.UPHELD, "objections_upheld"),
        (Objection.Status.REJECTED, "objections_rejected"),
    ):
        decided = Objection.objects.filter(decided_at__gte=start, decided_at__lt=end, status=status)
        for platform_id, n in _per_platform(decided, "order__platform_id"):
            counts.add(metric, platform_id, n, base=n)
    matched = Match.objects.filter(created_at__gte=start, created_at__lt=end)
    for platform_id, n in _per_platform(matched):
        counts.add("reuploads_matched", platform_id, n, base=n)

    return _figures(counts, durations)


def _per_platform(queryset: Any, field: str = "platform_id") -> list[tuple[int, int]]:
    return list(queryset.values_list(field).annotate(n=Count("id")).order_by())


def _per_platform_with_amount(queryset: Any) -> list[tuple[int, int, Decimal]]:
    return list(
        queryset.values_list("platform_id").annotate(n=Count("id"), amount=Sum("amount")).order_by()
    )


def _figures(counts: _Counts, durations: dict[tuple[Scope, str], list[Decimal]]) -> list[Figure]:
    scopes: set[Scope] = {None}
    for by_scope in counts.values.values():
        scopes.update(s for s, v in by_scope.items() if v)
    figures: list[Figure] = []
    for scope in sorted(scopes, key=lambda s: -1 if s is None else s):
        # Every count and amount in total for every platform with any activity (zero rather
        # than a missing row); breakdowns only where there is something to break down.
        for code in (*COUNTS, "fines_assessed_amount", "fines_paid_amount"):
            value = counts.values[code, TOTAL].get(scope, Decimal(0))
            figures.append(
                Figure(scope, code, TOTAL, value, counts.bases[code, TOTAL].get(scope, 0))
            )
        for (code, dimension), by_scope in sorted(counts.values.items()):
            if dimension != TOTAL and scope in by_scope:
                figures.append(
                    Figure(
                        scope,
                        code,
                        dimension,
                        by_scope[scope],
                        counts.bases[code, dimension][scope],
                    )
                )
        dimensions = sorted({d for (s, d) in durations if s == scope})
        for dimension in dimensions:
            values = sorted(durations[scope, dimension])
            for code, share in (
                ("removal_hours_p50", Decimal("0.5")),
                ("removal_hours_p90", Decimal("0.9")),
            ):
                figures.append(
                    Figure(
                        scope,
                        code,
                        dimension,
                        percentile(values, share).quantize(HOURS, ROUND_HALF_EVEN),
                        len(values),
                    )
                )
        if TOTAL not in dimensions:
            for code in ("removal_hours_p50", "removal_hours_p90"):
                figures.append(Figure(scope, code, TOTAL, None, 0))
        share_dimensions = {
            d
            for (code, d), by_scope in counts.values.items()
            if code in ("deadlines_met", "deadlines_missed") and scope in by_scope
        } | {TOTAL}
        for dimension in sorted(share_dimensions):
            met = counts.values["deadlines_met", dimension].get(scope, Decimal(0))
            missed = counts.values["deadlines_missed", dimension].get(scope, Decimal(0))
            base = int(met + missed)
            on_time = (met / base).quantize(SHARES, ROUND_HALF_EVEN) if base else None
            figures.append(Figure(scope, "removed_on_time_share", dimension, on_time, base))
    return figures
