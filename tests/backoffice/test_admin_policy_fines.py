"""A ladder rung's fine rule (other than per item) edited in the admin's rows: shown as its
JSON, kept when the policy is saved again, and a broken one refused naming the step."""

from __future__ import annotations

import json

from django.test import Client
from django.urls import reverse

from compliance.kernel.actors import Actor
from compliance.models import EscalationPolicy
from compliance.policies import mr5
from compliance.policies.services import policy_save

RULE = {"rule": "turnover_share", "share": "0.06"}


def _form(policy: EscalationPolicy, fine: str) -> dict[str, str]:
    return {
        "name": policy.name,
        "jurisdiction": "European Union",
        "description": "",
        "notice_hours": "24",
        "urgent_notice_hours": "1",
        "ladder-rows": "1",
        "ladder-1-action": "warning_fine",
        "ladder-1-period": "1",
        "ladder-1-unit": "days",
        "ladder-1-fine": fine,
        "ladder-1-legal_basis": "EU DSA Art. 74(1)",
        "currency": "EUR",
        "fine_cap_per_item": "500000000",
        "fine_payment_days": "30",
        "registration_update_days": "14",
        "registration_warning_days": "7",
        "suspension_days": "7",
        "unregistered_notice_days": "7",
        "registration_period_unit": "days",
        "normalization_decision_hours": "48",
        "data_request_days": "5",
        "data_request_ladder": json.dumps(mr5.DATA_LADDER),
        "risk_assessment_ladder": json.dumps(mr5.RISK_LADDER),
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": "0",
    }


def test_a_fine_rule_survives_an_edit_in_the_rows(supervisor):
    policy = EscalationPolicy(
        name="DSA-like",
        currency="EUR",
        ladder=[{"action": "warning_fine", "period_days": 1, "fine": RULE}],
    )
    policy_save(policy=policy, actor=Actor.staff(supervisor))
    client = Client()
    client.force_login(supervisor)
    url = reverse("admin:compliance_escalationpolicy_change", args=[policy.pk])
    page = client.get(url).content.decode()
    assert "&quot;turnover_share&quot;" in page  # the rule, as JSON in its row

    saved = client.post(url, _form(policy, json.dumps(RULE)))
    assert saved.status_code == 302
    policy.refresh_from_db()
    assert policy.ladder[0]["fine"] == RULE
    assert policy.version == 2

    refused = client.post(url, _form(policy, "6% of turnover"))
    assert refused.status_code == 200
    assert "Step 1: fine: an object with its rule." in refused.content.decode()
    policy.refresh_from_db()
    assert policy.version == 2
