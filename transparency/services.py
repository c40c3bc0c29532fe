"""Every write of the transparency app: figures refreshed and published, the safety index's
scores, its methodology's versions and the public's comments."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from compliance.kernel.actions import Action
from compliance.kernel.actors import Actor
from compliance.kernel.decisions import decision_record_append
from compliance.kernel.ratelimits import attempt_count
from compliance.kernel.tasks import wake_after_commit
from compliance.kernel.transitions import transition_apply
from compliance.policies import citations
from transparency.compute import Figure, figures_compute
from transparency.downloads import downloads_build
from transparency.metrics import CATEGORY, INDICATOR_CODES, TOTAL, Direction
from transparency.models import (
    MANAGE,
    Aggregate,
    Download,
    Methodology,
    MethodologyComment,
    Publication,
    SafetyScore,
)
from transparency.periods import Period, PeriodKind
from transparency.suppression import hidden_cells

REFRESH_TASK = "transparency.refresh"
PUBLISHER = Actor.scheduled_job("transparency-refresh")
COMMENT_MAX = 2000
COMMENTS_PER_HOUR = 5
CONSULTATION_DAYS = (7, 90)  # shortest and longest comment period
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SCORE = Decimal("0.1")


class CommentRefused(Exception):
    """A comment that cannot be taken now (outside the period, or too many from one place)."""

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Refreshed:
    period: Period
    figures: int
    hidden: int
    scores: int
    final: bool


def figures_hidden(*, figures: list[Figure]) -> set[tuple[Any, str, str]]:
    """The cells not published (transparency/suppression.py says which and why)."""
    return hidden_cells(figures)


def transparency_refresh(*, period: Period, now: datetime | None = None) -> Refreshed:
    """Recompute one period's figures and scores, replacing what was there; a period that
    ended before this refresh began is published as final (and recorded once as such).

    A final period is never refreshed again: its figures count events of the period only.
    """
    now = now or timezone.now()
    final = now >= period.bounds()[1]
    published = Publication.objects.filter(period_kind=period.kind, period_start=period.start)
    if published.filter(final=True).exists():
        return Refreshed(period, 0, 0, 0, True)
    figures = figures_compute(period=period)
    hidden = figures_hidden(figures=figures)
    rows = [
        Aggregate(
            period_kind=period.kind,
            period_start=period.start,
            platform_id=f.platform_id,
            metric=f.metric,
            dimension=f.dimension,
            value=f.value,
            base=f.base,
            hidden=f.cell in hidden,
            computed_at=now,
        )
        for f in figures
    ]
    with transaction.atomic():
        publication, _ = Publication.objects.select_for_update().get_or_create(
            period_kind=period.kind,
            period_start=period.start,
            defaults={"refreshed_at": now, "final": False},
        )
        if publication.final:  # published as final by a refresh running alongside
            return Refreshed(period, 0, 0, 0, True)
        Aggregate.objects.filter(period_kind=period.kind, period_start=period.start).delete()
        Aggregate.objects.bulk_create(rows, batch_size=2_000)
        scores = safety_scores_compute(
            period=period, figures=figures, hidden=hidden, now=now, final=final
        )
        Download.objects.filter(period_kind=period.kind, period_start=period.start).delete()
        Download.objects.bulk_create(downloads_build(period=period))
        Publication.objects.filter(pk=publication.pk).update(refreshed_at=now, final=final)
        if final:
            decision_record_append(
                actor=PUBLISHER,
                subject=publication,
                action=Action.FIGURES_PUBLISH,
                to_state="final",
                legal_basis=citations.TRANSPARENCY,
                reason=f"Figures of {period.label()} published as final: {len(rows)} figures, "
                f"{len(hidden)} withheld as fewer than 5 or revealing such a count; "
                f"{scores} safety index scores.",
            )
    return Refreshed(period, len(rows), len(hidden), scores, final)


def transparency_refresh_due(*, now: datetime | None = None) -> list[Refreshed]:
    """What beat runs: for each kind of period, the current one, and the previous one until it
    has been published as final."""
    now = now or timezone.now()
    done = []
    for kind in PeriodKind:
        current = Period.containing(now, kind)
        previous = current.previous()
        if not Publication.objects.filter(
            period_kind=kind, period_start=previous.start, final=True
        ).exists():
            done.append(transparency_refresh(period=previous, now=now))
        done.append(transparency_refresh(period=current, now=now))
    return done


# The gender safety index.


def _indicator_values(
    figures: Iterable[Figure], hidden: set[tuple[Any, str, str]]
) -> dict[int, dict[str, Decimal]]:
    """Each platform's measured indicators, from published figures only: a score must not
    give away a figure withheld as fewer than 5."""
    published: dict[int, dict[tuple[str, str], Decimal]] = {}
    for f in figures:
        if f.platform_id is not None and f.cell not in hidden and f.value is not None:
            published.setdefault(f.platform_id, {})[f.metric, f.dimension] = f.value
    values: dict[int, dict[str, Decimal]] = {}
    for platform_id, got in published.items():
        found: dict[str, Decimal] = {}
        if (v := got.get(("removal_hours_p50", f"{CATEGORY}:ncii"))) is not None:
            found["ncii_removal_hours_p50"] = v
        if (v := got.get(("removed_on_time_share", TOTAL))) is not None:
            found["removed_on_time_share"] = v
        issued = got.get(("orders_issued", TOTAL))
        if issued and (reuploads := got.get(("reupload_orders", TOTAL))) is not None:
            found["reupload_rate"] = reuploads / issued
        if issued and (letters := got.get(("letters_sent", TOTAL))) is not None:
            found["letters_per_order"] = letters / issued
        upheld, rejected = (
            got.get(("objections_upheld", TOTAL)),
            got.get(("objections_rejected", TOTAL)),
        )
        if upheld is not None and rejected is not None and upheld + rejected:
            found["objections_overturned_share"] = rejected / (upheld + rejected)
        values[platform_id] = found
    return values


def safety_score(
    *, methodology: Methodology, values: dict[str, Decimal]
) -> tuple[Decimal, Decimal, list[dict[str, str]]] | None:
    """(score 0-100, coverage, components) of one platform, or None when the measured
    indicators carry less than the methodology's minimum share of the weights."""
    components = []
    total = weighted = Decimal(0)
    for entry in methodology.indicators:
        weight, best, worst = (Decimal(entry[k]) for k in ("weight", "best", "worst"))
        value = values.get(entry["code"])
        if value is None:
            components.append(
                {"code": entry["code"], "weight": str(weight), "value": "", "normalized": ""}
            )
            continue
        normalized = min(Decimal(1), max(Decimal(0), (worst - value) / (worst - best)))
        total += weight
        weighted += weight * normalized
        components.append(
            {
                "code": entry["code"],
                "weight": str(weight),
                "value": str(value.quantize(Decimal("0.0001"), ROUND_HALF_EVEN)),
                "normalized": str(normalized.quantize(Decimal("0.0001"), ROUND_HALF_EVEN)),
            }
        )
    if total == 0 or total < methodology.min_coverage:
        return None
    score = (100 * weighted / total).quantize(SCORE, ROUND_HALF_EVEN)
    return score, total.quantize(Decimal("0.001")), components


