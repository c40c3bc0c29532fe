from django.urls import path, re_path

from public import letters, transparency, views

app_name = "public"
urlpatterns = [
    path("verify/", letters.verify, name="verify"),
    path("verify/checkpoints/", views.checkpoints_page, name="checkpoints"),
    path("verify/checkpoints.json", views.checkpoints_json, name="checkpoints-json"),
    path("verify/checkpoints.jsonl", views.checkpoints_lines, name="checkpoints-jsonl"),
    path("transparency/", transparency.home, name="transparency"),
    path(
        "transparency/platforms/<int:platform_id>/",
        transparency.platform_scorecard,
        name="transparency-platform",
    ),
    path("transparency/methodology/", transparency.methodology, name="transparency-methodology"),
    path(
        "transparency/methodology/<int:version>/comments/",
        transparency.methodology_comment,
        name="transparency-comment",
    ),
    path("transparency/data/", transparency.data_index, name="transparency-data"),
    re_path(
        r"^transparency/data/figures\.(?P<fmt>csv|json)$",
        transparency.figures_download,
        name="transparency-figures",
    ),
    re_path(
        r"^transparency/data/scores\.(?P<fmt>csv|json)$",
        transparency.scores_download,
        name="transparency-scores",
    ),
    path(
        "transparency/data/periods.json", transparency.periods_download, name="transparency-periods"
    ),
    path(
        "transparency/data/metrics.json", transparency.metrics_download, name="transparency-metrics"
    ),
]
