"""The sweep and the deliverer run every minute, scheduled in django-celery-beat's tables so
operators see and adjust the schedule in the admin."""

from django.db import migrations
from django.utils import timezone

TASKS = [
    ("Escalation sweep (deadlines, fines, registration faults)", "compliance.sweep.writer"),
    ("Deliver notifications from the outbox", "compliance.deliver_notifications"),
]


def schedule(apps, schema_editor):
    Interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    every_minute, _ = Interval.objects.get_or_create(every=60, period="seconds")
    for name, task in TASKS:
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "interval": every_minute, "enabled": True}
        )
    # Tell a running beat that the schedule changed.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task__in=[task for _, task in TASKS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0005_sanctions_outbox"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