def safety_scores_compute(
    *,
    period: Period,
    figures: list[Figure],
    hidden: set[tuple[Any, str, str]],
    now: datetime,
    final: bool,
) -> int:
    """Scores of the period under the adopted methodology. Scores under other versions are
    left as they are; final ones are never touched."""
    methodology = Methodology.objects.filter(status=Methodology.Status.ADOPTED).first()
    if methodology is None:
        return 0
    SafetyScore.objects.filter(
        period_kind=period.kind, period_start=period.start, methodology=methodology, final=False
    ).delete()
    already = set(
        SafetyScore.objects.filter(
            period_kind=period.kind, period_start=period.start, methodology=methodology
        ).values_list("platform_id", flat=True)
    )
    rows = []
    for platform_id, values in sorted(_indicator_values(figures, hidden).items()):
        result = safety_score(methodology=methodology, values=values)
        if result is None or platform_id in already:
            continue
        score, coverage, components = result
        rows.append(
            SafetyScore(
                platform_id=platform_id,
                period_kind=period.kind,
                period_start=period.start,
                methodology=methodology,
                score=score,
                coverage=coverage,
                components=components,
                computed_at=now,
                final=final,
            )
        )
    SafetyScore.objects.bulk_create(rows)
    return len(rows)


def methodology_clean(
    *, indicators: Sequence[dict[str, Any]], min_coverage: Any = "0.6"
) -> tuple[list[dict[str, str]], Decimal]:
    """Indicators as stored (weights, best and worst as decimal strings), or ValidationError
    naming each fault: an unknown or repeated indicator, a weight that is not positive,
    weights that do not sum to exactly one, thresholds equal or pointing the wrong way."""
    errors: list[str] = []
    cleaned: list[dict[str, str]] = []
    if not isinstance(indicators, list | tuple) or not indicators:
        raise ValidationError({"indicators": "Name at least one indicator."})
    seen: set[str] = set()
    for n, entry in enumerate(indicators, start=1):
        if not isinstance(entry, dict):
            errors.append(f"Indicator {n}: expected code, weight, best and worst.")
            continue
        code = str(entry.get("code", ""))
        if code not in INDICATOR_CODES:
            errors.append(
                f"Indicator {n}: unknown indicator {code!r} (known: {', '.join(INDICATOR_CODES)})."
            )
            continue
        if code in seen:
            errors.append(f"Indicator {n}: {code} is named twice.")
            continue
        seen.add(code)
        try:
            weight, best, worst = (Decimal(str(entry[k])) for k in ("weight", "best", "worst"))
        except (KeyError, InvalidOperation, ValueError):
            errors.append(f"Indicator {n} ({code}): weight, best and worst must be numbers.")
            continue
        if not all(d.is_finite() for d in (weight, best, worst)):
            errors.append(f"Indicator {n} ({code}): weight, best and worst must be finite.")
            continue
        if not 0 < weight <= 1:
            errors.append(f"Indicator {n} ({code}): the weight must be above 0 and at most 1.")
        lower_better = INDICATOR_CODES[code].direction == Direction.LOWER_IS_BETTER
        if best == worst or (best > worst) == lower_better:
            errors.append(
                f"Indicator {n} ({code}): {'lower' if lower_better else 'higher'} is better, "
                f"so best must be {'below' if lower_better else 'above'} worst."
            )
        cleaned.append(
            {"code": code, "weight": str(weight), "best": str(best), "worst": str(worst)}
        )
    if not errors and sum(Decimal(c["weight"]) for c in cleaned) != 1:
        total = sum(Decimal(c["weight"]) for c in cleaned)
        errors.append(f"The weights sum to {total}, not 1.")
    try:
        coverage = Decimal(str(min_coverage))
    except InvalidOperation:
        coverage = Decimal(-1)
    if not coverage.is_finite() or not 0 < coverage <= 1:
        raise ValidationError(
            {
                "min_coverage": "The minimum coverage is a share above 0, at most 1.",
                **({"indicators": errors} if errors else {}),
            }
        )
    if errors:
        raise ValidationError({"indicators": errors})
    return cleaned, coverage


