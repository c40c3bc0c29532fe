from django.db import migrations

from compliance.kernel import append_only

# (code, name, urgent): urgent per MR5 Art. 14(3): terrorism, CSAM, public-order disturbance.
CATEGORIES = [
    ("csam", "Child sexual exploitation and abuse material", True),
    ("ncii", "Non-consensual intimate images and sexual deepfakes", False),
    ("terrorism", "Terrorism and violent extremism", True),
    ("public-order", "Content disturbing public order", True),
    ("gambling", "Online gambling", False),
    ("fraud", "Fraud and scams", False),
    ("privacy", "Privacy violations and doxxing", False),
    ("other", "Other prohibited content", False),
]

AGENCIES = [
    ("Ministry of Communication and Digital Affairs", "ministry"),
    ("Indonesian National Police, Cyber Crime Directorate", "law_enforcement"),
    ("Public complaint channel (aduankonten)", "public"),
]


def load(apps, schema_editor):
    Category = apps.get_model("notices", "ContentCategory")
    Agency = apps.get_model("notices", "Agency")
    for code, name, urgent in CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={"name": name, "urgent": urgent})
    for name, kind in AGENCIES:
        Agency.objects.get_or_create(name=name, defaults={"kind": kind})


def install_triggers(apps, schema_editor):
    append_only.install(schema_editor.connection, "notices_evidence")


def uninstall_triggers(apps, schema_editor):
    append_only.uninstall(schema_editor.connection, "notices_evidence")


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_initial")]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
        migrations.RunPython(install_triggers, uninstall_triggers),
    ]
