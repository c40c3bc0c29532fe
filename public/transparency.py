"""The public transparency pages and downloads: figures per period and per platform, charts
drawn as SVG beside their tables, scorecards, the gender safety index and its methodology,
with public comments. Read from the aggregates only (transparency/selectors.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from notices.models import Agency, ContentCategory
from public.charts import bar_chart
from public.templatetags.figures import median_text
from registry.models import Platform
from transparency import downloads, selectors
from transparency.display import figure_text as figure
from transparency.metrics import INDICATORS, METRICS, Unit
from transparency.models import Methodology
from transparency.periods import Period
from transparency.services import CommentRefused, comment_add

CACHED_FOR = 24 * 3600
CHARTED = 15  # platforms in each chart (every platform is in the table)
CATEGORY_FIGURES = (
    "orders_issued",
    "removal_hours_p50",
    "removal_hours_p90",
    "removed_on_time_share",
)


def _cached(request: HttpRequest, build: Callable[[], HttpResponse]) -> HttpResponse:
    """A page or download built from the aggregates, kept in the cache until any figure is
    refreshed (the key names the last refresh): most requests cost one small query."""
    key = (
        "transparency:"
        + hashlib.sha256(
            f"{selectors.publications_stamp()}|{request.get_full_path()}".encode()
        ).hexdigest()
    )
    found = cache.get(key)
    if found is not None:
        content, content_type, disposition = found
        response = HttpResponse(content, content_type=content_type)
        if disposition:
            response["Content-Disposition"] = disposition
        return response
    response = build()
    if response.status_code == 200:
        found = (response.content, response["Content-Type"], response.get("Content-Disposition"))
        cache.set(key, found, CACHED_FOR)
    return response


def _error_page(request: HttpRequest, status: int, message: str) -> HttpResponse:
    return render(request, "public/transparency/error.html", {"message": message}, status=status)


def _period(request: HttpRequest) -> tuple[Period, Any] | HttpResponse:
    try:
        return selectors.period_published(key=request.GET.get("period"))
    except ValueError as error:
        return _error_page(request, 400, str(error))
    except selectors.UnknownPeriod as error:
        return _error_page(request, 404, str(error))


def _chart(id: str, title: str, rows: Iterable[tuple[str, selectors.Value | None]]) -> Any:
    rows = list(rows)
    unit = rows[0][1].metric.unit if rows and rows[0][1] else Unit.COUNT
    return bar_chart(
        id=id,
        title=title,
        rows=[(label, value.shown if value else None, figure(value)) for label, value in rows],
        unit=unit.value,
    )


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return _cached(request, lambda: _home(request))


def _home(request: HttpRequest) -> HttpResponse:
    if not request.GET.get("period") and not selectors.periods_published():
        return render(request, "public/transparency/empty.html")
    chosen = _period(request)
    if isinstance(chosen, HttpResponse):
        return chosen
    period, publication = chosen
    national, platforms = selectors.overview(period=period)
    names = dict(ContentCategory.objects.values_list("code", "name"))
    kinds = dict(Agency.Kind.choices)
    categories = [
        (names.get(code, code), values)
        for code, values in selectors.breakdown(
            period=period, metrics=CATEGORY_FIGURES, kind="category"
        )
    ]
    requesters = [
        (kinds.get(kind, kind), values)
        for kind, values in selectors.breakdown(
            period=period, metrics=("orders_issued",), kind="requester"
        )
    ]
    scores = selectors.safety_scores(period=period)
    charted = platforms[:CHARTED]
    charts = {
        "orders": _chart(
            "chart-orders",
            "Removal orders issued, per platform",
            ((p.name, f.get("orders_issued")) for p, f in charted),
        ),
        "removal": _chart(
            "chart-removal",
            "Median hours to removal, per platform",
            ((p.name, f.get("removal_hours_p50")) for p, f in charted),
        ),
        "on_time": _chart(
            "chart-on-time",
            "Share removed within the deadline, per platform",
            ((p.name, f.get("removed_on_time_share")) for p, f in charted),
        ),
        "categories": _chart(
            "chart-categories",
            "Removal orders issued, per content category",
            ((name, v.get("orders_issued")) for name, v in categories),
        ),
        "scores": bar_chart(
            id="chart-scores",
            title="Gender safety index, per platform (0-100, higher is safer)",
            rows=[(s.platform.name, s.score, f"{s.score}") for s in scores[:CHARTED]],
            unit="score",
        ),
    }
    return render(
        request,
        "public/transparency/home.html",
        {
            "period": period,
            "final": publication.final,
            "refreshed_at": publication.refreshed_at,
            "periods": selectors.periods_published(),
            "columns": selectors.OVERVIEW,
            "national": national,
            "platforms": platforms,
            "categories": categories,
            "category_figures": CATEGORY_FIGURES,
            "requesters": requesters,
            "scores": scores,
            "charts": charts,
        },
    )


@require_safe
def platform_scorecard(request: HttpRequest, platform_id: int) -> HttpResponse:
    return _cached(request, lambda: _platform_scorecard(request, platform_id))


def _platform_scorecard(request: HttpRequest, platform_id: int) -> HttpResponse:
    platform = Platform.objects.filter(pk=platform_id).first()
    if platform is None:
        return _error_page(request, 404, "There is no such platform.")
    chosen = _period(request)
    if isinstance(chosen, HttpResponse):
        return chosen
    period, publication = chosen
    lines = selectors.scorecard(platform=platform, period=period)
    if not any(line.own.value is not None or line.own.hidden for line in lines):
        return _error_page(request, 404, f"{platform.name} has no figures for {period.label()}.")
    score = selectors.safety_score_of(platform=platform, period=period)
    charted = {"orders_issued": "Orders", "items_ordered": "Items", "letters_sent": "Letters"}
    chart = bar_chart(
        id="chart-scorecard",
        title=f"{platform.name} against the median platform: orders, items and letters",
        rows=[
            row
            for line in lines
            if line.metric.code in charted
            for row in (
                (f"{charted[line.metric.code]}: {platform.name}", line.own.shown, figure(line.own)),
                (f"{charted[line.metric.code]}: median", line.median, median_text(line)),
            )
        ],
        unit="count",
    )
    return render(
        request,
        "public/transparency/platform.html",
        {
            "platform": platform,
            "period": period,
            "final": publication.final,
            "lines": lines,
            "score": score,
            "indicators": {i.code: i for i in INDICATORS},
            "chart": chart,
            "periods": selectors.periods_published(),
        },
    )


@require_safe
def methodology(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/transparency/methodology.html",
        {
            "versions": selectors.methodologies_public(),
            "indicators": {i.code: i for i in INDICATORS},
            "metrics": METRICS,
            "comment_max": 2000,
            "thanks": request.GET.get("commented") == "1",
        },
    )


@require_POST
def methodology_comment(request: HttpRequest, version: int) -> HttpResponse:
    chosen = get_object_or_404(
        Methodology.objects.exclude(status=Methodology.Status.DRAFT), version=version
    )
    try:
        comment_add(
            methodology=chosen,
            body=request.POST.get("body", ""),
            client=request.META.get("REMOTE_ADDR", ""),
        )
    except ValidationError as error:
        return _error_page(request, 400, " ".join(error.messages))
    except CommentRefused as refused:
        response = _error_page(request, 429 if refused.retry_after else 409, str(refused))
        if refused.retry_after:
            response["Retry-After"] = str(refused.retry_after)
        return response
    return HttpResponseRedirect(
        reverse("public:transparency-methodology") + f"?commented=1#version-{version}", status=303
    )


@require_safe
def data_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/transparency/data.html",
        {
            "metrics": METRICS,
            "columns": selectors.DOWNLOAD_COLUMNS,
            "score_columns": selectors.SCORE_COLUMNS,
            "periods": selectors.periods_published(),
        },
    )


def _problem(status: int, title: str, detail: str) -> JsonResponse:
    return JsonResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status=status,
        content_type="application/problem+json",
    )


def _periods(request: HttpRequest) -> list[Period] | JsonResponse:
    """`?period=2026-10`, or `?from=2026-01&to=2026-06`, or the latest published month."""
    first, last = request.GET.get("from"), request.GET.get("to")
    try:
        if first or last:
            if not (first and last):
                raise ValueError("give both from and to (2026-01 and 2026-06)")
            return selectors.periods_between(first=first, last=last)
        return [selectors.period_published(key=request.GET.get("period"))[0]]
    except ValueError as error:
        return _problem(400, "Bad period", str(error))
    except selectors.UnknownPeriod as error:
        return _problem(404, "Unknown period", str(error))


CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def _download(name: str) -> Callable[[HttpRequest, str], HttpResponse]:
    def build(request: HttpRequest, fmt: str) -> HttpResponse:
        periods = _periods(request)
        if isinstance(periods, JsonResponse):
            return periods
        text = downloads.download_text(name=name, fmt=fmt, periods=periods)
        response = HttpResponse(text, content_type=CONTENT_TYPES[fmt])
        if fmt == "csv":
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response

    @require_safe
    def view(request: HttpRequest, fmt: str) -> HttpResponse:
        return _cached(request, lambda: build(request, fmt))

    return view


figures_download = _download("figures")
scores_download = _download("scores")


@require_safe
def periods_download(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "periods": [
                {"period": p.key, "period_kind": p.kind.value, "final": final}
                for p, final in selectors.periods_published()
            ]
        }
    )


@require_safe
def metrics_download(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "metrics": [
                {
                    "metric": m.code,
                    "label": m.label,
                    "unit": m.unit.value,
                    "description": m.description,
                    "dimensions": [d or "total" for d in m.dimensions],
                }
                for m in METRICS
            ]
        }
    )
