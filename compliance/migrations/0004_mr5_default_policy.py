from django.db import migrations

from compliance.kernel import append_only

MR5_LADDER = [
    {"action": "warning", "period_hours": 24, "urgent_period_hours": 4},
    {"action": "warning_fine", "period_hours": 24, "urgent_period_hours": 4,
     "fine_per_item": "100000000"},
    {"action": "warning_fine", "period_hours": 24, "urgent_period_hours": 4,
     "fine_per_item": "200000000"},
    {"action": "block_proposal", "period_hours": 24, "urgent_period_hours": 4},
]


def create_mr5(apps, schema_editor):
    Policy = apps.get_model("compliance", "EscalationPolicy")
    Version = apps.get_model("compliance", "EscalationPolicyVersion")
    policy, created = Policy.objects.get_or_create(
        name="MR5 (Indonesia)",
        defaults={
            "jurisdiction": "Indonesia",
            "description": "Ministerial Regulation 5/2020 as amended by 10/2021: 24 h notice, "
            "4 h when urgent (Art. 14(3)); three letters one period apart with fines from the "
            "second for UGC platforms (Art. 15(10)-(11)); then an access block (Art. 15(12)).",
            "is_default": True,
            "notice_hours": 24,
            "urgent_notice_hours": 4,
            "ladder": MR5_LADDER,
            "currency": "IDR",
            "fine_cap_per_item": "500000000",
            "fines_only_ugc": True,
            "fine_payment_days": 14,
            "fines_need_approval": False,
            "version": 1,
        },
    )
    if created:
        Version.objects.create(
            policy=policy,
            version=1,
            terms={
                "notice_hours": 24,
                "urgent_notice_hours": 4,
                "ladder": MR5_LADDER,
                "currency": "IDR",
                "fine_cap_per_item": "500000000.00",
                "fines_only_ugc": True,
                "fine_payment_days": 14,
                "fines_need_approval": False,
            },
        )


def install_triggers(apps, schema_editor):
    append_only.install(schema_editor.connection, "compliance_escalationpolicyversion")


def uninstall_triggers(apps, schema_editor):
    append_only.uninstall(schema_editor.connection, "compliance_escalationpolicyversion")


class Migration(migrations.Migration):
    dependencies = [("compliance", "0003_policies")]

    operations = [
        migrations.RunPython(install_triggers, uninstall_triggers),
        migrations.RunPython(create_mr5, migrations.RunPython.noop),
    ]
