"""Letter and fine numbers become running counts (see compliance/counters.py): a sequence on
PostgreSQL, a counter row of year 0 elsewhere. Each starts after the highest number its
yearly counters gave out, so no number already issued is given again.
"""

from django.db import migrations

SEQUENCES = {"letter": "compliance_letter_number", "fine": "compliance_fine_number"}


def create(apps, schema_editor):
    Counter = apps.get_model("compliance", "Counter")
    for name, sequence in SEQUENCES.items():
        issued = max(Counter.objects.filter(name=name).values_list("value", flat=True), default=0)
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"CREATE SEQUENCE {sequence} MINVALUE 1 START {issued + 1}")
        else:
            Counter.objects.create(name=name, year=0, value=issued)


def drop(apps, schema_editor):
    for name, sequence in SEQUENCES.items():
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP SEQUENCE {sequence}")
        else:
            apps.get_model("compliance", "Counter").objects.filter(name=name, year=0).delete()


class Migration(migrations.Migration):
    dependencies = [("compliance", "0009_webhook_schedule")]

    operations = [migrations.RunPython(create, drop)]
