from django.db import migrations

# MR5's ladder with each rung's legal basis, as compliance/policies/mr5.py defines it (this
# frozen copy is tested equal to it).
MR5_LADDER = [
    {
        "action": "warning",
        "period_hours": 24,
        "urgent_period_hours": 4,
        "legal_basis": "MR5 Art. 15(11) and 16(12) (first warning letter)"
    },
    {
        "action": "warning_fine",
        "period_hours": 24,
        "urgent_period_hours": 4,
        "fine_per_item": "100000000",
        "legal_basis": "MR5 Art. 15(10)-(11) (second warning letter, administrative fine)"
    },
    {
        "action": "warning_fine",
        "period_hours": 24,
        "urgent_period_hours": 4,
        "fine_per_item": "200000000",
        "legal_basis": "MR5 Art. 15(10)-(11) (third warning letter, administrative fine)"
    },
    {
        "action": "block_proposal",
        "period_hours": 24,
        "urgent_period_hours": 4,
        "legal_basis": "MR5 Art. 15(12), 16(13), 18-19 (access termination)"
    }
]


def cite_rungs(apps, schema_editor):
    """The default policy, if still as shipped, gets a new version whose rungs cite their
    rules; orders issued before keep the version they were issued under."""
    Policy = apps.get_model("compliance", "EscalationPolicy")
    Version = apps.get_model("compliance", "EscalationPolicyVersion")
    policy = Policy.objects.filter(name="MR5 (Indonesia)").first()
    if policy is None or any("legal_basis" in step for step in policy.ladder):
        return
    shipped = [{k: v for k, v in step.items() if k != "legal_basis"} for step in MR5_LADDER]
    if policy.ladder != shipped:
        return  # edited by the regulator: theirs to cite
    latest = Version.objects.filter(policy=policy).order_by("-version").first()
    policy.ladder = MR5_LADDER
    policy.version = (latest.version if latest else 0) + 1
    policy.save(update_fields=["ladder", "version"])
    terms = dict(latest.terms) if latest else {}
    terms["ladder"] = MR5_LADDER
    Version.objects.create(policy=policy, version=policy.version, terms=terms)


class Migration(migrations.Migration):
    dependencies = [("compliance", "0021_conditional_normalization")]

    operations = [migrations.RunPython(cite_rungs, migrations.RunPython.noop)]
