from django.db import migrations

from compliance.kernel import append_only

TABLE = "compliance_decisionrecord"


def install_triggers(apps, schema_editor):
    append_only.install(schema_editor.connection, TABLE)


def uninstall_triggers(apps, schema_editor):
    append_only.uninstall(schema_editor.connection, TABLE)


def create_chain_head(apps, schema_editor):
    apps.get_model("compliance", "DecisionChainHead").objects.get_or_create(pk=1)


def create_groups(apps, schema_editor):
    # Permissions are given to the groups after migrate (compliance.kernel.roles.roles_sync).
    Group = apps.get_model("auth", "Group")
    for name in ("officer", "supervisor", "auditor"):
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(install_triggers, uninstall_triggers),
        migrations.RunPython(create_chain_head, migrations.RunPython.noop),
        migrations.RunPython(create_groups, migrations.RunPython.noop),
    ]
