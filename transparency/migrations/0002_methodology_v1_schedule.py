from django.db import migrations
from django.utils import timezone

# The index as shipped: a regulator consults on its own version before adopting it
# (docs/transparency.md); scores name the version they used.
V1_INDICATORS = [
    {"code": "ncii_removal_hours_p50", "weight": "0.35", "best": "4", "worst": "72"},
    {"code": "removed_on_time_share", "weight": "0.25", "best": "1", "worst": "0.5"},
    {"code": "reupload_rate", "weight": "0.15", "best": "0", "worst": "0.2"},
    {"code": "letters_per_order", "weight": "0.15", "best": "0", "worst": "1"},
    {"code": "objections_overturned_share", "weight": "0.10", "best": "0", "worst": "1"},
]
V1_FORMULA = (
    "Each indicator is normalized to 0-1: (worst - value) / (worst - best), clamped, so the "
    "best threshold scores 1 and the worst 0. The score is 100 times the weighted mean of the "
    "indicators measured for the platform in the period (weights re-scaled over those "
    "measured); a platform whose measured indicators carry less than 60% of the weight gets "
    "no score. Indicators resting on a figure withheld as fewer than 5 are not measured."
)
V1_SUMMARY = (
    "First version: how fast non-consensual intimate images and deepfakes come down, "
    "deadlines met, content coming back, escalation needed and objections overturned."
)


def methodology_v1(apps, schema_editor):
    Methodology = apps.get_model("transparency", "Methodology")
    if not Methodology.objects.exists():
        Methodology.objects.create(
            version=1,
            status="adopted",
            summary=V1_SUMMARY,
            formula=V1_FORMULA,
            indicators=V1_INDICATORS,
            min_coverage="0.600",
            adopted_at=timezone.now(),
        )


def schedule(apps, schema_editor):
    Interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    hourly, _ = Interval.objects.get_or_create(every=3600, period="seconds")
    PeriodicTask.objects.get_or_create(
        name="Refresh the transparency figures",
        defaults={"task": "transparency.refresh", "interval": hourly, "enabled": True},
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task="transparency.refresh"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("transparency", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(methodology_v1, migrations.RunPython.noop),
        migrations.RunPython(schedule, unschedule),
    ]
