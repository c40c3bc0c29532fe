"""Who may do what in the admin: every transition and action button, forged as a POST by every
role, against a table written out by hand.

The table is checked against the admin itself: a button added without a row here fails the
test. "Allowed" is read from the audit trail (every write appends a decision record in its own
transaction), so a refusal that still wrote something would show.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies import services as agencies
from backoffice.transitions import TransitionAdmin
from compliance.kernel.actors import Actor
from compliance.models import AccessBlock, DecisionRecord, EscalationPolicy, Fine
from compliance.policies.services import policy_save
from compliance.sanctions import services as sanctions
from compliance.sweep.claim import orders_sweep
from fingerprints import services as fingerprints
from fingerprints.models import HashEntry, HashList
from notices import services as notices
from notices.models import Agency, ContentCategory, RemovalOrder
from registry import changes, standing
from registry import services as registry
from registry.models import Platform
from tests.support import images
from tests.support.assessments import assessment_for
from transparency import services as transparency
from transparency.models import Methodology

# "agency": a member of the law-enforcement agency's staff, acting for it in the admin.
ROLES = ("anonymous", "auditor", "officer", "supervisor", "supervisor2", "agency")
AGENCY = {"agency"}
STAFF = {"officer", "supervisor", "supervisor2"}
SUPERVISORS = {"supervisor", "supervisor2"}
NOBODY: set[str] = set()
# The second pair of eyes: "supervisor" proposed (or requested) it, so only "supervisor2" may.
OTHER_SUPERVISOR = {"supervisor2"}

# (model, button, scenario, the roles whose POST takes effect)
CASES: list[tuple[str, str, str, set[str]]] = [
    ("registry.platform", "file_application", "platform_unregistered", STAFF),
    ("registry.platform", "approve", "platform_pending", STAFF),
    ("registry.platform", "reject", "platform_pending", STAFF),
    ("registry.platform", "require_update", "platform_registered", STAFF),
    ("registry.platform", "accept_update", "platform_update_required", STAFF),
    ("registry.platform", "warn", "platform_update_required", STAFF),
    ("registry.platform", "notify_unregistered", "platform_unregistered", STAFF),
    ("registry.platform", "create_api_key", "platform_registered", STAFF),
    ("registry.platform", "declare_turnover", "platform_registered", STAFF),
    ("registry.platform", "designate", "platform_registered", SUPERVISORS),
    ("registry.platformdesignation", "end", "designation", SUPERVISORS),
    ("assessments.riskassessment", "finding", "assessment_submitted", STAFF),
    ("assessments.riskassessment", "measure", "assessment_submitted", STAFF),
    ("registry.platform", "propose_block", "platform_registered", STAFF),
    ("registry.platform", "propose_direct_block", "platform_registered", SUPERVISORS),
    ("registry.apikey", "revoke", "api_key", STAFF),
    ("notices.agency", "create_api_key", "agency", STAFF),
    ("agencies.agencykey", "revoke", "agency_key", STAFF),
    ("agencies.takedownrequest", "accept", "takedown_submitted", STAFF),
    ("agencies.takedownrequest", "decline", "takedown_submitted", STAFF),
    ("agencies.takedownrequest", "merge", "takedown_with_draft", STAFF),
    # Only the agency the case was referred to answers it.
    ("agencies.referral", "acknowledge", "referral_referred", AGENCY),
    ("agencies.referral", "outcome", "referral_acknowledged", AGENCY),
    ("registry.registrationchange", "accept", "change_submitted", STAFF),
    ("registry.registrationchange", "return", "change_submitted", STAFF),
    ("notices.removalorder", "issue", "order_draft", STAFF),
    ("notices.removalorder", "refer", "order_issued", STAFF),
    ("notices.removalorder", "acknowledge", "order_issued", STAFF),  # recorded for the platform
    ("notices.removalorder", "close", "order_complied", STAFF),
    ("notices.removalorder", "reopen", "order_closed", STAFF),
    ("notices.removalorder", "withdraw", "order_issued", STAFF),
    ("notices.removalorder", "import_items", "order_draft", STAFF),
    ("notices.removalorder", "add_evidence", "order_issued", STAFF),
    ("notices.removalorder", "pause_clock", "order_issued", STAFF),
    ("notices.removalorder", "resume_clock", "order_paused", STAFF),
    ("notices.removalorder", "hash_list", "order_with_image", STAFF),
    ("notices.removalorder", "confirm_match", "order_reupload_perceptual", STAFF),
    ("fingerprints.hashlist", "import", "hash_list", STAFF),
    ("fingerprints.hashlist", "restrict", "hash_list", STAFF),
    ("fingerprints.hashentry", "withdraw", "hash_entry", STAFF),
    ("fingerprints.hashentry", "release", "hash_entry_quarantined", STAFF),
    ("fingerprints.hashentry", "reupload", "hash_entry", STAFF),
    ("transparency.methodology", "publish", "methodology_draft", SUPERVISORS),
    ("transparency.methodology", "adopt", "methodology_closed", SUPERVISORS),
    ("notices.objection", "uphold", "objection_open", STAFF),
    ("notices.objection", "reject", "objection_open", STAFF),
    ("compliance.accessblock", "approve", "block_proposed", OTHER_SUPERVISOR),
    ("compliance.accessblock", "reject", "block_proposed", OTHER_SUPERVISOR),
    ("compliance.accessblock", "propose_lift", "block_in_force", STAFF),
    ("compliance.accessblock", "open_temporarily", "block_in_force", SUPERVISORS),
    ("compliance.accessblock", "request_normalization", "block_in_force", STAFF),
    ("compliance.fine", "approve", "fine_proposed", SUPERVISORS),
    ("compliance.fine", "reject", "fine_proposed", SUPERVISORS),
    ("compliance.fine", "propose_waiver", "fine_assessed", STAFF),
    ("compliance.fine", "confirm_payment", "fine_declared", STAFF),
    ("compliance.registrationsanction", "approve", "registration_sanction", SUPERVISORS),
    ("compliance.registrationsanction", "reject", "registration_sanction", SUPERVISORS),
    ("compliance.normalizationrequest", "grant", "normalization_ready", OTHER_SUPERVISOR),
    ("compliance.normalizationrequest", "refuse", "normalization_ready", OTHER_SUPERVISOR),
    (
        "compliance.normalizationrequest",
        "grant_conditionally",
        "normalization_ready",
        OTHER_SUPERVISOR,
    ),
    ("compliance.normalizationrequest", "verify", "normalization_conditional", STAFF),
    # Lifting a block or waiving a fine: proposed by anyone on staff, approved by another.
    ("compliance.sanctionrelease", "approve", "lift_proposed", OTHER_SUPERVISOR),
    ("compliance.sanctionrelease", "reject", "lift_proposed", OTHER_SUPERVISOR),
]

PNG = images.TINY_PNG


def _buttons() -> set[tuple[str, str]]:
    found = set()
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, TransitionAdmin):
            label = model._meta.label_lower
            found |= {(label, name) for name in model_admin.transition_services}
            found |= {(label, name) for name in model_admin.object_actions}
    return found


def test_every_admin_button_has_a_row_in_the_table():
    assert {(m, b) for m, b, _, _ in CASES} == _buttons()


class World:
    """Objects in the state each button needs, made through the services."""

    def __init__(self, users: dict[str, User], make_order: Callable, make_platform: Callable):
        self.users = users
        self.make_order = make_order
        self.make_platform = make_platform
        self.officer = Actor.staff(users["officer"])
        self.supervisor = Actor.staff(users["supervisor"])

    def platform_unregistered(self) -> Platform:
        return self.make_platform(registered=False)

    def platform_pending(self) -> Platform:
        return registry.platform_file_application(
            platform=self.make_platform(registered=False), actor=self.officer
        )

    def platform_registered(self) -> Platform:
        return self.make_platform()

    def platform_update_required(self) -> Platform:
        return registry.platform_require_update(
            platform=self.make_platform(), actor=self.officer, reason="A director changed."
        )

    def designation(self) -> Any:
        return standing.designation_record(
            actor=self.supervisor,
            platform=self.make_platform(),
            kind="risk_assessment",
            basis="decision",
            decision_reference="KEP-1/2026",
            effective_from=date(2026, 1, 1),
        )

    def assessment_submitted(self) -> Any:
        return assessment_for(self.make_platform(), submitted=True)[0]

    def change_submitted(self) -> Any:
        platform = self.make_platform()
        return changes.registration_change_declare(
            platform=platform,
            actor=Actor.of_platform(platform),
            description="A new office.",
            record={"data_location": "Jakarta"},
        )

    def agency(self) -> Any:
        return Agency.objects.get(kind="law_enforcement")

    def agency_key(self) -> Any:
        key, _ = agencies.agency_key_create(agency=self.agency(), actor=self.officer, name="k")
        return key

    def takedown_submitted(self) -> Any:
        agency = self.agency()
        return agencies.takedown_request_submit(
            agency=agency,
            actor=Actor.of_agency(agency.pk),
            category="ncii",
            legal_basis="MR5 Art. 14(1)",
            urls=[f"https://{self.make_platform().domains.get().domain}/x"],
        )

    def takedown_with_draft(self) -> Any:
        """A request, and a draft order on its URL's platform to merge it into."""
        request = self.takedown_submitted()
        platform = request.items.get().platform
        self.make_order(issued=False, platform=platform)
        return request

    def referral_referred(self) -> Any:
        return agencies.referral_create(
            order=self.make_order(), agency=self.agency(), actor=self.officer, reason="CSAM."
        )

    def referral_acknowledged(self) -> Any:
        referral = self.referral_referred()
        return agencies.referral_acknowledge(
            referral=referral, actor=Actor.of_agency(referral.agency_id)
        )

    def api_key(self) -> Any:
        key, _ = registry.api_key_create(
            platform=self.make_platform(), actor=self.officer, name="production"
        )
        return key

    def order_draft(self) -> Any:
        return self.make_order(issued=False)

    def order_issued(self) -> Any:
        return self.make_order()

    def order_complied(self) -> Any:
        order = self.make_order()
        return notices.order_items_report(
            order=order,
            actor=Actor.of_platform(order.platform),
            reports=[notices.ItemReport(item_id=i.pk, action="removed") for i in order.items.all()],
        )

    def order_closed(self) -> Any:
        return notices.order_close(order=self.order_complied(), actor=self.officer)

    def order_paused(self) -> Any:
        return notices.order_clock_pause(
            order=self.make_order(), actor=self.officer, reason="Court hearing."
        )

    def hash_list(self) -> HashList:
        return fingerprints.hash_list_create(
            actor=self.officer, name="matrix", category=ContentCategory.objects.get(code="ncii")
        )

    def order_with_image(self) -> Any:
        order = self.make_order(category="ncii")
        self.hash_list()
        notices.evidence_add(
            order=order,
            actor=self.officer,
            file=SimpleUploadedFile("capture.png", images.png_bytes(images.shapes(1))),
            captured_at=timezone.now(),
        )
        return order

    def hash_entry(self) -> HashEntry:
        self.make_platform()  # where it is found again
        [entry] = fingerprints.hash_entries_add(
            actor=self.officer,
            hash_list=self.hash_list(),
            hashes=[fingerprints.HashInput("pdq", "0f" * 32)],
        )
        return entry

    def hash_entry_quarantined(self) -> HashEntry:
        return fingerprints._entry_move(
            self.hash_entry(), "quarantine", fingerprints.WATCH, "Spike."
        )

    def order_reupload_perceptual(self) -> Any:
        platform = self.make_platform()
        return fingerprints.reupload_order_open(
            actor=self.officer,
            entry=self.hash_entry(),
            platform=platform,
            url=f"https://{platform.domains.first().domain}/again",
        )

    def methodology_draft(self) -> Methodology:
        return transparency.methodology_draft(
            actor=self.supervisor,
            summary="Matrix.",
            formula="Weighted mean.",
            indicators=[{"code": "reupload_rate", "weight": "1", "best": "0", "worst": "1"}],
        )

    def methodology_closed(self) -> Methodology:
        """Opened for comment ten days ago, closed three days ago."""
        draft = self.methodology_draft()
        with time_machine.travel(timezone.now() - timedelta(days=10), tick=False):
            return transparency.methodology_publish(
                actor=self.supervisor,
                methodology=draft,
                closes_at=timezone.now() + timedelta(days=7),
            )

    def objection_open(self) -> Any:
        order = self.make_order()
        return notices.objection_file(
            order=order,
            actor=Actor.of_platform(order.platform),
            reason="This is satire.",
            items=list(order.items.all()),
        )

    def block_proposed(self) -> AccessBlock:
        return sanctions.access_block_propose(
            platform=self.make_platform(), actor=self.supervisor, reason="Repeated refusals."
        )

    def block_in_force(self) -> AccessBlock:
        return sanctions.access_block_approve(
            block=self.block_proposed(), actor=Actor.staff(self.users["supervisor2"])
        )

    def _fined_order(self) -> Fine:
        order = self.make_order(platform=self.make_platform(is_ugc=True))
        later = timezone.now()
        for _ in range(2):
            later += timedelta(days=2)
            orders_sweep(now=later)
        return Fine.objects.get(order=order)

    def fine_proposed(self) -> Fine:
        policy = EscalationPolicy.objects.get(is_default=True)
        policy.fines_need_approval = True
        policy_save(policy=policy, actor=self.supervisor)
        return self._fined_order()

    def fine_assessed(self) -> Fine:
        return self._fined_order()

    def fine_declared(self) -> Fine:
        fine = self._fined_order()
        return sanctions.fine_declare_payment(
            fine=fine, actor=Actor.of_platform(fine.platform), payment_reference="TRX-1"
        )

    def registration_sanction(self) -> Any:
        platform = self.platform_update_required()
        platform = registry.platform_warn(platform=platform, actor=self.officer, reason="Late.")
        return sanctions.registration_sanction_propose(
            platform=platform,
            actor=Actor.scheduled_job("escalation-sweep"),
            kind="suspend",
            reason="Warning period lapsed.",
        )

    def lift_proposed(self) -> Any:
        return sanctions.access_block_lift_propose(
            block=self.block_in_force(), actor=self.supervisor, reason="Court order."
        )

    def normalization_ready(self) -> Any:
        block = self.block_in_force()
        return sanctions.normalization_request_file(
            platform=block.platform, actor=self.supervisor, statement="We comply now."
        )

    def normalization_conditional(self) -> Any:
        return sanctions.normalization_grant(
            request=self.normalization_ready(),
            actor=Actor.staff(self.users["supervisor2"]),
            reason="On conditions.",
            conditions=["No recurrence."],
            verify_until=timezone.now() + timedelta(days=30),
        )


