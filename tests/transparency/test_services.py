"""Refreshing and publishing figures; the index's methodology drafted, opened for comment and
adopted, with scores published under an older version left as they were."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from compliance.kernel.actions import Action
from compliance.kernel.actors import Actor
from compliance.kernel.errors import ActionForbidden
from compliance.models import DecisionRecord
from tests.support.worlds import OCTOBER, T0, comply
from transparency import services
from transparency.downloads import download_text
from transparency.models import (
    Aggregate,
    Download,
    Methodology,
    MethodologyComment,
    Publication,
    SafetyScore,
)
from transparency.periods import Period

pytestmark = pytest.mark.django_db
SEPTEMBER = Period.parse("2026-09")
V2 = [
    {"code": "ncii_removal_hours_p50", "weight": "0.5", "best": "2", "worst": "48"},
    {"code": "removed_on_time_share", "weight": "0.5", "best": "1", "worst": "0.8"},
]


def test_a_refresh_replaces_the_period_and_is_final_only_once_it_has_ended(world):
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        first = services.transparency_refresh(period=OCTOBER)
        again = services.transparency_refresh(period=OCTOBER)
    assert not first.final
    assert (
        first.figures
        == again.figures
        == Aggregate.objects.filter(period_start=OCTOBER.start).count()
    )
    assert Aggregate.objects.filter(hidden=True).count() == first.hidden > 0
    assert not DecisionRecord.objects.filter(action=Action.FIGURES_PUBLISH).exists()

    with time_machine.travel(datetime(2026, 11, 1, 1, tzinfo=UTC), tick=False):
        final = services.transparency_refresh(period=OCTOBER)
    assert final.final
    [record] = DecisionRecord.objects.filter(action=Action.FIGURES_PUBLISH)
    assert "October 2026" in record.reason
    before = list(Aggregate.objects.values_list("metric", "dimension", "value", "hidden"))

    # Nothing more is counted into a final period, even a late write dated inside it.
    with time_machine.travel(T0 + timedelta(days=10), tick=False):
        comply(world.slow_orders[1], T0 + timedelta(days=10))
        unchanged = services.transparency_refresh(period=OCTOBER)
    assert unchanged.final
    assert unchanged.figures == 0
    assert list(Aggregate.objects.values_list("metric", "dimension", "value", "hidden")) == before
    assert DecisionRecord.objects.filter(action=Action.FIGURES_PUBLISH).count() == 1


def test_beat_refreshes_the_current_periods_and_the_last_until_final(world):
    with time_machine.travel(datetime(2026, 11, 2, tzinfo=UTC), tick=False):
        done = services.transparency_refresh_due()
    keys = {r.period.key: r.final for r in done}
    assert keys == {
        "2026-10": True,
        "2026-11": False,
        "2026-Q3": True,
        "2026-Q4": False,
        "2025": True,
        "2026": False,
    }
    with time_machine.travel(datetime(2026, 11, 2, 1, tzinfo=UTC), tick=False):
        done = services.transparency_refresh_due()
    assert {r.period.key for r in done} == {"2026-11", "2026-Q4", "2026"}
    assert Publication.objects.get(period_kind="month", period_start=OCTOBER.start).final


@pytest.fixture
def prompt(make_platform, make_order):
    """A platform that removed ten NCII orders in September and ten in October, each within
    2 to 11 hours: enough of everything for a score."""
    platform = make_platform(name="Prompt")
    for month_start in (datetime(2026, 9, 7, 3, tzinfo=UTC), T0):
        with time_machine.travel(month_start, tick=False):
            orders = [make_order(platform=platform) for _ in range(10)]
        for hours, order in enumerate(orders, start=2):
            comply(order, month_start + timedelta(hours=hours))
    return platform


def test_a_version_is_consulted_on_then_adopted_and_older_scores_stay(
    prompt, supervisor, django_capture_on_commit_callbacks
):
    staff = Actor.staff(supervisor)
    now = datetime(2026, 10, 20, 3, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        services.transparency_refresh(period=SEPTEMBER)
        services.transparency_refresh(period=OCTOBER)
    september = SafetyScore.objects.get(period_start=SEPTEMBER.start)
    assert september.final
    assert september.methodology.version == 1
    # Median 6.5 h -> nearest rank 6 h; all on time; no re-uploads, letters or objections.
    assert {c["code"]: c["value"] for c in september.components}[
        "ncii_removal_hours_p50"
    ] == "6.0000"
    v1_october = SafetyScore.objects.get(period_kind="month", period_start=OCTOBER.start)
    assert not v1_october.final

    with time_machine.travel(now, tick=False):
        draft = services.methodology_draft(
            actor=staff,
            summary="Faster NCII removal weighs more.",
            formula="Weighted mean.",
            indicators=V2,
        )
        published = services.methodology_publish(
            actor=staff, methodology=draft, closes_at=now + timedelta(days=7)
        )
        services.comment_add(methodology=published, body="Weigh re-uploads too.", client="1.2.3.4")
        with pytest.raises(ValidationError, match="comment period has closed"):
            services.methodology_adopt(actor=staff, methodology=published)
    with time_machine.travel(now + timedelta(days=8), tick=False):
        with pytest.raises(services.CommentRefused):
            services.comment_add(methodology=published, body="Late.", client="1.2.3.4")
        with django_capture_on_commit_callbacks(execute=True):
            adopted = services.methodology_adopt(actor=staff, methodology=published)
    assert adopted.status == Methodology.Status.ADOPTED
    assert adopted.version == 2
    assert Methodology.objects.get(version=1).status == Methodology.Status.SUPERSEDED
    assert [c.body for c in adopted.comments.all()] == ["Weigh re-uploads too."]
    assert set(
        DecisionRecord.objects.filter(
            object_id__in=[str(adopted.pk), str(september.methodology_id)]
        ).values_list("action", flat=True)
    ) >= {
        Action.METHODOLOGY_DRAFT,
        Action.METHODOLOGY_PUBLISH,
        Action.METHODOLOGY_ADOPT,
        Action.METHODOLOGY_SUPERSEDE,
    }

    # Adoption woke a refresh (run in-process in tests): October is scored under version 2.
    v2_october = SafetyScore.objects.get(
        period_kind="month", period_start=OCTOBER.start, methodology=adopted
    )
    assert v2_october.score != v1_october.score
    # Scores published under version 1 are untouched; September (final) has no version 2 score.
    assert SafetyScore.objects.get(pk=september.pk).score == september.score
    assert SafetyScore.objects.get(pk=v1_october.pk).computed_at == v1_october.computed_at
    assert not SafetyScore.objects.filter(
        period_start=SEPTEMBER.start, methodology=adopted
    ).exists()


@pytest.mark.parametrize(
    ("indicators", "message"),
    [
        (
            [{"code": "ncii_removal_hours_p50", "weight": "0.5", "best": "2", "worst": "48"}],
            "sum to 0.5",
        ),
        ([{"code": "likes", "weight": "1", "best": "0", "worst": "1"}], "unknown indicator"),
        (
            [*V2, {"code": "removed_on_time_share", "weight": "0", "best": "1", "worst": "0"}],
            "named twice",
        ),
        (
            [{"code": "ncii_removal_hours_p50", "weight": "1", "best": "48", "worst": "2"}],
            "best must be below",
        ),
        ([{"code": "reupload_rate", "weight": "1", "best": "x", "worst": "1"}], "must be numbers"),
        ([{"code": "reupload_rate", "weight": "1", "best": "NaN", "worst": "1"}], "finite"),
        ([], "at least one"),
    ],
)
def test_a_bad_methodology_is_refused_and_nothing_is_written(supervisor, indicators, message):
    with pytest.raises(ValidationError, match=message):
        services.methodology_draft(
            actor=Actor.staff(supervisor), summary="s", formula="f", indicators=indicators
        )
    assert Methodology.objects.count() == 1
    assert not DecisionRecord.objects.filter(action=Action.METHODOLOGY_DRAFT).exists()


def test_only_supervisors_manage_the_methodology(officer):
    with pytest.raises(ActionForbidden):
        services.methodology_draft(
            actor=Actor.staff(officer), summary="s", formula="f", indicators=V2
        )


def test_a_comment_period_is_7_to_90_days(supervisor):
    staff = Actor.staff(supervisor)
    draft = services.methodology_draft(actor=staff, summary="s", formula="f", indicators=V2)
    with pytest.raises(ValidationError, match="7 to 90 days"):
        services.methodology_publish(actor=staff, methodology=draft, closes_at=T0)
    assert Methodology.objects.get(pk=draft.pk).status == Methodology.Status.DRAFT


@pytest.fixture
def open_version(supervisor):
    staff = Actor.staff(supervisor)
    draft = services.methodology_draft(actor=staff, summary="s", formula="f", indicators=V2)
    from django.utils import timezone

    return services.methodology_publish(
        actor=staff, methodology=draft, closes_at=timezone.now() + timedelta(days=10)
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Write a comment"), ("x" * 2001, "at most 2000"), ("a\x00b", "control characters")],
)
def test_a_bad_comment_is_refused(open_version, body, message):
    with pytest.raises(ValidationError, match=message):
        services.comment_add(methodology=open_version, body=body, client="1.2.3.4")
    assert not MethodologyComment.objects.exists()


def test_comments_are_limited_per_address(open_version):
    for n in range(services.COMMENTS_PER_HOUR):
        services.comment_add(methodology=open_version, body=f"Comment {n}", client="1.2.3.4")
    with pytest.raises(services.CommentRefused) as refused:
        services.comment_add(methodology=open_version, body="One more", client="1.2.3.4")
    assert refused.value.retry_after
    services.comment_add(methodology=open_version, body="Another address", client="5.6.7.8")
    assert MethodologyComment.objects.count() == services.COMMENTS_PER_HOUR + 1


def test_a_score_needs_enough_of_the_weight_measured():
    methodology = Methodology(indicators=V2, min_coverage=Decimal("0.6"))
    assert (
        services.safety_score(methodology=methodology, values={"removed_on_time_share": Decimal(1)})
        is None
    )
    score, coverage, _ = services.safety_score(
        methodology=methodology,
        values={"removed_on_time_share": Decimal("0.9"), "ncii_removal_hours_p50": Decimal(2)},
    )
    # (0.5 * 1 + 0.5 * 0.5) / 1 = 0.75
    assert (score, coverage) == (Decimal("75.0"), Decimal("1.000"))


def test_a_refresh_stores_the_periods_downloads(world, django_assert_num_queries):
    with time_machine.travel(T0 + timedelta(days=40), tick=False):
        services.transparency_refresh(period=OCTOBER)
    assert set(Download.objects.values_list("name", "format")) == {
        ("figures", "csv"),
        ("figures", "json"),
        ("scores", "csv"),
        ("scores", "json"),
    }
    with django_assert_num_queries(1):
        stored = download_text(name="figures", fmt="csv", periods=[OCTOBER])
    assert stored.startswith("period,period_kind,platform_id,platform,metric,dimension,unit,")
    assert stored.count("\n") == Aggregate.objects.count() + 1
    # A period published before downloads were kept is built from its aggregates, the same.
    Download.objects.all().delete()
    assert download_text(name="figures", fmt="csv", periods=[OCTOBER]) == stored
