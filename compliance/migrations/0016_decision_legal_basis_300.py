from django.db import migrations, models

from compliance.kernel import append_only

RECORDS = "compliance_decisionrecord"


def reinstall_triggers(apps, schema_editor):
    # SQLite rebuilds the table to widen the column, and the rebuild drops its triggers.
    append_only.install(schema_editor.connection, RECORDS)


class Migration(migrations.Migration):
    dependencies = [("compliance", "0015_reupload_notice")]

    operations = [
        migrations.AlterField(
            model_name="decisionrecord",
            name="legal_basis",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.RunPython(reinstall_triggers, migrations.RunPython.noop),
    ]
