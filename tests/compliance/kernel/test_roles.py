import pytest
from django.contrib.auth.models import Group

from compliance.kernel.roles import AUDITOR, OFFICER, SUPERVISOR, role_permissions, roles_sync


def _perms(role: str) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=role).permissions.select_related("content_type")
    }


def test_roles_exist_with_exactly_their_permissions(db):
    wanted = role_permissions()
    for role in (OFFICER, SUPERVISOR, AUDITOR):
        assert _perms(role) == wanted[role]


def test_auditor_only_reads(db):
    perms = _perms(AUDITOR)
    assert perms
    assert all(".view_" in p for p in perms)
    assert "registry.view_platform" in perms
    assert "compliance.view_decisionrecord" in perms


def test_only_supervisors_sanction(db):
    assert "registry.sanction_platform" in _perms(SUPERVISOR)
    assert "registry.sanction_platform" not in _perms(OFFICER)
    assert _perms(OFFICER) < _perms(SUPERVISOR)


def test_sync_is_idempotent_and_repairs_drift(db):
    Group.objects.get(name=AUDITOR).permissions.clear()
    roles_sync()
    roles_sync()
    assert _perms(AUDITOR) == role_permissions()[AUDITOR]
    assert Group.objects.filter(name__in=[OFFICER, SUPERVISOR, AUDITOR]).count() == 3


def test_a_role_naming_an_unknown_permission_fails_loudly(db, monkeypatch):
    from compliance.kernel import roles

    monkeypatch.setattr(roles, "OFFICER_PERMISSIONS", {"registry.fly_to_the_moon"})
    with pytest.raises(LookupError, match="fly_to_the_moon"):
        roles_sync()