def _post_data(scenario_object: Any, button: str) -> dict[str, Any]:
    domain = ""
    platform = getattr(scenario_object, "platform", None)
    if platform is not None:
        domain = platform.domains.values_list("domain", flat=True).first()
    extra: dict[str, Any] = {}
    if button == "hash_list":
        extra["hash_list"] = HashList.objects.get(name="matrix").pk
    elif button == "import":
        extra["text"] = "md5," + "ab" * 16
    elif button == "publish":
        extra["closes_at"] = (timezone.localtime() + timedelta(days=14)).strftime("%Y-%m-%d %H:%M")
    elif button == "propose_direct_block":
        extra["domains"] = [scenario_object.domains.first().pk]
        extra["legal_basis"] = "MR5 Art. 9"
    elif button == "open_temporarily":
        soon = timezone.localtime() + timedelta(hours=1)
        extra["opens_at"] = soon.strftime("%Y-%m-%d %H:%M")
        extra["closes_at"] = (soon + timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    elif button == "grant_conditionally":
        extra["conditions"] = "No recurrence."
        extra["verify_until"] = (timezone.localtime() + timedelta(days=30)).strftime(
            "%Y-%m-%d %H:%M"
        )
    elif button == "verify":
        extra["outcome"] = "met"
        extra["note"] = "Checked."
    elif button == "refer":
        extra["agency"] = Agency.objects.get(kind="law_enforcement").pk
        extra["acknowledge_hours"] = 48
    elif button == "restrict":
        extra["everyone"] = "on"
    elif button == "merge":
        item = scenario_object.items.get()
        extra["order"] = RemovalOrder.objects.get(status="draft", platform=item.platform_id).pk
    elif button == "outcome":
        extra["outcome"] = "Charged."
    elif button == "declare_turnover":
        extra |= {
            "amount": "1000000.00",
            "currency": "EUR",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "scope": "worldwide",
            "source": "Audited accounts 2025",
        }
    elif button == "designate":
        extra |= {
            "kind": "dsa_vlop",
            "basis": "user_count",
            "user_count": "50000000",
            "user_count_as_of": "2026-06-30",
            "effective_from": "2026-08-01",
        }
    elif button in ("finding", "measure"):
        extra |= {
            "area": "minors",
            "severity": "high",
            "text": "No age assurance.",
            "description": "Age assurance at sign-up.",
            "report_by": (timezone.localdate() + timedelta(days=30)).isoformat(),
        }
    elif button == "reupload":
        other = Platform.objects.order_by("pk").first()
        extra["platform"] = other.pk
        extra["url"] = f"https://{other.domains.first().domain}/again"
    return {
        "reason": "Access matrix.",
        "name": "matrix",
        "statement": "We comply now.",
        "payment_reference": "",
        "text": f"https://{domain}/matrix/1",
        "captured_at": "2026-11-01 10:00",
        "description": "capture",
        **({"file": SimpleUploadedFile("capture.png", PNG)} if button == "add_evidence" else {}),
        **extra,
    }


@pytest.fixture
def users(officer, supervisor, supervisor2, auditor, agency_staff) -> dict[str, User]:
    return {
        "agency": agency_staff,
        "officer": officer,
        "supervisor": supervisor,
        "supervisor2": supervisor2,
        "auditor": auditor,
    }


@pytest.mark.parametrize(("model", "button", "scenario", "allowed"), CASES)
def test_admin_button_per_role(users, make_order, make_platform, model, button, scenario, allowed):
    obj = getattr(World(users, make_order, make_platform), scenario)()
    opts = obj._meta
    model_admin = admin.site._registry[type(obj)]
    kind = "transition" if button in model_admin.transition_services else "action"
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{kind}", args=[obj.pk, button])
    outcome = {}
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(users[role])
        with transaction.atomic():
            before = DecisionRecord.objects.count()
            response = client.post(url, _post_data(obj, button))
            took_effect = DecisionRecord.objects.count() > before
            transaction.set_rollback(True)
        outcome[role] = took_effect
        if role == "anonymous":
            assert response.status_code == 302
            assert "/login/" in response["Location"]
        elif not took_effect:
            assert response.status_code in (302, 403), (role, response.status_code)
    assert {r for r, ok in outcome.items() if ok} == allowed, outcome


@pytest.mark.parametrize(
    "scenario",
    [
        "platform_registered",
        "api_key",
        "order_issued",
        "objection_open",
        "hash_entry",
        "block_proposed",
        "fine_assessed",
        "registration_sanction",
        "change_submitted",
        "takedown_submitted",
        "normalization_ready",
        "lift_proposed",
    ],
)
def test_no_change_form_can_set_a_state_around_the_services(
    users, make_order, make_platform, superuser, rf, scenario
):
    """Even a superuser's change form has no state field: states move only through the
    buttons above, which call the services (permissions, four-eyes, decision record)."""
    obj = getattr(World(users, make_order, make_platform), scenario)()
    model_admin = admin.site._registry[type(obj)]
    request = rf.get("/")
    request.user = superuser
    form = model_admin.get_form(request, obj, change=True)
    state_fields = {"status", "revoked_at", "decided_by", "decided_at", "proposed_by"}
    assert not state_fields & set(form.base_fields)