def methodology_draft(
    *,
    actor: Actor,
    summary: str,
    formula: str,
    indicators: Sequence[dict[str, Any]],
    min_coverage: Any = "0.6",
) -> Methodology:
    actor.require_perm(MANAGE)
    cleaned, coverage = methodology_clean(indicators=indicators, min_coverage=min_coverage)
    if not summary.strip() or not formula.strip():
        raise ValidationError({"summary": "Say what the version changes and how it scores."})
    with transaction.atomic():
        # Serialize drafts on the versions already there (the unique version catches a race).
        latest = Methodology.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0
        methodology = Methodology.objects.create(
            version=latest + 1,
            summary=summary.strip(),
            formula=formula.strip(),
            indicators=cleaned,
            min_coverage=coverage,
            created_by=actor.user,
        )
        decision_record_append(
            actor=actor,
            subject=methodology,
            action=Action.METHODOLOGY_DRAFT,
            to_state=methodology.status,
            legal_basis=citations.TRANSPARENCY,
            reason=summary.strip()[:2000],
        )
    return methodology


def methodology_publish(
    *, actor: Actor, methodology: Methodology, closes_at: datetime, now: datetime | None = None
) -> Methodology:
    """Open a draft for public comment until `closes_at` (7 to 90 days away)."""
    now = now or timezone.now()
    shortest, longest = (timedelta(days=d) for d in CONSULTATION_DAYS)
    if not now + shortest <= closes_at <= now + longest:
        raise ValidationError(
            {
                "closes_at": f"The comment period runs {CONSULTATION_DAYS[0]} to "
                f"{CONSULTATION_DAYS[1]} days from publication."
            }
        )

    def dates(locked: Methodology) -> None:
        locked.consultation_opens_at, locked.consultation_closes_at = now, closes_at

    return transition_apply(
        obj=methodology,
        name="publish",
        actor=actor,
        legal_basis=citations.TRANSPARENCY,
        reason=f"Open for public comment until {timezone.localtime(closes_at):%Y-%m-%d %H:%M %Z}.",
        before=dates,
    )


