from django.db import migrations
from django.utils import timezone


def schedule(apps, schema_editor):
    Interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    every_five_minutes, _ = Interval.objects.get_or_create(every=300, period="seconds")
    PeriodicTask.objects.get_or_create(
        name="Quarantine hash entries whose match rate spiked",
        defaults={
            "task": "fingerprints.entries_watch",
            "interval": every_five_minutes,
            "enabled": True,
        },
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task="fingerprints.entries_watch"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("fingerprints", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
