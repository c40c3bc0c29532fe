from django.db import migrations
from django.utils import timezone


def schedule(apps, schema_editor):
    Interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    every_minute, _ = Interval.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.get_or_create(
        name="Render official letters",
        defaults={"task": "compliance.render_letters", "interval": every_minute, "enabled": True},
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task="compliance.render_letters"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0023_official_letters"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