def methodology_adopt(
    *, actor: Actor, methodology: Methodology, now: datetime | None = None
) -> Methodology:
    """Adopt a version whose comment period has closed; the version in use is superseded.
    Scores already published keep the version they name; the open periods are scored again
    under this one on the next refresh (started now)."""
    now = now or timezone.now()
    closes_at = methodology.consultation_closes_at
    if closes_at is None or now < closes_at:
        raise ValidationError(
            {"methodology": "A version is adopted only after its comment period has closed."}
        )
    with transaction.atomic():
        current = (
            Methodology.objects.select_for_update()
            .filter(status=Methodology.Status.ADOPTED)
            .first()
        )
        if current is not None:
            transition_apply(
                obj=current,
                name="supersede",
                actor=actor,
                legal_basis=citations.TRANSPARENCY,
                reason=f"Superseded by version {methodology.version}.",
            )

        def stamp(locked: Methodology) -> None:
            locked.adopted_at, locked.adopted_by = now, actor.user

        adopted = transition_apply(
            obj=methodology,
            name="adopt",
            actor=actor,
            legal_basis=citations.TRANSPARENCY,
            reason=f"Adopted after {methodology.comments.count()} public comments.",
            before=stamp,
        )
        wake_after_commit(REFRESH_TASK)
    return adopted


def comment_clean(body: str) -> str:
    """A comment as kept: plain text, trimmed, with control characters other than line breaks
    and tabs refused."""
    text = body.replace("\r\n", "\n").strip() if isinstance(body, str) else ""
    if not text:
        raise ValidationError({"body": "Write a comment."})
    if len(text) > COMMENT_MAX:
        raise ValidationError(
            {"body": f"A comment is at most {COMMENT_MAX} characters ({len(text)} given)."}
        )
    if CONTROL.search(text):
        raise ValidationError({"body": "The comment contains control characters."})
    return text


def comment_add(
    *, methodology: Methodology, body: str, client: str, now: datetime | None = None
) -> MethodologyComment:
    """A member of the public's comment on a version open for comment. `client` names where it
    came from (the address), for the limit of comments an hour."""
    now = now or timezone.now()
    text = comment_clean(body)
    opens, closes = methodology.consultation_opens_at, methodology.consultation_closes_at
    if methodology.status != Methodology.Status.CONSULTATION or not (
        opens and closes and opens <= now < closes
    ):
        raise CommentRefused(f"Version {methodology.version} is not open for comment.")
    admission = attempt_count(key=f"comment:{client}", limit=COMMENTS_PER_HOUR, window=3600)
    if not admission.allowed:
        raise CommentRefused(
            f"At most {COMMENTS_PER_HOUR} comments an hour from one address.",
            retry_after=admission.retry_after,
        )
    with transaction.atomic():
        locked = Methodology.objects.select_for_update().get(pk=methodology.pk)
        if locked.status != Methodology.Status.CONSULTATION:
            raise CommentRefused(f"Version {methodology.version} is not open for comment.")
        return MethodologyComment.objects.create(methodology=locked, body=text)
