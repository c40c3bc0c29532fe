"""Staff roles (DESIGN §2) as groups with exact permission sets.

The groups are created by a migration; their permissions are set here after every `migrate`
(post_migrate), because Django itself creates model permissions only then.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

OFFICER, SUPERVISOR, AUDITOR = "officer", "supervisor", "auditor"
ROLES = (OFFICER, SUPERVISOR, AUDITOR)
# An agency's staff (agencies.AgencyMember): their agency's requests and referrals only, which
# the admin scopes to the agency; they act as the agency, never with the regulator's powers.
AGENCY_STAFF = "agency staff"
AGENCY_STAFF_PERMISSIONS = {
    "agencies.view_takedownrequest",
    "agencies.add_takedownrequest",
    "agencies.view_referral",
    "agencies.change_referral",
    "agencies.view_datarequest",
    "agencies.add_datarequest",
}

# Everything an admin page shows; auditors read these and nothing else. Celery's schedules,
# users and groups are the administrators' (superusers): no role's navigation lists them.
READABLE_APPS = (
    "registry",
    "notices",
    "compliance",
    "fingerprints",
    "transparency",
    "agencies",
    "assessments",
)

OFFICER_PERMISSIONS = {
    "registry.add_platform",
    "registry.change_platform",
    "registry.manage_registration",
    "registry.add_platformdomain",
    "registry.change_platformdomain",
    "registry.delete_platformdomain",
    "registry.add_platformcontact",
    "registry.change_platformcontact",
    "registry.delete_platformcontact",
    "registry.add_platformapp",
    "registry.change_platformapp",
    "registry.delete_platformapp",
    "notices.add_removalorder",
    "notices.change_removalorder",
    "notices.issue_order",
    "notices.verify_order",
    "notices.add_orderitem",
    "notices.delete_orderitem",
    "notices.add_evidence",
    "notices.decide_objection",
    "notices.add_agency",
    "notices.change_agency",
    "compliance.confirm_payment",
    "compliance.add_accessblock",
    "compliance.add_registrationsanction",
    "compliance.add_normalizationrequest",
    "compliance.add_sanctionrelease",
    "compliance.change_officialletter",
    "registry.add_apikey",
    "registry.change_apikey",
    "fingerprints.manage_hash_lists",
    "agencies.add_agencykey",
    "agencies.change_agencykey",
    "agencies.triage_takedownrequest",
    "agencies.add_referral",
    "agencies.add_datarequest",
    "assessments.add_riskassessment",
    "assessments.review_riskassessment",
}
SUPERVISOR_PERMISSIONS = OFFICER_PERMISSIONS | {
    "registry.sanction_platform",
    "registry.designate_platform",
    "compliance.approve_sanction",
    "compliance.add_escalationpolicy",
    "compliance.change_escalationpolicy",
    "notices.change_contentcategory",
    "transparency.manage_methodology",
    "compliance.add_publicholiday",
    "compliance.change_publicholiday",
    "compliance.delete_publicholiday",
}


def _view_permissions() -> set[str]:
    return {
        f"{model._meta.app_label}.view_{model._meta.model_name}"
        for label in READABLE_APPS
        for model in global_apps.get_app_config(label).get_models()
    }


def role_permissions() -> dict[str, set[str]]:
    view = _view_permissions()
    return {
        OFFICER: view | OFFICER_PERMISSIONS,
        SUPERVISOR: view | SUPERVISOR_PERMISSIONS,
        # Auditors read everything, the answers platforms give to data requests included.
        AUDITOR: view | {"agencies.view_dataanswer"},
        AGENCY_STAFF: AGENCY_STAFF_PERMISSIONS,
    }


def roles_sync(**kwargs: object) -> None:
    """Give each role exactly its permissions; a permission named here that is missing is a bug."""
    for label in READABLE_APPS:
        create_permissions(global_apps.get_app_config(label), verbosity=0)
    wanted = role_permissions()
    every = {p for perms in wanted.values() for p in perms}
    by_name = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type")
    }
    missing = every - set(by_name)
    if missing:
        raise LookupError(f"roles name unknown permissions: {sorted(missing)}")
    for role, perms in wanted.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([by_name[p] for p in perms])
