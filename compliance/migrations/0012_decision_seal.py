"""Seal the decision record: a MAC on every record and signed checkpoints (issue 11).

Records written before this migration get their MAC here, so from now on every record must
carry a valid one; what they said before cannot be proven by this, only what they say now.
"""

from django.db import migrations, models

from compliance.kernel import append_only
from compliance.kernel.keys import record_mac_maker

RECORDS = "compliance_decisionrecord"
CHECKPOINTS = "compliance_decisioncheckpoint"


def seal_existing(apps, schema_editor):
    import hmac

    connection = schema_editor.connection
    key, digest = record_mac_maker()
    # The triggers refuse every UPDATE; lifted for this one fill, then put back (SQLite also
    # rebuilt the table for the new column and dropped them).
    append_only.uninstall(connection, RECORDS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, seq, hash FROM {RECORDS} ORDER BY seq")
        rows = cursor.fetchall()
        cursor.executemany(
            f"UPDATE {RECORDS} SET mac = %s WHERE id = %s",
            [
                (hmac.new(key, f"{seq}:{value}".encode(), digest).hexdigest(), pk)
                for pk, seq, value in rows
            ],
        )
    append_only.install(connection, RECORDS)
    append_only.install(connection, CHECKPOINTS)


def unseal(apps, schema_editor):
    append_only.uninstall(schema_editor.connection, CHECKPOINTS)


class Migration(migrations.Migration):
    dependencies = [("compliance", "0011_sanction_indexes")]

    operations = [
        migrations.AddField(
            model_name="decisionrecord",
            name="mac",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="DecisionCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.PositiveBigIntegerField()),
                ("hash", models.CharField(max_length=64)),
                ("created_at", models.DateTimeField()),
                ("key_id", models.CharField(max_length=16)),
                ("signature", models.CharField(max_length=100)),
            ],
            options={
                "ordering": ["-seq"],
                "get_latest_by": "seq",
                "constraints": [models.UniqueConstraint(fields=("seq",), name="checkpoint_seq_unique")],
            },
        ),
        migrations.RunPython(seal_existing, unseal),
    ]
